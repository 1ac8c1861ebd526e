import unittest

from microdot import Microdot
from microdot._static_more import (accepted_codings, parse_http_date,
                                   parse_range)
from microdot.static import Static, http_date, safe_path
from microdot.test_client import TestClient
from static_support import ASSETS, get, make_app, read
from support import CPYTHON, FILES_DIR, HAS_FILESYSTEM, async_test

class Parsing(unittest.TestCase):
    def test_safe_path(self):
        self.assertEqual(safe_path('a/b.txt'), 'a/b.txt')
        self.assertEqual(safe_path('a/'), 'a')
        self.assertEqual(safe_path(''), '')
        self.assertEqual(safe_path('my%20file.txt'), 'my file.txt')
        for bad in ('../x', 'a/../../x', '%2e%2e/x', 'a/%2E%2E/x', '/etc',
                    'a//b', './a', 'a\\b', '..%5cx', 'a%00.txt', 'c:/x',
                    'a%2', 'a%zz', '%ff'):
            self.assertIsNone(safe_path(bad), bad)

    def test_ranges(self):
        self.assertEqual(parse_range('bytes=0-9', 100), (0, 10))
        self.assertEqual(parse_range('bytes=90-', 100), (90, 100))
        self.assertEqual(parse_range('bytes=-10', 100), (90, 100))
        self.assertEqual(parse_range('bytes=-1000', 100), (0, 100))
        self.assertEqual(parse_range('bytes=50-1000', 100), (50, 100))
        self.assertEqual(parse_range('BYTES = 1-2', 100), (1, 3))
        self.assertIs(parse_range('bytes=100-', 100), False)
        self.assertIs(parse_range('bytes=900-', 100), False)
        self.assertIs(parse_range('bytes=900-999', 100), False)
        self.assertIs(parse_range('bytes=-0', 100), False)
        self.assertIs(parse_range('bytes=-5', 0), False)
        for ignored in (None, 'bytes=0-1,5-6', 'items=0-1', 'bytes=5-2',
                        'bytes=a-b', 'bytes=', 'bytes=-', 'bytes=1',
                        'bytes=--1', 'bytes=-1-2', 'bytes=-+1'):
            self.assertIsNone(parse_range(ignored, 100), ignored)

    def test_accept_encoding(self):
        self.assertIsNone(accepted_codings(None))
        self.assertEqual(accepted_codings('gzip, deflate, br'), (1.0, None))
        self.assertEqual(accepted_codings('gzip;q=0'), (0.0, None))
        self.assertEqual(accepted_codings('GZIP ; Q=0.5'), (0.5, None))
        self.assertEqual(accepted_codings('x-gzip'), (1.0, None))
        self.assertEqual(accepted_codings('br'), (0.0, None))
        self.assertEqual(accepted_codings('gzip;q=0.5, identity'),
                         (0.5, 1.0))
        self.assertEqual(accepted_codings('*'), (1.0, 1.0))
        self.assertEqual(accepted_codings('*;q=0'), (0.0, 0.0))
        self.assertEqual(accepted_codings('identity;q=0, *'), (1.0, 0.0))
        self.assertEqual(accepted_codings(''), (0.0, None))
        for malformed in ('gzip;q=abc', 'gzip;q=2', ';q=1'):
            self.assertIsNone(accepted_codings(malformed), malformed)

    def test_http_dates(self):
        self.assertEqual(http_date(784111777),
                         'Sun, 06 Nov 1994 08:49:37 GMT')
        self.assertEqual(http_date(0), 'Thu, 01 Jan 1970 00:00:00 GMT')
        self.assertEqual(http_date(951782400),
                         'Tue, 29 Feb 2000 00:00:00 GMT')
        self.assertEqual(parse_http_date('Sun, 06 Nov 1994 08:49:37 GMT'),
                         784111777)
        self.assertEqual(parse_http_date(http_date(1767225600)), 1767225600)
        for bad in ('Sunday, 06-Nov-94 08:49:37 GMT', 'yesterday', '',
                    'Sun, 06 Nov 1994 08:49:37 CET',
                    'Sun, 06 Foo 1994 08:49:37 GMT',
                    'Sun, 06 Nov 1994 25:49:37 GMT'):
            self.assertIsNone(parse_http_date(bad), bad)


