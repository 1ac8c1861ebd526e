"""
microdot
--------

A Microdot-compatible web framework for MicroPython and CPython, in one file.

This module works alone: copy it onto a board as ``microdot.py`` and
``from microdot import Microdot`` serves an app. Within the package it loads
one sibling on first use, microdot/_chunked.py, for the rare chunked request
body (alone, it answers those with 501).
"""
import asyncio
import gc
import io
import json
import re
import sys
import time
from collections import namedtuple

__version__ = '0.1.0'

MICROPYTHON = sys.implementation.name == 'micropython'

if not MICROPYTHON:
    import functools
    import inspect

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

# EPIPE, ECONNRESET (BSD), ECONNRESET (Linux), ENOTCONN (lwIP): a client
# that went away, not a server error.
MUTED_SOCKET_ERRORS = [32, 54, 104, 128]


def _is_muted(exc):
    if not isinstance(exc, OSError):
        return False
    code = exc.errno if getattr(exc, 'errno', None) is not None else (
        exc.args[0] if exc.args else None)
    # MicroPython's TLS errors are negative mbedTLS codes: a client that
    # hangs up before or during the handshake, or that does not speak TLS.
    return code in MUTED_SOCKET_ERRORS or code == 'Connection lost' or (
        isinstance(code, int) and code < 0)


def iscoroutine(obj):
    if MICROPYTHON:
        return hasattr(obj, 'send') and hasattr(obj, 'throw')
    return inspect.iscoroutine(obj)


def print_exception(exc):
    if MICROPYTHON:
        sys.print_exception(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


async def invoke_handler(handler, *args, **kwargs):
    """Call a handler that may be a plain function or a coroutine function.

    On CPython plain functions run in the loop's thread pool, so a blocking
    handler does not stop the server; MicroPython calls them inline.
    """
    if MICROPYTHON:
        ret = handler(*args, **kwargs)
        if hasattr(ret, 'send') and hasattr(ret, 'throw'):
            ret = await ret
        return ret
    is_async = _coroutine_functions.get(handler)
    if is_async is None:
        if len(_coroutine_functions) > 256:  # e.g. per-request closures
            _coroutine_functions.clear()
        is_async = _coroutine_functions[handler] = \
            inspect.iscoroutinefunction(handler)
    if is_async:
        ret = await handler(*args, **kwargs)
    else:
        ret = await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(handler, *args, **kwargs))
    if hasattr(ret, '__await__'):
        ret = await ret
    return ret


# handler -> whether it is a coroutine function (inspect is slow to tell)
_coroutine_functions = {}


def mro(cls):
    """The classes searched for an exception handler, most specific first."""
    if hasattr(cls, 'mro'):
        return cls.__mro__
    # MicroPython has no __mro__: a depth-first walk over the bases, keeping
    # the last occurrence of a class seen twice, as MicroPython looks up.
    order = []
    stack = [cls]
    while stack:
        c = stack.pop(0)
        if c in order:
            order.remove(c)
        order.append(c)
        stack = list(c.__bases__) + stack
    return order


# The JSON backend: the standard library's by default, so the output format
# never depends on what happens to be installed. set_json_backend(orjson)
# (or any object with dumps and loads) opts into another.
_json = json


def set_json_backend(backend):
    global _json
    _json = backend


def json_dumps(obj):
    return _json.dumps(obj)


def json_loads(text):
    return _json.loads(text)


def _decode(data):
    """UTF-8 decode, replacing invalid bytes (MicroPython has no errors=)."""
    try:
        return data.decode()
    except UnicodeError:
        return ''.join(chr(c) if c < 128 else '\ufffd' for c in data)


_HEX_CHARS = '0123456789abcdefABCDEF'
_HEX = _HEX_CHARS.encode()


def urldecode(s):
    """Decode a URL-encoded string or bytes. `+` is a space; malformed
    percent escapes are kept literally."""
    if isinstance(s, str):
        s = s.encode()
    s = s.replace(b'+', b' ')
    if b'%' not in s:
        return _decode(s)
    parts = s.split(b'%')
    out = bytearray(parts[0])
    for part in parts[1:]:
        if len(part) >= 2 and part[0] in _HEX and part[1] in _HEX:
            out.append(int(part[:2], 16))
            out += part[2:]
        else:
            out += b'%'
            out += part
    return _decode(bytes(out))


_URL_SAFE = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' \
    b'0123456789-._~/'


def urlencode(s):
    """Percent-encode a string for a query value (RFC 3986; `/` is kept and
    a space becomes `+`)."""
    out = []
    for c in s.encode() if isinstance(s, str) else s:
        if c in _URL_SAFE:
            out.append(chr(c))
        elif c == 32:
            out.append('+')
        else:
            out.append('%%%02X' % c)
    return ''.join(out)


def _parse_urlencoded(data):
    """Parse `a=1&b=2` (str or bytes) into a MultiDict of str values."""
    args = MultiDict()
    if isinstance(data, (bytes, bytearray)):
        data = _decode(data)
    for pair in data.split('&'):
        if not pair:
            continue
        key, sep, value = pair.partition('=')
        args[urldecode(key)] = urldecode(value) if value else ''
    return args


class NoCaseDict(dict):
    """A dict with case-insensitive string keys that keeps the spelling a
    key was first stored with."""

    def __init__(self, initial_dict=None):
        super().__init__()
        self.keymap = {}
        if initial_dict:
            self.update(initial_dict)

    def __setitem__(self, key, value):
        lower = key.lower()
        stored = self.keymap.get(lower)
        if stored is None:
            self.keymap[lower] = stored = key
        super().__setitem__(stored, value)

    def __getitem__(self, key):
        return super().__getitem__(self.keymap.get(key.lower(), key))

    def __delitem__(self, key):
        stored = self.keymap.pop(key.lower(), key)
        super().__delitem__(stored)

    def __contains__(self, key):
        return key.lower() in self.keymap

    def _add(self, key, lower, value):
        """Store a key known to be absent whose lower-case form the caller
        has (no copy of the key is lowered)."""
        self.keymap[lower] = key
        super().__setitem__(key, value)

    def get(self, key, default=None):
        stored = self.keymap.get(key.lower())
        return default if stored is None else super().__getitem__(stored)

    def pop(self, key, *default):
        stored = self.keymap.pop(key.lower(), None)
        if stored is None:
            if default:
                return default[0]
            raise KeyError(key)
        return super().pop(stored)

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, other_dict):
        for key, value in other_dict.items():
            self[key] = value

    def copy(self):
        return NoCaseDict(self)

    def clear(self):
        super().clear()
        self.keymap.clear()

    def popitem(self):
        key, value = super().popitem()
        self.keymap.pop(key.lower(), None)
        return key, value


class MultiDict(dict):
    """A dict that keeps every value given for a key, as a list.

    ``d[key] = value`` appends; ``d[key]`` and ``get()`` return the first
    value; ``getlist()`` returns them all.
    """

    def __init__(self, initial_dict=None):
        super().__init__()
        if initial_dict:
            for key, value in initial_dict.items():
                self[key] = value

    def __setitem__(self, key, value):
        values = super().get(key)
        if values is None:
            super().__setitem__(key, [value])
        else:
            values.append(value)

    def __getitem__(self, key):
        return super().__getitem__(key)[0]

    def get(self, key, default=None, type=None):
        values = super().get(key)
        if not values:
            return default
        return type(values[0]) if type else values[0]

    def getlist(self, key, type=None):
        values = super().get(key) or []
        return [type(v) for v in values] if type else list(values)

    def setlist(self, key, values):
        super().__setitem__(key, list(values))

    def to_dict(self):
        """A plain dict with the first value of each key."""
        return {key: values[0] for key, values in self.items()}


async def _readuntil(stream, separator):
    """Read up to and including separator (or the end) from a stream that
    only has read(n)."""
    data = b''
    while not data.endswith(separator):
        byte = await stream.read(1)
        if not byte:
            break
        data += byte
    return data


class AsyncBytesIO:
    """An in-memory stream with the async interface of a socket stream."""

    def __init__(self, data):
        self.stream = io.BytesIO(data)

    async def read(self, n=-1):
        return self.stream.read(n)

    async def readline(self):
        return self.stream.readline()

    async def readexactly(self, n):
        return self.stream.read(n)

    async def readuntil(self, separator=b'\n'):
        return await _readuntil(self, separator)

    async def awrite(self, data):
        return self.stream.write(data)

    async def aclose(self):
        pass


class HTTPException(Exception):
    def __init__(self, status_code, reason=None):
        self.status_code = status_code
        self.reason = reason or str(status_code) + ' error'



# ---------------------------------------------------------------------------
# URL patterns
# ---------------------------------------------------------------------------

_REGEX_SPECIAL = '\\.^$*+?{}[]|()'


def _count_groups(regex):
    """Number of capturing groups in a regex (MicroPython's re cannot say)."""
    count = 0
    escaped = in_class = False
    for i, c in enumerate(regex):
        if escaped:
            escaped = False
        elif c == '\\':
            escaped = True
        elif in_class:
            in_class = c != ']'
        elif c == '[':
            in_class = True
        elif c == '(' and regex[i + 1:i + 2] != '?':
            count += 1
    return count


_NO_ARGS = {}  # the arguments of every static route (never modified)
_NO_HEADERS = {}  # stands in for headers that are parsed later


