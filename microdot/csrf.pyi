# Type stubs for microdot.csrf.
from typing import Any, Callable, List, Optional, TypeVar

from microdot.cors import CORS
from microdot.microdot import Microdot

_F = TypeVar('_F', bound=Callable[..., Any])


class CSRF:
    SAFE_METHODS: List[str]
    cors: Optional[CORS]
    protect_all: bool
    allow_subdomains: bool
    exempt_routes: List[Callable[..., Any]]
    protected_routes: List[Callable[..., Any]]

    def __init__(self, app: Optional[Microdot] = None,
                 cors: Optional[CORS] = None, protect_all: bool = True,
                 allow_subdomains: bool = False) -> None: ...
    def initialize(self, app: Microdot, cors: Optional[CORS] = None) -> None: ...
    # Decorators, placed directly under the route decorator.
    def exempt(self, f: _F) -> _F: ...
    def protect(self, f: _F) -> _F: ...
