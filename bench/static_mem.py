"""microdot.static figures on the MicroPython unix runtime (package as .mpy):

- a 1 MiB file downloaded DOWNLOADS times at `-X heapsize=200k` (on this
  64-bit runtime about an ESP32's 100 KB, see README) and at the issue's
  target, `-X heapsize=100k`, every byte checked; and the smallest heap
  serving 3 downloads in a row, found by going down from 200 KiB in 4 KiB
  steps to the first heap that does not (not by bisection: heap
  fragmentation makes success at a size no promise for the next one up);
- heap retained by `import microdot.static` after `import microdot`, and
  by its helper microdot._static_more, imported on first use;
- heap allocated per 1 MiB download (the probe's figures, see
  bench/apps/probe.py), microdot.static against the core's send_file;
- the bytes a repeat page load of examples/static moves: a browser's first
  visit (Accept-Encoding: gzip), then its revalidation with If-None-Match,
  against the example's own server, which has no validators; and the same
  for examples/webui as `make romfs` bundles it (gzip copies, manifest).

Usage (standalone): .venv/bin/python bench/static_mem.py
"""
import hashlib
import os
import shutil
import socket
import subprocess
import sys

from servers import MICROPYTHON, SCRATCH, Server, app, micropython_path

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT_DIR, 'examples', 'static')
PAGE = ['/static/index.html', '/static/style.css', '/static/app.js']
WEBUI = os.path.join(ROOT_DIR, 'examples', 'webui')
WEBUI_STAGE = os.path.join(ROOT_DIR, '.build', 'romfs', 'webui', 'static')
SIZE = 1 << 20
DOWNLOADS = 10
HEAP = '200k'
TARGET_HEAP = '100k'
WARMUP = 2
COUNT = 5
BROWSER = 'Accept-Encoding: gzip, deflate, br\r\n'


def request(port, path, headers=''):
    """(status, {header: value} lower-cased, body, bytes on the wire)."""
    with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
        s.sendall(('GET %s HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n'
                   '%s\r\n' % (path, headers)).encode())
        data = bytearray()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = bytes(data).partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    fields = dict((k.strip().lower(), v.strip()) for k, _, v in
                  (line.partition(':') for line in lines[1:]))
    return int(lines[0].split()[1]), fields, body, len(data)


def make_root():
    root = os.path.join(SCRATCH, 'static-root')
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(os.path.join(EXAMPLE, 'static'), root)
    data = bytes((i * 2654435761 >> 13) & 255 for i in range(SIZE))
    with open(os.path.join(root, 'big.bin'), 'wb') as f:
        f.write(data)
    return root, hashlib.sha256(data).hexdigest()


def server(root, path):
    return Server('static', 'MicroPython',
                  lambda p: [MICROPYTHON, app('static_app.py'), str(p), root],
                  {'MICROPYPATH': path})


def downloads_at(heapsize, root, digest, path, count=DOWNLOADS):
    srv = server(root, path)
    if not srv.start(heapsize=heapsize):
        return 0, srv.stop()
    good = 0
    try:
        for _ in range(count):
            try:
                status, _, body, _ = request(srv.port, '/static/big.bin')
            except OSError:
                continue
            good += status == 200 and hashlib.sha256(body).hexdigest() == digest
    finally:
        output = srv.stop()
    return good, output


def smallest_heap(root, digest, path, low=64, high=200):
    """Smallest heap in KiB such that it and every heap above it up to high
    (4 KiB steps) serve 3 downloads in a row; None if high does not."""
    smallest = None
    for kib in range(high, low - 1, -4):
        if downloads_at('%dk' % kib, root, digest, path, 3)[0] < 3:
            break
        smallest = kib
    return smallest


RETAINED = """
import gc
import microdot
gc.collect()
before = gc.mem_alloc()
import microdot.static
gc.collect()
static = gc.mem_alloc()
import microdot._static_more
gc.collect()
print('RETAINED', static - before, gc.mem_alloc() - static)
"""