class URLPattern:
    segment_patterns = {
        'string': '/([^/]+)',
        'int': '/(-?\\d+)',
        'path': '/(.+)',
    }
    segment_parsers = {
        'int': int,
    }

    @classmethod
    def register_type(cls, type_name, pattern='[^/]+', parser=None):
        cls.segment_patterns[type_name] = '/(' + pattern + ')'
        cls.segment_parsers[type_name] = parser

    def __init__(self, url_pattern):
        self.url_pattern = url_pattern
        self.segments = []
        self.regex = None
        self._static = None

    def _parse(self):
        """Validate the pattern. A pattern without dynamic parts is matched
        by string comparison; only dynamic ones get a regex."""
        if '\x00' in self.url_pattern:  # MicroPython's re stops at a NUL
            raise ValueError('invalid URL pattern')
        source = ''
        segments = []
        group = 1
        dynamic = False
        for segment in self.url_pattern.lstrip('/').split('/'):
            if segment and segment[0] == '<':
                if segment[-1] != '>':
                    raise ValueError('invalid URL pattern')
                type_, _, name = segment[1:-1].rpartition(':')
                if not type_:
                    type_ = 'string'
                if type_.startswith('re:'):
                    fragment = '/(' + type_[3:] + ')'
                    parser = None
                    type_ = 're'
                else:
                    if type_ not in self.segment_patterns:
                        raise ValueError('invalid URL segment type')
                    fragment = self.segment_patterns[type_]
                    parser = self.segment_parsers.get(type_)
                segments.append({'parser': parser, 'name': name,
                                 'type': type_, 'group': group})
                group += _count_groups(fragment)
                source += fragment
                dynamic = True
            else:
                segments.append({'parser': None})
                source += '/' + ''.join(
                    '\\' + c if c in _REGEX_SPECIAL else c for c in segment)
        if dynamic and _count_groups(source) != group - 1:
            # a re: segment's class or group ran into the next segment
            raise ValueError('invalid URL pattern')
        self.segments = segments
        if dynamic:
            self.regex = re.compile('^' + source + '$')
            self._static = None
        else:
            self._static = '/' + self.url_pattern.lstrip('/')
        return source

    def compile(self):
        source = self._parse()
        if self.regex is None:
            self.regex = re.compile('^' + source + '$')
        return self.regex

    def match(self, path):
        if self._static is None and self.regex is None:
            self._parse()
        if self._static is not None:
            return _NO_ARGS if path == self._static else None
        try:
            g = self.regex.match(path)
        except RuntimeError:  # MicroPython's re: too deep for a long path
            return None
        if not g:
            return None
        args = {}
        for segment in self.segments:
            if 'name' not in segment:
                continue
            value = g.group(segment['group'])
            parser = segment['parser']
            if parser:
                value = parser(value)
                if value is None:
                    return None
            args[segment['name']] = value
        return args

    def __repr__(self):  # pragma: no cover
        return 'URLPattern: {}'.format(self.url_pattern)


# ---------------------------------------------------------------------------
# Requests: turning bytes into a Request (no sockets here)
# ---------------------------------------------------------------------------

class _BoundedStream:
    """A request body read from the connection, ending after
    Content-Length bytes so that read-to-end cannot hang."""

    def __init__(self, reader, length):
        self.reader = reader
        self.remaining = length

    async def read(self, n=-1):
        """Up to n bytes as they arrive; with no n, the rest of the body
        (read(n) in a loop streams a large body in bounded memory)."""
        if n < 0:
            return await self.readexactly(self.remaining)
        if self.remaining <= 0 or n == 0:
            return b''
        conn = _timed(self.reader)
        data = await self.reader.read(min(n, self.remaining))
        _untimed(conn)
        if not data:
            raise EOFError('body truncated')
        self.remaining -= len(data)
        return data

    async def readexactly(self, n):
        n = min(n, self.remaining)
        if n <= 0:
            return b''
        conn = _timed(self.reader)
        data = await self.reader.readexactly(n)
        _untimed(conn)
        if len(data) < n:
            raise EOFError('body truncated')
        self.remaining -= n
        return data

    async def readuntil(self, separator=b'\n'):
        return await _readuntil(self, separator)

    async def readline(self):
        return await _readuntil(self, b'\n')

    async def aclose(self):
        pass


def _timed(reader):
    """The server connection behind a reader, with a deadline set for the
    body read about to start (a stalled client is dropped, and a waiting
    client may have its slot), or None."""
    conn = getattr(reader, 'conn', None)
    if conn is not None and not conn.deadline:
        conn.request_deadline = 0
        conn.expect(conn.app.io_timeout)
        conn.waiting_since = _ticks_ms()
        return conn
    return None


def _untimed(conn):
    if conn is not None:
        conn.deadline = 0
        conn.waiting_since = None


_read_buffer = None  # see _BufferedReader.fill


class _BufferedReader:
    """Buffers a socket stream: lines are found in big reads (MicroPython's
    streams read lines one byte per system call), a line longer than
    Request.max_readline is refused before it is all in memory, and an idle
    connection can wait for data without reading a request."""

    def __init__(self, stream, conn=None,
                 size=1024 if MICROPYTHON else 65536):
        self.stream = stream
        self.conn = conn  # a server connection: reads keep its deadline
        self.size = size
        self.buf = b''

    async def fill(self):
        """Read what arrives next into buf; False at the end of the
        stream."""
        stream = self.stream
        if MICROPYTHON and hasattr(stream, 'readinto'):
            # into the shared buffer, and only what arrived copied out
            # (before another task can run): a fresh 1 KB block per read
            # needs room a small, fragmented heap may not have
            global _read_buffer
            if _read_buffer is None:
                _read_buffer = memoryview(bytearray(1024))
            buf = _read_buffer if self.size >= 1024 else \
                _read_buffer[:self.size]
            n = None
            while n is None:  # (a TLS stream may have no whole record yet)
                n = await stream.readinto(buf)
            data = bytes(buf[:n])
        else:
            data = await stream.read(self.size)
        if data:
            self.buf = self.buf + data if self.buf else data
        return bool(data)

    async def read_head(self):
        """The request line and headers, up to the blank line, in one piece
        (parsed at once rather than line by line)."""
        line_limit = Request.max_readline
        start = 0
        while True:
            buf = self.buf
            # empty lines before a request line are ignored (RFC 9112 2.2)
            while buf[:1] == b'\n' or buf[:2] == b'\r\n':
                buf = self.buf = buf[buf.find(b'\n') + 1:]
                start = 0
            # where the blank line ending the head ends (CRLF or bare LF)
            lf = buf.find(b'\n\n', start)
            crlf = buf.find(b'\n\r\n', start)
            if crlf >= 0 and (lf < 0 or crlf < lf):
                end = crlf + 3
                break
            if lf >= 0:
                end = lf + 2
                break
            if len(buf) - buf.rfind(b'\n') > line_limit or \
                    len(buf) > line_limit * 8:
                raise ValueError('request head too long')
            start = max(len(buf) - 2, 0)
            if not await self.fill():
                end = len(buf)
                break
        head = self.buf
        if end < len(head):  # more requests are buffered (pipelining)
            self.buf = head[end:]
            head = head[:end]
        else:
            self.buf = b''
        return head

    async def readline(self):
        return await self.readuntil(b'\n', Request.max_readline)

    async def read(self, n=-1):
        if not self.buf:
            if n < 0:
                n = 65536
            return await self.stream.read(n)
        if n < 0 or n >= len(self.buf):
            data = self.buf
            self.buf = b''
        else:
            data = self.buf[:n]
            self.buf = self.buf[n:]
        return data

    async def readexactly(self, n):
        buf = self.buf
        if len(buf) < n:  # the rest comes straight from the stream
            self.buf = b''
            if self.conn is not None and self.conn.deadline:
                return await self._read_moving(buf, n)
            rest = await self.stream.readexactly(n - len(buf))
            return buf + rest if buf else rest
        if len(buf) == n:
            self.buf = b''
            return buf
        self.buf = buf[n:]
        return buf[:n]

    async def _read_moving(self, buf, n):
        """n bytes while a deadline runs: each read that brings data
        gives the client io_timeout more (never past request_timeout).
        Memory grows with what arrives, not with what was announced."""
        conn = self.conn
        parts = [buf] if buf else []
        got = len(buf)
        while got < n:
            chunk = await self.stream.read(min(n - got, 4096))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
            conn.keep_moving()
        return parts[0] if len(parts) == 1 else b''.join(parts)

    async def readuntil(self, separator=b'\n', limit=0):
        while True:
            i = self.buf.find(separator)
            if i >= 0:
                i += len(separator)
                data = self.buf[:i]
                self.buf = self.buf[i:]
                return data
            if limit and len(self.buf) > limit:
                raise ValueError('line too long')
            if not await self.fill():
                data = self.buf
                self.buf = b''
                return data


async def _read_head(reader):
    """The request line and headers, up to the blank line (any stream);
    empty lines before the request line are skipped."""
    lines = []
    while True:
        line = await _read_line(reader)
        if not lines and line in (b'\r\n', b'\n'):
            continue
        lines.append(line)
        if line in (b'', b'\r\n', b'\n') or \
                len(lines) > Request.max_headers + 2:
            return b''.join(lines)


# Characters no request head may hold (RFC 9110 5.5: no CTLs but HTAB; CR
# only before LF and NUL are checked apart: MicroPython's re stops at a NUL).
_CTL = re.compile('[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]')


