# What tools/fuzz.py fuzzes: for each parser of untrusted input, a harness
# that feeds it one input, the valid seed inputs the mutations start from,
# tokens worth inserting, and the exceptions it is documented to raise on
# bad input (each maps to a 4xx answer or a closed connection). Anything
# else escaping a harness is a crash. Runs on CPython and MicroPython.
import re

from microdot import microdot
from microdot._chunked import read_body as read_chunked_body
from microdot.microdot import (AsyncBytesIO, HTTPException, NoCaseDict,
                               Request, URLPattern, _decode,
                               _parse_urlencoded, urldecode)
from microdot.multipart import FileUpload, FormDataIter
from microdot.websocket import WebSocket, WebSocketError
from microdot.session import Session
from microdot import _jwt

ADDR = ('127.0.0.1', 40000)
KEY = b'fuzzing-key-0123456789abcdefghijk'
TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz" \
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ'


class ContractBroken(Exception):
    """A parser returned something its contract rules out."""


def expect(condition, what):
    if not condition:
        raise ContractBroken(what)


def run_coro(coro):
    """Run a coroutine that never waits (its streams are in memory)."""
    try:
        coro.send(None)
    except StopIteration as exc:
        return exc.value
    coro.close()
    raise ContractBroken('waits for input that will never come')


class Target:
    def __init__(self, name, run, seeds, tokens, documented, why):
        self.name = name
        self.run = run
        self.seeds = seeds
        self.tokens = tokens
        self.documented_types = documented
        self.why = why

    def documented(self, exc):
        """An HTTPException only with an error status (4xx, 5xx)."""
        if isinstance(exc, HTTPException):
            return HTTPException in self.documented_types and \
                400 <= exc.status_code < 600
        return isinstance(exc, self.documented_types)


def _request(headers, body=b'', url='/', method='POST'):
    return Request(None, ADDR, method, url, '1.1', NoCaseDict(headers),
                   body=body)


# ---- request heads ----

HEAD_SEEDS = [
    b'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n',
    b'GET /index.html?a=1&b=%20x HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n'
    b'User-Agent: fuzz/1.0\r\nCookie: a=1; b=2\r\n\r\n',
    b'POST /form HTTP/1.1\r\nHost: h:8080\r\nContent-Length: 5\r\n'
    b'Content-Type: application/x-www-form-urlencoded\r\n\r\n',
    b'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n'
    b'Expect: 100-continue\r\n\r\n',
    b'GET http://example.com:80/abs/path?q=1 HTTP/1.1\r\nHost: e\r\n\r\n',
    b'OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n',
    b'GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    b'GET / HTTP/1.1\nHost: lf-only\nConnection: close\n\n',
    b'PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n'
    b'X-Obs: caf\xc3\xa9 \xff\t tab\r\nX-Empty:\r\n\r\n',
    b'DELETE /a/b/c HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade'
    b'\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='
    b'\r\nSec-WebSocket-Version: 13\r\n\r\n',
]
HEAD_TOKENS = [
    b'\r\n', b'\n', b'\r\n\r\n', b' ', b'\t', b':', b': ', b' :', b',',
    b'Host: x\r\n', b'Content-Length: 5\r\n', b'Content-Length: ',
    b'Transfer-Encoding: chunked\r\n', b'Transfer-Encoding: ',
    b'chunked', b'gzip, chunked', b'identity', b'Connection: close\r\n',
    b'keep-alive', b'Expect: 100-continue\r\n', b'HTTP/1.1', b'HTTP/1.0',
    b'HTTP/2.0', b'HTTP/1.10', b'http://', b'https://h', b'*', b'OPTIONS',
    b'/', b'?', b'%', b'%00', b'%2f', b'\x00', b'\x7f', b'\xc3\xa9',
    b'\xef\xbb\xbf', b'Cookie: ', b'a=1; ',
    b'X-Long: ' + b'x' * 2100 + b'\r\n',
]


