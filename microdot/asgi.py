"""Run a Microdot app under any ASGI server (uvicorn, hypercorn...): HTTP,
streaming responses, WebSocket and lifespan events. CPython only."""
import asyncio
import os
import signal
from microdot import *  # noqa: F401,F403 (the package API, re-exported)
from microdot.microdot import Microdot as BaseMicrodot, NoCaseDict, \
    Request, Response, abort, print_exception
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
        if message['type'] != 'http.request':
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
        path = scope['path']
        if scope.get('query_string'):
            path += '?' + scope['query_string'].decode('latin-1')
        headers = _request_headers(scope)
        content_length = int(headers.get('Content-Length') or 0)
        body = b''
        stream = None
        if 0 < content_length <= Request.max_body_length:
            while True:
                message = await receive()
                body += message.get('body', b'')
                if not message.get('more_body'):
                    break
        elif scope['type'] == 'http':
            stream = _ReceiveStream(receive)
            if not content_length:
                # no Content-Length (chunked, HTTP/2): a body that fits is
                # loaded like any other, a larger one stays a stream
                while stream.more_body and \
                        len(stream.buffer) <= Request.max_body_length:
                    await stream._fill()
                if stream.buffer or stream.more_body:
                    headers['Content-Length'] = str(len(stream.buffer))
                if not stream.more_body and \
                        len(stream.buffer) <= Request.max_body_length:
                    body, stream = stream.buffer, None
        client = scope.get('client')
        req = Request(self, tuple(client[:2]) if client else None,
                      scope.get('method', 'GET'), path,
                      'HTTP/' + scope.get('http_version', '1.1'), headers,
                      body=body, stream=stream, sock=(receive, send),
                      scheme=scope.get('scheme'))
        req.asgi_scope = scope
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
            while (await receive())['type'] != 'http.disconnect':
                pass

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
