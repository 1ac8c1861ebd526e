#!/usr/bin/env python3
"""Fuzz every parser of untrusted input (tools/fuzz_targets.py) on CPython
and MicroPython. Three passes: coverage-guided atheris on CPython (when it
is installed: requirements/fuzz.txt), the seeded corpus of
tools/fuzz_engine.py on CPython, then that corpus and every input atheris
kept replayed on the MicroPython unix runtime with the package compiled to
.mpy, as on a board. Any exception a target does not document is a crash:
listed, saved to .build/fuzz/PROFILE/crashes.txt, exit 1.

Profiles: full (`make fuzz`: 1,000,000 inputs per pass) and ci (20,000
seeded inputs per runtime, no atheris: tests/host/test_fuzz.py).

Usage: tools/fuzz.py [--profile full|ci] [--seed N] [-j N] [--targets a,b]
                     [--no-atheris]
       tools/fuzz.py --show TARGET:N    (one seeded input: its bytes, and
                                         the outcome on both runtimes)
"""
import argparse
import binascii
import concurrent.futures
import json
import os
import re
import shutil
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
from runner_protocol import compile_package  # noqa: E402

BUILD = os.path.join(ROOT, '.build', 'fuzz')  # + the profile, in main()
PROFILES = {'full': 1000000, 'ci': 20000}
SLICE = 10000  # seeded inputs per CPython task
MPY_SLICE = 50000  # seeded inputs per MicroPython process
SLICE_TIMEOUT = 120  # seconds: a slice still running is hung


class Hang(Exception):
    """Raised in whatever input is running when a slice overruns."""


def _on_alarm(signum, frame):
    raise Hang('no answer after %ds' % SLICE_TIMEOUT)


def _targets():
    from fuzz_targets import TARGETS
    return {t.name: t for t in TARGETS}


def failed(target, start, count, kind, out):
    """The result of a slice whose process died, hung or stopped."""
    return {'target': target, 'start': start, 'count': count,
            'crashes': [{'key': kind, 'type': kind, 'message': out[-300:],
                         'trace': out[-3000:], 'count': 1, 'inputs': []}]}


# ---- atheris: coverage-guided, CPython ----

def have_atheris():
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def libfuzzer_dict(tokens):
    """Tokens in libFuzzer's dictionary format."""
    lines = []
    for token in tokens:
        text = ''.join(chr(b) if 32 <= b < 127 and b not in (34, 92)
                       else '\\x%02x' % b for b in token)
        lines.append('"%s"\n' % text)
    return ''.join(lines)


def atheris_target(target, runs, seed):
    """Fuzz one target with atheris in its own process. Returns its result
    and the folder of the inputs it kept (those that reached new code)."""
    folder = os.path.join(BUILD, 'atheris', target.name)
    shutil.rmtree(folder, ignore_errors=True)
    corpus = os.path.join(folder, 'corpus')
    os.makedirs(corpus)
    for i, data in enumerate(target.seeds):
        with open(os.path.join(corpus, 'seed-%d' % i), 'wb') as f:
            f.write(data)
    tokens = os.path.join(folder, 'tokens.dict')
    with open(tokens, 'w') as f:
        f.write(libfuzzer_dict(target.tokens))
    cmd = [sys.executable, os.path.join(TOOLS, 'fuzz_atheris.py'),
           target.name, '-runs=%d' % runs, '-seed=%d' % seed,
           '-max_len=%d' % fuzz_engine.MAX_LEN, '-timeout=10',
           '-dict=' + tokens, '-artifact_prefix=' + folder + '/', corpus]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=SLICE_TIMEOUT * 10)
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        return failed(target.name, 0, runs, 'atheris hung', ''), corpus
    done = re.search(r'^Done (\d+) runs', out, re.M)
    if done and proc.returncode == 0:
        return {'target': target.name, 'count': int(done.group(1)),
                'crashes': []}, corpus
    return atheris_crash(target, out), corpus


