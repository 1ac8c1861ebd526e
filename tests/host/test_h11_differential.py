"""Differential test of our request-head parser and chunked decoder against
h11 (CPython only, pinned in requirements/conformance.txt).

Hypothesis generates request heads and chunked bodies, well-formed and
mutated (byte flips, inserted CR/LF/NUL/space, duplicated lines,
conflicting framing headers, huge numbers, obfuscated Transfer-Encoding,
absolute-form targets, missing or duplicate Host). For each input h11's
verdict and ours must agree -- both refuse, or both accept with the same
method, target, version, headers, framing, keep-alive and 100-continue
(bodies: the same decoded data and the same bytes left for the next
request) -- or the case is one of the DIFFERENCES below, each a deliberate
choice with its reason (also listed in README.md, "HTTP/1.1 conformance").

The runs are seeded and bounded, so a command sees the same inputs every
time (hypothesis also mixes in constants from the modules loaded, so the
file run alone samples a little differently from `make test`); each test
prints how many inputs were compared and agreed, and a failure lists the
bytes of one input per kind of disagreement."""
import asyncio
import re
from collections import Counter

import h11
import pytest
from hypothesis import (HealthCheck, Phase, given, seed, settings,
                        strategies as st)

from microdot._chunked import read_body as read_chunked_body
from microdot.microdot import (AsyncBytesIO, HTTPException, Request,
                               _BufferedReader, parse_header_lines,
                               parse_request_head)

HEAD_EXAMPLES = 4000
BODY_EXAMPLES = 2000
HIDDEN = b'GET /secret HTTP/1.1\r\nHost: x\r\n\r\n'
CHUNKED_HEAD = (b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                b'Transfer-Encoding: chunked\r\n\r\n')


def profile(examples):
    """A fixed seed and no shrinking: every disagreement is collected and
    reported as found."""
    fixed = settings(max_examples=examples, database=None, deadline=None,
                     phases=[Phase.explicit, Phase.generate],
                     suppress_health_check=list(HealthCheck))
    return lambda test: seed(13)(fixed(test))


# ---- verdicts -------------------------------------------------------------

class Accepted:
    """An accepted request head, reduced to what both parsers report."""

    def __init__(self, method, target, version, headers, framing, keep_alive,
                 expect_continue):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # {lower-case name: last value}
        self.framing = framing  # ('chunked',) or ('length', n)
        self.keep_alive = keep_alive
        self.expect_continue = expect_continue

    def fields(self):
        return (self.method, self.target, self.version, self.headers,
                self.framing, self.keep_alive, self.expect_continue)

    def __eq__(self, other):
        return isinstance(other, Accepted) and self.fields() == other.fields()

    def __repr__(self):
        return 'Accepted%r' % (self.fields(),)


class Refused:
    def __init__(self, status, reason=''):
        self.status = status
        self.reason = reason

    def __eq__(self, other):  # refusals agree whatever the status
        return isinstance(other, Refused)

    def __repr__(self):
        return 'Refused(%s, %r)' % (self.status, self.reason)


INCOMPLETE = 'incomplete'  # no blank line yet: not compared


def _text(value):
    """A header value as we expect to read it: UTF-8, or, when it is not
    UTF-8, one replacement character per byte over 0x7F (MicroPython's
    decode has no errors='replace', so both runtimes do this)."""
    try:
        return value.decode()
    except UnicodeError:
        return ''.join(chr(c) if c < 128 else '\ufffd' for c in value)


def skip_empty_lines(raw):
    """What our server's reader skips before a request line."""
    while True:
        if raw.startswith(b'\r\n'):
            raw = raw[2:]
        elif raw.startswith(b'\n'):
            raw = raw[1:]
        else:
            return raw


def split_head(raw):
    """(head, rest) as the server's reader cuts them, or None."""
    raw = skip_empty_lines(raw)
    match = re.search(b'\n\r?\n', raw)
    if not match:
        return None
    return raw[:match.end()], raw[match.end():]


def ours(raw):
    parts = split_head(raw)
    if parts is None:
        return INCOMPLETE
    try:
        (method, url, version, lines, content_length, chunked, keep_alive,
         expect_continue) = parse_request_head(parts[0])
    except ValueError:
        return Refused(400)
    except HTTPException as exc:
        return Refused(exc.status_code)
    headers = {k.lower(): v for k, v in parse_header_lines(lines).items()}
    if 'transfer-encoding' in headers:  # as h11 hands it over
        headers['transfer-encoding'] = headers['transfer-encoding'].lower()
    framing = ('chunked',) if chunked else ('length', content_length or 0)
    return Accepted(method, url, version, headers, framing, keep_alive,
                    expect_continue and version == '1.1')


def origin_form(target):
    """h11 hands the target over as sent: the origin form we route by."""
    match = re.match(r'(?i)https?://[^/?#]+', target)
    if match:
        target = target[match.end():]
        return target if target.startswith('/') else '/' + target
    return target


