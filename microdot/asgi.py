"""Run a Microdot app under any ASGI server (uvicorn, hypercorn...): HTTP,
streaming responses, WebSocket and lifespan events. CPython only."""
import asyncio
import os
import signal
from microdot import *  # noqa: F401,F403 (the package API, re-exported)
from microdot.microdot import Microdot as BaseMicrodot, AsyncBytesIO, \
    NoCaseDict, Request, Response, abort, print_exception
from microdot.websocket import WebSocket as BaseWebSocket, \
    WebSocketError, websocket_upgrade, with_websocket  # noqa: F401


class _ReceiveStream:
    """The request body as a stream, read from `http.request` messages as
    the application asks for it (bodies above Request.max_body_length)."""

    def __init__(self, receive):
        self.receive = receive
        self.buffer = b''
        self.more_body = True

    async def _fill(self):
        message = await self.receive()
        if not _is_request_body(message):
            self.more_body = False
            return
        self.buffer += message.get('body', b'')
        self.more_body = message.get('more_body', False)

    async def _take(self, n):
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    async def read(self, n=-1):
        while self.more_body and (n < 0 or len(self.buffer) < n):
            await self._fill()
        return await self._take(len(self.buffer) if n < 0 else n)

    async def readexactly(self, n):
        return await self.read(n)

    async def readuntil(self, separator=b'\n'):
        while self.more_body and separator not in self.buffer:
            await self._fill()
        end = self.buffer.find(separator)
        return await self._take(len(self.buffer) if end < 0
                                else end + len(separator))

    async def readline(self):
        return await self.readuntil(b'\n')

    async def aclose(self):
        pass


def _request_headers(scope):
    headers = NoCaseDict()
    for name, value in scope.get('headers', []):
        name = name.decode('latin-1').title()
        value = value.decode('latin-1')
        if name in headers:
            # HTTP/2 clients send one cookie header per cookie
            value = headers[name] + ('; ' if name == 'Cookie' else ', ') + \
                value
        headers[name] = value
    return headers


def _content_length(value):
    """The length a Content-Length value declares, None without one.
    ValueError (answered with 400) unless it is ASCII digits, repeated
    identically if the header came more than once (servers join them with
    commas)."""
    if not value:
        return None
    first = None
    for item in value.split(','):
        item = item.strip()
        if not item or item.strip('0123456789') or \
                (first is not None and item != first):
            raise ValueError('invalid Content-Length')
        first = item
    return int(first)


async def _read_body(receive, limit):
    """The body of `http.request` messages, or None as soon as it grows
    past limit bytes (the rest is not read)."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if not _is_request_body(message):  # the client went away
            break
        chunk = message.get('body', b'')
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get('more_body'):
            break
    return b''.join(chunks)


async def _body(receive, length):
    """(body, stream, length) of a request that declares length (None
    without Content-Length), read with the native server's limits."""
    if length is None:
        # chunked or HTTP/2: read up to max_content_length, as the native
        # server reads a chunked body
        body = await _read_body(receive, Request.max_content_length)
        if body is None:  # too large: dispatch answers 413
            return b'', None, Request.max_content_length + 1
        if len(body) > Request.max_body_length:
            return b'', AsyncBytesIO(body), len(body)
        return body, None, len(body) or None
    if length <= Request.max_body_length:
        body = await _read_body(receive, length)
        if body is None or len(body) < length:
            raise ValueError('body does not match Content-Length')
        return body, None, length
    if length <= Request.max_content_length:
        return b'', _ReceiveStream(receive), length
    return b'', None, length  # left unread: dispatch answers 413


class WebSocket(BaseWebSocket):
    """A WebSocket over the ASGI `websocket.*` messages (the server does the
    framing, pings and masking checks)."""

    async def handshake(self):
        message = await self.request.sock[0]()
        if message['type'] != 'websocket.connect':
            abort(400)
        self._check_origin()
        await self.request.sock[1]({'type': 'websocket.accept'})

    async def receive(self):
        message = await self.request.sock[0]()
        if message['type'] != 'websocket.receive':
            self.closed = True
            raise OSError(32, 'Websocket connection closed')
        data = message.get('bytes')
        if data is None:
            data = message.get('text')
        limit = self._limit()
        if limit and len(data) > limit:
            await self.close(1009)
            raise WebSocketError('Message too large', 1009)
        return data

    async def send(self, data, opcode=None):
        if opcode in (self.PING, self.PONG):
            return  # control frames are the ASGI server's business
        if opcode == self.CLOSE:
            raise ValueError('use close() to close a WebSocket')
        if isinstance(data, str) and opcode != self.BINARY:
            message = {'type': 'websocket.send', 'text': data}
        else:
            if isinstance(data, str):
                data = data.encode()
            message = {'type': 'websocket.send', 'bytes': bytes(data)}
        try:
            await self.request.sock[1](message)
        except OSError:  # e.g. uvicorn's ClientDisconnected
            self.closed = True
            raise WebSocketError('Websocket connection closed')

    async def close(self, code=1000, reason=''):
        if self.closed:
            return
        self.closed = True
        try:
            await self.request.sock[1]({'type': 'websocket.close',
                                        'code': code or 1000,
                                        'reason': reason})
        except Exception:
            pass


