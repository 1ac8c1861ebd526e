"""The type stubs shipped in microdot/*.pyi: mypy's stubtest compares them
with the modules, and a typed example app passes `mypy --strict`."""
import ast
import glob
import os
import subprocess
import sys

import pytest

pytest.importorskip('mypy', reason='mypy (requirements/typing.txt) missing')

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HOST = os.path.join(ROOT, 'tests', 'host')
STUBS = sorted(glob.glob(os.path.join(ROOT, 'microdot', '*.pyi')))
EXAMPLE = os.path.join(HOST, 'typing_example.py')
ALLOWLIST = os.path.join(HOST, 'stubtest_allowlist.txt')


def _mypy(args, cwd):
    # Run outside the checkout, finding the package through MYPYPATH: in
    # the checkout mypy would also see microdot/microdot.pyi as a top-level
    # module next to the package. The cache goes to the temporary folder.
    env = dict(os.environ, MYPYPATH=ROOT)
    proc = subprocess.run([sys.executable, '-m'] + args, cwd=str(cwd),
                          env=env, capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def test_every_public_module_has_a_stub():
    modules = {os.path.splitext(os.path.basename(p))[0]
               for p in glob.glob(os.path.join(ROOT, 'microdot', '*.py'))}
    stubbed = {os.path.splitext(os.path.basename(p))[0] for p in STUBS}
    assert {m for m in modules if not m.startswith('_') or
            m == '__init__'} - stubbed == set()


def test_stubs_use_python_3_8_syntax():
    for stub in STUBS:
        with open(stub) as f:
            ast.parse(f.read(), stub, feature_version=(3, 8))


def test_stubtest(tmp_path):
    # The package name covers every submodule (a public one without a stub
    # is an error); naming submodules as well confuses stubtest.
    code, out = _mypy(['mypy.stubtest', '--allowlist', ALLOWLIST,
                       'microdot'], tmp_path)
    assert code == 0, out


def test_example_app_passes_mypy_strict(tmp_path):
    code, out = _mypy(['mypy', '--strict', '--no-error-summary',
                       '--cache-dir', str(tmp_path / 'cache'), EXAMPLE],
                      tmp_path)
    assert code == 0, out


def test_example_app_runs():
    proc = subprocess.run([sys.executable, EXAMPLE], cwd=HOST,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == 'ok', \
        proc.stdout + proc.stderr
