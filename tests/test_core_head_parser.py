# The pure request-head parser (parse_request_head): one table of heads and
# the answer each gets, the same on CPython and MicroPython (RFC 9110/9112).
import unittest

from microdot.microdot import HTTPException, parse_header_lines, \
    parse_request_head

OK = 200
H = b'Host: x\r\n'

# (head, expected): OK, or the status a refused head gets
TABLE = [
    # request line
    (b'GET / HTTP/1.1\r\n' + H + b'\r\n', OK),
    (b'GET / HTTP/1.0\r\n\r\n', OK),
    (b'get /a?b=c HTTP/1.0\r\n\r\n', OK),  # methods are case-sensitive
    (b'GET / HTTP/1.1\n' + b'Host: x\n\n', OK),  # bare LF line ends
    (b'GET  / HTTP/1.0\r\n\r\n', 400),  # two spaces
    (b'GET / HTTP/1.0 \r\n\r\n', 400),
    (b' GET / HTTP/1.0\r\n\r\n', 400),
    (b'GET\t/ HTTP/1.0\r\n\r\n', 400),
    (b'GET /\r\n\r\n', 400),
    (b'G(T / HTTP/1.0\r\n\r\n', 400),  # not a token
    (b'GET / HTTP/1.2\r\n\r\n', 505),
    (b'GET / HTTP/2.0\r\n\r\n', 505),
    (b'GET / HTTP/1.10\r\n\r\n', 400),
    (b'GET / http/1.1\r\n\r\n', 400),
    (b'GET / HTTP\r\n\r\n', 400),
    (b'GET / HTTP/1.0\r\n', 400),  # no empty line: incomplete
    # targets
    (b'GET http://x/a?b HTTP/1.1\r\n' + H + b'\r\n', OK),
    (b'GET HTTPS://x:8/ HTTP/1.1\r\n' + H + b'\r\n', OK),
    (b'GET http:///a HTTP/1.1\r\n' + H + b'\r\n', 400),  # no authority
    (b'GET ftp://x/ HTTP/1.1\r\n' + H + b'\r\n', 400),
    (b'GET a/b HTTP/1.1\r\n' + H + b'\r\n', 400),
    (b'OPTIONS * HTTP/1.1\r\n' + H + b'\r\n', OK),
    (b'GET * HTTP/1.1\r\n' + H + b'\r\n', 400),
    (b'GET /a%00b HTTP/1.0\r\n\r\n', 400),
    (b'GET /a%2fb HTTP/1.0\r\n\r\n', 400),
    (b'GET /a%2Fb HTTP/1.0\r\n\r\n', 400),
    (b'GET /a%zz HTTP/1.0\r\n\r\n', 400),
    (b'GET /a%4 HTTP/1.0\r\n\r\n', 400),
    (b'GET /a%20b?x=%00 HTTP/1.0\r\n\r\n', OK),  # the query is the app's
    # header lines
    (b'GET / HTTP/1.0\r\nX: \xc3\xa9\r\n\r\n', OK),  # UTF-8 text
    (b'GET / HTTP/1.0\r\nX: \xff\r\n\r\n', OK),  # obs-text (replaced)
    (b'GET /\xff HTTP/1.0\r\nX: \xff\r\n\r\n', 400),  # not in the URL
    (b'GET /caf\xc3\xa9 HTTP/1.0\r\n\r\n', 400),  # targets are ASCII
    (b'GET http://exa\xc3\xa9mple/ HTTP/1.1\r\n' + H + b'\r\n', 400),
    (b'GET / HTTP/1.0\r\nX : y\r\n\r\n', 400),  # space before the colon
    (b'GET / HTTP/1.0\r\nX\t: y\r\n\r\n', 400),
    (b'GET / HTTP/1.0\r\nX: a\x00b\r\n\r\n', 400),  # NUL
    (b'GET / HTTP/1.0\r\nX: a\rb\r\n\r\n', 400),  # lone CR
    (b'GET / HTTP/1.0\r\nX: a\x7fb\r\n\r\n', 400),  # DEL
    (b'GET / HTTP/1.0\r\nX: a\x1bb\r\n\r\n', 400),
    (b'GET / HTTP/1.0\r\nX: a\tb\r\n\r\n', OK),  # HTAB is allowed
    (b'GET / HTTP/1.0\r\nX: a\r\n b\r\n\r\n', 400),  # obs-fold
    (b'GET / HTTP/1.0\r\nNoColon\r\n\r\n', 400),
    (b'GET / HTTP/1.0\r\n: v\r\n\r\n', 400),
    (b'GET / HTTP/1.0\r\nX(: v\r\n\r\n', 400),
    # Host
    (b'GET / HTTP/1.1\r\n\r\n', 400),
    (b'GET / HTTP/1.1\r\n' + H + H + b'\r\n', 400),
    (b'GET / HTTP/1.0\r\n' + H + H + b'\r\n', 400),
    (b'GET / HTTP/1.1\r\nhOsT: x\r\n\r\n', OK),
    # Content-Length
    (b'POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\n', OK),
    (b'POST / HTTP/1.0\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n',
     OK),
    (b'POST / HTTP/1.0\r\nContent-Length: 5\r\nContent-Length: 6\r\n'
     b'Content-Length: 5\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: 5, 5\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: +5\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: -1\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: 0x5\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: 1_0\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: \r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: \xd9\xa5\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length: 9999999999999999\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nContent-Length : 5\r\n\r\n', 400),
    # Transfer-Encoding
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked\r\n\r\n', OK),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: CHUNKED\r\n\r\n', OK),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked\r\n'
     b'Content-Length: 5\r\n\r\n', 400),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: xchunked\r\n\r\n',
     400),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked, gzip\r\n'
     b'\r\n', 400),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: gzip\r\n\r\n', 400),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: gzip, chunked\r\n'
     b'\r\n', 501),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: identity\r\n'
     b'Transfer-Encoding: chunked\r\n\r\n', 501),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked\r\n'
     b'Transfer-Encoding: chunked\r\n\r\n', 501),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding : chunked\r\n\r\n',
     400),
    (b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding:\r\n\r\n', 400),
    (b'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 400),
]


def verdict(head):
    try:
        parse_request_head(head)
    except ValueError:
        return 400
    except HTTPException as exc:
        return exc.status_code
    return OK


class RuleTableTests(unittest.TestCase):
    def test_table(self):
        for head, expected in TABLE:
            self.assertEqual(verdict(head), expected, head)

    def test_fields(self):
        (method, url, version, lines, length, chunked, keep,
         expect) = parse_request_head(
            b'POST http://h:1/p?q=1 HTTP/1.1\r\nHost: h:1\r\n'
            b'Content-Length: 007\r\nConnection: Keep-Alive, Close\r\n'
            b'Expect: 100-Continue\r\nX-A: 1\r\n\r\n')
        self.assertEqual((method, url, version, length, chunked, keep,
                          expect), ('POST', '/p?q=1', '1.1', 7, False, False,
                                    True))
        self.assertEqual(parse_header_lines(lines)['x-a'], '1')
        self.assertEqual(len(lines), 5)

    def test_lists_spread_over_lines(self):
        # RFC 9110 5.3: lines of one name make one list (h11 agrees)
        self.assertFalse(parse_request_head(
            b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
            b'Connection: upgrade\r\n\r\n')[6])
        self.assertTrue(parse_request_head(
            b'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, foo\r\n'
            b'Content-Length: 5\r\n\r\n')[7])

    def test_obs_text_changes_only_its_own_line(self):
        lines = parse_request_head(
            b'GET / HTTP/1.1\r\nHost: x\r\nX-A: \xff\r\n'
            b'X-B: caf\xc3\xa9\r\n\r\n')[3]
        headers = parse_header_lines(lines)
        self.assertEqual(headers['X-A'], '\ufffd')
        self.assertEqual(headers['X-B'], 'caf\u00e9')

    def test_keep_alive(self):
        for head, keep in (
                (b'GET / HTTP/1.1\r\nHost: x\r\n\r\n', True),
                (b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
                 False),
                (b'GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n',
                 True),  # a token, not a substring
                (b'GET / HTTP/1.0\r\n\r\n', False),
                (b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', True),
                (b'GET / HTTP/1.0\r\nConnection: close, keep-alive\r\n\r\n',
                 False),
                (b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n'
                 b'Connection: close\r\n\r\n', False)):
            self.assertEqual(parse_request_head(head)[6], keep, head)

    def test_chunked_flag(self):
        self.assertTrue(parse_request_head(
            b'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked,\r\n'
            b'\r\n')[5])

    def test_limits(self):
        from microdot import Request
        long_line = b'GET / HTTP/1.0\r\nX: ' + b'a' * Request.max_readline + \
            b'\r\n\r\n'
        self.assertEqual(verdict(long_line), 400)
        # the request line too, however the reader delivered it
        for length, expected in ((Request.max_readline - 1, OK),
                                 (Request.max_readline, 400),
                                 (Request.max_readline + 1000, 400)):
            target = b'/' + b'a' * (length - len(b'GET / HTTP/1.0'))
            head = b'GET ' + target + b' HTTP/1.0\r\n\r\n'
            self.assertEqual(verdict(head), expected, length)
        many = b'GET / HTTP/1.0\r\n' + b'X: y\r\n' * (Request.max_headers + 1)
        self.assertEqual(verdict(many + b'\r\n'), 400)
        self.assertEqual(verdict(b'GET / HTTP/1.0\r\n' + b'X: y\r\n' *
                                 Request.max_headers + b'\r\n'), OK)


# chunked bodies (after the head): the decoded body, or None for refused
CHUNKED = [
    (b'5\r\nhello\r\n0\r\n\r\n', b'hello'),
    (b'5;a=b;c="d e"\r\nhello\r\n0\r\n\r\n', b'hello'),
    (b'5; a = "x;\\"y" ;b\r\nhello\r\n0\r\n\r\n', b'hello'),
    (b'5;a="x\r\nhello\r\n0\r\n\r\n', None),
    (b'5;a=\r\nhello\r\n0\r\n\r\n', None),
    (b'5;\r\nhello\r\n0\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n', b'hello'),
    (b'A\r\n0123456789\r\n0\r\n\r\n', b'0123456789'),
    (b'0000005\r\nhello\r\n0\r\n\r\n', b'hello'),
    (b'0x5\r\nhello\r\n0\r\n\r\n', None),
    (b'+5\r\nhello\r\n0\r\n\r\n', None),
    (b'-1\r\nhello\r\n0\r\n\r\n', None),
    (b'1_0\r\n0123456789abcdef\r\n0\r\n\r\n', None),
    (b' 5\r\nhello\r\n0\r\n\r\n', None),
    (b'123456789\r\nhello\r\n0\r\n\r\n', None),  # over 8 digits
    (b'5\r\nhelloXX0\r\n\r\n', None),  # no CRLF after the data
    (b'5\nhello\r\n0\r\n\r\n', None),  # LF-only chunk line
    (b'5\r\nhello\r\n0\r\n\n', None),
    (b'5;\x00\r\nhello\r\n0\r\n\r\n', None),
    (b'5;a b\r\nhello\r\n0\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\n X: folded\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\nno colon\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\n' + b'X: y\r\n' * 200 + b'\r\n', None),
    # trailers follow the head's rules for a header line
    (b'5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\nX-T: a\x0bb\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\nX T: 1\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\n: 1\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\n@ccept: v\r\n\r\n', None),
    (b'5\r\nhello\r\n0\r\nX-T: a\tb\xff\r\n\r\n', b'hello'),
]


class ChunkedRuleTests(unittest.TestCase):
    def test_table(self):
        from microdot._chunked import read_body
        from microdot.microdot import AsyncBytesIO, _BufferedReader
        from support import run
        for body, expected in CHUNKED:
            reader = _BufferedReader(AsyncBytesIO(body + b'GET /next'))
            try:
                got = run(read_body(reader, 1 << 16))
            except ValueError:
                got = None
            self.assertEqual(got, expected, body)
            if expected is not None:
                self.assertEqual(reader.buf, b'GET /next', body)
