"""32-bit heap figures from our QEMU_ARM image (qemu-system-arm, an
mps2-an385 Cortex-M3 board), ours next to upstream:

- the free heap after boot;
- the heap retained by `import microdot` (asyncio and json imported first):
  frozen (ours: the image's own copy), and from .mpy and from .py source,
  each mounted from the host with `mpremote mount` (a directory on the
  path ahead of the frozen modules); `MemoryError` when the board's heap
  cannot hold the import (for .py: the compiler's peak).

Every figure comes from a fresh boot. Needs an image
(`make firmware BOARD=QEMU_ARM MPY_DIR=...`; `make bench` builds it when
MPY_DIR is set) and qemu-system-arm; otherwise one line says what is
missing.

Usage (standalone): .venv-bench/bin/python bench/qemu_mem.py
"""
import glob
import os
import shutil
import subprocess
import sys

from servers import ROOT, SCRATCH, micropython_path

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import devtest  # noqa: E402  (boots the image, as make test-device does)

MPREMOTE = os.path.join(ROOT, '.venv', 'bin', 'mpremote')
PROBE = '''\
import gc
gc.collect()
print('BOOT', gc.mem_free())
import asyncio, json
gc.collect()
before = gc.mem_alloc()
try:
    import microdot
    gc.collect()
    print('RETAINED', gc.mem_alloc() - before)
except MemoryError:
    print('RETAINED MemoryError')
'''


def image():
    images = glob.glob(os.path.join(ROOT, 'firmware', 'QEMU_ARM',
                                    'microdot-*-QEMU_ARM-mp*.elf'))
    return images[0] if images else None


def missing():
    """Why the figures cannot be taken here, or None."""
    if not image():
        return ('no QEMU_ARM image: make firmware BOARD=QEMU_ARM '
                'MPY_DIR=<MicroPython source>')
    if not shutil.which('qemu-system-arm'):
        return 'qemu-system-arm is not installed (apt-get install qemu-system-arm)'
    return None


def probe(mount=None):
    """(free heap after boot, retained bytes or 'MemoryError') from a fresh
    boot, importing microdot from mount (a host directory) or frozen."""
    board = devtest.start_qemu(image())
    try:
        cmd = [MPREMOTE, 'connect', board.port]
        if mount:
            cmd += ['mount', mount]
        out = subprocess.run(cmd + ['exec', PROBE], capture_output=True,
                             text=True, timeout=300).stdout
    finally:
        board.stop()
    figures = dict(line.split(None, 1) for line in out.splitlines()
                   if line.startswith(('BOOT ', 'RETAINED ')))
    retained = figures.get('RETAINED', 'failed')
    return (int(figures['BOOT']) if 'BOOT' in figures else None,
            int(retained) if retained.isdigit() else retained)


def package_dir(framework, compiled):
    """A directory holding only framework's microdot package, as .py
    source or .mpy."""
    if framework == 'ours' and not compiled:
        dest = os.path.join(SCRATCH, 'ours-src')
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, 'microdot'),
                        os.path.join(dest, 'microdot'),
                        ignore=shutil.ignore_patterns('__pycache__'))
        return dest
    micropython_path(framework, compiled)  # builds it under SCRATCH
    return os.path.join(SCRATCH, framework + ('-mpy' if compiled else '-src'))


def measure():
    """{'boot_free': n, 'ours': {...}, 'upstream': {...}} or {'missing': why}."""
    why = missing()
    if why:
        return {'missing': why}
    boot, frozen = probe()
    results = {'boot_free': boot, 'ours': {'frozen': frozen},
               'upstream': {}}
    for framework in ('ours', 'upstream'):
        for compiled, label in ((True, 'mpy'), (False, 'py')):
            results[framework][label] = probe(
                package_dir(framework, compiled))[1]
    return results


def lines(results):
    out = ['## 32-bit figures: the QEMU_ARM image (Cortex-M3)', '']
    if 'missing' in results:
        return out + ['Not measured: %s.' % results['missing']]

    def cell(value):
        return '%d' % value if isinstance(value, int) else '**%s**' % value
    out += ['Free heap after boot: %s bytes. Heap retained by '
            '`import microdot` (bytes; asyncio and json imported first):'
            % cell(results['boot_free']), '',
            '| server | frozen | .mpy | .py source |', '|---|---:|---:|---:|']
    for name in ('ours', 'upstream'):
        r = results[name]
        out.append('| %s | %s | %s | %s |' % (
            name, cell(r['frozen']) if 'frozen' in r else '–',
            cell(r['mpy']), cell(r['py'])))
    return out


if __name__ == '__main__':
    print('\n'.join(lines(measure())))
