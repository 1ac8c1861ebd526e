# The test runner for MicroPython (unix runtime, firmware images and real
# boards). It runs the unittest.TestCase classes of the shared suite with the
# small unittest in this folder, one module at a time, collecting garbage
# between modules, and prints one machine-readable RESULT line per module.
# The lines it prints are the protocol of tools/runner_protocol.py, which
# the host tools read them with: RESULT_FORMAT and CASE_WORDS mirror it
# (tests/host/test_runner_protocol.py checks that they agree).
#
#   micropython tests/mpy/runner.py [-p PATH]... [-v] [MODULE ...]
#
# -p puts PATH first on sys.path (where the microdot package to test lives).
# With no MODULE, every tests/test_*.py is run.
import sys
import gc

try:
    from micropython import mem_info  # noqa: F401
    _MPY = True
except ImportError:
    _MPY = False

import unittest

RESULT_FORMAT = 'RESULT %s passed=%d failed=%d skipped=%d peak=%d'
# the first word of a test's line: passed, skipped, failed, error
CASE_WORDS = ('ok', 'SKIP', 'FAIL', 'ERROR')
OK, SKIP, FAIL, ERROR = CASE_WORDS


def _parent(path):
    if '/' in path:
        return path.rsplit('/', 1)[0] or '/'
    return '..' if path in ('', '.') else '.'


HERE = _parent(__file__)
TESTS_DIR = _parent(HERE)


def _print_exception(exc):
    if hasattr(sys, 'print_exception'):
        sys.print_exception(exc)
    else:  # CPython, when the runner itself is under test
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


def _test_classes(module):
    found = []
    for name in sorted(dir(module)):
        obj = getattr(module, name)
        if isinstance(obj, type) and issubclass(obj, unittest.TestCase) \
                and obj is not unittest.TestCase:
            found.append((name, obj))
    return found


def _test_methods(cls):
    names = set()
    klass = [cls]
    while klass:
        c = klass.pop()
        for name in c.__dict__:
            if name.startswith('test') and callable(c.__dict__[name]):
                names.add(name)
        klass.extend(c.__bases__)
    return sorted(names)


def _heap():
    return gc.mem_alloc() if _MPY else 0


class Result:
    def __init__(self, module):
        self.module = module
        self.passed = self.failed = self.skipped = 0
        self.peak = 0
        self.failures = []

    def sample(self):
        self.peak = max(self.peak, _heap())


def _run_test(result, cls, case, name, verbose):
    label = '%s.%s.%s' % (result.module, cls.__name__, name)
    try:
        case.setUp()
        try:
            getattr(case, name)()
            result.sample()
        finally:
            case.tearDown()
    except unittest.SkipTest as exc:
        result.skipped += 1
        if verbose:
            print(SKIP, label, '-', exc)
    except AssertionError as exc:
        result.failed += 1
        result.failures.append(label)
        print(FAIL, label)
        _print_exception(exc)
    except BaseException as exc:  # noqa: B902 (MemoryError, KeyboardInterrupt)
        if isinstance(exc, KeyboardInterrupt):
            raise
        result.failed += 1
        result.failures.append(label)
        print(ERROR, label, '-', type(exc).__name__)
        _print_exception(exc)
    else:
        result.passed += 1
        if verbose:
            print(OK, label)
    gc.collect()


def _skip_class(result, cls_name, methods, reason, verbose):
    result.skipped += len(methods)
    if verbose:  # one line per test, as for skipped methods
        for method in methods:
            print(SKIP, '%s.%s.%s' % (result.module, cls_name, method), '-',
                  reason)


def run_module(name, verbose=False):
    """Run every test of one module and print its RESULT line."""
    gc.collect()
    result = Result(name)
    try:
        module = __import__(name)
    except unittest.SkipTest as exc:
        result.skipped += 1
        print(SKIP, name, '-', exc)
        module = None
    except BaseException as exc:  # noqa: B902
        if isinstance(exc, KeyboardInterrupt):
            raise
        result.failed += 1
        result.failures.append(name)
        print(ERROR, name, '- import failed:', type(exc).__name__)
        _print_exception(exc)
        module = None
    for cls_name, cls in _test_classes(module) if module else ():
        methods = _test_methods(cls)
        reason = getattr(cls, '__unittest_skip__', None)
        if reason:
            _skip_class(result, cls_name, methods, reason, verbose)
            continue
        try:
            cls.setUpClass()
        except unittest.SkipTest as exc:
            _skip_class(result, cls_name, methods, exc, verbose)
            continue
        except Exception as exc:
            result.failed += len(methods)
            result.failures.append('%s.%s' % (name, cls_name))
            print(ERROR, '%s.%s.setUpClass' % (name, cls_name))
            _print_exception(exc)
            continue
        for method in methods:
            _run_test(result, cls, cls(), method, verbose)
        try:
            cls.tearDownClass()
        except Exception as exc:
            print(ERROR, '%s.%s.tearDownClass' % (name, cls_name))
            _print_exception(exc)
    if name in sys.modules:
        del sys.modules[name]
    module = None
    gc.collect()
    print(RESULT_FORMAT % (name, result.passed, result.failed, result.skipped,
                           result.peak))
    return result


def discover(tests_dir=TESTS_DIR):
    import os
    return sorted(f[:-3] for f in os.listdir(tests_dir)
                  if f.startswith('test_') and f.endswith('.py'))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = False
    modules = []
    paths = []
    while argv:
        arg = argv.pop(0)
        if arg == '-v':
            verbose = True
        elif arg == '-p':
            paths.append(argv.pop(0))
        else:
            modules.append(arg)
    for path in reversed(paths):
        sys.path.insert(0, path)
    if TESTS_DIR not in sys.path:
        sys.path.append(TESTS_DIR)
    totals = [0, 0, 0]
    failures = []
    for name in modules or discover():
        result = run_module(name, verbose)
        totals[0] += result.passed
        totals[1] += result.failed
        totals[2] += result.skipped
        failures.extend(result.failures)
    for label in failures:
        print('failed:', label)
    print('%d passed, %d failed, %d skipped' % tuple(totals))
    return 1 if totals[1] else 0


if __name__ == '__main__':
    sys.exit(main())
