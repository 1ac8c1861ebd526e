"""Test an app without a network: requests go straight to its dispatcher."""
from microdot.microdot import (AsyncBytesIO, HTTPException, Request,
                               Response, _BufferedReader, json_dumps,
                               json_loads)

try:
    from microdot.websocket import WebSocket, _unmask
except ImportError:  # pragma: no cover
    WebSocket = None

__all__ = ['TestClient', 'TestResponse']


class TestResponse:
    """The parts of a response a test looks at."""
    __test__ = False  # not a pytest test class

    def __init__(self):
        self.status_code = None
        self.reason = None
        self.headers = {}
        self.body = None
        self.text = None
        self.json = None
        self.events = None

    @classmethod
    async def create(cls, res):
        response = cls()
        response.status_code = res.status_code
        response.reason = res.reason
        response.headers = res.headers
        if not res.is_head:
            await response._read_body(res)
            response._parse()
        else:
            await res._close_body()
        return response

    async def _read_body(self, res):
        body = b''
        it = res.body_iter()
        try:
            async for chunk in it:
                body += chunk.encode() if isinstance(chunk, str) else chunk
        except Exception as exc:
            if type(exc).__name__ != 'CancelledError':
                raise
        if hasattr(it, 'aclose'):
            await it.aclose()
        self.body = body

    def _parse(self):
        try:
            self.text = self.body.decode()
        except UnicodeError:
            self.text = None
        media_type = (self.headers.get('Content-Type') or '').split(
            ';', 1)[0].strip()
        if media_type == 'application/json':
            self.json = json_loads(self.body.decode())
        elif media_type == 'text/event-stream':
            self.events = _parse_events(self.body)


def _parse_events(body):
    events = []
    for block in body.split(b'\n\n'):
        event = {'data': None, 'data_json': None, 'event': None,
                 'event_id': None, 'retry': None}
        data = []
        for line in block.split(b'\n'):
            field, _, value = line.partition(b':')
            value = value.strip()
            if field == b'data':
                data.append(value)
            elif field == b'event':
                event['event'] = value.decode()
            elif field == b'id':
                event['event_id'] = value.decode()
            elif field == b'retry':
                event['retry'] = int(value) / 1000
        if not data:
            continue
        event['data'] = b'\n'.join(data)
        try:
            event['data_json'] = json_loads(event['data'].decode())
        except ValueError:
            pass
        events.append(event)
    return events


class TestClient:
    """Send requests to an app and get TestResponse objects back.

    The client keeps the cookies the app sets, honouring their path and
    deletions, and sends them with later requests.
    """
    __test__ = False  # not a pytest test class

    def __init__(self, app, cookies=None, scheme=None, host=None):
        self.app = app
        self.cookies = cookies or {}
        self.scheme = scheme
        self.host = host or 'example.com:1234'

    def _render(self, method, path, headers, body):
        if body is None:
            body = b''
        elif isinstance(body, (dict, list)):
            body = json_dumps(body)
            if 'Content-Type' not in headers:
                headers['Content-Type'] = 'application/json'
        if isinstance(body, str):
            body = body.encode()
        if body and 'Content-Length' not in headers:
            headers['Content-Length'] = str(len(body))
        cookies = []
        for name, value in self.cookies.items():
            if isinstance(value, tuple):
                value, cookie_path = value
                if not path.startswith(cookie_path):
                    continue
            cookies.append('{}={}'.format(name, value))
        if cookies:
            cookie = '; '.join(cookies)
            headers['Cookie'] = headers['Cookie'] + '; ' + cookie \
                if 'Cookie' in headers else cookie
        request = '{} {} HTTP/1.0\n'.format(method, path)
        if 'Host' not in headers:
            request += 'Host: {}\n'.format(self.host)
        for name, value in headers.items():
            request += '{}: {}\n'.format(name, value)
        return request.encode() + b'\n' + body

    def _update_cookies(self, res):
        cookies = res.headers.get('Set-Cookie')
        if not cookies:
            return
        for cookie in cookies if isinstance(cookies, list) else [cookies]:
            parts = cookie.split(';')
            name, _, value = parts[0].partition('=')
            path = '/'
            delete = False
            for attr in parts[1:]:
                key, _, attr_value = attr.strip().partition('=')
                key = key.lower()
                if key == 'max-age':
                    try:
                        delete = int(attr_value) <= 0
                    except ValueError:
                        delete = True
                elif key == 'expires':
                    delete = delete or '1 jan 1970' in attr_value.lower()
                elif key == 'path':
                    path = attr_value
            if delete:
                stored = self.cookies.get(name)
                stored_path = stored[1] if isinstance(stored, tuple) else '/'
                if stored is not None and stored_path == path:
                    del self.cookies[name]
            else:
                self.cookies[name] = value if path == '/' else (value, path)

    async def request(self, method, path, headers=None, body=None, sock=None):
        headers = dict(headers or {})
        raw = self._render(method, path, headers, body)
        if sock:
            reader, writer = sock
            reader.buffer = raw
        else:
            reader = AsyncBytesIO(raw)
            writer = AsyncBytesIO(b'')
        # the server's own reader and parser; a request they refuse gets
        # the answer the server would send
        try:
            req = await Request.create(self.app, _BufferedReader(reader),
                                       writer, ('127.0.0.1', 1234),
                                       scheme=self.scheme)
        except (HTTPException, ValueError) as exc:
            res = await self.app._refusal(exc)
        else:
            res = await self.app.dispatch_request(req)
        if res is Response.already_handled:
            return TestResponse()
        res.complete()
        self._update_cookies(res)
        return await TestResponse.create(res)

    async def get(self, path, headers=None):
        return await self.request('GET', path, headers=headers)

    async def post(self, path, headers=None, body=None):
        return await self.request('POST', path, headers=headers, body=body)

    async def put(self, path, headers=None, body=None):
        return await self.request('PUT', path, headers=headers, body=body)

    async def patch(self, path, headers=None, body=None):
        return await self.request('PATCH', path, headers=headers, body=body)

    async def delete(self, path, headers=None):
        return await self.request('DELETE', path, headers=headers)

    async def websocket(self, path, client, headers=None):
        """Run a WebSocket conversation. client is a generator function
        (sync or async) that yields each message to send and receives the
        app's replies."""
        if WebSocket is None:  # pragma: no cover
            raise RuntimeError('microdot.websocket is not available')
        ws_headers = {
            'Upgrade': 'websocket',
            'Connection': 'Upgrade',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        }
        ws_headers.update(headers or {})
        pipe = _WebSocketPipe(client())
        return await self.request('GET', path, headers=ws_headers,
                                  sock=(pipe, pipe))


