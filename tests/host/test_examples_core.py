"""The core examples served for real under CPython and MicroPython, with
real HTTP clients (urllib, http.client, curl)."""
import gzip
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from servers import MICROPYTHON, ROOT, RUNTIMES, Server, example, raw_request


def fetch(url, method='GET', data=None, headers=None, context=None):
    req = urllib.request.Request(url, method=method, data=data,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10, context=context) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_hello(runtime):
    with Server(example('hello', 'hello.py'), runtime) as srv:
        status, headers, body = fetch(srv.url + '/')
    assert (status, body) == (200, b'Hello, world!')
    assert headers['Content-Type'] == 'text/plain; charset=UTF-8'


@pytest.mark.skipif(not shutil.which('curl'), reason='curl is not installed')
@pytest.mark.parametrize('runtime', RUNTIMES)
def test_hello_with_curl_keep_alive(runtime):
    with Server(example('hello', 'hello.py'), runtime) as srv:
        out = subprocess.run(['curl', '-sv', srv.url + '/', srv.url + '/'],
                             capture_output=True, text=True, timeout=20)
    assert out.stdout == 'Hello, world!Hello, world!'
    assert 'Re-using existing connection' in out.stderr or \
        'Reusing existing' in out.stderr


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_hello_when_only_the_core_file_is_copied(runtime, tmp_path):
    shutil.copy(os.path.join(ROOT, 'microdot', 'microdot.py'), tmp_path)
    shutil.copy(example('hello', 'hello.py'), tmp_path)
    script = str(tmp_path / 'hello.py')
    # nothing but the script's folder on the path
    with Server(script, runtime, path='', heapsize='2m') as srv:
        status, _, body = fetch(srv.url + '/')
    assert (status, body) == (200, b'Hello, world!')


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_core_copied_alone_refuses_chunked_bodies(runtime, tmp_path):
    # chunked decoding lives in microdot/_chunked.py: without it the core
    # answers 501, leaves the connection, and serves the next one
    shutil.copy(os.path.join(ROOT, 'microdot', 'microdot.py'), tmp_path)
    shutil.copy(example('hello', 'hello.py'), tmp_path)
    with Server(str(tmp_path / 'hello.py'), runtime, path='',
                heapsize='2m') as srv:
        answer = raw_request(srv.port, b'POST / HTTP/1.1\r\nHost: x\r\n'
                             b'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
                             b'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
                             timeout=10, shutdown=False)
        status, _, body = fetch(srv.url + '/')
    assert answer.split(b'\r\n')[0].split(b' ')[1] == b'501'
    assert b'microdot/_chunked.py' in answer
    assert answer.count(b'HTTP/1.') == 1  # nothing smuggled
    assert (status, body) == (200, b'Hello, world!')


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_json_api(runtime):
    with Server(example('json_api', 'json_api.py'), runtime) as srv:
        def call(method, path, data=None):
            body = json.dumps(data).encode() if data is not None else None
            status, headers, out = fetch(
                srv.url + path, method, body,
                {'Content-Type': 'application/json'} if body else {})
            return status, headers, json.loads(out) if out else None

        assert call('GET', '/readings')[::2] == (200, [])
        status, headers, created = call('POST', '/readings',
                                        {'sensor': 't1', 'value': 21.5})
        assert status == 201 and created == {'sensor': 't1', 'value': 21.5,
                                             'id': 1}
        assert headers['Location'] == '/readings/1'
        call('POST', '/readings', {'sensor': 't2', 'value': 3})
        assert [r['id'] for r in call('GET', '/readings?min=10')[2]] == [1]
        assert call('PUT', '/readings/2', {'sensor': 't2', 'value': 4})[2][
            'value'] == 4
        assert call('DELETE', '/readings/1')[0] == 204
        assert call('GET', '/readings/1')[::2] == (404, {'error':
                                                         'not found'})
        status, _, err = call('POST', '/readings', {'sensor': 1})
        assert status == 400 and 'expected' in err['error']
        status, _, _ = fetch(srv.url + '/readings', 'POST', b'{bad',
                             {'Content-Type': 'application/json'})
        assert status == 400


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_json_api_bad_query_is_400(runtime):
    with Server(example('json_api', 'json_api.py'), runtime) as srv:
        status, _, body = fetch(srv.url + '/readings?min=abc')
        assert (status, json.loads(body)) == (
            400, {'error': 'min must be a number'})
        assert fetch(srv.url + '/readings?min=1.5')[0] == 200
    assert 'Traceback' not in srv.output


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_static_files(runtime):
    static_dir = example('static', 'static')
    with Server(example('static', 'static_server.py'), runtime) as srv:
        status, headers, body = fetch(srv.url + '/')
        assert status == 200 and b'<h1>Static files</h1>' in body
        assert headers['Content-Type'] == 'text/html'
        assert headers['Cache-Control'] == 'max-age=86400'
        status, headers, body = fetch(srv.url + '/static/app.js')
        assert 'Content-Encoding' not in headers
        with open(os.path.join(static_dir, 'app.js'), 'rb') as f:
            assert body == f.read()
        status, headers, body = fetch(srv.url + '/static/app.js',
                                      headers={'Accept-Encoding': 'gzip'})
        assert headers['Content-Encoding'] == 'gzip'
        assert headers['Content-Type'] == 'application/javascript'
        with open(os.path.join(static_dir, 'app.js'), 'rb') as f:
            assert gzip.decompress(body) == f.read()
        for path in ('/static/../static_server.py', '/static/%2e%2e/x',
                     '/static//etc/passwd', '/static/missing.css',
                     '/static/..\\static_server.py'):
            conn = http.client.HTTPConnection('127.0.0.1', srv.port,
                                              timeout=10)
            conn.request('GET', path)
            assert conn.getresponse().status == 404, path
            conn.close()


