# Type stubs for microdot.asgi (CPython only).
from typing import (Any, Awaitable, Callable, Dict, MutableMapping, Optional,
                    Type, Union)

from microdot import (
    AsyncBytesIO as AsyncBytesIO,
    Request as Request,
    Response as Response,
    URLPattern as URLPattern,
    __version__ as __version__,
    abort as abort,
    iscoroutine as iscoroutine,
    redirect as redirect,
    send_file as send_file,
)
from microdot.microdot import Microdot as _BaseMicrodot
from microdot.websocket import (
    WebSocket as _BaseWebSocket,
    WebSocketError as WebSocketError,
    websocket_upgrade as websocket_upgrade,
    with_websocket as with_websocket,
)

_Scope = MutableMapping[str, Any]
_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[Dict[str, Any]], Awaitable[None]]
# Lifespan callbacks are coroutine functions called with the ASGI scope.
_LifespanCallback = Callable[[_Scope], Awaitable[Any]]


class WebSocket(_BaseWebSocket):
    """A WebSocket over the ASGI websocket.* messages."""
    async def handshake(self) -> None: ...
    async def receive(self) -> Union[str, bytes]: ...
    async def send(self, data: Union[str, bytes, bytearray],
                   opcode: Optional[int] = None) -> None: ...
    async def close(self, code: Optional[int] = 1000,
                    reason: str = '') -> None: ...


class Microdot(_BaseMicrodot):
    """A Microdot app that is also an ASGI application."""
    lifespan_startup: Optional[_LifespanCallback]
    lifespan_shutdown: Optional[_LifespanCallback]
    # True when run() serves with the native server
    embedded_server: bool

    def __init__(self, lifespan_startup: Optional[_LifespanCallback] = None,
                 lifespan_shutdown: Optional[_LifespanCallback] = None
                 ) -> None: ...
    @property
    def websocket_class(self) -> Type[_BaseWebSocket]: ...
    async def handle_lifespan(self, scope: _Scope, receive: _Receive,
                              send: _Send) -> None: ...
    async def asgi_app(self, scope: _Scope, receive: _Receive,
                       send: _Send) -> None: ...
    async def __call__(self, scope: _Scope, receive: _Receive,
                       send: _Send) -> None: ...
    def shutdown(self) -> None: ...
    # options (e.g. ssl) go to the native server, by keyword only
    def run(self, host: str = '0.0.0.0', port: int = 5000,  # type: ignore[override]
            debug: bool = False, **options: Any) -> None: ...
