# Microdot: return forms (R1, also for error handlers), before/after/
# after-error/request-scoped hooks and g.
import unittest

from microdot import Microdot, Response, abort
from microdot.test_client import TestClient
from support import async_test


def client_for(app):
    return TestClient(app)


class ReturnFormTests(unittest.TestCase):
    """R1: every form a handler may return."""

    async def get(self, value, error_handler=False):
        app = Microdot()

        if error_handler:
            @app.errorhandler(404)
            def nf(req):
                return value
        else:
            @app.get('/')
            def index(req):
                return value

        return await client_for(app).get('/' if not error_handler
                                         else '/missing')

    @async_test
    async def test_response(self):
        res = await self.get(Response('x', 201, {'X-A': '1'}, 'Made'))
        self.assertEqual((res.status_code, res.text, res.reason),
                         (201, 'x', 'Made'))
        self.assertEqual(res.headers['X-A'], '1')

    @async_test
    async def test_int(self):
        for error_handler in (False, True):
            res = await self.get(202, error_handler)
            self.assertEqual(res.status_code, 202)
            self.assertEqual(res.text, '')
            self.assertEqual(res.headers['Content-Type'],
                             'text/plain; charset=UTF-8')

    @async_test
    async def test_status_tuples(self):
        for error_handler in (False, True):
            res = await self.get((204,), error_handler)
            self.assertEqual((res.status_code, res.body), (204, b''))
            res = await self.get(
                (202, {'Content-Type': 'text/html; charset=UTF-8'}),
                error_handler)
            self.assertEqual((res.status_code, res.body), (202, b''))
            self.assertEqual(res.headers['Content-Type'],
                             'text/html; charset=UTF-8')

    @async_test
    async def test_body_status(self):
        for error_handler in (False, True):
            res = await self.get(('body', 201), error_handler)
            self.assertEqual((res.status_code, res.text), (201, 'body'))

    @async_test
    async def test_body_status_headers(self):
        for error_handler in (False, True):
            res = await self.get(('<p>x</p>', 201,
                                  {'Content-Type': 'text/html'}),
                                 error_handler)
            self.assertEqual((res.status_code, res.text), (201, '<p>x</p>'))
            self.assertEqual(res.headers['Content-Type'], 'text/html')

    @async_test
    async def test_body_headers(self):
        for error_handler in (False, True):
            res = await self.get(('<p>three</p>',
                                  {'Content-Type': 'text/html'}),
                                 error_handler)
            self.assertEqual(res.status_code, 200)
            self.assertEqual(res.text, '<p>three</p>')
            self.assertEqual(res.headers['Content-Type'], 'text/html')

    @async_test
    async def test_reason_element(self):
        for error_handler in (False, True):
            res = await self.get(('body', 299, {'X-A': '1'}, 'Fine'),
                                 error_handler)
            self.assertEqual((res.status_code, res.reason), (299, 'Fine'))
            self.assertEqual(res.headers['X-A'], '1')

    @async_test
    async def test_none(self):
        res = await self.get(None)
        self.assertEqual(res.status_code, 204)
        self.assertEqual(res.body, b'')
        self.assertEqual(res.headers['Content-Length'], '0')

    @async_test
    async def test_plain_values(self):
        res = await self.get('text')
        self.assertEqual((res.status_code, res.text), (200, 'text'))
        res = await self.get(b'\xff\xfe')
        self.assertEqual(res.body, b'\xff\xfe')
        res = await self.get({'hello': 'world'})
        self.assertEqual(res.headers['Content-Type'],
                         'application/json; charset=UTF-8')
        self.assertEqual(res.body, b'{"hello": "world"}')
        self.assertEqual(res.json, {'hello': 'world'})
        res = await self.get([1, '2'])
        self.assertEqual(res.json, [1, '2'])

    @async_test
    async def test_binary_octet_stream(self):
        res = await self.get((b'\xff\xfe', 200,
                              {'Content-Type': 'application/octet-stream'}))
        self.assertIsNone(res.text)
        self.assertEqual(res.body, b'\xff\xfe')
        self.assertIsNone(res.json)

    @async_test
    async def test_error_handler_body_headers(self):
        # fixed weakness: error handler results go through R1 as well
        res = await self.get(('nf', {'X-A': '1'}), error_handler=True)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'nf')
        self.assertEqual(res.headers['X-A'], '1')
        res = await self.get(({'error': 'resource not found'}, 404),
                             error_handler=True)
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.json, {'error': 'resource not found'})