def _has_ctl(text):
    return '\x00' in text or _CTL.search(text) is not None
# Characters of a token (RFC 9110 5.6.2): method and header names.
_TOKEN = '!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz' \
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
_DIGITS = '0123456789'


def _bad(status=400):
    """The error for a refused head: ValueError for 400 (as upstream's
    Request.create raises), HTTPException for 501 and 505."""
    return ValueError('bad request head') if status == 400 else \
        HTTPException(status)


def parse_request_head(head):
    """Parse one request head (bytes, from the request line through the
    empty line ending it; lines end with CRLF or a bare LF). No I/O.

    Returns (method, url, http_version, lines, content_length, chunked,
    keep_alive, expect_continue): url is in origin form (an absolute-form
    target gives its path and query), lines are the decoded header lines
    (parsed into request.headers only when an app asks), content_length
    is None without the header. A head the server must refuse raises
    ValueError (400) or HTTPException: 501 (a transfer coding other than
    chunked) or 505 (an HTTP version other than 1.0 and 1.1)."""
    if head.count(b'\r') != head.count(b'\r\n'):
        raise _bad()
    try:
        text = head.decode()
    except UnicodeError:  # obs-text in a value is opaque data, line by line
        text = '\n'.join([_decode(line) for line in head.split(b'\n')])
    if _has_ctl(text):
        raise _bad()
    crlf = head.count(b'\r\n')
    if crlf == head.count(b'\n'):  # no copy of the head to split it
        lines = text.split('\r\n')
    else:
        lines = text.replace('\r\n', '\n').split('\n')
    if len(lines) < 3 or lines[-1] or lines[-2]:
        raise _bad()  # no empty line: the head is incomplete
    del lines[-2:]
    if len(lines) > Request.max_headers + 1:  # (with the request line)
        raise _bad()
    request_line = lines.pop(0)
    end = head.find(b'\n')
    if end > 0 and head[end - 1] == 13:
        end -= 1
    if len(request_line) != end or '\ufffd' in request_line:
        raise _bad()  # a request line is ASCII: clients percent-encode
    limit = Request.max_readline
    if end >= limit:  # (as header lines: a reader may give it whole)
        raise _bad()
    parts = request_line.split(' ')
    if len(parts) != 3 or not parts[0] or parts[0].strip(_TOKEN):
        raise _bad()
    method, url, version = parts
    if version == 'HTTP/1.1':
        version = '1.1'
    elif version == 'HTTP/1.0':
        version = '1.0'
    elif len(version) == 8 and version[:5] == 'HTTP/' and \
            version[6] == '.' and version[5] in _DIGITS and \
            version[7] in _DIGITS:
        raise _bad(505)
    else:
        raise _bad()
    url = _origin_form(method, url)
    lengths = []
    codings = None
    connection = expect = ''
    hosts = 0
    for line in lines:
        colon = line.find(':')
        if len(line) >= limit or colon <= 0:
            raise _bad()
        name = line[:colon]
        if name.strip(_TOKEN):
            raise _bad()  # (also a space before the colon, or obs-fold)
        if colon in _FRAMING_NAME_LENGTHS:  # (only those are lowered)
            name = name.lower()
            if name == 'host':
                hosts += 1
            elif name == 'connection':  # lines of a name make one list
                connection += ',' + line[colon + 1:].lower()
            elif name == 'content-length':
                lengths.append(line[colon + 1:].strip(' \t'))
            elif name == 'transfer-encoding':
                codings = (codings + ',' if codings else '') + \
                    line[colon + 1:]
            elif name == 'expect':
                expect += ',' + line[colon + 1:].lower()
    if hosts > 1 or (not hosts and version == '1.1'):
        raise _bad()
    content_length = None
    if lengths:
        first = lengths[0]
        if not first or first.strip(_DIGITS) or len(first) > 15 or \
                any(value != first for value in lengths):
            raise _bad()
        content_length = int(first)
    chunked = False
    if codings is not None:
        codings = [c.strip(' \t').lower() for c in codings.split(',')]
        codings = [c for c in codings if c]
        if lengths or version == '1.0' or not codings or \
                codings[-1] != 'chunked':
            raise _bad()
        if len(codings) > 1:
            raise _bad(501)  # no transfer coding but chunked is supported
        chunked = True
    if version == '1.1':
        keep_alive = not (connection and _has_token(connection, 'close'))
    else:  # (close wins, as on HTTP/1.1)
        keep_alive = bool(connection) and \
            _has_token(connection, 'keep-alive') and \
            not _has_token(connection, 'close')
    return (method, url, version, lines, content_length, chunked,
            keep_alive, bool(expect) and _has_token(expect, '100-continue'))


# The lengths of the names parse_request_head reads: Host, Expect,
# Connection, Content-Length, Transfer-Encoding.
_FRAMING_NAME_LENGTHS = (4, 6, 10, 14, 17)


def _has_token(items, token):
    """Whether a comma-separated list (lower case) holds token."""
    for item in items.split(','):
        if item.strip(' \t') == token:
            return True
    return False


def _origin_form(method, target):
    """The request target as a path and query (RFC 9112 3.2)."""
    if target[:1] != '/':
        if target == '*' and method == 'OPTIONS':
            return target
        scheme = target[:8].lower()
        if scheme[:7] == 'http://':
            start = 7
        elif scheme == 'https://':
            start = 8
        else:
            raise _bad()
        end = start
        while end < len(target) and target[end] not in '/?#':
            end += 1
        if end == start:
            raise _bad()  # no authority
        target = target[end:]
        if target[:1] != '/':
            target = '/' + target
    percent = target.find('%')
    if percent >= 0:
        query = target.find('?')
        if query < 0 or percent < query:
            # invalid escapes and an escaped NUL or slash in the path are
            # refused: they would change what a file API or a route sees
            path = target if query < 0 else target[:query]
            for part in path.split('%')[1:]:
                if len(part) < 2 or part[0] not in _HEX_CHARS or \
                        part[1] not in _HEX_CHARS or part[:2] == '00' or \
                        part[:2] in ('2f', '2F'):
                    raise _bad()
    return target


def parse_header_lines(lines):
    """The header lines of a head (from parse_request_head) as a
    NoCaseDict; a repeated name keeps its last value (as upstream)."""
    headers = NoCaseDict()
    for line in lines:
        i = line.find(':')
        headers[line[:i]] = line[i + 1:].strip(' \t')
    return headers


async def _read_line(reader):
    line = await reader.readline()
    if len(line) > Request.max_readline:
        raise ValueError('line too long')
    return line


def _chunked_body_reader():
    """read_body of microdot/_chunked.py, loaded on the first chunked
    request; None when this module was copied alone."""
    try:
        from . import _chunked
    except ImportError:
        return None
    return _chunked.read_body


def _json_depth(data):
    """How deeply a JSON text nests arrays and objects (brackets inside
    strings do not count). Cheap for the usual shallow document: only a
    text with many brackets is scanned."""
    if isinstance(data, str):
        data = data.encode()
    opening = data.count(b'[') + data.count(b'{')
    if opening <= Request.max_json_depth:
        return opening
    depth = deepest = 0
    in_string = escaped = False
    for c in data:
        if in_string:
            if escaped:
                escaped = False
            elif c == 92:  # backslash
                escaped = True
            elif c == 34:  # quote
                in_string = False
        elif c == 34:
            in_string = True
        elif c == 91 or c == 123:  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
        elif c == 93 or c == 125:  # ] }
            depth -= 1
    return deepest


