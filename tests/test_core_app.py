# Microdot: routing, methods, error statuses, exception handlers, abort and
# dispatch.
import unittest

from microdot import Microdot, Request, abort
from microdot.test_client import TestClient
from support import CPYTHON, async_test, run


def client_for(app):
    return TestClient(app)


class RoutingTests(unittest.TestCase):
    @async_test
    async def test_async_handler(self):
        app = Microdot()

        @app.route('/async')
        async def index(req):
            return 'foo-async'

        res = await client_for(app).get('/async')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Length'], '9')
        self.assertEqual(res.headers['Content-Type'],
                         'text/plain; charset=UTF-8')
        self.assertEqual(res.text, 'foo-async')
        self.assertEqual(res.body, b'foo-async')

    @async_test
    async def test_sync_handler(self):
        app = Microdot()

        @app.route('/')
        def index(req):
            return 'foo'

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'foo')

    def test_route_returns_function_and_url_map(self):
        app = Microdot()

        def f(req):
            return 'x'

        self.assertIs(app.route('/a')(f), f)
        self.assertIs(app.route('/b', methods=['post', 'Put'])(f), f)
        self.assertEqual(len(app.url_map), 2)
        methods, pattern, handler, prefix, subapp = app.url_map[1]
        self.assertEqual(methods, ['POST', 'PUT'])
        self.assertEqual(pattern.url_pattern, '/b')
        self.assertIs(handler, f)
        self.assertEqual(prefix, '')
        self.assertIsNone(subapp)
        self.assertEqual(app.url_map[0][0], ['GET'])

    @async_test
    async def test_path_args(self):
        app = Microdot()

        @app.route('/arg/<id>')
        def arg(req, id):
            return id + ':' + str(req.url_args)

        @app.route('/int/<int:a>/<b>')
        def ints(req, b, a):
            return str(a + 1) + b

        client = client_for(app)
        res = await client.get('/arg/123')
        self.assertEqual(res.text, "123:{'id': '123'}")
        res = await client.get('/int/41/x')
        self.assertEqual(res.text, '42x')
        res = await client.get('/int/x/x')
        self.assertEqual(res.status_code, 404)

    @async_test
    async def test_method_decorators(self):
        app = Microdot()
        for method in ('get', 'post', 'put', 'patch', 'delete'):
            def handler(req, method=method):
                return method + ':' + req.method
            getattr(app, method)('/' + method)(handler)

        @app.route('/multi', methods=['GET', 'POST'])
        def multi(req):
            return req.method

        client = client_for(app)
        for method in ('get', 'post', 'put', 'patch', 'delete'):
            for other in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE'):
                res = await client.request(other, '/' + method)
                if other == method.upper():
                    self.assertEqual(res.status_code, 200)
                    self.assertEqual(res.text, method + ':' + other)
                else:
                    self.assertEqual(res.status_code, 405)
        self.assertEqual((await client.get('/multi')).text, 'GET')
        self.assertEqual((await client.post('/multi')).text, 'POST')
        self.assertEqual((await client.put('/multi')).status_code, 405)

    @async_test
    async def test_first_route_wins(self):
        app = Microdot()

        @app.get('/a')
        def one(req):
            return 'one'

        @app.get('/a')
        def two(req):
            return 'two'

        @app.post('/a')
        def three(req):
            return 'three'

        client = client_for(app)
        self.assertEqual((await client.get('/a')).text, 'one')
        self.assertEqual((await client.post('/a')).text, 'three')

    @async_test
    async def test_lower_case_method(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return req.method

        res = await client_for(app).request('get', '/')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'get')

    @async_test
    async def test_request_route_and_app(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return str(req.route is index) + ':' + str(req.app is app)

        self.assertEqual((await client_for(app).get('/')).text, 'True:True')

    @unittest.skipUnless(CPYTHON, 'sync handlers run inline on MicroPython')
    @async_test
    async def test_sync_handlers_concurrent(self):
        import asyncio
        import threading
        app = Microdot()
        event = threading.Event()

        @app.get('/wait')
        def wait(req):
            return 'ok' if event.wait(5) else 'timeout'

        @app.get('/set')
        def set_(req):
            event.set()
            return 'set'

        client = client_for(app)
        r1, r2 = await asyncio.gather(client.get('/wait'), client.get('/set'))
        self.assertEqual(r1.text, 'ok')
        self.assertEqual(r2.text, 'set')


class ErrorStatusTests(unittest.TestCase):
    def setUp(self):
        self.saved = (Request.max_content_length, Request.max_body_length)

    def tearDown(self):
        Request.max_content_length, Request.max_body_length = self.saved

    @async_test
    async def test_404(self):
        app = Microdot()
        res = await client_for(app).get('/foo')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.text, 'Not found')
        self.assertEqual(res.headers['Content-Type'],
                         'text/plain; charset=UTF-8')
        self.assertEqual(res.headers['Content-Length'], '9')

    @async_test
    async def test_404_handler(self):
        app = Microdot()

        @app.errorhandler(404)
        def nf(req):
            return '404'

        res = await client_for(app).get('/foo')
        self.assertEqual(res.status_code, 200)  # locked
        self.assertEqual(res.text, '404')

    @async_test
    async def test_405(self):
        app = Microdot()

        @app.route('/foo', methods=['GET', 'PUT'])
        def foo(req):
            return 'foo'

        @app.post('/foo')
        def foo_post(req):
            return 'foo'

        res = await client_for(app).delete('/foo')
        self.assertEqual(res.status_code, 405)
        self.assertEqual(res.text, 'Not found')
        # fixed weakness: the 405 tells the client what is allowed
        self.assertEqual(res.headers['Allow'], 'GET, PUT, POST, HEAD, OPTIONS')

    @async_test
    async def test_405_handler(self):
        app = Microdot()

        @app.get('/foo')
        def foo(req):
            return 'foo'

        @app.errorhandler(405)
        def na(req):
            return '405', 405

        res = await client_for(app).post('/foo')
        self.assertEqual(res.status_code, 405)
        self.assertEqual(res.text, '405')

    @async_test
    async def test_413(self):
        Request.max_content_length = 16
        app = Microdot()

        @app.post('/')
        def index(req):
            return 'never'

        client = client_for(app)
        res = await client.post('/', body='x' * 17)
        self.assertEqual(res.status_code, 413)
        self.assertEqual(res.text, 'Payload too large')
        res = await client.post('/', body='x' * 16)
        self.assertEqual(res.status_code, 200)

    @async_test
    async def test_413_handler(self):
        Request.max_content_length = 16
        app = Microdot()

        @app.errorhandler(413)
        def too_large(req):
            return 'too big', 400

        res = await client_for(app).post('/', body='x' * 17)
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.text, 'too big')

    @async_test
    async def test_413_instance_limit(self):
        app = Microdot()

        @app.post('/')
        def index(req):
            return 'never'

        reader = Request.create
        client = client_for(app)

        async def small_limit(*args, **kwargs):
            req = await reader(*args, **kwargs)
            req.max_content_length = 2
            return req

        Request.create = small_limit
        try:
            res = await client.post('/', body='abc')
        finally:
            Request.create = reader
        self.assertEqual(res.status_code, 413)

    @async_test
    async def test_400(self):
        app = Microdot()
        res = await app.dispatch_request(None)
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.body, b'Bad request')
        self.assertFalse(res.is_head)

    @async_test
    async def test_400_body(self):
        from microdot.test_client import TestResponse
        app = Microdot()
        res = await TestResponse.create(await app.dispatch_request(None))
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.text, 'Bad request')

    @async_test
    async def test_400_handler(self):
        from microdot.test_client import TestResponse
        app = Microdot()
        seen = []

        @app.errorhandler(400)
        def bad(req):
            seen.append(req)
            return '400'

        res = await TestResponse.create(await app.dispatch_request(None))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, '400')
        self.assertEqual(seen, [None])

    @async_test
    async def test_500(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return 1 / 0

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.text, 'Internal server error')

    @async_test
    async def test_500_handler(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return 1 / 0

        @app.errorhandler(500)
        def err(req):
            return 'oops', 501

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 501)
        self.assertEqual(res.text, 'oops')

    @async_test
    async def test_404_handler_exception_is_500(self):
        app = Microdot()

        @app.errorhandler(404)
        def nf(req):
            raise RuntimeError('boom')

        res = await client_for(app).get('/nope')
        self.assertEqual(res.status_code, 500)

    @async_test
    async def test_invalid_json_is_400(self):
        app = Microdot()

        @app.post('/')
        def index(req):
            return {'got': req.json}

        res = await client_for(app).post(
            '/', body='{"a": ', headers={'Content-Type': 'application/json'})
        self.assertEqual(res.status_code, 400)


