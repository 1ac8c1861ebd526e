#!/usr/bin/env python3
"""Build a MicroPython firmware image with microdot frozen in, for one of
the boards in boards/.

  tools/firmware.py list
  tools/firmware.py build BOARD [--mpy-dir DIR] [--docker] [--plan]
  tools/firmware.py source BOARD
  tools/firmware.py collect --out DIR
  tools/firmware.py image BOARD

Without --mpy-dir, the pinned MicroPython tag is shallow-cloned into the
cache folder (reused next time) with only the submodules the port needs;
`source` does just that and prints the tree's path. RP2 builds also build
the picotool version pico-sdk needs into the cache when none is on PATH.
The image lands in firmware/BOARD/ with SHA256SUMS and build-info.json.
--plan prints every command the build would run, checking nothing.
`collect` gathers every built board's images into one folder with a single
SHA256SUMS and build-info.json, as attached to a release. `image` prints the
newest image built for a board, whatever MicroPython version built it.
The pinned versions come from the Makefile (tools/facts.py).
"""
import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import facts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOARDS_DIR = os.path.join(ROOT, 'boards')
BUILD_ROOT = os.path.join(ROOT, '.build')
FIRMWARE_ROOT = os.path.join(ROOT, 'firmware')

DEBIAN = 'Debian/Ubuntu: apt-get install '
# What each MicroPython port needs on the host, and where its build leaves
# the image. ESP32 needs ESP-IDF instead (checked separately).
PORTS = {
    'unix': {
        'image': 'micropython',
        'tools': [('gcc', DEBIAN + 'gcc'),
                  ('pkg-config', DEBIAN + 'pkg-config')],
    },
    'qemu': {
        'image': 'firmware.elf',
        'tools': [('arm-none-eabi-gcc',
                   DEBIAN + 'gcc-arm-none-eabi libnewlib-arm-none-eabi')],
    },
    'rp2': {
        'image': 'firmware.uf2',
        'tools': [('arm-none-eabi-gcc',
                   DEBIAN + 'gcc-arm-none-eabi libnewlib-arm-none-eabi '
                   'libstdc++-arm-none-eabi-newlib'),
                  ('g++', DEBIAN + 'g++'),
                  ('cmake', DEBIAN + 'cmake')],
    },
    'esp32': {
        'image': 'firmware.bin',
        'tools': [],
    },
}


class Failure(Exception):
    """A problem the user can fix; reported as one line, nothing is run."""


def load_board(name):
    path = os.path.join(BOARDS_DIR, name, 'board.json')
    if not name or not os.path.isfile(path):
        raise Failure('unknown board %r: choose one of %s (one folder per '
                      'board in boards/)' % (name, ', '.join(board_names())))
    with open(path) as f:
        board = json.load(f)
    board['name'] = name
    return board


def board_names():
    return sorted(d for d in os.listdir(BOARDS_DIR)
                  if os.path.isfile(os.path.join(BOARDS_DIR, d, 'board.json')))


def project_version():
    try:
        return facts.package_version()
    except (OSError, facts.MissingFact) as exc:
        raise Failure(str(exc))


def tree_version(mpy_dir):
    """MicroPython version of a source tree, from py/mpconfig.h."""
    with open(os.path.join(mpy_dir, 'py', 'mpconfig.h')) as f:
        text = f.read()
    parts = [re.search(r'#define MICROPY_VERSION_%s (\d+)' % part,
                       text).group(1)
             for part in ('MAJOR', 'MINOR', 'MICRO')]
    return '.'.join(parts)


def utemplate_dir():
    """The folder holding the utemplate package the full manifest freezes."""
    if os.environ.get('UTEMPLATE_DIR'):
        return os.environ['UTEMPLATE_DIR']
    try:
        import utemplate
    except ImportError:
        raise Failure('utemplate not found: run `make venv` (it installs the '
                      'pinned utemplate) or set UTEMPLATE_DIR')
    return os.path.dirname(os.path.abspath(list(utemplate.__path__)[0]))


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 16), b''):
            h.update(chunk)
    return h.hexdigest()


def image_extension(board):
    return os.path.splitext(PORTS[board['port']]['image'])[1]


