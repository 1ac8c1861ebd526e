import io
import os
import unittest

from microdot import Microdot, Request
from microdot.multipart import (FileUpload, FormDataIter, parse_header_options,
                                with_form_data)
from microdot.test_client import TestClient
from support import HAS_FILESYSTEM, async_test

BOUNDARY = 'x-BOUNDARY-123'
CONTENT_TYPE = 'multipart/form-data; boundary=' + BOUNDARY


def form_body(fields=(), files=(), boundary=BOUNDARY, close=True):
    """A multipart body: fields are (name, value), files are
    (name, filename, content_type, data)."""
    body = b''
    for name, value in fields:
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n'
                 % (boundary, name)).encode() + value.encode() + b'\r\n'
    for name, filename, content_type, data in files:
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"; '
                 'filename="%s"\r\nContent-Type: %s\r\n\r\n'
                 % (boundary, name, filename, content_type)).encode() + \
            data + b'\r\n'
    if close:
        body += ('--%s--\r\n' % boundary).encode()
    return body


def temp_dir_name():
    try:
        import tempfile
        return tempfile.mkdtemp()
    except ImportError:
        os.mkdir('_upload_tmp')
        return '_upload_tmp'


class FormRoutes(unittest.TestCase):
    def setUp(self):
        self.saved = (FormDataIter.buffer_size, FileUpload.max_memory_size,
                      FileUpload.temp_dir, Request.max_body_length)

    def tearDown(self):
        (FormDataIter.buffer_size, FileUpload.max_memory_size,
         FileUpload.temp_dir, Request.max_body_length) = self.saved

    def post(self, app, body, content_type=CONTENT_TYPE, headers=None,
             path='/'):
        headers = dict(headers or {})
        headers['Content-Type'] = content_type
        return TestClient(app).post(path, headers=headers, body=body)

    @async_test
    async def test_fields_sync_and_async(self):
        app = Microdot()

        @app.post('/sync')
        @with_form_data
        def sync_route(req):
            return dict(req.form)

        @app.post('/async')
        @with_form_data
        async def async_route(req):
            return dict(req.form)

        body = form_body(fields=[('foo', 'bar'), ('baz', 'baz')])
        for path in ('/sync', '/async'):
            res = await self.post(app, body, path=path)
            self.assertEqual(res.status_code, 200)
            self.assertEqual(res.json, {'foo': 'bar', 'baz': 'baz'})

    @async_test
    async def test_files(self):
        app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            out = [req.form['name']]
            for name in ('a', 'b'):
                f = req.files[name]
                out.append('%s|%s|%s' % (f.filename, f.content_type,
                                         (await f.read()).decode()))
            return '\n'.join(out)

        res = await self.post(app, form_body(
            fields=[('name', 'x')],
            files=[('a', 'a.txt', 'text/plain', b'first file'),
                   ('b', 'b.html', 'text/html', b'<p>second</p>')]))
        self.assertEqual(res.text, 'x\na.txt|text/plain|first file\n'
                                   'b.html|text/html|<p>second</p>')

    @async_test
    async def test_only_files_gives_empty_form(self):
        app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            return {'form': req.form, 'files': list(req.files)}

        res = await self.post(app, form_body(
            files=[('f', 'f.bin', 'application/octet-stream', b'\x00\xff')]))
        self.assertEqual(res.json, {'form': {}, 'files': ['f']})

    @async_test
    async def test_repeated_names(self):
        # the dicts keep the last value (upstream behaviour); FormDataIter
        # sees them all
        app = Microdot()

        @app.post('/dict')
        @with_form_data
        async def as_dict(req):
            return {'opt': req.form['opt'], 'pic': req.files['pic'].filename}

        @app.post('/iter')
        async def as_iter(req):
            names = []
            async for name, value in FormDataIter(req):
                names.append(value if name == 'opt' else value.filename)
            return names

        body = form_body(fields=[('opt', 'a'), ('opt', 'b')],
                         files=[('pic', '1.png', 'image/png', b'1'),
                                ('pic', '2.png', 'image/png', b'2')])
        res = await self.post(app, body, path='/dict')
        self.assertEqual(res.json, {'opt': 'b', 'pic': '2.png'})
        res = await self.post(app, body, path='/iter')
        self.assertEqual(res.json, ['a', 'b', '1.png', '2.png'])

    @unittest.skipUnless(HAS_FILESYSTEM, 'needs a filesystem')
    @async_test
    async def test_large_file_goes_to_temp_file_and_is_deleted(self):
        FormDataIter.buffer_size = 100
        FileUpload.max_memory_size = 200
        FileUpload.temp_dir = temp_dir_name()
        seen = []
        app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            seen.extend(os.listdir(FileUpload.temp_dir))
            f = req.files['file']
            return '%s|%s|%s' % (f.filename, f.content_type,
                                 (await f.read()).decode())

        data = ('0123456789' * 40)[:398].encode()
        try:
            res = await self.post(app, form_body(
                files=[('file', 'big.txt', 'text/plain', data)]))
            self.assertEqual(res.text, 'big.txt|text/plain|' + data.decode())
            self.assertEqual(len(seen), 1)
            self.assertEqual(os.listdir(FileUpload.temp_dir), [])
        finally:
            for name in os.listdir(FileUpload.temp_dir):
                os.remove(FileUpload.temp_dir + '/' + name)
            os.rmdir(FileUpload.temp_dir)

    @unittest.skipUnless(HAS_FILESYSTEM, 'needs a filesystem')
    @async_test
    async def test_save(self):
        app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            await req.files['file'].save('_x.txt')

        try:
            res = await self.post(app, form_body(
                files=[('file', 'x.txt', 'text/plain', b'saved\r\ndata')]))
            self.assertEqual(res.status_code, 204)
            with open('_x.txt', 'rb') as f:
                self.assertEqual(f.read(), b'saved\r\ndata')
        finally:
            os.remove('_x.txt')

    @async_test
    async def test_not_multipart_leaves_form_alone(self):
        app = Microdot()

        @app.route('/', methods=['GET', 'POST'])
        @with_form_data
        async def index(req):
            return str(req.form) + '|' + str(req.files)

        res = await TestClient(app).post('/', body={'foo': 'bar'})
        self.assertEqual(res.text, 'None|None')
        res = await TestClient(app).get('/')
        self.assertEqual(res.text, 'None|None')

    @async_test
    async def test_boundary_parameter_spellings(self):
        app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            return req.form['a']

        body = form_body(fields=[('a', 'ok')])
        for content_type in (
                'multipart/form-data;boundary=' + BOUNDARY,
                'multipart/form-data; boundary="%s"' % BOUNDARY,
                'Multipart/Form-Data; charset=utf-8; BOUNDARY=' + BOUNDARY):
            res = await self.post(app, body, content_type)
            self.assertEqual(res.text, 'ok', content_type)

    @async_test
    async def test_content_details(self):
        # a preamble, an epilogue, CRLFs and dashes inside the content, a
        # look-alike boundary and every byte value
        app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            return await req.files['f'].read()

        FormDataIter.buffer_size = 100
        data = b'\r\n--x-BOUNDARY-12\r\n--\r\n' + bytes(range(256)) + \
            b'\r\n-'
        body = b'preamble\r\n' + form_body(
            files=[('f', 'f', 'application/octet-stream', data)]) + \
            b'epilogue'
        res = await self.post(app, body)
        self.assertEqual(res.body, data)

    @async_test
    async def test_filename_quoting(self):
        app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            return req.files['f'].filename

        body = ('--%s\r\nContent-Disposition: form-data; name="f"; '
                'filename="a;b \\"c\\" d\xe9.txt"\r\n\r\nx\r\n--%s--\r\n'
                % (BOUNDARY, BOUNDARY)).encode()
        res = await self.post(app, body)
        self.assertEqual(res.text, 'a;b "c" d\xe9.txt')


