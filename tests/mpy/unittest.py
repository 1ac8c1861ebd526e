# A small subset of CPython's unittest for MicroPython, where no unittest
# module exists. Only what the shared suite uses: TestCase with the usual
# assertions, skip decorators and SkipTest. tests/mpy/runner.py runs it.


class SkipTest(Exception):
    pass


def skip(reason):
    def decorator(obj):
        if isinstance(obj, type):
            obj.__unittest_skip__ = reason
            return obj

        def skipped(*args, **kwargs):
            raise SkipTest(reason)
        return skipped
    return decorator


def _keep(obj):
    return obj


def skipIf(condition, reason):
    return skip(reason) if condition else _keep


def skipUnless(condition, reason):
    return _keep if condition else skip(reason)


def expectedFailure(f):
    def wrapper(*args, **kwargs):
        try:
            f(*args, **kwargs)
        except Exception:
            return
        raise AssertionError('unexpected success')
    return wrapper


class _RaisesContext:
    def __init__(self, expected):
        self.expected = expected
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            raise AssertionError('%s not raised' % _name(self.expected))
        if issubclass(exc_type, self.expected):
            self.exception = exc
            return True
        return False


class _NullContext:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def _name(expected):
    if isinstance(expected, tuple):
        return ' or '.join(e.__name__ for e in expected)
    return expected.__name__


class TestCase:
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        pass

    def tearDown(self):
        pass

    def skipTest(self, reason):
        raise SkipTest(reason)

    def subTest(self, *args, **kwargs):
        return _NullContext()

    def fail(self, msg=None):
        raise AssertionError(msg or 'failed')

    def _check(self, ok, default, msg):
        if not ok:
            raise AssertionError(msg or default)

    def assertEqual(self, a, b, msg=None):
        self._check(a == b, '%r != %r' % (a, b), msg)

    def assertNotEqual(self, a, b, msg=None):
        self._check(a != b, '%r == %r' % (a, b), msg)

    def assertTrue(self, x, msg=None):
        self._check(x, 'expected true: %r' % (x,), msg)

    def assertFalse(self, x, msg=None):
        self._check(not x, 'expected false: %r' % (x,), msg)

    def assertIs(self, a, b, msg=None):
        self._check(a is b, '%r is not %r' % (a, b), msg)

    def assertIsNot(self, a, b, msg=None):
        self._check(a is not b, '%r is %r' % (a, b), msg)

    def assertIsNone(self, x, msg=None):
        self._check(x is None, '%r is not None' % (x,), msg)

    def assertIsNotNone(self, x, msg=None):
        self._check(x is not None, 'unexpected None', msg)

    def assertIn(self, a, b, msg=None):
        self._check(a in b, '%r not in %r' % (a, b), msg)

    def assertNotIn(self, a, b, msg=None):
        self._check(a not in b, '%r in %r' % (a, b), msg)

    def assertIsInstance(self, x, cls, msg=None):
        self._check(isinstance(x, cls), '%r is not a %r' % (x, cls), msg)

    def assertNotIsInstance(self, x, cls, msg=None):
        self._check(not isinstance(x, cls), '%r is a %r' % (x, cls), msg)

    def assertGreater(self, a, b, msg=None):
        self._check(a > b, '%r <= %r' % (a, b), msg)

    def assertGreaterEqual(self, a, b, msg=None):
        self._check(a >= b, '%r < %r' % (a, b), msg)

    def assertLess(self, a, b, msg=None):
        self._check(a < b, '%r >= %r' % (a, b), msg)

    def assertLessEqual(self, a, b, msg=None):
        self._check(a <= b, '%r > %r' % (a, b), msg)

    def assertAlmostEqual(self, a, b, places=7, msg=None):
        self._check(round(abs(a - b), places) == 0, '%r != %r' % (a, b), msg)

    def assertCountEqual(self, a, b, msg=None):
        a, b = list(a), list(b)
        ok = len(a) == len(b) and all(a.count(x) == b.count(x) for x in a)
        self._check(ok, '%r and %r differ' % (a, b), msg)

    assertDictEqual = assertEqual
    assertListEqual = assertEqual
    assertTupleEqual = assertEqual

    def assertRaises(self, expected, *args, **kwargs):
        ctx = _RaisesContext(expected)
        if not args:
            return ctx
        with ctx:
            args[0](*args[1:], **kwargs)

    def assertRaisesRegex(self, expected, regex, *args, **kwargs):
        # MicroPython's re is limited: a plain substring check covers the
        # suite's uses.
        ctx = _RegexContext(expected, regex)
        if not args:
            return ctx
        with ctx:
            args[0](*args[1:], **kwargs)


class _RegexContext(_RaisesContext):
    def __init__(self, expected, text):
        super().__init__(expected)
        self.text = text

    def __exit__(self, exc_type, exc, tb):
        handled = super().__exit__(exc_type, exc, tb)
        if handled and self.text not in str(exc):
            raise AssertionError('%r does not contain %r' % (str(exc),
                                                            self.text))
        return handled


def main():
    import runner
    runner.main()
