# Type stubs for microdot.microdot (CPython; MicroPython ignores .pyi files).
# Python 3.8 syntax: typing.Optional/Union/List..., no PEP 604/585 forms.
import asyncio
import datetime
import io
import ssl as _ssl
from typing import (Any, AsyncIterator, Awaitable, Callable, ClassVar, Dict,
                    Iterable, Iterator, List, Mapping, Optional, Pattern,
                    Sequence, Tuple, Type, TypeVar, Union, overload)

from typing_extensions import Literal, NoReturn, Protocol

from microdot.multipart import FileUpload

__version__: str
MICROPYTHON: bool

#: errno values of a client that went away (EPIPE, ECONNRESET, ENOTCONN).
MUTED_SOCKET_ERRORS: List[int]

_T = TypeVar('_T')
_D = TypeVar('_D')
_E = TypeVar('_E', bound=BaseException)


# ---- helper types (stub only) ----

class _Readable(Protocol):
    """A file-like response body: ``read(n)`` returns the next chunk (bytes
    or str), or a coroutine giving it."""
    def read(self, __n: int) -> Union[bytes, str, Awaitable[Union[bytes, str]]]: ...


class _AsyncStream(Protocol):
    """What ``Request.stream`` gives: a body stream with async reads."""
    async def read(self, n: int = ...) -> bytes: ...
    async def readexactly(self, n: int) -> bytes: ...
    async def readline(self) -> bytes: ...
    async def readuntil(self, separator: bytes = ...) -> bytes: ...
    async def aclose(self) -> None: ...


class _JSONBackend(Protocol):
    """A JSON module such as ``json`` or ``orjson``."""
    def dumps(self, __obj: Any) -> Union[str, bytes]: ...
    def loads(self, __s: str) -> Any: ...


# A response body (spec 4.11.9, R1): text, bytes, JSON (dict or list),
# a sync or async iterator of chunks, a file-like object, or None (204).
_Body = Union[str, bytes, bytearray, memoryview, Dict[Any, Any], List[Any],
              Iterator[Any], AsyncIterator[Any], _Readable, None]
# Headers given to a Response (values: str, a list of str, or anything str()
# turns into the value).
_HeadersArg = Mapping[str, Any]
# What a route handler (or a short-circuiting before_request handler)
# returns; the tuples are (body, status), (body, status, headers),
# (body, status, headers, reason), (body, headers), (status,) and
# (status, headers).
_RouteResult = Union[
    'Response', _Body, int,
    Tuple[int], Tuple[int, _HeadersArg],
    Tuple[_Body, int], Tuple[_Body, int, _HeadersArg],
    Tuple[_Body, int, _HeadersArg, str],
    Tuple[_Body, _HeadersArg],
]
# Handlers may be plain functions or coroutine functions.
_MaybeAwaitable = Union[_T, Awaitable[_T]]

_RouteHandlerT = TypeVar(
    '_RouteHandlerT', bound=Callable[..., _MaybeAwaitable[_RouteResult]])
_BeforeHandlerT = TypeVar(
    '_BeforeHandlerT',
    bound=Callable[['Request'], _MaybeAwaitable[_RouteResult]])
# after_request handlers return a replacement response, or None/a falsy
# value to keep the current one.
_AfterHandlerT = TypeVar(
    '_AfterHandlerT',
    bound=Callable[['Request', 'Response'], _MaybeAwaitable[_RouteResult]])
# after_error_request handlers also run for unparsable requests (400), with
# None as the request.
_AfterErrorHandlerT = TypeVar(
    '_AfterErrorHandlerT',
    bound=Callable[[Optional['Request'], 'Response'],
                   _MaybeAwaitable[_RouteResult]])
_StatusHandlerT = TypeVar(
    '_StatusHandlerT',
    bound=Callable[['Request'], _MaybeAwaitable[_RouteResult]])
_BadRequestHandlerT = TypeVar(
    '_BadRequestHandlerT',
    bound=Callable[[Optional['Request']], _MaybeAwaitable[_RouteResult]])
_ExceptionHandler = Callable[['Request', _E], _MaybeAwaitable[_RouteResult]]
_OptionsHandler = Callable[['Request'], Dict[str, str]]
_ResponseT = TypeVar('_ResponseT', bound='Response')
_URLMapEntry = Tuple[List[str], 'URLPattern', Callable[..., Any], str,
                     Optional['Microdot']]


