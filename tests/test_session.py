import unittest

from microdot import Microdot, Request
from microdot import _jwt
from microdot.session import Session, SessionDict, with_session
from microdot.test_client import TestClient
from support import HAS_CLOCK, async_test, set_clock

KEY = 'a-long-enough-secret-key-for-hs256!'


def session_cookies(res):
    return [c for c in res.headers.get('Set-Cookie', [])
            if c.startswith('session=')]


class SessionApp(unittest.TestCase):
    def make_app(self, **options):
        app = Microdot()
        Session(app, secret_key=KEY, **options)

        @app.get('/')
        @with_session
        def get_name(req, session):
            return str(session.get('name'))

        @app.post('/set/<name>')
        @with_session
        async def set_name(req, session, name):
            session['name'] = name
            session.save()
            return 'ok'

        @app.post('/delete')
        @with_session
        async def delete(req, session):
            session.delete()
            return 'ok'

        return app

    @async_test
    async def test_set_read_delete(self):
        client = TestClient(self.make_app())
        self.assertEqual((await client.get('/')).text, 'None')
        await client.post('/set/alice')
        self.assertEqual((await client.get('/')).text, 'alice')
        await client.post('/delete')
        self.assertNotIn('session', client.cookies)
        self.assertEqual((await client.get('/')).text, 'None')

    @async_test
    async def test_cookie_attributes(self):
        res = await TestClient(self.make_app()).post('/set/a')
        cookie = session_cookies(res)[0]
        self.assertTrue(cookie.endswith('; Path=/; HttpOnly; SameSite=Lax'),
                        cookie)
        res = await TestClient(self.make_app(), scheme='https').post('/set/a')
        self.assertTrue(session_cookies(res)[0].endswith(
            '; Path=/; Secure; HttpOnly; SameSite=Lax'))
        app = self.make_app(cookie_options={'samesite': 'Strict',
                                            'secure': True})
        res = await TestClient(app).post('/set/a')
        self.assertTrue(session_cookies(res)[0].endswith(
            '; Path=/; Secure; HttpOnly; SameSite=Strict'))

    @async_test
    async def test_custom_path_scopes_the_cookie(self):
        app = Microdot()
        Session(app, secret_key=KEY, cookie_options={'path': '/child',
                                                     'http_only': False})

        @app.get('/child/set')
        @with_session
        def child_set(req, session):
            session['x'] = 'child'
            session.save()

        @app.get('/child/get')
        @app.get('/get')
        @with_session
        def get(req, session):
            return session.get('x', 'none')

        client = TestClient(app)
        res = await client.get('/child/set')
        self.assertIn('; Path=/child; SameSite=Lax',
                      session_cookies(res)[0])
        self.assertNotIn('HttpOnly', session_cookies(res)[0])
        self.assertEqual((await client.get('/child/get')).text, 'child')
        self.assertEqual((await client.get('/get')).text, 'none')

    @async_test
    async def test_one_cookie_however_many_saves(self):
        app = Microdot()
        Session(app, secret_key=KEY)

        @app.get('/')
        @with_session
        def index(req, session):
            session['a'] = 1
            session.save()
            session.save()
            session['b'] = 2  # changed after the last save: still sent
            return 'ok'

        client = TestClient(app)
        res = await client.get('/')
        self.assertEqual(len(session_cookies(res)), 1)
        token = client.cookies['session']
        self.assertEqual(_jwt.decode(token, KEY, 'session'), {'a': 1, 'b': 2})

    @async_test
    async def test_saved_on_error_responses(self):
        app = Microdot()
        Session(app, secret_key=KEY)

        @app.get('/')
        @with_session
        def index(req, session):
            session['seen'] = True
            session.save()
            app.abort(403)

        res = await TestClient(app).get('/')
        self.assertEqual(res.status_code, 403)
        self.assertEqual(len(session_cookies(res)), 1)

    @async_test
    async def test_same_object_per_request(self):
        app = Microdot()
        sessions = Session(app, secret_key=KEY)

        @app.get('/')
        def index(req):
            s = sessions.get(req)
            return str(s is sessions.get(req) and isinstance(s, SessionDict))

        self.assertEqual((await TestClient(app).get('/')).text, 'True')

    @async_test
    async def test_sync_and_async_routes_get_session_positionally(self):
        app = Microdot()
        Session(app, secret_key=KEY)

        @app.get('/sync/<x>')
        @with_session
        def sync_route(req, session, x):
            return '%s:%s' % (type(session).__name__, x)

        @app.get('/async/<x>')
        @with_session
        async def async_route(req, session, x):
            return '%s:%s' % (type(session).__name__, x)

        client = TestClient(app)
        self.assertEqual((await client.get('/sync/1')).text, 'SessionDict:1')
        self.assertEqual((await client.get('/async/2')).text,
                         'SessionDict:2')

    def test_no_secret_key(self):
        sessions = Session(Microdot())
        req = Request(None, ('127.0.0.1', 0), 'GET', '/', '1.0', {})
        with self.assertRaises(ValueError):
            sessions.get(req)
        with self.assertRaises(ValueError):
            sessions.update(req, {})

    @async_test
    async def test_class_level_secret_key(self):
        Session.secret_key = KEY
        try:
            app = Microdot()
            Session(app)

            @app.get('/')
            @with_session
            def index(req, session):
                session.save()

            res = await TestClient(app).get('/')
            self.assertEqual(len(session_cookies(res)), 1)
        finally:
            Session.secret_key = None

    @async_test
    async def test_tampered_cookie_gives_empty_session(self):
        client = TestClient(self.make_app())
        await client.post('/set/alice')
        header, payload, signature = client.cookies['session'].split('.')
        forged = _jwt.b64url_encode(b'{"name":"mallory"}').decode()
        client.cookies['session'] = '.'.join((header, forged, signature))
        self.assertEqual((await client.get('/')).text, 'None')
        client.cookies['session'] = 'not-a-token'
        self.assertEqual((await client.get('/')).text, 'None')
        client.cookies['session'] = _jwt.encode({'name': 'eve'}, 'other-key',
                                               'session')
        self.assertEqual((await client.get('/')).text, 'None')
        unsigned = _jwt.b64url_encode(b'{"alg":"none"}').decode() + '.' + \
            _jwt.b64url_encode(b'{"name":"eve"}').decode() + '.'
        client.cookies['session'] = unsigned
        self.assertEqual((await client.get('/')).text, 'None')

    @unittest.skipUnless(HAS_CLOCK, 'no clock on this port')
    @set_clock
    @async_test
    async def test_max_age(self):
        client = TestClient(self.make_app(max_age=600))
        res = await client.post('/set/alice')
        self.assertIn('; Max-Age=600; HttpOnly', session_cookies(res)[0])
        payload = _jwt.decode(client.cookies['session'], KEY, 'session')
        self.assertLessEqual(abs(payload['exp'] - _jwt.now() - 600), 2)
        self.assertEqual((await client.get('/')).text, 'alice')

    @unittest.skipUnless(HAS_CLOCK, 'no clock on this port')
    @set_clock
    @async_test
    async def test_expired_cookie_gives_empty_session(self):
        client = TestClient(self.make_app(max_age=600))
        client.cookies['session'] = _jwt.encode(
            {'name': 'alice', 'exp': _jwt.now() - 1}, KEY, 'session')
        self.assertEqual((await client.get('/')).text, 'None')
        client.cookies['session'] = _jwt.encode(
            {'name': 'alice', 'exp': _jwt.now() + 60}, KEY, 'session')
        self.assertEqual((await client.get('/')).text, 'alice')

    @async_test
    async def test_cookie_name(self):
        client = TestClient(self.make_app(cookie_name='sid'))
        await client.post('/set/bob')
        self.assertIn('sid', client.cookies)
        self.assertNotIn('session', client.cookies)
        self.assertEqual((await client.get('/')).text, 'bob')


