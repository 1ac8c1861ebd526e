# multipart/form-data (RFC 7578) parsing that streams: a part's content is
# handed out in small chunks as it arrives, so a large upload can go to a
# file without ever being held in RAM.
import errno
import os

from microdot.helpers import wraps
from microdot.microdot import AsyncBytesIO, abort, invoke_handler


def parse_header_options(value):
    """Split a header value like ``form-data; name="a"; filename="b.txt"``
    into ``('form-data', {'name': 'a', 'filename': 'b.txt'})``. Parameter
    names are lower-cased; quoted values may contain ``;`` and ``\\"``."""
    semicolon = value.find(';')
    if semicolon < 0:
        return value.strip().lower(), {}
    main = value[:semicolon].strip().lower()
    options = {}
    i = semicolon + 1
    n = len(value)
    while i < n:
        equals = value.find('=', i)
        if equals < 0:
            break
        semicolon = value.find(';', i)
        if 0 <= semicolon < equals:  # a parameter without a value
            i = semicolon + 1
            continue
        name = value[i:equals].strip().lower()
        i = equals + 1
        while i < n and value[i] in ' \t':
            i += 1
        if i < n and value[i] == '"':
            chars = []
            i += 1
            while i < n and value[i] != '"':
                if value[i] == '\\' and i + 1 < n:
                    i += 1
                chars.append(value[i])
                i += 1
            text = ''.join(chars)
            semicolon = value.find(';', i)
        else:
            semicolon = value.find(';', i)
            text = value[i:semicolon if semicolon >= 0 else n].strip()
        options[name] = text
        if semicolon < 0:
            break
        i = semicolon + 1
    return main, options


class FormDataIter:
    """Async iterator over the parts of a ``multipart/form-data`` request,
    yielding ``(name, value)``: a ``str`` for a field, a ``FileUpload`` for a
    file (valid until the next step). A malformed or truncated body gives a
    400 error; one that is not multipart yields nothing."""
    #: bytes read from the client at a time
    buffer_size = 256
    #: largest text field kept in memory, larger ones get a 413 error
    max_field_size = 16 * 1024
    #: most parts accepted in one request (413 beyond)
    max_parts = 128
    #: largest size of the headers of one part (400 beyond)
    max_part_header_size = 2048

    def __init__(self, request):
        self.request = request
        self.buffer = None
        self.boundary = None
        media_type, options = parse_header_options(request.content_type or '')
        if media_type != 'multipart/form-data':
            return
        boundary = options.get('boundary', '')
        self.boundary = b'--' + boundary.encode()
        self.extra_size = len(boundary) + 4
        # a part ends at CRLF + '--' + boundary; starting the buffer with a
        # CRLF lets the first boundary be found the same way
        self.delimiter = b'\r\n' + self.boundary
        self.buffer = b'\r\n'
        self.valid = 0 < len(boundary) <= 70
        self.remaining = request.content_length or None
        self.parts = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.buffer is None:
            raise StopAsyncIteration
        if not self.valid:
            abort(400, 'Bad multipart boundary')
        while await self._read_part_content(self.buffer_size):
            pass  # skip what the caller left unread (or the preamble)
        await self._fill(len(self.delimiter) + 2)
        after = self.buffer[len(self.delimiter):len(self.delimiter) + 2]
        if after == b'--':
            self.buffer = None
            await self._discard_epilogue()
            raise StopAsyncIteration
        if after != b'\r\n':
            abort(400, 'Bad multipart boundary')
        self.buffer = self.buffer[len(self.delimiter) + 2:]
        self.parts += 1
        if self.parts > self.max_parts:
            abort(413, 'Too many form parts')
        name, filename, content_type = await self._read_part_headers()
        if filename is None:
            return name, await self._read_field()
        return name, FileUpload(filename, content_type,
                                self._read_part_content)

    async def _fill(self, size):
        """Read until the buffer holds at least ``size`` bytes."""
        while len(self.buffer) < size:
            await self._read_more()

    async def _read_more(self):
        want = self.buffer_size + self.extra_size
        if self.remaining is not None:
            want = min(want, self.remaining)
        data = b''
        if want > 0:
            try:
                data = await self.request.stream.read(want)
            except EOFError:
                pass
        if not data:
            self.buffer = None
            abort(400, 'Truncated multipart body')
        if self.remaining is not None:
            self.remaining -= len(data)
        self.buffer += data

    async def _discard_epilogue(self):
        # leaving bytes unread could make closing the socket reset the
        # connection before the client reads the response
        while self.remaining:
            try:
                data = await self.request.stream.read(
                    min(self.buffer_size, self.remaining))
            except EOFError:
                return
            if not data:
                return
            self.remaining -= len(data)

    async def _read_part_headers(self):
        name = filename = content_type = None
        size = 0
        while True:
            end = self.buffer.find(b'\r\n')
            while end < 0:
                if len(self.buffer) > self.max_part_header_size:
                    abort(400, 'Multipart header too large')
                await self._read_more()
                end = self.buffer.find(b'\r\n')
            line = self.buffer[:end]
            self.buffer = self.buffer[end + 2:]
            size += end + 2
            if size > self.max_part_header_size:
                abort(400, 'Multipart header too large')
            if not line:
                break
            try:
                header, value = line.decode().split(':', 1)
            except (UnicodeError, ValueError):
                abort(400, 'Bad multipart header')
            header = header.strip().lower()
            if header == 'content-disposition':
                disposition, options = parse_header_options(value)
                if disposition != 'form-data' or 'name' not in options:
                    abort(400, 'Bad Content-Disposition')
                name = options['name']
                filename = options.get('filename')
            elif header == 'content-type':
                content_type = value.strip()
        if name is None:
            abort(400, 'Missing Content-Disposition')
        return name, filename, content_type

    async def _read_field(self):
        chunks = []
        size = 0
        while True:
            chunk = await self._read_part_content(self.buffer_size)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_field_size:
                abort(413, 'Form field too large')
            chunks.append(chunk)
        try:
            return b''.join(chunks).decode()
        except UnicodeError:
            abort(400, 'Form field is not UTF-8')

    async def _read_part_content(self, n=-1):
        """Up to ``n`` bytes (-1: all) of the current part, ``b''`` at its
        end. The buffer is left starting at the delimiter that ends it."""
        if self.buffer is None:
            return b''
        if n < 0:
            chunks = []
            while True:
                chunk = await self._read_part_content(self.buffer_size)
                if not chunk:
                    return b''.join(chunks)
                chunks.append(chunk)
        keep = len(self.delimiter) - 1
        while True:
            end = self.buffer.find(self.delimiter)
            if end == 0:
                return b''
            if end < 0 and len(self.buffer) > keep:
                # all but a possible start of the delimiter is content
                end = len(self.buffer) - keep
            if end > 0:
                end = min(end, n)
                data = self.buffer[:end]
                self.buffer = self.buffer[end:]
                return data
            await self._read_more()


