# Type stubs for microdot.websocket.
from typing import (Any, Awaitable, Callable, Container, Coroutine, Optional,
                    Union)

from typing_extensions import Concatenate, ParamSpec

from microdot.microdot import Request, Response

_P = ParamSpec('_P')


class WebSocketError(Exception):
    # the close code sent or received, if any
    code: Optional[int]
    def __init__(self, message: str, code: Optional[int] = None) -> None: ...


class WebSocket:
    CONT: int
    TEXT: int
    BINARY: int
    CLOSE: int
    PING: int
    PONG: int
    # -1: Request.max_body_length; 0: no limit
    max_message_length: int
    # exact matches: one origin (a str) or a list of them; None allows any
    allowed_origins: Optional[Union[str, Container[str]]]

    request: Request
    closed: bool

    def __init__(self, request: Request) -> None: ...
    async def handshake(self) -> None: ...
    # str for a text message, bytes for a binary one.
    async def receive(self) -> Union[str, bytes]: ...
    async def send(self, data: Union[str, bytes, bytearray],
                   opcode: Optional[int] = None) -> None: ...
    async def ping(self, data: bytes = b'') -> None: ...
    async def close(self, code: Optional[int] = 1000,
                    reason: str = '') -> None: ...


async def websocket_upgrade(request: Request) -> WebSocket: ...
def websocket_wrapper(
    f: Callable[Concatenate[Request, WebSocket, _P], Awaitable[Any]],
    upgrade_function: Callable[[Request], Awaitable[WebSocket]],
) -> Callable[Concatenate[Request, _P], Coroutine[Any, Any, Response]]: ...
# For ``async def route(request, ws, **path_args)``.
def with_websocket(
    f: Callable[Concatenate[Request, WebSocket, _P], Awaitable[Any]],
) -> Callable[Concatenate[Request, _P], Coroutine[Any, Any, Response]]: ...
