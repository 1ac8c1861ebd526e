import asyncio
import unittest

from microdot import Request, Response
from support import async_test

try:
    import microdot.asgi
    from microdot.asgi import Microdot, with_websocket
except ImportError:  # MicroPython: ASGI servers are CPython only
    Microdot = None


class Peer:
    """The ASGI server side: feeds receive() and records send()."""

    def __init__(self, messages=(), disconnect=True):
        self.incoming = list(messages)
        self.sent = []
        self.disconnect = disconnect
        self.gone = asyncio.Event()

    async def receive(self):
        if self.incoming:
            return self.incoming.pop(0)
        if not self.disconnect:
            await self.gone.wait()
        return {'type': 'http.disconnect'}

    async def send(self, message):
        if not self.sent:
            self.unread_at_start = len(self.incoming)
        self.sent.append(message)

    def body(self):
        return b''.join(m.get('body', b'') for m in self.sent
                        if m['type'] == 'http.response.body')


def http_scope(path='/', method='GET', headers=(), query=b''):
    return {'type': 'http', 'http_version': '1.1', 'method': method,
            'path': path, 'query_string': query, 'scheme': 'http',
            'client': ('127.0.0.1', 1234), 'headers': list(headers)}


@unittest.skipUnless(Microdot, 'ASGI support is CPython only')
class TestASGI(unittest.TestCase):
    @async_test
    async def test_body_without_content_length(self):
        app = Microdot()

        @app.post('/')
        async def index(req):
            return {'json': req.json, 'length': req.content_length}

        peer = Peer([{'type': 'http.request', 'body': b'{"a": ',
                      'more_body': True},
                     {'type': 'http.request', 'body': b'1}'}])
        await app(http_scope('/', 'POST', [
            (b'content-type', b'application/json')]), peer.receive, peer.send)
        self.assertEqual(peer.body(), b'{"json": {"a": 1}, "length": 8}')

    @async_test
    async def test_request_and_response(self):
        app = Microdot()
        seen = {}

        @app.post('/foo/bar')
        async def index(req):
            seen.update(client=req.client_addr, method=req.method,
                        version=req.http_version, path=req.path,
                        args=req.args, cookies=req.cookies, body=req.body,
                        scope=req.asgi_scope['type'])
            res = Response('body', headers={'Content-Type': 'text/plain'})
            res.set_cookie('foo', 'bar')
            res.set_cookie('bar', 'baz', http_only=True)
            return res

        peer = Peer([{'type': 'http.request', 'body': b'a', 'more_body': True},
                     {'type': 'http.request', 'body': b'bc'}])
        await app(http_scope('/foo/bar', 'POST', [
            (b'content-length', b'3'), (b'cookie', b'foo=foo'),
            (b'cookie', b'bar=bar')], b'baz=1'), peer.receive, peer.send)
        self.assertEqual(seen, {
            'client': ('127.0.0.1', 1234), 'method': 'POST',
            'version': 'HTTP/1.1', 'path': '/foo/bar', 'args': {'baz': ['1']},
            'cookies': {'foo': 'foo', 'bar': 'bar'}, 'body': b'abc',
            'scope': 'http'})
        start = peer.sent[0]
        self.assertEqual(start['type'], 'http.response.start')
        self.assertEqual(start['status'], 200)
        self.assertEqual(sorted(start['headers']), [
            (b'content-length', b'4'), (b'content-type', b'text/plain'),
            (b'set-cookie', b'bar=baz; HttpOnly'),
            (b'set-cookie', b'foo=bar')])
        self.assertEqual(peer.body(), b'body')
        self.assertEqual(peer.sent[-1], {'type': 'http.response.body',
                                         'body': b'', 'more_body': False})

    @async_test
    async def test_file_body_is_streamed_in_chunks(self):
        import io
        app = Microdot()

        @app.get('/')
        async def index(req):
            return Response(io.BytesIO(b'abcde'))

        saved = Response.send_file_buffer_size
        Response.send_file_buffer_size = 2
        try:
            peer = Peer()
            await app(http_scope(), peer.receive, peer.send)
        finally:
            Response.send_file_buffer_size = saved
        chunks = [m['body'] for m in peer.sent[1:]]
        self.assertEqual(chunks, [b'ab', b'cd', b'e', b''])

    @async_test
    async def test_large_body_is_a_stream(self):
        app = Microdot()

        @app.post('/')
        async def index(req):
            first = await req.stream.readline()
            return [req.body.decode(), first.decode(),
                    (await req.stream.read()).decode()]

        saved = Request.max_body_length
        Request.max_body_length = 2
        try:
            peer = Peer([{'type': 'http.request', 'body': b'line\nre',
                          'more_body': True},
                         {'type': 'http.request', 'body': b'st'}])
            await app(http_scope('/', 'POST', [(b'content-length', b'9')]),
                      peer.receive, peer.send)
        finally:
            Request.max_body_length = saved
        self.assertEqual(peer.body(), b'["", "line\\n", "rest"]')

    @async_test
    async def test_bad_content_length_is_400(self):
        app = Microdot()

        @app.post('/')
        async def index(req):
            return req.body

        for values in [[b'abc'], [b'+5'], [b'-5'], [b'5 5'], [b'0x5'],
                       ['\u0665'.encode()], [b'5, 6'], [b'5', b'6'],
                       [b'1' * 5000]]:
            peer = Peer([{'type': 'http.request', 'body': b'hello'}])
            await app(http_scope('/', 'POST', [
                (b'content-length', v) for v in values]),
                peer.receive, peer.send)
            self.assertEqual(peer.sent[0]['status'], 400, values)
            self.assertEqual(peer.body(), b'Bad request')
        # the same length twice is one length
        for values in [[b'5', b'5'], [b'5, 5'], [b' 5 ']]:
            peer = Peer([{'type': 'http.request', 'body': b'hello'}])
            await app(http_scope('/', 'POST', [
                (b'content-length', v) for v in values]),
                peer.receive, peer.send)
            self.assertEqual((peer.sent[0]['status'], peer.body()),
                             (200, b'hello'), values)

    @async_test
    async def test_body_longer_than_its_content_length_is_400(self):
        app = Microdot()

        @app.post('/')
        async def index(req):
            return req.body

        peer = Peer([{'type': 'http.request', 'body': b'hello',
                      'more_body': True},
                     {'type': 'http.request', 'body': b'GET / HTTP/1.1'}])
        await app(http_scope('/', 'POST', [(b'content-length', b'5')]),
                  peer.receive, peer.send)
        self.assertEqual(peer.sent[0]['status'], 400)

    @async_test
    async def test_length_less_body_over_the_limit_is_413_unread(self):
        app = Microdot()
        seen = []

        @app.post('/')
        async def index(req):
            seen.append(req)
            return str(len(await req.stream.read()))

        saved = Request.max_content_length
        Request.max_content_length = 64 * 1024
        try:
            # 1000 chunks of 1000 bytes, no Content-Length (chunked)
            peer = Peer([{'type': 'http.request', 'body': b'x' * 1000,
                          'more_body': True}] * 1000)
            await app(http_scope('/', 'POST'), peer.receive, peer.send)
        finally:
            Request.max_content_length = saved
        self.assertEqual(peer.sent[0]['status'], 413)
        self.assertEqual(seen, [])
        # reading stopped at the limit
        self.assertEqual(peer.unread_at_start, 1000 - 66)

    @async_test
    async def test_length_less_body_within_the_limit(self):
        # above max_body_length: a stream, with its true length
        app = Microdot()

        @app.post('/')
        async def index(req):
            data = await req.stream.read()
            return [req.content_length, req.headers['Content-Length'],
                    len(req.body), len(data)]

        saved = Request.max_content_length
        Request.max_content_length = 64 * 1024
        try:
            peer = Peer([{'type': 'http.request', 'body': b'x' * 1000,
                          'more_body': True}] * 40 +
                        [{'type': 'http.request', 'body': b''}])
            await app(http_scope('/', 'POST'), peer.receive, peer.send)
        finally:
            Request.max_content_length = saved
        self.assertEqual(peer.body(), b'[40000, "40000", 0, 40000]')

    @async_test
    async def test_receive_returning_none_ends_the_body(self):
        # some test harnesses' receive() returns None: that ends the body
        # (and the disconnect watch) instead of crashing the request
        app = Microdot()

        @app.post('/')
        async def index(req):
            return {'body': req.body.decode()}

        for messages in ([{'type': 'http.request', 'body': b'ab',
                           'more_body': True}], []):
            peer = Peer()
            incoming = list(messages)

            async def harness_receive():
                return incoming.pop(0) if incoming else None

            await app(http_scope('/', 'POST'), harness_receive, peer.send)
            self.assertEqual(peer.sent[0]['status'], 200)
            self.assertEqual(peer.body(), b'{"body": "ab"}' if messages
                             else b'{"body": ""}')

    @async_test
    async def test_head_sends_no_body(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            return 'hello'

        peer = Peer()
        await app(http_scope(method='HEAD'), peer.receive, peer.send)
        self.assertIn((b'content-length', b'5'), peer.sent[0]['headers'])
        self.assertEqual(peer.sent[1:], [{'type': 'http.response.body',
                                          'body': b'', 'more_body': False}])

    @async_test
    async def test_no_client_address(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            return repr(req.client_addr)

        scope = http_scope()
        del scope['client']
        peer = Peer()
        await app(scope, peer.receive, peer.send)
        self.assertEqual(peer.body(), b'None')

    @async_test
    async def test_disconnect_stops_an_endless_stream(self):
        from microdot.sse import with_sse
        app = Microdot()
        state = {}

        @app.get('/events')
        @with_sse
        async def events(req, sse):
            try:
                while True:
                    await sse.send('tick')
                    await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                state['cancelled'] = True
                raise

        peer = Peer(disconnect=False)
        served = asyncio.ensure_future(app(http_scope('/events'),
                                           peer.receive, peer.send))
        await asyncio.sleep(0.05)
        peer.gone.set()
        await asyncio.wait_for(served, 1)
        self.assertIn(b'data: tick\n\n', peer.body())
        self.assertTrue(state.get('cancelled'))

    @async_test
    async def test_lifespan(self):
        async def startup(scope):
            scope['started'] = True

        async def failing_shutdown(scope):
            1 / 0

        for kwargs, expected in [
                ({}, ['lifespan.startup.complete',
                      'lifespan.shutdown.complete']),
                ({'lifespan_startup': startup,
                  'lifespan_shutdown': failing_shutdown},
                 ['lifespan.startup.complete', 'lifespan.shutdown.failed'])]:
            app = Microdot(**kwargs)
            peer = Peer([{'type': 'lifespan.startup'},
                         {'type': 'lifespan.shutdown'}])
            scope = {'type': 'lifespan'}
            await app(scope, peer.receive, peer.send)
            self.assertEqual([m['type'] for m in peer.sent], expected)
        self.assertTrue(scope['started'])
        self.assertEqual(peer.sent[1]['message'],
                         "ZeroDivisionError('division by zero')")

        async def bad_startup(scope):
            scope['missing']

        peer = Peer([{'type': 'lifespan.startup'},
                     {'type': 'lifespan.shutdown'}])
        await Microdot(lifespan_startup=bad_startup)(
            {'type': 'lifespan'}, peer.receive, peer.send)
        self.assertEqual(peer.sent[0], {'type': 'lifespan.startup.failed',
                                        'message': "KeyError('missing')"})

    def test_shutdown_signals_only_this_process(self):
        import os
        import signal
        from unittest import mock
        app = Microdot()
        with mock.patch('microdot.asgi.os.kill') as kill:
            app.shutdown()
        kill.assert_called_once_with(os.getpid(), signal.SIGTERM)
        self.assertIs(microdot.asgi.os, os)

    @async_test
    async def test_websocket(self):
        app = Microdot()

        @app.route('/ws')
        @with_websocket
        async def echo(req, ws):
            while True:
                await ws.send(await ws.receive())

        peer = Peer([{'type': 'websocket.connect'},
                     {'type': 'websocket.receive', 'text': 'hello'},
                     {'type': 'websocket.receive', 'bytes': b'bin'},
                     # servers may send both keys, one of them None
                     {'type': 'websocket.receive', 'bytes': None,
                      'text': 'both'},
                     {'type': 'websocket.disconnect', 'code': 1000}])
        scope = {'type': 'websocket', 'path': '/ws', 'query_string': b'',
                 'headers': [], 'client': ('127.0.0.1', 1), 'scheme': 'ws'}
        await app(scope, peer.receive, peer.send)
        self.assertEqual(peer.sent, [
            {'type': 'websocket.accept'},
            {'type': 'websocket.send', 'text': 'hello'},
            {'type': 'websocket.send', 'bytes': b'bin'},
            {'type': 'websocket.send', 'text': 'both'}])

    @async_test
    async def test_websocket_client_gone_ends_handler_quietly(self):
        app = Microdot()
        state = {}

        @app.route('/ws')
        @with_websocket
        async def ticker(req, ws):
            try:
                while True:
                    await ws.send('tick')
            finally:
                state['ended'] = True

        class GonePeer(Peer):
            async def send(self, message):
                if message['type'] == 'websocket.send':
                    raise OSError('client disconnected')  # no errno
                await super().send(message)

        peer = GonePeer([{'type': 'websocket.connect'}])
        scope = {'type': 'websocket', 'path': '/ws', 'query_string': b'',
                 'headers': [], 'client': ('127.0.0.1', 1)}
        await asyncio.wait_for(app(scope, peer.receive, peer.send), 1)
        self.assertTrue(state['ended'])
        self.assertEqual(peer.sent, [{'type': 'websocket.accept'}])

    @async_test
    async def test_websocket_from_the_core_module_and_origin_check(self):
        from microdot.websocket import WebSocket, with_websocket as core_ws
        app = Microdot()

        @app.route('/ws')
        @core_ws
        async def greet(req, ws):
            await ws.send('hi')
            await ws.close(4000, 'done')

        scope = {'type': 'websocket', 'path': '/ws', 'query_string': b'',
                 'headers': [(b'origin', b'https://evil.example')],
                 'client': ('127.0.0.1', 1)}
        peer = Peer([{'type': 'websocket.connect'}])
        await app(scope, peer.receive, peer.send)
        self.assertEqual(peer.sent, [
            {'type': 'websocket.accept'},
            {'type': 'websocket.send', 'text': 'hi'},
            {'type': 'websocket.close', 'code': 4000, 'reason': 'done'}])
        WebSocket.allowed_origins = ['https://good.example']
        try:
            peer = Peer([{'type': 'websocket.connect'}])
            await app(scope, peer.receive, peer.send)
        finally:
            WebSocket.allowed_origins = None
        self.assertEqual(peer.sent, [])  # the server answers 403

    @async_test
    async def test_other_scopes_are_ignored(self):
        peer = Peer()
        await Microdot()({'type': 'other'}, peer.receive, peer.send)
        self.assertEqual(peer.sent, [])
