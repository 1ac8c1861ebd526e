"""
microdot._chunked
-----------------

Chunked request bodies (RFC 9112 7.1), loaded by the core on the first
request that sends one: few clients do, so a board does not keep this code
in its heap until one does. A core copied alone, without this module,
answers such requests with 501.
"""
from .microdot import Request, _HEX, _TOKEN, _decode, _has_ctl, _read_line

_TOKEN_BYTES = _TOKEN.encode()


async def read_body(reader, limit):
    """Decode a chunked request body. None when it would exceed limit
    bytes: the rest is left unread, so the connection must close.
    Malformed framing raises ValueError."""
    parts = []
    size_so_far = 0
    while True:
        line = await _read_line(reader)
        if line[-2:] != b'\r\n':
            raise ValueError('invalid chunk line')
        size, semicolon, extensions = line[:-2].partition(b';')
        if not size or len(size) > 8 or size.strip(_HEX) or \
                (semicolon and _bad_extensions(extensions)):
            raise ValueError('invalid chunk size')
        size = int(size, 16)
        if size == 0:
            await _read_trailers(reader)
            return b''.join(parts)
        size_so_far += size
        if size_so_far > limit:
            return None
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b'\r\n':
            raise ValueError('invalid chunk end')


def _bad_extensions(extensions):
    """True unless extensions (after the first ';') are name[=value]
    pairs, a value being a token or a quoted string (RFC 9112 7.1.1)."""
    text = _decode(extensions)
    if _has_ctl(text):
        return True
    i = 0
    n = len(text)
    while True:
        i = _skip_blanks(text, i)
        start = i
        while i < n and text[i] in _TOKEN:
            i += 1
        if i == start:
            return True  # no name
        i = _skip_blanks(text, i)
        if i < n and text[i] == '=':
            i = _skip_blanks(text, i + 1)
            if i < n and text[i] == '"':
                i += 1
                while i < n and text[i] != '"':
                    i += 2 if text[i] == '\\' else 1
                if i >= n:
                    return True  # an unterminated quoted string
                i += 1
            else:
                start = i
                while i < n and text[i] in _TOKEN:
                    i += 1
                if i == start:
                    return True
            i = _skip_blanks(text, i)
        if i == n:
            return False
        if text[i] != ';':
            return True
        i += 1


def _skip_blanks(text, i):
    while i < len(text) and text[i] in ' \t':
        i += 1
    return i


async def _read_trailers(reader):
    """Read (and drop) the trailer section ending a chunked body: header
    lines, as many as a head may have."""
    for _ in range(Request.max_headers + 1):
        line = await _read_line(reader)
        if line == b'\r\n':
            return
        colon = line.find(b':')
        if line[-2:] != b'\r\n' or b'\r' in line[:-2] or colon <= 0 or \
                line[:colon].strip(_TOKEN_BYTES) or \
                _has_ctl(_decode(line[:-2])):
            raise ValueError('invalid trailer')
    raise ValueError('too many trailers')
