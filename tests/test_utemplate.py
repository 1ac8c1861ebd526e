import os
import sys
import unittest

from microdot import Microdot
from microdot.test_client import TestClient
from support import async_test, TESTS_DIR, HAS_FILESYSTEM

try:
    from microdot.utemplate import Template, escape
except ImportError:  # utemplate is copied from .venv by tools/mpytest.py
    Template = None

# utemplate compiles each template into a module written next to it and
# imported from the current directory: the fixtures are copied to a
# git-ignored folder, used from the tests folder, then removed.
WORK_DIR = '_tmp_utemplate'
FIXTURES = ('hello.utemplate.txt', 'list.utemplate.html')


def _remove_tree(path):
    for name in os.listdir(path):
        child = path + '/' + name
        try:
            os.remove(child)
        except OSError:  # a folder (CPython's __pycache__)
            _remove_tree(child)
    os.rmdir(path)


@unittest.skipUnless(Template and HAS_FILESYSTEM,
                     'needs the utemplate package and a filesystem')
class TestUTemplate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cwd = os.getcwd()
        os.chdir(TESTS_DIR)
        try:
            os.mkdir(WORK_DIR)
        except OSError:
            pass
        for name in FIXTURES:
            with open('templates/' + name) as src:
                with open(WORK_DIR + '/' + name, 'w') as dst:
                    dst.write(src.read())
        Template.initialize(template_dir=WORK_DIR)

    @classmethod
    def tearDownClass(cls):
        _remove_tree(WORK_DIR)
        for name in list(sys.modules):
            if name.startswith(WORK_DIR):
                del sys.modules[name]
        os.chdir(cls.cwd)

    def test_render(self):
        t = Template('hello.utemplate.txt')
        self.assertEqual(t.name, 'hello.utemplate.txt')
        self.assertEqual(t.render(name='foo'), 'Hello, foo!\n')
        self.assertIn('hello_utemplate_txt.py', os.listdir(WORK_DIR))

    def test_generate(self):
        chunks = list(Template('list.utemplate.html').generate(
            'Fruit', ['apple', 'pear']))
        self.assertGreater(len(chunks), 2)
        self.assertEqual(''.join(chunks), '<h1>Fruit</h1>\n<li>apple</li>\n'
                                          '<li>pear</li>\n')

    def test_escape(self):
        self.assertEqual(escape('<a href="x">O\'Neil & co</a>'),
                         '&lt;a href=&quot;x&quot;&gt;O&#x27;Neil &amp; co'
                         '&lt;/a&gt;')
        self.assertEqual(escape(42), '42')

    @async_test
    async def test_render_async(self):
        t = Template('hello.utemplate.txt')
        self.assertEqual(await t.render_async(name='foo'), 'Hello, foo!\n')
        chunks = []
        async for chunk in t.generate_async(name='bar'):
            chunks.append(chunk)
        self.assertEqual(''.join(chunks), 'Hello, bar!\n')

    @async_test
    async def test_streaming_responses(self):
        app = Microdot()

        @app.route('/sync')
        async def sync_body(request):
            return Template('list.utemplate.html').generate(
                'A', [1, 2]), {'Content-Type': 'text/html'}

        @app.route('/async')
        async def async_body(request):
            return Template('list.utemplate.html').generate_async(
                'B', [3]), {'Content-Type': 'text/html'}

        client = TestClient(app)
        res = await client.get('/sync')
        self.assertEqual(res.text, '<h1>A</h1>\n<li>1</li>\n<li>2</li>\n')
        self.assertNotIn('Content-Length', res.headers)
        res = await client.get('/async')
        self.assertEqual(res.text, '<h1>B</h1>\n<li>3</li>\n')
