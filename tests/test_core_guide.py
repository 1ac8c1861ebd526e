# The user guide's examples, part 1: routes, dynamic paths, hooks, error
# handlers, mounting and the request object. Each example is copied as
# written and only adapted to run through TestClient (no app.run(), stubs
# for the functions the guide leaves undefined). Examples that need a
# network (run, start_server, ssl, shutdown) belong to the server tests.
import time
import unittest

from microdot import Microdot, Request, URLPattern, redirect
from microdot.test_client import TestClient
from support import HAS_CLOCK, async_test


class GettingStartedTests(unittest.TestCase):
    @async_test
    async def test_simple_server(self):
        from microdot import Microdot

        app = Microdot()

        @app.route('/')
        async def index(request):
            return 'Hello, world!'

        res = await TestClient(app).get('/')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'Hello, world!')
        self.assertEqual(res.headers['Content-Type'],
                         'text/plain; charset=UTF-8')

    @async_test
    async def test_two_component_route(self):
        app = Microdot()

        @app.route('/')
        async def index(request):
            return 'Hello, world!'

        @app.route('/users/active')
        async def active_users(request):
            return 'Active users: Susan, Joe, and Bob'

        client = TestClient(app)
        self.assertEqual((await client.get('/users/active')).text,
                         'Active users: Susan, Joe, and Bob')
        self.assertEqual((await client.get('/')).text, 'Hello, world!')
        self.assertEqual((await client.get('/users')).status_code, 404)


class MethodTests(unittest.TestCase):
    async def check(self, app):
        client = TestClient(app)
        self.assertEqual((await client.get('/invoices')).text,
                         'get invoices')
        self.assertEqual((await client.post('/invoices')).text,
                         'create an invoice')
        self.assertEqual((await client.put('/invoices')).status_code, 405)

    @async_test
    async def test_one_function(self):
        app = Microdot()

        @app.route('/invoices', methods=['GET', 'POST'])
        async def invoices(request):
            if request.method == 'GET':
                return 'get invoices'
            elif request.method == 'POST':
                return 'create an invoice'

        await self.check(app)

    @async_test
    async def test_two_routes(self):
        app = Microdot()

        @app.route('/invoices', methods=['GET'])
        async def get_invoices(request):
            return 'get invoices'

        @app.route('/invoices', methods=['POST'])
        async def create_invoice(request):
            return 'create an invoice'

        await self.check(app)

    @async_test
    async def test_shortcuts(self):
        app = Microdot()

        @app.get('/invoices')
        async def get_invoices(request):
            return 'get invoices'

        @app.post('/invoices')
        async def create_invoice(request):
            return 'create an invoice'

        await self.check(app)


