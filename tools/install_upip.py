#!/usr/bin/env python3
"""Install the pure-Python packages pinned in requirements/upip.lock into a
virtualenv's site-packages.

Their PyPI sdists are in MicroPython's upip format (no setup.py), which pip
refuses. The sdist is found in PyPI's simple index (the one pip reads), its
sha256 is checked against the pin, and only its package folder is copied.

Usage: tools/install_upip.py [VENV]   (default: .venv)
"""
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCK = os.path.join(ROOT, 'requirements', 'upip.lock')


def index_url():
    """The simple index pip uses: PIP_INDEX_URL, pip's configuration, or
    pip's default."""
    url = os.environ.get('PIP_INDEX_URL')
    if not url:
        res = subprocess.run([sys.executable, '-m', 'pip', 'config', 'get',
                              'global.index-url'], capture_output=True,
                             text=True)
        url = res.stdout.strip() if res.returncode == 0 else ''
    if not url:
        from pip._internal.models.index import PyPI
        url = PyPI.simple_url
    return url.rstrip('/') + '/%s/'


def pins():
    with open(LOCK) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                spec, digest = line.split()
                name, version = spec.split('==')
                yield name, version, digest.split(':', 1)[1]


def site_packages(venv):
    python = os.path.join(venv, 'bin', 'python')
    return subprocess.run(
        [python, '-c', 'import sysconfig; print(sysconfig.get_paths()'
         '["purelib"])'], check=True, capture_output=True,
        text=True).stdout.strip()


def sdist_url(name, version, digest):
    with urllib.request.urlopen(index_url() % name, timeout=60) as res:
        page = res.read().decode()
    filename = '%s-%s.tar.gz' % (name, version)
    for url in re.findall(r'href="([^"]+)"', page):
        if url.split('#', 1)[0].endswith('/' + filename):
            return url.split('#', 1)[0]
    raise RuntimeError('%s not found in the index' % filename)


def install(name, version, digest, dest):
    marker = os.path.join(dest, '%s-%s.upip' % (name, version))
    if os.path.exists(marker):
        return
    with urllib.request.urlopen(sdist_url(name, version, digest),
                                timeout=60) as res:
        data = res.read()
    if hashlib.sha256(data).hexdigest() != digest:
        raise RuntimeError('%s %s: sha256 mismatch' % (name, version))
    prefix = '%s-%s/%s/' % (name, version, name)
    target = os.path.join(dest, name)
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(prefix):
                relative = member.name[len(prefix):]
                if '/' in relative or not relative.endswith('.py'):
                    continue
                with open(os.path.join(target, relative), 'wb') as out:
                    out.write(tar.extractfile(member).read())
    with open(marker, 'w') as f:
        f.write(digest + '\n')


def main(argv):
    venv = argv[0] if argv else os.path.join(ROOT, '.venv')
    dest = site_packages(venv)
    for name, version, digest in pins():
        try:
            install(name, version, digest, dest)
        except (OSError, RuntimeError) as exc:
            print('install_upip: %s==%s: %s' % (name, version, exc))
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
