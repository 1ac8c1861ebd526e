"""Templates rendered with utemplate (runs on MicroPython and CPython).

utemplate compiles each template to a Python module: the default recompile
loader writes it next to the template (`page.html` -> `page_html.py`) and
imports it, so the template folder must be importable (a path relative to
the current directory, which is on sys.path) and writable. On a read-only
filesystem or in frozen firmware, compile ahead and use
`Template.initialize(loader_class=utemplate.compiled.Loader)`."""
from utemplate import recompile

_loader = None


def escape(text):
    """Make text safe to put into HTML: utemplate does not escape what
    templates print, so escape values that come from users."""
    return str(text).replace('&', '&amp;').replace('<', '&lt;').replace(
        '>', '&gt;').replace('"', '&quot;').replace("'", '&#x27;')


class _AsyncChunks:
    """An async iterator over a template's sync generator, so it can be a
    streaming response body where async generators do not exist."""

    def __init__(self, generator):
        self.generator = generator

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return next(self.generator)
        except StopIteration:
            raise StopAsyncIteration

    async def aclose(self):
        self.generator.close()


class Template:
    """A template file, loaded (and compiled when needed) on creation."""

    @classmethod
    def initialize(cls, template_dir='templates',
                   loader_class=recompile.Loader):
        """Choose the template folder and loader (once per process)."""
        global _loader
        _loader = loader_class(None, template_dir)

    def __init__(self, template):
        if _loader is None:
            self.initialize()
        self.name = template
        self.template = _loader.load(template)

    def generate(self, *args, **kwargs):
        """A generator of the rendered text in chunks (stream it by
        returning it from a route)."""
        return self.template(*args, **kwargs)

    def render(self, *args, **kwargs):
        return ''.join(self.generate(*args, **kwargs))

    def generate_async(self, *args, **kwargs):
        return _AsyncChunks(self.generate(*args, **kwargs))

    async def render_async(self, *args, **kwargs):
        chunks = []
        async for chunk in self.generate_async(*args, **kwargs):
            chunks.append(chunk)
        return ''.join(chunks)
