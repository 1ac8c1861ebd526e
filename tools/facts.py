"""Facts several tools need, each read from the one file that sets it:

  the pinned versions and the default board heap: the head of the Makefile
  the package version: __version__ in microdot/microdot.py
  the modules that run on CPython only: manifests/cpython_only.txt (the
      firmware manifest reads it too)

The Python packages are pinned in requirements/*.txt alone.
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKEFILE = os.path.join(ROOT, 'Makefile')
CORE_MODULE = os.path.join(ROOT, 'microdot', 'microdot.py')
CPYTHON_ONLY_LIST = os.path.join(ROOT, 'manifests', 'cpython_only.txt')


def makefile_values(path=MAKEFILE):
    """The `NAME := value` and `NAME ?= value` lines of a Makefile, with
    $(NAME) references to earlier ones expanded."""
    values = {}
    with open(path) as f:
        for line in f:
            match = re.match(r'([A-Z][A-Z0-9_]*)\s*[:?]=\s*(.*?)\s*$', line)
            if match and '$(shell' not in match.group(2):
                values[match.group(1)] = re.sub(
                    r'\$\((\w+)\)', lambda m: values.get(m.group(1), ''),
                    match.group(2))
    return values


_PINS = makefile_values()
MICROPYTHON_TAG = _PINS['MICROPYTHON_TAG']
MICROPYTHON_VERSION = MICROPYTHON_TAG.lstrip('v')
MICROPYTHON_GIT_URL = _PINS['MPY_GIT_URL']
IDF_VERSION = _PINS['IDF_VERSION']
IDF_DOCKER_IMAGE = _PINS['IDF_DOCKER_IMAGE']
PICOTOOL_VERSION = _PINS['PICOTOOL_VERSION']
PICOTOOL_GIT_URL = _PINS['PICOTOOL_GIT_URL']
# -X heapsize for a board-sized unix runtime: 64-bit objects take about
# twice a 32-bit board's RAM, so this is roughly an ESP32's 100 KB.
BOARD_HEAP = _PINS['BOARD_HEAP']


class MissingFact(Exception):
    pass


def package_version():
    with open(CORE_MODULE) as f:
        match = re.search(r"^__version__ = '([^']+)'", f.read(), re.M)
    if not match:
        raise MissingFact('no __version__ in microdot/microdot.py')
    return match.group(1)


def cpython_only_modules():
    """The modules of microdot/ that need CPython: no firmware freezes them
    and no mip package installs them."""
    with open(CPYTHON_ONLY_LIST) as f:
        return [line.split('#', 1)[0].strip() for line in f
                if line.split('#', 1)[0].strip()]
