"""tools/devtest against the virtual board: what it reports for passing,
failing, memory-hungry, hanging and resetting tests, and for a board that
stops answering or disappears."""
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip('mpremote')

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
FIXTURES = os.path.join(ROOT, 'tests', 'host', 'devtest_fixtures')
DEVTEST = os.path.join(ROOT, 'tools', 'devtest.py')
VBOARD = os.path.join(ROOT, 'tools', 'vboard.py')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import devtest  # noqa: E402
import vboard  # noqa: E402

needs_runtime = pytest.mark.skipif(
    not vboard.find_micropython(),
    reason='the micropython unix runtime is not installed (make venv)')


def run_devtest(*args, timeout=120):
    proc = subprocess.run([sys.executable, DEVTEST] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout


def run_fixtures(*modules, extra=(), timeout=120):
    return run_devtest('--vboard', '--install', '--tests-dir', FIXTURES,
                       *extra, *modules, timeout=timeout)


def junit_cases(path):
    return {case.get('classname') + '.' + case.get('name'): case
            for case in ET.parse(path).getroot().iter('testcase')}


@needs_runtime
def test_a_passing_run_reports_the_board_and_exits_0(tmp_path):
    junit = str(tmp_path / 'junit.xml')
    code, out = run_fixtures('passes', extra=['--junit', junit])
    assert code == 0, out
    assert re.search(r'^board: micropython .* heap \d+ bytes free of \d+$',
                     out, re.M), out
    assert 'microdot: none' in out  # a fresh virtual board, then --install
    assert re.search(r'^microdot: \S+ /lib \(/lib/microdot/__init__.mpy\)$',
                     out, re.M), out
    assert re.search(r'^vboard-200k passes +1 passed +0 failed +1 skipped '
                     r'+peak heap +[1-9]\d*', out, re.M), out
    assert 'skipped 1: shows a skip reason' in out
    assert out.rstrip().endswith('vboard-200k: 1 passed, 0 failed, 1 skipped')
    cases = junit_cases(junit)
    assert cases['passes.TestPasses.test_adds'].find('*') is None
    skipped = cases['passes.TestPasses.test_skipped'].find('skipped')
    assert skipped.get('message') == 'shows a skip reason'


@needs_runtime
def test_a_failing_test_exits_1_with_its_traceback(tmp_path):
    junit = str(tmp_path / 'junit.xml')
    code, out = run_fixtures('fails_on_purpose', extra=['--junit', junit])
    assert code == 1, out
    assert 'FAIL fails_on_purpose.TestFailsOnPurpose.test_fails\n' in out
    assert 'AssertionError: deliberate failure' in out
    assert 'failed: fails_on_purpose.TestFailsOnPurpose.test_fails' in out
    assert out.rstrip().endswith('1 passed, 1 failed, 0 skipped')
    failure = junit_cases(junit)[
        'fails_on_purpose.TestFailsOnPurpose.test_fails'].find('failure')
    assert 'deliberate failure' in failure.text


@needs_runtime
def test_memory_error_is_reported_and_the_module_goes_on():
    code, out = run_fixtures('exhausts_memory')
    assert code == 1, out
    assert ('ERROR exhausts_memory.TestExhaustsMemory.test_fills_the_heap'
            ' - MemoryError') in out
    assert 'MemoryError: memory allocation failed' in out
    assert re.search(r'^vboard-200k exhausts_memory +1 passed +1 failed',
                     out, re.M), out


@needs_runtime
def test_a_hanging_module_is_interrupted_and_the_run_goes_on():
    code, out = run_fixtures('hangs', 'passes', extra=['--timeout', '3'])
    assert code == 1, out
    assert re.search(r'^vboard-200k hangs +did not finish in 3s: '
                     r'interrupted$', out, re.M), out
    assert re.search(r'^vboard-200k passes +1 passed', out, re.M), out


@needs_runtime
def test_a_board_reset_is_reported_and_the_run_goes_on():
    code, out = run_fixtures('resets_board', 'passes')
    assert code == 1, out
    assert re.search(r'^vboard-200k resets_board +the board reset while '
                     r'running it$', out, re.M), out
    assert re.search(r'^vboard-200k passes +1 passed', out, re.M), out


@needs_runtime
def test_without_soft_reset_the_modules_share_one_mount():
    code, out = run_fixtures('passes', 'hangs', 'resets_board', 'passes',
                             extra=['--no-soft-reset', '--timeout', '3'])
    assert code == 1, out
    assert 'hangs                      did not finish in 3s' in out
    assert 'resets_board               the board reset' in out
    assert len(re.findall(r'^vboard-200k passes +1 passed', out, re.M)) == 2


@needs_runtime
def test_a_board_that_stops_answering_exits_2_in_bounded_time(tmp_path):
    junit = str(tmp_path / 'junit.xml')
    started = time.monotonic()
    code, out = run_fixtures('stops_answering', 'passes',
                             extra=['--timeout', '3', '--junit', junit])
    assert time.monotonic() - started < 60
    assert code == 2, out
    assert 'the board stopped answering (no reply to Ctrl-C)' in out
    assert 'not run: passes' in out
    error = junit_cases(junit)['stops_answering.(module)'].find('error')
    assert 'stopped answering' in error.get('message')


@needs_runtime
def test_a_lost_connection_exits_2(tmp_path):
    board = subprocess.Popen([sys.executable, VBOARD], stdout=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
    try:
        port = board.stdout.readline().split()[1].decode()
        devtest_run = subprocess.Popen(
            [sys.executable, DEVTEST, '--port', port, '--install', '-v',
             '--tests-dir', FIXTURES, 'sleeps', 'passes'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = ''
        for line in devtest_run.stdout:  # pull the plug while it sleeps
            out += line
            if line.startswith('sleeping'):
                board.terminate()
        out += devtest_run.stdout.read()
        code = devtest_run.wait(60)
    finally:
        board.kill()
        board.wait()
    assert code == 2, out
    assert re.search(r'^\S+: reading results: lost connection', out,
                     re.M), out
    assert 'not run: passes' in out


@needs_runtime
def test_without_microdot_it_says_how_to_install_it():
    code, out = run_devtest('--vboard', '--tests-dir', FIXTURES, 'passes')
    assert code == 2, out
    assert 'microdot: none' in out
    assert 'run again with --install' in out


@needs_runtime
def test_copy_puts_the_tests_on_the_board_flash():
    code, out = run_fixtures('passes', extra=['--copy'])
    assert code == 0, out
    assert 'copying the tests to /devtest' in out
    assert 'vboard-200k: 1 passed, 0 failed, 1 skipped' in out


def test_the_board_mpy_version_comes_from_sys_implementation():
    # _mpy of MicroPython 1.28 on x64 (arch 2 in the upper bits): .mpy v6.3
    assert devtest.board_mpy_version(2822) == (6, 3)


def test_runner_output_becomes_results():
    output = (b'ok m.TestA.test_one\n'
              b'SKIP m.TestA.test_two - no sockets here\n'
              b'FAIL m.TestA.test_three\n'
              b'Traceback (most recent call last):\n'
              b'AssertionError: 1 != 2\n'
              b'ERROR m.TestB.test_four - MemoryError\n'
              b'MemoryError: memory allocation failed\n'
              b'RESULT m passed=1 failed=2 skipped=1 peak=4096\n')
    result = devtest.parse_output('m', output)
    assert (result.passed, result.failed, result.skipped, result.peak) == (
        1, 2, 1, 4096)
    assert [(c.classname, c.name, c.outcome) for c in result.cases] == [
        ('m.TestA', 'test_one', 'passed'),
        ('m.TestA', 'test_two', 'skipped'),
        ('m.TestA', 'test_three', 'failed'),
        ('m.TestB', 'test_four', 'error')]
    assert result.cases[2].details.endswith('AssertionError: 1 != 2\n')
    assert result.skip_reasons() == {'no sockets here': 1}


def test_a_module_without_result_line_counts_what_it_printed():
    result = devtest.parse_output('m', b'ok m.T.test_a\nFAIL m.T.test_b\n')
    assert (result.passed, result.failed, result.peak) == (1, 1, None)
