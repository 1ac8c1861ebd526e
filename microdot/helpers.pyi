# Type stubs for microdot.helpers: on CPython `wraps` is functools.wraps
# (MicroPython's stand-in copies no metadata).
from functools import wraps as wraps
