# Helpers shared by the test modules; portable to MicroPython.
import sys
import time
import asyncio

MICROPYTHON = sys.implementation.name == 'micropython'
CPYTHON = not MICROPYTHON
TESTS_DIR = __file__.rsplit('/', 1)[0] if '/' in __file__ else '.'
FILES_DIR = TESTS_DIR + '/files'

try:
    import socket
    HAS_SOCKETS = hasattr(socket, 'socket')
except ImportError:
    HAS_SOCKETS = False

try:
    import _thread  # noqa: F401
    HAS_THREADS = True
except ImportError:
    HAS_THREADS = False

HAS_CLOCK = hasattr(time, 'time')  # the qemu port has no clock

try:
    import os
    os.stat(TESTS_DIR)
    HAS_FILESYSTEM = True
except (ImportError, OSError):
    HAS_FILESYSTEM = False


def run(coro):
    """Run a coroutine to completion on a fresh event loop."""
    return asyncio.run(coro)


def async_test(f):
    """Decorator for test methods written as coroutines."""
    def wrapper(self):
        return run(f(self))
    return wrapper


# After every Session.min_time: tokens that expire are checked against it.
SET_CLOCK = 1800000000


def set_clock(f):
    """Decorator for tests of tokens that expire: microdot's token clock
    reads SET_CLOCK while the test runs. A board whose clock was never set
    (a Pico or an ESP32 after power-up reads 2021 or 2000) refuses such
    tokens by design."""
    def wrapper(self):
        from microdot import _jwt
        saved = _jwt.now
        _jwt.now = lambda: SET_CLOCK
        try:
            return f(self)
        finally:
            _jwt.now = saved
    return wrapper
