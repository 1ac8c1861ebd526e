import asyncio
import hashlib
import unittest

from microdot import Microdot, Request, Response
from microdot.microdot import AsyncBytesIO
from microdot.test_client import TestClient
from microdot.websocket import WebSocket, WebSocketError, with_websocket, \
    websocket_upgrade
from support import async_test

HAS_SHA1 = hasattr(hashlib, 'sha1')  # the qemu port has none

MASK = b'\x11\x22\x33\x44'
HANDSHAKE = (b'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
             b'Connection: keep-alive, Upgrade\r\n'
             b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
             b'Sec-WebSocket-Version: 13\r\n')


def free_heap():
    try:
        import gc
        gc.collect()
        return gc.mem_free()
    except AttributeError:  # CPython
        return 1 << 30


def allocated():
    """Bytes of heap in use (CPython: traced by tracemalloc, started by
    the caller)."""
    import gc
    gc.collect()
    try:
        return gc.mem_alloc()
    except AttributeError:  # CPython
        import tracemalloc
        return tracemalloc.get_traced_memory()[0]


def frame(opcode, payload=b'', fin=True, mask=True):
    """A client frame, masked as a browser sends it unless mask=False."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    mask_bit = 0x80 if mask else 0
    if n < 126:
        header = bytes((first, mask_bit | n))
    elif n < 65536:
        header = bytes((first, mask_bit | 126)) + n.to_bytes(2, 'big')
    else:
        header = bytes((first, mask_bit | 127)) + n.to_bytes(8, 'big')
    if not mask:
        return header + payload
    return header + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(
        payload))


def server_frames(data):
    """[(opcode, payload)] of the unmasked frames the server wrote."""
    frames = []
    i = 0  # an index, not slices: no copy of the rest per frame
    while i < len(data):
        opcode = data[i] & 0x0f
        n = data[i + 1] & 0x7f
        start = i + 2
        if n == 126:
            n = int.from_bytes(data[i + 2:i + 4], 'big')
            start = i + 4
        elif n == 127:
            n = int.from_bytes(data[i + 2:i + 10], 'big')
            start = i + 10
        assert not data[i + 1] & 0x80, 'server frames are never masked'
        frames.append((opcode, bytes(data[start:start + n])))
        i = start + n
    return frames


class SlowWriter(AsyncBytesIO):
    """Lets other tasks run before each write, as a socket does."""

    async def awrite(self, data):
        await asyncio.sleep(0)
        return await super().awrite(data)


async def converse(app, client_bytes, headers=b'', writer=None):
    """Run one WebSocket connection over an in-memory socket: returns the
    HTTP response head and the frames the server sent."""
    reader = AsyncBytesIO(HANDSHAKE + headers + b'\r\n' + client_bytes)
    writer = writer or AsyncBytesIO(b'')
    req = await Request.create(app, reader, writer, ('127.0.0.1', 1234))
    res = await app.dispatch_request(req)
    out = writer.stream.getvalue()
    if res is not Response.already_handled:
        return None, res
    head, _, rest = out.partition(b'\r\n\r\n')
    return head, server_frames(rest)


def close_code(frames):
    opcode, payload = frames[-1]
    assert opcode == WebSocket.CLOSE
    return int.from_bytes(payload[:2], 'big') if payload else None


class LargeMessagePeer:
    """A client sending one binary message of n b'+' bytes, generated as it
    is read, that checks the server's echo as it is written."""

    def __init__(self, n):
        self.pending = HANDSHAKE + b'\r\n' + frame(WebSocket.BINARY)[:1] + \
            bytes((0x80 | 127,)) + n.to_bytes(8, 'big') + MASK
        self.payload_left = n
        self.offset = 0
        self.masked = bytes(0x2b ^ MASK[i % 4] for i in range(8))
        self.frame_headers = []
        self.echoed = 0

    async def readline(self):
        i = self.pending.index(b'\n') + 1
        line, self.pending = self.pending[:i], self.pending[i:]
        return line

    async def readexactly(self, n):
        if self.pending:
            data, self.pending = self.pending[:n], self.pending[n:]
            return data
        n = min(n, self.payload_left)
        start = self.offset % 4
        data = (self.masked[start:start + 4] * (n // 4 + 1))[:n]
        self.offset += n
        self.payload_left -= n
        return data

    async def awrite(self, data):
        if data.startswith(b'HTTP/1.1 101'):
            return
        if len(data) <= 10 and not self.echoed:
            self.frame_headers.append(bytes(data))
        else:
            assert data.count(b'+') == len(data)
            self.echoed += len(data)

    async def aclose(self):
        pass


def _start_tracing():
    try:
        import tracemalloc
    except ImportError:  # MicroPython: gc.mem_alloc() needs no tracing
        return False
    if tracemalloc.is_tracing():
        return False
    tracemalloc.start()
    return True


def _stop_tracing():
    import tracemalloc
    tracemalloc.stop()


class StalledPeer:
    """A client that sends the header of a frame declaring n payload bytes
    and one byte of the payload, then nothing until it hangs up."""

    def __init__(self, n):
        self.pending = HANDSHAKE + b'\r\n' + bytes((0x82, 0x80 | 126)) + \
            n.to_bytes(2, 'big') + MASK + b'x'
        self.stalled = asyncio.Event()
        self.forever = asyncio.Event()

    async def readline(self):
        i = self.pending.index(b'\n') + 1
        line, self.pending = self.pending[:i], self.pending[i:]
        return line

    async def readexactly(self, n):
        if len(self.pending) < n:
            self.stalled.set()
            await self.forever.wait()
        data, self.pending = self.pending[:n], self.pending[n:]
        return data

    async def awrite(self, data):
        pass

    async def aclose(self):
        pass


async def stalled_heap(app, declared, clients=8):
    """The heap held by clients stalled in the middle of a frame, None if
    a connection ended instead (e.g. on MemoryError)."""
    before = allocated()
    peers = [StalledPeer(declared) for _ in range(clients)]
    tasks = []
    for peer in peers:
        req = await Request.create(app, peer, peer, ('x', 1))
        tasks.append(asyncio.create_task(app.dispatch_request(req)))
    for peer, task in zip(peers, tasks):
        while not (peer.stalled.is_set() or task.done()):
            await asyncio.sleep(0)
    used = allocated() - before
    if not all(peer.stalled.is_set() for peer in peers):
        used = None
    for peer in peers:  # the clients hang up
        peer.forever.set()
    await asyncio.gather(*tasks)
    return used


class EchoApp:
    def __init__(self):
        self.app = Microdot()
        self.received = []
        self.error = None

        @self.app.route('/echo')
        @with_websocket
        async def echo(request, ws):
            try:
                while True:
                    data = await ws.receive()
                    self.received.append(data)
                    await ws.send(data)
            except WebSocketError as exc:
                self.error = exc
                raise


@unittest.skipUnless(HAS_SHA1, 'no hashlib.sha1 on this port')
class TestHandshake(unittest.TestCase):
    @async_test
    async def test_accept_header(self):
        head, frames = await converse(EchoApp().app, b'')
        self.assertIn(b'HTTP/1.1 101 Switching Protocols', head)
        # the RFC 6455 example key and answer
        self.assertIn(b'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
                      head)
        self.assertIn(b'Upgrade: websocket', head)
        self.assertIn(b'Connection: Upgrade', head)

    @async_test
    async def test_bad_handshakes(self):
        app = EchoApp().app
        client = TestClient(app)
        cases = [{}, {'Connection': 'Upgrade'}, {'Connection': 'foo'},
                 {'Upgrade': 'websocket'}, {'Upgrade': 'bar'},
                 {'Connection': 'Upgrade', 'Upgrade': 'websocket'},
                 {'Sec-WebSocket-Key': 'xxx'}]
        for headers in cases:
            res = await client.get('/echo', headers=headers)
            self.assertEqual(res.status_code, 400, headers)

    @async_test
    async def test_invalid_keys_are_400(self):
        client = TestClient(EchoApp().app)
        upgrade = {'Upgrade': 'websocket', 'Connection': 'Upgrade',
                   'Sec-WebSocket-Version': '13'}
        for key in ('xxx', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZR==',
                    'dGhlIHNhbXBsZSBub25jZQ==x', 'dGhlIHNhbXBs ZSBub25jZQ=',
                    'c2hvcnQ=', 'dGhlIHNhbXBsZSBub25jZSEh'):
            res = await client.get('/echo', headers=dict(
                upgrade, **{'Sec-WebSocket-Key': key}))
            self.assertEqual(res.status_code, 400, key)

    @async_test
    async def test_other_versions_get_426_with_the_supported_one(self):
        client = TestClient(EchoApp().app)
        upgrade = {'Upgrade': 'websocket', 'Connection': 'Upgrade',
                   'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ=='}
        for version in ('8', '12', '', None):
            headers = dict(upgrade)
            if version is not None:
                headers['Sec-WebSocket-Version'] = version
            res = await client.get('/echo', headers=headers)
            self.assertEqual(res.status_code, 426, version)
            self.assertEqual(res.headers['Sec-WebSocket-Version'], '13')

    @async_test
    async def test_allowed_origins(self):
        app = EchoApp().app
        client = TestClient(app)
        headers = {'Upgrade': 'websocket', 'Connection': 'Upgrade',
                   'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
                   'Sec-WebSocket-Version': '13'}
        WebSocket.allowed_origins = ['https://good.example']
        try:
            res = await client.get('/echo', headers=dict(
                headers, Origin='https://evil.example'))
            self.assertEqual(res.status_code, 403)
            head, frames = await converse(
                app, b'', b'Origin: https://good.example\r\n')
            self.assertIn(b' 101 ', head)
            # non-browser clients send no Origin
            head, frames = await converse(app, b'')
            self.assertIn(b' 101 ', head)
        finally:
            WebSocket.allowed_origins = None

    @async_test
    async def test_allowed_origin_string_is_one_exact_origin(self):
        app = EchoApp().app
        WebSocket.allowed_origins = 'https://good.example.com'
        try:
            for origin, status in [('https://good.example.com', b' 101 '),
                                   ('https://good.example.co', None),
                                   ('https://good.example', None),
                                   ('good', None), ('', b' 101 ')]:
                head, frames = await converse(
                    app, b'', b'Origin: ' + origin.encode() + b'\r\n')
                if status:
                    self.assertIn(status, head, origin)
                else:
                    self.assertIsNone(head, origin)
                    self.assertEqual(frames.status_code, 403, origin)
            WebSocket.allowed_origins = ('https://a.example',
                                         'https://b.example')
            head, frames = await converse(
                app, b'', b'Origin: https://b.example\r\n')
            self.assertIn(b' 101 ', head)
            head, res = await converse(
                app, b'', b'Origin: https://a.example, https://b.example\r\n')
            self.assertEqual(res.status_code, 403)
        finally:
            WebSocket.allowed_origins = None

    @async_test
    async def test_manual_upgrade_after_checks(self):
        app = Microdot()

        @app.route('/ws')
        async def ws_route(request):
            if request.args.get('token') != 'ok':
                return 'no', 401
            ws = await websocket_upgrade(request)
            await ws.send(await ws.receive() + '!')
            await ws.close()

        client = TestClient(app)
        res = await client.get('/ws')
        self.assertEqual(res.status_code, 401)
        replies = []

        def talk():
            replies.append((yield 'hi'))

        res = await client.websocket('/ws?token=ok', talk)
        self.assertIsNone(res.body)
        self.assertEqual(replies, ['hi!'])


@unittest.skipUnless(HAS_SHA1, 'no hashlib.sha1 on this port')
class TestMessages(unittest.TestCase):
    @async_test
    async def test_echo_with_test_client(self):
        app = EchoApp().app
        results = []

        def client():
            for message in ['hello', b'bye', b'*' * 300, 'caf\u00e9']:
                results.append((yield message))

        res = await TestClient(app).websocket('/echo', client)
        self.assertIsNone(res.body)
        self.assertEqual(results, ['hello', b'bye', b'*' * 300,
                                   'caf\u00e9'])

    @async_test
    async def test_large_message(self):
        # The 64-bit length form. The peer streams the message and checks
        # the echo without holding either; the server holds the message
        # twice (its bytes, and the bytes handed to the handler).
        if free_heap() < 3 * 65537:
            self.skipTest('needs 200 KB of free heap')
        echo = EchoApp()
        peer = LargeMessagePeer(65537)
        WebSocket.max_message_length = 65537
        try:
            req = await Request.create(echo.app, peer, peer, ('x', 1))
            await echo.app.dispatch_request(req)
        finally:
            WebSocket.max_message_length = -1
        self.assertEqual(peer.frame_headers, [bytes((0x82, 127)) +
                                              (65537).to_bytes(8, 'big')])
        self.assertEqual(peer.echoed, 65537)

    @async_test
    async def test_stalled_frames_hold_no_declared_length(self):
        # Eight clients each declare a 16 KB frame (the default limit),
        # send one byte of it and stall: the server must not set aside
        # 8 x 16 KB for payloads that may never come. Compared with clients
        # declaring 126 bytes, to leave out what each connection costs.
        app = EchoApp().app
        tracing = _start_tracing()
        try:
            small = await stalled_heap(app, 126)
            large = await stalled_heap(app, 16384)
        finally:
            if tracing:
                _stop_tracing()
        self.assertIsNotNone(large)
        self.assertLess(large - small, 8 * 16384 // 4)

    @async_test
    async def test_payload_arriving_in_pieces(self):
        # a message the reader hands over a few bytes at a time, across the
        # points where the payload buffer grows
        echo = EchoApp()
        data = bytes(range(256)) * 20
        reader = AsyncBytesIO(HANDSHAKE + b'\r\n' +
                              frame(WebSocket.BINARY, data))
        read = reader.read

        async def trickle(n=-1):
            return await read(7 if n < 0 else min(n, 7))

        async def readexactly(n):
            chunk = b''
            while len(chunk) < n:
                piece = await trickle(n - len(chunk))
                if not piece:
                    break
                chunk += piece
            return chunk

        writer = AsyncBytesIO(b'')
        req = await Request.create(echo.app, reader, writer, ('x', 1))
        reader.read = trickle
        reader.readexactly = readexactly
        await echo.app.dispatch_request(req)
        self.assertEqual(echo.received, [data])

    @async_test
    async def test_empty_messages_are_delivered(self):
        echo = EchoApp()
        head, frames = await converse(
            echo.app, frame(WebSocket.TEXT, b'') + frame(WebSocket.BINARY) +
            frame(WebSocket.TEXT, 'x'))
        self.assertEqual(echo.received, ['', b'', 'x'])
        self.assertEqual(frames[:3], [(1, b''), (2, b''), (1, b'x')])

    @async_test
    async def test_fragmented_message_with_ping_inside(self):
        echo = EchoApp()
        data = frame(WebSocket.TEXT, 'Hel', fin=False) + \
            frame(WebSocket.PING, b'p1') + \
            frame(WebSocket.CONT, 'lo ', fin=False) + \
            frame(WebSocket.CONT, 'world')
        head, frames = await converse(echo.app, data)
        self.assertEqual(echo.received, ['Hello world'])
        self.assertEqual(frames[0], (WebSocket.PONG, b'p1'))
        self.assertEqual(frames[1], (WebSocket.TEXT, b'Hello world'))

    @async_test
    async def test_utf8_split_across_fragments(self):
        echo = EchoApp()
        text = '\u00e9t\u00e9'.encode()
        data = frame(WebSocket.TEXT, text[:1], fin=False) + \
            frame(WebSocket.CONT, text[1:])
        await converse(echo.app, data)
        self.assertEqual(echo.received, ['\u00e9t\u00e9'])

    @async_test
    async def test_pong_is_ignored(self):
        echo = EchoApp()
        head, frames = await converse(
            echo.app, frame(WebSocket.PONG, b'x') + frame(WebSocket.TEXT, 'a'))
        self.assertEqual(echo.received, ['a'])

    @async_test
    async def test_concurrent_sends_do_not_interleave(self):
        app = Microdot()

        @app.route('/echo')
        @with_websocket
        async def burst(request, ws):
            await asyncio.gather(*[ws.send(str(i) * 2000)
                                   for i in range(5)])

        head, frames = await converse(app, b'', writer=SlowWriter(b''))
        # each frame whole: one opcode, 2000 times the same digit
        self.assertEqual(sorted((opcode, payload[:1], len(payload),
                                 payload.count(payload[:1]))
                                for opcode, payload in frames[:5]),
                         [(1, str(i).encode(), 2000, 2000) for i in range(5)])


@unittest.skipUnless(HAS_SHA1, 'no hashlib.sha1 on this port')
class TestClosing(unittest.TestCase):
    @async_test
    async def test_close_frame_is_echoed(self):
        echo = EchoApp()
        head, frames = await converse(
            echo.app, frame(WebSocket.CLOSE, (1001).to_bytes(2, 'big')))
        self.assertEqual(frames, [(WebSocket.CLOSE,
                                   (1001).to_bytes(2, 'big'))])
        self.assertEqual(echo.error.code, 1001)

    @async_test
    async def test_client_vanishes(self):
        echo = EchoApp()
        head, frames = await converse(echo.app, frame(WebSocket.TEXT, 'a') +
                                      b'\x81')
        self.assertEqual(echo.received, ['a'])
        self.assertIsInstance(echo.error, WebSocketError)
        self.assertEqual(frames, [(WebSocket.TEXT, b'a')])

    @async_test
    async def test_unmasked_frame_is_refused(self):
        echo = EchoApp()
        head, frames = await converse(
            echo.app, frame(WebSocket.TEXT, 'sneaky', mask=False))
        self.assertEqual(echo.received, [])
        self.assertEqual(close_code(frames), 1002)

    @async_test
    async def test_protocol_errors(self):
        cases = [
            frame(WebSocket.CONT, 'x'),  # continuation of nothing
            frame(WebSocket.TEXT, 'a', fin=False) + frame(WebSocket.TEXT,
                                                          'b'),
            frame(WebSocket.PING, b'x' * 126),  # control frame too long
            frame(WebSocket.PING, fin=False),  # fragmented control frame
            frame(3, b'x'),  # reserved opcode
            bytes((0xc1, 0x80)) + MASK,  # RSV1 without an extension
        ]
        for data in cases:
            echo = EchoApp()
            head, frames = await converse(echo.app, data)
            self.assertEqual(close_code(frames), 1002, data)
            self.assertEqual(echo.received, [])

    @async_test
    async def test_invalid_utf8(self):
        echo = EchoApp()
        head, frames = await converse(echo.app,
                                      frame(WebSocket.TEXT, b'\xff\xfe'))
        self.assertEqual(close_code(frames), 1007)

    @async_test
    async def test_message_too_large(self):
        echo = EchoApp()
        saved = Request.max_body_length
        Request.max_body_length = 10
        try:
            head, frames = await converse(
                echo.app, frame(WebSocket.TEXT, 'x' * 16))
            self.assertEqual(echo.received, [])
            self.assertEqual(close_code(frames), 1009)
            # the limit applies to the reassembled message too
            echo = EchoApp()
            head, frames = await converse(
                echo.app, frame(WebSocket.TEXT, 'x' * 8, fin=False) +
                frame(WebSocket.CONT, 'x' * 8))
            self.assertEqual(close_code(frames), 1009)
        finally:
            Request.max_body_length = saved

    @async_test
    async def test_zero_max_message_length_means_no_limit(self):
        echo = EchoApp()
        saved = Request.max_body_length
        Request.max_body_length = 10
        WebSocket.max_message_length = 0
        try:
            await converse(echo.app, frame(WebSocket.TEXT, 'y' * 100))
        finally:
            Request.max_body_length = saved
            WebSocket.max_message_length = -1
        self.assertEqual(echo.received, ['y' * 100])

    @async_test
    async def test_handler_exception_ends_connection(self):
        app = Microdot()

        @app.route('/echo')
        @with_websocket
        async def broken(request, ws):
            1 / 0

        head, frames = await converse(app, frame(WebSocket.TEXT, 'a'))
        self.assertIn(b' 101 ', head)
        self.assertEqual(close_code(frames), 1011)

    @async_test
    async def test_close_with_code_and_reason(self):
        app = Microdot()

        @app.route('/echo')
        @with_websocket
        async def bye(request, ws):
            await ws.close(4000, 'bye')
            await ws.close()  # only once

        head, frames = await converse(app, b'')
        self.assertEqual(frames, [(WebSocket.CLOSE,
                                   (4000).to_bytes(2, 'big') + b'bye')])


class TestFrameHelpers(unittest.TestCase):
    def test_process_frame(self):
        ws = WebSocket(None)
        self.assertEqual(ws._process_websocket_frame(WebSocket.TEXT, b'foo'),
                         (None, 'foo'))
        self.assertEqual(ws._process_websocket_frame(WebSocket.BINARY,
                                                     b'foo'), (None, b'foo'))
        self.assertRaises(WebSocketError, ws._process_websocket_frame,
                          WebSocket.CLOSE, b'')
        self.assertEqual(ws._process_websocket_frame(WebSocket.PING, b'foo'),
                         (WebSocket.PONG, b'foo'))
        self.assertEqual(ws._process_websocket_frame(WebSocket.PONG, b'foo'),
                         (None, None))

    def test_encode_and_parse_header(self):
        for n, length, extended in [(0, 0, b''), (125, 125, b''),
                                    (126, -2, b'\x00\x7e'),
                                    (1000, -2, b'\x03\xe8')]:
            encoded = WebSocket._encode_websocket_frame(WebSocket.BINARY,
                                                        b'a' * n)
            fin, opcode, has_mask, parsed = WebSocket._parse_frame_header(
                encoded[:2])
            self.assertTrue(fin)
            self.assertEqual(opcode, WebSocket.BINARY)
            self.assertFalse(has_mask)
            self.assertEqual(parsed, length)
            header = len(encoded) - n
            self.assertEqual(encoded[2:header], extended)
            self.assertEqual(encoded[header:].count(b'a'), n)
        self.assertEqual(WebSocket._frame_header(2, 65535), b'\x82\x7e\xff\xff')
        self.assertEqual(WebSocket._frame_header(2, 65536),
                         b'\x82\x7f\0\0\0\0\0\1\0\0')
        self.assertEqual(WebSocket._encode_websocket_frame(1, 'é'),
                         bytearray(b'\x81\x02\xc3\xa9'))
