# Microdot: HEAD/OPTIONS, mounts (local, non-local, nested), streaming
# bodies and already_handled.
import unittest

from microdot import Microdot, Response
from microdot.test_client import TestClient
from support import MICROPYTHON, async_test


def client_for(app):
    return TestClient(app)


class AsyncIter:
    def __init__(self, items):
        self.items = list(items)
        self.closed = False

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self.items:
            raise StopAsyncIteration
        return self.items.pop(0)

    async def aclose(self):
        self.closed = True


class HeadOptionsTests(unittest.TestCase):
    @async_test
    async def test_head(self):
        app = Microdot()

        @app.route('/foo')
        def foo(req):
            return 'foo'

        res = await client_for(app).request('HEAD', '/foo')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Length'], '3')
        self.assertEqual(res.headers['Content-Type'],
                         'text/plain; charset=UTF-8')
        self.assertIsNone(res.body)
        self.assertIsNone(res.text)
        self.assertIsNone(res.json)

    @async_test
    async def test_head_lower_case(self):
        # fixed weakness: HEAD detection is case-insensitive
        app = Microdot()

        @app.route('/foo')
        def foo(req):
            return 'foo'

        res = await client_for(app).request('head', '/foo')
        self.assertEqual(res.status_code, 200)
        self.assertIsNone(res.body)

    @async_test
    async def test_explicit_head_route(self):
        # fixed weakness: a route for HEAD is reachable and preferred
        app = Microdot()

        @app.get('/foo')
        def foo(req):
            return 'get'

        @app.route('/foo', methods=['HEAD'])
        def head(req):
            return '', {'X-Head': 'yes'}

        @app.route('/only', methods=['HEAD'])
        def only(req):
            return '', {'X-Only': 'yes'}

        client = client_for(app)
        res = await client.request('HEAD', '/foo')
        self.assertEqual(res.headers['X-Head'], 'yes')
        res = await client.request('HEAD', '/only')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['X-Only'], 'yes')
        res = await client.get('/only')
        self.assertEqual(res.status_code, 405)
        res = await client.get('/foo')
        self.assertEqual(res.text, 'get')

    @async_test
    async def test_head_closes_body(self):
        app = Microdot()
        log = []

        @app.get('/gen')
        def gen_route(req):
            def gen():
                log.append('started')
                try:
                    yield 'data'
                finally:
                    log.append('closed')
            g = gen()
            next(g)
            return g

        body = AsyncIter(['a'])

        @app.get('/iter')
        def iter_route(req):
            return body

        client = client_for(app)
        res = await client.request('HEAD', '/gen')
        self.assertIsNone(res.body)
        self.assertEqual(log, ['started', 'closed'])
        res = await client.request('HEAD', '/iter')
        self.assertTrue(body.closed)

    @async_test
    async def test_options(self):
        app = Microdot()

        @app.route('/', methods=['GET', 'DELETE'])
        def index(req):
            return 'index'

        @app.post('/')
        def index_post(req):
            return 'post'

        @app.route('/foo', methods=['POST', 'PUT'])
        def foo(req):
            return 'foo'

        client = client_for(app)
        res = await client.request('OPTIONS', '/')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Allow'],
                         'GET, DELETE, POST, HEAD, OPTIONS')
        self.assertEqual(res.body, b'')
        res = await client.request('OPTIONS', '/foo')
        self.assertEqual(res.headers['Allow'], 'POST, PUT, OPTIONS')

    @async_test
    async def test_options_unknown_path_and_duplicates(self):
        # fixed weaknesses: 404 for unknown paths, no repeated methods
        app = Microdot()

        @app.get('/')
        def one(req):
            return 'one'

        @app.route('/', methods=['GET', 'POST'])
        def two(req):
            return 'two'

        client = client_for(app)
        res = await client.request('OPTIONS', '/missing')
        self.assertEqual(res.status_code, 404)
        res = await client.request('OPTIONS', '/')
        self.assertEqual(res.headers['Allow'], 'GET, POST, HEAD, OPTIONS')

    @async_test
    async def test_options_normal_pipeline(self):
        # fixed weakness: OPTIONS goes through before/after handlers
        app = Microdot()
        calls = []

        @app.before_request
        def before(req):
            calls.append('before')

        @app.after_request
        def after(req, res):
            calls.append('after')

        @app.after_error_request
        def after_error(req, res):
            calls.append('after_error')

        @app.get('/')
        def index(req):
            return 'index'

        res = await client_for(app).request('OPTIONS', '/')
        self.assertEqual(res.headers['Allow'], 'GET, HEAD, OPTIONS')
        self.assertEqual(calls, ['before', 'after'])

    @async_test
    async def test_options_handler_disabled(self):
        app = Microdot()
        app.options_handler = None

        @app.get('/')
        def index(req):
            return 'index'

        @app.route('/opt', methods=['OPTIONS'])
        def opt(req):
            return 'explicit', {'Allow': 'X'}

        client = client_for(app)
        res = await client.request('OPTIONS', '/opt')
        self.assertEqual((res.status_code, res.text), (200, 'explicit'))
        res = await client.request('OPTIONS', '/')
        self.assertEqual(res.status_code, 405)

    @async_test
    async def test_custom_options_handler(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return 'index'

        app.options_handler = lambda req: {'Allow': 'GET', 'X-Custom': '1'}
        res = await client_for(app).request('OPTIONS', '/')
        self.assertEqual(res.headers['Allow'], 'GET')
        self.assertEqual(res.headers['X-Custom'], '1')


class MountTests(unittest.TestCase):
    @async_test
    async def test_mount_non_local(self):
        subapp = Microdot()

        @subapp.before_request
        def before(req):
            req.g.before = 'before'

        @subapp.after_request
        def after(req, res):
            res.body += b':after'

        @subapp.after_error_request
        def after_error(req, res):
            res.body += b':errorafter'

        @subapp.errorhandler(404)
        def not_found(req):
            return '404', 404

        @subapp.route('/app')
        def index(req):
            return req.g.before + ':' + req.url_prefix

        app = Microdot()
        app.mount(subapp, url_prefix='/sub')
        client = client_for(app)
        res = await client.get('/sub/app')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'before:/sub:after')
        res = await client.get('/app')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.text, '404:errorafter')
        # the handlers moved to the parent
        self.assertEqual(subapp.before_request_handlers, [])
        self.assertEqual(subapp.error_handlers, {})
        self.assertEqual(app.before_request_handlers, [before])
        self.assertIs(app.error_handlers[404], not_found)

    @async_test
    async def test_mount_local(self):
        app = Microdot()
        subapp = Microdot()

        @app.before_request
        def before_app(req):
            req.g.before = 'before-app'

        @app.after_request
        def after_app(req, res):
            res.body += b':after-app'

        @subapp.before_request
        def before2(req):
            req.g.before += ':before2'

        @subapp.after_request
        def after(req, res):
            res.body += b':after'

        @subapp.errorhandler(405)
        def sub_405(req):
            return 'sub405', 405

        @subapp.errorhandler(404)
        def sub_404(req):
            return 'sub404', 404

        @app.route('/')
        def index(req):
            return req.g.before + ':foo:' + req.url_prefix

        @subapp.route('/app')
        def sub_index(req):
            return req.g.before + ':bar:' + req.url_prefix

        app.mount(subapp, url_prefix='/sub', local=True)
        client = client_for(app)
        res = await client.get('/sub/app')
        self.assertEqual(res.text,
                         'before-app:before2:bar:/sub:after:after-app')
        res = await client.get('/')
        self.assertEqual(res.text, 'before-app:foo::after-app')
        res = await client.post('/sub/app')
        self.assertEqual((res.status_code, res.text), (405, 'sub405'))
        res = await client.get('/sub/missing')
        self.assertEqual((res.status_code, res.text), (404, 'Not found'))
        # the subapp keeps its own handlers
        self.assertEqual(subapp.before_request_handlers, [before2])
        self.assertEqual(app.before_request_handlers, [before_app])

    @async_test
    async def test_mount_local_exception_handler(self):
        app = Microdot()
        subapp = Microdot()

        @app.errorhandler(ValueError)
        def app_handler(req, exc):
            return 'app'

        @subapp.errorhandler(ValueError)
        def sub_handler(req, exc):
            return 'sub'

        @subapp.errorhandler(Exception)
        def sub_generic(req, exc):
            return 'sub-generic'

        @app.get('/')
        def index(req):
            raise ValueError()

        @app.get('/key')
        def key(req):
            raise KeyError()

        @subapp.get('/')
        def sub_index(req):
            raise ValueError()

        app.mount(subapp, url_prefix='/sub', local=True)
        client = client_for(app)
        self.assertEqual((await client.get('/')).text, 'app')
        self.assertEqual((await client.get('/sub/')).text, 'sub')
        self.assertEqual((await client.get('/key')).status_code, 500)

    def make_apps(self, local):
        app = Microdot()
        subapp = Microdot()
        subsubapp = Microdot()
        for name, a in (('app', app), ('subapp', subapp),
                        ('subsubapp', subsubapp)):
            def before(req, name=name):
                req.g.name = name
            a.before_request(before)

            def index(req, a=a):
                defining = None if a is app else a
                return '{}:{}:{}'.format(req.g.name, req.subapp is defining,
                                         req.url_prefix)
            a.route('/')(index)
        subapp.mount(subsubapp, url_prefix='/subsub', local=local)
        app.mount(subapp, url_prefix='/sub', local=local)
        return app

    @async_test
    async def test_many_mounts(self):
        client = client_for(self.make_apps(local=False))
        res = await client.get('/sub/subsub/')
        self.assertEqual(res.text, 'subsubapp:True:/sub/subsub')
        res = await client.get('/sub/')
        self.assertEqual(res.text, 'subsubapp:True:/sub')
        res = await client.get('/')
        self.assertEqual(res.text, 'subsubapp:True:')

    @async_test
    async def test_many_local_mounts(self):
        client = client_for(self.make_apps(local=True))
        res = await client.get('/sub/subsub/')
        self.assertEqual(res.text, 'subsubapp:True:/sub/subsub')
        res = await client.get('/sub/')
        self.assertEqual(res.text, 'subapp:True:/sub')
        res = await client.get('/')
        self.assertEqual(res.text, 'app:True:')

    @async_test
    async def test_url_prefix_top_level(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return repr(req.url_prefix) + ':' + str(req.subapp)

        self.assertEqual((await client_for(app).get('/')).text, "'':None")

    @async_test
    async def test_mount_root_and_prefix_slash(self):
        sub = Microdot()

        @sub.get('/')
        def index(req):
            return 'sub-root:' + req.url_prefix

        @sub.get('/x')
        def x(req):
            return 'x'

        app = Microdot()
        app.mount(sub, url_prefix='/sub')
        other = Microdot()
        other.mount(sub, url_prefix='/sub/')
        for a in (app, other):
            client = client_for(a)
            self.assertEqual((await client.get('/sub/')).text,
                             'sub-root:/sub')
            self.assertEqual((await client.get('/sub/x')).text, 'x')
            self.assertEqual((await client.get('/subx')).status_code, 404)

    @async_test
    async def test_mount_without_prefix(self):
        sub = Microdot()

        @sub.get('/customers')
        def customers(req):
            return 'customers:' + repr(req.url_prefix)

        app = Microdot()
        app.mount(sub)
        res = await client_for(app).get('/customers')
        self.assertEqual(res.text, "customers:''")

    @async_test
    async def test_mount_with_path_args(self):
        sub = Microdot()

        @sub.get('/<int:id>')
        def item(req, id):
            return str(id * 2)

        app = Microdot()
        app.mount(sub, url_prefix='/items')
        self.assertEqual((await client_for(app).get('/items/21')).text, '42')


class StreamingTests(unittest.TestCase):
    @async_test
    async def test_sync_generator(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            def gen():
                yield 'foo'
                yield b'bar'
            return gen()

        res = await client_for(app).get('/')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, b'foobar')
        self.assertNotIn('Content-Length', res.headers)

    @async_test
    async def test_class_async_iterator(self):
        app = Microdot()
        body = AsyncIter(['foo', b'bar'])

        @app.get('/')
        async def index(req):
            return body

        res = await client_for(app).get('/')
        self.assertEqual(res.body, b'foobar')
        self.assertTrue(body.closed)

    @unittest.skipIf(MICROPYTHON, 'no async generators on MicroPython')
    @async_test
    async def test_async_generator(self):
        app = Microdot()
        log = []

        @app.get('/')
        async def index(req):
            async def gen():
                try:
                    yield 'foo'
                    yield b'bar'
                finally:
                    log.append('closed')
            return gen()

        res = await client_for(app).get('/')
        self.assertEqual(res.body, b'foobar')
        self.assertEqual(log, ['closed'])

    @async_test
    async def test_already_handled(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return Response.already_handled

        res = await client_for(app).get('/')
        self.assertIsNone(res.body)
        self.assertIsNone(res.status_code)
