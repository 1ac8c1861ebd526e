"""The four bench workloads on a bare asyncio-streams server: the baseline.

Runs unchanged on CPython and on MicroPython. Minimal but fair: HTTP/1.1
keep-alive unless the client sends `Connection: close` (or speaks HTTP/1.0),
Content-Length on every response, request bodies read by Content-Length.

Usage: python bare_app.py PORT [--measure WARMUP COUNT]
"""
import asyncio
import json
import sys

from probe import probe_from_argv

probe = probe_from_argv()
TEXT = b'text/plain; charset=UTF-8'
JSON = b'application/json'
OCTETS = b'application/octet-stream'


def route(method, path, body):
    """(status line, content type, body) for one request."""
    if method == b'GET' and path == b'/':
        return b'200 OK', TEXT, b'Hello, world!'
    if method == b'GET' and path == b'/json':
        return b'200 OK', JSON, json.dumps({'message': 'Hello, world!'}).encode()
    if method == b'POST' and path == b'/echo':
        return b'200 OK', OCTETS, body
    if method == b'GET' and path.startswith(b'/hello/'):
        return b'200 OK', TEXT, b'Hello, ' + path[7:] + b'!'
    return b'404 Not Found', TEXT, b'Not found'


async def serve_client(reader, writer):
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                break
            method, path, version = request_line.split()
            keep_alive = version == b'HTTP/1.1'
            length = 0
            while True:
                line = await reader.readline()
                if line in (b'\r\n', b''):
                    break
                name, value = line.split(b':', 1)
                name = name.lower()
                if name == b'content-length':
                    length = int(value)
                elif name == b'connection' and value.strip().lower() == b'close':
                    keep_alive = False
            body = await reader.readexactly(length) if length else b''
            if probe:
                probe.tick()
            status, content_type, payload = route(method, path, body)
            writer.write(b'HTTP/1.1 ' + status + b'\r\nContent-Type: ' + content_type
                         + b'\r\nContent-Length: ' + str(len(payload)).encode()
                         + (b'\r\n\r\n' if keep_alive else b'\r\nConnection: close\r\n\r\n')
                         + payload)
            await writer.drain()
            if not keep_alive:
                break
    except (OSError, ValueError, EOFError):
        pass  # client went away or sent garbage: drop the connection
    try:
        writer.close()
        await writer.wait_closed()
    except OSError:
        pass


async def main(port):
    server = await asyncio.start_server(serve_client, '127.0.0.1', port, backlog=64)
    if hasattr(server, 'serve_forever'):  # CPython
        await server.serve_forever()
    else:  # MicroPython
        await server.wait_closed()


asyncio.run(main(int(sys.argv[1])))
