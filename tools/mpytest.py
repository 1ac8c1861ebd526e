#!/usr/bin/env python3
"""Run the shared test suite on the MicroPython unix runtime.

Each test module runs in its own `micropython` process through
tests/mpy/runner.py, so a module that exhausts the heap cannot take the
others down. Modes:

  src       the microdot package from source
  mpy       the package compiled to .mpy by mpy-cross
  mpy-HEAP  the .mpy package under -X heapsize=HEAP, the default board heap
            (an ESP32's RAM on a 64-bit runtime; BOARD_HEAP in the Makefile)

Usage: tools/mpytest.py [--mode MODE] [--heapsize SIZE] [-j N] [-v] [MODULE..]
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time

import facts
import runner_protocol as protocol
from hosttools import find_tool

RUNNER = os.path.join(protocol.TESTS_DIR, 'mpy', 'runner.py')
MODES = {'src': None, 'mpy': None, 'mpy-' + facts.BOARD_HEAP: facts.BOARD_HEAP}


def build_paths(mode):
    """sys.path entries for a mode, and the scratch folder to remove."""
    if mode == 'src':
        return [protocol.ROOT, protocol.third_party_path()], None
    os.makedirs(protocol.BUILD_DIR, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix='mpytest-', dir=protocol.BUILD_DIR)
    protocol.compile_package(scratch)
    tests = protocol.compile_tests(os.path.join(scratch, 'tests'))
    return [tests, scratch, protocol.third_party_path()], scratch


def run_module(micropython, heapsize, paths, module, timeout):
    """Run one module in its own process; returns its ModuleResult."""
    cmd = [micropython]
    if heapsize:
        cmd += ['-X', 'heapsize=' + heapsize]
    cmd.append(RUNNER)
    for path in paths:
        cmd += ['-p', path]
    cmd += ['-v', module]  # the case lines name what failed or skipped
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=protocol.TESTS_DIR,
                              capture_output=True, text=True,
                              timeout=timeout)
        result = protocol.parse_output(module, proc.stdout + proc.stderr)
        if result.peak is None:
            result.problem = 'no RESULT line (exit %d)' % proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or b''
        result = protocol.parse_output(module, out)
        result.problem = 'did not finish in %ds' % timeout
    result.seconds = time.monotonic() - started
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mode', choices=MODES, default='src')
    parser.add_argument('--heapsize', help='override -X heapsize')
    parser.add_argument('-j', '--jobs', type=int, default=2)
    parser.add_argument('-v', '--verbose', action='store_true')
    parser.add_argument('--timeout', type=int, default=300)
    parser.add_argument('--compile-only', metavar='DIR',
                        help='only compile the package to DIR/microdot '
                        '(and refresh .build/mpylib)')
    parser.add_argument('modules', nargs='*')
    args = parser.parse_args()
    if args.compile_only:
        protocol.compile_package(args.compile_only)
        protocol.third_party_path()
        return 0
    micropython = find_tool('micropython')
    if not micropython:
        sys.exit('mpytest: the micropython runtime is not installed: '
                 'run `make venv` first')
    heapsize = args.heapsize or MODES[args.mode]
    paths, scratch = build_paths(args.mode)
    try:
        return run_all(args, micropython, heapsize, paths)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def run_all(args, micropython, heapsize, paths):
    label = 'micropython-' + args.mode
    modules = args.modules or protocol.discover()
    results = []
    begin = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        jobs = [pool.submit(run_module, micropython, heapsize, paths, m,
                            args.timeout) for m in modules]
        for job in jobs:
            result = job.result()
            results.append(result)
            if args.verbose or result.problem:
                print(result.output.rstrip())
            else:
                for line in protocol.failure_lines(result):
                    print(line)
            for line in protocol.module_lines(label, result):
                print(line)
    lines, counts = protocol.summary_lines(label, results,
                                           time.monotonic() - begin)
    print('\n'.join(lines))
    return 1 if counts[1] else 0


if __name__ == '__main__':
    sys.exit(main())