@unittest.skipUnless(HAS_FILESYSTEM, 'the port has no filesystem')
class Serving(unittest.TestCase):
    @async_test
    async def test_get_text(self):
        res = await get(make_app(), '/static/hello.txt')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, read('hello.txt'))
        self.assertEqual(res.headers['Content-Type'],
                         'text/plain; charset=UTF-8')
        self.assertEqual(res.headers['Content-Length'], '1050')
        self.assertEqual(res.headers['Vary'], 'Accept-Encoding')
        self.assertEqual(res.headers['Cache-Control'], 'max-age=3600')
        self.assertNotIn('Content-Encoding', res.headers)
        etag = res.headers['ETag']
        self.assertTrue(etag.startswith('"') and etag.endswith('"'), etag)
        self.assertFalse(etag.startswith('W/'))

    @async_test
    async def test_binary_streamed_in_small_chunks(self):
        res = await get(make_app(buffer_size=64), '/static/data.bin')
        self.assertEqual(res.body, read('data.bin'))
        self.assertEqual(res.headers['Content-Type'],
                         'application/octet-stream')
        self.assertEqual(res.headers['Content-Length'], '5000')
        self.assertNotIn('Vary', res.headers)

    @async_test
    async def test_head(self):
        res = await get(make_app(), '/static/data.bin', method='HEAD')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Length'], '5000')
        self.assertIsNone(res.body)

    @async_test
    async def test_content_types(self):
        app = make_app()
        res = await get(app, '/static/page.html')
        self.assertEqual(res.headers['Content-Type'],
                         'text/html; charset=UTF-8')
        self.assertEqual(res.headers['Cache-Control'], 'no-cache')
        res = await get(app, '/static/app.0123abcd.js')
        self.assertEqual(res.headers['Content-Type'],
                         'application/javascript; charset=UTF-8')
        self.assertEqual(res.headers['Cache-Control'],
                         'max-age=31536000, immutable')
        res = await get(app, '/static/empty.txt')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, b'')
        self.assertEqual(res.headers['Content-Length'], '0')

    @async_test
    async def test_cache_control_settable(self):
        app = make_app(max_age=None, html_cache_control=None,
                       immutable_cache_control='max-age=60')
        res = await get(app, '/static/hello.txt')
        self.assertNotIn('Cache-Control', res.headers)
        res = await get(app, '/static/page.html')
        self.assertNotIn('Cache-Control', res.headers)
        res = await get(app, '/static/app.0123abcd.js')
        self.assertEqual(res.headers['Cache-Control'], 'max-age=60')
        res = await get(make_app(max_age=10, html_cache_control='no-store'),
                        '/static/page.html')
        self.assertEqual(res.headers['Cache-Control'], 'no-store')

    @async_test
    async def test_index(self):
        app = make_app()
        for path in ('/static/sub', '/static/sub/'):
            res = await get(app, path)
            self.assertEqual(res.status_code, 200, path)
            self.assertEqual(res.body, read('sub/index.html'))
            self.assertEqual(res.headers['Content-Type'],
                             'text/html; charset=UTF-8')
        for path in ('/static', '/static/'):  # no index.html in root
            res = await get(app, path)
            self.assertEqual(res.status_code, 404, path)
        res = await get(make_app(index=None), '/static/sub/')
        self.assertEqual(res.status_code, 404)

    @async_test
    async def test_site_root_prefix(self):
        app = Microdot()

        @app.get('/api')
        def api(request):
            return 'api'

        Static(app, url_prefix='', root=ASSETS + '/sub')
        res = await get(app, '/')
        self.assertEqual(res.body, read('sub/index.html'))
        res = await get(app, '/index.html')
        self.assertEqual(res.body, read('sub/index.html'))
        res = await get(app, '/api')
        self.assertEqual(res.text, 'api')

    @async_test
    async def test_not_found(self):
        app = make_app()
        for path in ('/static/missing.txt', '/static/../test.txt',
                     '/static/%2e%2e/test.txt', '/static/sub/../../test.txt',
                     '/static//etc/passwd', '/static/..%5ctest.txt',
                     '/static/hello.txt/', '/static/hello.txt/x',
                     '/static/.etags'):
            res = await get(app, path)
            self.assertEqual(res.status_code, 404, path)
        # an escaped NUL or slash in a path is refused before routing
        for path in ('/static/hello.txt%00', '/static/%2e%2e%2ftest.txt'):
            res = await get(app, path)
            self.assertEqual(res.status_code, 400, path)
        res = await get(app, '/static/hello.txt', method='POST')
        self.assertEqual(res.status_code, 405)
        res = await get(app, '/other')
        self.assertEqual(res.text, 'other')

    @async_test
    async def test_not_found_uses_app_error_handler(self):
        app = make_app()

        @app.errorhandler(404)
        def not_found(request):
            return 'custom 404', 404

        res = await get(app, '/static/../secret')
        self.assertEqual(res.text, 'custom 404')


