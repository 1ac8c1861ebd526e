"""Run a Microdot app under any WSGI server (gunicorn, waitress...).
CPython only."""
import asyncio
import os
import signal
from microdot import *  # noqa: F401,F403 (the package API, re-exported)
from microdot.microdot import Microdot as BaseMicrodot, NoCaseDict, \
    Request, Response, MUTED_SOCKET_ERRORS, _StreamWriter
from microdot.websocket import WebSocket, websocket_upgrade, \
    with_websocket  # noqa: F401


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


class Microdot(BaseMicrodot):
    """A Microdot app that is also a WSGI application:
    `gunicorn module:app`. `app.run()` still uses the native server."""

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
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        if environ.get('QUERY_STRING'):
            path += '?' + environ['QUERY_STRING']
        headers = _request_headers(environ)
        content_length = int(environ.get('CONTENT_LENGTH') or 0)
        body = b''
        stream = None
        sock = (None, None)
        if 0 < content_length <= Request.max_body_length:
            body = environ['wsgi.input'].read(content_length)
        elif content_length:
            stream = _InputStream(environ['wsgi.input'], content_length)
        elif 'gunicorn.socket' in environ and \
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
        res = loop.run_until_complete(self.dispatch_request(req))
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

    async def _open_socket(self, gunicorn_socket):
        reader, writer = await asyncio.open_connection(
            sock=gunicorn_socket.dup())
        return reader, _StreamWriter(writer)

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