class MalformedBodies(unittest.TestCase):
    """Every malformed body gets a 4xx answer, promptly (an unterminated
    body must never make the parser spin)."""
    def setUp(self):
        self.saved = Request.max_body_length
        app = self.app = Microdot()

        @app.post('/')
        @with_form_data
        async def index(req):
            return 'parsed'

    def tearDown(self):
        Request.max_body_length = self.saved

    async def status(self, body, content_type=CONTENT_TYPE, headers=None):
        headers = dict(headers or {})
        headers['Content-Type'] = content_type
        res = await TestClient(self.app).post('/', headers=headers,
                                              body=body)
        return res.status_code

    async def check_all_ways(self, body, expected=400):
        # in memory, then streamed from the connection
        self.assertEqual(await self.status(body), expected)
        Request.max_body_length = 0
        self.assertEqual(await self.status(body), expected)

    @async_test
    async def test_missing_closing_boundary(self):
        await self.check_all_ways(form_body(fields=[('a', 'b')],
                                            close=False))

    @async_test
    async def test_truncated_part(self):
        await self.check_all_ways(form_body(fields=[('a', 'b' * 50)])[:70])

    @async_test
    async def test_truncated_part_headers(self):
        await self.check_all_ways(
            ('--%s\r\nContent-Disposition: form-da' % BOUNDARY).encode())

    @async_test
    async def test_wrong_boundary(self):
        await self.check_all_ways(form_body(fields=[('a', 'b')],
                                            boundary='other'))

    @async_test
    async def test_empty_body(self):
        self.assertEqual(await self.status(b''), 400)

    @async_test
    async def test_missing_boundary(self):
        body = form_body(fields=[('a', 'b')])
        self.assertEqual(await self.status(body, 'multipart/form-data'), 400)
        self.assertEqual(await self.status(
            body, 'multipart/form-data; boundary=""'), 400)

    @async_test
    async def test_body_shorter_than_content_length(self):
        Request.max_body_length = 0
        body = form_body(fields=[('a', 'b')], close=False)
        self.assertEqual(await self.status(body, headers={
            'Content-Length': str(len(body) + 100)}), 400)

    @async_test
    async def test_garbage_after_boundary(self):
        body = ('--%s junk\r\n' % BOUNDARY).encode() + \
            form_body(fields=[('a', 'b')])
        await self.check_all_ways(body)

    @async_test
    async def test_bad_part_headers(self):
        for headers in ('Content-Disposition form-data; name="a"',
                        'Content-Disposition: attachment; name="a"',
                        'Content-Disposition: form-data',
                        'Content-Type: text/plain'):
            body = ('--%s\r\n%s\r\n\r\nvalue\r\n--%s--\r\n'
                    % (BOUNDARY, headers, BOUNDARY)).encode()
            self.assertEqual(await self.status(body), 400, headers)

    @async_test
    async def test_limits(self):
        saved = (FormDataIter.max_field_size, FormDataIter.max_parts,
                 FormDataIter.max_part_header_size)
        try:
            FormDataIter.max_field_size = 10
            self.assertEqual(await self.status(
                form_body(fields=[('a', 'x' * 11)])), 413)
            self.assertEqual(await self.status(
                form_body(fields=[('a', 'x' * 10)])), 200)
            FormDataIter.max_parts = 2
            self.assertEqual(await self.status(
                form_body(fields=[('a', '1'), ('b', '2'), ('c', '3')])), 413)
            FormDataIter.max_part_header_size = 60
            self.assertEqual(await self.status(
                form_body(fields=[('a' * 40, '1')])), 400)
        finally:
            (FormDataIter.max_field_size, FormDataIter.max_parts,
             FormDataIter.max_part_header_size) = saved


