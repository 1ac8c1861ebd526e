#!/usr/bin/env python3
"""Run the shared test suite on the MicroPython unix runtime.

Each test module runs in its own `micropython` process through
tests/mpy/runner.py, so a module that exhausts the heap cannot take the
others down. Modes:

  src       the microdot package from source
  mpy       the package compiled to .mpy by mpy-cross
  mpy-200k  the .mpy package under -X heapsize=200k (an ESP32's RAM on a
            64-bit runtime)

Usage: tools/mpytest.py [--mode MODE] [--heapsize SIZE] [-j N] [-v] [MODULE ...]
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

from hosttools import find_tool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, 'tests')
RUNNER = os.path.join(TESTS, 'mpy', 'runner.py')
BUILD = os.path.join(ROOT, '.build')
RESULT_RE = re.compile(r'^RESULT (\S+) passed=(\d+) failed=(\d+) '
                       r'skipped=(\d+) peak=(\d+)', re.M)
MODES = {'src': None, 'mpy': None, 'mpy-200k': '200k'}


def compile_py(folder, dest):
    """Compile the .py files of folder (not its subfolders) to dest/*.mpy."""
    mpy_cross = find_tool('mpy-cross')
    if not mpy_cross:
        sys.exit('mpytest: mpy-cross not found: run `make venv` first')
    for name in sorted(os.listdir(folder)):
        if name.endswith('.py'):
            subprocess.run([mpy_cross, '-o', os.path.join(
                dest, name[:-3] + '.mpy'), os.path.join(folder, name)],
                check=True)


def compile_package(dest):
    """Compile microdot/*.py to .mpy files under dest/microdot."""
    pkg = os.path.join(dest, 'microdot')
    shutil.rmtree(pkg, ignore_errors=True)
    os.makedirs(pkg)
    compile_py(os.path.join(ROOT, 'microdot'), pkg)
    return dest


def compile_tests(dest):
    """Compile the shared suite to .mpy as well (a board-sized heap cannot
    compile a big test module); folders of fixtures are linked beside."""
    os.makedirs(dest)
    compile_py(TESTS, dest)
    for name in sorted(os.listdir(TESTS)):
        path = os.path.join(TESTS, name)
        if os.path.isdir(path) and name not in ('mpy', 'host', '__pycache__'):
            os.symlink(path, os.path.join(dest, name))
    return dest


def build_paths(mode):
    """sys.path entries for a mode, and the scratch folder to remove."""
    if mode == 'src':
        return [ROOT, lib_path()], None
    os.makedirs(BUILD, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix='mpytest-', dir=BUILD)
    compile_package(scratch)
    tests = compile_tests(os.path.join(scratch, 'tests'))
    return [tests, scratch, lib_path()], scratch


# Pure-Python packages of .venv that the MicroPython tests import too.
MPYLIB_PACKAGES = ('utemplate',)


def lib_path():
    """Third-party pure-Python packages the MicroPython tests import,
    copied from .venv's site-packages (only files that changed, so parallel
    runs never see a half-copied package)."""
    dest = os.path.join(BUILD, 'mpylib')
    for site in glob.glob(os.path.join(ROOT, '.venv', 'lib', 'python*',
                                       'site-packages')):
        for name in MPYLIB_PACKAGES:
            src = os.path.join(site, name)
            if not os.path.isdir(src):
                continue
            os.makedirs(os.path.join(dest, name), exist_ok=True)
            for filename in os.listdir(src):
                if filename.endswith('.py'):
                    copy_if_changed(os.path.join(src, filename),
                                    os.path.join(dest, name, filename))
    return dest


def copy_if_changed(src, dst):
    with open(src, 'rb') as f:
        data = f.read()
    if os.path.exists(dst):
        with open(dst, 'rb') as f:
            if f.read() == data:
                return
    with open(dst + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(dst + '.tmp', dst)


def discover():
    return sorted(f[:-3] for f in os.listdir(TESTS)
                  if f.startswith('test_') and f.endswith('.py'))


def run_module(micropython, heapsize, paths, module, verbose, timeout):
    cmd = [micropython]
    if heapsize:
        cmd += ['-X', 'heapsize=' + heapsize]
    cmd.append(RUNNER)
    for path in paths:
        cmd += ['-p', path]
    if verbose:
        cmd.append('-v')
    cmd.append(module)
    try:
        proc = subprocess.run(cmd, cwd=TESTS, capture_output=True,
                              text=True, timeout=timeout)
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b'').decode(errors='replace') if isinstance(
            exc.stdout, bytes) else (exc.stdout or '')
        return module, out + '\nTIMEOUT after %ds' % timeout, None
    match = RESULT_RE.search(out)
    if not match:
        return module, out + '\nno RESULT line (exit %d)' % proc.returncode, \
            None
    counts = tuple(int(x) for x in match.groups()[1:])
    return module, out, counts


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
        compile_package(args.compile_only)
        lib_path()
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
    modules = args.modules or discover()
    totals = [0, 0, 0]
    failed_modules = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        jobs = [pool.submit(run_module, micropython, heapsize, paths, m,
                            args.verbose, args.timeout) for m in modules]
        for job in jobs:
            module, out, counts = job.result()
            if counts is None:
                failed_modules.append(module)
                totals[1] += 1
                print(out.rstrip())
                print('%s %s: crashed' % (label, module))
                continue
            passed, failed, skipped, peak = counts
            totals[0] += passed
            totals[1] += failed
            totals[2] += skipped
            if failed or args.verbose:
                print(out.rstrip())
            if failed:
                failed_modules.append(module)
            print('%s %-22s %4d passed %3d failed %3d skipped  peak heap %7d'
                  % (label, module, passed, failed, skipped, peak))
    print('%s: %d passed, %d failed, %d skipped' % (label, *totals))
    return 1 if totals[1] else 0


if __name__ == '__main__':
    sys.exit(main())