def h11_request(raw):
    """h11's first event for raw: a Request (with its connection), a
    Refused, or INCOMPLETE."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(raw)
    try:
        event = conn.next_event()
    except h11.RemoteProtocolError as exc:
        return Refused(exc.error_status_hint, str(exc)), conn
    if event is h11.NEED_DATA:
        return INCOMPLETE, conn
    return event, conn


def theirs(raw):
    event, conn = h11_request(raw)
    if not isinstance(event, h11.Request):
        return event
    headers = {}
    for name, value in event.headers:
        headers[_text(name)] = _text(value)
    # h11's framing and keep-alive rules (h11/_connection.py), from the
    # headers it validated: Transfer-Encoding beats Content-Length; no
    # header is an empty body; HTTP/1.0 or `close` ends the connection
    if 'transfer-encoding' in headers:
        framing = ('chunked',)
    else:
        framing = ('length', int(headers.get('content-length', 0)))
    connection = [token.strip().lower() for name, value in event.headers
                  if name == b'connection' for token in value.split(b',')]
    version = _text(event.http_version)
    return Accepted(_text(event.method), origin_form(_text(event.target)),
                    version, headers, framing,
                    b'close' not in connection and version >= '1.1',
                    conn.they_are_waiting_for_100_continue)


def decode_ours(body):
    """Our chunked decoder over the server's buffered reader: (data, bytes
    left for the next request), or Refused."""
    reader = _BufferedReader(AsyncBytesIO(body))

    async def run():
        data = await read_chunked_body(reader, 1 << 20)
        if data is None:
            return Refused(413, 'over the limit')
        return data, reader.buf + reader.stream.stream.read()
    try:
        return asyncio.run(run())
    except (ValueError, EOFError) as exc:
        return Refused(400, str(exc))


def decode_theirs(body):
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(CHUNKED_HEAD + body)
    conn.receive_data(b'')  # the client is done: a short body is an error
    data = b''
    try:
        event = conn.next_event()
        assert isinstance(event, h11.Request)
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Data):
                data += event.data
            elif isinstance(event, h11.EndOfMessage):
                return data, conn.trailing_data[0]
            else:
                return Refused(400, repr(event))
    except h11.RemoteProtocolError as exc:
        return Refused(exc.error_status_hint, str(exc))


# ---- deliberate differences -----------------------------------------------

def _head(raw):
    parts = split_head(raw)
    return parts[0] if parts else skip_empty_lines(raw)


def _header_lines(raw):
    return re.split(b'\r?\n', _head(raw))[1:]


def _values(raw, name):
    name = name.lower()
    return [line.split(b':', 1)[1].strip(b' \t')
            for line in _header_lines(raw)
            if line.split(b':', 1)[0].lower() == name and b':' in line]


def _request_line(raw):
    return re.split(b'\r?\n', _head(raw))[0].split(b' ')


def empty_lines_first(raw):
    return raw[:1] == b'\n' or raw[:2] == b'\r\n'


def other_version(raw):
    line = _request_line(raw)
    return len(line) == 3 and re.fullmatch(b'HTTP/[0-9]\\.[0-9]', line[2]) \
        and line[2] not in (b'HTTP/1.0', b'HTTP/1.1')


def other_target_form(raw):
    line = _request_line(raw)
    if len(line) != 3:
        return False
    target = line[1]
    if target == b'*':
        return line[0] != b'OPTIONS'
    if target.startswith(b'/'):
        return False
    return not re.match(b'(?i)https?://[^/?#]', target) or \
        not re.fullmatch(b'(?i)https?://[^/?#]+([/?][\x21-\x7e]*)?', target)


def escaped_nul_or_slash(raw):
    line = _request_line(raw)
    if len(line) != 3:
        return False
    path = origin_form(_text(line[1])).split('?', 1)[0]
    return bool(re.search('%([^0-9A-Fa-f]|.[^0-9A-Fa-f]|00|2[fF]|.?$)',
                          path))


def empty_list_elements(raw):
    codings = [c.strip(b' \t').lower() for value in
               _values(raw, b'transfer-encoding') for c in value.split(b',')]
    return b'' in codings and [c for c in codings if c] == [b'chunked']


def obs_fold(raw):
    return any(line[:1] in (b' ', b'\t') for line in _header_lines(raw))


def ctl_in_value(raw):
    return any(re.search(b'[\x01-\x08\x0e-\x1f\x7f]', line.split(b':', 1)[1])
               for line in _header_lines(raw) if b':' in line)


def content_length_list(raw):
    return any(b',' in v for v in _values(raw, b'content-length'))


def long_content_length(raw):
    return any(re.fullmatch(b'[0-9]{16,}', v)
               for v in _values(raw, b'content-length'))


def both_framings(raw):
    return bool(_values(raw, b'transfer-encoding')) and \
        bool(_values(raw, b'content-length'))


def chunked_on_http10(raw):
    return _request_line(raw)[-1:] == [b'HTTP/1.0'] and \
        bool(_values(raw, b'transfer-encoding'))


def over_our_limits(raw):
    lines = _header_lines(raw)
    return len(lines) > Request.max_headers + 1 or \
        any(len(line) + 2 > Request.max_readline
            for line in re.split(b'\n', _head(raw)))


def http10_keep_alive(raw):
    tokens = [t.strip(b' \t').lower() for v in _values(raw, b'connection')
              for t in v.split(b',')]
    return _request_line(raw)[-1:] == [b'HTTP/1.0'] and \
        b'keep-alive' in tokens and b'close' not in tokens


H11_CHUNK_LINE = re.compile(b'([0-9A-Fa-f]{1,20})(;.*)?[ \t]*\r\n')
TOKEN = b"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
CHUNK_EXT = re.compile(
    b'(?:[ \t]*;[ \t]*%s(?:[ \t]*=[ \t]*(?:%s|"(?:[^"\\\\\x00-\x08\x0a-\x1f'
    b'\x7f]|\\\\[^\x00-\x08\x0a-\x1f\x7f])*"))?)*' % (TOKEN, TOKEN))


def h11_chunk_parts(body):
    """The chunk-size lines, the trailer lines and the raw trailer
    section (with the empty line ending it) of body, as h11 reads them (so
    a difference only names what h11 accepted)."""
    sizes = []
    pos = 0
    while True:
        end = body.find(b'\r\n', pos)
        match = H11_CHUNK_LINE.fullmatch(body, pos, end + 2)
        if end < 0 or not match:
            return sizes, [], b''
        sizes.append(match)
        size = int(match.group(1), 16)
        pos = end + 2
        if size == 0:
            break
        pos += size + 2
    if body[pos:pos + 1] == b'\n' or body[pos:pos + 2] == b'\r\n':
        return sizes, [], body[pos:pos + 2].split(b'\n')[0] + b'\n'
    end = re.compile(b'\n\r?\n').search(body, pos)
    if not end:
        return sizes, [], b''
    return sizes, [line[:-1] if line.endswith(b'\r') else line
                   for line in body[pos:end.start()].split(b'\n')], \
        body[pos:end.end()]


def long_chunk_size(body):
    return any(len(m.group(1)) > 8 for m in h11_chunk_parts(body)[0])


def space_after_chunk_size(body):
    return any(m.group(0).endswith((b' \r\n', b'\t\r\n'))
               for m in h11_chunk_parts(body)[0])


def chunk_extension_syntax(body):
    return any(m.group(2) and not CHUNK_EXT.fullmatch(m.group(2))
               for m in h11_chunk_parts(body)[0])


def lf_in_trailers(body):
    return bool(re.search(b'(^|[^\r])\n', h11_chunk_parts(body)[2]))


def trailer_rules(body):
    lines = h11_chunk_parts(body)[1]
    return any(line[:1] in (b' ', b'\t') or len(line) + 2 >
               Request.max_readline or re.search(
                   b'[\x01-\x08\x0e-\x1f\x7f]', line) for line in lines) or \
        len(lines) > Request.max_headers


class Difference:
    def __init__(self, name, ours, h11, reason, applies):
        self.name = name
        self.ours = ours  # 'refuses', 'accepts' or 'keep-alive'
        self.h11 = h11
        self.reason = reason
        self.applies = applies


# Each deliberate difference: when it applies (a test on the input), what
# each side does, and why. Checked both ways: an unexplained disagreement
# fails, and each difference has an example (DIFFERENCE_EXAMPLES below).
DIFFERENCES = [
    Difference('empty-lines-first', 'accepts', 'refuses',
               'RFC 9112 2.2: a server SHOULD ignore at least one empty '
               'line before a request line (h11 answers 400)',
               empty_lines_first),
    Difference('http-version', 'refuses', 'accepts',
               'we serve HTTP/1.0 and 1.1 only and answer other HTTP/x.y '
               'with 505 (RFC 9110 15.6.6); h11 accepts any HTTP/d.d',
               other_version),
    Difference('target-form', 'refuses', 'accepts',
               'RFC 9112 3.2: origin-form, absolute-form (http/https with '
               'an authority) or "*" for OPTIONS; h11 accepts any run of '
               'visible characters',
               other_target_form),
    Difference('escaped-nul-or-slash', 'refuses', 'accepts',
               '%00 and %2F in a path would reach a file API or a route as '
               'NUL or /, and a bad escape has no meaning: 400 (issue 13)',
               escaped_nul_or_slash),
    Difference('empty-list-elements', 'accepts', 'refuses',
               'RFC 9110 5.6.1: a recipient MUST accept empty list '
               'elements (`chunked,`); h11 wants exactly `chunked`',
               empty_list_elements),
    Difference('obs-fold', 'refuses', 'accepts',
               'RFC 9112 5.2 lets a server refuse obs-fold with 400; h11 '
               'unfolds it, which can hide a header from a front end',
               obs_fold),
    Difference('ctl-in-value', 'refuses', 'accepts',
               'RFC 9110 5.5: a field value has no control characters but '
               'HTAB; h11 only refuses NUL and whitespace controls',
               ctl_in_value),
    Difference('content-length-list', 'refuses', 'accepts',
               'RFC 9110 8.6 allows either; a comma list is not ASCII '
               'digits, and refusing it removes a framing ambiguity',
               content_length_list),
    Difference('content-length-digits', 'refuses', 'accepts',
               'a Content-Length of more than 15 digits is 400: far over '
               'any body we take, and no big integers on a board; h11 '
               'takes up to 20 digits', long_content_length),
    Difference('transfer-encoding-with-content-length', 'refuses', 'accepts',
               'RFC 9112 6.1: a server MAY reject it and MUST close after '
               'it; it is the CL.TE / TE.CL smuggling shape, so we refuse',
               both_framings),
    Difference('chunked-on-http/1.0', 'refuses', 'accepts',
               'RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message '
               'means faulty framing',
               chunked_on_http10),
    Difference('line-limits', 'refuses', 'accepts',
               'a board has ~100 KB of heap: Request.max_readline per line '
               'and Request.max_headers lines, where h11 bounds a whole '
               'head at 16 KiB',
               over_our_limits),
    Difference('http/1.0-keep-alive', 'keep-alive', 'closes',
               'HTTP/1.0 with Connection: keep-alive (and no close) stays '
               'open, as in upstream Microdot; h11 closes every HTTP/1.0 '
               'connection',
               http10_keep_alive),
]

BODY_DIFFERENCES = [
    Difference('chunk-size-digits', 'refuses', 'accepts',
               'chunk sizes are 1 to 8 hex digits (bounded, no overflow); '
               'h11 takes up to 20', long_chunk_size),
    Difference('space-after-chunk-size', 'refuses', 'accepts',
               'RFC 9112 7.1: chunk-size [chunk-ext] CRLF has no trailing '
               'whitespace; h11 tolerates it', space_after_chunk_size),
    Difference('chunk-extension-syntax', 'refuses', 'accepts',
               'RFC 9112 7.1.1: extensions are ;token[=token/quoted-string]; '
               'h11 skips anything after ";"', chunk_extension_syntax),
    Difference('lf-in-trailers', 'refuses', 'accepts',
               'inside a chunked body every line ends with CRLF, trailers '
               'too, so no front end that splits lines otherwise can '
               'disagree with us on where the body ends (the head accepts '
               'bare LF)',
               lf_in_trailers),
    Difference('trailer-rules', 'refuses', 'accepts',
               'trailer lines follow the header rules above (no obs-fold, '
               'no CTLs, Request.max_headers lines of Request.max_readline)',
               trailer_rules),
]


def _kind(verdict):
    if isinstance(verdict, Refused):
        return 'refuses'
    return 'accepts'


def explain(differences, raw, mine, other):
    """The name of the deliberate difference that explains a disagreement,
    or None."""
    for diff in differences:
        if not diff.applies(raw):
            continue
        if diff.ours == 'keep-alive':
            if isinstance(mine, Accepted) and isinstance(other, Accepted) \
                    and mine.keep_alive and not other.keep_alive and \
                    mine.fields()[:5] == other.fields()[:5]:
                return diff.name
        elif _kind(mine) == diff.ours and _kind(other) == diff.h11:
            return diff.name
    return None


# ---- generators -----------------------------------------------------------
# Each part of a request is mostly well-formed and sometimes not, so that
# many heads are accepted (and their fields compared) and the refusals are
# spread over every rule.

@st.composite
def _mostly(draw, good, bad, one_in):
    # hypothesis favours small and boundary numbers, so a hash of the
    # number it draws decides, uniformly
    odds = (draw(st.integers(0, 2 ** 32 - 1)) * 2654435761 + 12345) >> 16
    return draw(bad if odds % one_in == 0 else good)


def mostly(good, bad, one_in=8):
    """good, and bad one time in one_in; .good is good alone (the parts of
    the heads generated without faults)."""
    strategy = _mostly(good, bad, one_in)
    strategy.good = getattr(good, 'good', good)
    return strategy


TCHAR = '!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz' \
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
VCHAR = ''.join(chr(c) for c in range(0x21, 0x7f))
INTERESTING = b'\r\n\x00 \t:;,"\x7f\x80\xff\x0b\x01'

tokens = st.text(TCHAR, min_size=1, max_size=8).map(str.encode)
methods = mostly(st.sampled_from([b'GET', b'POST', b'PUT', b'HEAD',
                                  b'OPTIONS', b'DELETE', b'PATCH']),
                 tokens | st.sampled_from([b'get', b'M-SEARCH', b'G(T',
                                           b'GET\t', b'']))
path_chars = st.lists(st.sampled_from([
    'a', 'b', 'z', 'A', '0', '9', '-', '.', '_', '~', '!', '$', '&', "'",
    '(', ')', '*', '+', ',', ';', '=', ':', '@', '/', '%20', '%41']),
    max_size=12).map(lambda chars: ''.join(chars).encode())
origin_targets = st.builds(
    lambda path, query: b'/' + path + query, path_chars,
    st.sampled_from([b'', b'?', b'?a=1', b'?a=1&b=%20', b'?x=/y?z']))
hosts = mostly(st.sampled_from([b'example.com', b'localhost', b'127.0.0.1',
                                b'x', b'[::1]', b'example.com:8080', b'h:0']),
               st.sampled_from([b'', b'a b', b'exa\xc3\xa9mple', b'a\x00']))
schemes = mostly(st.sampled_from([b'http://', b'https://', b'HTTP://']),
                 st.sampled_from([b'ftp://', b'http:/', b'http:', b'http//']))
absolute_targets = st.builds(
    lambda scheme, host, target: scheme + host + target,
    schemes, hosts, origin_targets | st.sampled_from([b'', b'?q=1']))
absolute_targets.good = st.builds(
    lambda scheme, host, target: scheme + host + target,
    schemes.good, hosts.good, origin_targets | st.sampled_from([b'', b'?q=1']))
targets = mostly(
    mostly(origin_targets, absolute_targets.good, 4),
    st.sampled_from([b'*', b'example.com:443', b'index.html', b'//x',
                     b'/caf\xc3\xa9', b'/a b', b'/%00', b'/a%2fb', b'/%zz',
                     b'/\x7f', b'']))
versions = mostly(st.sampled_from([b'HTTP/1.1', b'HTTP/1.1', b'HTTP/1.0']),
                  st.sampled_from([b'HTTP/2.0', b'HTTP/0.9', b'HTTP/1.2',
                                   b'HTTP/1', b'http/1.1', b'HTTP/1.10',
                                   b'HTTP/11', b'HTTP/1.1 ', b'HTTPS/1.1']))

header_names = mostly(st.sampled_from([
    b'Accept', b'User-Agent', b'Cookie', b'X-Forwarded-For', b'X-A',
    b'Content-Type', b'Upgrade', b'Via', b'TE', b'Trailer']) | tokens,
    st.sampled_from([b'X A', b'X(', b'', b'X\x00', b'\xc3\xa9']))
clean_values = st.sampled_from([
    b'', b'*/*', b'text/html, application/json;q=0.9', b'curl/8.5.0',
    b'a=1; b=2', b'10.0.0.1, 10.0.0.2', b'websocket', b'1.1 proxy',
    b'trailers', b'"quoted, value"', b'x\ty', b'caf\xc3\xa9']) | st.text(
    VCHAR + ' \t', max_size=10).map(lambda v: v.strip(' \t').encode())
values = mostly(clean_values, st.one_of(
    st.binary(max_size=24).map(
        lambda b: bytes(c for c in b if c > 0x20 and c != 0x7f) or b'v'),
    st.sampled_from([b'', b'caf\xc3\xa9', b'\xff\xfe', b'a\x01b', b'a\x00b',
                     b'a\x7fb', b'a\x0bb', b'a\rb', b'x' * 2100])))
separators = mostly(st.sampled_from([b': ', b':', b':\t', b':  ']),
                    st.sampled_from([b' : ', b' :', b'\t:']), 20)
trailing_ows = st.sampled_from([b'', b'', b'', b' ', b'\t', b' \t'])

content_lengths = mostly(
    st.integers(0, 40).map(lambda n: str(n).encode()),
    st.sampled_from([
        b'007', b'5, 5', b'5,5', b'5, 6', b'+5', b'-5', b'5.0', b'0x5',
        b'5 5', b'', b' ', b'1' * 15, b'1' * 16, b'9' * 20, b'9' * 21,
        b'18446744073709551621', b'\xd9\xa5', b'\xef\xbc\x95', b'\xc2\xb2',
        b'1_0', b'5\x00', b'5;', b'1e3']), 4)
transfer_encodings = mostly(
    st.sampled_from([b'chunked', b'Chunked', b'CHUNKED']),
    st.sampled_from([
        b'xchunked', b'chunkedx', b'chunk', b'chunked, gzip',
        b'gzip, chunked', b'gzip', b'identity', b'identity, chunked',
        b'chunked, chunked', b'"chunked"', b'chunked;q=1', b'chunked,',
        b', chunked', b'chunked ,', b'deflate', b'compress, chunked',
        b'chunked\x0b', b'\xc2\xa0chunked', b'']), 3)
te_names = mostly(st.sampled_from([b'Transfer-Encoding',
                                   b'transfer-encoding']),
                  st.sampled_from([b'TRANSFER-ENCODING', b'Transfer-Encoding ',
                                   b'Transfer-Encoding\t',
                                   b'Transfer_Encoding',
                                   b'Transfer-Encodings']))
cl_names = mostly(st.sampled_from([b'Content-Length', b'content-length']),
                  st.sampled_from([b'CONTENT-LENGTH', b'Content-Length ',
                                   b'Content_Length']))
connections = st.sampled_from([
    b'close', b'keep-alive', b'Keep-Alive', b'close, upgrade', b'upgrade',
    b'Upgrade, Keep-Alive', b'CLOSE', b'te, close', b'closed'])
expects = st.sampled_from([b'100-continue', b'100-Continue', b'foo',
                           b'100-continue, foo', b'100-continuex'])


@st.composite
def framing_headers(draw, pick):
    kind = draw(st.sampled_from(['none', 'length', 'chunked', 'none',
                                 'length', 'chunked', 'lengths',
                                 'chunked-twice', 'both']))
    headers = []
    if kind in ('length', 'both'):
        headers.append((draw(pick(cl_names)), draw(pick(content_lengths))))
    if kind == 'lengths':
        value = draw(pick(content_lengths))
        for _ in range(draw(st.integers(2, 3))):
            headers.append((draw(pick(cl_names)), draw(pick(mostly(
                st.just(value), content_lengths, 2)))))
    if kind in ('chunked', 'both'):
        headers.append((draw(pick(te_names)),
                        draw(pick(transfer_encodings))))
    if kind == 'chunked-twice':
        for _ in range(2):
            headers.append((draw(pick(te_names)),
                            draw(pick(transfer_encodings))))
    return headers


@st.composite
def request_heads(draw):
    """Half of the heads have no fault by construction (every part is
    drawn from its good choices; they may still break a rule together,
    as two framing headers do), the other half may have any."""
    clean = draw(mostly(st.just(True), st.just(False), 2))
    pick = (lambda strategy: strategy.good) if clean else \
        (lambda strategy: strategy)
    version = draw(pick(versions))
    host_count = draw(pick(mostly(st.just(1), st.sampled_from([0, 2]))))
    headers = [(b'Host', draw(pick(hosts))) for _ in range(host_count)]
    headers += draw(framing_headers(pick))
    headers += draw(st.lists(st.tuples(pick(header_names), pick(values)),
                             max_size=4))
    for name, strategy in ((b'Connection', connections),
                           (b'Expect', expects)):
        for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2]))):
            headers.append((name, draw(strategy)))
    headers = draw(st.permutations(headers))
    if draw(pick(mostly(st.just(False), st.just(True), 50))):
        headers += [(b'X-Many', b'1')] * (Request.max_headers + 1)
    eol = draw(mostly(st.just(b'\r\n'), st.sampled_from([b'\n', 'mixed']),
                      4))
    lines = [draw(pick(methods)) + b' ' + draw(pick(targets)) + b' ' +
             version]
    for name, value in headers:
        lines.append(name + draw(pick(separators)) + value +
                     draw(trailing_ows))
    lines += [b'', b'']
    if eol == 'mixed':
        return b''.join(line + draw(st.sampled_from([b'\r\n', b'\n']))
                        for line in lines[:-1])
    head = eol.join(lines)
    return head if clean else draw(mutated(st.just(head)))


@st.composite
def mutated(draw, base):
    """base, or (half the time) base with up to three byte-level edits:
    flip a bit, insert an interesting byte, delete a byte or duplicate a
    line."""
    data = bytearray(draw(base))
    for _ in range(draw(mostly(st.just(0), st.integers(1, 3), 2))):
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(['flip', 'insert', 'insert', 'delete',
                                   'line']))
        if op == 'flip' and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == 'insert':
            data.insert(pos, draw(st.sampled_from(INTERESTING)))
        elif op == 'delete' and data:
            del data[pos]
        elif op == 'line':
            lines = bytes(data).split(b'\n')
            i = draw(st.integers(0, max(len(lines) - 3, 0)))
            lines.insert(i, lines[i])
            data = bytearray(b'\n'.join(lines))
    return bytes(data)


@st.composite
def chunk_size_line(draw, size):
    text = ('%x' if draw(st.booleans()) else '%X') % size
    text = '0' * draw(mostly(st.sampled_from([0, 0, 1, 3]), st.just(8))) + \
        text
    ext = draw(mostly(st.sampled_from([b'', b'', b';a', b';a=b', b';a="b c"',
                                       b'; a=b', b';a=b;c', b';a="\\"x"']),
                      st.sampled_from([b';', b';=b', b';a=', b';a=b c',
                                       b';a=\x00', b';a="b', b' ;a',
                                       b'\t;a=b', b';a = b', b';a=\xff'])))
    ows = draw(mostly(st.just(b''), st.sampled_from([b' ', b'\t'])))
    return text.encode() + ext + ows + b'\r\n'


@st.composite
def chunked_bodies(draw):
    chunks = draw(st.lists(st.binary(min_size=1, max_size=40), max_size=4))
    body = b''
    for data in chunks:
        body += draw(chunk_size_line(len(data))) + data + b'\r\n'
    body += draw(chunk_size_line(0))
    trailers = draw(st.lists(st.tuples(header_names, values), max_size=2))
    if draw(mostly(st.just(False), st.just(True), 50)):
        trailers += [(b'X-T', b'1')] * (Request.max_headers + 1)
    for name, value in trailers:
        body += name + b': ' + value + b'\r\n'
    body += b'\r\n'
    special = draw(mostly(st.none(), st.sampled_from([
        b'0x5\r\nhello\r\n0\r\n\r\n', b'+5\r\nhello\r\n0\r\n\r\n',
        b'-1\r\nx\r\n0\r\n\r\n', b'5\nhello\n0\n\n', b'5\r\nhello\n0\r\n\r\n',
        b'5\r\nhelloXX0\r\n\r\n', b'5\r\nhello', b'100000000\r\nx\r\n',
        b'ffffffffffffffff5\r\nhello\r\n0\r\n\r\n', b'5\r\nhello\r\n0\r\n',
        b'0\r\nGET /secret HTTP/1.1\r\nHost: x\r\n\r\n',
        b'5 ;a\r\nhello\r\n0\r\n\r\n', b'\r\n5\r\nhello\r\n0\r\n\r\n',
        b'5\r\nhello\r\n0\r\nX: a\n\n', b'5\r\nhello\r\n0\r\n\n'])))
    return (special or body) + draw(st.sampled_from([b'', HIDDEN]))


# ---- the tests ------------------------------------------------------------

def summary(capsys, what, stats, unexplained):
    stats.pop('incomplete', None)
    compared = sum(stats.values())
    accepted, refused = stats['agreed-accepted'], stats['agreed-refused']
    documented = ['%s %d' % (name[4:], count)
                  for name, count in sorted(stats.items())
                  if name.startswith('doc:')]
    with capsys.disabled():
        print('\nh11 differential: %d %s compared, %d agreed (%d accepted '
              'alike, %d refused by both), %d documented differences (%s), '
              '%d unexplained' % (
                  compared, what, accepted + refused, accepted, refused,
                  sum(int(d.rsplit(' ', 1)[1]) for d in documented),
                  ', '.join(documented) or 'none', stats['unexplained']))
    kinds = {}
    for case in unexplained:
        kinds.setdefault(disagreement(*case[1:]), []).append(case)
    report = '\n'.join(
        '%s (%d cases): %r\n  ours: %r\n  h11:  %r' % (
            (kind, len(cases)) + cases[0])
        for kind, cases in sorted(kinds.items()))
    assert not unexplained, 'parsers disagree (%d cases); one of each ' \
        'kind:\n%s' % (len(unexplained), report)


FIELDS = ('method', 'target', 'version', 'headers', 'framing', 'keep-alive',
          'expect-continue')


def disagreement(mine, other):
    """What differs, in a few words."""
    if isinstance(mine, Accepted) and isinstance(other, Accepted):
        return 'both accept, %s differ' % ', '.join(
            name for name, a, b in zip(FIELDS, mine.fields(), other.fields())
            if a != b)
    return 'we %s, h11 %s' % (_kind(mine), _kind(other))


def classify(differences, raw, mine, other, unexplained):
    if mine is INCOMPLETE:  # our reader waits; h11 may refuse early
        return 'incomplete'
    if mine == other:
        return 'agreed-refused' if isinstance(mine, Refused) else \
            'agreed-accepted'
    name = explain(differences, raw, mine, other)
    if name:
        return 'doc:' + name
    unexplained.append((raw, mine, other))
    return 'unexplained'


# Inputs compared on every run besides the generated ones: shapes the
# generator reaches only by chance.
FIXED_HEADS = [
    b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
    b'Connection: upgrade\r\n\r\n',
    b'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n'
    b'Connection: close\r\n\r\n',
    b'GET / HTTP/1.0\r\nConnection: close, keep-alive\r\n\r\n',
    b'GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n',
    b'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, foo\r\n'
    b'Content-Length: 5\r\n\r\nhello',
    b'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n'
    b'Content-Length: 5\r\n\r\nhello',
    b'GET / HTTP/1.1\r\nHost: x\r\nX-A: \xff\xfe\r\n\r\n',
    b'GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\xe9\r\n\r\n',
    b'GET / HTTP/1.1\r\nHost: x\r\nX-A: \xff\r\nX-B: caf\xc3\xa9\r\n\r\n',
    b'GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n',
    b'GET http://exa\xc3\xa9mple/ HTTP/1.1\r\nHost: x\r\n\r\n',
    b'GET http://h?q=1 HTTP/1.1\r\nHost: x\r\n\r\n',
    b'GET HTTPS://h:8 HTTP/1.1\r\nHost: x\r\n\r\n',
    b'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
    b'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
    b'Transfer-Encoding: chunked\r\n\r\n',
    b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n'
    b'Content-Length: 05\r\n\r\nhello',
    b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ' + b'9' * 16 +
    b'\r\n\r\n',
]
FIXED_BODIES = [
    b'5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n',
    b'5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n',
    b'5\r\nhello\r\n0\r\nX T: 1\r\n\r\n',
    b'5\r\nhello\r\n0\r\n: 1\r\n\r\n',
    b'5;a="b"c"\r\nhello\r\n0\r\n\r\n',
    b'5;a=\xff\r\nhello\r\n0\r\n\r\n',
    b'5 ;a\r\nhello\r\n0\r\n\r\n',
    b'5;a = b\r\nhello\r\n0\r\n\r\n',
]


def test_request_heads_agree_with_h11(capsys):
    stats = Counter()
    unexplained = []

    def compare(raw):
        stats[classify(DIFFERENCES, raw, ours(raw), theirs(raw),
                       unexplained)] += 1

    @profile(HEAD_EXAMPLES)
    @given(request_heads())
    def check(raw):
        compare(raw + b'hello')

    check()
    for raw in FIXED_HEADS:
        compare(raw)
    summary(capsys, 'request heads', stats, unexplained)


def test_chunked_bodies_agree_with_h11(capsys):
    stats = Counter()
    unexplained = []

    def compare(body):
        stats[classify(BODY_DIFFERENCES, body, decode_ours(body),
                       decode_theirs(body), unexplained)] += 1

    profile(BODY_EXAMPLES)(given(mutated(chunked_bodies()))(compare))()
    for body in FIXED_BODIES:
        compare(body)
    summary(capsys, 'chunked bodies', stats, unexplained)


# One input per deliberate difference: each is real (the parsers disagree
# on it) and is the difference that explains it.
DIFFERENCE_EXAMPLES = [
    ('empty-lines-first', b'\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    ('http-version', b'GET / HTTP/2.0\r\nHost: x\r\n\r\n'),
    ('target-form', b'GET index.html HTTP/1.1\r\nHost: x\r\n\r\n'),
    ('escaped-nul-or-slash', b'GET /a%2fb HTTP/1.1\r\nHost: x\r\n\r\n'),
    ('empty-list-elements', b'POST / HTTP/1.1\r\nHost: x\r\n'
     b'Transfer-Encoding: chunked,\r\n\r\n'),
    ('obs-fold', b'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n'),
    ('ctl-in-value', b'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\x01c\r\n\r\n'),
    ('content-length-list', b'POST / HTTP/1.1\r\nHost: x\r\n'
     b'Content-Length: 5, 5\r\n\r\nhello'),
    ('content-length-digits', b'POST / HTTP/1.1\r\nHost: x\r\n'
     b'Content-Length: ' + b'9' * 16 + b'\r\n\r\n'),
    ('transfer-encoding-with-content-length', b'POST / HTTP/1.1\r\n'
     b'Host: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n'),
    ('chunked-on-http/1.0', b'POST / HTTP/1.0\r\n'
     b'Transfer-Encoding: chunked\r\n\r\n'),
    ('line-limits', b'GET / HTTP/1.1\r\nHost: x\r\nX-A: ' + b'a' * 3000 +
     b'\r\n\r\n'),
    ('http/1.0-keep-alive', b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n'
     b'\r\n'),
]
BODY_DIFFERENCE_EXAMPLES = [
    ('chunk-size-digits', b'000000005\r\nhello\r\n0\r\n\r\n'),
    ('space-after-chunk-size', b'5 \r\nhello\r\n0\r\n\r\n'),
    ('chunk-extension-syntax', b'5;a=b c\r\nhello\r\n0\r\n\r\n'),
    ('lf-in-trailers', b'5\r\nhello\r\n0\r\nX-T: a\n\n'),
    ('trailer-rules', b'5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n'),
]


def test_every_difference_has_an_example():
    assert [d.name for d in DIFFERENCES] == \
        [name for name, _ in DIFFERENCE_EXAMPLES]
    assert [d.name for d in BODY_DIFFERENCES] == \
        [name for name, _ in BODY_DIFFERENCE_EXAMPLES]


@pytest.mark.parametrize('name, raw', DIFFERENCE_EXAMPLES,
                         ids=[name for name, _ in DIFFERENCE_EXAMPLES])
def test_documented_head_difference(name, raw):
    mine, other = ours(raw), theirs(raw)
    assert mine != other, mine
    assert explain(DIFFERENCES, raw, mine, other) == name, (mine, other)


@pytest.mark.parametrize('name, body', BODY_DIFFERENCE_EXAMPLES,
                         ids=[name for name, _ in BODY_DIFFERENCE_EXAMPLES])
def test_documented_body_difference(name, body):
    mine, other = decode_ours(body), decode_theirs(body)
    assert mine != other, mine
    assert explain(BODY_DIFFERENCES, body, mine, other) == name, (mine, other)
