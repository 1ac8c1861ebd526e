import io
import unittest

from microdot import Request, Response
from support import HAS_THREADS

try:
    import microdot.wsgi
    from microdot.wsgi import Microdot
except ImportError:  # MicroPython: WSGI servers are CPython only
    Microdot = None


def environ(path='/', method='GET', body=b'', query='', **extra):
    env = {'SCRIPT_NAME': '', 'PATH_INFO': path, 'QUERY_STRING': query,
           'REQUEST_METHOD': method, 'SERVER_PROTOCOL': 'HTTP/1.1',
           'REMOTE_ADDR': '127.0.0.1', 'REMOTE_PORT': '1234',
           'wsgi.url_scheme': 'http', 'wsgi.input': io.BytesIO(body),
           'CONTENT_LENGTH': str(len(body)) if body else ''}
    env.update(extra)
    return env


def serve(app, env, start_response):
    """Call the app as a WSGI server does: iterate, then close."""
    body = app(env, start_response)
    try:
        return b''.join(body)
    finally:
        if hasattr(body, 'close'):
            body.close()


class CountingInput(io.BytesIO):
    """A wsgi.input that counts the bytes the application read."""

    read_bytes = 0

    def read(self, n=-1):
        data = super().read(n)
        self.read_bytes += len(data)
        return data


class StartResponse:
    def __call__(self, status, headers):
        self.status = status
        self.headers = headers


