"""microdot.static over real sockets, on CPython and MicroPython: every rule
with byte-exact bodies, and what a kept-alive connection must survive."""
import gzip
import hashlib
import http.client
import os
import shutil
import socket

import pytest

from servers import ROOT, RUNTIMES, Server, raw_request

APP = os.path.join(os.path.dirname(__file__), 'apps', 'static_app.py')
ASSETS = os.path.join(ROOT, 'tests', 'files', 'assets')
BIG = 2 * 1024 * 1024


def read(name):
    with open(os.path.join(ASSETS, name), 'rb') as f:
        return f.read()


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('static') / 'root')
    shutil.copytree(ASSETS, path)
    with open(os.path.join(path, 'big.bin'), 'wb') as f:
        f.write(bytes((i * 31 + i // 256) & 255 for i in range(BIG)))
    return path


@pytest.fixture(scope='module', params=RUNTIMES)
def server(request, root):
    with Server(APP, request.param, args=['--root', root]) as srv:
        yield srv


def get(server, path, method='GET', **headers):
    conn = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
    try:
        conn.request(method, path, headers=dict(
            (k.replace('_', '-'), v) for k, v in headers.items()))
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


def test_full_file_and_head(server):
    status, headers, body = get(server, '/static/data.bin')
    assert status == 200 and body == read('data.bin')
    assert headers['Content-Length'] == '5000'
    assert headers['Content-Type'] == 'application/octet-stream'
    status, headers, body = get(server, '/static/data.bin', 'HEAD')
    assert status == 200 and body == b''
    assert headers['Content-Length'] == '5000'
    status, headers, body = get(server, '/static/hello.txt')
    assert headers['Content-Type'] == 'text/plain; charset=UTF-8'
    assert headers['Vary'] == 'Accept-Encoding'
    assert body == read('hello.txt')


def test_big_file_streamed(server, root):
    status, headers, body = get(server, '/static/big.bin')
    assert status == 200 and headers['Content-Length'] == str(BIG)
    with open(os.path.join(root, 'big.bin'), 'rb') as f:
        assert hashlib.sha256(body).digest() == \
            hashlib.sha256(f.read()).digest()


def test_conditional(server):
    _, headers, _ = get(server, '/static/data.bin')
    etag = headers['ETag']
    status, headers304, body = get(server, '/static/data.bin',
                                   If_None_Match=etag)
    assert status == 304 and body == b''
    assert headers304['ETag'] == etag
    last = headers.get('Last-Modified')
    assert last  # both runtimes have a clock on the host
    status, _, body = get(server, '/static/data.bin', If_Modified_Since=last)
    assert status == 304 and body == b''
    status, _, body = get(server, '/static/data.bin',
                          If_None_Match='"nope"', If_Modified_Since=last)
    assert status == 200 and body == read('data.bin')


def test_ranges(server):
    data = read('data.bin')
    for spec, start, end in (('0-0', 0, 1), ('100-1123', 100, 1124),
                             ('4000-', 4000, 5000), ('-10', 4990, 5000),
                             ('511-1536', 511, 1537)):
        status, headers, body = get(server, '/static/data.bin',
                                    Range='bytes=' + spec)
        assert status == 206, spec
        assert body == data[start:end], spec
        assert headers['Content-Range'] == 'bytes %d-%d/5000' % (start,
                                                                 end - 1)
    status, headers, body = get(server, '/static/data.bin',
                                Range='bytes=5000-')
    assert status == 416 and headers['Content-Range'] == 'bytes */5000'
    status, _, body = get(server, '/static/data.bin', Range='bytes=0-1,3-4')
    assert status == 200 and body == data
    _, headers, _ = get(server, '/static/data.bin')
    status, _, body = get(server, '/static/data.bin', Range='bytes=0-9',
                          If_Range=headers['ETag'])
    assert status == 206 and body == data[:10]
    status, _, body = get(server, '/static/data.bin', Range='bytes=0-9',
                          If_Range='"old"')
    assert status == 200 and body == data


def test_gzip_negotiation(server):
    status, headers, body = get(server, '/static/hello.txt',
                                Accept_Encoding='gzip, deflate, br')
    assert headers['Content-Encoding'] == 'gzip'
    assert body == read('hello.txt.gz')
    assert gzip.decompress(body) == read('hello.txt')
    status, headers, body = get(server, '/static/hello.txt',
                                Accept_Encoding='gzip;q=0, br')
    assert 'Content-Encoding' not in headers and body == read('hello.txt')
    status, headers, body = get(server, '/static/only.css',
                                Accept_Encoding='gzip')
    assert headers['Content-Encoding'] == 'gzip'
    assert body == read('only.css.gz')
    # only the .gz is stored and the client refuses gzip: decompressed on
    # the fly, sent chunked (the length is not known in advance)
    status, headers, body = get(server, '/static/only.css',
                                Accept_Encoding='identity')
    assert status == 200 and 'Content-Encoding' not in headers
    assert headers['Transfer-Encoding'] == 'chunked'
    assert body == gzip.decompress(read('only.css.gz'))


@pytest.mark.parametrize('path', [
    b'/static/../static_app.py', b'/static/%2e%2e/%2e%2e/servers.py',
    b'/static//etc/passwd', b'/static/..\\x',
    b'/static/sub/../../x', b'/static/.etags',
    b'/static/missing'])
def test_paths_outside_root_are_404(server, path):
    res = raw_request(server.port, b'GET ' + path + b' HTTP/1.0\r\n\r\n')
    assert res.startswith(b'HTTP/1.0 404'), res[:80]


@pytest.mark.parametrize('path', [b'/static/a%00b', b'/static/%2E%2E%2Fx'])
def test_escaped_nul_or_slash_is_refused_before_routing(server, path):
    res = raw_request(server.port, b'GET ' + path + b' HTTP/1.0\r\n\r\n')
    assert res.startswith(b'HTTP/1.0 400'), res[:80]


@pytest.mark.parametrize('headers', [
    b'Range: bytes=\xc3\xa9-\r\n', b'Range: bytes=1-2-3\r\n',
    b'If-None-Match: "\r\n',
    b'If-Modified-Since: 32 Foo 99999 99:99:99 GMT\r\n',
    b'Accept-Encoding: gzip;q=nan\r\n', b'Accept-Encoding: ;;;,,,\r\n',
    b'If-Range: \r\nRange: bytes=0-1\r\n'])
def test_malformed_headers_get_the_file(server, headers):
    res = raw_request(server.port, b'GET /static/data.bin HTTP/1.0\r\n' +
                      headers + b'\r\n')
    assert res.startswith(b'HTTP/1.0 200 OK'), res[:80]
    assert res.split(b'\r\n\r\n', 1)[1] == read('data.bin')


def read_response(sock, buf):
    """(head, body, rest) of one Content-Length-framed response."""
    while b'\r\n\r\n' not in buf:
        chunk = sock.recv(65536)
        assert chunk, 'connection closed early'
        buf += chunk
    head, rest = buf.split(b'\r\n\r\n', 1)
    length = 0
    for line in head.split(b'\r\n')[1:]:
        name, _, value = line.partition(b':')
        if name.lower() == b'content-length':
            length = int(value)
    if head.split()[1] in (b'304',) or b'HEAD' in sock.last_method:
        length = 0  # no body, whatever Content-Length says
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, 'connection closed early'
        rest += chunk
    return head, rest[:length], rest[length:]


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.last_method = b''

    def recv(self, n):
        return self.sock.recv(n)


def test_pipelined_requests_on_one_connection(server):
    """304, HEAD, 206 and 416 answers carry exactly the bytes they announce:
    the next request on the connection is read from the right place."""
    _, headers, _ = get(server, '/static/data.bin')
    etag = headers['ETag'].encode()
    data = read('data.bin')
    conn = Conn(server.port)
    requests = [
        (b'GET', b'GET /static/data.bin HTTP/1.1\r\nHost: x\r\n'
         b'If-None-Match: ' + etag + b'\r\n\r\n', b'304', b''),
        (b'HEAD', b'HEAD /static/data.bin HTTP/1.1\r\nHost: x\r\n\r\n',
         b'200', b''),
        (b'GET', b'GET /static/data.bin HTTP/1.1\r\nHost: x\r\n'
         b'Range: bytes=10-19\r\n\r\n', b'206', data[10:20]),
        (b'GET', b'GET /static/data.bin HTTP/1.1\r\nHost: x\r\n'
         b'Range: bytes=9000-\r\n\r\n', b'416', b''),
        (b'GET', b'GET / HTTP/1.1\r\nHost: x\r\n\r\n', b'200', b'hello'),
    ]
    conn.sock.sendall(b''.join(r[1] for r in requests))
    buf = b''
    for method, _, code, expected in requests:
        conn.last_method = method
        head, body, buf = read_response(conn, buf)
        assert head.split()[1] == code, head
        assert body == expected
    assert buf == b''
    conn.sock.close()


def test_clients_leaving_mid_download(server):
    """Downloads cut short release their file and buffer: the server keeps
    serving (on MicroPython at a 200k heap)."""
    for _ in range(30):
        with socket.create_connection(('127.0.0.1', server.port),
                                      timeout=10) as s:
            s.sendall(b'GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n')
            s.recv(4096)
    status, _, body = get(server, '/static/data.bin', Range='bytes=0-99')
    assert status == 206 and body == read('data.bin')[:100]


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_webui_example(runtime):
    webui = os.path.join(ROOT, 'examples', 'webui')
    with Server(os.path.join(webui, 'webui.py'), runtime) as srv:
        status, headers, body = get(srv, '/')
        with open(os.path.join(webui, 'static', 'index.html'), 'rb') as f:
            assert status == 200 and body == f.read()
        assert headers['Content-Type'] == 'text/html; charset=UTF-8'
        assert headers['Cache-Control'] == 'no-cache'
        status, _, body = get(srv, '/', If_None_Match=headers['ETag'])
        assert status == 304 and body == b''
        status, headers, body = get(srv, '/app.js')
        assert headers['Content-Type'] == \
            'application/javascript; charset=UTF-8'
        status, headers, body = get(srv, '/api/status')
        assert status == 200 and b'"platform"' in body
        status, _, _ = get(srv, '/../webui.py')
        assert status == 404