class JWT(unittest.TestCase):
    def test_hmac_sha256_rfc4231(self):
        self.assertEqual(
            _jwt.hmac_sha256(b'\x0b' * 20, b'Hi There'),
            b'\xb0\x34\x4c\x61\xd8\xdb\x38\x53\x5c\xa8\xaf\xce\xaf\x0b\xf1'
            b'\x2b\x88\x1d\xc2\x00\xc9\x83\x3d\xa7\x26\xe9\x37\x6c\x2e\x32'
            b'\xcf\xf7')
        # a key longer than the block size is hashed first
        self.assertEqual(
            _jwt.hmac_sha256(b'\xaa' * 131, b'Test Using Larger Than Block-'
                             b'Size Key - Hash Key First'),
            b'\x60\xe4\x31\x59\x1e\xe0\xb6\x7f\x0d\x8a\x26\xaa\xcb\xf5\xb7'
            b'\x7f\x8e\x0b\xc6\x21\x37\x28\xc5\x14\x05\x46\x04\x0f\x0e\xe3'
            b'\x7f\x54')

    def test_known_token(self):
        # made by PyJWT: jwt.encode({'sub': '1234'}, 'secret')
        token = ('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.'
                 '_MKAH6SGiKnRNBtRqUDApiNQV7UAFSoqgwmqUaxuMyE')
        self.assertEqual(_jwt.decode(token, 'secret'), {'sub': '1234'})
        self.assertEqual(_jwt.encode({'sub': '1234'}, 'secret'), token)

    def test_round_trip_and_rejections(self):
        token = _jwt.encode({'u': 'd\xe9j\xe0', 'n': [1, 2]}, b'key')
        self.assertEqual(_jwt.decode(token, 'key'),
                         {'u': 'd\xe9j\xe0', 'n': [1, 2]})
        for bad in (token + 'x', token[:-1], token.replace('.', '.x', 1),
                    'a.b', 'a.b.c', '', '...'):
            with self.assertRaises(_jwt.InvalidTokenError):
                _jwt.decode(bad, 'key')
        with self.assertRaises(_jwt.InvalidTokenError):
            _jwt.decode(token, 'other')

    @unittest.skipUnless(HAS_CLOCK, 'no clock on this port')
    def test_time_claims(self):
        now = _jwt.now()
        for payload in ({'exp': now - 1}, {'exp': now}, {'nbf': now + 60},
                        {'exp': 'soon'}, {'exp': True}):
            with self.assertRaises(_jwt.InvalidTokenError):
                _jwt.decode(_jwt.encode(payload, 'k'), 'k')
        self.assertEqual(_jwt.decode(_jwt.encode({'exp': now + 5}, 'k'), 'k'),
                         {'exp': now + 5})

    def test_compare_digest(self):
        self.assertTrue(_jwt.compare_digest('abc', 'abc'))
        self.assertTrue(_jwt.compare_digest(b'', b''))
        self.assertFalse(_jwt.compare_digest('abc', 'abd'))
        self.assertFalse(_jwt.compare_digest('abc', 'ab'))
        self.assertFalse(_jwt.compare_digest('', 'a'))
