# Regression tests for the session, login and token findings of issue 11:
# logout that ends sessions, login lifetime, remember-me, rotation, typed
# tokens, strict base64url, JSON parsed only after the signature, boards
# without a clock, weak secret keys. The clock is injected (_jwt.now), so
# these run on ports without one too.
import unittest

from microdot import Microdot
from microdot import _jwt
from microdot.login import Login
from microdot.session import SAMPLE_KEYS, Session, with_session
from microdot.test_client import TestClient
from support import TESTS_DIR, async_test
from users import USERS

KEY = 'a-key-for-the-session-security-tests'
T0 = 1800000000  # 2027-01-15: a clock that has been set
Y2K = 946684800  # where a board without a clock restarts


def make_app(min_time=None, **login_options):
    app = Microdot()
    sessions = Session(app, secret_key=KEY)
    if min_time is not None:
        sessions.min_time = min_time
    login = Login(**login_options)

    @login.user_loader
    def load_user(user_id):
        return USERS.get(user_id)

    @app.post('/login/<int:user_id>')
    async def login_route(request, user_id):
        remember = request.args.get('remember')
        return await login.login_user(
            request, USERS[user_id], remember=int(remember or 0))

    @app.post('/logout')
    async def logout(request):
        await login.logout_user(request)
        return 'bye'

    @app.get('/')
    @login
    async def index(request):
        return request.g.current_user.name

    @app.get('/fresh')
    @login.fresh
    async def fresh(request):
        return 'fresh:' + request.g.current_user.name

    @app.post('/set/<key>/<value>')
    @with_session
    async def set_value(request, session, key, value):
        session[key] = int(value) if value.isdigit() else value
        session.save()
        return 'ok'

    @app.get('/get/<key>')
    @with_session
    async def get_value(request, session, key):
        return str(session.get(key))

    app.login = login  # for tests that restart the app
    return app


def set_cookies(res, name):
    return [c for c in res.headers.get('Set-Cookie', [])
            if c.startswith(name + '=')]


class FakeClock(unittest.TestCase):
    """Runs each test with ``_jwt.now()`` reading ``self.time``, and with
    warnings collected in ``self.warnings``."""
    def setUp(self):
        self.time = T0
        self.saved = (_jwt.now, _jwt.warn, _jwt._clock_warned)
        _jwt.now = lambda: self.time
        self.warnings = []
        _jwt.warn = self.warnings.append
        _jwt._clock_warned = False

    def tearDown(self):
        _jwt.now, _jwt.warn, _jwt._clock_warned = self.saved


