"""A device web UI: the page, script and style sheet in static/ beside this
module, served by microdot.static (ETag/304, Range, gzip when a `.gz` copy
exists), and a small JSON API the page polls.

It runs unchanged from the host, from /lib or from a ROMFS bundle at /rom
(`make romfs APP=examples/webui`, see README): static/ is found next to this
module, wherever it was imported from.

Run: python webui.py [--host HOST] [--port PORT]   (also under MicroPython)
On a board, from /rom: import webui; webui.app.run()
"""
import errno
import gc
import sys

from microdot import Microdot
from microdot.static import Static

HERE = __file__.rsplit('/', 1)[0] if '/' in __file__ else '.'

app = Microdot()


@app.get('/api/status')
async def status(request):
    return {'platform': sys.platform,
            'free': gc.mem_free() if hasattr(gc, 'mem_free') else None}


# after the API: with url_prefix='' its routes catch every other path
Static(app, url_prefix='', root=HERE + '/static')


def options(argv, host='0.0.0.0', port=5000):
    """--host and --port from the command line (MicroPython has no
    argparse)."""
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == '--host':
            host = args.pop(0)
        elif arg == '--port':
            port = int(args.pop(0))
    return host, port


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
    host, port = options(sys.argv[1:])
    serve(app, host, port)
