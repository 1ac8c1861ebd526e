# microdot.static: Range requests and gzip negotiation (the rest is in
# test_static.py; two modules, so that each fits a board-sized heap).
import gc
import unittest

from microdot.test_client import TestClient
from static_support import HAS_GUNZIP, get, make_app, read
from support import HAS_FILESYSTEM, async_test
@unittest.skipUnless(HAS_FILESYSTEM, 'the port has no filesystem')
class Ranges(unittest.TestCase):
    @async_test
    async def test_ranges(self):
        app = make_app(buffer_size=100)
        data = read('data.bin')
        for spec, start, end in (('0-0', 0, 1), ('10-109', 10, 110),
                                 ('4990-', 4990, 5000), ('-7', 4993, 5000),
                                 ('100-99999', 100, 5000), ('0-', 0, 5000),
                                 ('-99999', 0, 5000), ('123-4567', 123, 4568)):
            res = await get(app, '/static/data.bin', Range='bytes=' + spec)
            self.assertEqual(res.status_code, 206, spec)
            self.assertEqual(res.body, data[start:end], spec)
            self.assertEqual(res.headers['Content-Length'],
                             str(end - start))
            self.assertEqual(res.headers['Content-Range'],
                             'bytes %d-%d/5000' % (start, end - 1))

    @async_test
    async def test_unsatisfiable(self):
        app = make_app()
        for path, spec, size in (('data.bin', '5000-', 5000),
                                 ('data.bin', '-0', 5000),
                                 ('empty.txt', '-5', 0),
                                 ('empty.txt', '0-', 0)):
            res = await get(app, '/static/' + path, Range='bytes=' + spec)
            self.assertEqual(res.status_code, 416, spec)
            self.assertEqual(res.headers['Content-Range'], 'bytes */%d' %
                             size)
            self.assertEqual(res.body, b'')

    @async_test
    async def test_several_ranges_send_everything(self):
        res = await get(make_app(), '/static/data.bin',
                        Range='bytes=0-1, 5-6')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, read('data.bin'))
        self.assertNotIn('Content-Range', res.headers)

    @async_test
    async def test_if_range(self):
        app = make_app()
        first = await get(app, '/static/data.bin')
        etag = first.headers['ETag']
        res = await get(app, '/static/data.bin', Range='bytes=0-3',
                        If_Range=etag)
        self.assertEqual(res.status_code, 206)
        self.assertEqual(res.body, read('data.bin')[:4])
        for stale in ('"stale"', 'W/' + etag,
                      'Thu, 01 Jan 1970 00:00:00 GMT'):
            res = await get(app, '/static/data.bin', Range='bytes=0-3',
                            If_Range=stale)
            self.assertEqual(res.status_code, 200, stale)
            self.assertEqual(res.body, read('data.bin'))
        if 'Last-Modified' in first.headers:
            res = await get(app, '/static/data.bin', Range='bytes=0-3',
                            If_Range=first.headers['Last-Modified'])
            self.assertEqual(res.status_code, 206)

    @async_test
    async def test_head_ignores_range(self):
        res = await get(make_app(), '/static/data.bin', method='HEAD',
                        Range='bytes=0-3')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Length'], '5000')


