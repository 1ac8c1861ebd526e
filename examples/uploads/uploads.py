"""Upload files from a browser form and list the saved files.

The upload streams from the socket to the file in small chunks
(FormDataIter), so a file much bigger than the board's RAM can be sent.

  GET  /                  the form and the saved files
  POST /upload            multipart form with one or more "file" fields
  GET  /files/<name>      download a saved file

Run: python uploads.py [--host HOST] [--port PORT] [--dir DIR]
(also under MicroPython; files go to ./uploaded by default)
"""
import errno
import os
import sys

from microdot import Microdot, Request, redirect, send_file
from microdot.multipart import FileUpload, FormDataIter

# the default limit on a request body is 16 KB
Request.max_content_length = 16 * 1024 * 1024

app = Microdot()
upload_dir = 'uploaded'

PAGE = '''<!doctype html>
<html><head><meta charset="utf-8"><title>Uploads</title></head>
<body>
<h1>Upload a file</h1>
<form method="post" action="/upload" enctype="multipart/form-data">
  <input type="file" name="file" multiple required>
  <button type="submit">Upload</button>
</form>
<h2>Saved files</h2>
<ul>{files}</ul>
</body></html>
'''
NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ' \
    '0123456789._-'


def safe_name(filename):
    """A name to save an upload under: the client's name reduced to plain
    characters, never a path (``../x`` or ``.hidden`` give ``x``/``hidden``).
    """
    name = filename.replace('\\', '/').split('/')[-1]
    name = ''.join(c if c in NAME_CHARS else '_' for c in name)
    return name.lstrip('.')[-64:]


def remove(path):
    try:
        os.remove(path)
    except OSError:
        pass  # not there


def saved_files():
    files = []
    for name in sorted(os.listdir(upload_dir)):
        if not name.startswith('.'):
            files.append((name, os.stat(upload_dir + '/' + name)[6]))
    return files


@app.get('/')
async def index(request):
    rows = ''.join('<li><a href="/files/{0}">{0}</a> ({1} bytes)</li>'.format(
        name, size) for name, size in saved_files())
    return PAGE.format(files=rows), {'Content-Type': 'text/html; charset=UTF-8'}


@app.post('/upload')
async def upload(request):
    saved = []
    async for field, value in FormDataIter(request):
        if field != 'file' or not isinstance(value, FileUpload):
            continue
        name = safe_name(value.filename)
        if not name:
            continue
        # write under a hidden name first: a broken upload never replaces a
        # good file
        partial = upload_dir + '/.partial-' + name
        try:
            await value.save(partial)
        except BaseException:
            remove(partial)
            raise
        remove(upload_dir + '/' + name)  # os.rename does not replace
        os.rename(partial, upload_dir + '/' + name)
        saved.append(name)
    if 'application/json' in request.headers.get('Accept', ''):
        return {'saved': saved}
    return redirect('/', 303)


@app.get('/files/<name>')
async def download(request, name):
    if name != safe_name(name) or name not in [f[0] for f in saved_files()]:
        return 'Not found', 404
    return send_file(upload_dir + '/' + name,
                     content_type='application/octet-stream')


def options(argv, host='0.0.0.0', port=5000, directory='uploaded'):
    """--host, --port and --dir from the command line (MicroPython has no
    argparse)."""
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == '--host':
            host = args.pop(0)
        elif arg == '--port':
            port = int(args.pop(0))
        elif arg == '--dir':
            directory = args.pop(0)
    return host, port, directory


def make_upload_dir(directory):
    global upload_dir
    upload_dir = directory
    try:
        os.mkdir(directory)
    except OSError:
        pass  # already there


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
    host, port, directory = options(sys.argv[1:])
    make_upload_dir(directory)
    serve(app, host, port)
