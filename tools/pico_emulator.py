#!/usr/bin/env python3
"""An emulated Raspberry Pi Pico: a UF2 image booted in rp2040js (under
Node), its USB serial port behind a pseudo-terminal.

  tools/pico_emulator.py serve IMAGE.uf2 [--bootrom FILE]
                               [--romfs IMAGE.romfs --romfs-address ADDRESS]
      prints "pico-emulator: /dev/pts/N (...)" once the board's USB serial
      port is up, then relays bytes both ways until killed: mpremote,
      tools/devtest or a terminal talk to it as to a board's /dev/ttyACM0.
      --romfs puts a ROMFS image in the flash at the image's ROMFS
      partition, which the port mounts at /rom.
  tools/pico_emulator.py prepare [--bootrom FILE]
      installs rp2040js (pinned in tools/rp2040/package.json) and gets the
      RP2040 boot ROM; exit 0 when the emulator can run, else one line
      saying what is missing and exit 3 (exit 2: a --bootrom that is not
      one).

The boot ROM is Raspberry Pi's (pico-bootrom, revision B1); rp2040js keeps
a copy in its repository (demo/bootrom.ts), which is downloaded once, checked
against its SHA-256 and kept as a 16 KB binary in the cache. --bootrom names
a copy of your own: that bootrom.ts, or a 16 KB binary.

rp2040js emulates the RP2040 only: there is no RP2350 (Pico 2) emulation,
and no CYW43439 Wi-Fi chip (a Pico W image boots and runs, without Wi-Fi).
"""
import argparse
import hashlib
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
import tty
import urllib.request

import processes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR_DIR = os.path.join(ROOT, 'tools', 'rp2040')
EMULATOR_SCRIPT = os.path.join(EMULATOR_DIR, 'emulator.mjs')
BOOTROM_BYTES = 16384
BOOTROM_NAME = 'rp2040-bootrom-B1.bin'
CONNECTED = b'rp2040js: usb connected'
EXIT_UNAVAILABLE = 3
EXIT_BAD_INPUT = 2


class Unavailable(Exception):
    """The emulator cannot run here: the message says what is missing."""


class BadInput(Exception):
    """What the user gave cannot be used: the message says why."""


# ---- the boot ROM ----

