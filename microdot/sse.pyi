# Type stubs for microdot.sse.
import asyncio
from typing import (Any, AsyncIterator, Awaitable, Callable, Coroutine, Dict,
                    List, Optional, Tuple, Union)

from typing_extensions import Concatenate, ParamSpec

from microdot.microdot import Request

_P = ParamSpec('_P')
# What sse_response() returns: a route result (body, status, headers).
_SSEResult = Tuple[AsyncIterator[bytes], int, Dict[str, str]]


class SSE:
    # seconds without an event before a keepalive comment; None: never
    keepalive: Optional[float]
    # send() waits while this many events are unsent (default 16;
    # 0: no limit)
    max_queue: int
    event: asyncio.Event
    queue: List[Union[bytes, Exception]]

    def __init__(self) -> None: ...
    # data: str, UTF-8 bytes, dict/list (sent as JSON) or any object
    # (sent as str(data)); retry in seconds.
    async def send(self, data: Any, event: Optional[str] = None,
                   event_id: Optional[Any] = None,
                   retry: Optional[float] = None,
                   comment: bool = False) -> None: ...


def sse_response(
    request: Request,
    event_function: Callable[Concatenate[Request, SSE, _P], Awaitable[Any]],
    *args: _P.args, **kwargs: _P.kwargs) -> _SSEResult: ...
# For ``async def route(request, sse, **path_args)``.
def with_sse(
    f: Callable[Concatenate[Request, SSE, _P], Awaitable[Any]],
) -> Callable[Concatenate[Request, _P], Coroutine[Any, Any, _SSEResult]]: ...
