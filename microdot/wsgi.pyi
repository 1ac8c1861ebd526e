# Type stubs for microdot.wsgi (CPython only).
from typing import Any, Iterable, Type

from _typeshed.wsgi import StartResponse, WSGIEnvironment

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
    websocket_upgrade as websocket_upgrade,
    with_websocket as with_websocket,
)


class WebSocket(_BaseWebSocket):
    """The core WebSocket over gunicorn's socket; 501 on other servers."""
    async def handshake(self) -> None: ...


class Microdot(_BaseMicrodot):
    """A Microdot app that is also a WSGI application."""
    # True when run() serves with the native server
    embedded_server: bool
    # the WebSocket class microdot.websocket's upgrade uses
    websocket_class: Type[_BaseWebSocket]

    def __init__(self) -> None: ...
    def wsgi_app(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]: ...
    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]: ...
    def shutdown(self) -> None: ...
    # options (e.g. ssl) go to the native server, by keyword only
    def run(self, host: str = '0.0.0.0', port: int = 5000,  # type: ignore[override]
            debug: bool = False, **options: Any) -> None: ...
