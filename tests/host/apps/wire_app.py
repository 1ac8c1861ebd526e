"""The app the wire-level server tests talk to, under CPython and
MicroPython: python wire_app.py --host H --port P [--debug]"""
import sys
import time

from microdot import Microdot, Request

app = Microdot()
app.request_timeout = 2
app.keep_alive_timeout = 2
app.io_timeout = 2
Request.max_content_length = 64 * 1024


@app.route('/')
async def index(request):
    return 'hello'


@app.route('/echo', methods=['POST'])
async def echo(request):
    if request.body:
        return request.body
    size = 0  # a large body is counted, never held in a board-sized heap
    while True:
        chunk = await request.stream.read(1024)
        if not chunk:
            break
        size += len(chunk)
    return 'streamed %d bytes' % size


@app.route('/read-all', methods=['POST'])
async def read_all(request):
    data = await request.stream.read()
    return 'read %d bytes' % len(data)


@app.route('/secret')
async def secret(request):
    return 'the secret'


@app.route('/info')
async def info(request):
    return {'version': request.http_version, 'scheme': request.scheme,
            'args': request.args, 'client': list(request.client_addr)}


@app.route('/stream')
async def stream(request):
    def numbers():
        for i in range(5):
            yield str(i) + '\n'
    return numbers()


@app.route('/huge')
async def huge(request):
    async def body():  # far more than the kernel's socket buffers hold
        chunk = b'x' * 4096
        for _ in range(8192):
            yield chunk
    return body()


@app.route('/big')
async def big(request):
    return 'x' * 20000


@app.route('/pattern/<int:count>')
async def pattern(request, count):
    async def body():  # an offset lost in a write would break the pattern
        chunk = bytes(range(250)) * 16
        for _ in range(count):
            yield chunk
    return body()


@app.route('/error')
async def error(request):
    return 1 / 0


@app.route('/sleep')
def sleep(request):
    time.sleep(0.5)
    return 'slept'


@app.route('/shutdown')
async def shutdown(request):
    request.app.shutdown()
    return 'bye ' * 100


if __name__ == '__main__':
    args = sys.argv[1:]
    host = args[args.index('--host') + 1]
    port = int(args[args.index('--port') + 1])
    app.run(host=host, port=port, debug='--debug' in args)
    print('server stopped')
