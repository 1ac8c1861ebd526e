"""The uploads, login and CORS examples served for real under CPython and
MicroPython (board-sized heap), with real HTTP requests."""
import hashlib
import http.client
import json
import os
import socket
import time
import urllib.parse

import pytest

from servers import RUNTIMES, Server, example, raw_request
from facts import BOARD_HEAP  # noqa: I100 (servers puts tools/ on the path)

PROBE = os.path.join(os.path.dirname(__file__), 'apps',
                     'upload_probe.py')
BOUNDARY = 'upload-test-boundary'


def multipart(files, fields=()):
    body = b''
    for name, value in fields:
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n'
                 '%s\r\n' % (BOUNDARY, name, value)).encode()
    for name, filename, data in files:
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"; '
                 'filename="%s"\r\nContent-Type: application/octet-stream'
                 '\r\n\r\n' % (BOUNDARY, name, filename)).encode()
        body += data + b'\r\n'
    return body + ('--%s--\r\n' % BOUNDARY).encode()


def request(srv, method, path, body=None, headers=None, timeout=30):
    conn = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


def upload(srv, files, **kwargs):
    return request(srv, 'POST', '/upload', multipart(files), {
        'Content-Type': 'multipart/form-data; boundary=' + BOUNDARY,
        'Accept': 'application/json'}, **kwargs)


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_uploads(runtime, tmp_path):
    with Server(example('uploads', 'uploads.py'), runtime,
                args=['--dir', str(tmp_path)]) as srv:
        status, _, body = upload(srv, [
            ('file', 'notes.txt', b'some notes\r\n'),
            ('file', '../../etc/passwd', b'not a path'),
            ('other', 'ignored.txt', b'x')])
        assert (status, body) == (200, b'{"saved": ["notes.txt", "passwd"]}')
        status, headers, page = request(srv, 'GET', '/')
        assert status == 200
        assert headers['Content-Type'] == 'text/html; charset=UTF-8'
        assert b'<a href="/files/notes.txt">notes.txt</a> (12 bytes)' in page
        assert request(srv, 'GET', '/files/notes.txt')[2] == \
            b'some notes\r\n'
        assert request(srv, 'GET', '/files/..%2Fx')[0] == 400  # escaped /
        # a browser posts the form and follows the redirect
        status, headers, _ = request(
            srv, 'POST', '/upload', multipart([('file', 'b.bin', b'\0')]),
            {'Content-Type': 'multipart/form-data; boundary=' + BOUNDARY})
        assert (status, headers['Location']) == (303, '/')
    assert sorted(os.listdir(tmp_path)) == ['b.bin', 'notes.txt', 'passwd']
    assert (tmp_path / 'passwd').read_bytes() == b'not a path'


def truncated_upload(port, keep_open):
    """Send a multipart upload that stops halfway; return the socket."""
    body = multipart([('file', 'cut.bin', b'x' * 50000)])
    head = ('POST /upload HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n'
            'Content-Type: multipart/form-data; boundary=%s\r\n'
            'Content-Length: %d\r\n\r\n' % (BOUNDARY, len(body))).encode()
    sock = socket.create_connection(('127.0.0.1', port), timeout=10)
    sock.sendall(head + body[:20000])
    if not keep_open:
        sock.shutdown(socket.SHUT_WR)
    return sock


def read_all(sock):
    data = b''
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_broken_uploads_get_400_and_never_stall_the_server(runtime,
                                                           tmp_path):
    with Server(example('uploads', 'uploads.py'), runtime,
                args=['--dir', str(tmp_path)]) as srv:
        # the client stops sending halfway and closes its side
        started = time.time()
        with truncated_upload(srv.port, keep_open=False) as sock:
            answer = read_all(sock)
        assert answer.startswith(b'HTTP/1.1 400 ')
        assert time.time() - started < 5
        # a complete HTTP body without the closing boundary
        body = multipart([('file', 'a.txt', b'abc')])[:-30]
        answer = raw_request(srv.port, (
            'POST /upload HTTP/1.0\r\nContent-Type: multipart/form-data; '
            'boundary="%s"\r\nContent-Length: %d\r\n\r\n'
            % (BOUNDARY, len(body))).encode() + body)
        assert answer.startswith(b'HTTP/1.0 400 ')
        # while a client holds a half-sent upload open, others are served
        with truncated_upload(srv.port, keep_open=True) as sock:
            started = time.time()
            assert request(srv, 'GET', '/', timeout=5)[0] == 200
            assert time.time() - started < 2
            sock.shutdown(socket.SHUT_WR)
            assert read_all(sock).startswith(b'HTTP/1.1 400 ')
    assert os.listdir(tmp_path) == []  # no partial files left


