"""Start example apps as real servers, under CPython or MicroPython, for the
host tests. Servers listen on 127.0.0.1 on a free port; start() returns once
the port accepts connections."""
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import facts  # noqa: E402
import runner_protocol  # noqa: E402

BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.path.join(BIN, 'micropython')
RUNTIMES = ['cpython', 'micropython']
_mpy_dir = []


def mpy_package_dir():
    """The package compiled to .mpy (as on a board: compiling the source
    needs more RAM than a board-sized heap has), built once per session."""
    if not _mpy_dir:
        _mpy_dir.append(runner_protocol.compile_package(
            os.path.join(ROOT, '.build', 'mpy-servers')))
    return _mpy_dir[0]


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for_port(port, proc=None, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ''
            raise RuntimeError('server exited with %s:\n%s' % (
                proc.returncode, out))
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError('server did not listen on port %d' % port)


class Server:
    """A server process running `script` with --host/--port."""

    def __init__(self, script, runtime='cpython', args=(), cwd=None,
                 heapsize=facts.BOARD_HEAP, path=None, env=None):
        self.port = free_port()
        self.runtime = runtime
        argv = [os.path.basename(script), '--host', '127.0.0.1',
                '--port', str(self.port)] + list(args)
        environ = dict(os.environ)
        environ.update(env or {})
        if runtime == 'micropython':
            cmd = [MICROPYTHON, '-X', 'heapsize=' + heapsize] + argv
            path = mpy_package_dir() if path is None else path
            environ['MICROPYPATH'] = path + ':.frozen' if path else '.frozen'
        else:
            cmd = [sys.executable, '-u'] + argv
            environ['PYTHONPATH'] = ROOT if path is None else path
        self.proc = subprocess.Popen(
            cmd, cwd=cwd or os.path.dirname(os.path.abspath(script)),
            env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)

    def __enter__(self):
        try:
            wait_for_port(self.port, self.proc)
        except Exception:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc.stdout.closed:  # stopped already
            return self.output
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.output = self.proc.stdout.read()
        self.proc.stdout.close()
        return self.output

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port


def raw_request(port, data, timeout=5, shutdown=True):
    """Send raw bytes, read until the server closes, return the bytes."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        s.sendall(data)
        if shutdown:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b''.join(chunks)


def example(*parts):
    return os.path.join(ROOT, 'examples', *parts)
