"""Which functions of our core allocate the heap per request on MicroPython.

Runs bench/apps/mpalloc_app.py (our app with every core function wrapped to
count gc.mem_alloc() growth) on the MicroPython unix runtime, sends WARMUP +
COUNT sequential requests of one workload, and prints per request: the
functions by own bytes (inclusive minus wrapped callees), with calls and
inclusive bytes. The wrappers' own cost is calibrated and left out, but the
instrumented total is still a little above the plain one (bench/mpmem.py).

Usage: .venv-bench/bin/python bench/mpalloc.py [--workload LABEL]
           [--keep-alive] [--top N]
"""
import argparse

from loadgen import WORKLOADS, Client
from servers import MICROPYTHON, ROOT, Server, app

WARMUP = 20
COUNT = 100


def measure(workload, keep_alive):
    """({function: (calls, inclusive, own)} per request, total per request)."""
    server = Server('ours', 'MicroPython',
                    lambda p: [MICROPYTHON, app('mpalloc_app.py'), str(p)],
                    {'MICROPYPATH': ROOT + ':.frozen'})
    if not server.start(['--measure', str(WARMUP), str(COUNT)], heapsize='32m'):
        raise SystemExit('mpalloc: server did not start:\n' + server.stop())
    client = Client(server.port, keep_alive)
    try:
        for _ in range(WARMUP + COUNT):
            client.request(workload)
    finally:
        client.close()
        output = server.stop()
    functions, total = {}, None
    for line in output.splitlines():
        if line.startswith('FN '):
            name, calls, inclusive, own = line[3:].rsplit(None, 3)
            functions[name] = (int(calls) / COUNT, int(inclusive) / COUNT,
                               int(own) / COUNT)
        elif line.startswith('ALLOC '):
            total = int(line.split()[1])
    if total is None:
        raise SystemExit('mpalloc: no figures from the server:\n' + output[-3000:])
    return functions, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workload', default='GET /',
                        choices=[w.label for w in WORKLOADS])
    parser.add_argument('--keep-alive', action='store_true')
    parser.add_argument('--top', type=int, default=25)
    args = parser.parse_args()
    workload = next(w for w in WORKLOADS if w.label == args.workload)
    functions, total = measure(workload, args.keep_alive)
    print('%s, %s: %d bytes of heap per request (instrumented)' % (
        workload.label, 'keep-alive' if args.keep_alive else 'new connection', total))
    print('%8s %8s %6s  %s' % ('own B', 'incl. B', 'calls', 'function'))
    ranked = sorted(functions.items(), key=lambda item: -item[1][2])
    for name, (calls, inclusive, own) in ranked[:args.top]:
        print('%8.0f %8.0f %6.1f  %s' % (own, inclusive, calls, name))


if __name__ == '__main__':
    main()
