# Type stubs for microdot.jinja (CPython only).
from typing import Any, AsyncIterator, Iterator, Optional

import jinja2


class Template:
    # created by initialize()
    jinja_env: Optional[jinja2.Environment]
    name: str
    template: jinja2.Template

    # Other keyword arguments go to jinja2.Environment.
    @classmethod
    def initialize(cls, template_dir: str = 'templates',
                   enable_async: bool = False, **kwargs: Any) -> None: ...
    def __init__(self, template: str, **kwargs: Any) -> None: ...
    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]: ...
    def render(self, *args: Any, **kwargs: Any) -> str: ...
    # generate_async() and render_async() need enable_async=True.
    def generate_async(self, *args: Any, **kwargs: Any) -> AsyncIterator[str]: ...
    async def render_async(self, *args: Any, **kwargs: Any) -> str: ...