class LogoutEndsLogins(FakeClock):
    """Finding 5: cookies captured before a logout stop working."""
    @async_test
    async def test_captured_session_cookie_refused_after_logout(self):
        app = make_app()
        client = TestClient(app)
        await client.post('/login/1')
        captured = client.cookies['session']
        other_browser = TestClient(app, cookies={'session': captured})
        self.assertEqual((await client.get('/fresh')).text, 'fresh:susan')
        await client.post('/logout')
        for path in ('/', '/fresh'):
            client.cookies['session'] = captured
            self.assertEqual((await client.get(path)).status_code, 302)
        # a logout ends the user's logins in every browser
        self.assertEqual((await other_browser.get('/')).status_code, 302)
        await client.post('/login/1')
        self.assertEqual((await client.get('/')).text, 'susan')

    @async_test
    async def test_captured_remember_cookie_refused_after_logout(self):
        client = TestClient(make_app())
        await client.post('/login/1?remember=30')
        captured = client.cookies['_remember']
        await client.post('/logout')
        self.assertNotIn('_remember', client.cookies)
        client.cookies['_remember'] = captured
        self.assertEqual((await client.get('/')).status_code, 302)

    @async_test
    async def test_a_logout_after_a_restart_revives_no_token(self):
        # review finding: counted generations restarted at 0, so the second
        # logout after a restart made a token from before it valid again
        app = make_app()
        client = TestClient(app)
        await client.post('/login/1?remember=30')
        await client.post('/logout')
        await client.post('/login/1?remember=30')
        captured = dict(client.cookies)
        await client.post('/logout')
        app.login.generations.clear()  # the board restarted
        await client.post('/login/1')
        await client.post('/logout')
        for name in ('session', '_remember'):
            browser = TestClient(app, cookies={name: captured[name]})
            self.assertEqual((await browser.get('/')).status_code, 302, name)

    @async_test
    async def test_logins_last_a_day_by_default(self):
        client = TestClient(make_app())
        await client.post('/login/1')
        self.time = T0 + 86399
        self.assertEqual((await client.get('/')).text, 'susan')
        self.time = T0 + 86400
        self.assertEqual((await client.get('/')).status_code, 302)
        self.assertEqual((await client.get('/fresh')).status_code, 302)

    @async_test
    async def test_expired_login_restored_from_remember_is_not_fresh(self):
        client = TestClient(make_app())
        await client.post('/login/1?remember=30')
        self.time = T0 + 86400
        self.assertEqual((await client.get('/fresh')).status_code, 302)
        self.assertEqual((await client.get('/')).text, 'susan')
        self.assertEqual((await client.get('/fresh')).status_code, 302)

    @async_test
    async def test_session_lifetime_setting(self):
        client = TestClient(make_app(session_lifetime=60))
        await client.post('/login/1')
        self.time = T0 + 60
        self.assertEqual((await client.get('/')).status_code, 302)
        client = TestClient(make_app(session_lifetime=None))
        await client.post('/login/1')
        self.time = T0 + 10 * 365 * 86400
        self.assertEqual((await client.get('/')).text, 'susan')

    @async_test
    async def test_remember_cookie_is_not_renewed_and_expires(self):
        client = TestClient(make_app())
        res = await client.post('/login/1?remember=2')
        self.assertIn('; Max-Age=172800;', set_cookies(res, '_remember')[0])
        self.time = T0 + 172799
        del client.cookies['session']  # the browser was closed
        res = await client.get('/')
        self.assertEqual(res.text, 'susan')
        self.assertEqual(set_cookies(res, '_remember'), [])
        self.assertEqual((await client.get('/fresh')).status_code, 302)
        self.time = T0 + 172800
        del client.cookies['session']
        self.assertEqual((await client.get('/')).status_code, 302)


class RememberMeOfAnotherUser(FakeClock):
    """Finding 6: a login without "remember me" drops an earlier one."""
    @async_test
    async def test_login_without_remember_deletes_the_cookie(self):
        client = TestClient(make_app())
        await client.post('/login/1?remember=30')
        res = await client.post('/login/2')
        self.assertIn('Max-Age=0', set_cookies(res, '_remember')[0])
        self.assertNotIn('_remember', client.cookies)
        self.assertEqual((await client.get('/')).text, 'david')
        del client.cookies['session']  # the browser was restarted
        self.assertEqual((await client.get('/')).status_code, 302)

    @async_test
    async def test_login_without_any_remember_cookie_sets_none(self):
        res = await TestClient(make_app()).post('/login/2')
        self.assertEqual(len(res.headers['Set-Cookie']), 1)