class Request:
    #: Declared bodies larger than this get 413.
    max_content_length = 16 * 1024
    #: Bodies up to this size are loaded into ``body``; larger ones are
    #: only available as ``stream``.
    max_body_length = 16 * 1024
    #: Longest request or header line, terminator included.
    max_readline = 2 * 1024
    #: Most header lines a request may have.
    max_headers = 100
    #: Deepest nesting of arrays and objects a JSON body may have (deeper
    #: ones get 400 instead of exhausting the parser's stack or heap).
    max_json_depth = 32

    class G:
        pass

    # Defaults read through the class, so that a request only stores what
    # differs from them (less to allocate on a board).
    url_prefix = ''
    subapp = None
    route = None
    url_args = None
    body_used = False
    scheme = 'http'
    body = b''  # the body when loaded in memory (see max_body_length)
    files = None  # set by microdot.multipart
    _stream = None  # the body as a stream when too large to load
    _after = None
    _raw = None  # header lines, parsed into headers on first use
    _keep = None

    def __init__(self, app, client_addr, method, url, http_version, headers,
                 body=None, stream=None, sock=None, url_prefix='',
                 subapp=None, scheme=None, route=None):
        self.app = app
        self.client_addr = client_addr
        self.method = method
        self.url = url
        self.http_version = http_version
        if headers is not _NO_HEADERS:  # (else parsed from _raw on use)
            self.headers = headers
        self.sock = sock
        cl = headers.get('Content-Length')
        self.content_length = int(cl) if cl else 0
        if scheme:
            self.scheme = scheme
        if url_prefix:
            self.url_prefix = url_prefix
        if subapp is not None:
            self.subapp = subapp
        if route is not None:
            self.route = route
        if body:
            self.body = body
        if stream is not None:
            self._stream = stream

    def __getattr__(self, name):
        # Attributes computed on first use (most requests need few of them):
        # those that stay the same are then stored as plain attributes, so
        # this runs once for each, and an app may assign any of them.
        if name == 'path' or name == 'query_string':
            i = self.url.find('?')
            if name == 'path':
                return self.url if i < 0 else self.url[:i]
            return None if i < 0 else self.url[i + 1:]
        if name == 'content_type':
            return self.headers.get('Content-Type')
        if name == 'after_request_handlers':
            if self._after is None:
                self._after = []
            return self._after
        if name == 'headers':
            value = parse_header_lines(self._raw)
        elif name == 'args':
            query = self.query_string
            value = _parse_urlencoded(query) if query else MultiDict()
        elif name == 'cookies':
            value = {}
            header = self.headers.get('Cookie')
            if header:
                for cookie in header.split(';'):
                    key, _, cookie = cookie.strip().partition('=')
                    # the first of duplicate names wins: user agents send
                    # the cookie with the most specific path first
                    if key not in value:
                        value[key] = cookie
        elif name == 'stream':
            value = self._stream if self._stream is not None else \
                AsyncBytesIO(self.body)
        elif name == 'json':
            value = self._parse_json()
        elif name == 'form':
            if self._media_type() != 'application/x-www-form-urlencoded':
                value = None
            else:
                value = _parse_urlencoded(self._loaded_body())
        elif name == 'g':
            value = Request.G()
        else:
            raise AttributeError(name)
        setattr(self, name, value)
        return value

    @staticmethod
    async def create(app, client_reader, client_writer, client_addr,
                     scheme=None):
        """Read one request from a stream; None when the stream is at its
        end. Malformed input raises ValueError (the server answers 400)."""
        read_head = getattr(client_reader, 'read_head', None)
        head = await read_head() if read_head else \
            await _read_head(client_reader)
        if not head:
            return None
        (method, url, http_version, lines, content_length, chunked, keep,
         expect) = parse_request_head(head)
        body = b''
        stream = None
        if chunked:
            read_chunked = _chunked_body_reader()
            if read_chunked is None:
                raise HTTPException(501, 'Chunked bodies need '
                                    'microdot/_chunked.py')
        if (chunked or content_length and
                content_length <= Request.max_content_length) and \
                http_version == '1.1' and client_writer is not None and \
                expect:
            await client_writer.awrite(b'HTTP/1.1 100 Continue\r\n\r\n')
        if chunked:
            body = await read_chunked(client_reader,
                                      Request.max_content_length)
            if body is None:  # too large: dispatch answers 413
                content_length = Request.max_content_length + 1
                body = b''
                keep = False  # the rest of the body is still on the wire
            else:
                content_length = len(body)
                if content_length > Request.max_body_length:
                    stream = AsyncBytesIO(body)
                    body = b''
        elif content_length and content_length > Request.max_content_length:
            keep = False  # refused unread: dispatch answers 413
        elif content_length:
            if content_length <= Request.max_body_length:
                body = await client_reader.readexactly(content_length)
                if len(body) < content_length:
                    raise EOFError('body truncated')
            else:
                stream = _BoundedStream(client_reader, content_length)
        req = Request(app, client_addr, method, url, http_version,
                      _NO_HEADERS, body=body, stream=stream,
                      sock=(client_reader, client_writer), scheme=scheme)
        req._raw = lines
        if content_length:
            req.content_length = content_length
        if chunked:
            req.headers['Content-Length'] = str(content_length)
        req._keep = keep
        return req

    def _media_type(self):
        if not self.content_type:
            return None
        return self.content_type.split(';', 1)[0].strip().lower()

    def _loaded_body(self):
        if self.content_length > Request.max_body_length and not self.body:
            raise HTTPException(413, 'Payload too large')
        return self.body

    def _parse_json(self):
        media_type = self._media_type()
        if media_type != 'application/json' and not (
                media_type and media_type.startswith('application/') and
                media_type.endswith('+json')):
            return None
        body = self._loaded_body()
        if _json_depth(body) > self.max_json_depth:
            raise HTTPException(400, 'JSON nested too deeply')
        try:
            return json_loads(_decode(body))
        except ValueError:
            raise HTTPException(400, 'Invalid JSON')

    def after_request(self, f):
        self.after_request_handlers.append(f)
        return f


# ---------------------------------------------------------------------------
# Responses: turning a Response into bytes
# ---------------------------------------------------------------------------

# Reason phrases of HTTP/1.1 status lines, as one string (a dict of them
# would hold 30 more objects on the heap of every board).
_REASONS = '|100 Continue|101 Switching Protocols|201 Created|202 Accepted' \
    '|204 No Content|206 Partial Content|301 Moved Permanently|302 Found' \
    '|303 See Other|304 Not Modified|307 Temporary Redirect' \
    '|308 Permanent Redirect|400 Bad Request|401 Unauthorized|403 Forbidden' \
    '|404 Not Found|405 Method Not Allowed|406 Not Acceptable' \
    '|408 Request Timeout|409 Conflict|410 Gone|411 Length Required' \
    '|413 Content Too Large|415 Unsupported Media Type' \
    '|416 Range Not Satisfiable|422 Unprocessable Content' \
    '|426 Upgrade Required|429 Too Many Requests' \
    '|500 Internal Server Error|501 Not Implemented|502 Bad Gateway' \
    '|503 Service Unavailable|505 HTTP Version Not Supported|'


def _reason(status_code):
    if status_code == 200:
        return 'OK'
    i = _REASONS.find('|%d ' % status_code)
    if i < 0:
        return 'N/A'
    return _REASONS[i + 5:_REASONS.find('|', i + 5)]


_DAYS = 'MonTueWedThuFriSatSun'
_MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec'

_COOKIE_UNSAFE = ' ",;\\'


def _cookie_attribute(value, forbidden):
    """A Set-Cookie attribute value, refused if it could end the attribute
    or add another (RFC 6265 §4.1.1)."""
    if any(c in forbidden or c < ' ' or c == '\x7f' for c in value):
        raise ValueError('invalid cookie attribute ' + repr(value))
    return value


def _http_date(value):
    """Format a datetime-like value (UTC) as an HTTP date, portably."""
    t = value.timetuple()
    return '{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT'.format(
        _DAYS[t[6] * 3:t[6] * 3 + 3], t[2],
        _MONTHS[t[1] * 3 - 3:t[1] * 3], t[0], t[3], t[4], t[5])


def _append_field(head, name, value):
    """Add a header line to head, a list of strings to join (its parts
    added as they are: no string is made for the line). A CR or LF in the
    name or value would start another line: ValueError."""
    if not isinstance(value, str):
        value = str(value)
    if '\r' in name or '\n' in name or '\r' in value or '\n' in value:
        raise ValueError('invalid character in header')
    head.append(name)
    head.append(': ')
    head.append(value)
    head.append('\r\n')


# The default content type and the same with a UTF-8 charset unless it names
# one (made once: the default is the same for almost every response).
_charset_cache = [None, None]


class _BodyIter:
    """Async iteration over a response body that is not an async iterator:
    a file-like object, a sync iterator, or a single value."""

    def __init__(self, body, buffer_size):
        self.body = body
        self.buffer_size = buffer_size
        self.done = not body

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.done:
            await self.aclose()
            raise StopAsyncIteration
        body = self.body
        if hasattr(body, 'read'):
            chunk = body.read(self.buffer_size)
            if iscoroutine(chunk):
                chunk = await chunk
            if len(chunk) < self.buffer_size:
                self.done = True
            return chunk
        if hasattr(body, '__next__'):
            try:
                return next(body)
            except StopIteration:
                self.done = True
                await self.aclose()
                raise StopAsyncIteration
        self.done = True
        return body

    async def aclose(self):
        close = getattr(self.body, 'close', None)
        if close:
            ret = close()
            if iscoroutine(ret):
                await ret


