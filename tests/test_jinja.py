import unittest

from microdot import Microdot
from microdot.test_client import TestClient
from support import async_test, TESTS_DIR

try:
    from microdot.jinja import Template
except ImportError:  # MicroPython: Jinja2 is CPython only
    Template = None

TEMPLATES = TESTS_DIR + '/templates'


@unittest.skipUnless(Template, 'needs Jinja2 (CPython only)')
class TestJinja(unittest.TestCase):
    def setUp(self):
        Template.initialize(template_dir=TEMPLATES)

    def tearDown(self):
        Template.jinja_env = None

    def test_render_and_generate(self):
        t = Template('hello.jinja.txt')
        self.assertEqual(t.name, 'hello.jinja.txt')
        self.assertEqual(t.render(name='foo'), 'Hello, foo!')
        self.assertEqual(''.join(t.generate(name='foo')), 'Hello, foo!')

    def test_html_is_escaped_text_is_not(self):
        page = Template('page.jinja.html').render(text='<b>&', items=[])
        self.assertEqual(page, '<p>&lt;b&gt;&amp;</p>\n')
        self.assertEqual(Template('hello.jinja.txt').render(name='<b>'),
                         'Hello, <b>!')

    def test_environment_options(self):
        Template.initialize(template_dir=TEMPLATES, trim_blocks=True)
        self.assertTrue(Template.jinja_env.trim_blocks)

    @async_test
    async def test_async(self):
        Template.initialize(template_dir=TEMPLATES, enable_async=True)
        t = Template('hello.jinja.txt')
        self.assertEqual(await t.render_async(name='foo'), 'Hello, foo!')
        chunks = []
        async for chunk in t.generate_async(name='foo'):
            chunks.append(chunk)
        self.assertEqual(''.join(chunks), 'Hello, foo!')

    @async_test
    async def test_streaming_responses(self):
        app = Microdot()

        @app.route('/sync')
        async def sync_body(request):
            return Template('page.jinja.html').generate(
                text='t', items=[1, 2]), {'Content-Type': 'text/html'}

        @app.route('/async')
        async def async_body(request):
            return Template('page.jinja.html').generate_async(
                text='t', items=[3]), {'Content-Type': 'text/html'}

        client = TestClient(app)
        res = await client.get('/sync')
        self.assertEqual(res.text, '<p>t</p>\n<li>1</li><li>2</li>')
        Template.initialize(template_dir=TEMPLATES, enable_async=True)
        res = await client.get('/async')
        self.assertEqual(res.text, '<p>t</p>\n<li>3</li>')
