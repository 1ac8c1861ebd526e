# Type stubs for the package root: the core API re-exported.
from microdot.microdot import (
    AsyncBytesIO as AsyncBytesIO,
    Microdot as Microdot,
    Request as Request,
    Response as Response,
    URLPattern as URLPattern,
    __version__ as __version__,
    abort as abort,
    iscoroutine as iscoroutine,
    redirect as redirect,
    send_file as send_file,
)
