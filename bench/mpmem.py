"""MicroPython heap measurements of ours, upstream and the bare server.

- heap retained by `import microdot`, from source and from .mpy (mpy-cross),
  after collecting garbage, with asyncio and json imported beforehand (any
  server needs them, the bare one included); for ours also frozen into the
  unix firmware image, when `make` has built one (firmware/UNIX/; it may be
  older than the source);
- heap allocated per request, per workload, with a new connection per request
  and with keep-alive: the server runs in its `--measure` mode (see
  bench/apps/probe.py), which reports the growth of gc.mem_alloc() with the
  GC off over COUNT requests, and micropython.mem_total() alongside;
- the smallest `-X heapsize` (2 KiB steps, by bisection) at which the server,
  imported from .mpy, answers 2,000 sequential requests (the four workloads
  in turn, a new connection each) without a single failure;
- the smallest `-X heapsize` (4 KiB steps) at which `import microdot` from
  .py source succeeds: the compiler's peak, what a `mip install` of source
  needs on a board.

Usage (standalone): .venv-bench/bin/python bench/mpmem.py
"""
import glob
import os
import subprocess

from loadgen import WORKLOADS, Client
from servers import APPS, MICROPYTHON, ROOT, micropython_path, micropython_servers

WARMUP = 20
COUNT = 200
SERVED = 2000
IMPORT_SCRIPT = ('import gc, asyncio, json\n'
                 'gc.collect()\n'
                 'before = gc.mem_alloc()\n'
                 'import microdot\n'
                 'gc.collect()\n'
                 'print(gc.mem_alloc() - before)\n')


def import_retained(framework, compiled, runtime=MICROPYTHON):
    """Bytes of heap kept after `import microdot`, or None on failure."""
    path = micropython_path(framework, compiled) if framework else '.frozen'
    res = subprocess.run([runtime, '-c', IMPORT_SCRIPT], env={'MICROPYPATH': path},
                         cwd=APPS, capture_output=True, text=True, timeout=30)
    try:
        return int(res.stdout.split()[-1])
    except (IndexError, ValueError):
        return None


def smallest_source_import_heap(framework, low=32, high=512):
    """Smallest heap in KiB (4 KiB steps) that imports framework's microdot
    from .py source; None if even `high` does not."""
    path = micropython_path(framework, False)

    def imports(kib):
        return subprocess.run(
            [MICROPYTHON, '-X', 'heapsize=%dk' % kib, '-c',
             'import asyncio, json, microdot'], env={'MICROPYPATH': path},
            cwd=APPS, capture_output=True, timeout=60).returncode == 0
    return smallest(imports, low, high, 4)


def frozen_image():
    """Our unix firmware image (microdot frozen in), if `make` built one."""
    images = glob.glob(os.path.join(ROOT, 'firmware', 'UNIX', 'microdot-*-UNIX-mp*'))
    return images[0] if images else None


def alloc_per_request(server, workload, keep_alive):
    """(gc.mem_alloc growth, mem_total growth) per request, or None."""
    if not server.start(['--measure', str(WARMUP), str(COUNT)], heapsize='16m'):
        return None
    client = Client(server.port, keep_alive)
    try:
        for _ in range(WARMUP + COUNT):
            client.request(workload)
    except (OSError, ValueError):
        pass
    client.close()
    output = server.stop()
    for line in output.splitlines():
        if line.startswith('ALLOC '):
            alloc, total = line.split()[1:3]
            return int(alloc), int(total)
    return None


def serves_all(server, heapsize):
    """True if the server answers SERVED requests with -X heapsize."""
    if not server.start(heapsize=heapsize, timeout=10):
        return False
    client = Client(server.port, keep_alive=False)
    try:
        for i in range(SERVED):
            workload = WORKLOADS[i % len(WORKLOADS)]
            status, body = client.request(workload)
            if status != 200 or not workload.matches(body):
                return False
        return True
    except (OSError, ValueError):
        return False
    finally:
        client.close()
        server.stop()


def smallest(works, low, high, step):
    """The smallest heap in KiB, a multiple of step between low and high, for
    which works(kib) holds (by bisection); None if even high does not."""
    if not works(high):
        return None
    while high - low > step:
        middle = (low + high) // (2 * step) * step
        if works(middle):
            high = middle
        else:
            low = middle
    return high


def smallest_heap(server, low=8, high=128):
    """Smallest heap in KiB (2 KiB steps) that serves SERVED requests; None if
    even `high` does not."""
    return smallest(lambda kib: serves_all(server, '%dk' % kib), low, high, 2)


def measure_all(names=('ours', 'upstream', 'bare')):
    """All the figures, as a dict keyed by server name."""
    results = {}
    for server in micropython_servers(compiled=True):
        if server.name not in names:
            continue
        figures = {}
        if server.name != 'bare':
            figures['import_py'] = import_retained(server.name, False)
            figures['import_mpy'] = import_retained(server.name, True)
            figures['source_import_heap_kib'] = smallest_source_import_heap(
                server.name)
        if server.name == 'ours' and frozen_image():
            figures['import_frozen'] = import_retained(None, True, frozen_image())
        figures['alloc'] = {}
        for workload in WORKLOADS:
            for keep_alive in (False, True):
                mode = 'keep-alive' if keep_alive else 'close'
                figures['alloc'][workload.label, mode] = alloc_per_request(
                    server, workload, keep_alive)
        figures['min_heap_kib'] = smallest_heap(server)
        print('  %s: %s' % (server.name, figures), flush=True)
        results[server.name] = figures
    return results


if __name__ == '__main__':
    measure_all()