class Response:
    types_map = {
        'css': 'text/css',
        'gif': 'image/gif',
        'html': 'text/html',
        'htm': 'text/html',
        'jpg': 'image/jpeg',
        'jpeg': 'image/jpeg',
        'js': 'application/javascript',
        'mjs': 'application/javascript',
        'json': 'application/json',
        'png': 'image/png',
        'txt': 'text/plain',
        'svg': 'image/svg+xml',
        'ico': 'image/x-icon',
        'webp': 'image/webp',
        'wasm': 'application/wasm',
        'woff': 'font/woff',
        'woff2': 'font/woff2',
        'pdf': 'application/pdf',
        'xml': 'application/xml',
        'csv': 'text/csv',
        'mp3': 'audio/mpeg',
        'wav': 'audio/wav',
        'mp4': 'video/mp4',
    }
    send_file_buffer_size = 1024

    #: Content type of responses that set none.
    default_content_type = 'text/plain'

    #: Default max_age of send_file (None: no Cache-Control header).
    default_send_file_max_age = None

    #: Returned by handlers that wrote the response themselves (WebSocket).
    already_handled = None

    # Defaults read through the class (a response only stores what differs)
    reason = None
    is_head = False  # set for a HEAD request: the body is not sent
    _started = False  # the status line was sent

    def __init__(self, body=b'', status_code=200, headers=None, reason=None):
        if body is None and status_code == 200:
            body = b''
            status_code = 204
        self.status_code = status_code
        self.headers = NoCaseDict(headers)
        if reason is not None:
            self.reason = reason
        if isinstance(body, (dict, list)):
            body = json_dumps(body)
            if 'Content-Type' not in self.headers:
                self.headers['Content-Type'] = \
                    'application/json; charset=UTF-8'
        if isinstance(body, str):
            self.body = body.encode()
        else:
            self.body = body

    def set_cookie(self, cookie, value, path=None, domain=None, expires=None,
                   max_age=None, secure=False, http_only=False,
                   partitioned=False, samesite=None):
        """Add a Set-Cookie header. Names, values and attributes that could
        change the cookie's meaning raise ValueError: a value may not hold
        space, comma, semicolon, backslash, a quote (except around the
        whole value) or control characters (RFC 6265 §4.1.1); encode
        such data first, for example with urlencode()."""
        if not cookie or any(c not in _TOKEN for c in cookie):
            raise ValueError('invalid cookie name')
        inner = value[1:-1] if len(value) > 1 and value[0] == '"' and \
            value[-1] == '"' else value
        if any(c in _COOKIE_UNSAFE or c < ' ' or c >= '\x7f'
               for c in inner):
            raise ValueError('invalid cookie value')
        http_cookie = '{}={}'.format(cookie, value)
        if path:
            http_cookie += '; Path=' + _cookie_attribute(path, ';')
        if domain:
            http_cookie += '; Domain=' + _cookie_attribute(domain, ' ;,"')
        if expires:
            if isinstance(expires, str):
                http_cookie += '; Expires=' + _cookie_attribute(expires, ';')
            else:
                http_cookie += '; Expires=' + _http_date(expires)
        if max_age is not None:
            http_cookie += '; Max-Age=' + str(int(max_age))
        if secure:
            http_cookie += '; Secure'
        if http_only:
            http_cookie += '; HttpOnly'
        if partitioned:
            http_cookie += '; Partitioned'
        if samesite:
            if samesite.lower() not in ('strict', 'lax', 'none'):
                raise ValueError('SameSite must be Strict, Lax or None')
            http_cookie += '; SameSite=' + samesite
        if '\n' in http_cookie or '\r' in http_cookie:
            raise ValueError('invalid character in header')
        cookies = self.headers.get('Set-Cookie')
        if cookies is None:
            self.headers['Set-Cookie'] = [http_cookie]
        elif isinstance(cookies, list):
            cookies.append(http_cookie)
        else:
            self.headers['Set-Cookie'] = [cookies, http_cookie]

    def delete_cookie(self, cookie, **kwargs):
        kwargs.pop('expires', None)
        kwargs.pop('max_age', None)
        self.set_cookie(cookie, '', expires='Thu, 01 Jan 1970 00:00:01 GMT',
                        max_age=0, **kwargs)

    def complete(self):
        if not isinstance(self.headers, NoCaseDict):  # an app assigned one
            self.headers = NoCaseDict(self.headers)
        # (lower-case names looked up in the keymap: no copy of a name is
        # lowered for every response)
        headers = self.headers
        if type(self.body) is bytes and 'content-length' not in headers.keymap:
            headers._add('Content-Length', 'content-length',
                         str(len(self.body)))
        if 'content-type' not in headers.keymap:
            content_type = self.default_content_type
            if _charset_cache[0] != content_type:
                _charset_cache[1] = content_type \
                    if 'charset=' in content_type \
                    else content_type + '; charset=UTF-8'
                _charset_cache[0] = content_type
            headers._add('Content-Type', 'content-type', _charset_cache[1])

    def body_iter(self):
        if hasattr(self.body, '__anext__'):
            return self.body
        return _BodyIter(self.body, self.send_file_buffer_size)

    def _head(self, http11, keep_alive):
        """The status line and headers as bytes, with no I/O, for a request
        of HTTP/1.1 (http11) or 1.0 whose client asked to keep the
        connection open (keep_alive). Returns (head, keep_alive, chunked):
        whether the connection can carry another request after this
        response, and whether its body is sent chunked."""
        status = self.status_code
        self.complete()
        headers = self.headers
        body = self.body
        chunked = False
        length = None  # a Content-Length to add for framing
        if 'content-length' not in headers.keymap and not self.is_head and (
                http11 or keep_alive):
            if not body:
                length = 0
            elif isinstance(body, (bytearray, memoryview)):
                length = len(body)
            elif http11:
                chunked = 'transfer-encoding' not in headers.keymap
            else:
                keep_alive = False  # the body ends when the connection does
        if self.reason is not None:
            reason = str(self.reason)
            if '\r' in reason or '\n' in reason:  # (a line of its own)
                raise ValueError('invalid character in header')
        elif http11:
            reason = _reason(status)
        else:
            reason = 'OK' if status == 200 else 'N/A'
        head = ['HTTP/1.%d %d %s\r\n' % (http11, status, reason)]
        for name, value in headers.items():
            if isinstance(value, list):
                for v in value:
                    _append_field(head, name, v)
            else:
                _append_field(head, name, value)
        if chunked:
            head.append('Transfer-Encoding: chunked\r\n')
        elif length is not None:
            head.append('Content-Length: %d\r\n' % length)
        if http11:
            if not keep_alive:
                head.append('Connection: close\r\n')
        elif keep_alive:
            head.append('Connection: keep-alive\r\n')
        head.append('\r\n')
        return ''.join(head).encode(), keep_alive, chunked

    async def write(self, stream, http_version='1.0', keep_alive=False):
        """Send the response. Returns True when the connection can carry
        another request (HTTP/1.1 keep-alive, or HTTP/1.0 that asked)."""
        status = self.status_code
        if (status < 200 or status == 204 or status == 304) and self.body:
            # these never carry a body: clients would read it as the start
            # of the next response
            await self._close_body()
            self.body = b''
        head, keep_alive, chunked = self._head(http_version == '1.1',
                                               keep_alive)
        body = self.body
        self._started = True
        try:
            if self.is_head or not body:
                await stream.awrite(head)
                await self._close_body()
            elif isinstance(body, (bytes, bytearray, memoryview)):
                if len(body) <= 4096:
                    await stream.awrite(head + body)
                else:
                    await stream.awrite(head)
                    await stream.awrite(body)
            else:
                await stream.awrite(head)
                await self._write_iter(stream, chunked)
        except OSError as exc:
            if _is_muted(exc):
                await self._close_body()
                return False
            raise
        return keep_alive

    async def _write_iter(self, stream, chunked):
        if MICROPYTHON and hasattr(self.body, 'readinto') and \
                not hasattr(self.body, '__anext__'):
            await self._write_file(stream, chunked)
            return
        body = self.body_iter()
        try:
            async for chunk in body:
                if isinstance(chunk, str):
                    chunk = chunk.encode()
                if chunked:
                    if chunk:  # (one copy of the chunk, not two)
                        await stream.awrite(b''.join((
                            b'%X\r\n' % len(chunk), chunk, b'\r\n')))
                else:
                    await stream.awrite(chunk)
            if chunked:
                await stream.awrite(b'0\r\n\r\n')
        finally:
            if hasattr(body, 'aclose'):
                await body.aclose()

    async def _write_file(self, stream, chunked):
        """Send a file-like body (MicroPython) through one buffer, read into
        and framed in place for every chunk, instead of a new chunk and its
        framed copy each time. (MicroPython's streams send or copy what
        they are given before the next chunk is read; CPython's transports
        may keep it.)"""
        f = self.body
        size = self.send_file_buffer_size
        room = len(b'%X\r\n' % size) if chunked else 0
        buf = memoryview(bytearray(room + size + 2))
        data = buf[room:room + size]
        try:
            while True:
                n = f.readinto(data)
                if iscoroutine(n):  # (an async stream, a socket's say)
                    n = await n
                if not n:
                    break
                if not chunked:
                    await stream.awrite(data if n == size else data[:n])
                    continue
                line = b'%X\r\n' % n
                start = room - len(line)
                buf[start:room] = line
                buf[room + n:room + n + 2] = b'\r\n'
                await stream.awrite(buf[start:room + n + 2])
            if chunked:
                await stream.awrite(b'0\r\n\r\n')
        finally:
            await self._close_body()

    async def _close_body(self):
        """Release a body that will not be sent (HEAD, disconnects): open
        files, generators and SSE tasks are closed."""
        body = self.body
        if body is None or isinstance(body, (bytes, bytearray, memoryview)):
            return
        it = self.body_iter()
        if hasattr(it, 'aclose'):
            try:
                await it.aclose()
            except Exception as exc:  # pragma: no cover
                print_exception(exc)

    @classmethod
    def redirect(cls, location, status_code=302):
        if '\r' in location or '\n' in location:
            raise ValueError('invalid redirect URL')
        return cls(status_code=status_code, headers={'Location': location})

    @classmethod
    def send_file(cls, filename, status_code=200, content_type=None,
                  stream=None, max_age=None, compressed=False,
                  file_extension=''):
        if content_type is None:
            name = filename
            if compressed and name.endswith('.gz'):
                name = name[:-3]
            ext = name.rsplit('.', 1)[-1].lower()
            content_type = cls.types_map.get(ext, 'application/octet-stream')
        headers = {'Content-Type': content_type}
        if max_age is None:
            max_age = cls.default_send_file_max_age
        if max_age is not None:
            headers['Cache-Control'] = 'max-age={}'.format(max_age)
        if compressed:
            headers['Content-Encoding'] = compressed \
                if isinstance(compressed, str) else 'gzip'
        if stream is None:
            if '\x00' in filename + file_extension:
                raise HTTPException(404, 'Not found')  # never to the OS
            try:
                stream = open(filename + file_extension, 'rb')
            except OSError:
                raise HTTPException(404, 'Not found')
        return cls(body=stream, status_code=status_code, headers=headers)


