# Static files done properly: ETag/304, Range/206, gzip negotiation and
# caching headers, from an ordinary folder or from a ROMFS image at /rom.
# What a plain GET needs is here; Range, client dates, gzip negotiation and
# the ROMFS manifest are in microdot._static_more, imported on first use
# (loaded from .mpy, all of a module's code stays in the heap).
import gc
import os
import sys
import time

from microdot.microdot import _DAYS, _HEX_CHARS, _MONTHS, Microdot, Response

#: The file `make romfs` writes in a bundle's static folders: one
#: `<path> <size> <content hash>` line per file, for ETags that do not depend
#: on a clock (ROMFS has no modification times).
MANIFEST = '.etags'

TEXT_TYPES = ('application/javascript', 'application/json',
              'application/xml', 'image/svg+xml')

# CPython's transports may keep a reference to the bytes they are given
# instead of copying them, so a buffer reused for the next chunk would change
# data not yet sent; MicroPython's streams copy what they do not send at once.
_REUSE_BUFFERS = sys.implementation.name == 'micropython'

try:  # seconds to add to a file time to get Unix time
    _EPOCH = 946684800 if time.gmtime(0)[0] == 2000 else 0
except Exception:  # no clock: no Last-Modified
    _EPOCH = None


def _more():
    if 'microdot._static_more' not in sys.modules:
        gc.collect()  # its code then fills holes low in the heap
    from microdot import _static_more
    return _static_more


def http_date(seconds):
    """Unix time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)."""
    days, rest = divmod(int(seconds), 86400)
    # the civil date of a day number (H. Hinnant's algorithm)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = (mp + 2) % 12 * 3
    w = (days + 3) % 7 * 3
    return '%s, %02d %s %04d %02d:%02d:%02d GMT' % (
        _DAYS[w:w + 3], doy - (153 * mp + 2) // 5 + 1, _MONTHS[m:m + 3],
        yoe + era * 400 + (mp >= 10), rest // 3600, rest // 60 % 60,
        rest % 60)


def safe_path(path):
    """The relative path `path` names inside a folder, or None when it could
    name something outside (`..`, absolute, backslash, NUL, drive), after
    percent-decoding (no '+' rule in paths)."""
    if '%' in path:
        path = _more().unquote(path)
    if path is None or '\\' in path or '\x00' in path or ':' in path:
        return None
    if path.endswith('/'):
        path = path[:-1]
    for part in path.split('/') if path else ():
        if part in ('', '.', '..'):
            return None
    return path


