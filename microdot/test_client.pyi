# Type stubs for microdot.test_client.
from typing import (Any, AsyncGenerator, Callable, ClassVar, Dict, Generator,
                    List, Mapping, Optional, Tuple, Union)

from microdot.microdot import Microdot, Response

__all__ = ['TestClient', 'TestResponse']

# A request body: text, bytes, or JSON (dict or list).
_RequestBody = Union[str, bytes, Dict[Any, Any], List[Any], None]
# The client side of a WebSocket conversation: a generator function (sync
# or async) that yields the messages to send and receives the app's replies.
_WebSocketClient = Callable[
    [], Union[Generator[Union[str, bytes], Any, Any],
              AsyncGenerator[Union[str, bytes], Any]]]


class TestResponse:
    __test__: ClassVar[bool]
    # None only for a response the app wrote itself (WebSocket).
    status_code: Optional[int]
    reason: Optional[str]
    headers: Dict[str, Any]
    body: Optional[bytes]
    # The body decoded as UTF-8 (None when it is not UTF-8).
    text: Optional[str]
    # The decoded body of an application/json response.
    json: Any
    # The events of a text/event-stream response: dicts with the keys
    # data (bytes), data_json, event, event_id and retry (seconds).
    events: Optional[List[Dict[str, Any]]]

    def __init__(self) -> None: ...
    @classmethod
    async def create(cls, res: Response) -> 'TestResponse': ...


class TestClient:
    __test__: ClassVar[bool]
    app: Microdot
    # name -> value, or (value, path) for a cookie with a path other than /
    cookies: Dict[str, Union[str, Tuple[str, str]]]
    scheme: Optional[str]
    host: str

    def __init__(self, app: Microdot,
                 cookies: Optional[Dict[str, Union[str, Tuple[str, str]]]] = None,
                 scheme: Optional[str] = None,
                 host: Optional[str] = None) -> None: ...
    async def request(self, method: str, path: str,
                      headers: Optional[Mapping[str, str]] = None,
                      body: _RequestBody = None,
                      sock: Optional[Tuple[Any, Any]] = None
                      ) -> TestResponse: ...
    async def get(self, path: str,
                  headers: Optional[Mapping[str, str]] = None) -> TestResponse: ...
    async def post(self, path: str,
                   headers: Optional[Mapping[str, str]] = None,
                   body: _RequestBody = None) -> TestResponse: ...
    async def put(self, path: str,
                  headers: Optional[Mapping[str, str]] = None,
                  body: _RequestBody = None) -> TestResponse: ...
    async def patch(self, path: str,
                    headers: Optional[Mapping[str, str]] = None,
                    body: _RequestBody = None) -> TestResponse: ...
    async def delete(self, path: str,
                     headers: Optional[Mapping[str, str]] = None) -> TestResponse: ...
    async def websocket(self, path: str, client: _WebSocketClient,
                        headers: Optional[Mapping[str, str]] = None
                        ) -> TestResponse: ...
