"""Heap measurement mode of the MicroPython-capable apps (ours, upstream, bare).

An app started with `--measure WARMUP COUNT` after its port calls `tick()` at
the start of every request handler. At request number WARMUP the probe
collects garbage, switches the automatic GC off and notes the heap figures;
COUNT requests later it prints one line, for bench/mpmem.py to read:

    ALLOC <heap bytes per request> <micropython.mem_total() bytes per request>

The first figure is the growth of gc.mem_alloc() (what the GC later has to
reclaim), the second the bytes requested from the allocator in total
(including blocks freed or grown in place). Both cover whole request cycles:
accepting the connection, parsing, routing, the handler and the response.
"""
import gc
import sys

try:
    import micropython
    mem_total = micropython.mem_total
except (ImportError, AttributeError):
    mem_total = None


class Probe:
    def __init__(self, warmup, count):
        self.warmup = warmup
        self.count = count
        self.seen = 0
        self.alloc_start = 0
        self.total_start = 0

    def tick(self):
        self.seen += 1
        if self.seen == self.warmup:
            gc.collect()
            gc.disable()
            self.alloc_start = gc.mem_alloc()
            self.total_start = mem_total() if mem_total else 0
        elif self.seen == self.warmup + self.count:
            alloc = gc.mem_alloc() - self.alloc_start
            total = mem_total() - self.total_start if mem_total else 0
            gc.enable()
            print('ALLOC', alloc // self.count, total // self.count)


def probe_from_argv():
    """The Probe asked for by `--measure WARMUP COUNT`, or None."""
    if '--measure' not in sys.argv:
        return None
    i = sys.argv.index('--measure')
    return Probe(int(sys.argv[i + 1]), int(sys.argv[i + 2]))
