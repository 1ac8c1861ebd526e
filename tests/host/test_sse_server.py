"""Server-Sent Events served for real under CPython and MicroPython
(board-sized heap), read as a stream the way a browser's EventSource does."""
import socket
import time

import pytest

from servers import RUNTIMES, Server, example, raw_request

# An SSE app that counts its running handlers, to see them end when their
# client goes away.
PROBE = '''
import asyncio
import sys
from microdot import Microdot
from microdot.sse import with_sse

app = Microdot()
running = [0]


@app.route('/events')
@with_sse
async def events(request, sse):
    running[0] += 1
    try:
        while True:
            await sse.send('tick')
            await asyncio.sleep(0.05)
    finally:
        running[0] -= 1


@app.route('/running')
async def count(request):
    return str(running[0])


args = sys.argv[1:]
app.run(host=args[args.index('--host') + 1],
        port=int(args[args.index('--port') + 1]))
'''


class EventStream:
    """An open GET of an event stream, decoded as the bytes arrive."""

    def __init__(self, port, path='/events', version='1.1'):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.sock.sendall(('GET %s HTTP/%s\r\nHost: x\r\n\r\n' % (
            path, version)).encode())
        self.buf = b''
        while b'\r\n\r\n' not in self.buf:
            self._recv()
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = head.decode().split('\r\n')
        self.status = lines[0]
        self.headers = dict(line.lower().split(': ', 1) for line in lines[1:])
        self.chunked = self.headers.get('transfer-encoding') == 'chunked'
        self.text = b''

    def _recv(self):
        data = self.sock.recv(4096)
        if not data:
            raise EOFError('stream ended')
        self.buf += data

    def _decode(self):
        if not self.chunked:
            self.text, self.buf = self.text + self.buf, b''
            return
        while b'\r\n' in self.buf:
            size, rest = self.buf.split(b'\r\n', 1)
            size = int(size, 16)
            if len(rest) < size + 2:
                return
            self.text += rest[:size]
            self.buf = rest[size + 2:]

    def events(self, count):
        while self.text.count(b'\n\n') < count:
            self._recv()
            self._decode()
        blocks = self.text.split(b'\n\n')
        return blocks[:count]

    def close(self):
        self.sock.close()


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def get_text(port, path):
    res = raw_request(port, ('GET %s HTTP/1.0\r\n\r\n' % path).encode())
    return res.split(b'\r\n\r\n', 1)[1].decode()


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_counter_example_streams(runtime):
    with Server(example('sse', 'counter.py'), runtime,
                args=['--interval', '0.1']) as srv:
        stream = EventStream(srv.port)
        try:
            assert stream.status == 'HTTP/1.1 200 OK'
            assert stream.headers['content-type'] == 'text/event-stream'
            assert stream.headers['cache-control'] == 'no-cache'
            assert stream.chunked  # HTTP/1.1 streams are chunked
            started = time.time()
            assert stream.events(3) == [
                b'event: counter\ndata: {"count": %d}' % i
                for i in (1, 2, 3)]
            assert time.time() - started >= 0.15  # pushed as they happen
        finally:
            stream.close()
        stream = EventStream(srv.port, version='1.0')
        try:
            assert not stream.chunked  # HTTP/1.0: ends with the connection
            assert stream.events(2)[1] == \
                b'event: counter\ndata: {"count": 2}'
        finally:
            stream.close()
        res = raw_request(srv.port, b'GET / HTTP/1.0\r\n\r\n')
        assert b"new EventSource('/events')" in res


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_handler_ends_when_the_client_goes_away(runtime, tmp_path):
    script = tmp_path / 'sse_probe.py'
    script.write_text(PROBE)
    with Server(str(script), runtime) as srv:
        streams = [EventStream(srv.port) for _ in range(3)]
        for stream in streams:
            stream.events(2)
        assert get_text(srv.port, '/running') == '3'
        for stream in streams:
            stream.close()
        assert wait_for(lambda: get_text(srv.port, '/running') == '0')
        # HEAD answers at once and leaves no handler running
        res = raw_request(srv.port, b'HEAD /events HTTP/1.1\r\nHost: x\r\n'
                                    b'Connection: close\r\n\r\n')
        assert res.startswith(b'HTTP/1.1 200 OK\r\n')
        assert res.endswith(b'\r\n\r\n')
        assert wait_for(lambda: get_text(srv.port, '/running') == '0')


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_open_event_streams_do_not_lock_out_plain_requests(runtime):
    # event streams take no connection slot (MicroPython has 8): with nine
    # open, the page is still served; past max_long_lived (8 on
    # MicroPython) a stream gets 503
    with Server(example('sse', 'counter.py'), runtime,
                args=['--interval', '1']) as srv:
        streams = [EventStream(srv.port) for _ in range(8)]
        try:
            assert all(s.status == 'HTTP/1.1 200 OK' for s in streams)
            res = raw_request(srv.port, b'GET / HTTP/1.0\r\n\r\n', timeout=10)
            assert res.startswith(b'HTTP/1.0 200'), res[:100]
            if runtime == 'micropython':
                extra = EventStream(srv.port)
                assert extra.status.startswith('HTTP/1.1 503'), extra.status
                extra.close()
        finally:
            for stream in streams:
                stream.close()