def parse_head(data):
    """The pure head parser, held to its contract."""
    result = microdot.parse_request_head(data)
    expect(len(result) == 8, 'eight fields')
    method, url, version, lines, length, chunked, keep, expect100 = result
    expect(method and all(c in TCHAR for c in method), 'method is a token')
    expect(version in ('1.0', '1.1'), 'version is 1.0 or 1.1')
    expect(url[:1] == '/' or (url == '*' and method == 'OPTIONS'),
           'origin-form target, or * with OPTIONS')
    expect(length is None or (isinstance(length, int) and length >= 0),
           'Content-Length is None or a natural number')
    expect(not (chunked and length is not None),
           'not both chunked and Content-Length')
    expect(not (chunked and version == '1.0'), 'no chunked on HTTP/1.0')
    for line in lines:
        expect(isinstance(line, str) and '\n' not in line and
               '\r' not in line and '\x00' not in line,
               'header lines hold no CR, LF or NUL')
    headers = microdot.parse_header_lines(lines)
    expect(version == '1.0' or 'Host' in headers, 'HTTP/1.1 has a Host')
    expect(length is None or 'Content-Length' in headers,
           'a length comes from Content-Length')
    expect(not chunked or 'Transfer-Encoding' in headers,
           'chunked comes from Transfer-Encoding')
    return result


# ---- whole requests (heads and bodies) as the server reads them ----

REQUEST_SEEDS = [
    HEAD_SEEDS[0],
    HEAD_SEEDS[1],
    b'POST /form?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n'
    b'Content-Type: application/x-www-form-urlencoded\r\n\r\n'
    b'a=1&b=%41+c&d=%zz',
    b'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n'
    b'Content-Type: application/json\r\n\r\n'
    b'4\r\n{"a"\r\n5;ext=1\r\n:[1]}\r\n0\r\nX-Trailer: t\r\n\r\n',
    b'PUT /j HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n'
    b'Content-Length: 14\r\n\r\n{"a": [1, {}]}',
    b'GET / HTTP/1.0\r\n\r\n',
    b'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc\r\n'
    b'GET /b?c=d HTTP/1.1\r\nHost: h\r\n\r\n'
    b'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n'
    b'2\r\nhi\r\n0\r\n\r\nGET /d HTTP/1.1\r\nHost: h\r\n'
    b'Connection: close\r\n\r\n',
]
REQUEST_TOKENS = HEAD_TOKENS + [b'0\r\n\r\n', b'5\r\nhello\r\n', b'[', b'{',
                                b'"', b'%41', b'&', b'=']


def read_requests(data):
    """Pipelined requests as the server reads them: through its buffered
    reader, with small reads so that heads and bodies span several."""
    reader = microdot._BufferedReader(AsyncBytesIO(data),
                                      size=3 + len(data) % 61)
    while True:
        req = run_coro(Request.create(None, reader, None, ADDR))
        if req is None:
            return
        req.headers.get('Host')
        req.args
        req.cookies
        req.form
        req.json
        if not req._keep:
            return


# ---- chunked bodies ----

CHUNK_LIMIT = 100  # small, so the too-large path is reached too
CHUNKED_SEEDS = [
    b'5\r\nhello\r\n0\r\n\r\n',
    b'1\r\na\r\nA\r\n0123456789\r\nff;name=value\r\n' + b'x' * 255 +
    b'\r\n0\r\n\r\n',
    b'3;a="q;uoted";b\r\nabc\r\n0\r\nTrailer-One: 1\r\nTrailer-Two: 2'
    b'\r\n\r\n',
    b'0\r\n\r\n',
    b'00000010\r\n0123456789abcdef\r\n0\r\n\r\n',
]
CHUNKED_TOKENS = [b'\r\n', b'\n', b';', b'=', b'"', b'0\r\n\r\n',
                  b'5\r\nhello\r\n', b'X: y\r\n', b'\x00', b' ', b'\t']


def read_chunked(data):
    body = run_coro(read_chunked_body(AsyncBytesIO(data), CHUNK_LIMIT))
    expect(body is None or len(body) <= CHUNK_LIMIT, 'body within the limit')


