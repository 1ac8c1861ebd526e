"""The four bench workloads as a Microdot app.

Ours and the upstream framework run this same file: which `microdot` is
imported depends only on the path the driver gives the process (PYTHONPATH
or MICROPYPATH). Runs on CPython and on MicroPython.

Usage: python microdot_app.py PORT [--measure WARMUP COUNT]
"""
import sys

from microdot import Microdot
from probe import probe_from_argv

probe = probe_from_argv()
app = Microdot()


@app.route('/')
async def index(request):
    if probe:
        probe.tick()
    return 'Hello, world!'


@app.route('/json')
async def json(request):
    if probe:
        probe.tick()
    return {'message': 'Hello, world!'}


@app.route('/echo', methods=['POST'])
async def echo(request):
    if probe:
        probe.tick()
    return request.body, 200, {'Content-Type': 'application/octet-stream'}


@app.route('/hello/<name>')
async def hello(request, name):
    if probe:
        probe.tick()
    return 'Hello, ' + name + '!'


app.run(host='127.0.0.1', port=int(sys.argv[1]))
