"""Survival under bursts on the MicroPython unix runtime (packages as .mpy),
ours against upstream: a fresh server per trial, TRIALS trials per heap.

A trial: SEQUENTIAL requests in a row (the four workloads in turn, a new
connection each), then BURSTS bursts of BURST connections opened at once,
each sending `GET /` as it opens (client timeout 12 s), then one more
`GET /`. The server died if its process ended; the figures are deaths per
heap and the share of burst requests answered.

Usage (standalone): .venv-bench/bin/python bench/survival.py [--trials N]
"""
import argparse
import selectors
import socket
import time

from loadgen import WORKLOADS, Client
from servers import micropython_servers

HEAPS = ('100k', '160k', '320k')
GOALS = {'100k': 80, '160k': 95, '320k': 95}  # % of burst requests answered
TRIALS = 3
SEQUENTIAL = 2000
BURSTS = 2
BURST = 200
TIMEOUT = 12


def burst(port):
    """The answered flags of one burst: BURST connections started at once
    (non-blocking connects), each sending `GET /` once connected, all read
    until the server closes them or TIMEOUT passes."""
    selector = selectors.DefaultSelector()
    answered = []
    for _ in range(BURST):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(('127.0.0.1', port))
        selector.register(s, selectors.EVENT_WRITE, [b'', False])
    deadline = time.monotonic() + TIMEOUT
    while selector.get_map() and time.monotonic() < deadline:
        for key, events in selector.select(0.1):
            s, state = key.fileobj, key.data
            try:
                if events & selectors.EVENT_WRITE:
                    s.send(b'GET / HTTP/1.0\r\n\r\n')
                    selector.modify(s, selectors.EVENT_READ, state)
                    continue
                chunk = s.recv(4096)
            except OSError:
                chunk = b''
            if chunk:
                state[0] += chunk
                continue
            selector.unregister(s)
            s.close()
            answered.append(state[0].endswith(WORKLOADS[0].expected))
    for key in list(selector.get_map().values()):
        key.fileobj.close()
        answered.append(False)
    selector.close()
    return answered


def trial(server, heapsize):
    """{'died': bool, 'sequential_failed': n, 'answered': n, 'sent': n}."""
    result = {'died': False, 'sequential_failed': 0, 'answered': 0,
              'sent': 0}
    if not server.start(heapsize=heapsize, timeout=10):
        server.stop()
        result['died'] = True
        return result
    try:
        client = Client(server.port, keep_alive=False)
        for i in range(SEQUENTIAL):
            workload = WORKLOADS[i % len(WORKLOADS)]
            try:
                status, body = client.request(workload)
                ok = status == 200 and workload.matches(body)
            except (OSError, ValueError):
                ok = False
            result['sequential_failed'] += not ok
        client.close()
        for _ in range(BURSTS):
            answered = burst(server.port)
            result['sent'] += len(answered)
            result['answered'] += answered.count(True)
        try:
            status, _ = Client(server.port, False, TIMEOUT).request(
                WORKLOADS[0])
        except (OSError, ValueError):
            status = None
        result['died'] = server.proc.poll() is not None or status != 200
    finally:
        server.stop()
    return result


def measure(names=('ours', 'upstream'), trials=TRIALS):
    """{name: {heap: {'deaths': n, 'trials': n, 'answered_pct': x,
    'sequential_failed': n}}}."""
    results = {}
    for server in micropython_servers(compiled=True):
        if server.name not in names:
            continue
        per_heap = {}
        for heapsize in HEAPS:
            runs = [trial(server, heapsize) for _ in range(trials)]
            sent = sum(r['sent'] for r in runs)
            per_heap[heapsize] = {
                'trials': trials,
                'deaths': sum(r['died'] for r in runs),
                'answered_pct': round(100.0 * sum(r['answered'] for r in runs)
                                      / sent, 1) if sent else 0.0,
                'sequential_failed': sum(r['sequential_failed']
                                         for r in runs)}
            print('  %s at %s: %s' % (server.name, heapsize,
                                      per_heap[heapsize]), flush=True)
        results[server.name] = per_heap
    return results


def lines(results, trials=TRIALS):
    """The Markdown table of the results."""
    out = ['## Survival under bursts (MicroPython, .mpy)', '',
           '%d trials per heap, a fresh server each: %d sequential requests, '
           'then %d bursts of %d connections opened at once (client timeout '
           '%d s), then `GET /`. Deaths: the process ended or stopped '
           'answering.' % (trials, SEQUENTIAL, BURSTS, BURST, TIMEOUT), '',
           '| server | heap | deaths | burst requests answered | sequential '
           'requests failed |', '|---|---|---:|---:|---:|']
    for name, per_heap in results.items():
        for heapsize, r in per_heap.items():
            out.append('| %s | %s | %d of %d | %.1f %% | %d |' % (
                name, heapsize, r['deaths'], r['trials'], r['answered_pct'],
                r['sequential_failed']))
    if 'ours' in results:
        out += ['', 'Goal (issue 12): no death at any heap, at least %s of the '
                'burst requests answered: **%s**.' % (
                    ', '.join('%d %% at %s' % (GOALS[h], h) for h in HEAPS),
                    'met' if goal_met(results['ours']) else 'not met')]
    return out


def goal_met(per_heap):
    return all(r['deaths'] == 0 and r['answered_pct'] >= GOALS[heapsize]
               for heapsize, r in per_heap.items())


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--trials', type=int, default=TRIALS)
    parser.add_argument('--only', default='ours,upstream')
    args = parser.parse_args()
    print('\n'.join(lines(measure(args.only.split(','), args.trials),
                         args.trials)))