class RotationAndTokenTypes(FakeClock):
    """Finding 7: a login starts a new session; a token of one kind is
    never accepted as another."""
    @async_test
    async def test_data_from_before_the_login_is_dropped(self):
        client = TestClient(make_app())
        await client.post('/set/cart/planted')
        self.assertEqual((await client.get('/get/cart')).text, 'planted')
        await client.post('/login/1')
        self.assertEqual((await client.get('/get/cart')).text, 'None')
        # data set after the login stays
        await client.post('/set/cart/mine')
        self.assertEqual((await client.get('/get/cart')).text, 'mine')

    @async_test
    async def test_remember_token_is_not_a_session_cookie(self):
        client = TestClient(make_app())
        await client.post('/login/1?remember=30')
        client.cookies['session'] = client.cookies.pop('_remember')
        self.assertEqual((await client.get('/get/user_id')).text, 'None')
        self.assertEqual((await client.get('/')).status_code, 302)

    @async_test
    async def test_session_cookie_is_not_a_remember_token(self):
        client = TestClient(make_app())
        # a session that happens to hold a user_id (and a gen) of its own
        await client.post('/set/user_id/1')
        await client.post('/set/gen/0')
        client.cookies['_remember'] = client.cookies.pop('session')
        self.assertEqual((await client.get('/')).status_code, 302)

    @async_test
    async def test_untyped_token_is_not_a_session_cookie(self):
        app = make_app()
        token = app._session.encode({'_user_id': 1, '_fresh': True,
                                     '_login_time': T0, '_login_gen': 0})
        client = TestClient(app, cookies={'session': token})
        self.assertEqual((await client.get('/')).status_code, 302)
        client.cookies['session'] = app._session.encode(
            {'_user_id': 1, '_fresh': True, '_login_time': T0,
             '_login_gen': 0}, typ='session')
        self.assertEqual((await client.get('/')).text, 'susan')

    def test_typ_is_checked(self):
        token = _jwt.encode({'a': 1}, KEY, 'remember')
        self.assertEqual(_jwt.decode(token, KEY, 'remember'), {'a': 1})
        for typ in ('JWT', 'session'):
            with self.assertRaises(_jwt.InvalidTokenError):
                _jwt.decode(token, KEY, typ)


def replace_char(text, index, char):
    return text[:index] + char + text[index + 1:]


class StrictBase64url(FakeClock):
    """Finding 9: one token has one spelling."""
    def test_malleated_signatures_fail(self):
        token = _jwt.encode({'sub': 1}, KEY)
        self.assertEqual(_jwt.decode(token, KEY), {'sub': 1})
        alphabet = ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
                    '0123456789-_')
        last = alphabet[alphabet.index(token[-1]) ^ 1]  # an unused low bit
        middle = len(token) - 20
        for bad in (token[:middle] + '!!*' + token[middle:],
                    replace_char(token, len(token) - 1, last),
                    token + '=', token + '\n', token[:middle] + ' ' +
                    token[middle:]):
            with self.assertRaises(_jwt.InvalidTokenError):
                _jwt.decode(bad, KEY)

    def test_standard_alphabet_and_padding_refused(self):
        self.assertEqual(_jwt.b64url_decode('-_-_'), b'\xfb\xff\xbf')
        self.assertEqual(_jwt.b64url_decode('YQ'), b'a')
        for bad in ('+/+/', 'YQ==', 'YR', 'Y', 'YQ!', ' YQ', 'YQ\n', 'Y.Q'):
            with self.assertRaises(_jwt.InvalidTokenError):
                _jwt.b64url_decode(bad)

    @async_test
    async def test_malleated_session_cookie_gives_empty_session(self):
        client = TestClient(make_app())
        await client.post('/set/name/alice')
        token = client.cookies['session']
        client.cookies['session'] = token[:-5] + '!!*' + token[-5:]
        self.assertEqual((await client.get('/get/name')).text, 'None')


class JSONAfterSignature(FakeClock):
    """Finding 10 (session part): nothing is parsed before the signature
    is verified, so deep nesting gives an empty session, not a 500."""
    def nested_token(self, depth, header=True):
        deep = _jwt.b64url_encode(b'[' * depth).decode()
        segments = [deep, 'e30'] if header else ['e30', deep]
        return '.'.join(segments) + '.' + \
            _jwt.b64url_encode(b'x' * 32).decode()

    def test_decode_refuses_without_parsing(self):
        for depth in (1400, 5000):
            for header in (True, False):
                with self.assertRaises(_jwt.InvalidTokenError):
                    _jwt.decode(self.nested_token(depth, header), KEY)

    @async_test
    async def test_nested_session_cookie(self):
        client = TestClient(make_app(), cookies={
            'session': self.nested_token(1400)})
        res = await client.get('/get/name')
        self.assertEqual((res.status_code, res.text), (200, 'None'))
        client.cookies['_remember'] = client.cookies.pop('session')
        self.assertEqual((await client.get('/')).status_code, 302)


