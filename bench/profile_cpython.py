"""Where our server spends its time on CPython under load.

Starts our server (bench/apps/microdot_app.py on CPython), lets py-spy
sample it while wrk drives each of the four workloads in both connection
modes, then prints the functions with the most samples: by own time (the
innermost Python frame; time in C code, such as socket calls, counts for the
Python function that called it) and by inclusive time, counting only frames
from microdot/ for the latter. Idle time (waiting in select) is left out.

Usage: .venv-bench/bin/python bench/profile_cpython.py [--seconds S] [--top N]
"""
import argparse
import collections
import os
import subprocess
import tempfile

import loadgen
from servers import BENCH_BIN, cpython_servers

RATE = 250  # samples per second


def profile(seconds):
    """py-spy's collapsed stacks ({stack: samples}) of our server under wrk."""
    server = next(s for s in cpython_servers() if s.name == 'ours')
    if not server.start():
        raise SystemExit('profile: our server did not start:\n' + server.stop())
    cells = [(w, m) for m in loadgen.MODES for w in loadgen.WORKLOADS]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'stacks.txt')
        spy = subprocess.Popen(
            [os.path.join(BENCH_BIN, 'py-spy'), 'record', '--pid', str(server.proc.pid),
             '--format', 'raw', '--function', '--nonblocking', '--rate', str(RATE),
             '--duration', str(seconds * len(cells) + 2), '--output', out],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for workload, mode in cells:
                loadgen.run_wrk(server.port, workload, mode, seconds)
            spy.wait(timeout=60)
        finally:
            if spy.poll() is None:
                spy.kill()
            server.stop()
        stacks = {}
        with open(out) as f:
            for line in f:
                stack, _, count = line.rstrip().rpartition(' ')
                if stack:
                    stacks[stack] = stacks.get(stack, 0) + int(count)
    return stacks


def frame_name(frame):
    """'function (microdot/microdot.py)' from py-spy's 'function (path:line)'."""
    name, _, where = frame.partition(' (')
    path = where.rstrip(')').rsplit(':', 1)[0]
    parts = path.split('/')
    return '%s (%s)' % (name, '/'.join(parts[-2:]))


def summarize(stacks, top):
    own = collections.Counter()
    inclusive = collections.Counter()
    total = sum(stacks.values())
    for stack, count in stacks.items():
        frames = [frame_name(f) for f in stack.split(';') if f]
        own[frames[-1]] += count
        for frame in set(frames):
            if '(microdot/' in frame:
                inclusive[frame] += count
    print('%d busy samples at %d Hz' % (total, RATE))
    for title, counter in (('own time', own), ('inclusive time, microdot frames', inclusive)):
        print('\nTop %d by %s:' % (top, title))
        for frame, count in counter.most_common(top):
            print('  %5.1f%%  %s' % (100.0 * count / total, frame))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=int, default=3,
                        help='wrk seconds per workload and mode (default 3)')
    parser.add_argument('--top', type=int, default=25)
    args = parser.parse_args()
    summarize(profile(args.seconds), args.top)


if __name__ == '__main__':
    main()