class ExceptionHandlerTests(unittest.TestCase):
    def make_app(self, *handlers):
        app = Microdot()

        @app.get('/')
        def index(req):
            return [][1]  # IndexError

        for exc_class in handlers:
            def handler(req, exc, name=exc_class.__name__):
                return name + ':' + type(exc).__name__, 501
            app.errorhandler(exc_class)(handler)
        return app

    @async_test
    async def test_exact(self):
        res = await client_for(self.make_app(IndexError)).get('/')
        self.assertEqual(res.status_code, 501)
        self.assertEqual(res.text, 'IndexError:IndexError')

    @async_test
    async def test_most_specific_ancestor(self):
        app = self.make_app(LookupError, Exception)
        res = await client_for(app).get('/')
        self.assertEqual(res.text, 'LookupError:IndexError')
        app = self.make_app(Exception, LookupError, IndexError)
        res = await client_for(app).get('/')
        self.assertEqual(res.text, 'IndexError:IndexError')
        app = self.make_app(Exception)
        res = await client_for(app).get('/')
        self.assertEqual(res.text, 'Exception:IndexError')

    @async_test
    async def test_unrelated_handler(self):
        res = await client_for(self.make_app(RuntimeError)).get('/')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.text, 'Internal server error')

    @async_test
    async def test_custom_hierarchy(self):
        class Base(Exception):
            pass

        class Mid(Base):
            pass

        class Leaf(Mid):
            pass

        app = Microdot()

        @app.get('/')
        def index(req):
            raise Leaf()

        @app.errorhandler(Base)
        def base(req, exc):
            return 'base'

        @app.errorhandler(Mid)
        def mid(req, exc):
            return 'mid'

        self.assertEqual((await client_for(app).get('/')).text, 'mid')

    @async_test
    async def test_handler_returning_none_is_500(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            raise ValueError()

        @app.errorhandler(ValueError)
        def handler(req, exc):
            return None

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 500)

    @async_test
    async def test_handler_raising_is_500(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            raise ValueError()

        @app.errorhandler(ValueError)
        def handler(req, exc):
            raise RuntimeError()

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.text, 'Internal server error')

    @async_test
    async def test_async_handler(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            raise ZeroDivisionError()

        @app.errorhandler(ZeroDivisionError)
        async def handler(req, exc):
            return {'error': 'division by zero'}, 500

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.json, {'error': 'division by zero'})


