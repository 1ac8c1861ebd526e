"""An app that runs out of memory on purpose, at each stage of serving a
connection, under CPython and MicroPython:
python oom_app.py --host H --port P"""
import sys

from microdot import Microdot, Request, Response
from microdot import microdot as core

app = Microdot()
app.request_timeout = 2
app.keep_alive_timeout = 2


def flaky(f):
    """f, raising MemoryError every third call, as a full heap would."""
    calls = [0]

    def call(*args, **kwargs):
        calls[0] += 1
        if calls[0] % 3 == 0:
            raise MemoryError('injected')
        return f(*args, **kwargs)
    return call


if hasattr(core, '_Listener'):  # MicroPython: our own accept loop
    core._Listener.accept = flaky(core._Listener.accept)

_create = Request.create


async def create(app, reader, writer, addr, scheme=None):
    req = await _create(app, reader, writer, addr, scheme)
    if req is not None and req.path == '/oom-read':
        raise MemoryError('injected')
    return req

Request.create = create


class FailingResponse(Response):
    async def write(self, *args, **kwargs):
        raise MemoryError('injected')


@app.route('/')
async def index(request):
    return 'hello'


@app.route('/oom-read')
async def never(request):
    return 'not reached'


@app.route('/oom-dispatch')
async def dispatch(request):
    raise MemoryError('injected')


@app.route('/oom-write')
async def write(request):
    return FailingResponse('not sent')


@app.route('/oom-stream')
async def stream(request):
    async def body():
        yield 'partial'
        raise MemoryError('injected')
    return body()


if __name__ == '__main__':
    args = sys.argv[1:]
    app.run(host=args[args.index('--host') + 1],
            port=int(args[args.index('--port') + 1]))
    print('server stopped')
