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

    # Messages are built only on failure: formatting big values would waste
    # a board-sized heap on every passing assertion.
    def _fail(self, msg, fmt, *values):
        raise AssertionError(msg or fmt % values)

    def assertEqual(self, a, b, msg=None):
        if not a == b:
            self._fail(msg, '%r != %r', a, b)

    def assertNotEqual(self, a, b, msg=None):
        if not a != b:
            self._fail(msg, '%r == %r', a, b)

    def assertTrue(self, x, msg=None):
        if not x:
            self._fail(msg, 'expected true: %r', x)

    def assertFalse(self, x, msg=None):
        if x:
            self._fail(msg, 'expected false: %r', x)

    def assertIs(self, a, b, msg=None):
        if a is not b:
            self._fail(msg, '%r is not %r', a, b)

    def assertIsNot(self, a, b, msg=None):
        if a is b:
            self._fail(msg, '%r is %r', a, b)

    def assertIsNone(self, x, msg=None):
        if x is not None:
            self._fail(msg, '%r is not None', x)

    def assertIsNotNone(self, x, msg=None):
        if x is None:
            self._fail(msg, 'unexpected None')

    def assertIn(self, a, b, msg=None):
        if a not in b:
            self._fail(msg, '%r not in %r', a, b)

    def assertNotIn(self, a, b, msg=None):
        if a in b:
            self._fail(msg, '%r in %r', a, b)

    def assertIsInstance(self, x, cls, msg=None):
        if not isinstance(x, cls):
            self._fail(msg, '%r is not a %r', x, cls)

    def assertNotIsInstance(self, x, cls, msg=None):
        if isinstance(x, cls):
            self._fail(msg, '%r is a %r', x, cls)

    def assertGreater(self, a, b, msg=None):
        if not a > b:
            self._fail(msg, '%r <= %r', a, b)

    def assertGreaterEqual(self, a, b, msg=None):
        if not a >= b:
            self._fail(msg, '%r < %r', a, b)

    def assertLess(self, a, b, msg=None):
        if not a < b:
            self._fail(msg, '%r >= %r', a, b)

    def assertLessEqual(self, a, b, msg=None):
        if not a <= b:
            self._fail(msg, '%r > %r', a, b)

    def assertAlmostEqual(self, a, b, places=7, msg=None):
        if round(abs(a - b), places) != 0:
            self._fail(msg, '%r != %r', a, b)

    def assertCountEqual(self, a, b, msg=None):
        a, b = list(a), list(b)
        if len(a) != len(b) or any(a.count(x) != b.count(x) for x in a):
            self._fail(msg, '%r and %r differ', a, b)

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
