# Only the core, frozen as the top-level module `microdot` (the same as
# copying microdot/microdot.py to a board), for boards too small for more.
# Chunked request bodies get 501 (microdot/_chunked.py is not frozen).
# Extensions cannot be added to such an image: they import the `microdot`
# package, and a frozen module shadows any microdot package in /lib.
module("microdot.py", base_path="../../microdot")
