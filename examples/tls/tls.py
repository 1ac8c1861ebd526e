"""Serve over HTTPS.

CPython loads a PEM certificate and key; MicroPython needs them in DER:

  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
      -keyout key.pem -out cert.pem
  openssl x509 -in cert.pem -outform DER -out cert.der
  openssl rsa -in key.pem -outform DER -out key.der

Run: python tls.py [--host HOST] [--port PORT] [--cert FILE] [--key FILE]
(defaults: port 4443, cert.pem/key.pem on CPython, cert.der/key.der on
MicroPython)
"""
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


if __name__ == '__main__':
    opts = options(sys.argv[1:])
    sslctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sslctx.load_cert_chain(opts['--cert'], opts['--key'])
    app.run(host=opts['--host'], port=int(opts['--port']), debug=True,
            ssl=sslctx)
