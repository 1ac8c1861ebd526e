#!/usr/bin/env python3
"""Write a firmware image from firmware/BOARD/ to a board, after checking it
against the SHA256SUMS beside it.

  tools/flash.py write BOARD [--port PORT] [--drive DIR] [--image FILE]
  tools/flash.py erase BOARD --port PORT

ESP32 boards: esptool writes the image at the board's offset over the
serial port (erase first when the board ran other firmware). RP2 boards:
hold BOOTSEL while plugging the board in; the UF2 image is copied to the
RPI-RP2 (Pico W) or RP2350 (Pico 2 W) drive, or loaded with picotool when
no drive is mounted. Before writing, the image is checked against the
board: an ESP32 image (.bin) for the board's chip, a UF2 image whose family
ID is the board's chip (RP2040 or RP2350), copied to that chip's boot drive.
--plan prints the commands and checks nothing.
"""
import argparse
import glob
import os
import shlex
import shutil
import struct
import subprocess
import sys

import facts
from firmware import (FIRMWARE_ROOT, PORTS, Failure, image_name, load_board,
                      project_version, sha256)
from hosttools import find_tool

UF2_MOUNTS = ('/media/*/%s', '/media/%s', '/run/media/*/%s', '/Volumes/%s')

UF2_BLOCK = 512
UF2_MAGIC = (0x0A324655, 0x9E5D5157, 0x0AB16F30)  # start, start, end
UF2_HAS_FAMILY = 0x2000
# UF2 boot drive -> (chip, families its images may hold, one of which must
# be there). RP2350 images start with an "absolute" block (0xe48bff57) that
# works around the chip's erratum E10.
UF2_CHIPS = {
    'RPI-RP2': ('RP2040', {0xe48bff56}, {0xe48bff56}),
    'RP2350': ('RP2350', {0xe48bff57, 0xe48bff59, 0xe48bff5a, 0xe48bff5b},
               {0xe48bff59, 0xe48bff5a, 0xe48bff5b}),
}
UF2_FAMILY_CHIPS = {0xe48bff56: 'RP2040', 0xe48bff57: 'RP2350',
                    0xe48bff59: 'RP2350', 0xe48bff5a: 'RP2350',
                    0xe48bff5b: 'RP2350'}
# ESP-IDF image header: magic byte 0xE9, chip id (little-endian) at 12.
ESP_MAGIC = 0xE9
ESP_CHIP_IDS = {0: 'esp32', 2: 'esp32s2', 5: 'esp32c3', 9: 'esp32s3',
                12: 'esp32c2', 13: 'esp32c6', 16: 'esp32h2', 18: 'esp32p4'}


def default_image(board):
    folder = os.path.join(FIRMWARE_ROOT, board['name'])
    ext = os.path.splitext(PORTS[board['port']]['image'])[1]
    listed = [name for name in checksums(folder) if name.endswith(ext)]
    if listed:
        return os.path.join(folder, sorted(listed)[-1])
    return os.path.join(folder, image_name(board, project_version(),
                                           facts.MICROPYTHON_VERSION))


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


def uf2_families(image):
    """The family IDs of a UF2 file's blocks; None when it is not UF2."""
    families = set()
    with open(image, 'rb') as f:
        while True:
            block = f.read(UF2_BLOCK)
            if not block:
                break
            if len(block) != UF2_BLOCK:
                return None
            start0, start1, flags = struct.unpack_from('<III', block)
            family = struct.unpack_from('<I', block, 28)[0]
            end = struct.unpack_from('<I', block, 508)[0]
            if (start0, start1, end) != UF2_MAGIC:
                return None
            families.add(family if flags & UF2_HAS_FAMILY else None)
    return families or None


