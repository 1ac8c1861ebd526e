#!/usr/bin/env python3
"""A virtual board: the MicroPython unix runtime behind a pseudo-terminal.

Prints the serial port to connect to (a /dev/pts/N path, or --link PATH) and
serves until killed. mpremote, tools/devtest or a terminal talk to it as to
a board's USB serial port: friendly and raw REPL, raw-paste, `mount`, `cp`
and soft reset all behave as on a board, with a board-sized heap and a
private directory as the board's flash (mounted at `/`, with `/lib` on
sys.path after `.frozen`, as on a board).

Where the unix runtime differs from a board, the virtual board bridges it:
- a soft reset (Ctrl-D, sys.exit(), machine.soft_reset()) ends the unix
  process: the virtual board starts a new one, prints "MPY: soft reboot"
  and comes back in the REPL mode the board was in, as a board does; a
  crash of the runtime is a hard reset: it comes back with the banner in
  the friendly REPL;
- the runtime's terminal is raw (no echo, no line editing by the kernel, no
  newline translation, so binary transfers pass untouched), and Ctrl-C is
  turned into an interrupt only while the board runs code with
  micropython.kbd_intr() enabled, as a board's UART does.

Usage: tools/vboard [--heapsize SIZE] [--flash DIR] [--link PATH]
"""
import argparse
import errno
import os
import pty
import select
import shutil
import signal
import sys
import tempfile
import time
import tty

import facts
from hosttools import find_tool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RAW_PROMPT = b'raw REPL; CTRL-B to exit\r\n>'
FRIENDLY_PROMPT = b'>>> '
BANNER_START = b'MicroPython '
SOFT_REBOOT = b'MPY: soft reboot\r\n'
SIGINT_MASK = 1 << (signal.SIGINT - 1)

# Run in every new runtime before the user sees it, like a board's boot: the
# flash directory becomes the root filesystem and sys.path is a board's.
BOOT_CODE = """\
import os, sys
os.umount('/')
os.mount(os.VfsPosix(%r), '/')
os.chdir('/')
sys.path[:] = ['', '.frozen', '/lib']
del os, sys
import gc
gc.collect()
del gc
"""


class BootError(Exception):
    pass


def find_micropython():
    return find_tool('micropython')


