"""The routes of routes.py as a WSGI application.

Run from this folder: gunicorn --workers 2 wsgi_app:app
or: waitress-serve --port=5000 wsgi_app:app
(or python wsgi_app.py [--host HOST] [--port PORT] for the native server)
"""
import sys

from microdot.wsgi import Microdot
from routes import create_app, options, serve

app = create_app(Microdot)


if __name__ == '__main__':
    host, port = options(sys.argv[1:])
    serve(app, host, port)
