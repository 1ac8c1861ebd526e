import unittest

from microdot import Microdot
from microdot.cors import CORS
from microdot.csrf import CSRF
from microdot.test_client import TestClient
from support import async_test


def make_app(cors=None, **options):
    app = Microdot()
    csrf = CSRF(app, cors, **options)

    @app.route('/', methods=['GET', 'POST'])
    def index(request):
        return 'ok'

    @app.post('/exempt')
    @csrf.exempt
    def exempt(request):
        return 'ok'

    @app.get('/protected')
    @csrf.protect
    def protected(request):
        return 'ok'

    return app


async def status(app, method, path, **headers):
    headers = dict((k.replace('_', '-'), v) for k, v in headers.items())
    res = await TestClient(app).request(method, path, headers=headers)
    return res.status_code


class ProtectAll(unittest.TestCase):
    @async_test
    async def test_fetch_metadata(self):
        app = make_app()
        self.assertEqual(await status(app, 'POST', '/'), 200)
        for site, expected in (('same-origin', 200), ('none', 200),
                               ('same-site', 403), ('cross-site', 403)):
            self.assertEqual(await status(app, 'POST', '/',
                                          Sec_Fetch_Site=site), expected,
                             site)
        self.assertEqual(await status(app, 'GET', '/',
                                      Sec_Fetch_Site='cross-site'), 200)
        self.assertEqual(await status(app, 'get', '/',
                                      Sec_Fetch_Site='cross-site'), 200)

    @async_test
    async def test_exempt_and_protected_routes(self):
        app = make_app()
        self.assertEqual(await status(app, 'POST', '/exempt',
                                      Sec_Fetch_Site='cross-site'), 200)
        self.assertEqual(await status(app, 'GET', '/protected',
                                      Sec_Fetch_Site='cross-site'), 403)
        self.assertEqual(await status(app, 'GET', '/protected'), 200)

    @async_test
    async def test_forbidden_body(self):
        res = await TestClient(make_app()).post(
            '/', headers={'Sec-Fetch-Site': 'cross-site'})
        self.assertEqual((res.status_code, res.text), (403, 'Forbidden'))

    @async_test
    async def test_origin_without_cors_is_rejected(self):
        app = make_app()
        self.assertEqual(await status(app, 'POST', '/',
                                      Origin='https://a.com'), 403)
        self.assertEqual(await status(app, 'POST', '/', Origin='null'), 403)


class ProtectSome(unittest.TestCase):
    @async_test
    async def test_only_protected_routes(self):
        app = make_app(protect_all=False)
        self.assertEqual(await status(app, 'POST', '/',
                                      Sec_Fetch_Site='cross-site'), 200)
        self.assertEqual(await status(app, 'GET', '/protected',
                                      Sec_Fetch_Site='cross-site'), 403)


class Origins(unittest.TestCase):
    @async_test
    async def test_cors_origin_list(self):
        cors = CORS(allowed_origins=['https://a.com', 'https://b.com:8888'])
        app = make_app(cors)
        for origin, expected in (('https://a.com', 200),
                                 ('https://b.com:8888', 200),
                                 ('https://b.com', 403),
                                 ('http://a.com', 403),
                                 ('https://x.a.com', 403)):
            self.assertEqual(await status(app, 'POST', '/', Origin=origin),
                             expected, origin)
        # an allowed Origin overrides a cross-site Sec-Fetch-Site
        self.assertEqual(await status(app, 'POST', '/', Origin='https://a.com',
                                      Sec_Fetch_Site='cross-site'), 200)

    @async_test
    async def test_subdomains(self):
        cors = CORS(allowed_origins=['https://bar.com:8888', 'nonsense'])
        app = make_app(cors, allow_subdomains=True)
        self.assertEqual(await status(app, 'POST', '/',
                                      Sec_Fetch_Site='same-site'), 200)
        for origin, expected in (('https://x.y.bar.com:8888', 200),
                                 ('https://bar.com:8888', 200),
                                 ('http://x.bar.com:8888', 403),
                                 ('https://x.bar.com', 403),
                                 ('https://xbar.com:8888', 403),
                                 ('null', 403)):
            self.assertEqual(await status(app, 'POST', '/', Origin=origin),
                             expected, origin)

    @async_test
    async def test_cors_without_origins_or_wildcard(self):
        for allowed in (None, '*'):
            app = make_app(CORS(allowed_origins=allowed),
                           allow_subdomains=True)
            self.assertEqual(await status(app, 'POST', '/',
                                          Origin='https://a.com'), 403)
            self.assertEqual(await status(app, 'POST', '/', Origin='null'),
                             403)

    @async_test
    async def test_cors_given_to_initialize(self):
        app = Microdot()
        csrf = CSRF()
        csrf.initialize(app, CORS(allowed_origins=['https://a.com']))

        @app.post('/')
        def index(request):
            return 'ok'

        self.assertEqual(await status(app, 'POST', '/',
                                      Origin='https://a.com'), 200)
