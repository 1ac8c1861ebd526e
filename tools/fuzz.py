#!/usr/bin/env python3
"""Fuzz every parser of untrusted input (tools/fuzz_targets.py) with the
seeded mutation engine of tools/fuzz_engine.py: the corpus runs on CPython,
then the same corpus is replayed on the MicroPython unix runtime with the
package compiled to .mpy, as on a board. Any exception a target does not
document is a crash: listed, saved to .build/fuzz/crashes.txt, exit 1.

Profiles: full (`make fuzz`: 1,000,000 inputs, replayed in full on
MicroPython) and ci (20,000 inputs, tests/host/test_fuzz.py).

Usage: tools/fuzz.py [--profile full|ci] [--seed N] [-j N] [--targets a,b]
       tools/fuzz.py --show TARGET:N    (one input: its bytes, and the
                                         outcome on both runtimes)
"""
import argparse
import binascii
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
import warnings

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path[:0] = [ROOT, TOOLS]

import fuzz_engine  # noqa: E402
from hosttools import find_tool  # noqa: E402
from mpytest import compile_package  # noqa: E402

BUILD = os.path.join(ROOT, '.build', 'fuzz')
PROFILES = {'full': 1000000, 'ci': 20000}
SLICE = 10000  # inputs per CPython task
MPY_SLICE = 50000  # inputs per MicroPython process
SLICE_TIMEOUT = 120  # seconds: a slice still running is hung


class Hang(Exception):
    """Raised in whatever input is running when a slice overruns."""


def _on_alarm(signum, frame):
    raise Hang('no answer after %ds' % SLICE_TIMEOUT)


def _targets():
    from fuzz_targets import TARGETS
    return {t.name: t for t in TARGETS}


def cpython_slice(name, seed, start, count):
    # mutated app patterns make re warn about sets it may read differently
    warnings.simplefilter('ignore', FutureWarning)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(SLICE_TIMEOUT)
    try:
        return fuzz_engine.run_slice(_targets()[name], seed, start, count)
    finally:
        signal.alarm(0)


def slices(plan, size):
    for name, count in plan:
        for start in range(0, count, size):
            yield name, start, min(size, count - start)


def run_cpython(plan, seed, jobs):
    results = []
    with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(cpython_slice, name, seed, start, count)
                   for name, start, count in slices(plan, SLICE)]
        for future in futures:
            results.append(future.result())
    return results


def micropython_env():
    """MICROPYPATH for the runtime: the package compiled to .mpy, and the
    fuzzing tools from source."""
    compiled = os.path.join(BUILD, 'mpy')
    compile_package(compiled)
    return dict(os.environ, MICROPYPATH=':'.join([compiled, TOOLS,
                                                  '.frozen']))


def mpy_process(micropython, env, seed, specs):
    cmd = [micropython, os.path.join(TOOLS, 'fuzz_engine.py'), str(seed)]
    cmd += ['%s:%d:%d' % spec for spec in specs]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                              timeout=SLICE_TIMEOUT * 5)
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        out = 'timed out'
    results = [json.loads(line[len('FUZZRESULT '):])
               for line in out.splitlines()
               if line.startswith('FUZZRESULT ')]
    done = {(r['target'], r['start']) for r in results}
    for name, start, count in specs:
        if (name, start) not in done:  # the process died or hung in it
            results.append({'target': name, 'start': start, 'count': count,
                            'crashes': [{'key': 'micropython process failed',
                                         'type': 'ProcessFailed',
                                         'message': out[-300:],
                                         'trace': out[-3000:], 'count': 1,
                                         'inputs': []}]})
    return results


def run_micropython(plan, seed, jobs):
    micropython = find_tool('micropython')
    if not micropython:
        sys.exit('fuzz: the micropython runtime is missing: run `make venv`')
    env = micropython_env()
    groups, group, size = [], [], 0
    for spec in slices(plan, SLICE):
        group.append(spec)
        size += spec[2]
        if size >= MPY_SLICE:
            groups.append(group)
            group, size = [], 0
    if group:
        groups.append(group)
    results = []
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for found in pool.map(lambda g: mpy_process(micropython, env, seed,
                                                    g), groups):
            results.extend(found)
    return results


def summarize(runtime, results, figures):
    crashes = []
    for r in results:
        row = figures.setdefault(r['target'], {})
        row[runtime] = row.get(runtime, 0) + r['count']
        for crash in r['crashes']:
            crash = dict(crash, runtime=runtime, target=r['target'])
            crashes.append(crash)
    return crashes


