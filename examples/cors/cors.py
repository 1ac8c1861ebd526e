"""A JSON API that web pages from other origins may call (CORS).

  GET  /api/led     {"on": false}
  PUT  /api/led     body {"on": true}: switch the (pretend) LED

Only the origins given with --origin (default http://localhost:8000) get the
CORS headers, so only their pages can read the answers or send PUTs; they
may also send cookies (allow_credentials). Try it: serve a page that calls
fetch('http://<board>:5000/api/led') with `python -m http.server 8000`.

Run: python cors.py [--host HOST] [--port PORT] [--origin ORIGIN]...
(also under MicroPython)
"""
import errno
import sys

from microdot import Microdot
from microdot.cors import CORS

app = Microdot()
led = {'on': False}


@app.get('/api/led')
async def get_led(request):
    return led


@app.put('/api/led')
async def set_led(request):
    data = request.json
    if not isinstance(data, dict) or not isinstance(data.get('on'), bool):
        return {'error': 'send {"on": true} or {"on": false}'}, 400
    led['on'] = data['on']
    return led


def options(argv, host='0.0.0.0', port=5000):
    """--host, --port and --origin (repeatable) from the command line
    (MicroPython has no argparse)."""
    origins = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == '--host':
            host = args.pop(0)
        elif arg == '--port':
            port = int(args.pop(0))
        elif arg == '--origin':
            origins.append(args.pop(0))
    return host, port, origins or ['http://localhost:8000']


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
    host, port, origins = options(sys.argv[1:])
    CORS(app, allowed_origins=origins, allowed_methods=['GET', 'PUT'],
         allowed_headers=['Content-Type'], allow_credentials=True,
         max_age=600)
    serve(app, host, port)
