"""Templates with utemplate (MicroPython and CPython): a page greets the
name given in the form, streamed as it is rendered.

Run from this folder: python utemplate_app.py [--host HOST] [--port PORT]
(or micropython utemplate_app.py, with the utemplate package on the path).
utemplate compiles templates/index.utemplate.html into
templates/index_utemplate_html.py on first use.
"""
import errno
import sys

from microdot import Microdot
from microdot.utemplate import Template, escape

app = Microdot()
Template.initialize(template_dir='templates')


@app.route('/', methods=['GET', 'POST'])
async def index(request):
    name = None
    if request.method == 'POST':
        # utemplate prints values as they are: escape what users typed
        name = escape(request.form.get('name', ''))
    return Template('index.utemplate.html').generate(name=name), \
        {'Content-Type': 'text/html; charset=UTF-8'}


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
