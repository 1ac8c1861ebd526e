"""Serve a folder of static files safely.

Paths that try to leave the folder are refused, and when the client accepts
gzip a precompressed `<file>.gz` beside the file is sent instead (boards
have little flash: store assets compressed once, serve them as they are).

Run: python static_server.py [--host HOST] [--port PORT]   (also under
MicroPython, from this folder)
"""
import errno
import os
import sys

from microdot import Microdot, send_file

app = Microdot()
ROOT = 'static'


def exists(path):
    try:
        return os.stat(path)[0] & 0x8000 != 0  # a regular file
    except OSError:
        return False


def safe_join(root, path):
    """root/path, or None when path could escape root."""
    parts = path.split('/')
    if not path or path[0] in '/\\' or '\\' in path or '..' in parts or \
            any(':' in p for p in parts):
        return None
    return root + '/' + path


@app.get('/')
async def index(request):
    return await static(request, 'index.html')


@app.get('/static/<path:path>')
async def static(request, path):
    filename = safe_join(ROOT, path)
    if filename is None or not exists(filename):
        return 'Not found', 404
    if 'gzip' in request.headers.get('Accept-Encoding', '') and \
            exists(filename + '.gz'):
        response = send_file(filename + '.gz', compressed=True, max_age=86400)
    else:
        response = send_file(filename, max_age=86400)
    response.headers['Vary'] = 'Accept-Encoding'
    return response


def options(argv, host='0.0.0.0', port=5000):
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