# ---- helpers ----

def iscoroutine(obj: object) -> bool: ...
def print_exception(exc: BaseException) -> None: ...


@overload
async def invoke_handler(handler: Callable[..., Awaitable[_T]], *args: Any,
                         **kwargs: Any) -> _T: ...
@overload
async def invoke_handler(handler: Callable[..., _T], *args: Any,
                         **kwargs: Any) -> _T: ...


def mro(cls: type) -> Sequence[type]: ...
def set_json_backend(backend: _JSONBackend) -> None: ...
# str with the standard library's json (the default), bytes with orjson.
def json_dumps(obj: Any) -> Union[str, bytes]: ...
def json_loads(text: str) -> Any: ...
def urldecode(s: Union[str, bytes]) -> str: ...
def urlencode(s: Union[str, bytes]) -> str: ...
# (method, url, http_version, header lines, content_length, chunked,
#  keep_alive, expect_continue); ValueError (400) or HTTPException (501, 505)
def parse_request_head(head: bytes) -> Tuple[str, str, str, List[str],
                                             Optional[int], bool, bool,
                                             bool]: ...
def parse_header_lines(lines: Iterable[str]) -> "NoCaseDict": ...


class NoCaseDict(Dict[str, Any]):
    """A dict with case-insensitive str keys (request/response headers)."""
    keymap: Dict[str, str]
    def __init__(self, initial_dict: Optional[Mapping[str, Any]] = None) -> None: ...
    def __setitem__(self, key: str, value: Any) -> None: ...
    def __getitem__(self, key: str) -> Any: ...
    def __delitem__(self, key: str) -> None: ...
    def __contains__(self, key: str) -> bool: ...  # type: ignore[override]
    def get(self, key: str, default: Any = None) -> Any: ...
    def pop(self, key: str, *default: Any) -> Any: ...
    def setdefault(self, key: str, default: Any = None) -> Any: ...
    def update(self, other_dict: Mapping[str, Any]) -> None: ...  # type: ignore[override]
    def copy(self) -> 'NoCaseDict': ...
    def clear(self) -> None: ...
    def popitem(self) -> Tuple[str, Any]: ...


class MultiDict(Dict[str, Any]):
    """Query arguments and URL-encoded forms: every value of a key is kept
    (the dict stores lists); ``d[key]`` and ``get()`` give the first."""
    def __init__(self, initial_dict: Optional[Mapping[str, Any]] = None) -> None: ...
    def __setitem__(self, key: str, value: Any) -> None: ...
    def __getitem__(self, key: str) -> Any: ...
    @overload
    def get(self, key: str, default: Any = None, type: None = None) -> Any: ...
    @overload
    def get(self, key: str, default: _D, type: Callable[[Any], _T]) -> Union[_T, _D]: ...
    @overload
    def get(self, key: str, *, type: Callable[[Any], _T]) -> Optional[_T]: ...
    @overload
    def getlist(self, key: str, type: None = None) -> List[Any]: ...
    @overload
    def getlist(self, key: str, type: Callable[[Any], _T]) -> List[_T]: ...
    def setlist(self, key: str, values: Iterable[Any]) -> None: ...
    def to_dict(self) -> Dict[str, Any]: ...


class AsyncBytesIO:
    """An in-memory stream with the async interface of a socket stream."""
    stream: io.BytesIO
    def __init__(self, data: bytes) -> None: ...
    async def read(self, n: int = -1) -> bytes: ...
    async def readline(self) -> bytes: ...
    async def readexactly(self, n: int) -> bytes: ...
    async def readuntil(self, separator: bytes = b'\n') -> bytes: ...
    async def awrite(self, data: bytes) -> int: ...
    async def aclose(self) -> None: ...


class HTTPException(Exception):
    status_code: int
    reason: str
    def __init__(self, status_code: int, reason: Optional[str] = None) -> None: ...


class URLPattern:
    segment_patterns: ClassVar[Dict[str, str]]
    segment_parsers: ClassVar[Dict[str, Optional[Callable[[str], Any]]]]
    url_pattern: str
    segments: List[Dict[str, Any]]
    regex: Optional[Pattern[str]]
    @classmethod
    def register_type(cls, type_name: str, pattern: str = '[^/]+',
                      parser: Optional[Callable[[str], Any]] = None) -> None: ...
    def __init__(self, url_pattern: str) -> None: ...
    def compile(self) -> Pattern[str]: ...
    # The path arguments, or None when the path does not match.
    def match(self, path: str) -> Optional[Dict[str, Any]]: ...


