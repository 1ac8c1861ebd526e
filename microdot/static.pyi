# Type stubs for microdot.static (Range, client dates, gzip negotiation and
# the manifest reader are in the private microdot._static_more).
from typing import Any, Dict, Optional, Tuple, Union

from microdot.microdot import Microdot, Request, Response

MANIFEST: str
TEXT_TYPES: Tuple[str, ...]


def http_date(seconds: float) -> str: ...
def safe_path(path: str) -> Optional[str]: ...


class FileBody:
    # the open file (None once closed)
    f: Any
    first: Optional[bytes]
    left: Optional[int]
    pos: int
    # the chunk size asked for
    size: int
    buf: Optional[bytearray]
    # a ROMFS file's bytes in flash
    mapped: Optional[memoryview]

    def __init__(self, f: Any, size: int, start: int = 0,
                 left: Optional[int] = None,
                 first: Optional[bytes] = None) -> None: ...
    def response(self, status: int, headers: Dict[str, str]) -> Response: ...
    def read(self, n: int) -> Union[bytes, bytearray, memoryview]: ...
    def close(self) -> None: ...


class Static:
    url_prefix: str
    root: str
    max_age: Optional[int]
    html_cache_control: Optional[str]
    immutable_cache_control: Optional[str]
    index: Optional[str]
    buffer_size: int
    # root with a trailing slash
    base: str
    # {path: (size, hash)} from the manifest, None until first needed
    manifest: Optional[Dict[str, Tuple[int, str]]]
    # root with symbolic links resolved (CPython), else None
    real_root: Optional[str]

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