class DynamicPathTests(unittest.TestCase):
    def setUp(self):
        self.saved = (dict(URLPattern.segment_patterns),
                      dict(URLPattern.segment_parsers))

    def tearDown(self):
        URLPattern.segment_patterns = self.saved[0]
        URLPattern.segment_parsers = self.saved[1]

    @async_test
    async def test_username(self):
        app = Microdot()

        @app.get('/users/<username>')
        async def get_user(request, username):
            return 'User: ' + username

        client = TestClient(app)
        self.assertEqual((await client.get('/users/susan')).text,
                         'User: susan')
        self.assertEqual((await client.get('/users/a/b')).status_code, 404)

    @async_test
    async def test_two_components(self):
        app = Microdot()

        @app.get('/users/<firstname>/<lastname>')
        async def get_user(request, firstname, lastname):
            return 'User: ' + firstname + ' ' + lastname

        res = await TestClient(app).get('/users/Susan/Smith')
        self.assertEqual(res.text, 'User: Susan Smith')

    @async_test
    async def test_int_and_string(self):
        app = Microdot()

        @app.get('/users/<int:id>/<string:username>')
        async def get_user(request, id, username):
            return 'User: ' + username + ' (' + str(id) + ')'

        client = TestClient(app)
        self.assertEqual((await client.get('/users/42/susan')).text,
                         'User: susan (42)')
        self.assertEqual((await client.get('/users/x/susan')).status_code,
                         404)

    @async_test
    async def test_path(self):
        app = Microdot()

        @app.get('/tests/<path:path>')
        async def get_test(request, path):
            return 'Test: ' + path

        res = await TestClient(app).get('/tests/a/b/c.txt')
        self.assertEqual(res.text, 'Test: a/b/c.txt')

    @async_test
    async def test_re(self):
        app = Microdot()

        @app.get('/users/<re:[a-zA-Z][a-zA-Z0-9]*:username>')
        async def get_user(request, username):
            return 'User: ' + username

        client = TestClient(app)
        self.assertEqual((await client.get('/users/Susan99')).text,
                         'User: Susan99')
        self.assertEqual((await client.get('/users/9lives')).status_code,
                         404)

    def hex_app(self):
        app = Microdot()

        def get_user_by_id(user_id):  # stub
            return 'user #' + str(user_id)

        @app.get('/users/<hex:user_id>')
        async def get_user(request, user_id):
            user = get_user_by_id(user_id)
            # ...
            return user

        return TestClient(app)

    @async_test
    async def test_hex_parser(self):
        from microdot import URLPattern

        URLPattern.register_type('hex', parser=lambda value: int(value, 16))

        res = await self.hex_app().get('/users/ff')
        self.assertEqual(res.text, 'user #255')

    @async_test
    async def test_hex_pattern(self):
        URLPattern.register_type('hex', pattern='[0-9a-fA-F]+',
                                 parser=lambda value: int(value, 16))

        client = self.hex_app()
        self.assertEqual((await client.get('/users/1A')).text, 'user #26')
        self.assertEqual((await client.get('/users/xyz')).status_code, 404)

    @async_test
    async def test_hex_parser_none(self):
        def hex_parser(value):
            try:
                return int(value, 16)
            except ValueError:
                return None

        URLPattern.register_type('hex', parser=hex_parser)

        client = self.hex_app()
        self.assertEqual((await client.get('/users/10')).text, 'user #16')
        self.assertEqual((await client.get('/users/xyz')).status_code, 404)


class HookTests(unittest.TestCase):
    @async_test
    async def test_authenticate(self):
        app = Microdot()

        def authorize(request):  # stub
            return request.headers.get('Authorization')

        @app.before_request
        async def authenticate(request):
            user = authorize(request)
            if not user:
                return 'Unauthorized', 401
            request.g.user = user

        @app.get('/')
        async def index(request):
            return 'Hi ' + request.g.user

        client = TestClient(app)
        res = await client.get('/')
        self.assertEqual((res.status_code, res.text), (401, 'Unauthorized'))
        res = await client.get('/', headers={'Authorization': 'susan'})
        self.assertEqual((res.status_code, res.text), (200, 'Hi susan'))

    @unittest.skipUnless(HAS_CLOCK, 'no clock on this port')
    @async_test
    async def test_timer(self):
        app = Microdot()
        durations = []

        @app.before_request
        async def start_timer(request):
            request.g.start_time = time.time()

        @app.after_request
        async def end_timer(request, response):
            duration = time.time() - request.g.start_time
            print(f'Request took {duration:0.2f} seconds')
            durations.append(duration)

        @app.get('/')
        async def index(request):
            return 'timed'

        res = await TestClient(app).get('/')
        self.assertEqual(res.text, 'timed')
        self.assertEqual(len(durations), 1)
        self.assertTrue(durations[0] >= 0)

    @async_test
    async def test_g_object(self):
        app = Microdot()

        def authenticate_user(request):  # stub
            return request.args.get('user')

        @app.before_request
        async def authorize(request):
            username = authenticate_user(request)
            if not username:
                return 'Unauthorized', 401
            request.g.username = username

        @app.get('/')
        async def index(request):
            return f'Hello, {request.g.username}!'

        client = TestClient(app)
        self.assertEqual((await client.get('/')).status_code, 401)
        self.assertEqual((await client.get('/?user=susan')).text,
                         'Hello, susan!')

    @async_test
    async def test_request_specific_after_request(self):
        app = Microdot()

        @app.post('/logout')
        async def logout(request):
            @request.after_request
            def reset_session(request, response):
                response.set_cookie('session', '', http_only=True)
                return response

            return 'Logged out'

        client = TestClient(app, cookies={'session': 'abc'})
        res = await client.post('/logout')
        self.assertEqual(res.text, 'Logged out')
        self.assertEqual(res.headers['Set-Cookie'], ['session=; HttpOnly'])
        self.assertEqual(client.cookies, {'session': ''})