class Request:
    max_content_length: int
    max_body_length: int
    max_readline: int
    max_headers: int
    max_json_depth: int

    class G:
        """``request.g``: an attribute bag for the request's handlers."""
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    app: 'Microdot'
    client_addr: Any
    method: str
    url: str
    http_version: str
    sock: Any
    content_length: int
    scheme: str
    url_prefix: str
    subapp: Optional['Microdot']
    route: Optional[Callable[..., Any]]
    url_args: Optional[Dict[str, Any]]
    body_used: bool

    def __init__(self, app: 'Microdot', client_addr: Any, method: str,
                 url: str, http_version: str, headers: NoCaseDict,
                 body: Optional[bytes] = None,
                 stream: Optional[_AsyncStream] = None, sock: Any = None,
                 url_prefix: str = '', subapp: Optional['Microdot'] = None,
                 scheme: Optional[str] = None,
                 route: Optional[Callable[..., Any]] = None) -> None: ...
    @staticmethod
    async def create(app: 'Microdot', client_reader: Any, client_writer: Any,
                     client_addr: Any,
                     scheme: Optional[str] = None) -> Optional['Request']: ...
    # Computed on first use (Request.__getattr__), then plain attributes.
    path: str
    query_string: Optional[str]
    headers: NoCaseDict
    content_type: Optional[str]
    g: 'Request.G'
    after_request_handlers: List[Callable[..., Any]]
    args: MultiDict
    cookies: Dict[str, str]
    body: bytes
    stream: _AsyncStream
    # The decoded JSON body; None unless the content type is JSON.
    json: Any
    # A MultiDict for an URL-encoded body, a dict of the text fields after
    # multipart.with_form_data, else None.
    form: Optional[Dict[str, Any]]
    # The uploaded files, set by multipart.with_form_data.
    files: Optional[Dict[str, FileUpload]]
    def after_request(self, f: _AfterHandlerT) -> _AfterHandlerT: ...


class Response:
    types_map: Dict[str, str]
    send_file_buffer_size: int
    default_content_type: str
    default_send_file_max_age: Optional[int]
    #: Returned by handlers that wrote the response themselves (WebSocket).
    already_handled: 'Response'

    status_code: int
    headers: NoCaseDict
    reason: Optional[str]
    # After construction: str, dict and list bodies are encoded bytes.
    body: Union[bytes, bytearray, memoryview, str, Iterator[Any],
                AsyncIterator[Any], _Readable, None]
    is_head: bool

    def __init__(self, body: _Body = b'', status_code: int = 200,
                 headers: Optional[_HeadersArg] = None,
                 reason: Optional[str] = None) -> None: ...
    def set_cookie(self, cookie: str, value: str, path: Optional[str] = None,
                   domain: Optional[str] = None,
                   expires: Union[str, datetime.date, None] = None,
                   max_age: Optional[int] = None, secure: bool = False,
                   http_only: bool = False, partitioned: bool = False,
                   samesite: Optional[str] = None) -> None: ...
    def delete_cookie(self, cookie: str, **kwargs: Any) -> None: ...
    def complete(self) -> None: ...
    def body_iter(self) -> AsyncIterator[Any]: ...
    async def write(self, stream: Any, http_version: str = '1.0',
                    keep_alive: bool = False) -> bool: ...
    @classmethod
    def redirect(cls: Type[_ResponseT], location: str,
                 status_code: int = 302) -> _ResponseT: ...
    @classmethod
    def send_file(cls: Type[_ResponseT], filename: str,
                  status_code: int = 200,
                  content_type: Optional[str] = None,
                  stream: Optional[_Readable] = None,
                  max_age: Optional[int] = None,
                  compressed: Union[bool, str] = False,
                  file_extension: str = '') -> _ResponseT: ...