def image_name(board, version, micropython_version):
    return 'microdot-%s-%s-mp%s%s' % (version, board['name'],
                                      micropython_version,
                                      image_extension(board))


def built_image(board, firmware_dir=FIRMWARE_ROOT):
    """The newest image in firmware_dir/BOARD/ named as image_name names
    them, whatever versions built it; None when there is none."""
    folder = os.path.join(firmware_dir, board['name'])
    pattern = re.compile(re.escape('microdot-') + r'.+' + re.escape(
        '-%s-mp' % board['name']) + r'[^-]+' + re.escape(
        image_extension(board)) + '$')
    try:
        names = [n for n in os.listdir(folder) if pattern.match(n)]
    except FileNotFoundError:
        return None
    paths = [os.path.join(folder, n) for n in names]
    return max(paths, key=os.path.getmtime) if paths else None


class Step:
    def __init__(self, argv, env=None, path=None):
        self.argv = argv
        self.env = env or {}
        self.path = path  # a folder to put first on PATH

    def __str__(self):
        env = ['%s=%s' % (k, shlex.quote(v)) for k, v in sorted(
            self.env.items())]
        if self.path:
            env.insert(0, 'PATH=%s:"$PATH"' % shlex.quote(self.path))
        return ' '.join(env + [shlex.quote(a) for a in self.argv])

    def run(self):
        print('+ %s' % self, flush=True)
        env = dict(os.environ, **self.env)
        if self.path:
            env['PATH'] = self.path + os.pathsep + env.get('PATH', '')
        code = subprocess.run(self.argv, env=env).returncode
        if code:
            raise Failure('step failed (exit %d): %s' % (code, self))


