"""The WebSocket echo example served for real under CPython and MicroPython
(board-sized heap), talked to by the `websockets` client package."""
import base64
import contextlib
import os
import socket
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from servers import RUNTIMES, Server, example

ECHO = example('websocket', 'echo.py')


def ws_url(srv, path='/echo'):
    return 'ws://127.0.0.1:%d%s' % (srv.port, path)


def raw_upgrade(port):
    """A socket past the handshake, for frames no real client sends."""
    sock = socket.create_connection(('127.0.0.1', port), timeout=10)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
                 b'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
                 b'Sec-WebSocket-Key: ' + key + b'\r\n\r\n')
    head = b''
    while not head.endswith(b'\r\n\r\n'):
        head += sock.recv(1)
    assert head.startswith(b'HTTP/1.1 101 ')
    return sock


def read_frame(sock):
    header = sock.recv(2)
    n = header[1] & 0x7f
    data = b''
    while len(data) < n:
        data += sock.recv(n - len(data))
    return header[0] & 0x0f, data


@pytest.fixture(scope='module', params=RUNTIMES)
def server(request):
    with Server(ECHO, request.param) as srv:
        yield srv


def test_page_is_served(server):
    import urllib.request
    with urllib.request.urlopen(server.url + '/', timeout=10) as res:
        assert b"new WebSocket(scheme + location.host + '/echo')" in \
            res.read()


def test_text_binary_and_empty_messages(server):
    with connect(ws_url(server), open_timeout=10) as ws:
        for message in ['hello', 'caf\u00e9 \u2603', b'\x00\xffbinary', '',
                        b'']:
            ws.send(message)
            assert ws.recv(timeout=10) == message


def test_fragmented_message_and_ping(server):
    with connect(ws_url(server), open_timeout=10) as ws:
        ws.send(['Hel', 'lo ', 'world'])
        assert ws.recv(timeout=10) == 'Hello world'
        assert ws.ping(b'are you there').wait(10)


def test_clean_close(server):
    with connect(ws_url(server), open_timeout=10) as ws:
        ws.send('x')
        assert ws.recv(timeout=10) == 'x'
        ws.close(code=1001)
        assert ws.protocol.close_rcvd.code == 1001  # echoed by the server


def test_default_size_limit_closes_with_1009(server):
    with connect(ws_url(server), open_timeout=10, max_size=None) as ws:
        ws.send(b'x' * 16384)  # Request.max_body_length is the limit
        assert len(ws.recv(timeout=10)) == 16384
        ws.send(b'x' * 16385)
        with pytest.raises(ConnectionClosed) as exc:
            ws.recv(timeout=10)
    assert exc.value.rcvd.code == 1009


def test_unmasked_frame_closes_with_1002(server):
    sock = raw_upgrade(server.port)
    try:
        sock.sendall(b'\x81\x05hello')
        assert read_frame(sock) == (8, (1002).to_bytes(2, 'big'))
    finally:
        sock.close()


def test_client_that_vanishes(server):
    sock = raw_upgrade(server.port)
    sock.sendall(b'\x81\x85' + b'\0\0\0\0' + b'hel')  # half a frame
    sock.close()
    # the server ended that handler and still serves others
    with connect(ws_url(server), open_timeout=10) as ws:
        ws.send('still here')
        assert ws.recv(timeout=10) == 'still here'


def test_simultaneous_clients(server):
    # MicroPython serves 8 connections at once by default
    # (Microdot.max_connections): all of them talk at the same time.
    errors = []

    def talk(i, ws):
        try:
            for n in range(5):
                ws.send('%d-%d' % (i, n))
                assert ws.recv(timeout=10) == '%d-%d' % (i, n)
        except Exception as exc:  # noqa: B902 (reported below)
            errors.append(exc)

    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(connect(ws_url(server),
                                               open_timeout=10))
                   for _ in range(8)]
        threads = [threading.Thread(target=talk, args=(i, ws))
                   for i, ws in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_stalled_frames_do_not_exhaust_the_heap(runtime):
    # Seven clients declare 16 KB frames (the default limit) and send no
    # payload: they must not cost the server 16 KB each (on MicroPython,
    # 112 KB of a 200 KB heap), and an eighth client is still served.
    with Server(ECHO, runtime) as srv:
        stalled = [raw_upgrade(srv.port) for _ in range(7)]
        try:
            for sock in stalled:
                sock.sendall(b'\x82\xfe' + (16384).to_bytes(2, 'big') +
                             b'mask')
            with connect(ws_url(srv), open_timeout=10) as ws:
                ws.send('still here')
                assert ws.recv(timeout=10) == 'still here'
        finally:
            for sock in stalled:
                sock.close()
    assert 'MemoryError' not in srv.output


def test_open_websockets_do_not_lock_out_plain_requests(server):
    # WebSockets take no connection slot (MicroPython has 8): with ten
    # open and idle, the page is still served; past max_long_lived (8 on
    # MicroPython) an upgrade gets 503, and a closed one frees its place
    socks = []
    try:
        for _ in range(8):
            socks.append(raw_upgrade(server.port))
        sock = socket.create_connection(('127.0.0.1', server.port), 10)
        sock.sendall(b'GET / HTTP/1.0\r\n\r\n')
        page = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            page += chunk
        sock.close()
        assert page.startswith(b'HTTP/1.0 200'), page[:100]
        if server.runtime == 'micropython':
            with pytest.raises(AssertionError):
                raw_upgrade(server.port)  # 503
            socks.pop().close()
            for _ in range(50):  # until the server has seen it close
                try:
                    socks.append(raw_upgrade(server.port))
                    break
                except AssertionError:
                    time.sleep(0.1)
            else:
                raise AssertionError('a closed WebSocket kept its place')
    finally:
        for s in socks:
            s.close()