class Microdot:
    keep_alive: bool
    keep_alive_timeout: float
    max_keep_alive_requests: int
    request_timeout: float
    head_timeout: float
    io_timeout: float
    max_connections: int
    max_long_lived: int
    log_handled_errors: bool
    listen_backlog: int
    min_free_heap: int

    url_map: List[_URLMapEntry]
    before_request_handlers: List[Callable[..., Any]]
    after_request_handlers: List[Callable[..., Any]]
    after_error_request_handlers: List[Callable[..., Any]]
    error_handlers: Dict[Union[int, Type[BaseException]], Callable[..., Any]]
    # Answers OPTIONS requests with the headers it returns; None lets
    # OPTIONS routes run.
    options_handler: Optional[_OptionsHandler]
    ssl: Union[_ssl.SSLContext, bool, None]
    debug: bool
    server: Optional[asyncio.AbstractServer]

    def __init__(self, keep_alive: Optional[bool] = None) -> None: ...
    def route(self, url_pattern: str, methods: Optional[Sequence[str]] = None
              ) -> Callable[[_RouteHandlerT], _RouteHandlerT]: ...
    def get(self, url_pattern: str) -> Callable[[_RouteHandlerT], _RouteHandlerT]: ...
    def post(self, url_pattern: str) -> Callable[[_RouteHandlerT], _RouteHandlerT]: ...
    def put(self, url_pattern: str) -> Callable[[_RouteHandlerT], _RouteHandlerT]: ...
    def patch(self, url_pattern: str) -> Callable[[_RouteHandlerT], _RouteHandlerT]: ...
    def delete(self, url_pattern: str) -> Callable[[_RouteHandlerT], _RouteHandlerT]: ...
    def before_request(self, f: _BeforeHandlerT) -> _BeforeHandlerT: ...
    def after_request(self, f: _AfterHandlerT) -> _AfterHandlerT: ...
    def after_error_request(self, f: _AfterErrorHandlerT) -> _AfterErrorHandlerT: ...
    # Status-code handlers are called as f(request) (request is None for
    # 400: the request could not be parsed); exception handlers as
    # f(request, exception).
    @overload
    def errorhandler(  # type: ignore[overload-overlap]
            self, status_code_or_exception_class: Literal[400]
    ) -> Callable[[_BadRequestHandlerT], _BadRequestHandlerT]: ...
    @overload
    def errorhandler(self, status_code_or_exception_class: int
                     ) -> Callable[[_StatusHandlerT], _StatusHandlerT]: ...
    @overload
    def errorhandler(self, status_code_or_exception_class: Type[_E]
                     ) -> Callable[[_ExceptionHandler[_E]], _ExceptionHandler[_E]]: ...
    def mount(self, subapp: 'Microdot', url_prefix: str = '',
              local: bool = False) -> None: ...
    @staticmethod
    def abort(status_code: int, reason: Optional[str] = None) -> NoReturn: ...
    # (target, url_prefix, subapp): the target is the route handler, a
    # status code (404, 405) or the headers of an OPTIONS answer.
    def find_route(self, req: Request) -> Tuple[
        Union[Callable[..., Any], int, Dict[str, str]], str,
        Optional['Microdot']]: ...
    def default_options_handler(self, req: Request) -> Dict[str, str]: ...
    def get_request_handlers(self, req: Optional[Request], attr: str,
                             local_first: bool = True
                             ) -> List[Callable[..., Any]]: ...
    async def error_response(self, req: Optional[Request], status_code: int,
                             reason: Optional[str] = None) -> Any: ...
    def log_exception(self, exc: BaseException, handled: bool = False) -> None: ...
    def out_of_memory(self, exc: BaseException) -> None: ...
    def hold_connection(self, request: "Request") -> bool: ...
    async def dispatch_request(self, req: Optional[Request]) -> Response: ...
    # Returns the server when start_serving is False (CPython), else runs
    # until the server is closed.
    async def start_server(self, host: str = '0.0.0.0', port: int = 5000,
                           debug: bool = False,
                           ssl: Optional[_ssl.SSLContext] = None,
                           start_serving: bool = True
                           ) -> Optional[asyncio.AbstractServer]: ...
    def run(self, host: str = '0.0.0.0', port: int = 5000,
            debug: bool = False,
            ssl: Optional[_ssl.SSLContext] = None) -> None: ...
    def shutdown(self) -> None: ...
    async def handle_request(self, reader: Any, writer: Any) -> None: ...


def abort(status_code: int, reason: Optional[str] = None) -> NoReturn: ...
def redirect(location: str, status_code: int = 302) -> Response: ...
def send_file(filename: str, status_code: int = 200,
              content_type: Optional[str] = None,
              stream: Optional[_Readable] = None,
              max_age: Optional[int] = None,
              compressed: Union[bool, str] = False,
              file_extension: str = '') -> Response: ...
