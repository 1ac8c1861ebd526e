"""The asgi_wsgi example served by real production servers: uvicorn (ASGI),
gunicorn with two workers and waitress (WSGI), on 127.0.0.1."""
import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import time

import pytest
from websockets.sync.client import connect

from servers import ROOT, example, free_port, wait_for_port

APP_DIR = example('asgi_wsgi')
BIN = os.path.dirname(sys.executable)


class ProductionServer:
    def __init__(self, argv, cwd=APP_DIR):
        self.port = free_port()
        argv = [a.replace('PORT', str(self.port)) for a in argv]
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.proc = subprocess.Popen(
            [os.path.join(BIN, argv[0])] + argv[1:], cwd=cwd, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        try:
            wait_for_port(self.port, self.proc)
        except Exception:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        output = self.proc.stdout.read()
        self.proc.stdout.close()
        return output

    def request(self, method, path, headers=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            res = conn.getresponse()
            return res.status, res.headers, res.read()
        finally:
            conn.close()

    def stream(self, path):
        """The body pieces as the server sends them."""
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
        try:
            conn.request('GET', path)
            res = conn.getresponse()
            pieces = []
            while True:
                piece = res.read1(65536)
                if not piece:
                    return res.headers, pieces
                pieces.append(piece)
        finally:
            conn.close()


SERVERS = {
    'uvicorn': ['uvicorn', 'asgi_app:app', '--host', '127.0.0.1', '--port',
                'PORT', '--log-level', 'warning'],
    'gunicorn': ['gunicorn', '--workers', '2', '--bind', '127.0.0.1:PORT',
                 'wsgi_app:app'],
    'waitress': ['waitress-serve', '--listen=127.0.0.1:PORT', 'wsgi_app:app'],
}


@pytest.fixture(scope='module', params=sorted(SERVERS))
def server(request):
    srv = ProductionServer(SERVERS[request.param])
    srv.name = request.param
    yield srv
    srv.stop()


def test_plain_and_head(server):
    module = 'microdot.asgi' if server.name == 'uvicorn' else 'microdot.wsgi'
    status, headers, body = server.request('GET', '/')
    assert (status, body) == (200, ('Hello from %s!' % module).encode())
    assert headers['Content-Type'] == 'text/plain; charset=UTF-8'
    status, headers, body = server.request('HEAD', '/')
    assert (status, body) == (200, b'')
    assert headers['Content-Length'] == str(len(module) + 12)


def test_cookies(server):
    status, headers, body = server.request('GET', '/visits')
    assert body == b'visit number 1'
    assert headers['Set-Cookie'] == 'visits=1; Path=/'
    status, headers, body = server.request('GET', '/visits',
                                           {'Cookie': 'visits=41'})
    assert body == b'visit number 42'


def test_streaming_bodies(server):
    headers, pieces = server.stream('/stream')
    assert b''.join(pieces) == b''.join(b'line %d\n' % i for i in range(5))
    assert 'Content-Length' not in headers
    headers, pieces = server.stream('/events')
    assert headers['Content-Type'] == 'text/event-stream'
    assert b''.join(pieces) == b''.join(
        b'data: {"tick": %d}\n\n' % i for i in range(3))
    if server.name != 'waitress':  # waitress buffers small writes
        assert len(pieces) >= 3  # sent as produced, not at the end


@pytest.mark.parametrize('server', ['uvicorn'], indirect=True)
def test_websocket_under_uvicorn(server):
    with connect('ws://127.0.0.1:%d/ws' % server.port, open_timeout=10) as ws:
        for message in ['hello', b'\x00\x01']:
            ws.send(message)
            assert ws.recv(timeout=10) == message


@pytest.mark.parametrize('server', ['gunicorn'], indirect=True)
def test_shutdown_ends_one_gunicorn_worker(server):
    pids = set()
    deadline = time.time() + 10
    while len(pids) < 2 and time.time() < deadline:
        pids.add(int(server.request('GET', '/pid')[2]))
    assert len(pids) == 2
    status, _, body = server.request('GET', '/shutdown')
    assert (status, body) == (200, b'bye')
    # one worker exits and the master replaces it; the master and the
    # other worker keep serving
    deadline = time.time() + 20
    while time.time() < deadline:
        alive = {pid for pid in pids if _alive(pid)}
        if len(alive) == 1:
            break
        time.sleep(0.1)
    assert len(alive) == 1
    served = set()
    deadline = time.time() + 20
    while len(served) < 2 and time.time() < deadline:
        served.add(int(server.request('GET', '/pid')[2]))
    assert alive < served and len(served) == 2
    assert server.proc.poll() is None


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(') ', 1)[1][0] != 'Z'
    except OSError:
        return False


# ---- body limits and framing, through each server ----

# The same routes under ASGI and WSGI, with max_content_length above
# max_body_length (16 KB) so that bodies between them are streams.
LIMITS_APP = '''
from microdot import Request
import microdot.asgi
import microdot.wsgi

Request.max_content_length = 64 * 1024


def create_app(Microdot):
    app = Microdot()

    @app.post('/echo')
    async def echo(request):
        body = request.body or await request.stream.read()
        return '%d %d' % (request.content_length, len(body))

    @app.get('/secret')
    async def secret(request):
        return 'secret'

    return app


asgi_app = create_app(microdot.asgi.Microdot)
wsgi_app = create_app(microdot.wsgi.Microdot)
'''

LIMITS_SERVERS = {
    'uvicorn': ['uvicorn', 'limits_app:asgi_app', '--host', '127.0.0.1',
                '--port', 'PORT', '--log-level', 'warning'],
    'gunicorn': ['gunicorn', '--bind', '127.0.0.1:PORT',
                 'limits_app:wsgi_app'],
    'waitress': ['waitress-serve', '--listen=127.0.0.1:PORT',
                 'limits_app:wsgi_app'],
    # the standard library's server passes headers and chunks on as
    # they come
    'wsgiref': ['python', '-c', 'import sys; '
                'from wsgiref.simple_server import make_server; '
                'from limits_app import wsgi_app; '
                'make_server("127.0.0.1", int(sys.argv[1]), '
                'wsgi_app).serve_forever()', 'PORT'],
}


@pytest.fixture(scope='module', params=sorted(LIMITS_SERVERS))
def limits_server(request, tmp_path_factory):
    app_dir = tmp_path_factory.mktemp('limits')
    (app_dir / 'limits_app.py').write_text(LIMITS_APP)
    srv = ProductionServer(LIMITS_SERVERS[request.param], cwd=str(app_dir))
    srv.name = request.param
    yield srv
    srv.stop()


def send_raw(port, data):
    """Send a request's bytes (a list: pieces sent 0.2 s apart, until the
    server answers), then read one response: (status line, body, anything
    else the server sends within a second)."""
    sock = socket.create_connection(('127.0.0.1', port), timeout=10)
    try:
        for i, piece in enumerate(data if isinstance(data, list) else [data]):
            if i and select.select([sock], [], [], 0.2)[0]:
                break  # answered already
            sock.sendall(piece)
        buf = b''
        while b'\r\n\r\n' not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError(buf)
            buf += chunk
        head, body = buf.split(b'\r\n\r\n', 1)
        length = [int(line.split(b':')[1]) for line in head.split(b'\r\n')
                  if line.lower().startswith(b'content-length:')]
        while length and len(body) < length[0]:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        rest = body[length[0]:] if length else b''
        body = body[:length[0]] if length else body
        sock.settimeout(1)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                rest += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return head.split(b'\r\n')[0].decode(), body, rest
    finally:
        sock.close()


def chunked_post(chunks, end=True):
    """A chunked POST in two pieces: the head and 20 chunks, then the
    rest (so that the server sees the body in several parts)."""
    encoded = [b'%x\r\n%s\r\n' % (len(c), c) for c in chunks]
    return [b'POST /echo HTTP/1.1\r\nHost: x\r\n'
            b'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
            b''.join(encoded[:20]),
            b''.join(encoded[20:]) + (b'0\r\n\r\n' if end else b'')]


def test_chunked_body_within_the_limit(limits_server):
    status, body, rest = send_raw(limits_server.port,
                                  chunked_post([b'y' * 1000] * 40))
    if limits_server.name == 'wsgiref':
        # it passes the chunks on undecoded: refused, not misread
        assert status.split()[1] == '400'
    else:
        # a stream above max_body_length, with its true length
        assert (status.split()[1], body) == ('200', b'40000 40000')


def test_chunked_body_over_the_limit_is_refused_unread(limits_server):
    # 100 KB of chunks for a 64 KB limit, and no last chunk: the answer
    # comes without waiting for the rest (waitress reads whole bodies
    # before calling the app: it gets the last chunk)
    end = limits_server.name == 'waitress'
    status, body, rest = send_raw(limits_server.port,
                                  chunked_post([b'y' * 1000] * 100, end))
    if limits_server.name == 'wsgiref':
        assert status.split()[1] == '400'
    else:
        assert (status.split()[1], body) == ('413', b'Payload too large')


def test_bad_content_length_is_400(limits_server):
    for value in [b'abc', b'+5', b'-5', '\u0665'.encode(), b'5 5']:
        status, body, rest = send_raw(
            limits_server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
            b'Connection: close\r\nContent-Length: ' + value +
            b'\r\n\r\nhello')
        assert status.split()[1] == '400', value
    status, body, rest = send_raw(
        limits_server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
        b'Connection: close\r\nContent-Length: 5\r\n\r\nhello')
    assert (status.split()[1], body) == ('200', b'5 5')


def test_refused_body_is_not_a_second_request(limits_server):
    smuggled = b'GET /secret HTTP/1.1\r\nHost: x\r\n\r\n'
    body = smuggled + b'x' * (70000 - len(smuggled))
    status, answer, rest = send_raw(
        limits_server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
        b'Content-Length: 70000\r\n\r\n' + body)
    assert (status.split()[1], answer) == ('413', b'Payload too large')
    assert b'secret' not in rest


def test_websocket_under_waitress_is_501():
    srv = ProductionServer(SERVERS['waitress'])
    try:
        status, body, rest = send_raw(
            srv.port, b'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n'
            b'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n'
            b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
        assert status.split()[1] == '501'
        assert srv.request('GET', '/')[0] == 200  # still serving
    finally:
        output = srv.stop()
    lines = [line for line in output.splitlines() if '/ws' in line]
    assert len(lines) == 1 and '501' in lines[0]
    assert 'Traceback' not in output
