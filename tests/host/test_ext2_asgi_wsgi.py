"""The asgi_wsgi example served by real production servers: uvicorn (ASGI),
gunicorn with two workers and waitress (WSGI), on 127.0.0.1."""
import http.client
import os
import signal
import subprocess
import sys
import time

import pytest
from websockets.sync.client import connect

from servers import ROOT, example, free_port, wait_for_port

APP_DIR = example('asgi_wsgi')
BIN = os.path.dirname(sys.executable)


class ProductionServer:
    def __init__(self, argv):
        self.port = free_port()
        argv = [a.replace('PORT', str(self.port)) for a in argv]
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.proc = subprocess.Popen(
            [os.path.join(BIN, argv[0])] + argv[1:], cwd=APP_DIR, env=env,
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