@unittest.skipUnless(HAS_FILESYSTEM, 'the port has no filesystem')
class Buffers(unittest.TestCase):
    @async_test
    async def test_fragmented_heap_gets_a_smaller_buffer(self):
        import microdot.static as static
        asked = []

        def bytearray_(size):  # no room in the heap for more than 256 bytes
            asked.append(size)
            if size > 256:
                raise MemoryError('memory allocation failed')
            return bytearray(size)

        saved = static._REUSE_BUFFERS
        static._REUSE_BUFFERS = True  # CPython too: TestClient copies
        static.bytearray = bytearray_
        try:
            app = make_app(buffer_size=1024)
            res = await get(app, '/static/data.bin')
            self.assertEqual(res.body, read('data.bin'))
            self.assertEqual(asked, [1024, 512, 256])
            res = await get(app, '/static/data.bin', Range='bytes=10-1009')
            self.assertEqual(res.body, read('data.bin')[10:1010])
            # a reader asking for more than the buffer holds still gets it
            del static.bytearray
            body = static.FileBody(open(ASSETS + '/data.bin', 'rb'), 100)
            try:
                self.assertEqual(len(body.read(300)), 300)
                self.assertEqual(len(body.read(100)), 100)
            finally:
                body.close()
        finally:
            if 'bytearray' in static.__dict__:
                del static.bytearray
            static._REUSE_BUFFERS = saved


@unittest.skipUnless(HAS_FILESYSTEM, 'the port has no filesystem')
class Conditional(unittest.TestCase):
    @async_test
    async def test_if_none_match(self):
        app = make_app()
        res = await get(app, '/static/data.bin')
        etag = res.headers['ETag']
        for inm in (etag, 'W/' + etag, '"x", ' + etag, '*'):
            res = await get(app, '/static/data.bin', If_None_Match=inm)
            self.assertEqual(res.status_code, 304, inm)
            self.assertEqual(res.body, b'')
            self.assertEqual(res.headers['ETag'], etag)
            self.assertEqual(res.headers['Cache-Control'], 'max-age=3600')
            # the length a 200 would have had, never 0 (RFC 9110 8.6)
            self.assertEqual(res.headers['Content-Length'], '5000')
        res = await get(app, '/static/data.bin', If_None_Match='"other"')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, read('data.bin'))

    @async_test
    async def test_head_not_modified(self):
        app = make_app()
        etag = (await get(app, '/static/page.html')).headers['ETag']
        res = await get(app, '/static/page.html', method='HEAD',
                        If_None_Match=etag)
        self.assertEqual(res.status_code, 304)

    @async_test
    async def test_if_modified_since(self):
        app = make_app()
        res = await get(app, '/static/data.bin')
        if 'Last-Modified' not in res.headers:
            self.skipTest('the port has no clock: no Last-Modified')
        last = res.headers['Last-Modified']
        res = await get(app, '/static/data.bin', If_Modified_Since=last)
        self.assertEqual(res.status_code, 304)
        res = await get(app, '/static/data.bin',
                        If_Modified_Since='Thu, 01 Jan 1970 00:00:00 GMT')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, read('data.bin'))
        # If-None-Match wins when both are sent
        res = await get(app, '/static/data.bin', If_Modified_Since=last,
                        If_None_Match='"other"')
        self.assertEqual(res.status_code, 200)

    @async_test
    async def test_malformed_conditions_ignored(self):
        app = make_app()
        for headers in ({'If-None-Match': ''}, {'If-None-Match': ',,"'},
                        {'If-Modified-Since': 'not a date'},
                        {'If-Modified-Since': ''},
                        {'Accept-Encoding': 'gzip;q=x'},
                        {'Range': 'bytes=9-2'}, {'Range': 'pages=1-2'},
                        {'Range': 'bytes=x-'}, {'If-Range': 'garbage',
                                                'Range': 'bytes=0-1'}):
            res = await TestClient(app).get('/static/hello.txt',
                                            headers=headers)
            self.assertEqual(res.status_code, 200, headers)
            self.assertEqual(res.body, read('hello.txt'), headers)


