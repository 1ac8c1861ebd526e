"""The native server on real sockets, under CPython and MicroPython: HTTP/1.0
and keep-alive framing, malformed input, timeouts, errors and shutdown."""
import os
import socket
import threading
import time

import pytest

from servers import RUNTIMES, Server, raw_request

APP = os.path.join(os.path.dirname(__file__), 'apps', 'wire_app.py')


@pytest.fixture(scope='module', params=RUNTIMES)
def server(request):
    with Server(APP, request.param) as srv:
        yield srv


def status(response):
    return response.split(b'\r\n', 1)[0]


def body(response):
    return response.split(b'\r\n\r\n', 1)[1]


def alive(server):
    return status(raw_request(server.port, b'GET / HTTP/1.0\r\n\r\n')) == \
        b'HTTP/1.0 200 OK'


def recv_response(sock):
    """Read one Content-Length-framed response from a kept-alive socket."""
    data = b''
    while b'\r\n\r\n' not in data:
        data += sock.recv(4096)
    head, rest = data.split(b'\r\n\r\n', 1)
    length = int(head.lower().split(b'content-length: ')[1].split(b'\r\n')[0])
    while len(rest) < length:
        rest += sock.recv(4096)
    return head, rest[:length], rest[length:]


def test_http10_request_gets_http10_answer_and_close(server):
    res = raw_request(server.port, b'GET / HTTP/1.0\r\nHost: x\r\n\r\n',
                      shutdown=False)
    assert res.startswith(b'HTTP/1.0 200 OK\r\n')
    assert b'Content-Length: 5\r\n' in res
    assert b'Connection' not in res
    assert body(res) == b'hello'


def test_bare_lf_line_endings(server):
    res = raw_request(server.port, b'GET / HTTP/1.0\nHost: x\n\n')
    assert status(res) == b'HTTP/1.0 200 OK'


def test_keep_alive_serves_several_requests(server):
    with socket.create_connection(('127.0.0.1', server.port), 5) as s:
        for i in range(3):
            s.sendall(b'GET /info?n=%d HTTP/1.1\r\nHost: x\r\n\r\n' % i)
            head, data, rest = recv_response(s)
            assert head.startswith(b'HTTP/1.1 200 OK')
            assert b'"n": ["%d"]' % i in data
            assert rest == b''


def test_pipelined_requests_answered_in_order(server):
    with socket.create_connection(('127.0.0.1', server.port), 5) as s:
        s.sendall(b'GET /info?n=1 HTTP/1.1\r\nHost: x\r\n\r\n'
                  b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc'
                  b'GET /info?n=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.count(b'HTTP/1.1 200 OK') == 3
    assert data.index(b'"n": ["1"]') < data.index(b'abc') < \
        data.index(b'"n": ["3"]')
    assert data.rstrip().endswith(b'"n": ["3"]}') or b'Connection: close' \
        in data


def test_stray_empty_lines_between_pipelined_requests(server):
    # RFC 9112 2.2: an empty line before a request line is ignored, so a
    # stray CRLF does not drop the requests after it
    res = raw_request(server.port, b'GET /info?n=1 HTTP/1.1\r\nHost: x\r\n'
                      b'\r\n\r\n\r\nGET /info?n=2 HTTP/1.1\r\nHost: x\r\n'
                      b'Connection: close\r\n\r\n')
    assert res.count(b'HTTP/1.1 200 OK') == 2, res
    assert b'"n": ["2"]' in res


def test_connection_close_is_honoured(server):
    res = raw_request(server.port, b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close'
                      b'\r\n\r\n', shutdown=False)
    assert b'Connection: close\r\n' in res
    assert body(res) == b'hello'


def test_http10_keep_alive_when_asked(server):
    with socket.create_connection(('127.0.0.1', server.port), 5) as s:
        for _ in range(2):
            s.sendall(b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
            head, data, _ = recv_response(s)
            assert b'Connection: keep-alive' in head
            assert data == b'hello'


def test_streamed_body_is_chunked_under_http11(server):
    res = raw_request(server.port, b'GET /stream HTTP/1.1\r\nHost: x\r\n'
                      b'Connection: close\r\n\r\n', shutdown=False)
    assert b'Transfer-Encoding: chunked\r\n' in res
    assert body(res) == b'2\r\n0\n\r\n2\r\n1\n\r\n2\r\n2\n\r\n2\r\n3\n\r\n' \
        b'2\r\n4\n\r\n0\r\n\r\n'


def test_streamed_body_is_close_delimited_under_http10(server):
    res = raw_request(server.port, b'GET /stream HTTP/1.0\r\n\r\n')
    assert b'Transfer-Encoding' not in res
    assert body(res) == b'0\n1\n2\n3\n4\n'


def test_chunked_request_body(server):
    res = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                      b'Transfer-Encoding: chunked\r\nConnection: close\r\n'
                      b'\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n')
    assert body(res) == b'abcdefg'


def test_expect_100_continue(server):
    with socket.create_connection(('127.0.0.1', server.port), 5) as s:
        s.sendall(b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n'
                  b'Expect: 100-continue\r\nConnection: close\r\n\r\n')
        interim = s.recv(4096)
        assert interim == b'HTTP/1.1 100 Continue\r\n\r\n'
        s.sendall(b'data')
        res = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            res += chunk
    assert body(res) == b'data'


def test_large_body_is_streamed_with_its_length(server):
    payload = b'y' * 40000
    res = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: '
                      b'40000\r\nConnection: close\r\n\r\n' + payload)
    assert body(res) == b'streamed 40000 bytes'


