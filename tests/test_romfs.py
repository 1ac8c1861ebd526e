# The webui example from a ROMFS bundle mounted at /rom (`make romfs
# APP=examples/webui`): `make test-device BOARD=QEMU_ARM` mounts it in the
# emulated board's memory, `make test-device BOARD=RPI_PICO_W EMULATOR=1`
# puts it in the emulated Pico's ROMFS partition,
# tests/host/test_romfs_bundle.py mounts it on the unix runtime. Elsewhere
# these tests skip.
import gc
import sys
import unittest

from microdot.test_client import TestClient
from support import TESTS_DIR, async_test

try:
    import os
    ROM_FILES = os.listdir('/rom')
except (ImportError, OSError):
    ROM_FILES = []
BUNDLE = 'webui.mpy' in ROM_FILES
STATIC = '/rom/static/'


def read(name):
    with open(STATIC + name, 'rb') as f:
        return f.read()


def manifest():
    etags = {}
    with open(STATIC + '.etags') as f:
        for line in f:
            path, size, digest = line.split()
            etags[path] = (int(size), '"%s"' % digest)
    return etags


def import_webui():
    """The webui module imported afresh, and the heap it retains."""
    sys.modules.pop('webui', None)
    gc.collect()
    before = gc.mem_alloc()
    import webui
    gc.collect()
    return webui, gc.mem_alloc() - before


async def get(path, **headers):
    import webui
    headers = dict((k.replace('_', '-'), v) for k, v in headers.items())
    return await TestClient(webui.app).get(path, headers=headers)


@unittest.skipUnless(BUNDLE, 'no ROMFS bundle mounted at /rom (make '
                     'test-device BOARD=QEMU_ARM or BOARD=RPI_PICO_W '
                     'EMULATOR=1 loads one)')
class FromRom(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if '/rom' not in sys.path:
            sys.path.insert(0, '/rom')

    def test_app_imported_from_rom(self):
        webui, retained = import_webui()
        self.assertTrue(webui.__file__.startswith('/rom/'), webui.__file__)
        self.assertEqual(webui.HERE, '/rom')
        print('romfs: import webui from /rom retains %d bytes' % retained)

    def test_heap_against_a_filesystem_copy(self):
        folder = TESTS_DIR + '/_tmp_romfs'
        try:
            os.mkdir(folder)
        except OSError:
            pass
        try:
            with open(folder + '/webui.mpy', 'wb') as f:
                f.write(open('/rom/webui.mpy', 'rb').read())
        except OSError:
            self.skipTest('no writable filesystem for the copy')
        _, from_rom = import_webui()
        sys.path.insert(0, folder)
        try:
            webui, from_fs = import_webui()
            self.assertTrue(webui.__file__.startswith(folder))
        finally:
            sys.path.remove(folder)
            sys.modules.pop('webui', None)
            os.remove(folder + '/webui.mpy')
            os.rmdir(folder)
        print('romfs: import webui retains %d bytes from /rom, %d from a '
              'filesystem' % (from_rom, from_fs))
        self.assertLess(from_rom, from_fs)

    @async_test
    async def test_gzip_and_etag_from_manifest(self):
        import_webui()
        etags = manifest()
        res = await get('/', Accept_Encoding='gzip, deflate')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, read('index.html.gz'))
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')
        self.assertEqual(res.headers['Vary'], 'Accept-Encoding')
        self.assertEqual(res.headers['ETag'], etags['index.html.gz'][1])
        self.assertNotIn('Last-Modified', res.headers)  # ROMFS has no times
        res = await get('/')
        self.assertEqual(res.body, read('index.html'))
        self.assertEqual(res.headers['ETag'], etags['index.html'][1])
        self.assertEqual(res.headers['Content-Type'],
                         'text/html; charset=UTF-8')

    @async_test
    async def test_not_modified(self):
        import_webui()
        etag = manifest()['style.css.gz'][1]
        res = await get('/style.css', Accept_Encoding='gzip',
                        If_None_Match=etag)
        self.assertEqual(res.status_code, 304)
        self.assertEqual(res.body, b'')

    @async_test
    async def test_range(self):
        import_webui()
        data = read('app.js')
        res = await get('/app.js', Range='bytes=100-299')
        self.assertEqual(res.status_code, 206)
        self.assertEqual(res.body, data[100:300])
        self.assertEqual(res.headers['Content-Range'],
                         'bytes 100-299/%d' % len(data))
        res = await get('/app.js', Range='bytes=-50')
        self.assertEqual(res.body, data[-50:])

    @async_test
    async def test_outside_root(self):
        import_webui()
        for path in ('/../webui.mpy', '/.etags', '/%2e%2e/webui.mpy'):
            res = await get(path)
            self.assertEqual(res.status_code, 404, path)
