"""tools/heap_figures.py on the virtual board: the free-heap figures of
firmware/README.md."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
TOOL = os.path.join(ROOT, 'tools', 'heap_figures.py')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import heap_figures  # noqa: E402
import vboard  # noqa: E402


def test_the_app_is_sent_without_its_main_part():
    source = heap_figures.app_source()
    assert 'app = Microdot()' in source
    assert '__main__' not in source
    assert 'serve(app, host, port)' not in source


@pytest.mark.skipif(not vboard.find_micropython(),
                    reason='the micropython unix runtime is not installed '
                           '(make venv)')
def test_figures_of_the_virtual_board():
    pytest.importorskip('mpremote')
    out = subprocess.run([sys.executable, TOOL, '--vboard', '--install'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=120).stdout
    match = re.search(
        r'^vboard-200k: heap free after boot (\d+); after import microdot '
        r'\(/lib/microdot/__init__.mpy\) (\d+) \(uses (\d+)\); with the hello '
        r'app defined (\d+) \(uses (\d+)\); serving (\d+) \(uses (\d+)\)$',
        out, re.M)
    assert match, out
    boot, imported, uses, app, app_uses, serving, serving_uses = (
        int(x) for x in match.groups())
    assert boot - imported == uses > 0
    assert imported - app == app_uses > 0
    assert app - serving == serving_uses > 0


def test_a_board_without_microdot_is_one_line():
    if not vboard.find_micropython():
        pytest.skip('the micropython unix runtime is not installed')
    pytest.importorskip('mpremote')
    proc = subprocess.run([sys.executable, TOOL, '--vboard'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout.splitlines()[-1] == (
        'vboard-200k: no microdot on the board: flash a firmware with it '
        'frozen, or run again with --install')
