# TestClient and TestResponse (spec 14): request rendering, cookie jar,
# HEAD, json/text/events, scheme and host.
import unittest

from microdot import Microdot, Response
from microdot import test_client
from microdot.test_client import TestClient
from support import async_test


class TestClientTests(unittest.TestCase):
    def test_exports(self):
        self.assertEqual(sorted(test_client.__all__), ['TestClient', 'TestResponse'])
        self.assertFalse(TestClient.__test__)

    def test_defaults(self):
        app = Microdot()
        client = TestClient(app)
        self.assertIs(client.app, app)
        self.assertEqual(client.cookies, {})
        self.assertIsNone(client.scheme)
        self.assertEqual(client.host, 'example.com:1234')

    def test_blank_response(self):
        res = test_client.TestResponse()
        self.assertIsNone(res.status_code)
        self.assertIsNone(res.reason)
        self.assertEqual(res.headers, {})
        self.assertIsNone(res.body)
        self.assertIsNone(res.text)
        self.assertIsNone(res.json)
        self.assertIsNone(res.events)

    @async_test
    async def test_request_seen_by_app(self):
        app = Microdot()

        @app.route('/echo', methods=['GET', 'POST', 'PUT', 'PATCH',
                                     'DELETE'])
        def echo(req):
            return {'method': req.method, 'path': req.path,
                    'url': req.url, 'host': req.headers.get('Host'),
                    'addr': list(req.client_addr), 'scheme': req.scheme,
                    'version': req.http_version,
                    'body': req.body.decode(),
                    'type': req.content_type,
                    'length': req.content_length}

        client = TestClient(app)
        res = await client.get('/echo?a=1')
        self.assertEqual(res.json, {
            'method': 'GET', 'path': '/echo', 'url': '/echo?a=1',
            'host': 'example.com:1234', 'addr': ['127.0.0.1', 1234],
            'scheme': 'http', 'version': '1.0', 'body': '', 'type': None,
            'length': 0})
        res = await client.post('/echo', body='hello')
        self.assertEqual(res.json['body'], 'hello')
        self.assertEqual(res.json['length'], 5)
        res = await client.put('/echo', body=b'\x00\x01')
        self.assertEqual(res.json['method'], 'PUT')
        self.assertEqual(res.json['length'], 2)
        res = await client.patch('/echo', body={'a': 1})
        self.assertEqual(res.json['body'], '{"a": 1}')
        self.assertEqual(res.json['type'], 'application/json')
        res = await client.delete('/echo')
        self.assertEqual(res.json['method'], 'DELETE')
        res = await client.post('/echo', body=[1],
                                headers={'Content-Type': 'text/x-json'})
        self.assertEqual(res.json['type'], 'text/x-json')
        self.assertEqual(res.json['body'], '[1]')

    @async_test
    async def test_scheme_and_host(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return req.scheme + '://' + req.headers['Host']

        client = TestClient(app, scheme='https', host='foo.com')
        self.assertEqual(client.scheme, 'https')
        res = await client.get('/')
        self.assertEqual(res.text, 'https://foo.com')
        res = await client.get('/', headers={'Host': 'bar.com'})
        self.assertEqual(res.text, 'https://bar.com')

    @async_test
    async def test_headers_not_mutated(self):
        # fixed weakness: the caller's headers dict is left alone
        app = Microdot()

        @app.post('/')
        def index(req):
            return 'ok'

        headers = {'X-A': '1'}
        await TestClient(app, cookies={'c': 'v'}).post(
            '/', headers=headers, body={'a': 1})
        self.assertEqual(headers, {'X-A': '1'})

    @async_test
    async def test_response_fields(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return Response('ok', 201, {'X-Foo': 'bar'}, reason='Made')

        res = await TestClient(app).get('/')
        self.assertEqual(res.status_code, 201)
        self.assertEqual(res.reason, 'Made')
        self.assertEqual(res.body, b'ok')
        self.assertEqual(res.text, 'ok')
        self.assertIsNone(res.json)
        self.assertIsNone(res.events)
        self.assertEqual(res.headers['x-foo'], 'bar')  # case-insensitive
        self.assertEqual(res.headers['Content-Length'], '2')

    @async_test
    async def test_json_and_text(self):
        app = Microdot()

        @app.get('/json')
        def json_route(req):
            return {'a': [1, 2]}

        @app.get('/json-text')
        def json_text(req):
            return '{"a": 1}', {'Content-Type': 'application/json'}

        @app.get('/not-json')
        def not_json(req):
            return '{"a": 1}', {'Content-Type': 'text/plain'}

        @app.get('/binary')
        def binary(req):
            return b'\xff\xfe\xfd', {'Content-Type':
                                     'application/octet-stream'}

        client = TestClient(app)
        res = await client.get('/json')
        self.assertEqual(res.json, {'a': [1, 2]})
        self.assertEqual(res.text, '{"a": [1, 2]}')
        res = await client.get('/json-text')
        self.assertEqual(res.json, {'a': 1})
        res = await client.get('/not-json')
        self.assertIsNone(res.json)
        self.assertEqual(res.text, '{"a": 1}')
        res = await client.get('/binary')
        self.assertIsNone(res.text)
        self.assertIsNone(res.json)
        self.assertEqual(res.body, b'\xff\xfe\xfd')

    @async_test
    async def test_events(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return (b'event: greet\ndata: {"a": 1}\nid: 7\nretry: 1500\n\n'
                    b': a comment\n\ndata: plain\n\n',
                    {'Content-Type': 'text/event-stream'})

        res = await TestClient(app).get('/')
        self.assertEqual(res.events, [
            {'data': b'{"a": 1}', 'data_json': {'a': 1}, 'event': 'greet',
             'event_id': '7', 'retry': 1.5},
            {'data': b'plain', 'data_json': None, 'event': None,
             'event_id': None, 'retry': None}])

    @async_test
    async def test_head(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return {'a': 1}

        res = await TestClient(app).request('HEAD', '/')
        self.assertEqual(res.status_code, 200)
        self.assertIsNone(res.body)
        self.assertIsNone(res.text)
        self.assertIsNone(res.json)
        self.assertEqual(res.headers['Content-Length'], '8')
        self.assertEqual(res.headers['Content-Type'],
                         'application/json; charset=UTF-8')

    @async_test
    async def test_already_handled(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return Response.already_handled

        res = await TestClient(app).get('/')
        self.assertIsNone(res.body)
        self.assertIsNone(res.status_code)
        self.assertEqual(res.headers, {})


class CookieJarTests(unittest.TestCase):
    @async_test
    async def test_locked_example(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            res = Response(repr(sorted(req.cookies.items())))
            res.set_cookie('four', '4')
            res.delete_cookie('two', path='/')
            res.delete_cookie('one', path='/bad')
            res.delete_cookie('five')
            return res

        client = TestClient(app, cookies={'one': '1', 'two': '2',
                                          'five': '5'})
        res = await client.get('/', headers={'Cookie': 'three=3'})
        self.assertEqual(res.text, repr(sorted({
            'one': '1', 'two': '2', 'three': '3', 'five': '5'}.items())))
        self.assertEqual(client.cookies, {'one': '1', 'four': '4'})

    @async_test
    async def test_cookies_sent(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            return req.headers.get('Cookie', '')

        client = TestClient(app, cookies={'a': '1'})
        res = await client.get('/')
        self.assertEqual(res.text, 'a=1')
        res = await client.get('/', headers={'Cookie': 'b=2'})
        self.assertEqual(res.text, 'b=2; a=1')

    @async_test
    async def test_cookie_paths(self):
        app = Microdot()

        @app.get('/set')
        def set_(req):
            res = Response('set')
            res.set_cookie('root', 'r', path='/')
            res.set_cookie('child', 'c', path='/child')
            res.set_cookie('plain', 'p')
            return res

        @app.get('/<path:path>')
        def show(req, path):
            return repr(sorted(req.cookies.items()))

        client = TestClient(app)
        await client.get('/set')
        self.assertEqual(client.cookies, {'root': 'r', 'child': ('c',
                                                                  '/child'),
                                          'plain': 'p'})
        res = await client.get('/other')
        self.assertEqual(res.text, repr([('plain', 'p'), ('root', 'r')]))
        res = await client.get('/child/x')
        self.assertEqual(res.text, repr([('child', 'c'), ('plain', 'p'),
                                         ('root', 'r')]))

    @async_test
    async def test_deletions(self):
        app = Microdot()

        @app.get('/')
        def index(req):
            res = Response('x')
            res.headers['Set-Cookie'] = [
                'a=; Max-Age=0',
                'b=; expires=Thu, 01 Jan 1970 00:00:00 GMT',
                'c=1; max-age=bad',
                'd=; Path=/d; Max-Age=-1',
                'e=new; Max-Age=60',
            ]
            return res

        client = TestClient(app, cookies={'a': '1', 'b': '2', 'c': '3',
                                          'd': ('4', '/d'), 'e': 'old'})
        await client.get('/')
        self.assertEqual(client.cookies, {'e': 'new'})

    @async_test
    async def test_error_response_cookies(self):
        app = Microdot()

        @app.after_error_request
        def after_error(req, res):
            res.set_cookie('err', 'yes')

        client = TestClient(app)
        res = await client.get('/missing')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(client.cookies, {'err': 'yes'})