@unittest.skipUnless(HAS_FILESYSTEM, 'the port has no filesystem')
class Manifest(unittest.TestCase):
    @async_test
    async def test_etag_from_manifest(self):
        app = make_app(root=FILES_DIR + '/assets_etags')
        res = await get(app, '/static/a.txt')
        self.assertEqual(res.headers['ETag'], '"0123456789abcdef"')
        res = await get(app, '/static/a.txt',
                        If_None_Match='"0123456789abcdef"')
        self.assertEqual(res.status_code, 304)
        # the listed size differs from the file's: the entry is stale
        res = await get(app, '/static/b.txt')
        self.assertNotEqual(res.headers.get('ETag'), '"fedcba9876543210"')
        res = await get(app, '/static/.etags')
        self.assertEqual(res.status_code, 404)


@unittest.skipUnless(CPYTHON, 'symbolic links are checked on CPython')
class Symlinks(unittest.TestCase):
    def setUp(self):
        import os
        import tempfile
        self.tmp = tempfile.mkdtemp()
        self.root = os.path.join(self.tmp, 'root')
        os.mkdir(self.root)
        with open(os.path.join(self.tmp, 'secret.txt'), 'w') as f:
            f.write('secret')
        with open(os.path.join(self.root, 'inside.txt'), 'w') as f:
            f.write('inside')
        os.symlink(os.path.join(self.tmp, 'secret.txt'),
                   os.path.join(self.root, 'leak.txt'))
        os.symlink(self.tmp, os.path.join(self.root, 'up'))
        os.symlink(os.path.join(self.root, 'inside.txt'),
                   os.path.join(self.root, 'alias.txt'))

    def tearDown(self):
        import shutil
        shutil.rmtree(self.tmp)

    @async_test
    async def test_links_out_of_root_refused(self):
        app = make_app(root=self.root)
        for path in ('leak.txt', 'up/secret.txt'):
            res = await get(app, '/static/' + path)
            self.assertEqual(res.status_code, 404, path)
        res = await get(app, '/static/alias.txt')
        self.assertEqual(res.text, 'inside')


@unittest.skipUnless(CPYTHON, 'WSGI servers are CPython only')
class UnderWSGI(unittest.TestCase):
    def test_range_and_gzip(self):
        import io
        from microdot.wsgi import Microdot as WSGIMicrodot
        app = WSGIMicrodot()
        Static(app, root=ASSETS, buffer_size=100)
        seen = {}

        def start_response(status, headers):
            seen['status'] = status
            seen['headers'] = dict(headers)

        def call(**headers):
            env = {'SCRIPT_NAME': '', 'PATH_INFO': '/static/hello.txt',
                   'QUERY_STRING': '', 'REQUEST_METHOD': 'GET',
                   'SERVER_PROTOCOL': 'HTTP/1.1', 'REMOTE_ADDR': '127.0.0.1',
                   'REMOTE_PORT': '1', 'wsgi.url_scheme': 'http',
                   'wsgi.input': io.BytesIO(b''), 'CONTENT_LENGTH': ''}
            env.update(headers)
            body = app(env, start_response)
            try:
                return b''.join(body)
            finally:
                body.close()

        self.assertEqual(call(HTTP_RANGE='bytes=5-304'),
                         read('hello.txt')[5:305])
        self.assertTrue(seen['status'].startswith('206'))
        self.assertEqual(call(HTTP_ACCEPT_ENCODING='gzip'),
                         read('hello.txt.gz'))
        self.assertEqual(seen['headers']['Content-Encoding'], 'gzip')
