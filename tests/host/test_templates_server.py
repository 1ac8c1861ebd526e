"""The template examples served for real: utemplate under CPython and
MicroPython (board-sized heap), Jinja under CPython."""
import os
import sys
import urllib.parse
import urllib.request

import pytest

from servers import ROOT, Server, example, mpy_package_dir

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import runner_protocol  # noqa: E402 (utemplate from .venv for MicroPython)


def greet(srv, name):
    data = urllib.parse.urlencode({'name': name}).encode()
    with urllib.request.urlopen(srv.url + '/', data, timeout=10) as res:
        assert res.headers['Content-Type'] == 'text/html; charset=UTF-8'
        return res.read().decode()


@pytest.mark.parametrize('script,runtime', [
    ('utemplate_app.py', 'cpython'), ('utemplate_app.py', 'micropython'),
    ('jinja_app.py', 'cpython')])
def test_greeting_is_escaped(script, runtime):
    path = None
    if runtime == 'micropython':
        path = mpy_package_dir() + ':' + runner_protocol.third_party_path()
    with Server(example('templates', script), runtime, path=path) as srv:
        with urllib.request.urlopen(srv.url + '/', timeout=10) as res:
            assert '<h1>Hello, stranger!</h1>' in res.read().decode()
        assert '<h1>Hello, &lt;b&gt;Ann&lt;/b&gt;!</h1>' in greet(
            srv, '<b>Ann</b>')