def atheris_crash(target, out):
    """The result of an atheris run that stopped on a crash."""
    counts = re.findall(r'^#(\d+)\s', out, re.M)
    result = failed(target.name, 0, int(counts[-1]) if counts else 0,
                    'atheris stopped', out)
    crash = result['crashes'][0]
    # atheris prints the traceback on stdout, libFuzzer its lines on stderr
    trace = re.search(r'=== Uncaught Python exception: ===\n'
                      r'(Traceback .*\n(?:[ \t].*\n)+(\w[\w.]*).*)', out)
    if trace:
        crash.update(trace=trace.group(1), type=trace.group(2),
                     message=trace.group(1).splitlines()[-1],
                     key=trace.group(2) + ' at ' +
                     fuzz_engine._where(trace.group(1)))
    unit = re.search(r'Test unit written to (\S+)', out)
    if unit:
        with open(unit.group(1), 'rb') as f:
            crash['inputs'] = [[unit.group(1),
                                binascii.hexlify(f.read()).decode()]]
    return result


def run_atheris(names, runs, seed, jobs):
    """Results, and the folders of inputs atheris kept, by target."""
    targets = _targets()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        done = list(pool.map(lambda name: atheris_target(targets[name], runs,
                                                         seed), names))
    return [result for result, _ in done], \
        {name: [corpus] for name, (_, corpus) in zip(names, done)}


# ---- the seeded corpus on CPython ----

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
    with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(cpython_slice, name, seed, start, count)
                   for name, start, count in slices(plan, SLICE)]
        return [future.result() for future in futures]


# ---- the same corpus, and atheris's, on MicroPython ----

def micropython_env():
    """MICROPYPATH for the runtime: the package compiled to .mpy, and the
    fuzzing tools from source."""
    compiled = os.path.join(BUILD, 'mpy')
    compile_package(compiled)
    return dict(os.environ, MICROPYPATH=':'.join([compiled, TOOLS,
                                                  '.frozen']))


def mpy_process(micropython, env, args, expected):
    """Run tools/fuzz_engine.py on MicroPython; expected: the (target,
    start, count) of each result it must print."""
    cmd = [micropython, os.path.join(TOOLS, 'fuzz_engine.py')] + args
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
    for name, start, count in expected:
        if (name, start) not in done:
            results.append(failed(name, start, count,
                                  'micropython process failed', out))
    return results


def run_micropython(plan, seed, jobs, folders):
    """The seeded corpus of plan, then the files of folders
    ({target: [folder, ...]})."""
    micropython = find_tool('micropython')
    if not micropython:
        sys.exit('fuzz: the micropython runtime is missing: run `make venv`')
    env = micropython_env()
    runs, group = [], []
    for spec in slices(plan, SLICE):
        group.append(spec)
        if sum(count for _, _, count in group) >= MPY_SLICE:
            runs.append(group)
            group = []
    if group:
        runs.append(group)
    runs = [([str(seed)] + ['%s:%d:%d' % spec for spec in group], group)
            for group in runs]
    for name, paths in folders.items():
        runs.append((['files', name] + paths,
                     [(name, path, len(os.listdir(path))) for path in paths]))
    results = []
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for found in pool.map(lambda run: mpy_process(micropython, env, *run),
                              runs):
            results.extend(found)
    return results


# ---- what was found ----

def summarize(runtime, results, figures):
    crashes = []
    for r in results:
        row = figures.setdefault(r['target'], {})
        row[runtime] = row.get(runtime, 0) + r['count']
        for crash in r['crashes']:
            crashes.append(dict(crash, runtime=runtime, target=r['target']))
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
    runtime = 'cpython' if crash['runtime'] == 'atheris' else \
        crash['runtime']
    for finding in OPEN_FINDINGS:
        if finding[0] in (None, runtime) and finding[1:5] == (
                crash['target'], kind, module, function):
            return finding
    return None