def _temp_name():
    letters = 'abcdefghijklmnopqrstuvwxyz'
    if hasattr(os, 'urandom'):
        noise = os.urandom(12)
    else:  # ports without a hardware random source
        import random
        noise = [random.getrandbits(8) for _ in range(12)]
    return 'upload-' + ''.join(letters[b % 26] for b in noise)


def _temp_dir():
    try:
        import tempfile
        return tempfile.gettempdir()
    except ImportError:  # MicroPython: the current directory
        return ''


class FileUpload:
    """A file sent in a form.

    Attributes ``filename`` (as sent by the client: never use it as a path
    without cleaning it) and ``content_type`` (may be ``None``).
    """
    #: files up to this size stay in memory after ``copy()``
    max_memory_size = 1024
    #: where ``copy()`` puts larger files: ``None`` is the system's temporary
    #: directory on CPython and the current directory on MicroPython
    temp_dir = None

    def __init__(self, filename, content_type, read):
        self.filename = filename
        self.content_type = content_type
        self._read = read
        self._temp_path = None
        self._file = None

    async def read(self, n=-1):
        """Up to ``n`` bytes of content (all the rest with -1); ``b''`` at
        the end."""
        return await self._read(n)

    async def save(self, path_or_file):
        """Write the content to a path (the file is closed afterwards) or to
        a file object (left open)."""
        if isinstance(path_or_file, str):
            with open(path_or_file, 'wb') as f:
                await self._copy_to(f)
        else:
            await self._copy_to(path_or_file)

    async def _copy_to(self, f):
        while True:
            data = await self.read(FormDataIter.buffer_size)
            if not data:
                break
            f.write(data)

    async def copy(self, max_memory_size=None):
        """Detach the content from the request so that parsing can go on:
        small files are kept in memory, larger ones in a temporary file
        (deleted by ``close()``). Returns the upload itself."""
        limit = max_memory_size or self.max_memory_size
        chunks = []
        size = 0
        while size < limit:
            data = await self.read(limit - size)
            if not data:
                break
            chunks.append(data)
            size += len(data)
        if size < limit:
            self._read = AsyncBytesIO(b''.join(chunks)).read
            return self
        self._file = self._create_temp_file()
        try:
            for data in chunks:
                self._file.write(data)
            chunks = None
            await self._copy_to(self._file)
            self._file.seek(0)
        except BaseException:
            await self.close()
            raise
        self._read = self._read_temp
        return self

    async def _read_temp(self, n=-1):
        return self._file.read(n)

    def _create_temp_file(self):
        directory = self.temp_dir
        if directory is None:
            directory = _temp_dir()
        while True:
            path = _temp_name()
            if directory:
                path = directory.rstrip('/') + '/' + path
            try:
                f = open(path, 'x+b')
            except OSError as exc:
                if exc.args[0] == errno.EEXIST:
                    continue
                if exc.args[0] != errno.ENOENT:
                    raise
                # ENOENT: this port has no exclusive mode; the random name
                # is all that avoids a clash
                try:
                    os.stat(path)
                    continue
                except OSError:
                    f = open(path, 'w+b')
            self._temp_path = path
            return f

    async def close(self):
        """Delete the temporary file made by ``copy()``, if any."""
        if self._file is not None:
            self._file.close()
            self._file = None
            os.remove(self._temp_path)
            self._temp_path = None


def with_form_data(f):
    """Route decorator that parses a ``multipart/form-data`` body before the
    route runs: ``request.form`` is a dict of the text fields and
    ``request.files`` a dict of the uploaded files (for a name sent more
    than once, the last value; iterate ``FormDataIter`` to see them all).
    Files are kept in memory or in temporary files that are deleted when the
    route returns."""
    @wraps(f)
    async def wrapper(request, *args, **kwargs):
        form = {}
        files = {}
        uploads = []
        try:
            async for name, value in FormDataIter(request):
                if isinstance(value, FileUpload):
                    uploads.append(value)
                    files[name] = await value.copy()
                else:
                    form[name] = value
            if form or files:
                request.form = form
                request.files = files
            return await invoke_handler(f, request, *args, **kwargs)
        finally:
            for upload in uploads:
                await upload.close()
    return wrapper
