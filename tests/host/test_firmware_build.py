"""Firmware images built from a tree of the pinned MicroPython (MPY_DIR):
the UNIX image serves the hello example with the frozen microdot, and the
QEMU_ARM image boots in qemu-system-arm and answers a TestClient request."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import facts  # noqa: E402
import firmware  # noqa: E402

MPY_DIR = os.environ.get('MPY_DIR')
if not MPY_DIR:
    pytest.skip('firmware builds skipped: set MPY_DIR=<micropython %s '
                'tree> to build UNIX and QEMU_ARM' % facts.MICROPYTHON_TAG,
                allow_module_level=True)
sys.path.insert(0, os.path.join(ROOT, 'tests', 'host'))
from servers import free_port, wait_for_port  # noqa: E402

VERSION = facts.package_version()
FROZEN_CHECK = (
    "import sys\n"
    "sys.path[:] = ['.frozen']\n"
    "import microdot\n"
    "print('frozen', microdot.__file__, microdot.__version__)\n")


def build(board):
    res = subprocess.run(['make', '-s', '-o', 'venv', 'firmware',
                          'BOARD=' + board, 'MPY_DIR=' + MPY_DIR,
                          'VPY=' + sys.executable], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=1800)
    assert res.returncode == 0, res.stdout[-3000:]
    folder = os.path.join(ROOT, 'firmware', board)
    with open(os.path.join(folder, 'build-info.json')) as f:
        info = json.load(f)
    return os.path.join(folder, info['images'][0]['file']), info


@pytest.fixture(scope='module')
def unix():
    return build('UNIX')


@pytest.fixture(scope='module')
def qemu():
    if not shutil.which('qemu-system-arm'):
        pytest.skip('qemu-system-arm not installed (Debian: apt-get install '
                    'qemu-system-arm)')
    return build('QEMU_ARM')


def check_build_info(image, info, board):
    assert info['board']['name'] == board
    assert info['microdot']['version'] == VERSION
    assert info['micropython']['version'] == facts.MICROPYTHON_VERSION
    frozen = {f['path'] for f in info['frozen']}
    assert {'microdot/__init__.py', 'microdot/microdot.py',
            'microdot/test_client.py', 'utemplate/source.py',
            'asyncio/core.py'} <= frozen
    assert not frozen & {'microdot/%s.py' % name
                         for name in facts.cpython_only_modules()}
    with open(os.path.join(os.path.dirname(image), 'SHA256SUMS')) as f:
        digest, name = f.read().split()
    assert name == os.path.basename(image)
    assert digest == info['images'][0]['sha256']
    assert os.path.basename(image) == firmware.image_name(
        firmware.load_board(board), VERSION, facts.MICROPYTHON_VERSION)


def test_unix_image(unix):
    image, info = unix
    check_build_info(image, info, 'UNIX')
    with tempfile.TemporaryDirectory() as empty:
        res = subprocess.run([image, '-c', FROZEN_CHECK + 'import ssl\n'
                              'print(hasattr(ssl, "SSLContext"))'],
                             cwd=empty, stdout=subprocess.PIPE, text=True,
                             timeout=30)
    assert res.stdout.split() == ['frozen', 'microdot/__init__.py', VERSION,
                                  'True']


def test_unix_image_serves_hello_example(unix):
    image, _ = unix
    port = free_port()
    # hello.py's folder comes first on sys.path and holds no microdot, so
    # the frozen one serves.
    proc = subprocess.Popen([image, os.path.join(ROOT, 'examples', 'hello',
                                                 'hello.py'),
                             '--host', '127.0.0.1', '--port', str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        wait_for_port(port, proc)
        url = 'http://127.0.0.1:%d/' % port
        with urllib.request.urlopen(url, timeout=10) as res:
            assert res.status == 200
            assert res.read() == b'Hello, world!'
    finally:
        proc.terminate()
        proc.wait(10)


QEMU_SCRIPT = FROZEN_CHECK + '''
import asyncio
from microdot import Microdot
from microdot.test_client import TestClient
app = Microdot()

@app.route('/hello/<name>')
async def hello(request, name):
    return {'hello': name}

async def main():
    res = await TestClient(app).get('/hello/qemu')
    print('response', res.status_code, res.json['hello'])

asyncio.run(main())
'''


def test_qemu_image_runs_a_test_client_request(qemu):
    image, info = qemu
    check_build_info(image, info, 'QEMU_ARM')
    proc = subprocess.Popen(['qemu-system-arm', '-machine', 'mps2-an385',
                             '-nographic', '-monitor', 'null', '-semihosting',
                             '-serial', 'pty', '-kernel', image],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r'(/dev/pts/\d+)', line)
        assert match, line
        time.sleep(1)
        res = subprocess.run([os.path.join(BIN, 'mpremote'), 'connect',
                              match.group(1), 'exec', QEMU_SCRIPT],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=120)
    finally:
        proc.terminate()
        proc.wait(10)
    assert res.stdout.split() == ['frozen', 'microdot/__init__.py', VERSION,
                                  'response', '200', 'qemu'], res.stdout
