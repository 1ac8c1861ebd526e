#!/usr/bin/env python3
"""Write SHA256SUMS and build-info.json beside firmware images.

  tools/buildinfo.py --board BOARD --mpy-dir DIR IMAGE...

build-info.json records what went into the images: our version and git
commit, the MicroPython version, tag and commit built (with the pinned tag
and whether the tree matches it) and submodule commits, the toolchain
versions, every frozen file with its SHA-256 (from evaluating the board's
manifest with MicroPython's own manifest code) and the image sizes.
The UTEMPLATE_DIR environment variable must be set as it was for the build.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

import facts
from firmware import (BOARDS_DIR, PORTS, ROOT, load_board, project_version,
                      sha256, tree_version)


def output(argv, cwd=None):
    """First line of a command's output, or None when it cannot run."""
    try:
        res = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    except OSError:
        return None
    lines = res.stdout.strip().splitlines()
    return lines[0].strip() if res.returncode == 0 and lines else None


def git_commit(path):
    """HEAD of the git checkout rooted at path (not of an enclosing one)."""
    if not os.path.exists(os.path.join(path, '.git')):
        return None
    return output(['git', 'rev-parse', 'HEAD'], cwd=path)


def submodule_commits(mpy_dir, submodules):
    if not os.path.exists(os.path.join(mpy_dir, '.git')):
        return {}
    res = subprocess.run(['git', 'submodule', 'status', '--'] + submodules,
                         cwd=mpy_dir, stdout=subprocess.PIPE, text=True)
    commits = {}
    for line in res.stdout.splitlines():
        # "<state><sha> <path> (<describe>)"; state '-' = not checked out
        if line[:1] != '-':
            commit, path = line[1:].split()[:2]
            commits[path] = commit
    return commits


def git_tag(path):
    """The tag at HEAD of the checkout rooted at path, or None."""
    if not os.path.exists(os.path.join(path, '.git')):
        return None
    return output(['git', 'describe', '--tags', '--exact-match', 'HEAD'],
                  cwd=path)


def micropython_info(mpy_dir, pinned, submodules):
    """What was built: the tree's version, its tag (None when HEAD is at
    no tag) and commit; `pinned` is the tag this project pins, and
    `matches_pin` is false when the tree is another version."""
    version = tree_version(mpy_dir)
    return {'version': version,
            'tag': git_tag(mpy_dir),
            'commit': git_commit(mpy_dir),
            'pinned': pinned,
            'matches_pin': 'v' + version == pinned,
            'submodules': submodule_commits(mpy_dir, submodules)}


def frozen_files(board, mpy_dir):
    sys.path.insert(0, os.path.join(mpy_dir, 'tools'))
    import manifestfile
    port_dir = os.path.join(mpy_dir, 'ports', board['port'])
    if board['port'] == 'unix':
        board_dir = os.path.join(port_dir, 'variants', board['variant'])
    else:
        board_dir = os.path.join(port_dir, 'boards', board['board'])
    manifest = manifestfile.ManifestFile(manifestfile.MODE_FREEZE, {
        'MPY_DIR': mpy_dir,
        'MPY_LIB_DIR': os.path.join(mpy_dir, 'lib', 'micropython-lib'),
        'PORT_DIR': port_dir,
        'BOARD_DIR': board_dir,
    })
    manifest.execute(os.path.join(BOARDS_DIR, board['name'], 'manifest.py'))
    roots = [('microdot', ROOT), ('micropython', mpy_dir),
             ('utemplate', os.environ['UTEMPLATE_DIR'])]
    files = []
    for entry in manifest.files():
        source = entry.full_path
        for label, root in roots:
            if source.startswith(os.path.abspath(root) + os.sep):
                source = '%s:%s' % (label, os.path.relpath(source, root))
                break
        files.append({'path': entry.target_path, 'source': source,
                      'sha256': sha256(entry.full_path)})
    return sorted(files, key=lambda f: f['path'])


def toolchain(board, mpy_dir, idf):
    versions = {'mpy-cross': output([os.path.join(
        mpy_dir, 'mpy-cross', 'build', 'mpy-cross'), '--version'])}
    if board['port'] == 'esp32':
        versions['esp-idf'] = idf or output(['idf.py', '--version'])
    for tool, _ in [('gcc', '')] + PORTS[board['port']]['tools']:
        versions[tool] = output([tool, '--version'])
    if board['port'] == 'rp2':
        versions['picotool'] = output(['picotool', 'version'])
    return versions


def build_info(args):
    board = load_board(args.board)
    mpy_dir = os.path.abspath(args.mpy_dir)
    return {
        'board': {'name': board['name'], 'port': board['port'],
                  'upstream_board': board['board'],
                  'variant': board['variant']},
        'microdot': {'version': project_version(),
                     'commit': git_commit(ROOT),
                     'modified': bool(output(
                         ['git', 'status', '--porcelain', '--', 'microdot',
                          'boards', 'manifests'], cwd=ROOT))},
        'micropython': micropython_info(mpy_dir, args.micropython_tag,
                                        board['submodules']),
        'toolchain': toolchain(board, mpy_dir, args.idf),
        # the ROMFS partition (rp2), or where devtest loads an image (qemu)
        'romfs': board.get('romfs'),
        'frozen': frozen_files(board, mpy_dir),
        'images': [{'file': os.path.basename(image),
                    'size': os.path.getsize(image),
                    'sha256': sha256(image)} for image in args.images],
        'built': datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%dT%H:%M:%SZ'),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--board', required=True,
                        help='a folder name in boards/')
    parser.add_argument('--mpy-dir', required=True,
                        help='the MicroPython tree the image was built from')
    parser.add_argument('--micropython-tag', default=facts.MICROPYTHON_TAG,
                        help='the MicroPython tag it should be')
    parser.add_argument('--idf', help='ESP-IDF description, when idf.py is '
                        'not on PATH (Docker builds)')
    parser.add_argument('images', nargs='+', help='the image files')
    args = parser.parse_args(argv)
    if 'UTEMPLATE_DIR' not in os.environ:
        parser.error('set UTEMPLATE_DIR as for the build')
    out_dir = os.path.dirname(os.path.abspath(args.images[0]))
    info = build_info(args)
    with open(os.path.join(out_dir, 'build-info.json'), 'w') as f:
        json.dump(info, f, indent=2)
        f.write('\n')
    with open(os.path.join(out_dir, 'SHA256SUMS'), 'w') as f:
        for image in info['images']:
            f.write('%s  %s\n' % (image['sha256'], image['file']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
