# The whole microdot package (every module in microdot/ except those that
# only work on CPython) plus the template engine microdot.utemplate uses.
# Paths are relative to this file.
import os

CPYTHON_ONLY = ("asgi.py", "jinja.py", "wsgi.py")

package(
    "microdot",
    files=sorted(
        name
        for name in os.listdir("../../microdot")
        if name.endswith(".py") and name not in CPYTHON_ONLY
    ),
    base_path="../..",
)
include("../utemplate")
