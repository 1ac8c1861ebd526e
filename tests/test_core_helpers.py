# Core helpers: package re-exports, urlencode/urldecode, NoCaseDict,
# MultiDict, AsyncBytesIO, mro, iscoroutine and invoke_handler.
import unittest

import microdot
from microdot.microdot import (AsyncBytesIO, MultiDict, NoCaseDict,
                               HTTPException, invoke_handler, iscoroutine,
                               mro, urldecode, urlencode)
from support import (CPYTHON, HAS_FILESYSTEM, MICROPYTHON, TESTS_DIR,
                     async_test)


class PackageTests(unittest.TestCase):
    def test_reexports(self):
        from microdot import (Microdot, Request, Response, abort,  # noqa
                              redirect, send_file, URLPattern, AsyncBytesIO,
                              iscoroutine)
        import microdot.microdot as core
        self.assertIs(microdot.Microdot, core.Microdot)
        self.assertIs(microdot.Request, core.Request)
        self.assertIs(microdot.Response, core.Response)
        self.assertIs(microdot.URLPattern, core.URLPattern)
        self.assertIs(microdot.AsyncBytesIO, core.AsyncBytesIO)
        self.assertIs(microdot.iscoroutine, core.iscoroutine)

    def test_version(self):
        self.assertIsInstance(microdot.__version__, str)
        self.assertTrue(len(microdot.__version__) > 0)
        self.assertEqual(microdot.__version__.count('.') >= 1, True)

    def test_core_public_names(self):
        import microdot.microdot as core
        for name in ('Microdot', 'Request', 'Response', 'URLPattern',
                     'HTTPException', 'MultiDict', 'NoCaseDict',
                     'AsyncBytesIO', 'abort', 'redirect', 'send_file',
                     'urlencode', 'urldecode', 'invoke_handler',
                     'iscoroutine', 'mro', 'print_exception',
                     'MUTED_SOCKET_ERRORS'):
            self.assertTrue(hasattr(core, name), name)
        self.assertEqual(core.MUTED_SOCKET_ERRORS, [32, 54, 104, 128])

    def test_aliases(self):
        import microdot.microdot as core
        self.assertIs(core.abort, core.Microdot.abort)
        self.assertEqual(core.redirect('/x').headers['Location'], '/x')
        self.assertIs(microdot.abort, core.abort)


class URLDecodeTests(unittest.TestCase):
    def test_locked_examples(self):
        self.assertEqual(urldecode('%3Ffoo%3Dbar%26x'), '?foo=bar&x')
        self.assertEqual(urldecode(b'%3Ffoo%3Dbar%26x'), '?foo=bar&x')
        self.assertEqual(urldecode('dot%e2%80%a2dot'), 'dot\u2022dot')
        self.assertEqual(urldecode(b'dot%e2%80%a2dot'), 'dot\u2022dot')
        self.assertEqual(urldecode('%2f%%'), '/%%')
        self.assertEqual(urldecode('a+b%2B'), 'a b+')

    def test_plain_text(self):
        self.assertEqual(urldecode('abc'), 'abc')
        self.assertEqual(urldecode(''), '')
        self.assertEqual(urldecode('a+b+c'), 'a b c')
        self.assertEqual(urldecode('dot\u2022dot'), 'dot\u2022dot')

    def test_upper_and_lower_hex(self):
        self.assertEqual(urldecode('%2F%2f'), '//')
        self.assertEqual(urldecode('%41%62'), 'Ab')

    def test_malformed_escapes_kept_literally(self):
        # fixed weakness: malformed escapes no longer raise
        self.assertEqual(urldecode('%zz'), '%zz')
        self.assertEqual(urldecode('a%'), 'a%')
        self.assertEqual(urldecode('a%4'), 'a%4')
        self.assertEqual(urldecode('%g1x'), '%g1x')
        self.assertEqual(urldecode('100%'), '100%')
        self.assertEqual(urldecode('%%41'), '%A')

    def test_invalid_utf8_replaced(self):
        self.assertEqual(urldecode('a%ffb'), 'a\ufffdb')
        self.assertEqual(urldecode(b'%c3'), '\ufffd')