class Build:
    """Everything needed to plan and run one board's build."""

    def __init__(self, args):
        self.args = args
        self.board = load_board(args.board)
        self.port = self.board['port']
        self.version = project_version()
        self.tag = args.micropython_tag
        cache = os.path.abspath(args.cache)
        if args.mpy_dir:
            self.mpy_dir = os.path.abspath(args.mpy_dir)
        else:
            self.mpy_dir = os.path.join(cache, 'micropython-' + self.tag)
        self.picotool = os.path.join(cache, 'picotool-' +
                                     args.picotool_version)
        self.build_dir = os.path.join(BUILD_ROOT, self.board['name'])
        self.out_dir = os.path.join(FIRMWARE_ROOT, self.board['name'])
        self.manifest = os.path.join(BOARDS_DIR, self.board['name'],
                                     'manifest.py')
        try:
            self.utemplate_dir = utemplate_dir()
        except Failure:
            if not args.plan:
                raise
            self.utemplate_dir = '<utemplate dir>'

    @property
    def micropython_version(self):
        if os.path.isfile(os.path.join(self.mpy_dir, 'py', 'mpconfig.h')):
            return tree_version(self.mpy_dir)
        return self.tag.lstrip('v')

    def port_dir(self):
        return os.path.join(self.mpy_dir, 'ports', self.port)

    def board_args(self):
        board = self.board
        if self.port == 'unix':
            # btree stays off so the build needs only the micropython-lib
            # and mbedtls submodules.
            return ['VARIANT=' + board['variant'], 'MICROPY_PY_BTREE=0']
        args = ['BOARD=' + board['board']]
        if board['variant']:
            args.append('BOARD_VARIANT=' + board['variant'])
        board_dir = board.get('romfs', {}).get('board_dir')
        if board_dir:  # our board files on top of MicroPython's (ROMFS)
            args.append('BOARD_DIR=' + os.path.join(BOARDS_DIR, board['name'],
                                                    board_dir))
        return args

    def in_docker(self, step):
        """Wrap a step to run in the ESP-IDF container, with the checkout
        and MicroPython tree mounted at the same paths as on the host."""
        mounts = []
        for path in sorted({ROOT, self.mpy_dir, self.utemplate_dir}):
            if not any(path.startswith(m + os.sep) for m in mounts):
                mounts.append(path)
        argv = ['docker', 'run', '--rm', '--user', '%d:%d' % (os.getuid(),
                                                             os.getgid()),
                '-e', 'HOME=/tmp',
                # git refuses trees owned by another user than the
                # container's; these are ours.
                '-e', 'GIT_CONFIG_COUNT=1',
                '-e', 'GIT_CONFIG_KEY_0=safe.directory',
                '-e', 'GIT_CONFIG_VALUE_0=*']
        for name, value in sorted(step.env.items()):
            argv += ['-e', '%s=%s' % (name, value)]
        for path in mounts:
            argv += ['-v', '%s:%s' % (path, path)]
        argv += [self.args.idf_image] + step.argv
        return Step(argv)

    def make(self, directory, *args, env=None):
        step = Step(['make', '-C', directory] + list(args), env)
        if self.port == 'esp32' and self.args.docker:
            return self.in_docker(step)
        return step

    def missing_submodules(self):
        missing = []
        for sub in self.board['submodules']:
            path = os.path.join(self.mpy_dir, sub)
            if not os.path.isdir(path) or not os.listdir(path):
                missing.append(sub)
        return missing

    def source_steps(self):
        """Clone MicroPython unless cached or given, then fetch the port's
        submodules (a no-op when they are there already)."""
        if self.args.mpy_dir:
            return []
        steps = []
        if not os.path.isdir(os.path.join(self.mpy_dir, '.git')):
            steps.append(clone(self.args.mpy_git_url, self.tag, self.mpy_dir))
        steps.append(self.make(self.port_dir(), *self.board_args(),
                               'submodules'))
        return steps

    def needs_picotool(self):
        """rp2 builds need picotool; pico-sdk would download it otherwise."""
        return self.port == 'rp2' and not shutil.which('picotool')

    def picotool_steps(self):
        src, build = self.picotool + '-src', self.picotool + '-build'
        steps = []
        if not os.path.isdir(src):
            steps.append(clone(self.args.picotool_git_url,
                               self.args.picotool_version, src))
        if not os.path.isfile(os.path.join(self.picotool, 'bin',
                                           'picotool')):
            steps += [
                Step(['cmake', '-S', src, '-B', build,
                      '-DPICO_SDK_PATH=' + os.path.join(self.mpy_dir, 'lib',
                                                        'pico-sdk'),
                      '-DCMAKE_INSTALL_PREFIX=' + self.picotool,
                      '-DCMAKE_BUILD_TYPE=Release']),
                Step(['cmake', '--build', build, '-j%d' % self.args.jobs]),
                Step(['cmake', '--install', build]),
            ]
        return steps

    def steps(self):
        jobs = '-j%d' % self.args.jobs
        image = os.path.join(self.out_dir, image_name(
            self.board, self.version, self.micropython_version))
        steps = self.source_steps()
        port_path = None
        if self.needs_picotool():
            steps += self.picotool_steps()
            port_path = os.path.join(self.picotool, 'bin')
        steps.append(self.make(os.path.join(self.mpy_dir, 'mpy-cross'),
                               jobs))
        env = {'UTEMPLATE_DIR': self.utemplate_dir}
        port_env = dict(env)
        romfs = self.board.get('romfs', {}).get('bytes')
        if self.port == 'rp2' and romfs:
            # from the environment, so the port's Makefile adds its own
            port_env['CMAKE_ARGS'] = \
                '-DMICROPY_DEF_BOARD=MICROPY_HW_ROMFS_BYTES=%d' % romfs
        port_build = self.make(
            self.port_dir(), jobs, *self.board_args(),
            'BUILD=' + self.build_dir, 'FROZEN_MANIFEST=' + self.manifest,
            env=port_env)
        port_build.path = port_path
        steps.append(port_build)
        steps += [
            Step(['rm', '-rf', self.out_dir]),
            Step(['mkdir', '-p', self.out_dir]),
            Step(['cp', os.path.join(self.build_dir,
                                     PORTS[self.port]['image']), image]),
        ]
        info = [sys.executable, os.path.join(ROOT, 'tools', 'buildinfo.py'),
                '--board', self.board['name'], '--mpy-dir', self.mpy_dir,
                '--micropython-tag', self.tag]
        if self.port == 'esp32' and self.args.docker:
            info += ['--idf', 'docker image ' + self.args.idf_image]
        steps.append(Step(info + [image], env, port_path))
        return steps

    def check(self):
        """Stop before running anything when a piece is missing."""
        for tool, how in self.toolchain():
            if not shutil.which(tool):
                raise Failure('missing %s (needed for %s): %s' % (
                    tool, self.board['name'], how))
        if self.port == 'unix' and subprocess.run(
                ['pkg-config', '--exists', 'libffi']).returncode:
            raise Failure('missing libffi (needed for UNIX): %s' % (
                DEBIAN + 'libffi-dev'))
        if self.args.mpy_dir:
            self.check_mpy_dir()
        elif not os.path.isdir(os.path.join(self.mpy_dir, '.git')):
            reachable(self.args.mpy_git_url, self.tag,
                      'MicroPython %s' % self.tag,
                      'set MPY_GIT_URL to a reachable copy, or MPY_DIR to a '
                      'MicroPython %s tree' % self.tag)
        if self.needs_picotool() and not os.path.isdir(self.picotool +
                                                       '-src'):
            reachable(self.args.picotool_git_url,
                      self.args.picotool_version,
                      'picotool %s' % self.args.picotool_version,
                      'put picotool %s on PATH, or set PICOTOOL_GIT_URL to '
                      'a reachable copy' % self.args.picotool_version)

    def toolchain(self):
        tools = [('make', DEBIAN + 'make'), ('gcc', DEBIAN + 'gcc')]
        tools += PORTS[self.port]['tools']
        if not self.args.mpy_dir:
            tools.append(('git', DEBIAN + 'git'))
        if self.port == 'esp32':
            if self.args.docker:
                tools = [t for t in tools if t[0] == 'git']
                tools.append(('docker', 'install Docker, or drop DOCKER=1 '
                              'and use a local ESP-IDF'))
            elif not os.environ.get('IDF_PATH') or not shutil.which(
                    'idf.py'):
                raise Failure(
                    'missing ESP-IDF (needed for %s): source '
                    '<esp-idf %s>/export.sh first, or add DOCKER=1 to build '
                    'in the %s image' % (self.board['name'],
                                         self.args.idf_image.split(':')[-1],
                                         self.args.idf_image))
        return tools

    def check_mpy_dir(self):
        if not os.path.isfile(os.path.join(self.mpy_dir, 'py',
                                           'mpconfig.h')):
            raise Failure('MPY_DIR=%s is not a MicroPython source tree: '
                          'clone it with git clone --branch %s '
                          'https://github.com/micropython/micropython.git'
                          % (self.mpy_dir, self.tag))
        missing = self.missing_submodules()
        if missing:
            raise Failure('MPY_DIR lacks the %s submodule%s: run make -C '
                          '%s %s submodules' % (
                              ', '.join(missing),
                              's' if len(missing) > 1 else '',
                              self.port_dir(), ' '.join(self.board_args())))