class ErrorHandlerTests(unittest.TestCase):
    @async_test
    async def test_404(self):
        app = Microdot()

        @app.errorhandler(404)
        async def not_found(request):
            return {'error': 'resource not found'}, 404

        res = await TestClient(app).get('/nothing')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.json, {'error': 'resource not found'})

    @async_test
    async def test_division_by_zero(self):
        app = Microdot()

        @app.errorhandler(ZeroDivisionError)
        async def division_by_zero(request, exception):
            return {'error': 'division by zero'}, 500

        @app.get('/divide/<int:a>/<int:b>')
        async def divide(request, a, b):
            return str(a // b)

        client = TestClient(app)
        self.assertEqual((await client.get('/divide/6/3')).text, '2')
        res = await client.get('/divide/6/0')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.json, {'error': 'division by zero'})

    @async_test
    async def test_builtin_errors(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            raise RuntimeError('unhandled')

        client = TestClient(app)
        self.assertEqual((await client.get('/nothing')).status_code, 404)
        self.assertEqual((await client.post('/')).status_code, 405)
        self.assertEqual((await client.get('/')).status_code, 500)
        self.assertEqual((await app.dispatch_request(None)).status_code, 400)


class MountingTests(unittest.TestCase):
    def make_app(self):
        # customers.py
        customers_app = Microdot()

        @customers_app.get('/')
        async def get_customers(request):
            # return all customers
            return 'all customers'

        @customers_app.post('/')
        async def new_customer(request):
            # create a new customer
            return 'new customer', 201

        # orders.py
        orders_app = Microdot()

        @orders_app.get('/')
        async def get_orders(request):
            # return all orders
            return 'all orders'

        @orders_app.post('/')
        async def new_order(request):
            # create a new order
            return 'new order', 201

        @orders_app.get('/old')
        async def old(request):
            return redirect(request.url_prefix + '/relative-url')

        # main.py
        def create_app():
            app = Microdot()
            app.mount(customers_app, url_prefix='/customers')
            app.mount(orders_app, url_prefix='/orders')
            return app

        return create_app()

    @async_test
    async def test_mounted_apps(self):
        client = TestClient(self.make_app())
        self.assertEqual((await client.get('/customers/')).text,
                         'all customers')
        res = await client.post('/customers/')
        self.assertEqual((res.status_code, res.text), (201, 'new customer'))
        self.assertEqual((await client.get('/orders/')).text, 'all orders')
        res = await client.post('/orders/')
        self.assertEqual((res.status_code, res.text), (201, 'new order'))
        self.assertEqual((await client.get('/')).status_code, 404)

    @async_test
    async def test_relative_redirect(self):
        res = await TestClient(self.make_app()).get('/orders/old')
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/orders/relative-url')

    @async_test
    async def test_local_mount(self):
        sub = Microdot()

        @sub.before_request
        async def sub_only(request):
            request.g.sub = True

        @sub.get('/')
        async def sub_index(request):
            return 'sub:' + str(request.g.sub)

        app = Microdot()

        @app.get('/')
        async def index(request):
            return 'app:' + str(getattr(request.g, 'sub', False))

        app.mount(sub, url_prefix='/sub', local=True)
        client = TestClient(app)
        self.assertEqual((await client.get('/sub/')).text, 'sub:True')
        self.assertEqual((await client.get('/')).text, 'app:False')


class RequestObjectTests(unittest.TestCase):
    def setUp(self):
        self.saved = (Request.max_content_length, Request.max_body_length,
                      Request.max_readline)

    def tearDown(self):
        (Request.max_content_length, Request.max_body_length,
         Request.max_readline) = self.saved

    @async_test
    async def test_attributes(self):
        app = Microdot()

        @app.post('/info')
        async def info(request):
            return {'method': request.method, 'path': request.path,
                    'args': request.args.getlist('a'),
                    'header': request.headers['X-Foo'],
                    'cookies': request.cookies,
                    'content_type': request.content_type,
                    'content_length': request.content_length,
                    'json': request.json, 'form': request.form,
                    'files': request.files,
                    'client_addr': list(request.client_addr),
                    'app': request.app is app}

        res = await TestClient(app).post(
            '/info?a=1&a=2', headers={'X-Foo': 'bar', 'Cookie': 'c=d'},
            body={'x': 1})
        self.assertEqual(res.json, {
            'method': 'POST', 'path': '/info', 'args': ['1', '2'],
            'header': 'bar', 'cookies': {'c': 'd'},
            'content_type': 'application/json', 'content_length': 8,
            'json': {'x': 1}, 'form': None, 'files': None,
            'client_addr': ['127.0.0.1', 1234], 'app': True})

    @async_test
    async def test_json_payload(self):
        app = Microdot()
        received = []

        @app.post('/customers')
        async def create_customer(request):
            customer = request.json
            # do something with customer
            received.append(customer)
            return {'success': True}

        res = await TestClient(app).post('/customers',
                                         body={'name': 'susan'})
        self.assertEqual(res.json, {'success': True})
        self.assertEqual(received, [{'name': 'susan'}])

    @async_test
    async def test_form_data(self):
        app = Microdot()

        @app.route('/', methods=['GET', 'POST'])
        async def index(req):
            name = 'Unknown'
            if req.method == 'POST':
                name = req.form.get('name')
            return f'Hello {name}'

        client = TestClient(app)
        self.assertEqual((await client.get('/')).text, 'Hello Unknown')
        res = await client.post('/', body='name=Susan+Smith', headers={
            'Content-Type': 'application/x-www-form-urlencoded'})
        self.assertEqual(res.text, 'Hello Susan Smith')

    @async_test
    async def test_raw_body_and_stream(self):
        app = Microdot()

        @app.post('/')
        async def index(request):
            streamed = await request.stream.read()
            return repr(request.body) + ':' + repr(streamed)

        client = TestClient(app)
        res = await client.post('/', body=b'raw')
        self.assertEqual(res.text, "b'raw':b'raw'")

    @async_test
    async def test_cookies(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return request.cookies

        res = await TestClient(app, cookies={'a': '1'}).get('/')
        self.assertEqual(res.json, {'a': '1'})

    @async_test
    async def test_request_limits(self):
        from microdot import Request

        Request.max_content_length = 1024 * 1024
        Request.max_body_length = 8 * 1024

        app = Microdot()

        @app.post('/')
        async def index(request):
            data = await request.stream.read()
            return '{}:{}'.format(len(request.body), len(data))

        client = TestClient(app)
        res = await client.post('/', body=b'x' * 1000)
        self.assertEqual(res.text, '1000:1000')
        res = await client.post('/', body=b'x' * (9 * 1024))
        self.assertEqual(res.text, '0:9216')
        res = await client.post('/', headers={
            'Content-Length': str(1024 * 1024 + 1)})
        self.assertEqual(res.status_code, 413)
        self.assertEqual(Request.max_readline, 2 * 1024)
