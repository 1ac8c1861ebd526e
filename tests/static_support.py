# Helpers shared by the microdot.static test modules (split in two so
# that each fits a board-sized heap); portable to MicroPython.
from microdot import Microdot
from microdot.static import Static
from microdot.test_client import TestClient
from support import FILES_DIR

ASSETS = FILES_DIR + '/assets'

try:
    import deflate  # noqa: F401
    HAS_GUNZIP = True
except ImportError:
    try:
        import gzip  # noqa: F401
        HAS_GUNZIP = True
    except ImportError:
        HAS_GUNZIP = False


def read(name):
    with open(ASSETS + '/' + name, 'rb') as f:
        return f.read()


def make_app(root=ASSETS, **options):
    app = Microdot()
    Static(app, root=root, **options)

    @app.get('/other')
    def other(request):
        return 'other'

    return app


async def get(app, path, method='GET', **headers):
    headers = dict((k.replace('_', '-'), v) for k, v in headers.items())
    return await TestClient(app).request(method, path, headers=headers)