def clone(url, tag, dest):
    return Step(['git', 'clone', '--depth', '1', '--branch', tag, '-c',
                 'advice.detachedHead=false', url, dest])


def reachable(url, tag, what, how):
    """Stop with one line unless url serves tag."""
    res = subprocess.run(['git', 'ls-remote', '--tags', url,
                          'refs/tags/' + tag],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=dict(os.environ,
                                             GIT_TERMINAL_PROMPT='0'))
    if res.returncode or not res.stdout.strip():
        why = (res.stderr.strip().splitlines() or ['no tag ' + tag])[0]
        raise Failure('cannot get %s from %s (%s): %s' % (what, url, why,
                                                           how))


def cmd_build(args):
    build = Build(args)
    if args.plan:
        for step in build.steps():
            print(step)
        if args.mpy_dir:
            try:
                build.check_mpy_dir()
            except Failure as exc:
                print('# the build would stop before these steps: %s' % exc)
        return 0
    build.check()
    version = build.micropython_version
    if args.mpy_dir and 'v' + version != args.micropython_tag:
        print('firmware: note: MPY_DIR holds MicroPython %s; this project '
              'pins %s' % (version, args.micropython_tag))
    for step in build.steps():
        step.run()
    return 0


def cmd_source(args):
    build = Build(args)
    for tool in ('git', 'make'):
        if not shutil.which(tool):
            raise Failure('missing %s: %s' % (tool, DEBIAN + tool))
    if not os.path.isdir(os.path.join(build.mpy_dir, '.git')):
        reachable(args.mpy_git_url, build.tag, 'MicroPython ' + build.tag,
                  'set MPY_GIT_URL to a reachable copy')
    for step in build.source_steps():
        step.run()
    print(build.mpy_dir)
    return 0