def test_one_megabyte_upload_under_a_board_heap(tmp_path):
    data = os.urandom(1024 * 1024)
    with Server(PROBE, 'micropython', heapsize=BOARD_HEAP,
                args=['--dir', str(tmp_path)]) as srv:
        before = json.loads(request(srv, 'GET', '/heap')[2])
        started = time.time()
        status, _, body = upload(srv, [('file', 'big.bin', data)])
        elapsed = time.time() - started
        assert (status, body) == (200, b'{"saved": ["big.bin"]}')
        after = json.loads(request(srv, 'GET', '/heap')[2])
    saved = (tmp_path / 'big.bin').read_bytes()
    assert hashlib.sha256(saved).digest() == hashlib.sha256(data).digest()
    # the file streams through: the live heap grows by a few KB, not 1 MB
    assert after['peak'] - before['now'] < 16 * 1024
    print('1 MB upload under MicroPython -X heapsize=%s: %.2f s, live heap '
          '%d before, peak %d' % (BOARD_HEAP, elapsed, before['now'],
                                  after['peak']))


def test_one_megabyte_upload_cpython(tmp_path):
    data = os.urandom(1024 * 1024)
    with Server(example('uploads', 'uploads.py'), 'cpython',
                args=['--dir', str(tmp_path)]) as srv:
        status, _, body = upload(srv, [('file', 'big.bin', data)])
    assert (status, body) == (200, b'{"saved": ["big.bin"]}')
    assert (tmp_path / 'big.bin').read_bytes() == data


class Browser:
    """Just enough of a browser: a cookie jar over http.client."""

    def __init__(self, srv):
        self.srv = srv
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        if self.cookies:
            headers['Cookie'] = '; '.join(
                '%s=%s' % item for item in self.cookies.items())
        status, res_headers, text = request(self.srv, method, path, body,
                                            headers)
        set_cookies = res_headers.get_all('Set-Cookie') or []
        for cookie in set_cookies:
            name, value = cookie.split(';', 1)[0].split('=', 1)
            if 'Max-Age=0' in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, res_headers, text.decode(), set_cookies


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_login(runtime):
    with Server(example('login', 'login.py'), runtime) as srv:
        browser = Browser(srv)
        status, headers, _, _ = browser.request('GET', '/')
        assert (status, headers['Location']) == (302, '/login?next=/')
        status, _, page, _ = browser.request('GET', '/login?next=/')
        assert status == 200 and '<form method="post">' in page
        status, _, page, cookies = browser.request(
            'POST', '/login?next=/', {'name': 'susan', 'password': 'bye'})
        assert (status, cookies) == (401, [])
        assert 'Wrong name or password.' in page
        status, headers, _, cookies = browser.request(
            'POST', '/login?next=/', {'name': 'susan', 'password': 'hello'})
        assert (status, headers['Location']) == (302, '/')
        assert len(cookies) == 1
        assert cookies[0].endswith('; Path=/; HttpOnly; SameSite=Lax')
        status, _, page, _ = browser.request('GET', '/')
        assert status == 200 and '<h1>Hello, susan!</h1>' in page
        # another site's page cannot post the logout form
        status, _, _, _ = browser.request(
            'POST', '/logout', headers={'Sec-Fetch-Site': 'cross-site'})
        assert status == 403
        status, headers, _, _ = browser.request(
            'POST', '/logout', headers={'Sec-Fetch-Site': 'same-origin'})
        assert (status, headers['Location']) == (303, '/login')
        assert browser.request('GET', '/')[0] == 302


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_login_remember_me(runtime):
    with Server(example('login', 'login.py'), runtime) as srv:
        browser = Browser(srv)
        status, _, _, cookies = browser.request(
            'POST', '/login', {'name': 'david', 'password': 'bye',
                               'remember': 'on'})
        assert status == 302 and len(cookies) == 2
        del browser.cookies['session']  # the browser was closed
        status, _, page, _ = browser.request('GET', '/')
        assert status == 200 and 'Hello, david!' in page


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_cors(runtime):
    allowed = 'http://localhost:8000'
    with Server(example('cors', 'cors.py'), runtime,
                args=['--origin', allowed]) as srv:
        status, headers, _ = request(srv, 'OPTIONS', '/api/led', headers={
            'Origin': allowed, 'Access-Control-Request-Method': 'PUT',
            'Access-Control-Request-Headers': 'content-type'})
        assert status == 200
        assert headers['Access-Control-Allow-Origin'] == allowed
        assert headers['Access-Control-Allow-Credentials'] == 'true'
        assert headers['Access-Control-Allow-Methods'] == 'PUT'
        assert headers['Access-Control-Allow-Headers'] == 'content-type'
        assert headers['Access-Control-Max-Age'] == '600'
        assert headers['Vary'] == 'Origin'
        status, headers, body = request(
            srv, 'PUT', '/api/led', b'{"on": true}',
            {'Origin': allowed, 'Content-Type': 'application/json'})
        assert (status, body) == (200, b'{"on": true}')
        assert headers['Access-Control-Allow-Origin'] == allowed
        for origin in ('http://evil.example', 'null'):
            status, headers, _ = request(srv, 'GET', '/api/led',
                                         headers={'Origin': origin})
            assert status == 200
            assert 'Access-Control-Allow-Origin' not in headers
        status, headers, _ = request(srv, 'GET', '/api/led')
        assert 'Access-Control-Allow-Origin' not in headers