# ---- multipart/form-data ----

class SmallBufferIter(FormDataIter):
    buffer_size = 7  # delimiters and headers then span many reads


MULTIPART_SEEDS = [
    b'multipart/form-data; boundary=XyZ\n'
    b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\none\r\n'
    b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.txt"'
    b'\r\nContent-Type: text/plain\r\n\r\nfile\r\ncontent\r\n--XyZ--\r\n',
    b'multipart/form-data; boundary="quoted;b"\n'
    b'preamble\r\n--quoted;b\r\ncontent-disposition: form-data; '
    b'name="x\\"y"; filename=""\r\n\r\n\r\n--quoted;b--epilogue',
    b'Multipart/Form-Data;boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW\n'
    b'------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: '
    b'form-data; name="caf\xc3\xa9"\r\n\r\n\xc3\xa9t\xc3\xa9\r\n'
    b'------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n',
    b'multipart/form-data; boundary=b\n--b--\r\n',
]
MULTIPART_TOKENS = [b'\r\n', b'--', b'--XyZ', b'\r\n--XyZ\r\n', b'--XyZ--',
                    b'Content-Disposition: form-data; name="n"\r\n',
                    b'; filename="f"', b'Content-Type: ', b'"', b'\\', b';',
                    b'=', b':', b'\r\n\r\n', b'boundary=', b'\xff']


def read_multipart(data):
    content_type, _, body = data.partition(b'\n')
    req = _request({'Content-Type': _decode(content_type),
                    'Content-Length': str(len(body))}, body)
    parts = SmallBufferIter if len(body) % 2 else FormDataIter

    async def consume():
        async for name, value in parts(req):
            expect(isinstance(name, str), 'part names are str')
            if isinstance(value, FileUpload):
                while await value.read(5):
                    pass
            else:
                expect(isinstance(value, str), 'fields are str')
    run_coro(consume())


# ---- WebSocket frames (client to server: masked) ----

def _frame(opcode, payload, fin=True, mask=b'\x01\x02\x03\x04'):
    n = len(payload)
    if n < 126:
        head = bytes((0x80 * fin | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 * fin | opcode, 0x80 | 126)) + n.to_bytes(2, 'big')
    else:
        head = bytes((0x80 * fin | opcode, 0x80 | 127)) + n.to_bytes(8, 'big')
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


WEBSOCKET_SEEDS = [
    _frame(1, b'hello'),
    _frame(2, bytes(range(200))) + _frame(1, 'caf\u00e9'.encode()),
    _frame(1, b'frag', fin=False) + _frame(9, b'ping') +
    _frame(0, b'ment', fin=False) + _frame(0, b'ed'),
    _frame(10, b'') + _frame(2, b'x' * 300, mask=b'\xff\x00\xaa\x55'),
]
WEBSOCKET_TOKENS = [_frame(8, (1000).to_bytes(2, 'big') + b'bye'),
                    _frame(8, b''), _frame(1, b'\xed\xa0\x80'),
                    b'\x81', b'\x82', b'\x88', b'\x89', b'\x8a', b'\x00',
                    b'\x01', b'\xfe', b'\xff', b'\x7e\x00\x10',
                    b'\xff\xff\xff\xff\xff\xff\xff\xff', b'\x03\xe8',
                    b'\x80\x00\x00\x00\x00', b'\xc3\x28']


class _Sink:
    async def awrite(self, data):
        pass


def read_websocket(data):
    """Every message in data; a close frame or a frame cut short ends it
    with WebSocketError."""
    req = _request({}, method='GET')
    stream = AsyncBytesIO(data)
    req.sock = (stream, _Sink())
    ws = WebSocket(req)
    while stream.stream.tell() < len(data):
        message = run_coro(ws.receive())
        expect(isinstance(message, (str, bytes)), 'messages are str or bytes')


# ---- URL patterns: the app's patterns and the client's paths ----

