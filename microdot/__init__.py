from microdot.microdot import (  # noqa: F401
    __version__, Microdot, Request, Response, abort, redirect, send_file,
    URLPattern, AsyncBytesIO, iscoroutine,
)