@pytest.fixture(scope='module')
def certificate(tmp_path_factory):
    if not shutil.which('openssl'):
        pytest.skip('openssl is not installed')
    d = tmp_path_factory.mktemp('tls')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                    '-nodes', '-days', '2', '-subj', '/CN=localhost',
                    '-keyout', str(d / 'key.pem'), '-out',
                    str(d / 'cert.pem')], check=True, capture_output=True)
    subprocess.run(['openssl', 'x509', '-in', str(d / 'cert.pem'),
                    '-outform', 'DER', '-out', str(d / 'cert.der')],
                   check=True)
    subprocess.run(['openssl', 'rsa', '-in', str(d / 'key.pem'), '-outform',
                    'DER', '-out', str(d / 'key.der')], check=True,
                   capture_output=True)
    return d


def tls_server(runtime, certificate):
    """examples/tls served with the test certificate (DER on MicroPython),
    and a client context that trusts it."""
    ext = '.der' if runtime == 'micropython' else '.pem'
    args = ['--cert', str(certificate / ('cert' + ext)),
            '--key', str(certificate / ('key' + ext))]
    context = ssl.create_default_context(cafile=str(certificate /
                                                    'cert.pem'))
    context.check_hostname = False
    return Server(example('tls', 'tls.py'), runtime, args=args,
                  heapsize='2m'), context


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_tls(runtime, certificate):
    if runtime == 'micropython' and not os.path.exists(MICROPYTHON):
        pytest.skip('no MicroPython runtime')
    server, context = tls_server(runtime, certificate)
    with server as srv:
        url = 'https://127.0.0.1:%d/' % srv.port
        status, _, body = fetch(url, context=context)
    assert (status, body) == (200, b'Hello over https!')


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_tls_clients_that_hang_up_or_speak_plain_http_are_quiet(
        runtime, certificate):
    server, context = tls_server(runtime, certificate)
    with server as srv:
        # wait_for_port already connected and closed without a handshake
        for _ in range(2):
            socket.create_connection(('127.0.0.1', srv.port)).close()
        with socket.create_connection(('127.0.0.1', srv.port)) as plain:
            plain.sendall(b'GET / HTTP/1.0\r\n\r\n')
            time.sleep(0.5)  # the server reads it and fails the handshake
        url = 'https://127.0.0.1:%d/' % srv.port
        status, _, body = fetch(url, context=context)
    assert (status, body) == (200, b'Hello over https!')
    assert srv.output == 'serving on https://127.0.0.1:%d/\n' % srv.port


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_tls_port_closes_a_failed_handshake_at_once(runtime, certificate):
    # MicroPython's TLS socket lets go of its TCP socket when a handshake
    # fails; unclosed, that socket stayed open until collected (on a board,
    # a few plain-HTTP probes would take lwIP's TCP connections)
    server, _ = tls_server(runtime, certificate)
    with server as srv:
        for _ in range(3):
            with socket.create_connection(('127.0.0.1', srv.port)) as plain:
                plain.sendall(b'GET / HTTP/1.0\r\n\r\n')
                plain.settimeout(4)  # the server's own timeouts are longer
                try:
                    assert plain.recv(100) == b''
                except ConnectionResetError:
                    pass


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_tls_without_a_certificate_is_one_line(runtime, tmp_path):
    missing = str(tmp_path / 'cert.pem')
    srv = Server(example('tls', 'tls.py'), runtime,
                 args=['--cert', missing, '--key', missing])
    code = srv.proc.wait(timeout=30)
    out = srv.stop()
    assert code == 1
    assert out == ('no %s: make a certificate and key as the top of tls.py '
                   'shows, or pass --cert FILE --key FILE\n' % missing)