def _stat(path):
    """(is_dir, size, mtime) or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st[0] & 0x4000 != 0, st[6], st[8]


class FileBody:
    """A response body the core streams as a file, `size` bytes at a time:
    `read(n)` gives the next n bytes (fewer only at the end) of `left` bytes
    (None: all) from `start`, after `first`, a chunk read already.

    On MicroPython the chunks are one buffer, refilled with readinto (the
    core's stream has sent or copied a chunk before it asks for the next)
    and dropped with the body: a buffer kept for the next response would stay
    wherever it was made and split the heap, so that the server's own reads
    would find no room (`bench/static_mem.py`). In a heap too fragmented for
    `size` bytes, the buffer is of size/2, size/4... down to 64 bytes. A
    ROMFS file is sent straight from flash through memoryview slices, with
    no buffer at all."""

    def __init__(self, f, size, start=0, left=None, first=None):
        self.f = f
        self.left = left
        self.pos = start
        self.first = first
        self.buf = None
        self.size = size
        try:
            self.mapped = memoryview(f)  # a ROMFS file: its bytes in flash
        except TypeError:
            self.mapped = None
            if start:
                f.seek(start)
            while _REUSE_BUFFERS and self.buf is None:
                try:
                    self.buf = bytearray(size)
                except MemoryError:
                    if size <= 64:
                        raise
                    size //= 2

    def response(self, status, headers):
        res = Response(self, status, headers)
        # the chunk size read() is asked for
        res.send_file_buffer_size = len(self.buf) if self.buf else self.size
        return res

    def read(self, n):
        if self.left is not None:
            n = min(n, self.left)
        if self.first is not None:
            chunk, self.first = self.first, None
        elif n <= 0 or self.f is None:
            return b''
        elif self.mapped is not None:
            chunk = self.mapped[self.pos:self.pos + n]
            self.pos += n
        elif self.buf is not None:
            buf = self.buf
            if n > len(buf):  # a reader that asks more than response() said
                buf = self.buf = bytearray(n)
            if n == len(buf):
                k = self.f.readinto(buf)
                chunk = buf if k == n else memoryview(buf)[:k]
            else:  # a range's last chunk
                chunk = memoryview(buf)[:n]
                chunk = chunk[:self.f.readinto(chunk)]
        else:
            chunk = self.f.read(n)
        if self.left is not None:
            self.left -= len(chunk)
        return chunk

    def close(self):
        self.buf = self.mapped = None
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
        self.base = '/' if self.root == '/' else self.root + '/'
        self.manifest = None  # {path: (size, hash)}, read on first use
        self.real_root = None
        if hasattr(os, 'path') and hasattr(os.path, 'realpath'):
            self.real_root = os.path.realpath(self.root)  # CPython
        if app is not None:
            self.initialize(app)

    def initialize(self, app):
        prefix = self.url_prefix
        # the folder itself is '', with or without a slash
        app.route(prefix + '/<re:.*:path>', methods=['GET'])(self.handle)
        if prefix:
            app.route(prefix, methods=['GET'])(self.handle)

    async def handle(self, request, path=''):
        """The response to a GET or HEAD of `path` (relative to root)."""
        rel, name, st, gz = self._find(path)
        headers = request.headers
        get = request.method.upper() == 'GET'
        send_gz = decompress = False
        if gz:
            send_gz, decompress = _more().negotiate(
                headers.get('Accept-Encoding'), st)
            if decompress and _more()._gunzip is None:
                return 'Not acceptable: only stored gzip-compressed', 406
        variant = rel
        if send_gz or decompress:
            name, variant, st = name + '.gz', rel + '.gz', gz
        size, mtime = st[1], st[2]
        # strong: the content hash from a bundle's manifest, else size and
        # modification time (none when the filesystem keeps no times)
        if self.manifest is None:
            manifest = self.base + MANIFEST
            self.manifest = _more().read_manifest(manifest) \
                if _stat(manifest) else {}
        etag = self.manifest.get(variant)
        if etag is not None and etag[0] == size:
            etag = '"%s"' % etag[1]
        elif mtime > 0:
            etag = '"%x-%x%s"' % (mtime, size, '-gz' if variant[-3:] == '.gz'
                                  else '')
        else:
            etag = None
        if etag and decompress:
            etag = etag[:-1] + '-identity"'
        mtime = mtime + _EPOCH if _EPOCH is not None and mtime > 0 else None

        ext = rel.rsplit('.', 1)[-1].lower() if '.' in rel else ''
        ctype = Response.types_map.get(ext, 'application/octet-stream')
        if ctype[:5] == 'text/' or ctype in TEXT_TYPES:
            ctype += '; charset=UTF-8'
        res_headers = {'Content-Type': ctype}
        if gz:
            res_headers['Vary'] = 'Accept-Encoding'
        if send_gz:
            res_headers['Content-Encoding'] = 'gzip'
        if etag:
            res_headers['ETag'] = etag
        if mtime is not None:
            res_headers['Last-Modified'] = http_date(mtime)
        cache = None
        if self.max_age is not None:
            cache = 'max-age=%d' % self.max_age
        if self.html_cache_control is not None and ext in ('html', 'htm'):
            cache = self.html_cache_control
        for part in rel.rsplit('/', 1)[-1].split('.')[1:-1]:
            # a hash of 8 or more hex digits between dots, as in
            # app.3f9a2b1c.js, changes whenever the content does
            if len(part) >= 8 and not part.strip(_HEX_CHARS):
                cache = self.immutable_cache_control
        if cache:
            res_headers['Cache-Control'] = cache

        inm = headers.get('If-None-Match')
        if inm is not None:  # it wins over If-Modified-Since (RFC 9110)
            not_modified = False
            for tag in inm.split(',') if etag else ():
                tag = tag.strip()
                if tag == '*' or (tag[2:] if tag[:2] == 'W/' else tag) == etag:
                    not_modified = True  # (a weak comparison)
        else:
            ims = headers.get('If-Modified-Since')
            not_modified = ims is not None and mtime is not None and \
                _more().not_modified_since(ims, mtime)
        if not_modified:
            if not decompress:
                res_headers['Content-Length'] = str(size)
            return Response(None, 304, res_headers)
        if decompress:
            return _more().decompressed(get, name, res_headers,
                                        self.buffer_size)
        start, end, status = 0, size, 200
        if get and headers.get('Range') is not None:
            byte_range = _more().requested_range(headers, size, etag, mtime)
            if byte_range is False:
                res_headers['Content-Range'] = 'bytes */%d' % size
                return Response(b'', 416, res_headers)
            if byte_range:
                start, end = byte_range
                status = 206
                res_headers['Content-Range'] = 'bytes %d-%d/%d' % (
                    start, end - 1, size)
        res_headers['Content-Length'] = str(end - start)
        return FileBody(open(name, 'rb'), self.buffer_size, start,
                        end - start).response(status, res_headers)

    def _find(self, path):
        """(relative path, file name, stat, stat of the .gz copy) of what
        `path` names; 404 when nothing (or something outside root)."""
        rel = safe_path(path)
        if rel is None or rel.rsplit('/', 1)[-1] == MANIFEST:
            Microdot.abort(404)
        name = self.base + rel if rel else self.root
        st = _stat(name)
        if st and st[0]:
            if self.index is None:
                Microdot.abort(404)
            rel = rel + '/' + self.index if rel else self.index
            name = self.base + rel
            st = _stat(name)
            if st and st[0]:
                st = None
        elif st and path.endswith('/'):
            Microdot.abort(404)  # a file named as a folder
        gz = None if rel.endswith('.gz') else _stat(name + '.gz')
        if gz and gz[0]:
            gz = None
        if st is None and gz is None:
            Microdot.abort(404)
        real_root = self.real_root
        if real_root is not None:
            # CPython (MicroPython has no realpath): a symbolic link must not
            # lead out of root
            real = os.path.realpath(name if st else name + '.gz')
            if real != real_root and \
                    not real.startswith(real_root.rstrip(os.sep) + os.sep):
                Microdot.abort(404)
        return rel, name, st, gz