class HookTests(unittest.TestCase):
    @async_test
    async def test_before_request_g(self):
        app = Microdot()

        @app.before_request
        def before(req):
            req.g.message = 'hello'

        @app.before_request
        async def before2(req):
            req.g.message += '!'

        @app.get('/')
        def index(req):
            return req.g.message

        self.assertEqual((await client_for(app).get('/')).text, 'hello!')

    @async_test
    async def test_before_request_short_circuit(self):
        app = Microdot()
        calls = []

        @app.before_request
        def before(req):
            if req.path == '/blocked':
                return 'Unauthorized', 401

        @app.before_request
        def before2(req):
            calls.append('before2')

        @app.after_request
        def after(req, res):
            res.headers['X-After'] = '1'

        @app.after_error_request
        def after_error(req, res):
            res.headers['X-After-Error'] = '1'

        @app.route('/blocked')
        def blocked(req):
            calls.append('route')
            return 'never'

        res = await client_for(app).get('/blocked')
        self.assertEqual(res.status_code, 401)
        self.assertEqual(res.text, 'Unauthorized')
        self.assertEqual(calls, [])
        self.assertEqual(res.headers['X-After'], '1')
        self.assertNotIn('X-After-Error', res.headers)

    @async_test
    async def test_before_request_falsy_result(self):
        # fixed weakness: the short-circuit test is `is not None`
        app = Microdot()
        calls = []

        @app.before_request
        def before(req):
            return ''

        @app.before_request
        def before2(req):
            calls.append('before2')

        @app.get('/')
        def index(req):
            calls.append('route')
            return 'route'

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, '')
        self.assertEqual(calls, [])

    @async_test
    async def test_after_request(self):
        app = Microdot()

        @app.after_request
        def replace(req, res):
            if req.path == '/replace':
                return Response('replaced', 202)

        @app.after_request
        async def header(req, res):
            res.headers['X-Foo'] = 'bar'
            return res

        @app.route('/replace')
        def r(req):
            return 'original'

        @app.route('/keep')
        def k(req):
            return 'kept'

        client = client_for(app)
        res = await client.get('/replace')
        self.assertEqual((res.status_code, res.text), (202, 'replaced'))
        self.assertEqual(res.headers['X-Foo'], 'bar')
        res = await client.get('/keep')
        self.assertEqual((res.status_code, res.text), (200, 'kept'))
        self.assertEqual(res.headers['X-Foo'], 'bar')
        res = await client.get('/missing')
        self.assertEqual(res.status_code, 404)
        self.assertNotIn('X-Foo', res.headers)

    @async_test
    async def test_after_request_not_on_exception(self):
        app = Microdot()
        calls = []

        @app.after_request
        def after(req, res):
            calls.append('after')

        @app.get('/')
        def index(req):
            raise RuntimeError()

        @app.errorhandler(RuntimeError)
        def handler(req, exc):
            return 'handled', 500

        res = await client_for(app).get('/')
        self.assertEqual(res.text, 'handled')
        self.assertEqual(calls, [])

    @async_test
    async def test_after_request_exception_goes_to_error_path(self):
        app = Microdot()

        @app.after_request
        def after(req, res):
            raise RuntimeError()

        @app.after_error_request
        def after_error(req, res):
            res.headers['X-Error'] = 'yes'

        @app.get('/')
        def index(req):
            return 'ok'

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.headers['X-Error'], 'yes')

    @async_test
    async def test_request_after_request(self):
        app = Microdot()
        order = []

        @app.after_request
        def app_after(req, res):
            order.append('app')

        @app.get('/')
        def index(req):
            @req.after_request
            def local(req, res):
                order.append('request')
                res.set_cookie('session', '', http_only=True)
                return res

            @req.after_request
            async def local2(req, res):
                order.append('request2')
                return Response(res.body + b'!', headers=res.headers)

            return 'Logged out'

        @app.get('/fail')
        def fail(req):
            @req.after_request
            def local(req, res):
                order.append('never')

            abort(400)

        client = client_for(app)
        res = await client.get('/')
        self.assertEqual(res.text, 'Logged out!')
        self.assertEqual(res.headers['Set-Cookie'], ['session=; HttpOnly'])
        self.assertEqual(order, ['app', 'request', 'request2'])
        res = await client.get('/fail')
        self.assertEqual(res.status_code, 400)
        self.assertEqual(order, ['app', 'request', 'request2'])

    @async_test
    async def test_after_error_request(self):
        app = Microdot()
        seen = []

        @app.after_error_request
        def after_error(req, res):
            seen.append(req)
            res.headers['X-Error'] = str(res.status_code)
            res.set_cookie('err', '1')
            return res

        @app.get('/')
        def index(req):
            return 'ok'

        client = client_for(app)
        res = await client.get('/')
        self.assertEqual(res.status_code, 200)
        self.assertNotIn('X-Error', res.headers)
        res = await client.get('/missing')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.headers['X-Error'], '404')
        self.assertEqual(client.cookies, {'err': '1'})
        res = await client.post('/')
        self.assertEqual(res.headers['X-Error'], '405')
        res = await app.dispatch_request(None)
        self.assertEqual(res.headers['X-Error'], '400')
        self.assertIsNone(seen[-1])

    @async_test
    async def test_after_error_request_replaces(self):
        app = Microdot()

        @app.after_error_request
        def after_error(req, res):
            return 'replaced', 418

        res = await client_for(app).get('/missing')
        self.assertEqual((res.status_code, res.text), (418, 'replaced'))

    @async_test
    async def test_g_fresh_per_request(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            seen = hasattr(req.g, 'x')
            req.g.x = 1
            return str(seen)

        client = client_for(app)
        self.assertEqual((await client.get('/')).text, 'False')
        self.assertEqual((await client.get('/')).text, 'False')

    def test_hook_registration_returns_function(self):
        app = Microdot()

        def f(*args):
            pass

        self.assertIs(app.before_request(f), f)
        self.assertIs(app.after_request(f), f)
        self.assertIs(app.after_error_request(f), f)
        self.assertIs(app.errorhandler(404)(f), f)
        self.assertIs(app.errorhandler(ValueError)(f), f)
        self.assertEqual(app.before_request_handlers, [f])
        self.assertEqual(app.after_request_handlers, [f])
        self.assertEqual(app.after_error_request_handlers, [f])
        self.assertIs(app.error_handlers[404], f)
        self.assertIs(app.error_handlers[ValueError], f)

    def test_initial_attributes(self):
        app = Microdot()
        self.assertEqual(app.url_map, [])
        self.assertEqual(app.error_handlers, {})
        self.assertIsNotNone(app.options_handler)
        self.assertFalse(app.ssl)
        self.assertFalse(app.debug)
        self.assertIsNone(app.server)