class URLEncodeTests(unittest.TestCase):
    def test_locked_example(self):
        self.assertEqual(urlencode('?foo=bar&x'), '%3Ffoo%3Dbar%26x')

    def test_rfc3986(self):
        self.assertEqual(urlencode('a+b'), 'a%2Bb')  # not double encoded
        self.assertEqual(urlencode('a b'), 'a+b')
        self.assertEqual(urlencode('100%'), '100%25')
        self.assertEqual(urlencode('/path/to/x'), '/path/to/x')
        self.assertEqual(urlencode('AZaz09-._~'), 'AZaz09-._~')
        self.assertEqual(urlencode('#'), '%23')
        self.assertEqual(urlencode('dot\u2022dot'), 'dot%E2%80%A2dot')
        self.assertEqual(urlencode('\n'), '%0A')
        self.assertEqual(urlencode(''), '')

    def test_round_trip(self):
        for text in ('a+b', 'a b+c', '?foo=bar&x', '100%', '/a/b?c#d',
                     'dot\u2022dot', '%2B', 'x=1&y=2', ' + '):
            self.assertEqual(urldecode(urlencode(text)), text)


class NoCaseDictTests(unittest.TestCase):
    def test_first_spelling_kept(self):
        d = NoCaseDict()
        d['One'] = 1
        d['one'] = 2
        d['ONE'] = 3
        d['One'] = 4
        self.assertEqual(len(d), 1)
        self.assertEqual(list(d.items()), [('One', 4)])
        self.assertEqual(d, {'One': 4})

    def test_lower_case_first(self):
        # fixed weakness: no duplicate when first stored in lower case
        d = NoCaseDict()
        d['two'] = 5
        d['TWO'] = 3
        self.assertEqual(len(d), 1)
        self.assertEqual(d, {'two': 3})
        self.assertEqual(d['Two'], 3)

    def test_lookups(self):
        d = NoCaseDict({'Content-Type': 'text/plain'})
        self.assertEqual(d['content-type'], 'text/plain')
        self.assertEqual(d['CONTENT-TYPE'], 'text/plain')
        self.assertTrue('content-TYPE' in d)
        self.assertFalse('Content-Length' in d)
        self.assertEqual(d.get('CONTENT-type'), 'text/plain')
        self.assertIsNone(d.get('x'))
        self.assertEqual(d.get('x', 'y'), 'y')
        with self.assertRaises(KeyError):
            d['missing']

    def test_equality_keeps_original_case(self):
        d = NoCaseDict({'Host': 'x', 'Content-Length': '3'})
        self.assertEqual(d, {'Host': 'x', 'Content-Length': '3'})
        self.assertNotEqual(d, {'host': 'x', 'content-length': '3'})
        self.assertEqual(sorted(d.keys()), ['Content-Length', 'Host'])
        self.assertEqual(sorted(d.values()), ['3', 'x'])

    def test_construction_merges_case_variants(self):
        d = NoCaseDict({'A': 1})
        d.update({'a': 2, 'B': 3})
        self.assertEqual(d, {'A': 2, 'B': 3})

    def test_update(self):
        d = NoCaseDict()
        d['Foo'] = 1
        d.update({'FOO': 2, 'bar': 3, 'BAR': 4})
        self.assertEqual(d, {'Foo': 2, 'bar': 4})

    def test_delete(self):
        d = NoCaseDict({'Foo': 1, 'Bar': 2})
        del d['FOO']
        self.assertEqual(d, {'Bar': 2})
        self.assertFalse('foo' in d)
        self.assertIsNone(d.get('foo'))
        # a key stored again after deletion takes the new spelling
        d['fOO'] = 5
        self.assertEqual(d, {'Bar': 2, 'fOO': 5})
        with self.assertRaises(KeyError):
            del d['nothere']

    def test_pop_setdefault(self):
        d = NoCaseDict({'Foo': 1})
        self.assertEqual(d.setdefault('FOO', 9), 1)
        self.assertEqual(d.setdefault('Bar', 2), 2)
        self.assertEqual(d, {'Foo': 1, 'Bar': 2})
        self.assertEqual(d.pop('foo'), 1)
        self.assertEqual(d.pop('foo', 'gone'), 'gone')
        with self.assertRaises(KeyError):
            d.pop('foo')
        self.assertEqual(d, {'Bar': 2})
        self.assertFalse('foo' in d)

    def test_copy_clear_popitem(self):
        d = NoCaseDict({'Foo': 1})
        c = d.copy()
        self.assertIsInstance(c, NoCaseDict)
        c['FOO'] = 2
        self.assertEqual(c, {'Foo': 2})
        self.assertEqual(d, {'Foo': 1})
        self.assertEqual(d.popitem(), ('Foo', 1))
        self.assertFalse('foo' in d)
        d['X'] = 1
        d.clear()
        self.assertEqual(len(d), 0)
        self.assertFalse('x' in d)

    def test_json(self):
        import json
        d = NoCaseDict({'Foo': 1})
        d['FOO'] = 2
        self.assertEqual(json.loads(json.dumps(d)), {'Foo': 2})


