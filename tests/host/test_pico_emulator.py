"""tools/pico_emulator.py and `make test-device BOARD=RPI_PICO_W EMULATOR=1`:
the boot ROM, the skip lines, the pty bridge, and (with Node, rp2040js, the
boot ROM and a built RPI_PICO_W image) the suite on the emulated Pico."""
import glob
import hashlib
import http.server
import json
import os
import shutil
import struct
import subprocess
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
TOOL = os.path.join(ROOT, 'tools', 'pico_emulator.py')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import facts  # noqa: E402
import pico_emulator  # noqa: E402

WORDS = [(i * 0x01010101 + 0x20041f00) & 0xffffffff for i in range(4096)]


def bootrom_ts(words=WORDS):
    lines = ['// RP2040 bootrom binary', '',
             'export const bootromB1 = new Uint32Array([']
    for at in range(0, len(words), 8):
        lines.append('  ' + ', '.join('0x%08x' % w for w in words[at:at + 8])
                     + ',')
    lines.append(']);')
    return '\n'.join(lines) + '\n'


def tool_args(tmp_path, *extra):
    return pico_emulator.parse_args(['prepare', '--cache',
                                     str(tmp_path / 'cache')] + list(extra))


# ---- the boot ROM ----

def test_bootrom_ts_becomes_the_16_kb_little_endian_binary():
    data = pico_emulator.bootrom_from_ts(bootrom_ts())
    assert len(data) == 16384
    assert data[:8] == struct.pack('<2I', WORDS[0], WORDS[1])
    assert data[-4:] == struct.pack('<I', WORDS[-1])


def test_a_bootrom_ts_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match='4095 words, not 4096'):
        pico_emulator.bootrom_from_ts(bootrom_ts(WORDS[:-1]))


def test_a_given_bootrom_is_read_as_ts_or_binary_and_cached(tmp_path):
    ts = tmp_path / 'bootrom.ts'
    ts.write_text(bootrom_ts())
    path = pico_emulator.bootrom_path(tool_args(tmp_path, '--bootrom',
                                                str(ts)))
    with open(path, 'rb') as f:
        binary = f.read()
    assert binary == pico_emulator.bootrom_from_ts(bootrom_ts())
    raw = tmp_path / 'bootrom.bin'
    raw.write_bytes(binary[::-1])
    path = pico_emulator.bootrom_path(tool_args(tmp_path, '--bootrom',
                                                str(raw)))
    with open(path, 'rb') as f:
        assert f.read() == binary[::-1]