PATTERNS = ['/', '/users/<int:id>', '/files/<path:path>', '/<name>',
            '/a/<re:[a-z]+:slug>/b', '/x/<string:s>/<int:n>/y', '/static',
            '/v<int:major>/<path:rest>']
URLPATH_SEEDS = [b'\x00/', b'\x01/users/42', b'\x02/files/a/b.txt',
                 b'\x03/caf%C3%A9', b'\x04/a/slug/b', b'\x05/x/s/-7/y',
                 b'\x06/static', b'\x07/v2/a/b']
URLPATH_TOKENS = [b'/', b'//', b'%', b'%2F', b'<', b'>', b':', b'-', b'..',
                  b'\x00', b'\xff', b'?', b'#', b'\n', b'int', b'path',
                  b're:', b'string', b'<int:x>', b'<path:p>', b'(', b')',
                  b'[', b']', b'*', b'+', b'\\', b'{', b'}', b'|', b'$', b'^']


def match_path(data):
    """The first byte picks an app pattern, the rest is the client's path
    (at most a request line long)."""
    if not data:
        return
    path = _decode(data[1:Request.max_readline])
    URLPattern(PATTERNS[data[0] % len(PATTERNS)]).match(path)


PATTERN_LIMIT = 512
URLPATTERN_SEEDS = [(p + '\n' + s[1:].decode()).encode()
                    for p, s in zip(PATTERNS, URLPATH_SEEDS)]


def match_pattern(data):
    """An app's pattern (first line, as long as an app's may be: an 8 KB
    one can exhaust MicroPython's heap in re.compile) against a path. A
    bad pattern is the developer's error, refused with ValueError (re.error
    on CPython)."""
    pattern, _, path = _decode(data).partition('\n')
    URLPattern(pattern[:PATTERN_LIMIT]).match(path)


# ---- query strings and urlencoded forms ----

URLENCODED_SEEDS = [b'a=1&b=2', b'name=caf%C3%A9&x=a+b&x=c&empty=&flag',
                    b'%41%42%43=%7e&&=v&k==v', b'q=%zz%2%%&r=%F0%9F%98%80',
                    b'']
URLENCODED_TOKENS = [b'%', b'%2', b'%00', b'%C3', b'%FF', b'&', b'=', b'+',
                     b'%25', b'%u0041', b'\xc3\xa9', b'\xff', b';']


def decode_urlencoded(data):
    for value in (urldecode(data), urldecode(_decode(data))):
        expect(isinstance(value, str), 'urldecode gives a str')
    _parse_urlencoded(data)
    _parse_urlencoded(_decode(data))
    req = _request({'Content-Type': 'application/x-www-form-urlencoded'},
                   data, url='/p?' + _decode(data).replace('#', ''))
    req.args
    req.form


# ---- signed tokens (for the cookie and JWT targets) ----

def _b64(data):
    return _jwt.b64url_encode(data)


def _sign(header, payload):
    signing_input = _b64(header) + b'.' + _b64(payload)
    return signing_input + b'.' + _b64(_jwt.hmac_sha256(KEY, signing_input))


# ---- cookies (and the session cookie read from them) ----

SESSION = Session(secret_key=KEY)
COOKIE_SEEDS = [b'a=1', b'a=1; b=two; a=3', b' spaced = value ;;; =x; y=',
                b'session=' + _sign(b'{"alg":"HS256","typ":"session"}',
                                    b'{"user":"u"}') + b'; theme=dark',
                b'quoted="a b"; caf\xc3\xa9=\xc3\xa9']
COOKIE_TOKENS = [b';', b'; ', b'=', b'"', b'session=', b',', b'\x00',
                 b'\xff', b'%3B', b'\t']


def read_cookies(data):
    req = _request({'Cookie': _decode(data)}, method='GET')
    cookies = req.cookies
    expect(isinstance(cookies, dict), 'cookies are a dict')
    expect(isinstance(SESSION.get(req), dict), 'a session is a dict')


# ---- JWTs: the first byte says how the rest becomes a token ----

