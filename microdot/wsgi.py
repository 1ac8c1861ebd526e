"""Run a Microdot app under any WSGI server (gunicorn, waitress...).
CPython only."""
import asyncio
import os
import signal
import sys
from microdot import *  # noqa: F401,F403 (the package API, re-exported)
from microdot.asgi import _content_length
from microdot.microdot import Microdot as BaseMicrodot, AsyncBytesIO, \
    NoCaseDict, Request, Response, MUTED_SOCKET_ERRORS, _Connection, abort
from microdot.websocket import WebSocket as BaseWebSocket, \
    websocket_upgrade, with_websocket  # noqa: F401


class _InputStream:
    """wsgi.input as an async stream that ends after Content-Length bytes
    (bodies above Request.max_body_length)."""

    def __init__(self, input, length):
        self.input = input
        self.remaining = length

    async def read(self, n=-1):
        if n < 0 or n > self.remaining:
            n = self.remaining
        data = self.input.read(n) if n else b''
        self.remaining -= len(data)
        return data

    async def readexactly(self, n):
        return await self.read(n)

    async def readline(self):
        data = self.input.readline(self.remaining) if self.remaining \
            else b''
        self.remaining -= len(data)
        return data

    async def readuntil(self, separator=b'\n'):
        data = b''
        while not data.endswith(separator) and self.remaining:
            data += await self.read(1)
        return data

    async def aclose(self):
        pass


def _read_input(input, limit):
    """wsgi.input read to its end, or None as soon as it grows past limit
    bytes (the rest is not read)."""
    chunks = []
    size = 0
    while True:
        chunk = input.read(8192)
        if not chunk:
            return b''.join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


def _body(environ, length):
    """(body, stream, length) of a request that declares length (None
    without Content-Length), read with the native server's limits."""
    input = environ['wsgi.input']
    if length is None:
        if 'HTTP_TRANSFER_ENCODING' not in environ:
            return b'', None, None
        if not environ.get('wsgi.input_terminated'):
            # the server passes the chunks on undecoded (wsgiref)
            raise ValueError('chunked body not supported by this server')
        # a chunked body the server decodes (gunicorn): read up to
        # max_content_length, as the native server reads one
        body = _read_input(input, Request.max_content_length)
        if body is None:  # too large: dispatch answers 413
            return b'', None, Request.max_content_length + 1
        if len(body) > Request.max_body_length:
            return b'', AsyncBytesIO(body), len(body)
        return body, None, len(body)
    if length <= Request.max_body_length:
        body = input.read(length) if length else b''
        if len(body) < length:
            raise ValueError('body truncated')
        return body, None, length
    if length <= Request.max_content_length:
        return b'', _InputStream(input, length), length
    return b'', None, length  # left unread: dispatch answers 413


class _Body:
    """The WSGI response iterable: each step runs one step of the
    response's async body iterator on the request's event loop, which
    close() closes."""

    def __init__(self, loop, body_iter):
        self.loop = loop
        self.body_iter = body_iter

    def __iter__(self):
        return self

    def __next__(self):
        try:
            chunk = self.loop.run_until_complete(self.body_iter.__anext__())
        except StopAsyncIteration:
            raise StopIteration
        return chunk.encode() if isinstance(chunk, str) else bytes(chunk)

    def close(self):
        try:
            if hasattr(self.body_iter, 'aclose'):
                self.loop.run_until_complete(self.body_iter.aclose())
        finally:
            self.loop.close()


def _request_headers(environ):
    headers = NoCaseDict()
    for key, value in environ.items():
        if key.startswith('HTTP_'):
            name = '-'.join(part.title() for part in key[5:].split('_'))
            headers[name] = value
        elif key == 'CONTENT_TYPE' and value:
            headers['Content-Type'] = value
        elif key == 'CONTENT_LENGTH' and value:
            headers['Content-Length'] = value
    return headers


class WebSocket(BaseWebSocket):
    """The core WebSocket over gunicorn's socket. Other WSGI servers give
    the application no socket: their upgrades are answered 501."""

    async def handshake(self):
        if self.request.sock[1] is None:
            self._handshake_response()  # not an upgrade request: 400
            print('WebSocket %s refused (501): this WSGI server gives no '
                  'socket to upgrade; use gunicorn or an ASGI server' %
                  self.request.path, file=sys.stderr)
            abort(501, 'WebSocket not supported by this server')
        await super().handshake()


class Microdot(BaseMicrodot):
    """A Microdot app that is also a WSGI application:
    `gunicorn module:app`. `app.run()` still uses the native server."""

    #: The WebSocket class microdot.websocket's upgrade uses.
    websocket_class = WebSocket

    def __init__(self):
        super().__init__()
        self.embedded_server = False

    def wsgi_app(self, environ, start_response):
        # each request runs on an event loop of its own: WSGI servers call
        # the app from several threads at once
        loop = asyncio.new_event_loop()
        try:
            return self._handle(loop, environ, start_response)
        except BaseException:
            loop.close()
            raise

    def _handle(self, loop, environ, start_response):
        try:
            req = self._request(loop, environ)
        except ValueError:  # malformed: 400, as the native server answers
            req = None
        res = loop.run_until_complete(self.dispatch_request(req))
        sock = req.sock if req else (None, None)
        if sock[1] is not None:
            try:
                loop.run_until_complete(sock[1].aclose())
            except OSError as exc:
                if exc.errno not in MUTED_SOCKET_ERRORS:
                    raise
        res.complete()
        reason = res.reason or ('OK' if res.status_code == 200 else 'N/A')
        header_list = []
        for name, value in res.headers.items():
            for item in value if isinstance(value, list) else [value]:
                header_list.append((name, str(item)))
        start_response('%d %s' % (res.status_code, reason), header_list)
        body = _Body(loop, res.body_iter())
        if res.is_head or res is Response.already_handled:
            body.close()
            return []
        return body

    def _request(self, loop, environ):
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        if environ.get('QUERY_STRING'):
            path += '?' + environ['QUERY_STRING']
        headers = _request_headers(environ)
        length = _content_length(environ.get('CONTENT_LENGTH'))
        body, stream, length = _body(environ, length)
        if length is not None:
            headers['Content-Length'] = str(length)
        sock = (None, None)
        if not length and 'gunicorn.socket' in environ and \
                headers.get('Upgrade', '').lower() == 'websocket':
            sock = loop.run_until_complete(
                self._open_socket(environ['gunicorn.socket']))
        req = Request(self, (environ['REMOTE_ADDR'],
                             int(environ.get('REMOTE_PORT') or 0)),
                      environ['REQUEST_METHOD'], path,
                      environ['SERVER_PROTOCOL'], headers, body=body,
                      stream=stream, sock=sock,
                      scheme=environ.get('wsgi.url_scheme'))
        req.environ = environ
        return req

    async def _open_socket(self, gunicorn_socket):
        reader, writer = await asyncio.open_connection(
            sock=gunicorn_socket.dup())
        return reader, _Connection(writer)

    def __call__(self, environ, start_response):
        return self.wsgi_app(environ, start_response)

    def shutdown(self):
        """Stop serving. Under a WSGI server this sends SIGTERM to this
        process only: under gunicorn it ends this worker, and the master
        starts a new one."""
        if self.embedded_server:
            super().shutdown()
        else:
            os.kill(os.getpid(), signal.SIGTERM)

    def run(self, host='0.0.0.0', port=5000, debug=False, **options):
        """Serve with the native server instead of a WSGI server."""
        self.embedded_server = True
        super().run(host=host, port=port, debug=debug, **options)