def bootrom_from_ts(text):
    """The boot ROM bytes from rp2040js's demo/bootrom.ts (a Uint32Array
    literal of 4096 words)."""
    start = text.find('Uint32Array([')
    if start < 0:
        raise ValueError('no Uint32Array in it')
    end = text.find('])', start)
    words = [int(w, 16) for w in re.findall(r'0x([0-9a-fA-F]{1,8})\b',
                                            text[start:end])]
    if len(words) * 4 != BOOTROM_BYTES:
        raise ValueError('%d words, not %d' % (len(words),
                                                 BOOTROM_BYTES // 4))
    return struct.pack('<%dI' % len(words), *words)


def read_bootrom(path):
    """A boot ROM given by the user: bootrom.ts or a 16 KB binary."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as exc:
        raise BadInput('cannot read the boot ROM %s: %s'
                       % (path, exc.strerror))
    if len(data) == BOOTROM_BYTES:
        return data
    try:
        return bootrom_from_ts(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInput('%s is neither a 16 KB RP2040 boot ROM nor '
                       'rp2040js\'s demo/bootrom.ts (%s)' % (path, exc))


def download_bootrom(url, sha256):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            data = response.read()
    except OSError as exc:
        raise Unavailable('no RP2040 boot ROM: cannot download %s (%s); '
                          'pass BOOTROM=<rp2040js demo/bootrom.ts>'
                          % (url, getattr(exc, 'reason', exc)))
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Unavailable('the boot ROM downloaded from %s does not have '
                          'the pinned SHA-256 %s' % (url, sha256))
    return bootrom_from_ts(data.decode('utf-8'))


def bootrom_path(args):
    """A boot ROM binary for the emulator: --bootrom, else the cached one,
    else downloaded into the cache."""
    if args.bootrom:
        data = read_bootrom(args.bootrom)
    else:
        cached = os.path.join(args.cache, BOOTROM_NAME)
        if os.path.isfile(cached):
            return cached
        if not args.bootrom_url:
            raise Unavailable('no RP2040 boot ROM: pass BOOTROM=<rp2040js '
                              'demo/bootrom.ts>')
        data = download_bootrom(args.bootrom_url, args.bootrom_sha256)
    os.makedirs(args.cache, exist_ok=True)
    path = os.path.join(args.cache, BOOTROM_NAME)
    with open(path + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(path + '.tmp', path)
    return path


# ---- Node and rp2040js ----

def pinned_rp2040js():
    with open(os.path.join(EMULATOR_DIR, 'package.json')) as f:
        return json.load(f)['dependencies']['rp2040js']


def installed_rp2040js():
    try:
        with open(os.path.join(EMULATOR_DIR, 'node_modules', 'rp2040js',
                               'package.json')) as f:
            return json.load(f)['version']
    except (OSError, ValueError, KeyError):
        return None


def ensure_rp2040js():
    """Node on PATH and the pinned rp2040js in tools/rp2040/node_modules."""
    if not shutil.which('node'):
        raise Unavailable('Node.js is not installed (Debian: apt-get install '
                          'nodejs npm; rp2040js needs Node 18 or later)')
    if installed_rp2040js() == pinned_rp2040js():
        return
    if not shutil.which('npm'):
        raise Unavailable('npm is not installed (Debian: apt-get install '
                          'npm): it installs rp2040js')
    proc = subprocess.run(['npm', 'ci', '--no-audit', '--no-fund',
                           '--loglevel=error'], cwd=EMULATOR_DIR,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode or installed_rp2040js() != pinned_rp2040js():
        lines = proc.stdout.decode(errors='replace').strip().splitlines()
        raise Unavailable('npm could not install rp2040js %s in %s: %s' % (
            pinned_rp2040js(), EMULATOR_DIR, lines[-1] if lines else
            'no output'))


def prepare(args):
    bootrom = bootrom_path(args)  # first: a --bootrom given is checked
    ensure_rp2040js()
    return bootrom


# ---- the serial port ----

class Bridge:
    """A pty whose other end is a process's stdin and stdout: what a client
    writes to the pty goes to the process, what the process prints comes
    out of the pty, byte for byte (the pty is raw)."""

    def __init__(self, cmd, ready=None, timeout=60):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        # The slave stays open here too, so a client that closes the port
        # and opens it again never makes the master hang up.
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        os.set_blocking(self.master, False)
        self.to_port = bytearray()
        self.log = bytearray()
        if ready:
            self._wait_for(ready, timeout)

    def _wait_for(self, text, timeout):
        deadline = time.monotonic() + timeout
        while text not in self.log:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unavailable('the emulator did not start in %ds: %s' % (
                    timeout, self.log.decode(errors='replace').strip()[-300:]
                    or 'no output'))
            if not self.pump(min(left, 1.0)):
                raise Unavailable('the emulator exited while starting: %s' % (
                    self.log.decode(errors='replace').strip()[-300:]
                    or 'no output'))

    def pump(self, timeout):
        """Relay what is ready; False once the process has ended."""
        readers = [self.master, self.proc.stdout, self.proc.stderr]
        writers = [self.master] if self.to_port else []
        readable, writable, _ = select.select(readers, writers, [], timeout)
        if self.master in writable:
            del self.to_port[:os.write(self.master, self.to_port)]
        if self.master in readable:
            try:
                data = os.read(self.master, 4096)
            except BlockingIOError:
                data = b''
            if data:
                try:
                    self.proc.stdin.write(data)
                except BrokenPipeError:
                    return False
        if self.proc.stderr in readable:
            data = os.read(self.proc.stderr.fileno(), 4096)
            if data:
                self.log += data
                del self.log[:-4096]
                sys.stderr.buffer.write(data)
                sys.stderr.flush()
        if self.proc.stdout in readable:
            data = os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                return False
            self.to_port += data
        return True

    def serve(self):
        parent = os.getppid()
        while os.getppid() == parent and self.pump(1.0):
            pass

    def close(self):
        processes.stop(self.proc)
        for fd in (self.master, self.slave):
            os.close(fd)


def serve(args):
    if not os.path.isfile(args.image):
        raise BadInput('no firmware image at %s (make firmware '
                          'BOARD=RPI_PICO_W MPY_DIR=<micropython tree>)'
                          % args.image)
    if args.romfs and (not os.path.isfile(args.romfs) or
                       not args.romfs_address):
        raise BadInput('--romfs needs an image (make romfs APP=...) and '
                       '--romfs-address (boards/RPI_PICO_W/board.json)')
    cmd = ['node', EMULATOR_SCRIPT, '--bootrom', prepare(args),
           '--image', os.path.abspath(args.image)]
    if args.romfs:
        cmd += ['--romfs', os.path.abspath(args.romfs),
                '--romfs-address', args.romfs_address]
    bridge = Bridge(cmd, CONNECTED)
    try:
        print('pico-emulator: %s (rp2040js %s, %s)' % (
            bridge.port, installed_rp2040js(), os.path.basename(args.image)),
            flush=True)
        bridge.serve()
    finally:
        bridge.close()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '))
    sub = parser.add_subparsers(dest='command', required=True)
    commands = {'prepare': sub.add_parser('prepare', help='install rp2040js '
                                          'and get the boot ROM'),
                'serve': sub.add_parser('serve', help='boot an image and '
                                        'serve its USB serial port on a pty')}
    commands['serve'].add_argument('image', help='a UF2 image for the RP2040')
    commands['serve'].add_argument('--romfs', help='a ROMFS image to put in '
                                   "the flash at the image's ROMFS partition")
    commands['serve'].add_argument('--romfs-address', help='where that '
                                   'partition starts (e.g. 0x1010c000)')
    for cmd in commands.values():
        cmd.add_argument('--bootrom', help="the RP2040 boot ROM: rp2040js's "
                         'demo/bootrom.ts or a 16 KB binary (default: '
                         'downloaded into the cache)')
        cmd.add_argument('--bootrom-url', help='where to download '
                         'bootrom.ts from')
        cmd.add_argument('--bootrom-sha256', help="that file's SHA-256")
        cmd.add_argument('--cache', default=os.path.join(ROOT, '.cache'),
                         help='where the boot ROM is kept (default .cache)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    signal.signal(signal.SIGHUP, lambda *a: sys.exit(0))
    try:
        if args.command == 'prepare':
            prepare(args)
        else:
            serve(args)
    except Unavailable as exc:
        print('pico-emulator: %s' % exc, flush=True)
        return EXIT_UNAVAILABLE
    except BadInput as exc:
        print('pico-emulator: %s' % exc, flush=True)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
