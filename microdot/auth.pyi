# Type stubs for microdot.auth.
from typing import (Any, Awaitable, Callable, Coroutine, Dict, Optional,
                    Tuple, TypeVar, Union, overload)

from typing_extensions import Concatenate, ParamSpec

from microdot.microdot import Request

_P = ParamSpec('_P')
_R = TypeVar('_R')
_F = TypeVar('_F', bound=Callable[..., Any])


# Constant-time comparison of two str or bytes values (for passwords).
def compare_digest(a: Union[str, bytes], b: Union[str, bytes]) -> bool: ...


class BaseAuth:
    # called as f(request, *credentials); returns the user or None
    auth_callback: Optional[Callable[..., Any]]
    # called as f(request); answers requests without valid credentials
    error_callback: Optional[Callable[[Request], Any]]

    def __init__(self) -> None: ...
    # ``@auth``: the route runs only with valid credentials, the user in
    # request.g.current_user.
    @overload
    def __call__(self, f: Callable[Concatenate[Request, _P], Awaitable[_R]]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, Any]]: ...
    @overload
    def __call__(self, f: Callable[Concatenate[Request, _P], _R]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, Any]]: ...
    # ``@auth.optional``: request.g.current_user is the user or None.
    @overload
    def optional(self, f: Callable[Concatenate[Request, _P], Awaitable[_R]]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, _R]]: ...
    @overload
    def optional(self, f: Callable[Concatenate[Request, _P], _R]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, _R]]: ...
    def authenticate(self, f: _F) -> _F: ...
    def errorhandler(self, f: _F) -> _F: ...


class BasicAuth(BaseAuth):
    """authenticate callback: f(request, username, password)."""
    realm: str
    charset: str
    scheme: str
    error_status: int
    def __init__(self, realm: str = 'Please login', charset: str = 'UTF-8',
                 scheme: str = 'Basic', error_status: int = 401) -> None: ...
    async def authentication_error(
            self, request: Request) -> Tuple[str, int, Dict[str, str]]: ...


class TokenAuth(BaseAuth):
    """authenticate callback: f(request, token)."""
    header: str
    # lower-cased
    scheme: str
    error_status: int
    def __init__(self, header: str = 'Authorization', scheme: str = 'Bearer',
                 error_status: int = 401) -> None: ...
    # A 401 with a WWW-Authenticate challenge, or abort(error_status).
    async def authentication_error(
            self, request: Request) -> Tuple[str, int, Dict[str, str]]: ...