Response.already_handled = Response()


# ---------------------------------------------------------------------------
# The application: routing, dispatch, handlers
# ---------------------------------------------------------------------------

# An entry of Microdot.url_map (a 5-tuple, as upstream's, with names).
_Route = namedtuple('Route', ('methods', 'pattern', 'handler', 'url_prefix',
                              'subapp'))


class Microdot:
    """A web application.

    Server settings are class attributes, so a subclass or an instance can
    change them; ``keep_alive`` can also be given to the constructor.
    """
    #: Keep HTTP/1.1 connections open for further requests.
    keep_alive = True
    #: Seconds an idle keep-alive connection waits for its next request.
    keep_alive_timeout = 10
    #: Requests served on one connection before it is closed.
    max_keep_alive_requests = 100
    #: Seconds a client has to send a complete request once it started
    #: (the head and a body small enough to be loaded into ``body``).
    request_timeout = 30
    #: Seconds from the first byte of a request to the end of its head.
    head_timeout = 5 if MICROPYTHON else 10
    #: Seconds a request body may stall between two reads, and a response
    #: write may wait for a client that does not read.
    io_timeout = 5 if MICROPYTHON else 30
    #: Connections open at once (0: no limit). On MicroPython the others
    #: wait in the kernel's listen queue, and when one waits there the
    #: connection idle for longest (between requests, or silent since it
    #: was accepted) is closed to make room.
    max_connections = 8 if MICROPYTHON else 0
    #: WebSocket and event-stream connections open at once (0: no limit).
    #: They take no connection slot, so open ones never lock out plain
    #: requests; past this cap an upgrade or a stream gets 503.
    max_long_lived = 8 if MICROPYTHON else 0
    #: Print tracebacks of exceptions that an error handler answered.
    log_handled_errors = False
    #: Connections the kernel queues while the server is not accepting
    #: (MicroPython: while every slot is taken or the heap is too full).
    #: A burst of clients waits here instead of having its connection
    #: attempts dropped (they retry only after 1, 3, 7 s); lwIP boards cap
    #: it at their pool of TCP connections.
    listen_backlog = 64
    #: Free heap (bytes, MicroPython) below which no connection is accepted
    #: until memory is freed: the client waits in the listen queue instead
    #: of failing half-way through its request.
    min_free_heap = 6 * 1024

    def __init__(self, keep_alive=None):
        if keep_alive is not None:
            self.keep_alive = keep_alive
        self.url_map = []
        self.before_request_handlers = []
        self.after_request_handlers = []
        self.after_error_request_handlers = []
        self.error_handlers = {}
        self.options_handler = self.default_options_handler
        self.ssl = False
        self.debug = False
        self.server = None
        self._loop = None
        self._active = 0  # requests in progress
        self._long_lived = 0  # connections moved out of the slots
        self._starting = 0  # accepted, their task not started yet
        self._slot = None  # an Event: a connection closed or went idle
        self._shutting_down = False
        self._connections = []  # _Connection objects, for the watchdog
        self._watchdog = None
        self._oom_logged = None  # ticks of the last out-of-memory line

    # ---- registration ----

    def route(self, url_pattern, methods=None):
        def decorated(f):
            pattern = URLPattern(url_pattern)
            pattern._parse()  # invalid patterns fail here, not per request
            self.url_map.append(_Route(
                [m.upper() for m in methods or ['GET']], pattern, f, '',
                None))
            return f
        return decorated

    def get(self, url_pattern):
        return self.route(url_pattern, methods=['GET'])

    def post(self, url_pattern):
        return self.route(url_pattern, methods=['POST'])

    def put(self, url_pattern):
        return self.route(url_pattern, methods=['PUT'])

    def patch(self, url_pattern):
        return self.route(url_pattern, methods=['PATCH'])

    def delete(self, url_pattern):
        return self.route(url_pattern, methods=['DELETE'])

    def before_request(self, f):
        self.before_request_handlers.append(f)
        return f

    def after_request(self, f):
        self.after_request_handlers.append(f)
        return f

    def after_error_request(self, f):
        self.after_error_request_handlers.append(f)
        return f

    def errorhandler(self, status_code_or_exception_class):
        def decorated(f):
            self.error_handlers[status_code_or_exception_class] = f
            return f
        return decorated

    def mount(self, subapp, url_prefix='', local=False):
        """Add the routes a subapp has now under url_prefix."""
        url_prefix = url_prefix.rstrip('/')
        for methods, pattern, handler, prefix, sub in subapp.url_map:
            new_pattern = URLPattern(url_prefix + pattern.url_pattern)
            new_pattern._parse()
            self.url_map.append(_Route(methods, new_pattern, handler,
                                       url_prefix + prefix, sub or subapp))
        if not local:
            for name in ('before_request_handlers', 'after_request_handlers',
                         'after_error_request_handlers'):
                getattr(self, name).extend(getattr(subapp, name))
                setattr(subapp, name, [])
            self.error_handlers.update(subapp.error_handlers)
            subapp.error_handlers = {}

    @staticmethod
    def abort(status_code, reason=None):
        raise HTTPException(status_code, reason)

    # ---- route lookup ----

    def _matching(self, req):
        """The url_map entries whose pattern matches the request path."""
        path = req.path  # a property: computed once, not per route
        for route in self.url_map:
            args = route.pattern.match(path)
            if args is not None:
                yield route, args

    def find_route(self, req):
        method = req.method.upper()
        if method == 'OPTIONS' and self.options_handler:
            for _ in self._matching(req):
                return self.options_handler(req), '', None
            return 404, '', None
        found = None
        if method == 'HEAD':  # an explicit HEAD route wins over GET
            for route, args in self._matching(req):
                if 'HEAD' in route.methods:
                    req.url_args = args
                    return route.handler, route.url_prefix, route.subapp
            method = 'GET'
        path = req.path
        for route in self.url_map:
            args = route.pattern.match(path)
            if args is None:
                continue
            if args or req.url_args is not None:
                req.url_args = args
            if method in route.methods:
                return route.handler, route.url_prefix, route.subapp
            found = route
        if found:
            return 405, found.url_prefix, found.subapp
        return 404, '', None

    def _allowed_methods(self, req):
        allow = []
        for route, _ in self._matching(req):
            for method in route.methods:
                if method not in allow:
                    allow.append(method)
        if 'GET' in allow and 'HEAD' not in allow:
            allow.append('HEAD')
        if 'OPTIONS' not in allow:
            allow.append('OPTIONS')
        return ', '.join(allow)

    def default_options_handler(self, req):
        return {'Allow': self._allowed_methods(req)}

    # ---- dispatch ----

    def get_request_handlers(self, req, attr, local_first=True):
        name = _HANDLER_LISTS[attr]
        handlers = getattr(self, name)
        subapp = req.subapp if req else None
        local = getattr(subapp, name, None) if subapp else None
        if not local:
            return handlers
        return local + handlers if local_first else handlers + local

    async def error_response(self, req, status_code, reason=None):
        subapp = req.subapp if req else None
        if subapp and status_code in subapp.error_handlers:
            return await invoke_handler(subapp.error_handlers[status_code],
                                        req)
        if status_code in self.error_handlers:
            return await invoke_handler(self.error_handlers[status_code], req)
        return reason or 'N/A', status_code

    def log_exception(self, exc, handled=False):
        """Report an exception raised while handling a request. Exceptions
        answered by an error handler are quiet unless log_handled_errors
        is set. Override to send them to a logger."""
        if not handled or self.log_handled_errors:
            print_exception(exc)

    async def dispatch_request(self, req):
        after_ok = False
        if req is None:
            res = await self.error_response(None, 400, 'Bad request')
        elif req.content_length > req.max_content_length:
            res = await self.error_response(req, 413, 'Payload too large')
        else:
            try:
                res = await self._dispatch_route(req)
                after_ok = True
            except HTTPException as exc:
                res = getattr(exc, 'response', None) or \
                    await self.error_response(req, exc.status_code,
                                              exc.reason)
            except Exception as exc:
                res = await self._handle_exception(req, exc)
        res = _make_response(res)
        if not after_ok:
            for handler in self.get_request_handlers(
                    req, 'after_error_request', True):
                res = _make_response(
                    await invoke_handler(handler, req, res) or res)
        if req is not None:
            res.is_head = req.method.upper() == 'HEAD'
        return res

    async def _dispatch_route(self, req):
        target, url_prefix, subapp = self.find_route(req)
        if url_prefix:
            req.url_prefix = url_prefix
        if subapp is not None:
            req.subapp = subapp
        if isinstance(target, int):
            res = await self.error_response(req, target, 'Not found')
            if target == 405 and isinstance(res, tuple) and \
                    res == ('Not found', 405):
                res = ('Not found', 405, {'Allow': self._allowed_methods(req)})
            exc = HTTPException(target)
            exc.response = res  # the answer, made by an error handler
            raise exc
        res = None
        if not isinstance(target, dict):
            req.route = target
        for handler in self.get_request_handlers(req, 'before_request',
                                                 False):
            res = await invoke_handler(handler, req)
            if res is not None:
                break
        if res is None:
            if isinstance(target, dict):
                res = Response(headers=target)
            elif MICROPYTHON:  # as invoke_handler, without its coroutine
                res = target(req, **req.url_args) if req.url_args else \
                    target(req)
                if iscoroutine(res):
                    res = await res
            elif req.url_args:
                res = await invoke_handler(target, req, **req.url_args)
            else:
                res = await invoke_handler(target, req)
        res = _make_response(res)
        for handler in self.get_request_handlers(req, 'after_request',
                                                 True):
            res = _make_response(await invoke_handler(handler, req, res)
                                 or res)
        for handler in req._after or ():
            res = _make_response(await invoke_handler(handler, req, res)
                                 or res)
        return res

    async def _handle_exception(self, req, exc):
        handler = None
        subapp = req.subapp
        for cls in mro(type(exc)):  # the most specific handler
            handler = subapp and subapp.error_handlers.get(cls) or \
                self.error_handlers.get(cls)
            if handler:
                break
        if handler is None and isinstance(exc, MemoryError):
            self.out_of_memory(exc)
            return await self.error_response(req, 503,
                                             'Service unavailable')
        if handler is None and (isinstance(exc, EOFError) or
                                _is_muted(exc)):
            # the client cut its body short or went away: not a crash
            if req is not None:
                req._keep = False
            return await self.error_response(req, 400, 'Bad request')
        res = None
        if handler:
            try:
                res = await invoke_handler(handler, req, exc)
            except Exception as exc2:
                self.log_exception(exc2)
        self.log_exception(exc, handled=res is not None)
        if res is None:
            res = await self.error_response(req, 500,
                                            'Internal server error')
        return res

    # ---- the server: the only part that touches sockets ----

    async def start_server(self, host='0.0.0.0', port=5000, debug=False,
                           ssl=None, start_serving=True):
        self.ssl = ssl
        self.debug = debug
        self._loop = asyncio.get_event_loop()
        if debug:
            print('Starting async server on {host}:{port}...'.format(
                host=host, port=port))
        if MICROPYTHON:
            if not start_serving:
                raise ValueError('start_serving=False is not supported')
            self.server = _Listener(self, host, port, ssl)
            await self.server.serve()
        else:
            self.server = await asyncio.start_server(
                self.handle_request, host, port, ssl=ssl,
                start_serving=start_serving)
            if not start_serving:
                return self.server
            try:
                await self.server.serve_forever()
            except asyncio.CancelledError:
                pass
        await self._wait_for_connections()

    async def _wait_for_connections(self, timeout=5):
        """After shutdown, let requests in progress finish their answer."""
        deadline = time.time() + timeout
        while self._active and time.time() < deadline:
            await asyncio.sleep(0.01)

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
        asyncio.run(self.start_server(host=host, port=port, debug=debug,
                                      ssl=ssl))

    def shutdown(self):
        self._shutting_down = True
        if self._loop is not None and not MICROPYTHON:
            self._loop.call_soon_threadsafe(self.server.close)
        else:
            self.server.close()

    def out_of_memory(self, exc):
        """A MemoryError ended one connection or request: free what can be
        freed and say so, at most once a second (a burst of clients can
        cause thousands). The server goes on serving."""
        gc.collect()
        now = _ticks_ms()
        if self._oom_logged is None or \
                _ticks_diff(now, self._oom_logged) >= 1000:
            self._oom_logged = now
            try:
                print('microdot: out of memory, connection shed:', exc)
            except MemoryError:
                pass

    def _slot_changed(self):
        if self._slot is not None:
            self._slot.set()
            self._slot = None

    def hold_connection(self, request):
        """Move the connection of request out of the connection slots, for
        a WebSocket or an event stream that stays open (extensions call
        this). False when max_long_lived such connections are open: the
        caller answers 503. True under ASGI/WSGI, whose server decides."""
        conn = request.sock[1] if request.sock else None
        if not isinstance(conn, _Connection) or conn.app is None or \
                conn.long_lived:
            return True
        app = conn.app
        if app.max_long_lived and app._long_lived >= app.max_long_lived:
            return False
        conn.long_lived = True
        app._long_lived += 1
        app._slot_changed()
        return True

    def _shed_idle(self):
        """Close the connection that has kept us waiting longest (for a
        request, for the rest of its head, or to take our writes) to make
        room for one that waits: True if one was closed, None if those
        waits are too fresh (a moment to send or read is given), False when
        every connection is busy with its handler."""
        oldest = None
        for conn in self._connections:
            if conn.waiting_since is not None and not conn.long_lived and (
                    oldest is None or _ticks_diff(oldest.waiting_since,
                                                  conn.waiting_since) > 0):
                oldest = conn
        if oldest is None:
            return False
        if _ticks_diff(_ticks_ms(), oldest.waiting_since) < 100:
            return None
        oldest.waiting_since = None
        oldest.task.cancel()
        return True

    async def handle_request(self, reader, writer):
        """Serve one connection: requests are read, dispatched and answered
        in order until the connection closes."""
        conn = _Connection(writer, self)
        self._connections.append(conn)
        if self._starting:  # (accepted by our own loop, see _Listener)
            self._starting -= 1
        try:
            conn.reader = _BufferedReader(reader, conn)
            conn.client_addr = _peer_address(writer.get_extra_info('peername'))
            if self.ssl:
                conn.scheme = 'https'
            await self._serve_connection(conn)
        except asyncio.CancelledError:
            pass  # a timeout, see _watch_deadlines
        except MemoryError as exc:
            self.out_of_memory(exc)
        except Exception as exc:
            if not _is_muted(exc):
                print_exception(exc)
        finally:
            self._connections.remove(conn)
            if conn.long_lived:
                self._long_lived -= 1
            self._slot_changed()
            try:
                await conn.aclose()
            except Exception:
                pass

    def _watch(self):
        """One watchdog task checks every connection's deadline: cheaper
        than a wait_for() (a task and a timer) for each read or write."""
        if self._watchdog is None:
            self._watchdog = asyncio.create_task(self._watch_deadlines())

    async def _watch_deadlines(self):
        try:
            while self._connections:
                await asyncio.sleep(0.25)
                now = _ticks_ms()
                for conn in self._connections:
                    if conn.deadline and _ticks_diff(conn.deadline, now) <= 0:
                        conn.deadline = 0
                        conn.task.cancel()
        finally:
            self._watchdog = None

    async def _serve_connection(self, conn):
        while True:
            # idle until the client sends something: the connection can be
            # shed if another one waits for its slot
            conn.expect(self.keep_alive_timeout)
            conn.waiting_since = _ticks_ms()
            self._slot_changed()
            try:
                if not (conn.reader.buf or await conn.reader.fill()) and \
                        conn.served:
                    return  # (a connection closed unused gets its 400)
            except OSError:
                return
            conn.waiting_since = _ticks_ms()  # now for the rest of the head
            self._active += 1
            try:
                if not await self._serve_one(conn):
                    return
            finally:
                self._active -= 1
            conn.served += 1

    async def _refusal(self, exc):
        """The answer to a request the parser refused (exc, or None for a
        connection closed before a request): 501 or 505 for those
        HTTPExceptions, else 400 through dispatch_request(None), so the
        app's 400 handler applies."""
        if isinstance(exc, HTTPException):
            return _make_response(await self.error_response(
                None, exc.status_code, exc.reason))
        return await self.dispatch_request(None)

    async def _serve_one(self, conn):
        """Read, dispatch and answer one request on conn. True to keep the
        connection open for another."""
        conn.expect(min(self.head_timeout, self.request_timeout))
        refused = None
        conn.request_deadline = _ticks_ms() + int(self.request_timeout * 1000)
        try:
            req = await Request.create(self, conn.reader, conn,
                                       conn.client_addr, conn.scheme)
        except MemoryError as exc:  # the heap is full: not the client's fault
            conn.deadline = 0
            self.out_of_memory(exc)
            await _send_503(conn)
            return False
        except Exception as exc:
            if _is_muted(exc):
                return False
            if self.debug:
                print_exception(exc)
            req = None
            refused = exc
        conn.deadline = 0
        conn.waiting_since = None
        if req is None and conn.served and refused is None:
            return False  # the client closed its idle connection
        try:
            res = await (self.dispatch_request(req) if req is not None
                         else self._refusal(refused))
        except MemoryError as exc:
            self.out_of_memory(exc)
            await _send_503(conn)
            return False
        except Exception as exc:
            print_exception(exc)
            res = Response('Internal server error', 500)
        if res is Response.already_handled:
            return False
        # keep-alive is decided here (and by write(), for a body whose end
        # only the connection's close can tell)
        keep = req is not None and self.keep_alive and \
            conn.served + 1 < self.max_keep_alive_requests and \
            not self._shutting_down and req._keep and \
            _body_consumed(req)
        version = req.http_version if req else '1.0'
        try:
            keep = await res.write(conn, version, keep)
        except MemoryError as exc:
            self.out_of_memory(exc)
            await res._close_body()
            if not res._started:
                await _send_503(conn)
            return False
        except Exception as exc:
            if not _is_muted(exc):
                print_exception(exc)
                if not res._started:
                    await Response('Internal server error', 500).write(
                        conn, version)
            return False
        if self.debug and req:
            print('{method} {path} {status_code}'.format(
                method=req.method, path=req.path,
                status_code=res.status_code))
        if not keep:
            # a bounded drain (a client trickling bytes cannot hold the
            # connection), which a waiting client may cut short
            conn.expect(1)
            conn.waiting_since = _ticks_ms()
            if req is None or req.content_length > req.max_content_length:
                await _drain(conn.reader)
            elif not _body_consumed(req):
                await _drain(conn.reader, min(req._stream.remaining, 1 << 20))
        return keep


