"""The routes of routes.py as an ASGI application.

Run from this folder: uvicorn asgi_app:app --port 5000
(or python asgi_app.py [--host HOST] [--port PORT] for the native server)
"""
import sys

from microdot.asgi import Microdot
from routes import create_app, options, serve

app = create_app(Microdot)


if __name__ == '__main__':
    host, port = options(sys.argv[1:])
    serve(app, host, port)
