import unittest

from microdot import Microdot
from microdot import _jwt
from microdot.login import Login, is_safe_next
from microdot.session import Session
from microdot.test_client import TestClient
from support import HAS_CLOCK, MICROPYTHON, async_test, set_clock
from users import USERS

KEY = 'another-long-secret-key-for-login-tests'


def make_app():
    app = Microdot()
    Session(app, secret_key=KEY)
    login = Login()

    @login.user_loader
    def load_user(user_id):
        return USERS.get(user_id)

    @app.post('/login')
    async def login_route(request):
        remember = request.args.get('remember')  # 'yes' or days
        if remember:
            remember = True if remember == 'yes' else int(remember)
        for user in USERS.values():
            if user.name == request.args.get('name') and \
                    user.password == request.args.get('password'):
                return await login.login_user(
                    request, user,
                    remember=remember)
        return 'wrong name or password', 401

    @app.post('/logout')
    async def logout(request):
        await login.logout_user(request)
        return 'bye'

    @app.get('/')
    @login
    async def index(request):
        user = await login.get_current_user(request)
        same = user is request.g.current_user
        return '%s:%s' % (user.name, same)

    @app.get('/fresh')
    @login.fresh
    def fresh(request):
        return 'fresh:' + request.g.current_user.name

    return app, login, load_user


def set_cookies(res, name):
    return [c for c in res.headers.get('Set-Cookie', [])
            if c.startswith(name + '=')]


class LoginFlow(unittest.TestCase):
    # logins are time-limited: a set clock, also on ports without one
    def setUp(self):
        self.saved_now = _jwt.now
        _jwt.now = lambda: 1800000000

    def tearDown(self):
        _jwt.now = self.saved_now

    @async_test
    async def test_login_and_logout(self):
        client = TestClient(make_app()[0])
        res = await client.get('/?foo=bar')
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/login?next=/%3Ffoo%3Dbar')
        self.assertEqual(res.body, b'')
        res = await client.post('/login?name=susan&password=hello'
                                '&next=/%3Ffoo=bar')
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/?foo=bar')
        self.assertEqual(len(res.headers['Set-Cookie']), 1)
        self.assertEqual((await client.get('/?foo=bar')).text, 'susan:True')
        self.assertEqual((await client.get('/fresh')).text, 'fresh:susan')
        await client.post('/logout')
        res = await client.get('/')
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/login?next=/')

    @async_test
    async def test_wrong_password(self):
        client = TestClient(make_app()[0])
        res = await client.post('/login?name=susan&password=bye')
        self.assertEqual(res.status_code, 401)
        self.assertNotIn('Set-Cookie', res.headers)
        self.assertEqual((await client.get('/')).status_code, 302)

    @async_test
    async def test_next_must_stay_on_this_site(self):
        client = TestClient(make_app()[0])
        for next_url, location in (
                ('/page', '/page'), ('http://example.com', '/'),
                ('//evil.com', '/'), ('/%5Cevil.com', '/'),
                ('/%09/evil.com', '/'), ('%2F%2Fevil.com', '/'),
                ('javascript:alert(1)', '/'), ('', '/')):
            res = await client.post('/login?name=david&password=bye&next=' +
                                    next_url)
            self.assertEqual(res.headers['Location'], location, next_url)

    def test_is_safe_next(self):
        self.assertTrue(is_safe_next('/a/b?c=//d'))
        for url in (None, '', 'a', '//x', '/\\x', '/\r\n/x', '/\x7f'):
            self.assertFalse(is_safe_next(url), url)

    @async_test
    async def test_tampered_session_is_not_logged_in(self):
        client = TestClient(make_app()[0])
        await client.post('/login?name=david&password=bye')
        client.cookies['session'] = _jwt.encode(
            {'_user_id': 1, '_fresh': True}, 'not-the-key')
        self.assertEqual((await client.get('/')).status_code, 302)

    def test_user_loader_returns_the_function(self):
        app, login, load_user = make_app()
        self.assertIs(login.user_loader_callback, load_user)

    @unittest.skipIf(MICROPYTHON, 'MicroPython functions carry no metadata')
    def test_wrappers_keep_metadata(self):
        login = Login()

        def view(request):
            """Docs."""

        for wrapped in (login(view), login.fresh(view)):
            self.assertEqual((wrapped.__name__, wrapped.__doc__),
                             ('view', 'Docs.'))


@unittest.skipUnless(HAS_CLOCK, 'no clock on this port')
class RememberMe(unittest.TestCase):
    @set_clock
    @async_test
    async def test_remember(self):
        client = TestClient(make_app()[0])
        res = await client.post('/login?name=susan&password=hello'
                                '&remember=yes')
        self.assertEqual(len(res.headers['Set-Cookie']), 2)
        remember = set_cookies(res, '_remember')[0]
        self.assertTrue(remember.endswith(
            '; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax'), remember)
        del client.cookies['session']
        self.assertEqual((await client.get('/')).text, 'susan:True')
        # the user came back through the remember cookie: not fresh
        del client.cookies['session']
        res = await client.get('/fresh')
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/login?next=/fresh')
        res = await client.post('/logout')
        self.assertIn('Max-Age=0', set_cookies(res, '_remember')[0])
        self.assertNotIn('_remember', client.cookies)
        self.assertEqual((await client.get('/')).status_code, 302)

    @set_clock
    @async_test
    async def test_custom_duration_is_not_renewed(self):
        client = TestClient(make_app()[0])
        res = await client.post('/login?name=susan&password=hello'
                                '&remember=7')
        self.assertIn('; Max-Age=604800;', set_cookies(res, '_remember')[0])
        payload = _jwt.decode(client.cookies['_remember'], KEY, 'remember')
        self.assertLessEqual(abs(payload['exp'] - _jwt.now() - 604800), 2)
        del client.cookies['session']
        res = await client.get('/')
        self.assertEqual(res.text, 'susan:True')
        self.assertEqual(set_cookies(res, '_remember'), [])

    @set_clock
    @async_test
    async def test_secure_under_https(self):
        client = TestClient(make_app()[0], scheme='https')
        res = await client.post('/login?name=susan&password=hello'
                                '&remember=1')
        for cookie in res.headers['Set-Cookie']:
            self.assertIn('; Secure; HttpOnly; SameSite=Lax', cookie)

    @set_clock
    @async_test
    async def test_expired_or_forged_remember_cookie(self):
        client = TestClient(make_app()[0])
        client.cookies['_remember'] = _jwt.encode(
            {'user_id': 1, 'gen': 0, 'exp': _jwt.now() - 1}, KEY, 'remember')
        self.assertEqual((await client.get('/')).status_code, 302)
        client.cookies['_remember'] = _jwt.encode(
            {'user_id': 1, 'gen': 0, 'exp': _jwt.now() + 60}, 'wrong-key',
            'remember')
        self.assertEqual((await client.get('/')).status_code, 302)
        client.cookies['_remember'] = _jwt.encode(
            {'user_id': 1, 'gen': 0, 'exp': _jwt.now() + 60}, KEY,
            'remember')
        self.assertEqual((await client.get('/')).text, 'susan:True')