# JSON spelt out: json.dumps differs between the runtimes, the corpus not
JWT_SEEDS = [
    b'\x00' + _sign(b'{"alg":"HS256","typ":"JWT"}',
                    b'{"sub":"x","exp":4102444800}'),
    b'\x01' + _sign(b'{"typ":"JWT","alg":"HS256"}',
                    b'{"n":[1,2.5,null,true]}'),
    b'\x02{"alg":"HS256","typ":"JWT"}\n{"exp":4102444800,"nbf":1}',
    b'\x02{"typ":"JWT","alg":"HS256"}\n{"user":"caf\\u00e9"}',
]
JWT_TOKENS = [b'.', b'-', b'_', b'=', b'+', b'/', b'"alg"', b'"none"',
              b'"exp":', b'"nbf":', b'1e999', b'-1', b'[', b']', b'{', b'}',
              b'\\u0000', b'\\ud800', b'true', b'"typ":"session"']


def read_jwt(data):
    """0: the token as sent; 1: re-signed, so the parts past the
    signature check are reached; 2: header and payload JSON, signed."""
    if not data:
        return
    mode, token = data[0] % 3, data[1:]
    if mode == 1:
        parts = token.split(b'.')
        if len(parts) == 3:
            token = parts[0] + b'.' + parts[1] + b'.' + \
                _b64(_jwt.hmac_sha256(KEY, parts[0] + b'.' + parts[1]))
    elif mode == 2:
        header, _, payload = token.partition(b'\n')
        token = _sign(header, payload)
    expect(isinstance(SESSION.decode(token), dict), 'Session.decode: a dict')
    expect(isinstance(_jwt.decode(token, KEY), dict), 'decode gives a dict')


TARGETS = [
    Target('head', parse_head, HEAD_SEEDS, HEAD_TOKENS,
           (ValueError, HTTPException, EOFError),
           'ValueError / HTTPException 400, 501, 505: answered with that '
           'status (400 for ValueError), connection closed'),
    Target('request', read_requests, REQUEST_SEEDS, REQUEST_TOKENS,
           (ValueError, HTTPException, EOFError),
           'ValueError: 400; EOFError: a truncated body, connection closed; '
           'HTTPException 400 (bad JSON), 413'),
    Target('chunked', read_chunked, CHUNKED_SEEDS, CHUNKED_TOKENS,
           (ValueError, EOFError),
           'ValueError: 400 and close; EOFError: the client went away'),
    Target('multipart', read_multipart, MULTIPART_SEEDS, MULTIPART_TOKENS,
           (HTTPException,), 'HTTPException 400 or 413 (abort)'),
    Target('websocket', read_websocket, WEBSOCKET_SEEDS, WEBSOCKET_TOKENS,
           (WebSocketError,), 'WebSocketError: the connection is closed '
           '(1002, 1007, 1009 sent first)'),
    Target('urlpath', match_path, URLPATH_SEEDS, URLPATH_TOKENS, (),
           'none: any path matches or not'),
    Target('urlpattern', match_pattern, URLPATTERN_SEEDS, URLPATH_TOKENS,
           (ValueError, getattr(re, 'error', ValueError)),
           "ValueError / re.error: the app's pattern is invalid (at "
           'route registration, not from a client)'),
    Target('urlencoded', decode_urlencoded, URLENCODED_SEEDS,
           URLENCODED_TOKENS, (), 'none: malformed escapes are kept'),
    Target('cookies', read_cookies, COOKIE_SEEDS, COOKIE_TOKENS, (),
           'none: a bad session cookie gives an empty session'),
    Target('jwt', read_jwt, JWT_SEEDS, JWT_TOKENS, (_jwt.InvalidTokenError,),
           'InvalidTokenError (a ValueError): Session.decode gives {}'),
]

# Crashes reported to the lead and not fixed yet (each with a regression
# test marked unittest.expectedFailure): (runtime or None for both,
# target, exception type, module and function raising it, finding).
# tools/fuzz.py lists them apart without failing, and says when one is no
# longer seen.
OPEN_FINDINGS = []
