"""make romfs / tools/romfs.py: the bundle's contents, the image built by
mpremote, and the app served from it at /rom on the MicroPython unix runtime
(vfs.VfsRom over the image), where tests/test_romfs.py runs as on a board."""
import gzip
import hashlib
import os
import subprocess
import sys

import pytest

from servers import MICROPYTHON, ROOT, mpy_package_dir

TOOLS = os.path.join(ROOT, 'tools')
TESTS = os.path.join(ROOT, 'tests')
WEBUI = os.path.join(ROOT, 'examples', 'webui')
MOUNT = ('import vfs, sys\n'
         'vfs.mount(vfs.VfsRom(open(%r, "rb").read()), "/rom")\n')


def romfs(*args):
    return subprocess.run([sys.executable, os.path.join(TOOLS, 'romfs.py')] +
                          list(args), capture_output=True, text=True,
                          cwd=ROOT)


def make(*args):
    env = dict(os.environ)
    for name in ('APP', 'PORT', 'IMAGE', 'PLAN', 'MAKEFLAGS', 'MFLAGS'):
        env.pop(name, None)
    return subprocess.run(['make', '--no-print-directory'] + list(args),
                          capture_output=True, text=True, cwd=ROOT, env=env)


@pytest.fixture(scope='module')
def bundles(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('romfs'))
    res = romfs('build', WEBUI, '--out', os.path.join(out, 'plain'))
    assert res.returncode == 0, res.stderr
    assert 'webui.romfs' in res.stdout
    res = romfs('build', WEBUI, '--out', os.path.join(out, 'full'),
                '--with-microdot')
    assert res.returncode == 0, res.stderr
    return out


def test_image_and_checksums(bundles):
    image = os.path.join(bundles, 'plain', 'webui.romfs')
    with open(image, 'rb') as f:
        data = f.read()
    assert data.startswith(b'\xd2\xcd\x31')  # the ROMFS header
    with open(os.path.join(bundles, 'plain', 'SHA256SUMS')) as f:
        assert f.read() == '%s  webui.romfs\n' % hashlib.sha256(
            data).hexdigest()


def test_staged_contents():
    res = romfs('build', WEBUI, '--out', os.path.join(ROOT, '.build',
                                                      'romfs-test'))
    assert res.returncode == 0, res.stderr
    stage = os.path.join(ROOT, '.build', 'romfs', 'webui')
    assert sorted(os.listdir(stage)) == ['static', 'webui.mpy']
    static = os.path.join(stage, 'static')
    for name in ('index.html', 'app.js', 'style.css'):
        with open(os.path.join(WEBUI, 'static', name), 'rb') as f:
            original = f.read()
        with open(os.path.join(static, name), 'rb') as f:
            assert f.read() == original
        with open(os.path.join(static, name + '.gz'), 'rb') as f:
            assert gzip.decompress(f.read()) == original
    with open(os.path.join(static, '.etags')) as f:
        lines = f.read().splitlines()
    assert len(lines) == 6
    for line in lines:
        path, size, digest = line.split()
        with open(os.path.join(static, path), 'rb') as f:
            data = f.read()
        assert int(size) == len(data)
        assert digest == hashlib.sha256(data).hexdigest()[:16]


def run_on_rom(image, micropypath, heapsize='300k'):
    script = MOUNT % image + (
        'sys.path.insert(0, %r)\n'
        'import runner\n'
        'runner.main(["-v", "test_romfs"])\n' % os.path.join(TESTS, 'mpy'))
    return subprocess.run([MICROPYTHON, '-X', 'heapsize=' + heapsize, '-c',
                           script], capture_output=True, text=True, cwd=TESTS,
                          env=dict(os.environ, MICROPYPATH=micropypath),
                          timeout=120)


def test_app_served_from_rom(bundles):
    res = run_on_rom(os.path.join(bundles, 'plain', 'webui.romfs'),
                     mpy_package_dir() + ':.frozen')
    out = res.stdout + res.stderr
    assert 'RESULT test_romfs passed=6 failed=0 skipped=0' in out, out


def test_framework_and_app_from_rom(bundles):
    """Stock firmware: microdot itself comes from /rom/lib."""
    res = run_on_rom(os.path.join(bundles, 'full', 'webui.romfs'),
                     '/rom/lib:.frozen')
    out = res.stdout + res.stderr
    assert 'RESULT test_romfs passed=6 failed=0 skipped=0' in out, out


HEAP_SCRIPT = '''\
import gc, sys, asyncio, json
%s
gc.collect()
before = gc.mem_alloc()
import microdot, microdot.static, webui
gc.collect()
print(microdot.__file__, webui.__file__, gc.mem_alloc() - before)
'''


def test_running_from_rom_saves_heap(bundles):
    """The same .mpy files retain less heap run in place from /rom than
    loaded from a filesystem."""
    image = os.path.join(bundles, 'full', 'webui.romfs')
    stage = os.path.join(ROOT, '.build', 'romfs', 'webui')
    romfs('build', WEBUI, '--out', os.path.join(bundles, 'again'),
          '--with-microdot')
    figures = {}
    for where, setup in (
            ('rom', MOUNT % image + 'sys.path[:0] = ["/rom", "/rom/lib"]'),
            ('fs', 'sys.path[:0] = [%r, %r]' % (stage, stage + '/lib'))):
        res = subprocess.run([MICROPYTHON, '-c', HEAP_SCRIPT % setup],
                             capture_output=True, text=True,
                             env=dict(os.environ, MICROPYPATH='.frozen'))
        files = res.stdout.split()
        assert len(files) == 3, res.stdout + res.stderr
        assert files[0].startswith('/rom/' if where == 'rom' else stage)
        figures[where] = int(files[2])
    print('heap retained by import microdot, microdot.static, webui: '
          '%(rom)d bytes from /rom, %(fs)d from a filesystem' % figures)
    assert figures['rom'] < figures['fs'] * 0.8


def test_make_targets():
    res = make('romfs')
    assert res.returncode == 2
    assert 'make romfs APP=examples/webui' in res.stdout
    res = make('romfs', 'APP=examples/nope')
    assert res.returncode != 0 and 'no app folder' in res.stderr
    res = make('deploy-romfs', 'PLAN=1', 'IMAGE=tests/files/test.txt')
    assert res.returncode != 0
    assert 'make deploy-romfs PORT=/dev/ttyACM0' in res.stderr
    res = make('romfs', 'APP=examples/webui')
    assert res.returncode == 0, res.stderr
    res = make('deploy-romfs', 'PORT=/dev/ttyUSB9', 'PLAN=1',
               'APP=examples/webui')
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith(
        'mpremote connect /dev/ttyUSB9 romfs deploy '
        'firmware/romfs/webui.romfs')
    res = make('deploy-romfs', 'PORT=/dev/ttyUSB9', 'PLAN=1',
               'IMAGE=firmware/romfs/missing.romfs')
    assert res.returncode != 0 and 'no ROMFS image' in res.stderr
