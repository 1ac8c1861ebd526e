# Static files done properly: ETag/304, Range/206, gzip negotiation and
# caching headers, from an ordinary folder or from a ROMFS image at /rom.
import os
import sys
import time

from microdot.microdot import Microdot, Response

try:
    import deflate  # MicroPython

    def _gunzip(f):
        return deflate.DeflateIO(f, deflate.GZIP, 0, True)
except ImportError:
    try:
        import gzip  # CPython

        def _gunzip(f):
            return _GzipReader(f, gzip.GzipFile(fileobj=f))
    except ImportError:  # pragma: no cover
        _gunzip = None

#: The file `make romfs` writes in a bundle's static folders: one
#: `<path> <size> <content hash>` line per file, for ETags that do not depend
#: on a clock (ROMFS has no modification times).
MANIFEST = '.etags'

TEXT_TYPES = ('text/', 'application/javascript', 'application/json',
              'application/xml', 'image/svg+xml')

# CPython's transports may keep a reference to the bytes they are given
# instead of copying them, so a buffer reused for the next chunk would change
# data not yet sent; MicroPython's streams copy what they do not send at once.
_REUSE_BUFFERS = sys.implementation.name == 'micropython'
_buffers = []  # idle read buffers, shared by every Static instance
_KEEP_BUFFERS = 2

_UNIX_2000 = 946684800  # seconds from 1970 to 2000
_DAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep',
           'Oct', 'Nov', 'Dec')


def _epoch_offset():
    """Seconds to add to a file time to get Unix time, None without a
    clock (then no Last-Modified)."""
    if not hasattr(time, 'gmtime'):
        return None
    try:
        return _UNIX_2000 if time.gmtime(0)[0] == 2000 else 0
    except (OSError, OverflowError):  # pragma: no cover
        return None


_EPOCH_OFFSET = _epoch_offset()