def _client_frame(message):
    """A masked frame, as a browser sends it."""
    if isinstance(message, str):
        opcode, payload = WebSocket.TEXT, message.encode()
    else:
        opcode, payload = WebSocket.BINARY, message
    header = bytearray(WebSocket._frame_header(opcode, len(payload)))
    header[1] |= 0x80
    key = b'\x37\xfa\x21\x3d'
    masked = bytearray(payload)
    _unmask(masked, key)  # XOR: the same operation masks
    return bytes(header) + key + masked


class _WebSocketPipe:
    """The client side of a WebSocket connection, as the server's reader
    and writer: it serves the request, then the client's messages as
    frames, and feeds the server's data frames back to the client."""

    def __init__(self, client):
        self.client = client
        self.is_async = hasattr(client, '__anext__')
        self.buffer = b''
        self.pos = 0
        self.started = False
        self.outgoing = b''
        self.incoming = b''
        self.finished = False

    async def _next_message(self, reply):
        try:
            if self.is_async:
                message = await self.client.asend(reply)
            else:
                message = self.client.send(reply)
        except (StopIteration, StopAsyncIteration):
            self.finished = True
            return
        self.outgoing += _client_frame(message)

    async def _take(self, n):
        if self.pos < len(self.buffer):
            data = self.buffer[self.pos:self.pos + n]
            self.pos += len(data)
            return data
        self.started = True
        if not self.outgoing and not self.finished:
            await self._next_message(None)
        if not self.outgoing:
            raise OSError(32, 'client finished')
        data = self.outgoing[:n]
        self.outgoing = self.outgoing[n:]
        return data

    async def read(self, n=-1):
        return await self._take(n if n >= 0 else 65536)

    async def readexactly(self, n):
        data = b''
        while len(data) < n:
            data += await self._take(n - len(data))
        return data

    async def readline(self):
        data = b''
        while not data.endswith(b'\n'):
            data += await self._take(1)
        return data

    async def awrite(self, data):
        if not self.started:
            return  # the handshake response
        self.incoming += data
        while True:
            frame = _split_frame(self.incoming)
            if frame is None:
                return
            opcode, payload, size = frame
            self.incoming = self.incoming[size:]
            if opcode in (1, 2) and not self.finished:
                await self._next_message(
                    payload.decode() if opcode == 1 else payload)

    async def aclose(self):
        pass

    def get_extra_info(self, name, default=None):
        return default


def _split_frame(data):
    """(opcode, payload, frame size) of the first complete server frame."""
    if len(data) < 2:
        return None
    _, opcode, _, length = WebSocket._parse_frame_header(data)
    start = 2
    if length < 0:  # a 16 or 64-bit length follows
        start = 2 - length
        if len(data) < start:
            return None
        length = int.from_bytes(data[2:start], 'big')
    if len(data) < start + length:
        return None
    return opcode, bytes(data[start:start + length]), start + length
