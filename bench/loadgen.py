"""The four workloads and the two ways of sending them.

- `run_wrk`: wrk, one thread, 16 connections, for a fixed time, either with a
  new connection per request (`Connection: close`) or keep-alive (wrk's
  default); returns req/s, p50/p99 latency and the error count.
- `Client`: a small sequential HTTP/1.1 client for checking responses and for
  the MicroPython memory measurements (no concurrency, bounded timeouts).
"""
import json
import os
import re
import socket
import subprocess

POST_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'wrk_post_echo.lua')
ECHO_BODY = b'x' * 1024
CONNECTIONS = 16


class Workload:
    def __init__(self, label, method, path, body, expected):
        self.label = label
        self.method = method
        self.path = path
        self.body = body
        self.expected = expected

    def matches(self, body):
        if self.path == '/json':
            return json.loads(body) == json.loads(self.expected)
        return body == self.expected


WORKLOADS = [
    Workload('GET /', 'GET', '/', None, b'Hello, world!'),
    Workload('GET /json', 'GET', '/json', None, b'{"message": "Hello, world!"}'),
    Workload('POST /echo', 'POST', '/echo', ECHO_BODY, ECHO_BODY),
    Workload('GET /hello/<name>', 'GET', '/hello/world', None, b'Hello, world!'),
]
MODES = ['close', 'keep-alive']  # new connection per request, or reused


def run_wrk(port, workload, mode, seconds):
    """One wrk run of whole `seconds`; a dict with rps, requests, p50_ms,
    p99_ms, errors (rps 0 if wrk failed)."""
    argv = ['wrk', '-t1', '-c%d' % CONNECTIONS, '-d%ds' % seconds, '--latency',
            '--timeout', '2s']
    if mode == 'close':
        argv += ['-H', 'Connection: close']
    if workload.method == 'POST':
        argv += ['-s', POST_SCRIPT]
    argv.append('http://127.0.0.1:%d%s' % (port, workload.path))
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    return parse_wrk(out)


def parse_wrk(out):
    def latency(pct):
        m = re.search(r'^\s+%d%%\s+([\d.]+)(us|ms|s)\s*$' % pct, out, re.M)
        if not m:
            return None
        return float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[m.group(2)]
    rps = re.search(r'^Requests/sec:\s+([\d.]+)', out, re.M)
    requests = re.search(r'^\s+(\d+) requests in', out, re.M)
    errors = 0
    m = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), '
                  r'timeout (\d+)', out)
    if m:
        errors += sum(int(g) for g in m.groups())
    m = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    if m:
        errors += int(m.group(1))
    return {'rps': float(rps.group(1)) if rps else 0.0,
            'requests': int(requests.group(1)) if requests else 0,
            'p50_ms': latency(50), 'p99_ms': latency(99), 'errors': errors}


class Client:
    """Sequential HTTP/1.1 requests to one port, reusing the connection when
    keep_alive is true and the server keeps it open."""

    def __init__(self, port, keep_alive, timeout=2.0):
        self.port = port
        self.keep_alive = keep_alive
        self.timeout = timeout
        self.sock = None
        self.buffer = b''

    def request(self, workload):
        """(status, body); raises OSError or ValueError on a broken reply.

        A kept connection that the server closed without saying so (allowed
        between requests) is replaced once by a new one."""
        if self.sock is not None:
            try:
                return self._exchange(workload)
            except (OSError, ValueError):
                self.close()
        self.sock = socket.create_connection(('127.0.0.1', self.port),
                                             self.timeout)
        self.buffer = b''
        return self._exchange(workload)

    def _exchange(self, workload):
        head = '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n' % (workload.method,
                                                          workload.path)
        if not self.keep_alive:
            head += 'Connection: close\r\n'
        if workload.body is not None:
            head += ('Content-Type: application/octet-stream\r\n'
                     'Content-Length: %d\r\n' % len(workload.body))
        self.sock.sendall(head.encode() + b'\r\n' + (workload.body or b''))
        status, headers = self._read_head()
        body = self._read_exactly(int(headers.get('content-length', '0')))
        if not self.keep_alive or headers.get('connection', '').lower() == 'close':
            self.close()
        return status, body

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _read_head(self):
        while b'\r\n\r\n' not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        headers = {}
        for line in lines[1:]:
            name, value = line.split(':', 1)
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers

    def _read_exactly(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ValueError('connection closed mid-response')
        self.buffer += data


def check_server(port):
    """None if the server answers all four workloads right, else the reason."""
    for keep_alive in (False, True):
        client = Client(port, keep_alive)
        try:
            for workload in WORKLOADS:
                status, body = client.request(workload)
                if status != 200 or not workload.matches(body):
                    return '%s: status %d, body %r' % (workload.label, status,
                                                       body[:60])
        except (OSError, ValueError) as exc:
            return '%s: %r' % (workload.label, exc)
        finally:
            client.close()
    return None