# ---------------------------------------------------------------------------
# Helpers of the app and the server
# ---------------------------------------------------------------------------

# hook name -> the attribute holding its handlers (no string built per call)
_HANDLER_LISTS = {
    'before_request': 'before_request_handlers',
    'after_request': 'after_request_handlers',
    'after_error_request': 'after_error_request_handlers',
}


def _make_response(res):
    """Turn a handler's return value into a Response."""
    if isinstance(res, Response):
        return res
    if isinstance(res, tuple):
        if not res:
            return Response()
        if isinstance(res[0], int):  # (status,) or (status, headers)
            return Response(b'', res[0], res[1] if len(res) > 1 else None)
        body = res[0]
        status_code = 200
        headers = None
        reason = None
        rest = res[1:]
        if rest and isinstance(rest[0], dict):
            headers = rest[0]
        else:
            if rest:
                status_code = rest[0]
            if len(rest) > 1:
                headers = rest[1]
            if len(rest) > 2:
                reason = rest[2]
        return Response(body, status_code, headers, reason)
    if isinstance(res, int) and not isinstance(res, bool):
        return Response(b'', res)
    return Response(res)


# ---------------------------------------------------------------------------
# The server's sockets: accept loop, connections, draining
# ---------------------------------------------------------------------------

async def _send_503(writer):
    """Answer 503 when the heap ran out before anything was sent; the
    connection closes after it."""
    try:
        await writer.awrite(b'HTTP/1.0 503 Service Unavailable\r\n'
                            b'Content-Length: 0\r\n\r\n')
    except Exception:
        pass