class AbortTests(unittest.TestCase):
    @async_test
    async def test_abort_reason(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            abort(406, 'Not acceptable')

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 406)
        self.assertEqual(res.text, 'Not acceptable')

    @async_test
    async def test_abort_default(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            Microdot.abort(406)

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 406)
        self.assertEqual(res.text, '406 error')

    @async_test
    async def test_abort_handler(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            abort(406)

        @app.errorhandler(406)
        def handler(req):
            return 'custom 406', 406

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 406)
        self.assertEqual(res.text, 'custom 406')

    @async_test
    async def test_abort_in_before_request(self):
        app = Microdot()

        @app.before_request
        def before(req):
            abort(401)

        @app.get('/')
        def index(req):
            return 'never'

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 401)
        self.assertEqual(res.text, '401 error')


class DispatchTests(unittest.TestCase):
    def test_dispatch_request_directly(self):
        from microdot.microdot import AsyncBytesIO
        app = Microdot()

        @app.get('/x')
        def x(req):
            return 'x'

        async def go(raw):
            req = await Request.create(app, AsyncBytesIO(raw), None, 'addr')
            return await app.dispatch_request(req)

        res = run(go(b'GET /x HTTP/1.0\r\n\r\n'))
        self.assertEqual(res.status_code, 200)
        self.assertFalse(res.is_head)
        res = run(go(b'HEAD /x HTTP/1.0\r\n\r\n'))
        self.assertTrue(res.is_head)
        res = run(go(b'GET /y HTTP/1.0\r\n\r\n'))
        self.assertEqual(res.status_code, 404)