def check_uf2(board, image):
    chip, allowed, needed = UF2_CHIPS[board['flash']['drive']]
    families = uf2_families(image)
    if families is None:
        raise Failure('%s is not a UF2 image: %s takes the .uf2 that make '
                      'firmware BOARD=%s builds' % (image, board['name'],
                                                    board['name']))
    if not families <= allowed or not families & needed:
        found = sorted({UF2_FAMILY_CHIPS.get(f) or (
            'family 0x%08x' % f if f is not None else 'no family ID')
            for f in families - allowed} or {'no %s code' % chip})
        raise Failure('%s is for %s, not for the %s of %s: use the image '
                      'of make firmware BOARD=%s' % (
                          image, ', '.join(found), chip, board['name'],
                          board['name']))


def check_esp(board, image):
    with open(image, 'rb') as f:
        header = f.read(16)
    chip = board['flash']['chip']
    if len(header) < 16 or header[0] != ESP_MAGIC:
        raise Failure('%s is not an ESP32 firmware image (.bin, starting '
                      'with byte 0xe9): %s takes the .bin that make firmware '
                      'BOARD=%s builds' % (image, board['name'],
                                           board['name']))
    found = struct.unpack_from('<H', header, 12)[0]
    if ESP_CHIP_IDS.get(found) != chip:
        raise Failure('%s is for %s, not for the %s of %s: use the image of '
                      'make firmware BOARD=%s' % (
                          image, ESP_CHIP_IDS.get(found, 'chip id %d' % found),
                          chip, board['name'], board['name']))


def check_image(board, image):
    """Refuse an image made for another kind of board."""
    if not os.path.isfile(image):
        raise Failure('no image %s: build it with make firmware BOARD=%s '
                      'or pass IMAGE=<file>' % (image, board['name']))
    {'uf2': check_uf2, 'esptool': check_esp}[board['flash']['method']](
        board, image)


def esptool():
    return find_tool('esptool') or 'esptool'


def uf2_drive(label):
    for pattern in UF2_MOUNTS:
        for path in sorted(glob.glob(pattern % label)):
            if os.path.isfile(os.path.join(path, 'INFO_UF2.TXT')):
                return path
    return None


def drive_board_id(drive):
    """The Board-ID of a UF2 boot drive (RPI-RP2, RP2350...): '' when its
    INFO_UF2.TXT has none; None when it is not a UF2 drive."""
    try:
        with open(os.path.join(drive, 'INFO_UF2.TXT')) as f:
            for line in f:
                name, _, value = line.partition(':')
                if name.strip() == 'Board-ID':
                    return value.strip()
    except OSError:
        return None
    return ''


def check_drive(board, drive):
    label = board['flash']['drive']
    board_id = drive_board_id(drive)
    if board_id is None:
        raise Failure('%s is not a UF2 boot drive (no INFO_UF2.TXT): hold '
                      'BOOTSEL while plugging the board in, and pass the '
                      'drive it mounts as DRIVE=' % drive)
    if board_id and board_id != label:
        other = UF2_CHIPS.get(board_id, (board_id,))[0]
        raise Failure('%s is the boot drive of an %s (Board-ID %s); %s '
                      'shows up as %s: plug in that board, or pass the BOARD= '
                      'of this one' % (drive, other, board_id, board['name'],
                                       label))


def other_drives(label):
    """Mounted UF2 boot drives of other chips, for the error message."""
    return ['%s (%s)' % (path, chip) for other, (chip, _, _) in
            sorted(UF2_CHIPS.items()) if other != label
            for path in [uf2_drive(other)] if path]


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
            if not args.plan:
                check_drive(board, drive)
            return [('copy', image, drive)]
        if not args.plan and not shutil.which('picotool'):
            others = other_drives(label)
            raise Failure('no %s drive mounted and no picotool: hold BOOTSEL '
                          'while plugging the board in, then run again (or '
                          'pass DRIVE=<mount point>)%s' % (label, (
                              '; found only ' + ', '.join(others) +
                              ', another chip') if others else ''))
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
    image = args.image or default_image(board)
    if board['flash']['method'] in ('uf2', 'esptool') and not args.plan:
        check_image(board, image)
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
