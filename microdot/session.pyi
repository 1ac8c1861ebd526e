# Type stubs for microdot.session.
from typing import (Any, Awaitable, Callable, Coroutine, Dict, Mapping,
                    Optional, Tuple, TypeVar, Union, overload)

from typing_extensions import Concatenate, ParamSpec

from microdot.microdot import Microdot, Request

_P = ParamSpec('_P')
_R = TypeVar('_R')

# the README's sample keys: using one prints a warning
SAMPLE_KEYS: Tuple[bytes, ...]


class SessionDict(Dict[str, Any]):
    """The session of one request: a dict with save() and delete()."""
    request: Request
    def __init__(self, request: Request,
                 session_dict: Mapping[str, Any]) -> None: ...
    def save(self) -> None: ...
    def delete(self) -> None: ...


class Session:
    secret_key: Union[str, bytes, None]
    # tokens that expire are refused while the clock reads before this
    # (seconds since 1970); 0 trusts any clock
    min_time: int
    # set_cookie() options: path, domain, secure, http_only, samesite...
    cookie_options: Dict[str, Any]
    max_age: Optional[int]
    cookie_name: str

    def __init__(self, app: Optional[Microdot] = None,
                 secret_key: Union[str, bytes, None] = None,
                 cookie_options: Optional[Dict[str, Any]] = None,
                 max_age: Optional[int] = None,
                 cookie_name: str = 'session') -> None: ...
    def initialize(self, app: Microdot,
                   secret_key: Union[str, bytes, None] = None,
                   cookie_options: Optional[Dict[str, Any]] = None,
                   max_age: Optional[int] = None,
                   cookie_name: Optional[str] = None) -> None: ...
    def get(self, request: Request) -> SessionDict: ...
    def update(self, request: Request, session: Dict[str, Any]) -> None: ...
    def delete(self, request: Request) -> None: ...
    # typ: the kind of token, checked by decode() (the session cookie is
    # 'session', "remember me" 'remember')
    def encode(self, payload: Dict[str, Any],
               secret_key: Union[str, bytes, None] = None,
               typ: str = 'JWT') -> str: ...
    # An invalid, expired, tampered or other-typed token gives an empty dict.
    def decode(self, session: Union[str, bytes],
               secret_key: Union[str, bytes, None] = None,
               typ: str = 'JWT') -> Dict[str, Any]: ...
    def cookie_settings(self, request: Request) -> Dict[str, Any]: ...


# The route gets the session as its second argument.
@overload
def with_session(f: Callable[Concatenate[Request, SessionDict, _P], Awaitable[_R]]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, _R]]: ...
@overload
def with_session(f: Callable[Concatenate[Request, SessionDict, _P], _R]
                 ) -> Callable[Concatenate[Request, _P],
                               Coroutine[Any, Any, _R]]: ...
