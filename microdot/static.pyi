# Type stubs for microdot.static.
from typing import Any, Dict, Optional, Tuple, Union

from microdot.microdot import Microdot, Request, Response

MANIFEST: str
TEXT_TYPES: Tuple[str, ...]


def http_date(seconds: float) -> str: ...
def parse_http_date(text: str) -> Optional[int]: ...
def safe_path(path: str) -> Optional[str]: ...
def accepted_codings(
        header: Optional[str]) -> Optional[Tuple[float, Optional[float]]]: ...
def parse_range(header: Optional[str],
                size: int) -> Union[None, bool, Tuple[int, int]]: ...


class FileBody:
    # the open file (None once closed)
    f: Any
    first: Optional[bytes]
    left: Optional[int]
    buffer_size: int
    buf: Optional[bytearray]
    view: Optional[memoryview]
    pos: int
    # a ROMFS file's bytes in flash
    mapped: Optional[memoryview]

    def __init__(self, f: Any, start: int = 0, length: Optional[int] = None,
                 buffer_size: int = 1024,
                 first: Optional[bytes] = None) -> None: ...
    def __aiter__(self) -> 'FileBody': ...
    async def __anext__(self) -> Union[bytes, bytearray, memoryview]: ...
    async def aclose(self) -> None: ...


class Static:
    url_prefix: str
    root: str
    max_age: Optional[int]
    html_cache_control: Optional[str]
    immutable_cache_control: Optional[str]
    index: Optional[str]
    buffer_size: int

    def __init__(self, app: Optional[Microdot] = None,
                 url_prefix: str = '/static', root: str = 'static',
                 max_age: Optional[int] = 3600,
                 html_cache_control: Optional[str] = 'no-cache',
                 immutable_cache_control: Optional[str] =
                 'max-age=31536000, immutable',
                 index: Optional[str] = 'index.html',
                 buffer_size: Optional[int] = None) -> None: ...
    def initialize(self, app: Microdot) -> None: ...
    async def handle(self, request: Request, path: str = '') -> \
        Union[Response, Tuple[str, int]]: ...
    def response(self, request: Request,
                 path: str) -> Union[Response, Tuple[str, int]]: ...
    def etag(self, rel: str, size: int, mtime: int) -> Optional[str]: ...
    def manifest(self) -> Dict[str, Tuple[int, str]]: ...
    def content_type(self, rel: str) -> str: ...
    def cache_control(self, rel: str) -> Optional[str]: ...