class VirtualBoard:
    def __init__(self, micropython, heapsize, flash_dir):
        self.micropython = os.path.abspath(micropython)
        self.heapsize = heapsize
        self.flash_dir = os.path.abspath(flash_dir)
        self.raw_repl = False
        self.pid = None
        self.child_fd = None
        self.tail = b''
        # The side mpremote opens: the slave stays open here too, so a client
        # that disconnects and reconnects never makes the master hang up.
        self.port_fd, self.port_slave_fd = os.openpty()
        tty.setraw(self.port_slave_fd)
        self.port = os.ttyname(self.port_slave_fd)

    # ---- the unix runtime, one process per boot ----

    def _spawn(self):
        pid, fd = pty.fork()
        if pid == 0:  # the runtime, on a raw terminal
            try:
                tty.setraw(0)
                os.chdir(self.flash_dir)
                os.execv(self.micropython, [self.micropython, '-X',
                                            'heapsize=' + self.heapsize])
            finally:
                os._exit(127)
        self.pid, self.child_fd = pid, fd

    def _read_child_until(self, ending, timeout=20):
        data = b''
        deadline = time.monotonic() + timeout
        while not data.endswith(ending):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.child_fd], [], [],
                                              left)[0]:
                raise BootError('no %r from the runtime; got %r'
                                % (ending, data[-200:]))
            try:
                chunk = os.read(self.child_fd, 4096)
            except OSError:
                chunk = b''
            if not chunk:
                raise BootError('the runtime exited while booting: %r'
                                % data[-200:])
            data += chunk
        return data

    def boot(self):
        """Start a runtime, run the boot code, and show the user what a
        board shows after a reset in the current REPL mode."""
        self._spawn()
        self._read_child_until(FRIENDLY_PROMPT)
        os.write(self.child_fd, b'\x01')
        self._read_child_until(RAW_PROMPT)
        os.write(self.child_fd, (BOOT_CODE % self.flash_dir).encode()
                 + b'\x04')
        out = self._read_child_until(b'\x04>')
        if not out.startswith(b'OK') or not out.endswith(b'\x04\x04>'):
            raise BootError('boot code failed: %r' % out)
        if self.raw_repl:
            self._to_port(RAW_PROMPT)
        else:
            os.write(self.child_fd, b'\x02')
            out = self._read_child_until(FRIENDLY_PROMPT)
            self._to_port(out[out.find(BANNER_START):])

    def _reap(self):
        """End the runtime (if it has not ended) and return how it ended."""
        if self.pid is None:
            return 0
        deadline = time.monotonic() + 2
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        while not pid and time.monotonic() < deadline:
            time.sleep(0.01)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        if not pid:
            os.kill(self.pid, signal.SIGKILL)
            status = os.waitpid(self.pid, 0)[1]
        os.close(self.child_fd)
        self.pid = self.child_fd = None
        return status

    def _interrupts_enabled(self):
        """True while the runtime runs code with Ctrl-C as interrupt: it then
        catches SIGINT (kbd_intr(-1) and the REPL prompts leave it default)."""
        try:
            with open('/proc/%d/status' % self.pid) as f:
                for line in f:
                    if line.startswith('SigCgt:'):
                        return bool(int(line.split()[1], 16) & SIGINT_MASK)
        except OSError:
            pass
        return False

    # ---- relaying ----

    def _to_port(self, data):
        os.write(self.port_fd, data)

    def _from_port(self, data):
        parts = data.split(b'\x03')
        for i, part in enumerate(parts):
            if i:  # a Ctrl-C came before this part
                if self._interrupts_enabled():
                    os.kill(self.pid, signal.SIGINT)
                else:
                    os.write(self.child_fd, b'\x03')
            if part:
                os.write(self.child_fd, part)

    def _track_mode(self, data):
        self.tail = (self.tail + data)[-64:]
        raw_at = self.tail.rfind(b'raw REPL; CTRL-B to exit')
        friendly_at = self.tail.rfind(b'Type "help()" for more')
        if raw_at != friendly_at:  # one of them was seen
            self.raw_repl = raw_at > friendly_at

    def _restart(self):
        """The runtime ended. A clean exit is a soft reset on a board; a
        crash is a hard reset: the board starts over in the friendly REPL."""
        if os.WIFSIGNALED(self._reap()):
            self.raw_repl = False
            self._to_port(b'\r\n')
        else:
            self._to_port(SOFT_REBOOT)
        self.tail = b''
        self.boot()

    def serve(self):
        parent = os.getppid()
        while os.getppid() == parent:
            ready = select.select([self.port_fd, self.child_fd], [], [],
                                  1.0)[0]
            if self.port_fd in ready:
                self._from_port(os.read(self.port_fd, 4096))
            if self.child_fd in ready:
                try:
                    data = os.read(self.child_fd, 4096)
                except OSError as exc:
                    if exc.errno != errno.EIO:
                        raise
                    data = b''
                if data:
                    self._track_mode(data)
                    self._to_port(data)
                else:
                    self._restart()

    def close(self):
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self._reap()
        os.close(self.port_fd)
        os.close(self.port_slave_fd)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--heapsize', default=facts.BOARD_HEAP,
                        help='the runtime heap (default %(default)s: about '
                             'an ESP32 on a 64-bit runtime)')
    parser.add_argument('--flash', help='directory used as the board\'s '
                        'filesystem (default: a new empty one, removed at '
                        'exit)')
    parser.add_argument('--link', help='also make the port reachable at '
                        'this path (a symlink)')
    parser.add_argument('--micropython', default=find_micropython(),
                        help='the unix runtime (default: .venv\'s)')
    args = parser.parse_args(argv)
    if not args.micropython:
        sys.exit('vboard: the micropython unix runtime is not installed: '
                 'run `make venv` first')
    flash = args.flash or tempfile.mkdtemp(prefix='vboard-flash-')
    os.makedirs(flash, exist_ok=True)
    board = VirtualBoard(args.micropython, args.heapsize, flash)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    signal.signal(signal.SIGHUP, lambda *a: sys.exit(0))
    try:
        board.boot()
        if args.link:
            if os.path.islink(args.link):
                os.unlink(args.link)
            os.symlink(board.port, args.link)
        print('vboard: %s (heap %s, flash %s)'
              % (args.link or board.port, args.heapsize, flash), flush=True)
        board.serve()
    except KeyboardInterrupt:
        pass
    except BootError as exc:
        sys.exit('vboard: %s' % exc)
    finally:
        board.close()
        if args.link and os.path.islink(args.link):
            os.unlink(args.link)
        if not args.flash:
            shutil.rmtree(flash, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
