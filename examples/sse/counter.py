"""Server-Sent Events: the page shows a counter the server pushes every
second (swap the counter for a sensor reading on a board).

Run from this folder: python counter.py [--host HOST] [--port PORT]
[--interval SECONDS] (or under MicroPython: micropython counter.py), then
open http://HOST:PORT/
"""
import asyncio
import errno
import sys

from microdot import Microdot, send_file
from microdot.sse import with_sse

app = Microdot()
interval = 1.0


@app.route('/')
async def index(request):
    return send_file('index.html')


@app.route('/events')
@with_sse
async def events(request, sse):
    count = 0
    while True:  # ends (cancelled) when the client goes away
        count += 1
        await sse.send({'count': count}, event='counter')
        await asyncio.sleep(interval)


def options(argv, host='0.0.0.0', port=5000, interval=1.0):
    """--host, --port and --interval from the command line (MicroPython
    has no argparse)."""
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == '--host':
            host = args.pop(0)
        elif arg == '--port':
            port = int(args.pop(0))
        elif arg == '--interval':
            interval = float(args.pop(0))
    return host, port, interval


def serve(app, host, port, **kwargs):
    """app.run() that says where it serves; a port in use is one line."""
    print('serving on http://%s:%d/' % (host, port))
    try:
        app.run(host=host, port=port, **kwargs)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print('port %d is in use: stop what uses it, or pass --port N'
              % port, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    host, port, interval = options(sys.argv[1:])
    serve(app, host, port)
