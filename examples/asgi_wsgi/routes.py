"""One app for every server: routes added to any Microdot class, so the
same code runs on the native server, under an ASGI server (asgi_app.py)
and under a WSGI server (wsgi_app.py)."""
import asyncio
import errno
import os
import sys

from microdot.sse import with_sse
from microdot.websocket import with_websocket


def create_app(Microdot):
    app = Microdot()

    @app.route('/')
    async def index(request):
        return 'Hello from {}!'.format(type(app).__module__)

    @app.route('/visits')
    async def visits(request):
        """A counter kept in a cookie."""
        count = int(request.cookies.get('visits', '0')) + 1
        res = 'visit number {}'.format(count)
        return res, {'Set-Cookie': 'visits={}; Path=/'.format(count)}

    @app.route('/stream')
    async def stream(request):
        """A body sent in pieces as it is produced."""
        return (('line {}\n'.format(i)) for i in range(5))

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        for i in range(3):
            await sse.send({'tick': i})
            await asyncio.sleep(0.1)

    @app.route('/ws')
    @with_websocket
    async def echo(request, ws):
        while True:
            await ws.send(await ws.receive())

    @app.route('/pid')
    async def pid(request):
        """Which worker process answered."""
        return str(os.getpid())

    @app.route('/shutdown')
    async def shutdown(request):
        """Under gunicorn/uvicorn this ends only the worker that served
        it (SIGTERM to its own process)."""
        request.app.shutdown()
        return 'bye'

    return app


def options(argv, host='0.0.0.0', port=5000):
    """--host and --port from the command line."""
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
