"""microdot.static serving a folder, for bench/static_mem.py, and the core's
send_file on /send_file/<name> for comparison. Runs on CPython and
MicroPython.

Usage: python static_app.py PORT ROOT [--measure WARMUP COUNT]
"""
import sys

from microdot import Microdot, send_file
from microdot.static import Static
from probe import probe_from_argv

probe = probe_from_argv()
app = Microdot()
root = sys.argv[2]


@app.before_request
def tick(request):
    if probe:
        probe.tick()


@app.get('/send_file/<name>')
async def core_send_file(request, name):
    return send_file(root + '/' + name)


Static(app, root=root)
app.run(host='127.0.0.1', port=int(sys.argv[1]))