class Streaming(unittest.TestCase):
    def setUp(self):
        self.saved = (FormDataIter.buffer_size, Request.max_body_length)

    def tearDown(self):
        FormDataIter.buffer_size, Request.max_body_length = self.saved

    @async_test
    async def test_partial_reads_then_next_part(self):
        FormDataIter.buffer_size = 100
        Request.max_body_length = 0
        app = Microdot()

        @app.post('/')
        async def index(req):
            out = []
            async for name, value in FormDataIter(req):
                if isinstance(value, FileUpload):
                    out.append('%s=%s:%s' % (name, value.filename,
                                             (await value.read(4)).decode()))
                else:
                    out.append('%s=%s' % (name, value))
            return ' '.join(out)

        body = form_body(
            fields=[('one', '1')],
            files=[('f1', 'a.txt', 'text/plain', b'abcdefgh' * 50),
                   ('f2', 'b.txt', 'text/plain', b'ABCDEFGH' * 50)])
        res = await TestClient(app).post('/', body=body, headers={
            'Content-Type': CONTENT_TYPE})
        self.assertEqual(res.text, 'one=1 f1=a.txt:abcd f2=b.txt:ABCD')

    @async_test
    async def test_not_multipart_yields_nothing(self):
        app = Microdot()

        @app.post('/')
        async def index(req):
            parts = FormDataIter(req)
            found = []
            async for part in parts:
                found.append(part)
            return str(parts.buffer) + ':' + str(found)

        res = await TestClient(app).post('/', body={'a': 1})
        self.assertEqual(res.text, 'None:[]')


class UploadObject(unittest.TestCase):
    def upload(self, data):
        from microdot.microdot import AsyncBytesIO
        return FileUpload('f.txt', 'text/plain', AsyncBytesIO(data).read)

    @async_test
    async def test_small_copy_stays_in_memory(self):
        upload = await self.upload(b'hello').copy()
        self.assertIsNone(upload._temp_path)
        self.assertEqual(await upload.read(2), b'he')
        self.assertEqual(await upload.read(), b'llo')
        self.assertEqual(await upload.read(), b'')
        await upload.close()

    @unittest.skipUnless(HAS_FILESYSTEM, 'needs a filesystem')
    @async_test
    async def test_copy_to_configured_directory(self):
        saved = FileUpload.temp_dir
        FileUpload.temp_dir = temp_dir_name()
        try:
            upload = await self.upload(b'0123456789' * 10).copy(
                max_memory_size=50)
            path = upload._temp_path
            self.assertTrue(path.startswith(FileUpload.temp_dir + '/'))
            self.assertEqual(os.stat(path)[6], 100)
            self.assertEqual(await upload.read(), b'0123456789' * 10)
            await upload.close()
            self.assertEqual(os.listdir(FileUpload.temp_dir), [])
        finally:
            os.rmdir(FileUpload.temp_dir)
            FileUpload.temp_dir = saved

    @async_test
    async def test_save_to_file_object(self):
        out = io.BytesIO()
        await self.upload(b'some data').save(out)
        self.assertEqual(out.getvalue(), b'some data')


class HeaderOptions(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(parse_header_options('text/plain'),
                         ('text/plain', {}))
        self.assertEqual(
            parse_header_options('form-data; name="a b"; FileName=c.txt'),
            ('form-data', {'name': 'a b', 'filename': 'c.txt'}))
        self.assertEqual(
            parse_header_options('x;a="1;2";b = "q\\"q" ;c=3'),
            ('x', {'a': '1;2', 'b': 'q"q', 'c': '3'}))
        self.assertEqual(parse_header_options('x; flag; a=1'),
                         ('x', {'a': '1'}))
