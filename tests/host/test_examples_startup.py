"""Every example server says where it serves when it starts, and a port
already in use is one line and exit status 1, not a traceback, on both
runtimes."""
import os
import socket
import sys

import pytest

from servers import ROOT, Server, example, mpy_package_dir

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import runner_protocol  # noqa: E402 (utemplate for MicroPython)

# (folder, script, runs on MicroPython too)
EXAMPLES = [
    ('hello', 'hello.py', True),
    ('json_api', 'json_api.py', True),
    ('static', 'static_server.py', True),
    ('cors', 'cors.py', True),
    ('login', 'login.py', True),
    ('uploads', 'uploads.py', True),
    ('sse', 'counter.py', True),
    ('websocket', 'echo.py', True),
    ('templates', 'utemplate_app.py', True),
    ('templates', 'jinja_app.py', False),
    ('asgi_wsgi', 'asgi_app.py', False),
    ('asgi_wsgi', 'wsgi_app.py', False),
    ('webui', 'webui.py', True),
]
CASES = [(folder, script, runtime) for folder, script, mpy in EXAMPLES
         for runtime in (['cpython', 'micropython'] if mpy else ['cpython'])]


def start(folder, script, runtime, tmp_path, args=()):
    path = None
    if runtime == 'micropython' and folder == 'templates':
        path = mpy_package_dir() + ':' + runner_protocol.third_party_path()
    if folder == 'uploads':
        args = ['--dir', str(tmp_path)] + list(args)
    return Server(example(folder, script), runtime, args=args, path=path)


def test_every_example_is_listed():
    scripts = {(folder, name) for folder in os.listdir(example())
               if folder != 'boards'
               for name in os.listdir(example(folder))
               if name.endswith('.py') and name != 'routes.py'}
    assert scripts == {(f, s) for f, s, _ in EXAMPLES} | {('tls', 'tls.py')}


@pytest.mark.parametrize('folder,script,runtime', CASES)
def test_prints_where_it_serves(folder, script, runtime, tmp_path):
    with start(folder, script, runtime, tmp_path) as srv:
        pass
    assert 'serving on http://127.0.0.1:%d/\n' % srv.port in srv.output
    assert 'Traceback' not in srv.output


@pytest.mark.parametrize('folder,script,runtime', CASES)
def test_port_in_use_is_one_line(folder, script, runtime, tmp_path):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        # the last --port wins
        srv = start(folder, script, runtime, tmp_path,
                    args=['--port', str(port)])
        code = srv.proc.wait(timeout=30)
        out = srv.stop()
    assert code == 1, out
    assert out.splitlines()[-2:] == [
        'serving on http://127.0.0.1:%d/' % port,
        'port %d is in use: stop what uses it, or pass --port N' % port]
    assert 'Traceback' not in out