def test_a_file_that_is_no_bootrom_is_refused_with_one_line(tmp_path):
    other = tmp_path / 'notes.txt'
    other.write_text('hello')
    out = subprocess.run([sys.executable, TOOL, 'prepare', '--cache',
                          str(tmp_path), '--bootrom', str(other)],
                         stdout=subprocess.PIPE, text=True)
    assert out.returncode == 2
    assert out.stdout.count('\n') == 1
    assert 'neither a 16 KB RP2040 boot ROM nor' in out.stdout


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on 127.0.0.1."""
    folder = tmp_path / 'www'
    folder.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, 'http://127.0.0.1:%d/' % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_bootrom_is_downloaded_once_when_its_sha256_matches(tmp_path,
                                                                served):
    folder, url = served
    (folder / 'bootrom.ts').write_text(bootrom_ts())
    sha = hashlib.sha256(bootrom_ts().encode()).hexdigest()
    args = tool_args(tmp_path, '--bootrom-url', url + 'bootrom.ts',
                     '--bootrom-sha256', sha)
    path = pico_emulator.bootrom_path(args)
    (folder / 'bootrom.ts').unlink()  # the cached copy serves from now on
    assert pico_emulator.bootrom_path(args) == path
    with open(path, 'rb') as f:
        assert f.read() == pico_emulator.bootrom_from_ts(bootrom_ts())


def test_a_downloaded_bootrom_of_another_sha256_is_refused(tmp_path, served):
    folder, url = served
    (folder / 'bootrom.ts').write_text(bootrom_ts())
    args = tool_args(tmp_path, '--bootrom-url', url + 'bootrom.ts',
                     '--bootrom-sha256', '0' * 64)
    with pytest.raises(pico_emulator.Unavailable, match='pinned SHA-256'):
        pico_emulator.bootrom_path(args)
    assert not (tmp_path / 'cache' / pico_emulator.BOOTROM_NAME).exists()


def test_no_bootrom_reachable_says_what_to_pass(tmp_path):
    args = tool_args(tmp_path, '--bootrom-url', 'http://127.0.0.1:9/x.ts',
                     '--bootrom-sha256', '0' * 64)
    with pytest.raises(pico_emulator.Unavailable,
                       match=r'cannot download .*pass BOOTROM='):
        pico_emulator.bootrom_path(args)


def test_without_node_the_emulator_is_unavailable(monkeypatch):
    monkeypatch.setattr(pico_emulator.shutil, 'which', lambda name: None)
    with pytest.raises(pico_emulator.Unavailable,
                       match='Node.js is not installed'):
        pico_emulator.ensure_rp2040js()


def test_a_romfs_image_needs_its_file_and_address(tmp_path):
    image = tmp_path / 'fw.uf2'
    image.write_bytes(b'')
    for romfs, address in ((str(tmp_path / 'missing.romfs'), '0x1010c000'),
                           (str(image), None)):
        args = pico_emulator.parse_args(['serve', str(image), '--romfs',
                                         romfs] + (['--romfs-address', address]
                                                   if address else []))
        with pytest.raises(pico_emulator.BadInput, match='--romfs needs'):
            pico_emulator.serve(args)


def test_the_romfs_address_is_the_pico_w_partition():
    # the rp2 port puts ROMFS right below the filesystem: 2 MB of flash,
    # 848 KB of filesystem on RPI_PICO_W (picotool info -a shows the same)
    with open(os.path.join(ROOT, 'boards', 'RPI_PICO_W', 'board.json')) as f:
        romfs = json.load(f)['romfs']
    assert int(romfs['address'], 0) == \
        0x10000000 + 2048 * 1024 - 848 * 1024 - romfs['bytes']


# ---- the make target's skip lines ----

def make_test_device(*variables):
    proc = subprocess.run(['make', '--no-print-directory', 'test-device',
                           'BOARD=RPI_PICO_W', 'EMULATOR=1'] + list(variables),
                          cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)
    return proc.returncode, proc.stdout


needs_make = pytest.mark.skipif(not shutil.which('make'),
                                reason='make is not installed')


@needs_make
def test_without_an_image_nor_mpy_dir_the_target_skips_with_one_line(
        tmp_path):
    code, out = make_test_device('FIRMWARE_DIR=' + str(tmp_path))
    assert code == 0, out
    assert out.splitlines() == [
        'test-device: skipped: no RPI_PICO_W image to emulate '
        '(MPY_DIR=<micropython %s tree> builds one)' % facts.MICROPYTHON_TAG]


@needs_make
def test_without_a_bootrom_the_target_skips_with_one_line(tmp_path):
    image_dir = tmp_path / 'firmware' / 'RPI_PICO_W'
    image_dir.mkdir(parents=True)
    (image_dir / ('microdot-0-RPI_PICO_W-mp%s.uf2'
                  % facts.MICROPYTHON_VERSION)).write_bytes(b'')
    code, out = make_test_device(
        'FIRMWARE_DIR=' + str(tmp_path / 'firmware'),
        'MPY_CACHE=' + str(tmp_path / 'cache'),
        'RP2040_BOOTROM_URL=http://127.0.0.1:9/bootrom.ts')
    assert code == 0, out
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith('test-device: skipped: '), \
        out  # no boot ROM, or no Node/npm/rp2040js before that


@needs_make
def test_the_rp2350_has_no_emulator(tmp_path):
    proc = subprocess.run(['make', '--no-print-directory', 'test-device',
                           'BOARD=RPI_PICO2_W', 'EMULATOR=1'], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)
    assert proc.returncode == 2
    assert 'rp2040js has no RP2350 (RPI_PICO2_W)' in proc.stdout


# ---- the pty bridge ----

FAKE_EMULATOR = r'''
import os, sys
sys.stderr.write('starting\nrp2040js: usb connected\n')
sys.stderr.flush()
while True:
    data = os.read(0, 65536)
    if not data or data == b'quit':
        break
    os.write(1, bytes(b ^ 0xff for b in data))
'''


@pytest.fixture
def bridge(tmp_path):
    script = tmp_path / 'fake_emulator.py'
    script.write_text(FAKE_EMULATOR)
    bridge = pico_emulator.Bridge([sys.executable, str(script)],
                                  pico_emulator.CONNECTED, timeout=20)
    thread = threading.Thread(target=bridge.serve, daemon=True)
    thread.start()
    yield bridge, thread
    bridge.close()


def test_the_pty_passes_every_byte_both_ways(bridge):
    serial = pytest.importorskip('serial')
    bridge, _ = bridge
    sent = bytes(range(256)) * 256  # control bytes, \r\n, 64 KB at once
    with serial.Serial(bridge.port, timeout=10) as port:
        port.write(sent)
        got = port.read(len(sent))
    assert got == bytes(b ^ 0xff for b in sent)


def test_the_bridge_ends_when_the_emulator_ends(bridge):
    serial = pytest.importorskip('serial')
    bridge, thread = bridge
    with serial.Serial(bridge.port, timeout=10) as port:
        port.write(b'quit')
        thread.join(10)
    assert not thread.is_alive()


def test_an_emulator_that_exits_while_starting_is_reported(tmp_path):
    script = tmp_path / 'broken.py'
    script.write_text('import sys\nsys.exit("no such image")\n')
    with pytest.raises(pico_emulator.Unavailable,
                       match='exited while starting: no such image'):
        pico_emulator.Bridge([sys.executable, str(script)],
                             pico_emulator.CONNECTED, timeout=20)


def test_serve_without_an_image_says_how_to_build_one(tmp_path):
    out = subprocess.run([sys.executable, TOOL, 'serve',
                          str(tmp_path / 'none.uf2')],
                         stdout=subprocess.PIPE, text=True)
    assert out.returncode == 2
    assert out.stdout.startswith('pico-emulator: no firmware image at ')
    assert 'make firmware BOARD=RPI_PICO_W' in out.stdout


# ---- the emulated Pico itself ----

def emulator_missing():
    """Why the emulated Pico cannot run here, or None."""
    if not shutil.which('node'):
        return 'Node.js is not installed'
    if pico_emulator.installed_rp2040js() != pico_emulator.pinned_rp2040js():
        return 'rp2040js is not installed in tools/rp2040 (make test-device ' \
               'BOARD=RPI_PICO_W EMULATOR=1 installs it)'
    if not os.path.isfile(os.path.join(ROOT, '.cache',
                                       pico_emulator.BOOTROM_NAME)):
        return 'no RP2040 boot ROM in .cache (make test-device ' \
               'BOARD=RPI_PICO_W EMULATOR=1 gets it)'
    if not glob.glob(os.path.join(ROOT, 'firmware', 'RPI_PICO_W', '*.uf2')):
        return 'no RPI_PICO_W image (make firmware BOARD=RPI_PICO_W MPY_DIR=...)'
    return None


@pytest.mark.skipif(emulator_missing() is not None,
                    reason=str(emulator_missing()))
def test_devtest_runs_a_module_on_the_emulated_pico(tmp_path):
    pytest.importorskip('mpremote')
    image = max(glob.glob(os.path.join(ROOT, 'firmware', 'RPI_PICO_W',
                                       '*.uf2')), key=os.path.getmtime)
    junit = tmp_path / 'junit.xml'
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'tools',
                                                        'devtest.py'),
                           '--rp2040', image, '--junit', str(junit),
                           'test_core_urlpattern'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    assert 'Raspberry Pi Pico W with RP2040' in proc.stdout
    assert 'frozen (microdot/__init__.py)' in proc.stdout
    assert 'rp2040js test_core_urlpattern' in proc.stdout
    assert junit.exists()


def test_devtest_names_the_emulated_board_rp2040js():
    import devtest
    args = devtest.parse_args(['--rp2040', 'image.uf2'])
    assert (args.rp2040, args.label) == ('image.uf2', 'rp2040js')
    with pytest.raises(SystemExit):
        devtest.parse_args(['--rp2040', 'image.uf2', '--vboard'])
