import unittest

from microdot import Microdot
from microdot.cors import CORS
from microdot.test_client import TestClient
from support import CPYTHON, async_test

CORS_HEADERS = ('Access-Control-Allow-Origin',
                'Access-Control-Allow-Credentials', 'Vary')


def make_app(**options):
    app = Microdot()
    CORS(app, **options)

    @app.route('/', methods=['GET', 'POST'])
    def index(request):
        return 'ok'

    @app.get('/vary')
    def vary(request):
        return 'ok', {'Vary': 'X-Foo, X-Bar'}

    return app


async def request(app, method='GET', path='/', **headers):
    headers = dict((k.replace('_', '-'), v) for k, v in headers.items())
    return await TestClient(app).request(method, path, headers=headers)


class OriginList(unittest.TestCase):
    @async_test
    async def test_allowed_origin(self):
        app = make_app(allowed_origins=['https://a.com'],
                       allow_credentials=True)
        for path in ('/', '/not-found'):
            res = await request(app, path=path, Origin='https://a.com')
            self.assertEqual(res.headers['Access-Control-Allow-Origin'],
                             'https://a.com')
            self.assertEqual(
                res.headers['Access-Control-Allow-Credentials'], 'true')
            self.assertEqual(res.headers['Vary'], 'Origin')

    @async_test
    async def test_no_or_other_origin(self):
        app = make_app(allowed_origins=['https://a.com'],
                       allow_credentials=True)
        for headers in ({}, {'Origin': 'https://b.com'}, {'Origin': 'null'},
                        {'Origin': 'https://a.co'}):
            res = await request(app, **headers)
            self.assertEqual(res.status_code, 200)
            for name in CORS_HEADERS:
                self.assertNotIn(name, res.headers, headers)

    @async_test
    async def test_single_origin_string_is_not_a_substring_match(self):
        app = make_app(allowed_origins='https://a.com')
        res = await request(app, Origin='https://a.co')
        self.assertNotIn('Access-Control-Allow-Origin', res.headers)
        res = await request(app, Origin='https://a.com')
        self.assertEqual(res.headers['Access-Control-Allow-Origin'],
                         'https://a.com')

    @async_test
    async def test_no_origins_configured(self):
        app = make_app()
        for origin in ('https://a.com', 'null'):
            res = await request(app, 'OPTIONS', Origin=origin)
            self.assertEqual(res.status_code, 200)
            self.assertNotIn('Access-Control-Allow-Origin', res.headers)

    @async_test
    async def test_vary_merge(self):
        app = make_app(allowed_origins=['https://a.com'])
        res = await request(app, path='/vary', Origin='https://a.com')
        self.assertEqual(res.headers['Vary'], 'X-Foo, X-Bar, Origin')
        res = await request(app, path='/vary')
        self.assertEqual(res.headers['Vary'], 'X-Foo, X-Bar')

    @async_test
    async def test_vary_merge_does_not_repeat_tokens(self):
        app = make_app(allowed_origins=['https://a.com'])

        @app.get('/origin-vary')
        def origin_vary(request):
            return 'ok', {'Vary': 'origin, Accept'}

        res = await request(app, path='/origin-vary', Origin='https://a.com')
        self.assertEqual(res.headers['Vary'], 'origin, Accept')


class Wildcard(unittest.TestCase):
    @async_test
    async def test_wildcard(self):
        app = make_app(allowed_origins='*', expose_headers=['X-A', 'X-B'])
        res = await request(app)
        self.assertEqual(res.headers['Access-Control-Allow-Origin'], '*')
        self.assertNotIn('Vary', res.headers)
        self.assertEqual(res.headers['Access-Control-Expose-Headers'],
                         'X-A, X-B')
        res = await request(app, Origin='https://a.com')
        self.assertEqual(res.headers['Access-Control-Allow-Origin'],
                         'https://a.com')
        self.assertEqual(res.headers['Vary'], 'Origin')
        self.assertNotIn('Access-Control-Allow-Credentials', res.headers)

    @async_test
    async def test_wildcard_with_credentials_never_echoes(self):
        app = make_app(allowed_origins='*', allow_credentials=True)
        for origin in ('https://evil.com', 'null'):
            res = await request(app, Origin=origin)
            self.assertEqual(res.headers['Access-Control-Allow-Origin'], '*')
            self.assertNotIn('Access-Control-Allow-Credentials', res.headers)

    @unittest.skipUnless(CPYTHON, 'sys.stderr cannot be replaced')
    def test_wildcard_with_credentials_warns(self):
        import io
        import sys
        saved = sys.stderr
        sys.stderr = io.StringIO()
        try:
            CORS(allowed_origins='*', allow_credentials=True)
            CORS(allowed_origins='*')
            output = sys.stderr.getvalue()
        finally:
            sys.stderr = saved
        self.assertEqual(output.count('allow_credentials is ignored'), 1)


class Preflight(unittest.TestCase):
    @async_test
    async def test_plain_preflight(self):
        app = make_app(allowed_origins=['https://a.com'])
        res = await request(app, 'OPTIONS', Origin='https://a.com')
        self.assertEqual(res.headers['Allow'], 'GET, POST, HEAD, OPTIONS')
        self.assertEqual(res.headers['Access-Control-Allow-Origin'],
                         'https://a.com')
        for name in ('Access-Control-Allow-Methods',
                     'Access-Control-Allow-Headers',
                     'Access-Control-Max-Age'):
            self.assertNotIn(name, res.headers)

    @async_test
    async def test_anything_allowed(self):
        app = make_app(allowed_origins=['https://a.com'])
        res = await request(app, 'OPTIONS', Origin='https://a.com',
                            Access_Control_Request_Method='put',
                            Access_Control_Request_Headers='X-One, X-Two')
        self.assertEqual(res.headers['Access-Control-Allow-Methods'], 'PUT')
        self.assertEqual(res.headers['Access-Control-Allow-Headers'],
                         'X-One, X-Two')

    @async_test
    async def test_restricted(self):
        app = make_app(allowed_origins=['https://a.com'], max_age=3600,
                       allowed_methods=['post'], allowed_headers=['X-Test'])
        res = await request(app, 'OPTIONS', Origin='https://a.com',
                            Access_Control_Request_Method='POST',
                            Access_Control_Request_Headers='x-test, X-Test2')
        self.assertEqual(res.headers['Access-Control-Max-Age'], '3600')
        self.assertEqual(res.headers['Access-Control-Allow-Methods'], 'POST')
        self.assertEqual(res.headers['Access-Control-Allow-Headers'],
                         'x-test')
        res = await request(app, 'OPTIONS', Origin='https://a.com',
                            Access_Control_Request_Method='GET',
                            Access_Control_Request_Headers='X-Other')
        self.assertNotIn('Access-Control-Allow-Methods', res.headers)
        self.assertNotIn('Access-Control-Allow-Headers', res.headers)


class Manual(unittest.TestCase):
    @async_test
    async def test_handle_cors_false(self):
        app = Microdot()
        cors = CORS(app, allowed_origins='*', handle_cors=False)

        @app.get('/')
        def index(request):
            return 'ok'

        @app.get('/manual')
        def manual(request):
            return 'ok', cors.get_cors_headers(request)

        res = await request(app, Origin='https://a.com')
        self.assertNotIn('Access-Control-Allow-Origin', res.headers)
        res = await request(app, path='/manual', Origin='https://a.com')
        self.assertEqual(res.headers['Access-Control-Allow-Origin'],
                         'https://a.com')
