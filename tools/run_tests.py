#!/usr/bin/env python3
"""Run every test suite (what `make test` does once .venv exists) and print
one summary line per runtime.

Usage: tools/run_tests.py [SUITE ...]   (default: all suites)
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import facts
import runner_protocol as protocol

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable


def pytest_suite(label, args):
    def run():
        with tempfile.TemporaryDirectory() as tmp:
            xml = os.path.join(tmp, 'junit.xml')
            proc = subprocess.run([PY, '-m', 'pytest', '-q', '-rs',
                                   '--junitxml=' + xml] + args, cwd=ROOT)
            if not os.path.exists(xml):
                return None, proc.returncode
            suite = ET.parse(xml).getroot()
            if suite.tag == 'testsuites':
                suite = suite[0]
            tests = int(suite.get('tests', 0))
            failed = int(suite.get('failures', 0)) + int(suite.get('errors',
                                                                   0))
            skipped = int(suite.get('skipped', 0))
            counts = (tests - failed - skipped, failed, skipped)
            code = 0 if proc.returncode in (0, 5) and not failed else 1
            return counts, code
    return label, run


def tool_suite(label, cmd):
    """A tool whose last line is its summary (runner_protocol)."""
    def run():
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
        sys.stdout.write(proc.stdout)
        summary = protocol.parse_summary(proc.stdout)
        if summary is None:
            return None, proc.returncode or 1
        return summary[1], proc.returncode
    return label, run


def mpy_suite(mode):
    return tool_suite('micropython-' + mode, [
        PY, os.path.join(ROOT, 'tools', 'mpytest.py'), '--mode', mode])


def vboard_suite(heapsize):
    """The suite over serial through mpremote, on the virtual board. The
    tests are copied to its flash: mpremote's mount keeps ~7 KB of heap for
    its remote filesystem, which the heaviest tests need in a board-sized
    heap (the mount path has its own tests in tests/host/test_devtest.py)."""
    return tool_suite('vboard-' + heapsize, [
        PY, os.path.join(ROOT, 'tools', 'devtest.py'), '--vboard',
        '--heapsize', heapsize, '--install', '--copy'])


def qemu_suite():
    """The suite on the QEMU_ARM image: only with a MicroPython tree."""
    mpy_dir = os.environ.get('MPY_DIR')
    if mpy_dir:
        return tool_suite('qemu-arm', ['make', '--no-print-directory',
                                       'test-device', 'BOARD=QEMU_ARM',
                                       'MPY_DIR=' + mpy_dir])

    def skip():
        print('qemu-arm: skipped: building the QEMU_ARM image needs '
              'MPY_DIR=<a MicroPython %s tree>' % facts.MICROPYTHON_TAG)
        return (0, 0, 1), 0
    return 'qemu-arm', skip


SUITES = [
    pytest_suite('cpython', ['tests']),
    mpy_suite('src'),
    mpy_suite('mpy'),
    mpy_suite('mpy-' + facts.BOARD_HEAP),
    vboard_suite(facts.BOARD_HEAP),
    qemu_suite(),
]


def main(argv):
    wanted = set(argv)
    summary = []
    total = [0, 0, 0]
    status = 0
    for label, run in SUITES:
        if wanted and label not in wanted:
            continue
        print('=== %s ===' % label, flush=True)
        counts, code = run()
        if counts is None:
            summary.append('%s: did not run (exit %d)' % (label, code))
            status = 1
            continue
        summary.append(protocol.summary_line(label, counts))
        total = [a + b for a, b in zip(total, counts)]
        if code or counts[1]:
            status = 1
    print('=== summary ===')
    for line in summary:
        print(line)
    print(protocol.summary_line('total', total))
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
