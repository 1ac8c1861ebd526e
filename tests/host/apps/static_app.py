"""microdot.static over real sockets, for tests/host/test_static_server.py,
under CPython and MicroPython:

    python static_app.py --host H --port P --root DIR
"""
import sys

from microdot import Microdot
from microdot.static import Static

app = Microdot()
app.request_timeout = 5
app.keep_alive_timeout = 5


@app.route('/')
async def index(request):
    return 'hello'


args = sys.argv[1:]
host = args[args.index('--host') + 1]
port = int(args[args.index('--port') + 1])
Static(app, root=args[args.index('--root') + 1], buffer_size=512)
app.run(host=host, port=port)