def report(crashes, seed, names):
    """Print and save the crashes; return those that are not open
    findings. names: the targets that ran."""
    os.makedirs(BUILD, exist_ok=True)
    path = os.path.join(BUILD, 'crashes.txt')
    with open(path, 'w') as f:
        for c in crashes:
            f.write('=== %s %s: %s (%d inputs)\n' % (
                c['runtime'], c['target'], c['key'], c['count']))
            for n, data in c['inputs']:
                how = 'tools/fuzz.py --seed %d --show %s:%s' % (
                    seed, c['target'], n) if isinstance(n, int) else 'file'
                f.write('input %s (%s): %r\n' % (n, how,
                                                 binascii.unhexlify(data)))
            f.write(c['trace'] + '\n')
    new = []
    seen = set()
    for c in crashes:
        finding = open_finding(c)
        first = c['inputs'][0][0] if c['inputs'] else '?'
        print('%s %s %s: %s: %s (%d inputs; first: %s)' % (
            'OPEN' if finding else 'CRASH', c['runtime'], c['target'],
            c['key'], c['message'][:120], c['count'], first))
        if finding:
            seen.add(finding)
        else:
            new.append(c)
    from fuzz_targets import OPEN_FINDINGS
    for finding in OPEN_FINDINGS:
        if finding[1] in names and finding not in seen:
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
    for r in mpy_process(find_tool('micropython'), micropython_env(),
                         [str(seed), '%s:%s:1' % (name, n)],
                         [(name, int(n), 1)]):
        print('micropython: ' + (r['crashes'][0]['trace'] if r['crashes']
                                 else 'ok'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--profile', choices=PROFILES, default='full')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('-j', '--jobs', type=int, default=2)
    parser.add_argument('--targets', help='comma-separated target names')
    parser.add_argument('--no-atheris', action='store_true',
                        help='skip the coverage-guided pass')
    parser.add_argument('--show', metavar='TARGET:N')
    args = parser.parse_args()
    global BUILD  # runs of two profiles at once keep apart
    BUILD = os.path.join(BUILD, args.profile)
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
    use_atheris = args.profile == 'full' and not args.no_atheris
    if use_atheris and not have_atheris():
        print('fuzz: atheris is not installed for this Python (pip install '
              '-r requirements/fuzz.txt): no coverage-guided pass')
        use_atheris = False
    figures, crashes, times, folders = {}, [], {}, {}
    start = time.time()
    if use_atheris:
        results, folders = run_atheris(names, per_target, args.seed,
                                       args.jobs)
        crashes += summarize('atheris', results, figures)
        times['atheris'] = time.time() - start
        start = time.time()
    crashes += summarize('cpython', run_cpython(plan, args.seed, args.jobs),
                         figures)
    times['cpython'] = time.time() - start
    start = time.time()
    crashes += summarize('micropython', run_micropython(
        plan, args.seed, args.jobs, folders), figures)
    times['micropython'] = time.time() - start
    crashes = merge(crashes)

    print('%-11s %9s %9s %11s  crashes  documented refusals' % (
        'target', 'atheris', 'cpython', 'micropython'))
    for name in names:
        row = figures[name]
        found = sum(c['count'] for c in crashes if c['target'] == name)
        print('%-11s %9d %9d %11d  %7d  %s' % (
            name, row.get('atheris', 0), row['cpython'], row['micropython'],
            found, targets[name].why))
    totals = {}
    for row in figures.values():
        for runtime, count in row.items():
            totals[runtime] = totals.get(runtime, 0) + count
    print('fuzz: seed %d, %d jobs: %s' % (args.seed, args.jobs, ', '.join(
        '%s %d inputs in %.0fs' % (runtime, totals[runtime], times[runtime])
        for runtime in times)))
    new = report(crashes, args.seed, names)
    print('fuzz: %d crash%s, %d open finding%s' % (
        len(new), '' if len(new) == 1 else 'es', len(crashes) - len(new),
        '' if len(crashes) - len(new) == 1 else 's'))
    return 1 if new else 0


if __name__ == '__main__':
    sys.exit(main())
