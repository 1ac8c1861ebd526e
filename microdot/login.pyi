# Type stubs for microdot.login.
from typing import (Any, Awaitable, Callable, Coroutine, Dict, Optional,
                    TypeVar, Union, overload)

from typing_extensions import Concatenate, ParamSpec

from microdot.microdot import Request, Response

_P = ParamSpec('_P')
_R = TypeVar('_R')
_F = TypeVar('_F', bound=Callable[..., Any])

REMEMBER_COOKIE: str


def is_safe_next(url: Optional[str]) -> bool: ...


class Login:
    login_url: str
    # seconds a login lasts; None: until logout
    session_lifetime: Optional[int]
    # f(user_id) -> the user, or None; may be a coroutine function
    user_loader_callback: Optional[Callable[[Any], Any]]
    # user id -> number of logouts (RAM only)
    generations: Dict[Any, int]

    def __init__(self, login_url: str = '/login',
                 session_lifetime: Optional[int] = 86400) -> None: ...
    def user_loader(self, f: _F) -> _F: ...
    # user: an object with a JSON-serialisable ``id`` attribute.
    async def login_user(self, request: Request, user: Any,
                         remember: Union[bool, int] = False,
                         redirect_url: str = '/') -> Response: ...
    async def logout_user(self, request: Request) -> None: ...
    async def get_current_user(self, request: Request) -> Any: ...
    # ``@login``: without a logged in user the route answers with a
    # redirect to login_url.
    @overload
    def __call__(self, f: Callable[Concatenate[Request, _P], Awaitable[_R]]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, Union[_R, Response]]]: ...
    @overload
    def __call__(self, f: Callable[Concatenate[Request, _P], _R]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, Union[_R, Response]]]: ...
    @overload
    def fresh(self, f: Callable[Concatenate[Request, _P], Awaitable[_R]]
              ) -> Callable[Concatenate[Request, _P],
                            Coroutine[Any, Any, Union[_R, Response]]]: ...
    @overload
    def fresh(self, f: Callable[Concatenate[Request, _P], _R]
              ) -> Callable[Concatenate[Request, _P],
                            Coroutine[Any, Any, Union[_R, Response]]]: ...