def merge(crashes):
    """One entry per (runtime, target, type and place)."""
    merged = {}
    for c in crashes:
        key = (c['runtime'], c['target'], c['key'])
        if key in merged:
            merged[key]['count'] += c['count']
            merged[key]['inputs'] = (merged[key]['inputs'] + c['inputs'])[:5]
        else:
            merged[key] = c
    return list(merged.values())


def open_finding(crash):
    """The entry of OPEN_FINDINGS a crash is, or None."""
    from fuzz_targets import OPEN_FINDINGS
    kind, _, where = crash['key'].partition(' at ')
    module = where.split(':')[0]
    function = where.rpartition(' in ')[2]
    for finding in OPEN_FINDINGS:
        if finding[:5] == (crash['runtime'], crash['target'], kind, module,
                           function):
            return finding
    return None


def report(crashes, seed):
    os.makedirs(BUILD, exist_ok=True)
    path = os.path.join(BUILD, 'crashes.txt')
    with open(path, 'w') as f:
        for c in crashes:
            f.write('=== %s %s: %s (%d inputs)\n' % (
                c['runtime'], c['target'], c['key'], c['count']))
            for n, data in c['inputs']:
                f.write('input %d (tools/fuzz.py --seed %d --show %s:%d): '
                        '%r\n' % (n, seed, c['target'], n,
                                  binascii.unhexlify(data)))
            f.write(c['trace'] + '\n')
    new = []
    seen = set()
    for c in crashes:
        finding = open_finding(c)
        first = c['inputs'][0][0] if c['inputs'] else '?'
        print('%s %s %s: %s: %s (%d inputs; first: --show %s:%s)' % (
            'OPEN' if finding else 'CRASH', c['runtime'], c['target'],
            c['key'], c['message'][:120], c['count'], c['target'], first))
        if finding:
            seen.add(finding)
        else:
            new.append(c)
    from fuzz_targets import OPEN_FINDINGS
    for finding in OPEN_FINDINGS:
        if finding not in seen:
            print('fuzz: open finding no longer seen (fixed? remove it from '
                  'OPEN_FINDINGS): %s' % (finding,))
    if crashes:
        print('fuzz: details in %s' % os.path.relpath(path))
    return new


def show(spec, seed):
    name, n = spec.split(':')
    target = _targets()[name]
    data = fuzz_engine.generate(target, seed, int(n))
    print('input %s: %r' % (spec, data))
    found = fuzz_engine.check(target, data, int(n) < len(target.seeds))
    print('cpython: ' + ('ok' if found is None else found[2]))
    for r in mpy_process(find_tool('micropython'), micropython_env(), seed,
                         [(name, int(n), 1)]):
        print('micropython: ' + (r['crashes'][0]['trace'] if r['crashes']
                                 else 'ok'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--profile', choices=PROFILES, default='full')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('-j', '--jobs', type=int, default=2)
    parser.add_argument('--targets', help='comma-separated target names')
    parser.add_argument('--show', metavar='TARGET:N')
    args = parser.parse_args()
    if args.show:
        show(args.show, args.seed)
        return 0
    targets = _targets()
    names = args.targets.split(',') if args.targets else list(targets)
    unknown = [n for n in names if n not in targets]
    if unknown:
        sys.exit('fuzz: no target %s (targets: %s)' % (
            ', '.join(unknown), ', '.join(targets)))
    per_target = -(-PROFILES[args.profile] // len(names))
    plan = [(name, per_target) for name in names]
    figures, crashes, times = {}, [], {}
    for runtime, run in (('cpython', run_cpython),
                         ('micropython', run_micropython)):
        start = time.time()
        crashes += summarize(runtime, run(plan, args.seed, args.jobs),
                             figures)
        times[runtime] = time.time() - start
    crashes = merge(crashes)
    print('%-11s %10s %12s  crashes  documented refusals' % (
        'target', 'cpython', 'micropython'))
    for name in names:
        row = figures[name]
        found = sum(c['count'] for c in crashes if c['target'] == name)
        print('%-11s %10d %12d  %7d  %s' % (name, row['cpython'],
                                             row['micropython'], found,
                                             targets[name].why))
    total = sum(r['cpython'] for r in figures.values())
    print('fuzz: %d inputs per runtime (seed %d): cpython %.0fs, '
          'micropython %.0fs, %d jobs' % (total, args.seed, times['cpython'],
                                          times['micropython'], args.jobs))
    new = report(crashes, args.seed)
    print('fuzz: %d crash%s, %d open finding%s' % (
        len(new), '' if len(new) == 1 else 'es', len(crashes) - len(new),
        '' if len(crashes) - len(new) == 1 else 's'))
    return 1 if new else 0


if __name__ == '__main__':
    sys.exit(main())
