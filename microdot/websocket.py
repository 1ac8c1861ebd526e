"""WebSocket support (RFC 6455) for the native server and, through
microdot.asgi, for ASGI servers."""
import asyncio
import binascii
import hashlib
from microdot import Request, Response, abort
from microdot.microdot import HTTPException, MUTED_SOCKET_ERRORS, \
    print_exception
from microdot.helpers import wraps

_GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
# Payloads are read and unmasked in pieces of this size (a multiple of 4, so
# every piece starts at the beginning of the 4-byte mask).
_PIECE = 256


class WebSocketError(Exception):
    """The connection cannot go on: the peer closed it, vanished or broke
    the protocol (the close code sent or received is in `code`)."""
    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


def _unmask(buf, mask):
    # XOR through big integers: about ten times faster than a byte loop on
    # MicroPython, and it never holds more than one extra piece.
    pattern = int.from_bytes(mask * (_PIECE // 4), 'big')
    for start in range(0, len(buf), _PIECE):
        piece = buf[start:start + _PIECE]
        n = len(piece)
        key = pattern if n == _PIECE else \
            int.from_bytes((mask * (n // 4 + 1))[:n], 'big')
        buf[start:start + n] = (int.from_bytes(piece, 'big') ^ key).to_bytes(
            n, 'big')


class WebSocket:
    CONT = 0
    TEXT = 1
    BINARY = 2
    CLOSE = 8
    PING = 9
    PONG = 10

    #: Largest message accepted, in bytes: -1 uses Request.max_body_length,
    #: 0 means no limit. A longer message closes the connection (1009).
    max_message_length = -1
    #: The origins allowed to open a connection, matched exactly: a list
    #: such as ['https://example.com'] or a single origin as a string;
    #: None allows any. Requests without an Origin header (non-browser
    #: clients) are always allowed: only browsers need this protection.
    allowed_origins = None

    def __init__(self, request):
        self.request = request
        self.closed = False
        self._send_lock = None

    async def handshake(self):
        accept = self._handshake_response()
        if not self.request.app.hold_connection(self.request):
            abort(503, 'Too many WebSocket connections')
        await self.request.sock[1].awrite(
            b'HTTP/1.1 101 Switching Protocols\r\n'
            b'Upgrade: websocket\r\n'
            b'Connection: Upgrade\r\n'
            b'Sec-WebSocket-Accept: ' + accept + b'\r\n\r\n')

    def _handshake_response(self):
        headers = self.request.headers
        connection = headers.get('Connection')
        upgrade = headers.get('Upgrade')
        key = headers.get('Sec-WebSocket-Key')
        if not connection or 'upgrade' not in connection.lower() or \
                not upgrade or upgrade.lower() != 'websocket' or \
                not _valid_key(key):
            abort(400)
        if headers.get('Sec-WebSocket-Version') != '13':
            abort(426, 'Upgrade required')  # RFC 6455 4.4
        self._check_origin()
        digest = hashlib.sha1(key.encode() + _GUID).digest()
        return binascii.b2a_base64(digest)[:-1]

    def _check_origin(self):
        origin = self.request.headers.get('Origin')
        allowed = self.allowed_origins
        if origin and allowed is not None and not (
                origin == allowed if isinstance(allowed, str)
                else origin in allowed):
            abort(403)

    async def receive(self):
        """Wait for the next message: a str for text, bytes for binary.
        Fragmented messages are reassembled; pings are answered."""
        message = None
        message_opcode = None
        while True:
            fin, opcode, payload = await self._read_frame(
                len(message) if message else 0)
            if opcode == self.CLOSE:
                await self._closed_by_peer(payload)
            if opcode >= self.CLOSE:
                reply, data = self._process_websocket_frame(opcode, payload)
                if reply is not None:
                    await self.send(data, reply)
                continue
            if opcode == self.CONT:
                if message is None:
                    await self._fail(1002, 'Unexpected continuation frame')
                message += payload
            else:
                if message is not None:
                    await self._fail(1002, 'Unfinished fragmented message')
                message = payload
                message_opcode = opcode
            if fin:
                try:
                    return self._process_websocket_frame(message_opcode,
                                                         message)[1]
                except UnicodeError:
                    await self._fail(1007, 'Invalid UTF-8 in text message')

    async def send(self, data, opcode=None):
        if opcode is None:
            opcode = self.TEXT if isinstance(data, str) else self.BINARY
        if isinstance(data, str):
            data = data.encode()
        if self._send_lock is None:
            self._send_lock = asyncio.Lock()
        # frames sent from several tasks must not interleave
        async with self._send_lock:
            if len(data) <= _PIECE * 4:
                await self.request.sock[1].awrite(
                    self._encode_websocket_frame(opcode, data))
            else:  # no copy of a large payload
                await self.request.sock[1].awrite(
                    self._frame_header(opcode, len(data)))
                await self.request.sock[1].awrite(data)

    async def ping(self, data=b''):
        """Send a ping; the peer's pong is consumed by receive()."""
        await self.send(data, self.PING)

    async def close(self, code=1000, reason=''):
        """Send a close frame (once). A code of None sends no status."""
        if self.closed:
            return
        self.closed = True
        payload = b''
        if code is not None:
            payload = code.to_bytes(2, 'big') + reason.encode()
        await self.send(payload, self.CLOSE)

    async def _closed_by_peer(self, payload):
        code = int.from_bytes(payload[:2], 'big') if len(payload) >= 2 \
            else None
        if not self.closed:
            # answer with the peer's code, as RFC 6455 asks
            valid = code is not None and 1000 <= code < 5000 and \
                code not in (1004, 1005, 1006, 1015)
            try:
                await self.close(code if valid else None)
            except OSError:
                pass
        raise WebSocketError('Websocket connection closed', code)

    async def _fail(self, code, reason):
        try:
            await self.close(code)
        except OSError:
            pass
        raise WebSocketError(reason, code)

    def _limit(self):
        if self.max_message_length == -1:
            return Request.max_body_length
        return self.max_message_length

    async def _read_exactly(self, n):
        try:
            data = await self.request.sock[0].readexactly(n)
        except EOFError:  # asyncio's IncompleteReadError on CPython
            data = b''
        if len(data) < n:
            self.closed = True
            raise WebSocketError('Connection closed by the client')
        return data

    async def _read_frame(self, received):
        """Read one frame; `received` is the length of the fragments of the
        current message already read. Returns (fin, opcode, payload)."""
        header = await self._read_exactly(2)
        fin, opcode, has_mask, length = self._parse_frame_header(header)
        if header[0] & 0x70 or opcode in (3, 4, 5, 6, 7) or opcode > 10:
            await self._fail(1002, 'Unsupported frame')
        if length == -2:
            length = int.from_bytes(await self._read_exactly(2), 'big')
        elif length == -8:
            length = int.from_bytes(await self._read_exactly(8), 'big')
        if not has_mask:
            await self._fail(1002, 'Client frames must be masked')
        if opcode >= self.CLOSE:
            if not fin or length > 125:
                await self._fail(1002, 'Invalid control frame')
        else:
            limit = self._limit()
            if limit and received + length > limit:
                await self._fail(1009, 'Message too large')
        mask = await self._read_exactly(4)
        payload = await self._read_payload(length)
        _unmask(payload, mask)
        return fin, opcode, payload

    async def _read_payload(self, length):
        # RAM is taken as the payload arrives, never on the word of the
        # declared length alone: the buffer doubles when full, so a client
        # that stalls holds at most twice what it has sent.
        payload = bytearray(min(length, _PIECE * 4))
        filled = 0
        while filled < length:
            if filled == len(payload):
                grown = bytearray(min(length, 2 * filled))
                grown[:filled] = payload
                payload = grown
            n = min(len(payload) - filled, _PIECE * 4)
            payload[filled:filled + n] = await self._read_exactly(n)
            filled += n
        return payload

    @classmethod
    def _parse_frame_header(cls, header):
        """(fin, opcode, has_mask, length) where length is the 7-bit length,
        or -2/-8 when a 16/64-bit length follows."""
        fin = header[0] & 0x80
        opcode = header[0] & 0x0f
        has_mask = header[1] & 0x80
        length = header[1] & 0x7f
        if length == 126:
            length = -2
        elif length == 127:
            length = -8
        return fin, opcode, has_mask, length

    def _process_websocket_frame(self, opcode, payload):
        """(reply_opcode, data) for a complete message or control frame."""
        if opcode == self.TEXT:
            return None, str(payload, 'utf-8')
        elif opcode == self.BINARY:
            return None, bytes(payload)
        elif opcode == self.CLOSE:
            raise WebSocketError('Websocket connection closed')
        elif opcode == self.PING:
            return self.PONG, payload
        elif opcode == self.PONG:
            return None, None
        raise WebSocketError('Invalid opcode')

    @staticmethod
    def _frame_header(opcode, n):
        if n < 126:
            return bytes((0x80 | opcode, n))
        elif n < 65536:
            return bytes((0x80 | opcode, 126)) + n.to_bytes(2, 'big')
        return bytes((0x80 | opcode, 127)) + n.to_bytes(8, 'big')

    @classmethod
    def _encode_websocket_frame(cls, opcode, payload):
        """One unmasked frame with FIN set, as a bytearray."""
        if isinstance(payload, str):
            payload = payload.encode()
        n = len(payload)
        header = cls._frame_header(opcode, n)
        frame = bytearray(len(header) + n)
        frame[:len(header)] = header
        memoryview(frame)[len(header):] = payload
        return frame


async def websocket_upgrade(request):
    """Upgrade the connection of `request` and return its WebSocket. Use it
    in a route after your own checks (authentication...)."""
    ws_class = getattr(request.app, 'websocket_class', WebSocket)
    ws = ws_class(request)
    await ws.handshake()

    @request.after_request
    async def after_request(request, response):
        return Response.already_handled

    return ws


def _valid_key(key):
    """A Sec-WebSocket-Key is 16 random bytes in canonical base64."""
    if not key or len(key) != 24:
        return False
    try:
        raw = binascii.a2b_base64(key)
    except ValueError:
        return False
    return len(raw) == 16 and binascii.b2a_base64(raw)[:-1] == key.encode()


def websocket_wrapper(f, upgrade_function):
    @wraps(f)
    async def wrapper(request, *args, **kwargs):
        try:
            ws = await upgrade_function(request)
        except HTTPException as exc:
            if exc.status_code != 426:
                raise
            return Response(exc.reason, 426, {'Sec-WebSocket-Version': '13'})
        code = 1000
        try:
            await f(request, ws, *args, **kwargs)
        except OSError as exc:
            if exc.errno not in MUTED_SOCKET_ERRORS:
                print_exception(exc)
        except WebSocketError:
            pass
        except Exception as exc:
            print_exception(exc)
            code = 1011  # internal error
        try:
            await ws.close(code)
        except Exception:
            pass
        return Response.already_handled
    return wrapper


def with_websocket(f):
    """Decorator for `async def route(request, ws, **path_args)`."""
    return websocket_wrapper(f, websocket_upgrade)
