#!/usr/bin/env python3
"""Write a firmware image from firmware/BOARD/ to a board, after checking it
against the SHA256SUMS beside it.

  tools/flash.py write BOARD [--port PORT] [--drive DIR] [--image FILE]
  tools/flash.py erase BOARD --port PORT

ESP32 boards: esptool writes the image at the board's offset over the
serial port (erase first when the board ran other firmware). RP2 boards:
hold BOOTSEL while plugging the board in; the UF2 image is copied to the
RPI-RP2 (Pico W) or RP2350 (Pico 2 W) drive, or loaded with picotool when
no drive is mounted. --plan prints the commands and checks nothing.
"""
import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys

from firmware import (FIRMWARE_ROOT, PORTS, Failure, image_name, load_board,
                      project_version, sha256)
from hosttools import find_tool

UF2_MOUNTS = ('/media/*/%s', '/media/%s', '/run/media/*/%s', '/Volumes/%s')


def default_image(board, mpy_version):
    folder = os.path.join(FIRMWARE_ROOT, board['name'])
    ext = os.path.splitext(PORTS[board['port']]['image'])[1]
    listed = [name for name in checksums(folder) if name.endswith(ext)]
    if listed:
        return os.path.join(folder, sorted(listed)[-1])
    return os.path.join(folder, image_name(board, project_version(),
                                           mpy_version.lstrip('v')))


def checksums(folder):
    sums = {}
    try:
        with open(os.path.join(folder, 'SHA256SUMS')) as f:
            for line in f:
                digest, name = line.split(None, 1)
                sums[name.strip().lstrip('*')] = digest.lower()
    except FileNotFoundError:
        pass
    return sums


def verify(image):
    """Refuse an image that is missing or differs from its SHA256SUMS."""
    folder, name = os.path.split(os.path.abspath(image))
    if not os.path.isfile(image):
        raise Failure('no image %s: build it with make firmware BOARD=... '
                      'or pass IMAGE=<file>' % image)
    expected = checksums(folder).get(name)
    if expected is None:
        raise Failure('%s is not listed in a SHA256SUMS beside it: cannot '
                      'check it (keep SHA256SUMS with the image)' % image)
    actual = sha256(image)
    if actual != expected:
        raise Failure('%s does not match SHA256SUMS (%s, expected %s): '
                      'rebuild or download it again' % (image, actual,
                                                         expected))


def esptool():
    return find_tool('esptool') or 'esptool'


def uf2_drive(label):
    for pattern in UF2_MOUNTS:
        for path in sorted(glob.glob(pattern % label)):
            if os.path.isfile(os.path.join(path, 'INFO_UF2.TXT')):
                return path
    return None


def serial_port(args):
    if not args.port:
        raise Failure('no serial port: pass PORT=<port> (/dev/ttyUSB0 or '
                      '/dev/ttyACM0 on Linux, /dev/cu.* on macOS)')
    if not args.plan and not os.path.exists(args.port):
        raise Failure('serial port %s not found: plug the board in and '
                      'check ls /dev/ttyUSB* /dev/ttyACM*' % args.port)
    return args.port


def esptool_base(board, args):
    port = serial_port(args)
    tool = esptool()
    if not args.plan and not (os.path.exists(tool) or shutil.which(tool)):
        raise Failure('missing esptool: run make venv (it installs the '
                      'pinned esptool v5)')
    return [tool, '--chip', board['flash']['chip'], '--port', port]


def write_commands(board, image, args):
    """The commands that write image to the board, as argv lists (a
    ('copy', src, dest) tuple for a UF2 drive)."""
    method = board['flash']['method']
    if method == 'esptool':
        return [esptool_base(board, args) + [
            '--baud', str(args.baud), 'write-flash',
            board['flash']['offset'], image]]
    if method == 'uf2':
        label = board['flash']['drive']
        drive = args.drive or (None if args.plan else uf2_drive(label))
        if drive:
            if not args.plan and not os.path.isfile(
                    os.path.join(drive, 'INFO_UF2.TXT')):
                raise Failure('%s is not a UF2 boot drive (no INFO_UF2.TXT)'
                              % drive)
            return [('copy', image, drive)]
        if not args.plan and not shutil.which('picotool'):
            raise Failure('no %s drive mounted and no picotool: hold BOOTSEL '
                          'while plugging the board in, then run again (or '
                          'pass DRIVE=<mount point>)' % label)
        return [['picotool', 'load', '-v', '-x', image]]
    raise Failure('%s is not flashed: %s' % (board['name'], {
        'unix': 'it is a host executable (make run-firmware)',
        'qemu': 'boot it in qemu-system-arm (firmware/README.md)',
    }[board['port']]))


def describe(command):
    if command[0] == 'copy':
        return 'cp %s %s/' % (shlex.quote(command[1]), shlex.quote(command[2]))
    return ' '.join(shlex.quote(a) for a in command)


def run(commands, args):
    for command in commands:
        print(('%s' if args.plan else '+ %s') % describe(command), flush=True)
        if args.plan:
            continue
        if command[0] == 'copy':
            shutil.copy(command[1], command[2])
            continue
        code = subprocess.run(command).returncode
        if code:
            raise Failure('failed (exit %d): %s' % (code, describe(command)))


def cmd_write(args):
    board = load_board(args.board)
    image = args.image or default_image(board, args.mpy_version)
    commands = write_commands(board, image, args)
    if args.plan:
        print('verify %s against SHA256SUMS' % image)
    else:
        verify(image)
    run(commands, args)


def cmd_erase(args):
    board = load_board(args.board)
    if board['flash']['method'] != 'esptool':
        raise Failure('erase is for ESP32 boards; %s is written whole'
                      % board['name'])
    run([esptool_base(board, args) + ['erase-flash']], args)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    sub = parser.add_subparsers(dest='command', required=True)
    for name, text in (('write', 'write the image to the board'),
                       ('erase', 'erase the whole flash (ESP32)')):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument('board', help='a folder name in boards/')
        cmd.add_argument('--port', help='serial port (ESP32 boards)')
        cmd.add_argument('--baud', type=int, default=460800,
                         help='esptool baud rate (default: %(default)s)')
        cmd.add_argument('--drive', help='mounted UF2 boot drive (RP2 '
                         'boards; found under /media by default)')
        cmd.add_argument('--image', help='image file (default: the one in '
                         'firmware/BOARD/)')
        cmd.add_argument('--mpy-version', default='v1.28.0',
                         help='MicroPython version in the default image '
                         'name (default: %(default)s)')
        cmd.add_argument('--plan', action='store_true',
                         help='print the commands instead of running them')
    args = parser.parse_args(argv)
    try:
        {'write': cmd_write, 'erase': cmd_erase}[args.command](args)
    except Failure as e:
        print('flash: %s' % e, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