class MultiDictTests(unittest.TestCase):
    def test_locked_examples(self):
        d = MultiDict()
        self.assertEqual(d.get('zero'), None)
        self.assertEqual(d.get('zero', default=0), 0)
        self.assertEqual(d.getlist('zero'), [])
        self.assertEqual(d.getlist('zero', type=int), [])
        d['one'] = 1
        self.assertEqual(d['one'], 1)
        self.assertEqual(d.get('one'), 1)
        self.assertEqual(d.get('one', default=2), 1)
        self.assertEqual(d.get('one', type=str), '1')
        self.assertEqual(d.getlist('one'), [1])
        self.assertEqual(d.getlist('one', type=str), ['1'])
        d['two'] = 1
        d['two'] = 2
        self.assertEqual(d['two'], 1)
        self.assertEqual(d.get('two'), 1)
        self.assertEqual(d.get('two', type=str), '1')
        self.assertEqual(d.getlist('two'), [1, 2])
        self.assertEqual(d.getlist('two', type=str), ['1', '2'])
        self.assertEqual(d, {'one': [1], 'two': [1, 2]})
        self.assertEqual(len(d), 2)

    def test_missing_key(self):
        d = MultiDict()
        with self.assertRaises(KeyError):
            d['nope']
        # the default is returned unconverted
        self.assertEqual(d.get('nope', default='x', type=int), 'x')

    def test_conversion_errors_propagate(self):
        d = MultiDict({'a': 'x'})
        with self.assertRaises(ValueError):
            d.get('a', type=int)
        with self.assertRaises(ValueError):
            d.getlist('a', type=int)

    def test_initial_dict(self):
        d = MultiDict({'a': '1', 'b': '2'})
        self.assertEqual(d, {'a': ['1'], 'b': ['2']})
        d['a'] = '3'
        self.assertEqual(d.getlist('a'), ['1', '3'])
        self.assertEqual(sorted(d.keys()), ['a', 'b'])
        self.assertTrue('a' in d)

    def test_delete(self):
        d = MultiDict()
        d['a'] = 1
        d['a'] = 2
        d['b'] = 3
        del d['a']
        self.assertEqual(d, {'b': [3]})
        self.assertEqual(d.getlist('a'), [])

    def test_getlist_returns_copy(self):
        d = MultiDict()
        d['a'] = 1
        values = d.getlist('a')
        values.append(2)
        self.assertEqual(d.getlist('a'), [1])

    def test_setlist_to_dict(self):
        d = MultiDict()
        d['a'] = 1
        d['a'] = 2
        d.setlist('a', [5])
        d['b'] = 'x'
        d['b'] = 'y'
        self.assertEqual(d.getlist('a'), [5])
        self.assertEqual(d.to_dict(), {'a': 5, 'b': 'x'})

    def test_equality_with_empty_dict(self):
        self.assertEqual(MultiDict(), {})


class AsyncBytesIOTests(unittest.TestCase):
    @async_test
    async def test_read(self):
        s = AsyncBytesIO(b'foo\nbar\nbaz')
        self.assertEqual(await s.read(2), b'fo')
        self.assertEqual(await s.readline(), b'o\n')
        self.assertEqual(await s.readexactly(3), b'bar')
        self.assertEqual(await s.read(), b'\nbaz')
        self.assertEqual(await s.read(), b'')
        self.assertEqual(await s.readline(), b'')

    @async_test
    async def test_readexactly_short(self):
        s = AsyncBytesIO(b'abc')
        self.assertEqual(await s.readexactly(10), b'abc')

    @async_test
    async def test_readuntil(self):
        # fixed weakness: readuntil works
        s = AsyncBytesIO(b'one\ntwo--three')
        self.assertEqual(await s.readuntil(), b'one\n')
        self.assertEqual(await s.readuntil(b'--'), b'two--')
        self.assertEqual(await s.readuntil(b'--'), b'three')
        self.assertEqual(await s.readuntil(), b'')

    @async_test
    async def test_write(self):
        s = AsyncBytesIO(b'')
        await s.awrite(b'foo')
        await s.awrite(b'bar')
        await s.aclose()
        self.assertEqual(s.stream.getvalue(), b'foobar')


