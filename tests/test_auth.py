import binascii
import unittest

from microdot import Microdot
from microdot.auth import BasicAuth, TokenAuth, compare_digest
from microdot.test_client import TestClient
from support import MICROPYTHON, async_test

USERS = {'susan': 'hello', 'david': 'bye'}


def basic(credentials, scheme='Basic'):
    return {'Authorization': scheme + ' ' + binascii.b2a_base64(
        credentials.encode()).decode().strip()}


def basic_app(**options):
    app = Microdot()
    auth = BasicAuth(**options)

    @auth.authenticate
    def check(request, username, password):
        if username in USERS and compare_digest(USERS[username], password):
            return {'name': username}

    @app.route('/')
    @auth
    def index(request):
        return request.g.current_user['name']

    @app.route('/optional')
    @auth.optional
    async def optional(request):
        user = request.g.current_user
        return user['name'] if user else 'anonymous'

    return app, auth, check


class Basic(unittest.TestCase):
    @async_test
    async def test_good_credentials(self):
        app = basic_app()[0]
        res = await TestClient(app).get('/', headers=basic('susan:hello'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'susan')
        res = await TestClient(app).get('/', headers=basic('david:bye',
                                                            'basic'))
        self.assertEqual(res.text, 'david')

    @async_test
    async def test_missing_or_wrong_credentials(self):
        app = basic_app()[0]
        for headers in ({}, basic('susan:bye'), basic('nobody:hello'),
                        basic('no-colon'), {'Authorization': 'Basic %%%'},
                        {'Authorization': 'Basic'},
                        {'Authorization': 'Bearer x'}):
            res = await TestClient(app).get('/', headers=headers)
            self.assertEqual(res.status_code, 401, headers)
            self.assertEqual(res.headers['WWW-Authenticate'],
                             'Basic realm="Please login", charset="UTF-8"')

    @async_test
    async def test_custom_realm_scheme_and_status(self):
        app = basic_app(realm='My "board"', scheme='xBasic',
                        error_status=403)[0]
        res = await TestClient(app).get('/')
        self.assertEqual(res.status_code, 403)
        self.assertEqual(res.headers['WWW-Authenticate'],
                         'xBasic realm="My \\"board\\"", charset="UTF-8"')
        res = await TestClient(app).get('/', headers=basic('susan:hello',
                                                            'xBasic'))
        self.assertEqual(res.text, 'susan')

    @async_test
    async def test_optional(self):
        app = basic_app()[0]
        client = TestClient(app)
        self.assertEqual((await client.get('/optional')).text, 'anonymous')
        res = await client.get('/optional', headers=basic('susan:bye'))
        self.assertEqual(res.text, 'anonymous')
        res = await client.get('/optional', headers=basic('susan:hello'))
        self.assertEqual(res.text, 'susan')

    def test_decorators_return_the_function(self):
        app, auth, check = basic_app()
        self.assertIs(auth.auth_callback, check)
        self.assertIsNotNone(check)

    @unittest.skipIf(MICROPYTHON, 'MicroPython functions carry no metadata')
    def test_wrapper_keeps_metadata(self):
        auth = BasicAuth()

        def view(request):
            """Docs."""

        wrapped = auth(view)
        self.assertEqual((wrapped.__name__, wrapped.__doc__),
                         ('view', 'Docs.'))


class Token(unittest.TestCase):
    def make_app(self, **options):
        app = Microdot()
        auth = TokenAuth(**options)

        @auth.authenticate
        async def check(request, token):
            if token == 'foo':
                return 'user'

        @app.route('/')
        @auth
        def index(request):
            return request.g.current_user

        return app, auth

    @async_test
    async def test_bearer(self):
        app = self.make_app()[0]
        client = TestClient(app)
        for value in ('Bearer foo', 'bearer foo', 'BEARER  foo '):
            res = await client.get('/', headers={'Authorization': value})
            self.assertEqual(res.status_code, 200, value)
            self.assertEqual(res.text, 'user')
        for value in ('Basic foo', 'invalid', 'Bearer', 'Bearer bar'):
            res = await client.get('/', headers={'Authorization': value})
            self.assertEqual(res.status_code, 401, value)
            self.assertEqual(res.text, '401 error')
            self.assertEqual(res.headers['WWW-Authenticate'], 'Bearer')
        self.assertEqual((await client.get('/')).status_code, 401)

    @async_test
    async def test_app_error_handler_still_applies(self):
        app = self.make_app()[0]

        @app.errorhandler(401)
        def unauthorized(request):
            return 'please log in', 401

        res = await TestClient(app).get('/')
        self.assertEqual((res.status_code, res.text), (401, 'please log in'))

    @async_test
    async def test_custom_header(self):
        app = self.make_app(header='X-Auth-Token')[0]
        client = TestClient(app)
        for name in ('X-Auth-Token', 'x-auth-token', 'X-AUTH-TOKEN'):
            res = await client.get('/', headers={name: 'foo'})
            self.assertEqual(res.status_code, 200, name)
        res = await client.get('/', headers={'Authorization': 'Bearer foo'})
        self.assertEqual(res.status_code, 401)
        self.assertNotIn('WWW-Authenticate', res.headers)

    @async_test
    async def test_custom_error_handler(self):
        app, auth = self.make_app()

        @auth.errorhandler
        def error(request):
            return {'status_code': 403}, 403

        self.assertIs(auth.error_callback, error)
        res = await TestClient(app).get('/', headers={
            'Authorization': 'Bearer bar'})
        self.assertEqual(res.status_code, 403)
        self.assertEqual(res.json, {'status_code': 403})

    @async_test
    async def test_error_status(self):
        app = self.make_app(error_status=403)[0]
        res = await TestClient(app).get('/')
        self.assertEqual((res.status_code, res.text), (403, '403 error'))
        self.assertNotIn('WWW-Authenticate', res.headers)


class CompareDigest(unittest.TestCase):
    def test_compare(self):
        self.assertTrue(compare_digest('secret', 'secret'))
        self.assertFalse(compare_digest('secret', 'secreT'))
        self.assertFalse(compare_digest('secret', 'secret!'))
        self.assertTrue(compare_digest(b'\xff', b'\xff'))