def cmd_collect(args):
    images, boards = [], {}
    for name in board_names():
        folder = os.path.join(args.firmware, name)
        try:
            with open(os.path.join(folder, 'build-info.json')) as f:
                boards[name] = json.load(f)
        except FileNotFoundError:
            continue
        for image in boards[name]['images']:
            path = os.path.join(folder, image['file'])
            if sha256(path) != image['sha256']:
                raise Failure('%s differs from its build-info.json: rebuild '
                              'it' % path)
            images.append((path, image))
    if not boards:
        raise Failure('no board built in %s: run make firmware BOARD=... '
                      'first' % args.firmware)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'SHA256SUMS'), 'w') as sums:
        for path, image in images:
            shutil.copy(path, args.out)
            sums.write('%s  %s\n' % (image['sha256'], image['file']))
            print(os.path.join(args.out, image['file']))
    with open(os.path.join(args.out, 'build-info.json'), 'w') as f:
        json.dump({'boards': boards}, f, indent=2)
        f.write('\n')
    return 0


def cmd_image(args):
    path = built_image(load_board(args.board), args.firmware)
    if path:
        print(path)
    return 0


def cmd_list(args):
    for name in board_names():
        board = load_board(name)
        print('%-18s %-6s %-9s %s; heap: %s' % (
            name, board['port'], board['flash']['method'],
            board['description'], board['heap']))
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('list', help='list the boards')
    build = sub.add_parser('build', help='build one board')
    source = sub.add_parser('source', help='fetch the MicroPython tree a '
                            'board needs and print its path')
    for cmd in (build, source):
        cmd.add_argument('board', help='a folder name in boards/')
        cmd.add_argument('--micropython-tag', default=facts.MICROPYTHON_TAG,
                         help='MicroPython tag (default: %(default)s)')
        cmd.add_argument('--mpy-git-url', default=facts.MICROPYTHON_GIT_URL,
                         help='where to clone MicroPython from')
        cmd.add_argument('--cache', default=os.path.join(ROOT, '.cache'),
                         help='folder for the clones (default: .cache)')
        cmd.add_argument('--docker', action='store_true',
                         help='ESP32: run make in the ESP-IDF Docker image')
        cmd.add_argument('--idf-image', default=facts.IDF_DOCKER_IMAGE,
                         help='ESP-IDF Docker image (default: %(default)s)')
        cmd.add_argument('--picotool-version',
                         default=facts.PICOTOOL_VERSION,
                         help='picotool tag (default: %(default)s)')
        cmd.add_argument('--picotool-git-url',
                         default=facts.PICOTOOL_GIT_URL,
                         help='where to clone picotool from')
        cmd.add_argument('-j', '--jobs', type=int, default=2,
                         help='parallel compile jobs (default: %(default)s)')
    build.add_argument('--mpy-dir', help='MicroPython source tree to use '
                       'instead of a cached clone')
    build.add_argument('--plan', action='store_true',
                       help='print the commands instead of running them')
    source.set_defaults(mpy_dir=None, plan=False)
    collect = sub.add_parser('collect', help='gather the built images for '
                             'a release')
    collect.add_argument('--firmware', default=FIRMWARE_ROOT,
                         help='where the builds are (default: firmware/)')
    collect.add_argument('--out', required=True, help='folder to fill')
    image = sub.add_parser('image', help='print the newest image built for '
                           'a board (nothing when there is none)')
    image.add_argument('board', help='a folder name in boards/')
    image.add_argument('--firmware', default=FIRMWARE_ROOT,
                       help='where the builds are (default: firmware/)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        return {'list': cmd_list, 'build': cmd_build, 'source': cmd_source,
                'collect': cmd_collect, 'image': cmd_image}[args.command](args)
    except Failure as e:
        print('firmware: %s' % e, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