@pytest.mark.parametrize('data', [
    b'',
    b'\r\n\r\n',
    b'GET /\r\n\r\n',
    b'GET / HTTP/1.0 extra\r\n\r\n',
    b'GET / HTTP\r\n\r\n',
    b'GET /' + b'a' * 3000 + b' HTTP/1.0\r\n\r\n',
    b'GET / HTTP/1.0\r\nX-Long: ' + b'a' * 3000 + b'\r\n\r\n',
    b'GET / HTTP/1.0\r\nNoColon\r\n\r\n',
    b'GET /\xff HTTP/1.0\r\n\r\n',
    b'POST /echo HTTP/1.0\r\nContent-Length: abc\r\n\r\n',
    b'POST /echo HTTP/1.0\r\nContent-Length: -1\r\n\r\n',
    b'POST /echo HTTP/1.0\r\nContent-Length: 10\r\n\r\nabc',
    b'GET / HTTP/1.0\r\n' + b'X: y\r\n' * 101 + b'\r\n',
])
def test_malformed_request_gets_400_and_server_keeps_serving(server, data):
    res = raw_request(server.port, data)
    assert res.startswith(b'HTTP/1.0 400 N/A\r\n'), res
    assert body(res) == b'Bad request'
    assert alive(server)


def test_too_large_body_gets_413(server):
    res = raw_request(server.port, b'POST /echo HTTP/1.0\r\nContent-Length: '
                      b'100000\r\n\r\n' + b'z' * 1000)
    assert status(res) == b'HTTP/1.0 413 N/A'
    assert body(res) == b'Payload too large'
    assert alive(server)


def test_bad_percent_escape_is_kept_literally(server):
    res = raw_request(server.port, b'GET /info?x=%zz HTTP/1.0\r\n\r\n')
    assert b'"x": ["%zz"]' in res


def test_lowercase_head_sends_no_body(server):
    res = raw_request(server.port, b'head / HTTP/1.0\r\n\r\n')
    assert b'Content-Length: 5\r\n' in res
    assert body(res) == b''


def test_partial_request_times_out(server):
    with socket.create_connection(('127.0.0.1', server.port), 10) as s:
        s.sendall(b'POST /echo HTTP/1.0\r\nContent-Length: 5\r\n\r\nab')
        start = time.time()
        assert s.recv(4096) == b''
        assert time.time() - start < 8
    assert alive(server)


def test_handler_exception_gives_500_and_server_keeps_serving(server):
    res = raw_request(server.port, b'GET /error HTTP/1.0\r\n\r\n')
    assert status(res) == b'HTTP/1.0 500 N/A'
    assert body(res) == b'Internal server error'
    assert alive(server)


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_client_disconnect_is_not_logged_as_a_crash(runtime):
    with Server(APP, runtime) as srv:
        for _ in range(5):
            with socket.create_connection(('127.0.0.1', srv.port), 5) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b'\x01\x00\x00\x00\x00\x00\x00\x00')
                s.sendall(b'GET /big HTTP/1.0\r\n\r\n')
        with socket.create_connection(('127.0.0.1', srv.port), 5) as s:
            s.sendall(b'POST /echo HTTP/1.0\r\nContent-Length: 100\r\n\r\nab')
        assert alive(srv)
    assert 'Traceback' not in srv.output, srv.output


def test_client_address_is_host_and_port(server):
    res = raw_request(server.port, b'GET /info HTTP/1.0\r\n\r\n')
    assert b'"client": ["127.0.0.1", ' in res


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_shutdown_completes_the_response(runtime):
    with Server(APP, runtime, args=['--debug']) as srv:
        res = raw_request(srv.port, b'GET /shutdown HTTP/1.0\r\n\r\n')
        assert body(res) == b'bye ' * 100
        srv.proc.wait(timeout=10)
    assert 'server stopped' in srv.output
    assert 'Starting async server on 127.0.0.1:%d' % srv.port in srv.output
    assert 'GET /shutdown 200' in srv.output


def test_sync_handlers_run_concurrently_on_cpython():
    with Server(APP, 'cpython') as srv:
        results = []

        def get():
            results.append(raw_request(srv.port, b'GET /sleep HTTP/1.0'
                                       b'\r\n\r\n'))
        threads = [threading.Thread(target=get) for _ in range(2)]
        start = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert time.time() - start < 0.95
        assert all(body(r) == b'slept' for r in results)


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_body_cut_short_is_400_not_a_crash(runtime):
    # review finding: EOFError from a truncated body became a 500 and a
    # traceback
    with Server(APP, runtime) as srv:
        for path in (b'/echo', b'/read-all'):
            res = raw_request(srv.port, b'POST ' + path + b' HTTP/1.1\r\n'
                              b'Host: x\r\nContent-Length: 20000\r\n\r\n' +
                              b'a' * 100)
            assert res.startswith(b'HTTP/1.1 400'), res[:100]
        assert alive(srv)
    assert 'Traceback' not in srv.output, srv.output