class MroTests(unittest.TestCase):
    def test_exceptions(self):
        order = list(mro(IndexError))
        self.assertIs(order[0], IndexError)
        self.assertTrue(order.index(LookupError) < order.index(Exception))
        self.assertTrue(order.index(Exception) < order.index(BaseException))

    def test_diamond(self):
        class A:
            pass

        class B(A):
            pass

        class C(A):
            pass

        class D(B, C):
            pass

        order = [c for c in mro(D) if c in (A, B, C, D)]
        self.assertEqual(order, [D, B, C, A])

    def test_single(self):
        class A:
            pass

        self.assertEqual([c for c in mro(A) if c is not object], [A])


class _AsyncCallable:
    async def __call__(self, x):
        return x * 2


class InvokeHandlerTests(unittest.TestCase):
    def test_iscoroutine(self):
        async def f():
            return 1

        coro = f()
        self.assertTrue(iscoroutine(coro))
        self.assertFalse(iscoroutine(f))
        self.assertFalse(iscoroutine(1))
        from support import run
        self.assertEqual(run(coro), 1)

    @async_test
    async def test_sync_and_async(self):
        def sync(a, b=0):
            return a + b

        async def coro(a, b=0):
            return a * b

        self.assertEqual(await invoke_handler(sync, 1, b=2), 3)
        self.assertEqual(await invoke_handler(coro, 3, b=2), 6)

    @async_test
    async def test_callable_returning_awaitable(self):
        # fixed weakness: an awaitable result is awaited
        self.assertEqual(await invoke_handler(_AsyncCallable(), 21), 42)

    @unittest.skipIf(MICROPYTHON, 'sync handlers run inline on MicroPython')
    @async_test
    async def test_sync_handler_runs_in_thread(self):
        import threading
        main = threading.get_ident()

        def f():
            return threading.get_ident()

        self.assertNotEqual(await invoke_handler(f), main)

    @unittest.skipIf(CPYTHON, 'sync handlers run in threads on CPython')
    @async_test
    async def test_sync_handler_inline(self):
        def f():
            return 'inline'

        self.assertEqual(await invoke_handler(f), 'inline')


class HTTPExceptionTests(unittest.TestCase):
    def test_reason(self):
        exc = HTTPException(406)
        self.assertEqual(exc.status_code, 406)
        self.assertEqual(exc.reason, '406 error')
        exc = HTTPException(406, 'Not acceptable')
        self.assertEqual(exc.reason, 'Not acceptable')

    def test_abort(self):
        with self.assertRaises(HTTPException) as ctx:
            microdot.abort(404, 'gone')
        self.assertEqual(ctx.exception.status_code, 404)
        self.assertEqual(ctx.exception.reason, 'gone')


class SingleFileTests(unittest.TestCase):
    """Checklist 2: microdot.py works alone, copied as a top-level module."""
    SOURCE = TESTS_DIR + '/../microdot/microdot.py'

    @unittest.skipUnless(HAS_FILESYSTEM, 'no filesystem')
    def test_imports_only_optional_siblings(self):
        try:
            f = open(self.SOURCE)
        except OSError:
            self.skipTest('source of microdot.py not available here')
        with f:
            source = f.read()
        imports = [line.strip() for line in source.split('\n')
                   if line.strip().startswith(('from .', 'from microdot',
                                               'import microdot'))]
        # loaded on first use, inside a try that works without it
        self.assertEqual(imports, ['from . import _chunked'])
        self.assertIn('    try:\n        from . import _chunked\n'
                      '    except ImportError:', source)

    @unittest.skipUnless(CPYTHON, 'needs subprocess')
    def test_serves_as_top_level_module(self):
        import os
        import shutil
        import subprocess
        import sys
        import tempfile
        tmp = tempfile.mkdtemp()
        try:
            shutil.copy(self.SOURCE, os.path.join(tmp, 'microdot.py'))
            code = (
                'import asyncio\n'
                'from microdot import Microdot, AsyncBytesIO, Request\n'
                'app = Microdot()\n'
                '@app.route("/")\n'
                'async def index(req):\n'
                '    return "alone"\n'
                'async def main():\n'
                '    req = await Request.create(app, AsyncBytesIO(\n'
                '        b"GET / HTTP/1.0\\r\\n\\r\\n"), None, "x")\n'
                '    res = await app.dispatch_request(req)\n'
                '    out = AsyncBytesIO(b"")\n'
                '    await res.write(out)\n'
                '    print(out.stream.getvalue().decode().split("\\r\\n")[-1])\n'
                'asyncio.run(main())\n')
            out = subprocess.run([sys.executable, '-c', code], cwd=tmp,
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.stdout.strip(), 'alone', out.stderr)
        finally:
            shutil.rmtree(tmp)