@unittest.skipUnless(Microdot, 'WSGI support is CPython only')
class TestWSGI(unittest.TestCase):
    def test_request_and_response(self):
        app = Microdot()
        seen = {}

        @app.post('/app/foo')
        def index(req):
            seen.update(client=req.client_addr, version=req.http_version,
                        path=req.path, args=req.args, body=req.body,
                        headers=dict(req.headers), scheme=req.scheme,
                        environ='wsgi.input' in req.environ)
            res = Response('body', headers={'Content-Type': 'text/plain'})
            res.set_cookie('foo', 'bar')
            res.set_cookie('bar', 'baz', http_only=True)
            return res

        start = StartResponse()
        body = serve(app, environ(
            '/foo', 'POST', b'abc', 'x=1', SCRIPT_NAME='/app',
            CONTENT_TYPE='text/plain', HTTP_X_FORWARDED_FOR='h',
            HTTP_COOKIE='a=b'), start)
        self.assertEqual(start.status, '200 OK')
        self.assertEqual(sorted(start.headers), [
            ('Content-Length', '4'), ('Content-Type', 'text/plain'),
            ('Set-Cookie', 'bar=baz; HttpOnly'), ('Set-Cookie', 'foo=bar')])
        self.assertEqual(body, b'body')
        self.assertEqual(seen, {
            'client': ('127.0.0.1', 1234), 'version': 'HTTP/1.1',
            'path': '/app/foo', 'args': {'x': ['1']}, 'body': b'abc',
            'headers': {'Content-Type': 'text/plain', 'Content-Length': '3',
                        'X-Forwarded-For': 'h', 'Cookie': 'a=b'},
            'scheme': 'http', 'environ': True})

    def test_large_body_is_a_bounded_stream(self):
        app = Microdot()

        @app.post('/')
        async def index(req):
            return [req.body.decode(), (await req.stream.read()).decode()]

        saved = Request.max_body_length
        Request.max_body_length = 2
        try:
            start = StartResponse()
            # the input has more bytes than declared: they are not read
            env = environ('/', 'POST', b'body')
            env['wsgi.input'] = io.BytesIO(b'body and more')
            body = serve(app, env, start)
        finally:
            Request.max_body_length = saved
        self.assertEqual(body, b'["", "body"]')

    def test_bad_content_length_is_400(self):
        app = Microdot()

        @app.post('/')
        def index(req):
            return req.body

        for value in ['abc', '+5', '-5', '5 5', '0x5', '\u0665', '5, 6',
                      '1' * 5000]:
            start = StartResponse()
            body = serve(app, environ('/', 'POST', b'hello',
                                      CONTENT_LENGTH=value), start)
            self.assertEqual((start.status, body), ('400 N/A',
                                                    b'Bad request'), value)
        for value in ['5, 5', ' 5 ']:  # the same length twice is one
            start = StartResponse()
            body = serve(app, environ('/', 'POST', b'hello',
                                      CONTENT_LENGTH=value), start)
            self.assertEqual((start.status, body), ('200 OK', b'hello'))
        # a body shorter than declared
        start = StartResponse()
        serve(app, environ('/', 'POST', b'hello', CONTENT_LENGTH='9'), start)
        self.assertEqual(start.status, '400 N/A')

    def test_chunked_body_decoded_by_the_server(self):
        # gunicorn: no CONTENT_LENGTH, an input that ends with the body
        app = Microdot()

        @app.post('/')
        async def index(req):
            data = req.body or await req.stream.read()
            return [req.content_length, len(req.body), len(data)]

        saved = Request.max_content_length
        Request.max_content_length = 64 * 1024
        try:
            results = []
            for size in [5, 40000, 200000]:
                input = CountingInput(b'x' * size)
                start = StartResponse()
                results.append((size, serve(app, environ(
                    '/', 'POST', HTTP_TRANSFER_ENCODING='chunked',
                    **{'wsgi.input': input, 'wsgi.input_terminated': True}),
                    start), start.status, input.read_bytes))
        finally:
            Request.max_content_length = saved
        self.assertEqual(results, [
            (5, b'[5, 5, 5]', '200 OK', 5),
            (40000, b'[40000, 0, 40000]', '200 OK', 40000),
            # refused once past the limit, without reading the rest
            (200000, b'Payload too large', '413 N/A', 65536 + 8192)])

    def test_chunked_body_the_server_cannot_decode_is_400(self):
        # wsgiref passes chunks on undecoded, in an input with no end
        app = Microdot()

        @app.post('/')
        def index(req):
            return 'read'

        start = StartResponse()
        serve(app, environ('/', 'POST', HTTP_TRANSFER_ENCODING='chunked',
                           **{'wsgi.input': CountingInput(b'5\r\nhello')}),
              start)
        self.assertEqual(start.status, '400 N/A')

    def test_websocket_without_a_socket_is_501(self):
        import contextlib
        from microdot.websocket import with_websocket
        app = Microdot()

        @app.route('/ws')
        @with_websocket
        async def ws(req, ws):
            await ws.send('never')

        upgrade = {'HTTP_CONNECTION': 'Upgrade', 'HTTP_UPGRADE': 'websocket',
                   'HTTP_SEC_WEBSOCKET_KEY': 'dGhlIHNhbXBsZSBub25jZQ==',
                   'HTTP_SEC_WEBSOCKET_VERSION': '13'}
        start = StartResponse()
        log = io.StringIO()
        with contextlib.redirect_stderr(log):
            body = serve(app, environ('/ws', **upgrade), start)
        self.assertEqual(start.status, '501 N/A')
        self.assertEqual(body, b'WebSocket not supported by this server')
        self.assertEqual(log.getvalue().count('\n'), 1)
        self.assertIn('/ws', log.getvalue())
        self.assertNotIn('Traceback', log.getvalue())
        # not an upgrade request at all: 400, as on any server
        start = StartResponse()
        serve(app, environ('/ws'), start)
        self.assertEqual(start.status, '400 N/A')

    def test_empty_content_length_and_str_chunks(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return (c for c in ['caf\u00e9', b'!'])

        body = app(environ(CONTENT_LENGTH=''), StartResponse())
        chunks = list(body)
        body.close()
        self.assertEqual(chunks, ['caf\u00e9'.encode(), b'!'])
        for chunk in chunks:
            self.assertIsInstance(chunk, bytes)

    def test_head_and_errors(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return 'hello'

        start = StartResponse()
        self.assertEqual(serve(app, environ(method='HEAD'), start), b'')
        self.assertIn(('Content-Length', '5'), start.headers)
        serve(app, environ('/missing'), start)
        self.assertEqual(start.status, '404 N/A')

    def test_streaming_body_closes(self):
        app = Microdot()
        state = {}

        class Body:
            def __init__(self):
                self.n = 0

            def __aiter__(self):
                return self

            async def __anext__(self):
                self.n += 1
                return b'chunk%d ' % self.n

            async def aclose(self):
                state['closed'] = True

        @app.get('/')
        def index(req):
            return Body()

        body = app(environ(), StartResponse())
        self.assertEqual([next(body), next(body)], [b'chunk1 ', b'chunk2 '])
        body.close()
        self.assertTrue(state['closed'])

    @unittest.skipUnless(HAS_THREADS, 'needs threads')
    def test_concurrent_threads(self):
        import threading
        app = Microdot()

        @app.get('/')
        async def index(req):
            return 'ok'

        results = []

        def call():
            results.append(serve(app, environ(), StartResponse()))

        threads = [threading.Thread(target=call) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(results, [b'ok'] * 4)

    def test_shutdown_signals_only_this_process(self):
        import os
        import signal
        from unittest import mock
        app = Microdot()
        with mock.patch('microdot.wsgi.os.kill') as kill:
            app.shutdown()
        kill.assert_called_once_with(os.getpid(), signal.SIGTERM)
        self.assertIs(microdot.wsgi.os, os)