def _days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def http_date(seconds):
    """Unix time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)."""
    days, rest = divmod(int(seconds), 86400)
    y, m, d = _civil_from_days(days)
    return '%s, %02d %s %04d %02d:%02d:%02d GMT' % (
        _DAYS[(days + 3) % 7], d, _MONTHS[m - 1], y, rest // 3600,
        rest // 60 % 60, rest % 60)


def parse_http_date(text):
    """Unix time of an IMF-fixdate, or None when it is not one."""
    parts = text.split()
    try:
        if len(parts) != 6 or parts[5] != 'GMT' or \
                parts[0][:-1] not in _DAYS:
            return None
        hh, mm, ss = [int(x) for x in parts[4].split(':')]
        day, year = int(parts[1]), int(parts[3])
        month = _MONTHS.index(parts[2]) + 1
    except ValueError:
        return None
    if not (1 <= day <= 31 and hh < 24 and mm < 60 and ss < 61):
        return None
    return _days_from_civil(year, month, day) * 86400 + \
        hh * 3600 + mm * 60 + ss


def _unquote(path):
    """Percent-decode a URL path (no '+' rule in paths); None if invalid."""
    if '%' not in path:
        return path
    pieces = path.split('%')
    data = bytearray(pieces[0].encode())
    try:
        for piece in pieces[1:]:
            if len(piece) < 2:
                return None
            data.append(int(piece[:2], 16))
            data.extend(piece[2:].encode())
        return bytes(data).decode()
    except (ValueError, UnicodeError):
        return None


def safe_path(path):
    """The relative path `path` names inside a folder, or None when it could
    name something outside (`..`, absolute, backslash, NUL, drive)."""
    path = _unquote(path)
    if path is None or '\\' in path or '\x00' in path or ':' in path:
        return None
    if path.endswith('/'):
        path = path[:-1]
    if not path:
        return ''
    for part in path.split('/'):
        if part in ('', '.', '..'):
            return None
    return path


def accepted_codings(header):
    """(q of gzip, q of identity) from an Accept-Encoding value, or None for
    a missing or malformed header (then any coding is acceptable). The q of
    identity is None when the header leaves it implicitly acceptable."""
    if header is None:
        return None
    qs = {}
    for item in header.split(','):
        item = item.strip()
        if not item:
            continue
        params = item.split(';')
        name = params[0].strip().lower()
        q = 1.0
        for param in params[1:]:
            key, _, value = param.strip().partition('=')
            if key.strip().lower() == 'q':
                try:
                    q = float(value.strip())
                except ValueError:
                    return None
                if not 0 <= q <= 1:
                    return None
        if not name:
            return None
        qs['gzip' if name == 'x-gzip' else name] = q
    star = qs.get('*')
    gzip_q = qs.get('gzip', 0.0 if star is None else star)
    identity_q = qs.get('identity', star)
    return gzip_q, identity_q


def _number(text):
    """The value of a string of decimal digits, else None (int() also takes
    signs, spaces and underscores)."""
    text = text.strip()
    if not text or any(c not in '0123456789' for c in text):
        return None
    return int(text)


def parse_range(header, size):
    """The (start, end) byte range (end excluded) a Range value asks for:
    None to send the whole file (no, malformed or several ranges), False
    when it cannot be satisfied."""
    if header is None:
        return None
    unit, _, spec = header.partition('=')
    if unit.strip().lower() != 'bytes' or ',' in spec:
        return None
    first, dash, last = spec.strip().partition('-')
    if not dash:
        return None
    if not first.strip():  # the last n bytes
        n = _number(last)
        if n is None:
            return None
        return (size - min(n, size), size) if n and size else False
    start = _number(first)
    end = _number(last) if last.strip() else start
    if start is None or end is None or end < start:
        return None
    if start >= size:
        return False
    return start, min(end + 1, size) if last.strip() else size


def _matches(etag, header):
    """Weak comparison of an If-None-Match list with our ETag."""
    for tag in header.split(','):
        tag = tag.strip()
        if tag == '*' or (tag[2:] if tag.startswith('W/') else tag) == etag:
            return True
    return False


def _fingerprinted(name):
    """True for names such as app.3f9a2b1c.js: a hash part of 8 or more hex
    digits between dots, which changes whenever the content does."""
    parts = name.rsplit('/', 1)[-1].split('.')
    for part in parts[1:-1]:
        if len(part) >= 8 and all(c in '0123456789abcdefABCDEF'
                                  for c in part):
            return True
    return False


def _stat(path):
    """(is_dir, size, mtime) or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st[0] & 0x4000 != 0, st[6], st[8]


def _negotiate(codings, st, gz):
    """(send the .gz copy, decompress it) for the codings a client accepts
    (see accepted_codings), the file's stat and its .gz copy's."""
    if gz is None:
        return False, False
    if st is None:  # only the .gz: sent as it is unless refused
        wanted = codings is None or codings[0] > 0
        return wanted, not wanted
    return codings is not None and codings[0] > 0 and (
        codings[1] is None or codings[0] >= codings[1]), False


class _GzipReader:
    """gzip.GzipFile that also closes the file it reads from."""

    def __init__(self, raw, gz):
        self.raw = raw
        self.gz = gz

    def readinto(self, buf):
        return self.gz.readinto(buf)

    def read(self, n=-1):
        return self.gz.read(n)

    def close(self):
        self.gz.close()
        self.raw.close()


class FileBody:
    """A response body streaming `length` bytes of an open file from
    `start` (to the end when `length` is None) through one buffer, after
    `first`, a chunk read already.

    On MicroPython the buffer is taken from a small pool and given back when
    the body is closed, and a ROMFS file is sent straight from flash through
    memoryview slices, with no buffer at all."""

    def __init__(self, f, start=0, length=None, buffer_size=1024,
                 first=None):
        self.f = f
        self.first = first  # a chunk read already
        self.left = length
        self.buffer_size = buffer_size
        self.buf = None
        self.view = None
        self.pos = start
        self.mapped = None
        try:
            self.mapped = memoryview(f)  # a ROMFS file: its bytes in flash
        except TypeError:
            if start:
                f.seek(start)

    def __aiter__(self):
        return self

    async def __anext__(self):
        want = self.buffer_size
        if self.left is not None:
            want = min(want, self.left)
        if want <= 0 or self.f is None:
            await self.aclose()
            raise StopAsyncIteration
        if self.first is not None:
            chunk, self.first = self.first, None
            n = len(chunk)
        elif self.mapped is not None:
            chunk = self.mapped[self.pos:self.pos + want]
            n = len(chunk)
        elif _REUSE_BUFFERS:
            if self.buf is None:
                self._take_buffer()
            n = self.f.readinto(self.view[:want] if want < len(self.buf)
                                else self.buf)
            chunk = self.buf if n == len(self.buf) else self.view[:n]
        else:
            chunk = self.f.read(want)
            n = len(chunk)
        if not n:
            await self.aclose()
            raise StopAsyncIteration
        self.pos += n
        if self.left is not None:
            self.left -= n
        return chunk

    def _take_buffer(self):
        size = self.buffer_size
        for i in range(len(_buffers)):
            if len(_buffers[i]) == size:
                self.buf = _buffers.pop(i)
                break
        else:
            self.buf = bytearray(size)
        self.view = memoryview(self.buf)

    async def aclose(self):
        if self.buf is not None:
            self.view = None
            if len(_buffers) < _KEEP_BUFFERS:
                _buffers.append(self.buf)
            self.buf = None
        self.mapped = None
        if self.f is not None:
            self.f.close()
            self.f = None


class Static:
    """Serve the files under `root` at `url_prefix`.

    :param app: the application (or call ``initialize(app)`` later).
    :param url_prefix: URL path the files are served under (``''`` for the
        site root: then create it after the app's other routes, which would
        otherwise be shadowed).
    :param root: the folder, e.g. ``'static'`` or ``'/rom/static'``.
    :param max_age: ``Cache-Control: max-age`` of ordinary assets (``None``:
        no ``Cache-Control``).
    :param html_cache_control: ``Cache-Control`` of HTML files, which name
        the other assets and so must be revalidated (``None``: as assets).
    :param immutable_cache_control: ``Cache-Control`` of fingerprinted names
        such as ``app.3f9a2b1c.js``.
    :param index: file served for a folder (``None``: folders are 404).
    :param buffer_size: bytes read and sent at a time.
    """
    def __init__(self, app=None, url_prefix='/static', root='static',
                 max_age=3600, html_cache_control='no-cache',
                 immutable_cache_control='max-age=31536000, immutable',
                 index='index.html', buffer_size=None):
        self.url_prefix = url_prefix.rstrip('/')
        self.root = root.rstrip('/') or '/'
        self.max_age = max_age
        self.html_cache_control = html_cache_control
        self.immutable_cache_control = immutable_cache_control
        self.index = index
        self.buffer_size = buffer_size or Response.send_file_buffer_size
        self._manifest = None
        self._real_root = None
        if hasattr(os, 'path') and hasattr(os.path, 'realpath'):
            self._real_root = os.path.realpath(self.root)  # CPython
        if app is not None:
            self.initialize(app)

    def initialize(self, app):
        prefix = self.url_prefix
        app.route(prefix + '/<path:path>', methods=['GET'])(self.handle)
        app.route(prefix or '/', methods=['GET'])(self.handle)
        if prefix:
            app.route(prefix + '/', methods=['GET'])(self.handle)

    async def handle(self, request, path=''):
        return self.response(request, path)

    def response(self, request, path):
        """The response to a GET or HEAD of `path` (relative to root)."""
        rel, name, st, gz = self._find(path)
        headers = request.headers
        gz_wanted, decompress = _negotiate(
            accepted_codings(headers.get('Accept-Encoding')), st, gz)
        if decompress and _gunzip is None:
            return 'Not acceptable: only stored gzip-compressed', 406
        if gz_wanted or decompress:
            filename, variant, st = name + '.gz', rel + '.gz', gz
        else:
            filename, variant = name, rel
        size, mtime = st[1], st[2]
        etag = self.etag(variant, size, mtime)
        if etag and decompress:
            etag = etag[:-1] + '-identity"'
        mtime = mtime + _EPOCH_OFFSET if _EPOCH_OFFSET is not None and \
            mtime > 0 else None
        res_headers = self._headers(rel, etag, mtime, gz is not None,
                                    gz_wanted)
        if self._not_modified(headers, etag, mtime):
            if not decompress:
                res_headers['Content-Length'] = str(size)
            return Response(None, 304, res_headers)
        if decompress:
            return self._decompressed(request, filename, res_headers)
        start, length, status = 0, size, 200
        if request.method.upper() == 'GET' and \
                self._range_applies(headers.get('If-Range'), etag, mtime):
            byte_range = parse_range(headers.get('Range'), size)
            if byte_range is False:
                res_headers['Content-Range'] = 'bytes */%d' % size
                return Response(b'', 416, res_headers)
            if byte_range:
                start, end = byte_range
                length, status = end - start, 206
                res_headers['Content-Range'] = 'bytes %d-%d/%d' % (
                    start, end - 1, size)
        res_headers['Content-Length'] = str(length)
        return Response(FileBody(open(filename, 'rb'), start, length,
                                 self.buffer_size), status, res_headers)

    def _find(self, path):
        """(relative path, file name, stat, stat of the .gz copy) of what
        `path` names; 404 when nothing (or something outside root)."""
        rel = safe_path(path)
        if rel is None or rel.rsplit('/', 1)[-1] == MANIFEST:
            Microdot.abort(404)
        name = self._join(rel)
        st = _stat(name)
        if st and not st[0] and path.endswith('/'):
            Microdot.abort(404)  # a file named as a folder
        if st and st[0]:
            if self.index is None:
                Microdot.abort(404)
            rel = rel + '/' + self.index if rel else self.index
            name = self._join(rel)
            st = _stat(name)
        if st and st[0]:
            st = None
        gz = None if rel.endswith('.gz') else _stat(name + '.gz')
        if gz and gz[0]:
            gz = None
        if (st is None and gz is None) or \
                not self._inside_root(name if st else name + '.gz'):
            Microdot.abort(404)
        return rel, name, st, gz

    def _headers(self, rel, etag, mtime, has_gz, gz_wanted):
        headers = {'Content-Type': self.content_type(rel)}
        if has_gz:
            headers['Vary'] = 'Accept-Encoding'
        if gz_wanted:
            headers['Content-Encoding'] = 'gzip'
        if etag:
            headers['ETag'] = etag
        if mtime is not None:
            headers['Last-Modified'] = http_date(mtime)
        cache = self.cache_control(rel)
        if cache:
            headers['Cache-Control'] = cache
        return headers

    def _decompressed(self, request, filename, headers):
        """The .gz file decompressed on the fly (length unknown: chunked)."""
        f = open(filename, 'rb')
        first = None
        try:
            f = _gunzip(f)
            if request.method.upper() == 'GET':
                # the first read allocates the 32 KB gzip window: fail now,
                # with a status, rather than in the middle of the body
                first = f.read(self.buffer_size)
        except MemoryError:
            f.close()
            return 'Service unavailable: no memory to decompress', 503
        return Response(FileBody(f, 0, None, self.buffer_size, first), 200,
                        headers)

    def _join(self, rel):
        if not rel:
            return self.root
        return self.root + rel if self.root == '/' else \
            self.root + '/' + rel

    def _inside_root(self, name):
        """False for a symbolic link that leads out of root (CPython; the
        MicroPython ports have no realpath)."""
        if self._real_root is None:
            return True
        real = os.path.realpath(name)
        return real == self._real_root or \
            real.startswith(self._real_root.rstrip(os.sep) + os.sep)

    @staticmethod
    def _not_modified(headers, etag, mtime):
        inm = headers.get('If-None-Match')
        if inm is not None:  # it wins over If-Modified-Since (RFC 9110)
            return etag is not None and _matches(etag, inm)
        ims = headers.get('If-Modified-Since')
        if ims is None or mtime is None:
            return False
        since = parse_http_date(ims)
        return since is not None and mtime <= since

    @staticmethod
    def _range_applies(if_range, etag, mtime):
        if if_range is None:
            return True
        if_range = if_range.strip()
        if if_range.startswith('"'):
            return if_range == etag  # strong comparison
        return mtime is not None and parse_http_date(if_range) == mtime

    def etag(self, rel, size, mtime):
        """The strong ETag of the file `rel`: its content hash from the
        bundle's manifest, else its size and modification time (None when
        the filesystem keeps no times and no manifest lists the file)."""
        entry = self.manifest().get(rel)
        if entry is not None and entry[0] == size:
            return '"%s"' % entry[1]
        if mtime > 0:
            return '"%x-%x%s"' % (mtime, size, '-gz' if rel.endswith('.gz')
                                  else '')
        return None

    def manifest(self):
        """{path: (size, hash)} from root/.etags, read once."""
        if self._manifest is None:
            self._manifest = {}
            try:
                with open(self._join(MANIFEST)) as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) == 3:
                            self._manifest[parts[0]] = (int(parts[1]),
                                                        parts[2])
            except (OSError, ValueError):
                pass
        return self._manifest

    def content_type(self, rel):
        """Media type from the extension, with a charset for text."""
        ext = rel.rsplit('.', 1)[-1].lower() if '.' in rel else ''
        content_type = Response.types_map.get(ext,
                                              'application/octet-stream')
        for prefix in TEXT_TYPES:
            if content_type.startswith(prefix):
                return content_type + '; charset=UTF-8'
        return content_type

    def cache_control(self, rel):
        """The Cache-Control value for the file `rel` (None: none)."""
        if _fingerprinted(rel):
            return self.immutable_cache_control
        if self.html_cache_control is not None and \
                rel.rsplit('.', 1)[-1].lower() in ('html', 'htm'):
            return self.html_cache_control
        if self.max_age is None:
            return None
        return 'max-age=%d' % self.max_age
