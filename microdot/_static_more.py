# The parts of microdot.static that most requests do not need, imported on
# first use: Range and If-Range, If-Modified-Since, gzip negotiation and on
# the fly decompression, and the ROMFS manifest of content hashes.
from microdot.microdot import _DAYS, _MONTHS
from microdot.static import FileBody

try:
    import deflate  # MicroPython

    def _gunzip(name):
        f = open(name, 'rb')
        try:
            return deflate.DeflateIO(f, deflate.GZIP, 0, True)
        except MemoryError:
            f.close()
            raise
except ImportError:
    try:
        from gzip import open as _gunzip  # CPython
    except ImportError:  # pragma: no cover
        _gunzip = None


def unquote(path):
    """Percent-decode a URL path (no '+' rule in paths); None if invalid."""
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


def parse_http_date(text):
    """Unix time of an IMF-fixdate, or None when it is not one."""
    parts = text.split()
    try:
        day = _DAYS.find(parts[0][:3])
        month = _MONTHS.find(parts[2])
        if len(parts) != 6 or parts[5] != 'GMT' or len(parts[0]) != 4 or \
                day < 0 or day % 3 or len(parts[2]) != 3 or month % 3:
            return None
        hh, mm, ss = [int(x) for x in parts[4].split(':')]
        d, y = int(parts[1]), int(parts[3])
    except (ValueError, IndexError):
        return None
    if not (1 <= d <= 31 and hh < 24 and mm < 60 and ss < 61):
        return None
    # the day number of a civil date (H. Hinnant's algorithm)
    m = month // 3 + 1
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return days * 86400 + hh * 3600 + mm * 60 + ss


def not_modified_since(header, mtime):
    since = parse_http_date(header)
    return since is not None and mtime <= since


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
    return qs.get('gzip', 0.0 if star is None else star), \
        qs.get('identity', star)


def negotiate(header, st):
    """(send the .gz copy, decompress it) for an Accept-Encoding value, when
    a .gz copy exists and `st` is the stat of the file itself (None: only
    the .gz exists, sent as it is unless refused)."""
    codings = accepted_codings(header)
    if st is None:
        wanted = codings is None or codings[0] > 0
        return wanted, not wanted
    return codings is not None and codings[0] > 0 and (
        codings[1] is None or codings[0] >= codings[1]), False


def decompressed(get, name, headers, buffer_size):
    """The response sending the .gz file `name` decompressed (length unknown:
    chunked)."""
    f = first = None
    try:
        f = _gunzip(name)
        if get:
            # the first read allocates the 32 KB gzip window: fail now,
            # with a status, rather than in the middle of the body
            first = f.read(buffer_size)
        body = FileBody(f, buffer_size, 0, None, first)
    except MemoryError:
        if f is not None:
            f.close()
        return 'Service unavailable: no memory to decompress', 503
    return body.response(200, headers)


def _number(text):
    """The value of a string of decimal digits, else None (int() also takes
    signs, spaces and underscores)."""
    text = text.strip()
    if not text or text.strip('0123456789'):
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


def requested_range(headers, size, etag, mtime):
    """parse_range of the request's Range, unless an If-Range names another
    version of the file (then None)."""
    if_range = headers.get('If-Range')
    if if_range is not None:
        if_range = if_range.strip()
        if if_range[:1] == '"':
            if if_range != etag:  # a strong comparison
                return None
        elif mtime is None or parse_http_date(if_range) != mtime:
            return None
    return parse_range(headers.get('Range'), size)


def read_manifest(name):
    """{path: (size, hash)} from a manifest file (see static.MANIFEST)."""
    manifest = {}
    try:
        with open(name) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    manifest[parts[0]] = (int(parts[1]), parts[2])
    except (OSError, ValueError):
        pass
    return manifest
