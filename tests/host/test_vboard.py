"""The virtual board (tools/vboard) behaves like a board for mpremote."""
import os
import re
import subprocess
import sys
import time

import pytest

pytest.importorskip('mpremote')
from mpremote.transport_serial import SerialTransport  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import vboard  # noqa: E402

if not vboard.find_micropython():
    pytest.skip('the micropython unix runtime is not installed (make venv)',
                allow_module_level=True)


@pytest.fixture(scope='module')
def flash(tmp_path_factory):
    return tmp_path_factory.mktemp('flash')


@pytest.fixture(scope='module')
def port(flash):
    proc = subprocess.Popen([sys.executable,
                             os.path.join(ROOT, 'tools', 'vboard.py'),
                             '--heapsize', '120k', '--flash', str(flash)],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    line = proc.stdout.readline().decode()
    match = re.match(r'vboard: (\S+) \(heap 120k', line)
    assert match, line
    yield match.group(1)
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def board(port):
    transport = SerialTransport(port, timeout=1)
    yield transport
    transport.close()


def read_until(transport, ending, timeout=10):
    data = transport.read_until(1, ending, timeout=timeout)
    assert data.endswith(ending), data
    return data


def test_raw_repl_with_raw_paste(board):
    board.enter_raw_repl(soft_reset=False)
    assert board.exec('print(6 * 7)').strip() == b'42'
    assert board.use_raw_paste  # mpremote falls back when a board lacks it


def test_soft_reset_clears_the_vm(board):
    board.enter_raw_repl(soft_reset=True)
    board.exec('leftover = 1')
    board.enter_raw_repl(soft_reset=True)
    assert board.eval("'leftover' in globals()") is False


def test_ctrl_d_in_the_friendly_repl_soft_resets(board):
    board.enter_raw_repl(soft_reset=False)
    board.exit_raw_repl()
    read_until(board, b'>>> ')
    board.serial.write(b'x = 1\r')
    read_until(board, b'>>> ')
    board.serial.write(b'\x04')
    data = read_until(board, b'>>> ')
    assert b'MPY: soft reboot\r\n' in data
    assert b'\nMicroPython ' in data
    board.serial.write(b'x\r')
    assert b"NameError: name 'x'" in read_until(board, b'>>> ')


def test_board_sized_heap(board):
    board.enter_raw_repl(soft_reset=True)
    total = board.eval('__import__("gc").mem_free() + '
                       '__import__("gc").mem_alloc()')
    assert 100 * 1024 < total <= 130 * 1024


def test_flash_is_the_root_filesystem(board, flash):
    board.enter_raw_repl(soft_reset=True)
    board.exec("import os\ntry:\n os.mkdir('/lib')\nexcept OSError:\n pass")
    board.fs_writefile('/lib/onflash.py', b'VALUE = 5\n')
    assert (flash / 'lib' / 'onflash.py').read_bytes() == b'VALUE = 5\n'
    board.enter_raw_repl(soft_reset=True)
    assert board.eval('__import__("sys").path') == ['', '.frozen', '/lib']
    assert board.eval('__import__("onflash").VALUE') == 5


def test_mount_serves_a_host_folder(board, tmp_path):
    (tmp_path / 'onhost.py').write_text('VALUE = "from the host"\n')
    board.enter_raw_repl(soft_reset=True)
    board.mount_local(str(tmp_path))
    assert board.eval('__import__("os").getcwd()') == '/remote'
    assert board.eval('__import__("onhost").VALUE') == 'from the host'
    board.exec("with open('written.txt', 'w') as f:\n"
               " f.write('from the board')")
    assert (tmp_path / 'written.txt').read_text() == 'from the board'
    board.umount_local()


def test_ctrl_c_interrupts_running_code(board):
    board.enter_raw_repl(soft_reset=True)
    board.exec_raw_no_follow('while True:\n pass')
    time.sleep(0.3)
    board.serial.write(b'\x03')
    out, err = board.follow(timeout=5)
    assert b'KeyboardInterrupt' in err


def test_ctrl_c_is_data_while_interrupts_are_off(board):
    board.enter_raw_repl(soft_reset=True)
    board.exec_raw_no_follow(
        'import micropython, sys\nmicropython.kbd_intr(-1)\n'
        'print(sys.stdin.buffer.read(3))\nmicropython.kbd_intr(3)')
    time.sleep(0.3)
    board.serial.write(b'a\x03b')
    out, err = board.follow(timeout=5)
    assert (out.strip(), err) == (b"b'a\\x03b'", b'')


def test_a_crash_is_a_hard_reset(board):
    board.enter_raw_repl(soft_reset=True)
    board.exec_raw_no_follow("import os\nos.system('kill -KILL $PPID')")
    data = read_until(board, b'>>> ')
    assert b'soft reboot' not in data
    assert b'\nMicroPython ' in data
    board.enter_raw_repl(soft_reset=True)  # usable again
    assert board.eval('1 + 1') == 2
