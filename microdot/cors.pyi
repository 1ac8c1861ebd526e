# Type stubs for microdot.cors.
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Union

from microdot.microdot import Microdot, Request, Response


class CORS:
    # None (no other origin), '*' (any) or a list of origins
    allowed_origins: Union[str, Sequence[str], None]
    allow_credentials: bool
    allowed_methods: Optional[Sequence[str]]
    expose_headers: Optional[Sequence[str]]
    # lower-cased
    allowed_headers: Optional[List[str]]
    max_age: Optional[int]
    # the app's options handler before initialize() replaced it
    default_options_handler: Optional[Callable[[Request], Dict[str, str]]]

    def __init__(self, app: Optional[Microdot] = None,
                 allowed_origins: Union[str, Sequence[str], None] = None,
                 allow_credentials: bool = False,
                 allowed_methods: Optional[Sequence[str]] = None,
                 expose_headers: Optional[Sequence[str]] = None,
                 allowed_headers: Optional[Iterable[str]] = None,
                 max_age: Optional[int] = None,
                 handle_cors: bool = True) -> None: ...
    def initialize(self, app: Microdot, handle_cors: bool = True) -> None: ...
    def options_handler(self, request: Request) -> Dict[str, str]: ...
    def get_cors_headers(self, request: Request) -> Dict[str, str]: ...
    def after_request(self, request: Optional[Request],
                      response: Response) -> None: ...
