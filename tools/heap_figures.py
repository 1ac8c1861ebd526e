#!/usr/bin/env python3
"""Free heap on a board: after boot, after `import microdot`, with the
examples/hello app defined, and with it serving (what firmware/README.md
reports).

  tools/heap_figures.py --rp2040 firmware/RPI_PICO_W/microdot-...uf2
  tools/heap_figures.py --qemu firmware/QEMU_ARM/microdot-...elf
  tools/heap_figures.py --vboard --micropython firmware/UNIX/microdot-...
  tools/heap_figures.py --port /dev/ttyACM0 [--install]

The board options are tools/devtest's (--install copies microdot to a board
without a frozen one first). Each figure is gc.mem_free() after a
gc.collect(), in one VM started by a soft reset; the app's source is sent
over the raw REPL and compiled on the board, as `mpremote run hello.py`
would.
"""
import os
import sys

import devtest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, 'examples', 'hello', 'hello.py')
FREE = 'gc.collect()\nprint(gc.mem_free())'
SERVE_CODE = '''\
import asyncio
try:
    import socket
except ImportError:
    socket = None
async def measure():
    task = asyncio.create_task(app.start_server(port=5000))
    await asyncio.sleep(1)
    gc.collect()
    free = gc.mem_free()
    app.shutdown()
    await task
    return free
if socket is None:
    print('no sockets')
else:
    print(asyncio.run(measure()))
'''


def app_source():
    """hello.py without its `if __name__ == '__main__':` part (the raw REPL
    runs code as __main__)."""
    with open(APP) as f:
        source = f.read()
    return source.split("\nif __name__ == '__main__':")[0] + '\n'


def measure(board):
    board.restart()
    figures = {'boot': int(board.exec('import gc\n' + FREE))}
    out = board.exec('import microdot\nprint(microdot.__file__)\n' + FREE)
    path, free = out.decode().split()
    figures['microdot'] = path
    figures['import'] = int(free)
    board.exec(app_source())
    figures['app'] = int(board.exec(FREE))
    serving = board.exec(SERVE_CODE).decode().strip()
    figures['serving'] = int(serving) if serving.isdigit() else serving
    return figures


def report(label, figures):
    def uses(key, base):
        value = figures[key]
        if not isinstance(value, int):
            return 'not measured (%s)' % value
        return '%d (uses %d)' % (value, figures[base] - value)

    print('%s: heap free after boot %d; after import microdot (%s) %s; '
          'with the hello app defined %s; serving %s' % (
              label, figures['boot'], figures['microdot'],
              uses('import', 'boot'), uses('app', 'import'),
              uses('serving', 'app')))


def main(argv=None):
    args = devtest.parse_args(argv)
    started = board = None
    try:
        started, board = devtest.open_board(args)
        devtest.ensure_microdot(board, args, print)
        report(args.label, measure(board))
    except devtest.BoardError as exc:
        print('%s: %s' % (args.label, exc))
        return devtest.EXIT_BOARD
    finally:
        if board:
            board.close()
        if started:
            started.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
