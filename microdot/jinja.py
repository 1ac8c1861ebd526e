"""Templates rendered with Jinja2 (CPython only)."""
from jinja2 import Environment, FileSystemLoader, select_autoescape


class Template:
    """A Jinja2 template from the configured template folder."""

    #: The Jinja2 Environment, created by initialize().
    jinja_env = None

    @classmethod
    def initialize(cls, template_dir='templates', enable_async=False,
                   **kwargs):
        """Choose the template folder; `enable_async=True` enables
        render_async() and generate_async(). Other keyword arguments go to
        jinja2.Environment. HTML and XML templates are auto-escaped."""
        cls.jinja_env = Environment(
            loader=FileSystemLoader(template_dir),
            autoescape=select_autoescape(),
            enable_async=enable_async,
            **kwargs)

    def __init__(self, template, **kwargs):
        if self.jinja_env is None:
            self.initialize()
        self.name = template
        self.template = self.jinja_env.get_template(template, **kwargs)

    def generate(self, *args, **kwargs):
        """A generator of rendered chunks (a streaming response body)."""
        return self.template.generate(*args, **kwargs)

    def render(self, *args, **kwargs):
        return self.template.render(*args, **kwargs)

    def generate_async(self, *args, **kwargs):
        return self.template.generate_async(*args, **kwargs)

    async def render_async(self, *args, **kwargs):
        return await self.template.render_async(*args, **kwargs)
