# Type stubs for microdot.multipart.
from typing import (Any, Awaitable, Callable, Coroutine, Dict, Optional,
                    Tuple, TypeVar, Union, overload)

from typing_extensions import Concatenate, ParamSpec, Protocol

from microdot.microdot import Request

_P = ParamSpec('_P')
_R = TypeVar('_R')


class _Writable(Protocol):
    def write(self, __data: bytes) -> Any: ...


def parse_header_options(value: str) -> Tuple[str, Dict[str, str]]: ...


class FormDataIter:
    """Async iterator over the parts of a multipart/form-data request:
    (name, str) for a field, (name, FileUpload) for a file."""
    buffer_size: int
    max_field_size: int
    max_parts: int
    max_part_header_size: int

    request: Request
    buffer: Optional[bytes]
    boundary: Optional[bytes]
    # set only when the request is multipart/form-data:
    extra_size: int
    delimiter: bytes
    valid: bool
    remaining: Optional[int]
    parts: int

    def __init__(self, request: Request) -> None: ...
    def __aiter__(self) -> 'FormDataIter': ...
    async def __anext__(self) -> Tuple[str, Union[str, 'FileUpload']]: ...


class FileUpload:
    max_memory_size: int
    temp_dir: Optional[str]
    filename: str
    content_type: Optional[str]

    def __init__(self, filename: str, content_type: Optional[str],
                 read: Callable[[int], Awaitable[bytes]]) -> None: ...
    async def read(self, n: int = -1) -> bytes: ...
    async def save(self, path_or_file: Union[str, _Writable]) -> None: ...
    async def copy(self, max_memory_size: Optional[int] = None) -> 'FileUpload': ...
    async def close(self) -> None: ...


# The route keeps its signature; request.form and request.files are set
# before it runs.
@overload
def with_form_data(f: Callable[Concatenate[Request, _P], Awaitable[_R]]
                   ) -> Callable[Concatenate[Request, _P],
                                 Coroutine[Any, Any, _R]]: ...
@overload
def with_form_data(f: Callable[Concatenate[Request, _P], _R]
                   ) -> Callable[Concatenate[Request, _P],
                                 Coroutine[Any, Any, _R]]: ...
