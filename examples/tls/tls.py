"""Serve over HTTPS.

It needs a certificate and its key. For a test on your own machine, make a
self-signed one (browsers warn about it; curl needs -k) in this folder:

  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
      -keyout key.pem -out cert.pem

CPython loads PEM files; MicroPython needs them in DER:

  openssl x509 -in cert.pem -outform DER -out cert.der
  openssl rsa -in key.pem -outform DER -out key.der

Run: python tls.py [--host HOST] [--port PORT] [--cert FILE] [--key FILE]
(defaults: port 4443, cert.pem/key.pem on CPython, cert.der/key.der on
MicroPython)
"""
import errno
import ssl
import sys

from microdot import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello over {}!'.format(request.scheme)


def options(argv):
    micropython = sys.implementation.name == 'micropython'
    ext = '.der' if micropython else '.pem'
    opts = {'--host': '0.0.0.0', '--port': '4443', '--cert': 'cert' + ext,
            '--key': 'key' + ext}
    args = list(argv)
    while args:
        name = args.pop(0)
        if name in opts:
            opts[name] = args.pop(0)
    return opts


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def context(cert, key):
    """The server's TLS context; a missing file is one line."""
    for path in (cert, key):
        try:
            open(path).close()
        except OSError:
            fail('no %s: make a certificate and key as the top of tls.py '
                 'shows, or pass --cert FILE --key FILE' % path)
    sslctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sslctx.load_cert_chain(cert, key)
    return sslctx


if __name__ == '__main__':
    opts = options(sys.argv[1:])
    host, port = opts['--host'], int(opts['--port'])
    sslctx = context(opts['--cert'], opts['--key'])
    print('serving on https://%s:%d/' % (host, port))
    try:
        app.run(host=host, port=port, ssl=sslctx)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        fail('port %d is in use: stop what uses it, or pass --port N' % port)