class Microdot(BaseMicrodot):
    """A Microdot app that is also an ASGI application:
    `uvicorn module:app`. `app.run()` still uses the native server."""

    def __init__(self, lifespan_startup=None, lifespan_shutdown=None):
        super().__init__()
        self.lifespan_startup = lifespan_startup
        self.lifespan_shutdown = lifespan_shutdown
        self.embedded_server = False

    @property
    def websocket_class(self):
        """The WebSocket class microdot.websocket's upgrade uses."""
        return BaseWebSocket if self.embedded_server else WebSocket

    async def handle_lifespan(self, scope, receive, send):
        while True:
            message = await receive()
            for phase, callback in (('startup', self.lifespan_startup),
                                    ('shutdown', self.lifespan_shutdown)):
                if message['type'] != 'lifespan.' + phase:
                    continue
                try:
                    if callback:
                        await callback(scope)
                except Exception as exc:
                    await send({'type': 'lifespan.%s.failed' % phase,
                                'message': repr(exc)})
                else:
                    await send({'type': 'lifespan.%s.complete' % phase})
                if phase == 'shutdown':
                    return

    async def asgi_app(self, scope, receive, send):
        if scope['type'] == 'lifespan':
            return await self.handle_lifespan(scope, receive, send)
        if scope['type'] not in ('http', 'websocket'):
            return
        try:
            req = await self._request(scope, receive, send)
        except ValueError:  # malformed: 400, as the native server answers
            req = None
        res = await self.dispatch_request(req)
        if scope['type'] == 'websocket' or res is Response.already_handled:
            return
        res.complete()
        header_list = []
        for name, value in res.headers.items():
            for item in value if isinstance(value, list) else [value]:
                header_list.append((name.lower().encode(),
                                    str(item).encode()))
        await send({'type': 'http.response.start',
                    'status': res.status_code, 'headers': header_list})
        body_iter = res.body_iter()
        try:
            if res.is_head:
                await send({'type': 'http.response.body', 'body': b'',
                            'more_body': False})
            else:
                await self._send_body(body_iter, receive, send)
        finally:
            if hasattr(body_iter, 'aclose'):
                await body_iter.aclose()

    async def _request(self, scope, receive, send):
        """The Request of an http or websocket scope, its body read with
        the native server's limits."""
        path = scope['path']
        if scope.get('query_string'):
            path += '?' + scope['query_string'].decode('latin-1')
        headers = _request_headers(scope)
        body = b''
        stream = None
        length = _content_length(headers.get('Content-Length'))
        if scope['type'] == 'http':
            body, stream, length = await _body(receive, length)
        if length is not None:
            headers['Content-Length'] = str(length)
        client = scope.get('client')
        req = Request(self, tuple(client[:2]) if client else None,
                      scope.get('method', 'GET'), path,
                      'HTTP/' + scope.get('http_version', '1.1'), headers,
                      body=body, stream=stream, sock=(receive, send),
                      scheme=scope.get('scheme'))
        req.asgi_scope = scope
        return req

    async def _send_body(self, body_iter, receive, send):
        async def stream_body():
            async for chunk in body_iter:
                if isinstance(chunk, str):
                    chunk = chunk.encode()
                await send({'type': 'http.response.body',
                            'body': bytes(chunk), 'more_body': True})
            await send({'type': 'http.response.body', 'body': b'',
                        'more_body': False})

        async def watch_disconnect():
            while True:
                message = await receive()
                if not isinstance(message, dict) or \
                        message.get('type') == 'http.disconnect':
                    return

        # a client that goes away stops the body (an endless SSE stream
        # included) at once, not at the next chunk
        streamer = asyncio.ensure_future(stream_body())
        watcher = asyncio.ensure_future(watch_disconnect())
        await asyncio.wait((streamer, watcher),
                           return_when=asyncio.FIRST_COMPLETED)
        for task in (streamer, watcher):
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, OSError):
                pass  # OSError: the client went away
            except Exception as exc:
                print_exception(exc)

    async def __call__(self, scope, receive, send):
        return await self.asgi_app(scope, receive, send)

    def shutdown(self):
        """Stop serving. Under an ASGI server this sends SIGTERM to this
        process only (with several workers, it ends just this worker)."""
        if self.embedded_server:
            super().shutdown()
        else:
            os.kill(os.getpid(), signal.SIGTERM)

    def run(self, host='0.0.0.0', port=5000, debug=False, **options):
        """Serve with the native server instead of an ASGI server."""
        self.embedded_server = True
        super().run(host=host, port=port, debug=debug, **options)


def _is_request_body(message):
    """An http.request message; anything else (a disconnect, or what some
    test harnesses send: None, a non-dict) ends the body."""
    return isinstance(message, dict) and \
        message.get('type') == 'http.request'
