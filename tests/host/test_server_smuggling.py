"""Request smuggling on a kept-alive connection, over real sockets on both
runtimes: a body the server does not read in full must never be parsed as
the next request. Each test hides `GET /secret` where a second request would
be taken from, and checks that exactly one response comes back."""
import os
import socket

import pytest

from servers import RUNTIMES, Server, raw_request

APP = os.path.join(os.path.dirname(__file__), 'apps', 'wire_app.py')
LIMIT = 64 * 1024  # wire_app's Request.max_content_length
HIDDEN = b'GET /secret HTTP/1.1\r\nHost: x\r\n\r\n'


@pytest.fixture(scope='module', params=RUNTIMES)
def server(request):
    with Server(APP, request.param) as srv:
        yield srv


def responses(data):
    return data.count(b'HTTP/1.1 ') + data.count(b'HTTP/1.0 ')


def assert_only(data, status):
    assert data[:9] in (b'HTTP/1.1 ', b'HTTP/1.0 '), data[:200]
    assert data[9:12] == status, data[:200]
    assert responses(data) == 1, data[:400]
    assert b'the secret' not in data


def test_refused_body_is_not_read_as_a_request(server):
    body = HIDDEN + b'x' * (LIMIT + 100 - len(HIDDEN))
    data = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                       b'Content-Length: %d\r\n\r\n' % len(body) + body)
    assert_only(data, b'413')
    assert b'connection: close' in data.lower()


def test_refused_body_with_keep_alive_asked_still_closes(server):
    body = HIDDEN * 3000
    data = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                       b'Connection: keep-alive\r\n'
                       b'Content-Length: %d\r\n\r\n' % len(body) + body[:2000])
    assert_only(data, b'413')


def test_refused_chunked_body_is_not_read_as_a_request(server):
    data = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                       b'Transfer-Encoding: chunked\r\n\r\n'
                       b'%x\r\n' % (LIMIT + 1) + HIDDEN)
    assert_only(data, b'413')


def test_refused_later_chunk_is_not_read_as_a_request(server):
    data = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                       b'Transfer-Encoding: chunked\r\n\r\n'
                       b'4\r\nabcd\r\n%x\r\n' % LIMIT + HIDDEN)
    assert_only(data, b'413')


def test_body_an_error_answer_ignores_is_not_read_as_a_request(server):
    # / has no POST route: 405 comes back without the body being read
    body = HIDDEN + b'x' * (20000 - len(HIDDEN))
    data = raw_request(server.port, b'POST / HTTP/1.1\r\nHost: x\r\n'
                       b'Content-Length: %d\r\n\r\n' % len(body) + body)
    assert_only(data, b'405')


def test_content_length_after_a_non_ascii_header_value(server):
    body = b'hello' + HIDDEN + b'y' * (100 - len(HIDDEN))
    data = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                       b'X-Note: \xc4\xb0\r\nContent-Length: 105\r\n\r\n' +
                       body)
    assert_only(data, b'200')
    assert data.endswith(body)


@pytest.mark.parametrize('value', [
    b'\xd9\xa1\xd9\xa0\xd9\xa5',  # Arabic-Indic 105
    b'+105', b'-1', b'1_05', b'0x69', b'105 105', b'105,105',
])
def test_content_length_is_ascii_digits_only(server, value):
    data = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                       b'Content-Length: ' + value + b'\r\n\r\n' + HIDDEN)
    assert_only(data, b'400')


def test_conflicting_content_lengths_are_refused(server):
    data = raw_request(server.port, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                       b'Content-Length: 5\r\nContent-Length: 6\r\n'
                       b'Content-Length: 5\r\n\r\nhello' + HIDDEN)
    assert_only(data, b'400')


def test_read_without_size_returns_the_whole_body(server):
    body = b'z' * 20000  # over max_body_length: a stream, sent in pieces
    with socket.create_connection(('127.0.0.1', server.port), 5) as s:
        s.sendall(b'POST /read-all HTTP/1.1\r\nHost: x\r\n'
                  b'Connection: close\r\nContent-Length: %d\r\n\r\n'
                  % len(body) + body[:100])
        s.sendall(body[100:])
        data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b'HTTP/1.1 200'), data[:200]
    assert data.endswith(b'read 20000 bytes')