@unittest.skipUnless(HAS_FILESYSTEM, 'the port has no filesystem')
class Gzip(unittest.TestCase):
    @async_test
    async def test_gzip_sent_when_accepted(self):
        app = make_app()
        plain = await get(app, '/static/hello.txt')
        for ae in ('gzip', 'gzip, deflate, br', 'br;q=1, gzip;q=0.8',
                   '*', 'x-gzip'):
            res = await get(app, '/static/hello.txt', Accept_Encoding=ae)
            self.assertEqual(res.headers['Content-Encoding'], 'gzip', ae)
            self.assertEqual(res.body, read('hello.txt.gz'), ae)
            self.assertEqual(res.headers['Content-Length'],
                             str(len(read('hello.txt.gz'))))
            self.assertEqual(res.headers['Content-Type'],
                             'text/plain; charset=UTF-8')
            self.assertEqual(res.headers['Vary'], 'Accept-Encoding')
            self.assertNotEqual(res.headers['ETag'], plain.headers['ETag'])

    @async_test
    async def test_gzip_refused(self):
        app = make_app()
        for ae in ('gzip;q=0', 'identity', 'br', '*;q=0, identity',
                   'gzip;q=0.5, identity'):
            res = await get(app, '/static/hello.txt', Accept_Encoding=ae)
            self.assertNotIn('Content-Encoding', res.headers)
            self.assertEqual(res.body, read('hello.txt'), ae)
            self.assertEqual(res.headers['Vary'], 'Accept-Encoding')

    @async_test
    async def test_gzip_conditional_and_range(self):
        app = make_app()
        res = await get(app, '/static/hello.txt', Accept_Encoding='gzip')
        etag = res.headers['ETag']
        res = await get(app, '/static/hello.txt', Accept_Encoding='gzip',
                        If_None_Match=etag)
        self.assertEqual(res.status_code, 304)
        self.assertEqual(res.headers['Vary'], 'Accept-Encoding')
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')
        res = await get(app, '/static/hello.txt', If_None_Match=etag)
        self.assertEqual(res.status_code, 200)  # another representation
        res = await get(app, '/static/hello.txt', Accept_Encoding='gzip',
                        Range='bytes=10-19')
        self.assertEqual(res.status_code, 206)
        self.assertEqual(res.body, read('hello.txt.gz')[10:20])

    @async_test
    async def test_only_gz_stored(self):
        app = make_app()
        for ae in (None, 'gzip', 'gzip, br'):
            headers = {'Accept-Encoding': ae} if ae else {}
            res = await TestClient(app).get('/static/only.css',
                                            headers=headers)
            self.assertEqual(res.status_code, 200)
            self.assertEqual(res.body, read('only.css.gz'))
            self.assertEqual(res.headers['Content-Encoding'], 'gzip')
            self.assertEqual(res.headers['Content-Type'],
                             'text/css; charset=UTF-8')
            self.assertEqual(res.headers['Vary'], 'Accept-Encoding')

    @async_test
    async def test_only_gz_decompressed_for_refusing_client(self):
        if not HAS_GUNZIP:
            self.skipTest('the port has no deflate module')
        app = make_app(buffer_size=16)
        gc.collect()  # the gzip window is one 32 KB block
        res = await get(app, '/static/only.css', Accept_Encoding='identity')
        if res.status_code == 503:
            self.skipTest('no 32 KB block free for the gzip window')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, b'body { color: red; }\n' * 20)
        self.assertNotIn('Content-Encoding', res.headers)
        self.assertNotIn('Content-Length', res.headers)
        self.assertEqual(res.headers['Vary'], 'Accept-Encoding')
        etag = res.headers['ETag']
        gz = await get(app, '/static/only.css', Accept_Encoding='gzip')
        self.assertNotEqual(etag, gz.headers['ETag'])
        res = await get(app, '/static/only.css', Accept_Encoding='identity',
                        If_None_Match=etag)
        self.assertEqual(res.status_code, 304)
        self.assertNotIn('Content-Length', res.headers)
        # a range of bytes the server does not have: the whole file
        res = await get(app, '/static/only.css', Accept_Encoding='identity',
                        Range='bytes=0-3')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(len(res.body), 420)

    @async_test
    async def test_only_gz_without_a_decompressor(self):
        from microdot import _static_more
        saved = _static_more._gunzip
        _static_more._gunzip = None  # a port built without deflate
        try:
            res = await get(make_app(), '/static/only.css',
                            Accept_Encoding='identity')
        finally:
            _static_more._gunzip = saved
        self.assertEqual(res.status_code, 406)

    @async_test
    async def test_gz_file_itself(self):
        res = await get(make_app(), '/static/hello.txt.gz',
                        Accept_Encoding='gzip')
        self.assertEqual(res.body, read('hello.txt.gz'))
        self.assertNotIn('Content-Encoding', res.headers)
