# Type stubs for microdot.utemplate (utemplate itself has no type hints).
from typing import Any, AsyncIterator, Callable, Iterator


# HTML-escape str(text).
def escape(text: object) -> str: ...


class Template:
    name: str
    # the compiled template: called with the render arguments, it gives a
    # generator of text chunks
    template: Callable[..., Iterator[str]]

    # loader_class: a utemplate loader such as utemplate.recompile.Loader
    # (the default) or utemplate.compiled.Loader.
    @classmethod
    def initialize(cls, template_dir: str = 'templates',
                   loader_class: Any = ...) -> None: ...
    def __init__(self, template: str) -> None: ...
    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]: ...
    def render(self, *args: Any, **kwargs: Any) -> str: ...
    def generate_async(self, *args: Any, **kwargs: Any) -> AsyncIterator[str]: ...
    async def render_async(self, *args: Any, **kwargs: Any) -> str: ...