def retained(path):
    """(heap retained by import microdot.static, by its helper)."""
    out = subprocess.run([MICROPYTHON, '-X', 'heapsize=2m', '-c', RETAINED],
                         env=dict(os.environ, MICROPYPATH=path),
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith('RETAINED '):
            return tuple(int(x) for x in line.split()[1:3])
    raise SystemExit('static_mem: no import figures:\n' + out[-2000:])


def allocated(root, path, url):
    """(gc.mem_alloc growth, mem_total growth) per request for url."""
    srv = server(root, path)
    if not srv.start(['--measure', str(WARMUP), str(COUNT)], heapsize='32m'):
        raise SystemExit('static_mem: server did not start:\n' + srv.stop())
    try:
        for _ in range(WARMUP + COUNT):
            request(srv.port, url)
    finally:
        output = srv.stop()
    for line in output.splitlines():
        if line.startswith('ALLOC '):
            return tuple(int(x) for x in line.split()[1:3])
    raise SystemExit('static_mem: no figures:\n' + output[-2000:])


def page_load(port, etags=None, page=PAGE, accept=BROWSER):
    """Bytes on the wire for the page's files; with etags, a revalidation."""
    total, tags = 0, {}
    for url in page:
        headers = accept
        if etags and url in etags:
            headers += 'If-None-Match: %s\r\n' % etags[url]
        status, fields, _, n = request(port, url, headers)
        total += n
        if 'etag' in fields:
            tags[url] = fields['etag']
    return total, tags


def repeat_load_figures(root, path):
    srv = server(root, path)
    if not srv.start():
        raise SystemExit('static_mem: server did not start:\n' + srv.stop())
    try:
        first, etags = page_load(srv.port)
        repeat, _ = page_load(srv.port, etags)
    finally:
        srv.stop()
    # the example finds its static/ folder from the working directory
    plain = Server('example', 'MicroPython', lambda p: [
        '/bin/sh', '-c', 'cd "$0" && exec "$1" static_server.py --host '
        '127.0.0.1 --port "$2"', EXAMPLE, MICROPYTHON, str(p)],
        {'MICROPYPATH': path})
    started = plain.start()
    example_repeat = None
    if started:
        try:
            page_load(plain.port)
            example_repeat, _ = page_load(plain.port)
        finally:
            plain.stop()
    return first, repeat, example_repeat


def webui_bundle_figures(path):
    """First and repeat page load of examples/webui as bundled."""
    subprocess.run([sys.executable, os.path.join(ROOT_DIR, 'tools', 'romfs.py'),
                    'build', WEBUI, '--out', os.path.join(SCRATCH, 'romfs')],
                   check=True, capture_output=True)
    srv = server(WEBUI_STAGE, path)
    if not srv.start():
        raise SystemExit('static_mem: server did not start:\n' + srv.stop())
    page = ['/static/' + name for name in ('index.html', 'style.css', 'app.js')]
    try:
        first, etags = page_load(srv.port, page=page)
        repeat, _ = page_load(srv.port, etags, page)
        identity, _ = page_load(srv.port, page=page, accept='')
    finally:
        srv.stop()
    raw = sum(os.path.getsize(os.path.join(WEBUI, 'static', p.rsplit('/', 1)[1]))
              for p in page)
    return raw, first, repeat, identity


def measure():
    root, digest = make_root()
    path = micropython_path('ours', compiled=True)
    good, output = downloads_at(HEAP, root, digest, path)
    target_good, target_output = downloads_at(TARGET_HEAP, root, digest, path)
    smallest = smallest_heap(root, digest, path)
    imports = retained(path)
    ours = allocated(root, path, '/static/big.bin')
    core = allocated(root, path, '/send_file/big.bin')
    first, repeat, example_repeat = repeat_load_figures(root, path)
    webui = webui_bundle_figures(path)
    return {'downloads_ok': good, 'downloads': DOWNLOADS,
            'target_downloads_ok': target_good,
            'smallest_heap_kib': smallest,
            'output': output if good < DOWNLOADS else '',
            'target_output': target_output if target_good < DOWNLOADS else '',
            'retained': imports,
            'alloc_static': ours, 'alloc_send_file': core,
            'first_load': first, 'repeat_load': repeat,
            'example_repeat_load': example_repeat, 'webui': webui}


def lines(m):
    out = ['## microdot.static (MicroPython unix runtime, .mpy)', '',
           '| figure | value |', '|---|---|',
           '| 1 MiB downloads at `-X heapsize=%s`, bytes checked | %d of %d |' % (
               HEAP, m['downloads_ok'], m['downloads']),
           '| 1 MiB downloads at `-X heapsize=%s` (the target), bytes checked '
           '| %d of %d |' % (TARGET_HEAP, m['target_downloads_ok'],
                             m['downloads']),
           '| smallest heap serving 3 downloads in a row, and every heap '
           'above it | %s KiB |' % (m['smallest_heap_kib'],),
           '| heap retained by `import microdot.static` | %d B |' % m['retained'][0],
           '| heap retained by its helper, imported on first use (Range, '
           'client dates, gzip, manifest) | %d B |' % m['retained'][1],
           '| heap allocated per 1 MiB download, microdot.static | %d B '
           '(mem_total %d B) |' % m['alloc_static'],
           '| heap allocated per 1 MiB download, core send_file | %d B '
           '(mem_total %d B) |' % m['alloc_send_file'],
           '| examples/static page (%s), first load | %d B on the wire |' % (
               ', '.join(p.rsplit('/', 1)[1] for p in PAGE), m['first_load']),
           '| same page, repeat load (If-None-Match -> 304) | %d B |' % m['repeat_load']]
    if m['example_repeat_load'] is not None:
        out.append('| same page, repeat load from the example\'s send_file '
                   'server (no validators) | %d B |' % m['example_repeat_load'])
    out.append('| examples/webui as bundled by make romfs (%d B of files): first '
               'load, gzip copies | %d B on the wire |' % m['webui'][:2])
    out.append('| same page, first load by a client without gzip | %d B |' % m['webui'][3])
    out.append('| same page, repeat load | %d B |' % m['webui'][2])
    for heap, output in ((HEAP, m['output']), (TARGET_HEAP, m['target_output'])):
        if output:
            out += ['', 'Server output at %s:' % heap, '', '```',
                    output[-1500:], '```']
    return out


if __name__ == '__main__':
    figures = measure()
    print('\n'.join(lines(figures)))
    sys.exit(0 if figures['downloads_ok'] == figures['downloads'] ==
             figures['target_downloads_ok'] else 1)
