# The user guide's examples, part 2: responses, JSON, redirects, files,
# streaming, the default content type, cookies and sync/async handlers.
# File paths are moved under tests/files; nothing else is changed beyond
# what TestClient needs.
import unittest

from microdot import Microdot, Response
from microdot.test_client import TestClient
from support import FILES_DIR, HAS_FILESYSTEM, MICROPYTHON, async_test


async def get(app, path='/'):
    return await TestClient(app).get(path)


class ThreePartsTests(unittest.TestCase):
    @async_test
    async def test_body(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return 'Hello, World!'

        res = await get(app)
        self.assertEqual((res.status_code, res.text), (200, 'Hello, World!'))
        self.assertTrue(res.headers['Content-Type'].startswith('text/plain'))

    @async_test
    async def test_status(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return 'Hello, World!', 202

        res = await get(app)
        self.assertEqual((res.status_code, res.text), (202, 'Hello, World!'))

    @async_test
    async def test_headers(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return '<h1>Hello, World!</h1>', 202, {'Content-Type': 'text/html'}

        res = await get(app)
        self.assertEqual(res.status_code, 202)
        self.assertEqual(res.text, '<h1>Hello, World!</h1>')
        self.assertEqual(res.headers['Content-Type'], 'text/html')

    @async_test
    async def test_status_only(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return 204

        res = await get(app)
        self.assertEqual((res.status_code, res.body), (204, b''))

    @async_test
    async def test_body_and_headers(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return '<h1>Hello, World!</h1>', {'Content-Type': 'text/html'}

        res = await get(app)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Type'], 'text/html')
        self.assertEqual(res.text, '<h1>Hello, World!</h1>')

    @async_test
    async def test_response_object(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return Response('Hello, World!', 203, {'X-Foo': 'bar'})

        res = await get(app)
        self.assertEqual((res.status_code, res.text), (203, 'Hello, World!'))
        self.assertEqual(res.headers['X-Foo'], 'bar')

    @async_test
    async def test_json(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return {'hello': 'world'}

        res = await get(app)
        self.assertTrue(res.headers['Content-Type'].startswith(
            'application/json'))
        self.assertEqual(res.json, {'hello': 'world'})

    @async_test
    async def test_redirect(self):
        from microdot import redirect

        app = Microdot()

        @app.get('/')
        async def index(request):
            return redirect('/about')

        res = await get(app)
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/about')


@unittest.skipUnless(HAS_FILESYSTEM, 'no filesystem')
class FileTests(unittest.TestCase):
    @async_test
    async def test_send_file(self):
        from microdot import send_file

        app = Microdot()

        @app.get('/')
        async def index(request):
            return send_file(FILES_DIR + '/static/index.html')

        res = await get(app)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Type'], 'text/html')
        self.assertEqual(res.text, '<h1>Hello, static!</h1>\n')

    @async_test
    async def test_send_file_max_age(self):
        from microdot import send_file

        app = Microdot()

        @app.get('/')
        async def image(request):
            return send_file(FILES_DIR + '/static/image.jpg',
                             max_age=3600)  # in seconds

        res = await get(app)
        self.assertEqual(res.headers['Content-Type'], 'image/jpeg')
        self.assertEqual(res.headers['Cache-Control'], 'max-age=3600')
        self.assertEqual(res.body, b'\xff\xd8\xff\xe0fakejpeg\xff\xd9')

    @async_test
    async def test_static_route(self):
        from microdot import send_file

        app = Microdot()

        @app.route('/static/<path:path>')
        async def static(request, path):
            if '..' in path:
                # directory traversal is not allowed
                return 'Not found', 404
            return send_file(FILES_DIR + '/static/' + path, max_age=86400)

        client = TestClient(app)
        res = await client.get('/static/index.html')
        self.assertEqual(res.text, '<h1>Hello, static!</h1>\n')
        self.assertEqual(res.headers['Cache-Control'], 'max-age=86400')
        res = await client.get('/static/../test.txt')
        self.assertEqual((res.status_code, res.text), (404, 'Not found'))
        res = await client.get('/static/missing.html')
        self.assertEqual(res.status_code, 404)


class StreamingTests(unittest.TestCase):
    FIBONACCI = b'0\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55\n89\n'

    @unittest.skipIf(MICROPYTHON, 'no async generators on MicroPython')
    @async_test
    async def test_fibonacci_async_generator(self):
        app = Microdot()

        @app.get('/fibonacci')
        async def fibonacci(request):
            async def generate_fibonacci():
                a, b = 0, 1
                while a < 100:
                    yield str(a) + '\n'
                    a, b = b, a + b

            return generate_fibonacci()

        res = await get(app, '/fibonacci')
        self.assertEqual(res.body, self.FIBONACCI)

    @async_test
    async def test_fibonacci_generator(self):
        # the guide's note: MicroPython uses a `def` generator function
        app = Microdot()

        @app.get('/fibonacci')
        async def fibonacci(request):
            def generate_fibonacci():
                a, b = 0, 1
                while a < 100:
                    yield str(a) + '\n'
                    a, b = b, a + b

            return generate_fibonacci()

        res = await get(app, '/fibonacci')
        self.assertEqual(res.body, self.FIBONACCI)

    @async_test
    async def test_fibonacci_class_based(self):
        # the guide's note: asynchronous class-based generators work too
        app = Microdot()

        class GenerateFibonacci:
            def __init__(self):
                self.a, self.b = 0, 1

            def __aiter__(self):
                return self

            async def __anext__(self):
                if self.a >= 100:
                    raise StopAsyncIteration
                value = str(self.a) + '\n'
                self.a, self.b = self.b, self.a + self.b
                return value

        @app.get('/fibonacci')
        async def fibonacci(request):
            return GenerateFibonacci()

        res = await get(app, '/fibonacci')
        self.assertEqual(res.body, self.FIBONACCI)


class DefaultContentTypeTests(unittest.TestCase):
    def setUp(self):
        self.saved = Response.default_content_type

    def tearDown(self):
        Response.default_content_type = self.saved

    @async_test
    async def test_text_html(self):
        from microdot import Response

        Response.default_content_type = 'text/html'

        app = Microdot()

        @app.get('/')
        async def index(request):
            return '<p>hi</p>'

        res = await get(app)
        self.assertEqual(res.headers['Content-Type'],
                         'text/html; charset=UTF-8')


class CookieTests(unittest.TestCase):
    @async_test
    async def test_after_request_cookie(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            @request.after_request
            async def set_cookie(request, response):
                response.set_cookie('name', 'value')
                return response

            return 'Hello, World!'

        client = TestClient(app)
        res = await client.get('/')
        self.assertEqual(res.text, 'Hello, World!')
        self.assertEqual(res.headers['Set-Cookie'], ['name=value'])
        self.assertEqual(client.cookies, {'name': 'value'})

    @async_test
    async def test_response_cookie(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            response = Response('Hello, World!')
            response.set_cookie('name', 'value')
            return response

        client = TestClient(app)
        res = await client.get('/')
        self.assertEqual(res.text, 'Hello, World!')
        self.assertEqual(client.cookies, {'name': 'value'})


class ConcurrencyTests(unittest.TestCase):
    @async_test
    async def test_async_and_sync_handlers(self):
        app = Microdot()

        @app.get('/async')
        async def async_handler(request):
            return 'async'

        @app.get('/sync')
        def sync_handler(request):
            return 'sync'

        client = TestClient(app)
        self.assertEqual((await client.get('/async')).text, 'async')
        self.assertEqual((await client.get('/sync')).text, 'sync')
