# The whole microdot package (every module in microdot/ except those that
# only work on CPython, listed in ../cpython_only.txt) plus the template
# engine microdot.utemplate uses. Paths are relative to this file.
import os

with open("../cpython_only.txt") as f:
    names = (line.split("#", 1)[0].strip() for line in f)
    CPYTHON_ONLY = [name + ".py" for name in names if name]

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
