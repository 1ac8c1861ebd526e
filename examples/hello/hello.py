"""The smallest app: one route that says hello.

Run: python hello.py [--host HOST] [--port PORT]   (also under MicroPython)
"""
import errno
import sys

from microdot import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello, world!'


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
