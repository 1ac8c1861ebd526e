"""The routes of routes.py as an ASGI application.

Run from this folder: uvicorn asgi_app:app --port 5000
(or python asgi_app.py [--host HOST] [--port PORT] for the native server)
"""
import sys

from microdot.asgi import Microdot
from routes import create_app

app = create_app(Microdot)


def options(argv, host='0.0.0.0', port=5000):
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == '--host':
            host = args.pop(0)
        elif arg == '--port':
            port = int(args.pop(0))
    return host, port


if __name__ == '__main__':
    host, port = options(sys.argv[1:])
    app.run(host=host, port=port)