class _Listener:
    """The accept loop on MicroPython, in place of asyncio.start_server's,
    which ends the server when a MemoryError hits it. A connection is
    accepted only when the heap has room for it (others wait in the
    kernel's listen queue); one that cannot be set up is closed, and the
    server goes on."""

    def __init__(self, app, host, port, ssl):
        import socket
        info = socket.getaddrinfo(host, port)[0]
        sock = socket.socket(info[0])
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[-1])
        sock.listen(app.listen_backlog)
        self.sock = sock
        self.app = app
        self.ssl = ssl
        self.task = None
        self.closed = False
        self.heap_checked = _ticks_ms()
        self.low_heap = True  # checked before the first accept

    def __iter__(self):  # awaiting the listener waits for a connection
        yield asyncio.core._io_queue.queue_read(self.sock)

    async def serve(self):
        self.task = asyncio.current_task()
        try:
            while not self.closed:
                try:
                    await self.take_one()
                    continue
                except MemoryError as exc:
                    self.app.out_of_memory(exc)
                except OSError:
                    pass  # e.g. out of file descriptors: wait for some
                await asyncio.sleep_ms(20)  # no busy loop while it lasts
        except asyncio.CancelledError:
            pass
        finally:
            self.sock.close()

    async def take_one(self):
        """Accept the next connection once there is room for it: a free
        slot (or an idle connection to shed) and enough free heap."""
        app = self.app
        await self
        if app.max_connections and len(app._connections) + app._starting - \
                app._long_lived >= app.max_connections:
            shed = app._shed_idle()
            if shed:
                await asyncio.sleep_ms(0)  # the shed one closes
            elif shed is None:
                await asyncio.sleep_ms(20)
            else:  # every connection is busy: wait until one is not
                if app._slot is None:
                    app._slot = asyncio.Event()
                await app._slot.wait()
            return
        now = _ticks_ms()
        # gc.mem_free() walks the whole heap: asked at most every 20 ms
        if self.low_heap or _ticks_diff(now, self.heap_checked) >= 20:
            self.heap_checked = now
            self.low_heap = gc.mem_free() < app.min_free_heap
            if self.low_heap:
                gc.collect()
                self.low_heap = gc.mem_free() < app.min_free_heap
                if self.low_heap:
                    await asyncio.sleep_ms(20)
                    return
        self.accept()

    def accept(self):
        sock, addr = self.sock.accept()
        raw = sock
        try:
            if self.ssl:
                sock = self.ssl.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
            sock.setblocking(False)
            # the TCP socket too: a TLS socket whose handshake failed lets
            # go of it unclosed (see _Connection.aclose)
            stream = asyncio.StreamWriter(sock, {'peername': addr,
                                                 'socket': raw})
            asyncio.create_task(self.app.handle_request(stream, stream))
            self.app._starting += 1  # holds a slot until its task starts
        except BaseException:
            sock.close()
            raw.close()
            raise

    def close(self):
        self.closed = True
        if self.task is not None:
            self.task.cancel()


def _body_consumed(req):
    stream = req._stream
    return not isinstance(stream, _BoundedStream) or stream.remaining <= 0


async def _drain(reader, limit=65536):
    """Read what the client is still sending before closing, so that the
    kernel does not reset the connection before our answer is read (on
    MicroPython through the shared read buffer: nothing kept, no big
    block needed)."""
    try:
        while limit > 0:
            if not reader.buf and \
                    not await asyncio.wait_for(reader.fill(), 0.1):
                break
            limit -= len(reader.buf)
            reader.buf = b''
    except Exception:
        pass


if MICROPYTHON:
    _ticks_ms = time.ticks_ms
    _ticks_diff = time.ticks_diff
else:
    def _ticks_ms():
        return int(time.monotonic() * 1000)

    def _ticks_diff(a, b):
        return a - b


def _writable(sock):
    """Awaited on MicroPython: until sock can take more data."""
    yield asyncio.core._io_queue.queue_write(sock)


def _peer_address(addr):
    """(host, port) for the client address; the unix port of MicroPython
    gives a raw sockaddr."""
    if isinstance(addr, (bytes, bytearray)) and len(addr) >= 8 and \
            addr[0] == 2:
        return ('%d.%d.%d.%d' % (addr[4], addr[5], addr[6], addr[7]),
                addr[2] << 8 | addr[3])
    return addr


class _Connection:
    """A client connection: its writer, with the awrite/aclose coroutines
    of MicroPython's streams (writing to the socket itself on MicroPython,
    over asyncio's StreamWriter on CPython), and,
    when the server holds it (app given), its buffered reader, the client's
    address, the scheme, the requests served so far, its task, the deadline
    the watchdog enforces (ticks, 0 for none) and since when it has kept the
    server waiting (ticks while it waits for a request or its head, or for
    the client to take a write; None while its handler works). Each write
    must then finish within io_timeout: a client that stops reading is
    dropped."""
    reader = None
    client_addr = None
    scheme = 'http'
    served = 0
    deadline = 0
    request_deadline = 0  # request_timeout's end, while a request is read
    waiting_since = None
    long_lived = False  # a WebSocket or event stream (hold_connection)

    def __init__(self, writer, app=None):
        self.writer = writer
        self.app = app
        if app is not None:
            self.task = asyncio.current_task()

    def expect(self, seconds):
        """Cancel the task unless the client has done its part within
        seconds."""
        self.deadline = _ticks_ms() + int(seconds * 1000) or 1
        self.app._watch()

    def keep_moving(self):
        """Data arrived: the client has io_timeout more to send, up to the
        request's own deadline."""
        self.expect(self.app.io_timeout)
        end = self.request_deadline
        if end and _ticks_diff(self.deadline, end) > 0:
            self.deadline = end

    async def awrite(self, data):
        writer = self.writer
        if MICROPYTHON:
            # straight to the socket: what it does not take now is sent
            # from data later (Stream.write would copy it, and a big copy
            # may not fit in a fragmented heap)
            sent = writer.s.write(data) or 0
            if sent == len(data):
                return
        else:
            writer.write(data)
            transport = writer.transport
            # drain() only matters when the buffer is full or the client left
            if not transport.is_closing() and \
                    transport.get_write_buffer_size() <= 65536:
                return
        timed = self.app is not None
        if timed:  # the client must take the rest within io_timeout
            deadline = self.deadline
            waiting = self.waiting_since
            self.expect(self.app.io_timeout)
            self.waiting_since = _ticks_ms()
        try:
            if not MICROPYTHON:
                await writer.drain()
                return
            rest = memoryview(data)
            while sent < len(rest):
                await _writable(writer.s)
                sent += writer.s.write(rest[sent:]) or 0
        finally:
            if timed:
                self.deadline = deadline
                self.waiting_since = waiting

    async def aclose(self):
        if MICROPYTHON:
            try:
                await self.writer.aclose()
            finally:
                # (closing it twice is harmless; not closing it after a
                # failed TLS handshake would hold it until collected)
                self.writer.get_extra_info('socket').close()
            return
        self.writer.close()
        try:  # a client that reads nothing must not hold it open
            await asyncio.wait_for(self.writer.wait_closed(),
                                   self.app.io_timeout if self.app else 5)
        except Exception:
            self.writer.transport.abort()

    def get_extra_info(self, name, default=None):
        info = self.writer.get_extra_info(name)
        return default if info is None else info


abort = Microdot.abort
redirect = Response.redirect
send_file = Response.send_file
