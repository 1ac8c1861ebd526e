#!/usr/bin/env python3
"""Create the project's virtualenv (.venv) with every pinned requirement and
install the Debian packages the tests need (when run as root).

Usage: python3 tools/bootstrap.py [--venv DIR]
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQS = os.path.join(ROOT, 'requirements')


def requirement_files():
    return sorted(os.path.join(REQS, f) for f in os.listdir(REQS)
                  if f.endswith('.txt') and f != 'apt.txt')


def apt_packages():
    pkgs = []
    with open(os.path.join(REQS, 'apt.txt')) as f:
        for line in f:
            name = line.split('#', 1)[0].strip()
            if name:
                pkgs.append(name)
    return pkgs


def missing_debs(pkgs):
    missing = []
    for pkg in pkgs:
        res = subprocess.run(['dpkg-query', '-W', '-f=${Status}', pkg],
                             capture_output=True, text=True)
        if 'install ok installed' not in res.stdout:
            missing.append(pkg)
    return missing


def install_debs():
    if not shutil.which('dpkg-query'):
        return
    missing = missing_debs(apt_packages())
    if not missing:
        return
    if os.geteuid() != 0:
        print('bootstrap: missing Debian packages (tests needing them skip): '
              'sudo apt-get install ' + ' '.join(missing))
        return
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(['apt-get', 'update', '-qq'], env=env, check=False)
    res = subprocess.run(['apt-get', 'install', '-y', '-qq',
                          '--no-install-recommends'] + missing, env=env)
    if res.returncode:
        print('bootstrap: apt-get could not install: ' + ' '.join(missing))


def digest(files):
    h = hashlib.sha256()
    for path in files:
        with open(path, 'rb') as f:
            h.update(f.read())
    return h.hexdigest()


def install_upip(venv):
    """Packages pip cannot install (requirements/upip.lock)."""
    return subprocess.run([sys.executable, os.path.join(ROOT, 'tools',
                                                        'install_upip.py'),
                           venv]).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--venv', default=os.path.join(ROOT, '.venv'))
    parser.add_argument('--no-apt', action='store_true',
                        help='do not install Debian packages')
    args = parser.parse_args()
    if not args.no_apt:
        install_debs()
    files = requirement_files()
    stamp = os.path.join(args.venv, '.requirements-sha256')
    want = digest(files)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return install_upip(args.venv)
    python = os.path.join(args.venv, 'bin', 'python')
    if not os.path.exists(python):
        venv.create(args.venv, with_pip=True)
    cmd = [python, '-m', 'pip', 'install', '-q', '--disable-pip-version-check']
    for path in files:
        cmd += ['-r', path]
    cmd += ['-e', ROOT]
    if subprocess.run(cmd).returncode:
        print('bootstrap: pip install failed (see above)')
        return 1
    with open(stamp, 'w') as f:
        f.write(want)
    return install_upip(args.venv)


if __name__ == '__main__':
    sys.exit(main())