class ClockNotSet(FakeClock):
    """Finding 15: a board whose clock restarted near 2000 refuses tokens
    that expire (with one warning) unless Session.min_time allows it."""
    @async_test
    async def test_expiring_session_refused_until_the_clock_is_set(self):
        self.time = Y2K + 3600
        app = Microdot()
        sessions = Session(app, secret_key=KEY, max_age=600)

        @app.get('/')
        @with_session
        async def index(request, session):
            session['visits'] = session.get('visits', 0) + 1
            session.save()
            return str(session['visits'])

        client = TestClient(app)
        for _ in range(3):
            self.assertEqual((await client.get('/')).text, '1')
        self.assertEqual(len(self.warnings), 1)
        self.assertIn('clock', self.warnings[0])
        self.time = T0  # NTP set the clock
        await client.get('/')
        self.assertEqual((await client.get('/')).text, '2')
        self.time = Y2K + 3600
        sessions.min_time = 0  # trust a clock counting from the boot
        client = TestClient(app)
        await client.get('/')
        self.assertEqual((await client.get('/')).text, '2')

    @async_test
    async def test_login_refused_until_the_clock_is_set(self):
        self.time = Y2K + 60
        client = TestClient(make_app())
        await client.post('/login/1?remember=30')
        self.assertEqual((await client.get('/')).status_code, 302)
        self.assertEqual(len(self.warnings), 1)

    @async_test
    async def test_settings_for_a_board_without_a_clock(self):
        self.time = Y2K + 60
        # no lifetime: a login ends at logout or when the browser closes
        client = TestClient(make_app(session_lifetime=None))
        await client.post('/login/1')
        self.assertEqual((await client.get('/')).text, 'susan')
        # a clock counting from the boot: a reboot sends it back, and
        # logins from "the future" are refused
        client = TestClient(make_app(min_time=0))
        await client.post('/login/1')
        self.assertEqual((await client.get('/')).text, 'susan')
        self.time = Y2K + 5
        self.assertEqual((await client.get('/')).status_code, 302)
        self.assertEqual(self.warnings, [])


class WeakSecretKey(FakeClock):
    """Finding 16: one warning for a short key or a README sample key."""
    async def use(self, key):
        app = Microdot()
        Session(app, secret_key=key)

        @app.get('/')
        @with_session
        async def index(request, session):
            session.save()

        client = TestClient(app)
        await client.get('/')
        await client.get('/')

    @async_test
    async def test_warns_once(self):
        for key in ('a long random string', b'a long random string',
                    'replace with a long random string', 'short',
                    '0123456789abcde'):
            self.warnings.clear()
            await self.use(key)
            self.assertEqual(len(self.warnings), 1, key)
            self.assertIn('secret key', self.warnings[0])

    @async_test
    async def test_good_keys_do_not_warn(self):
        for key in ('0123456789abcdef', KEY, b'\x00' * 32):
            await self.use(key)
        self.assertEqual(self.warnings, [])

    def test_sample_keys_are_the_readmes(self):
        try:
            with open(TESTS_DIR + '/../README.md') as f:
                readme = f.read()
        except OSError:  # the suite runs from a copy without the README
            self.skipTest('no README.md next to the tests')
        samples = [part.split("'", 1)[0]
                   for part in readme.split("secret_key='")[1:]]
        self.assertTrue(samples)
        for sample in samples:
            self.assertIn(sample.encode(), SAMPLE_KEYS)
