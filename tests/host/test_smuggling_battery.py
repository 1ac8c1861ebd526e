"""The request smuggling battery (issue 13), over real sockets on both
runtimes: each case sends a request hiding `GET /secret` in its body,
followed by a genuine pipelined `GET /`, on one connection. The server must
either refuse the first request (4xx/5xx) and close, or frame the bytes
exactly as h11 does (the same requests, the same bodies); `the secret` is
never served. test_server_smuggling.py has the bodies a server leaves
unread and the Content-Length forms it covers; this table adds the framing
shapes: CL.TE, TE.CL, TE.TE with obfuscated Transfer-Encoding, Content-Length
variants, chunk sizes and chunk ends, trailers, HTTP/1.0, stray CRLFs."""
import os

import h11
import pytest

from servers import RUNTIMES, Server, raw_request

APP = os.path.join(os.path.dirname(__file__), 'apps', 'wire_app.py')
HIDDEN = b'GET /secret HTTP/1.1\r\nHost: x\r\n\r\n'
FOLLOW = b'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
BAD = (400,)
TE_REFUSED = (400, 501)
TOO_LARGE = (400, 413)


def chunk(data):
    return b'%x\r\n' % len(data) + data + b'\r\n'


CHUNKED = chunk(HIDDEN) + b'0\r\n\r\n'  # a chunked body carrying HIDDEN
HIDDEN_SIZE = b'%x' % len(HIDDEN)


def post(headers, body, version=b'HTTP/1.1', target=b'/echo', host=True):
    return (b'POST ' + target + b' ' + version + b'\r\n' +
            (b'Host: x\r\n' if host else b'') + headers + b'\r\n' + body)


def te(value, body=CHUNKED, name=b'Transfer-Encoding'):
    return post(name + b': ' + value + b'\r\n', body)


def cl(value, body=HIDDEN, name=b'Content-Length'):
    return post(name + b': ' + value + b'\r\n', body)


def chunked(body):
    return te(b'chunked', body)


class Case:
    """want: 'refuse' (with one of statuses, then close), 'serve' (framed
    as h11 frames it) or 'either'. h11_differs: why h11 frames it
    otherwise, for the cases where our answer is deliberately not h11's
    (then served cases give the requests they expect)."""

    def __init__(self, name, data, want, statuses=None, h11_differs=None,
                 expect=None):
        self.name = name
        self.data = data
        self.want = want
        self.statuses = statuses
        self.h11_differs = h11_differs
        self.expect = expect


CASES = [
    # CL.TE and TE.CL: both framing headers are refused outright
    Case('cl-te', post(b'Content-Length: %d\r\nTransfer-Encoding: chunked\r\n'
                       % (5 + len(HIDDEN)), b'0\r\n\r\n' + HIDDEN),
         'refuse', BAD, 'h11 lets Transfer-Encoding win'),
    Case('cl-zero-te', post(b'Content-Length: 0\r\n'
                            b'Transfer-Encoding: chunked\r\n', CHUNKED),
         'refuse', BAD, 'h11 lets Transfer-Encoding win'),
    Case('te-cl', post(b'Transfer-Encoding: chunked\r\nContent-Length: 4\r\n',
                       CHUNKED), 'refuse', BAD,
         'h11 lets Transfer-Encoding win'),
    Case('cl-te-obfuscated', post(b'Content-Length: %d\r\n'
                                  b'Transfer-Encoding: xchunked\r\n'
                                  % len(CHUNKED), CHUNKED), 'refuse',
         TE_REFUSED),
    # TE.TE: Transfer-Encoding a front end might read otherwise
    Case('te-space-before-colon', te(b'chunked', name=b'Transfer-Encoding '),
         'refuse', BAD),
    Case('te-tab-before-colon', te(b'chunked', name=b'Transfer-Encoding\t'),
         'refuse', BAD),
    Case('te-xchunked', te(b'xchunked'), 'refuse', TE_REFUSED),
    Case('te-chunked-gzip', te(b'chunked, gzip'), 'refuse', TE_REFUSED),
    Case('te-gzip-chunked', te(b'gzip, chunked'), 'refuse', TE_REFUSED),
    Case('te-gzip-alone', te(b'gzip', HIDDEN), 'refuse', TE_REFUSED),
    Case('te-identity-alone', te(b'identity', HIDDEN), 'refuse', TE_REFUSED),
    Case('te-identity-then-chunked',
         post(b'Transfer-Encoding: identity\r\n'
              b'Transfer-Encoding: chunked\r\n', CHUNKED),
         'refuse', TE_REFUSED),
    Case('te-chunked-then-identity',
         post(b'Transfer-Encoding: chunked\r\n'
              b'Transfer-Encoding: identity\r\n', CHUNKED),
         'refuse', TE_REFUSED),
    Case('te-chunked-twice', post(b'Transfer-Encoding: chunked\r\n'
                                  b'Transfer-Encoding: chunked\r\n', CHUNKED),
         'refuse', TE_REFUSED),
    Case('te-chunked-chunked', te(b'chunked, chunked'), 'refuse', TE_REFUSED),
    Case('te-quoted', te(b'"chunked"'), 'refuse', TE_REFUSED),
    Case('te-parameter', te(b'chunked;q=1'), 'refuse', TE_REFUSED),
    Case('te-vertical-tab', te(b'\x0bchunked'), 'refuse', BAD),
    Case('te-nul', te(b'chunked\x00'), 'refuse', BAD),
    Case('te-nbsp', te(b'\xc2\xa0chunked'), 'refuse', TE_REFUSED),
    Case('te-obs-fold', post(b'X-A: b\r\n Transfer-Encoding: chunked\r\n',
                             CHUNKED), 'refuse', BAD,
         'h11 unfolds the line into X-A'),
    Case('te-folded-value', post(b'Transfer-Encoding:\r\n chunked\r\n',
                                 CHUNKED), 'refuse', BAD,
         'h11 unfolds the line'),
    Case('te-bare-cr', post(b'Transfer-Encoding: chunked\rX-A: b\r\n',
                            CHUNKED), 'refuse', BAD),
    Case('te-tabs-around-value', te(b'\tchunked\t'), 'serve'),
    Case('te-upper-case', te(b'CHUNKED'), 'serve'),
    Case('te-lower-case-name-no-space', post(b'transfer-encoding:chunked\r\n',
                                             CHUNKED), 'serve'),
    Case('te-empty-list-element', te(b'chunked,'), 'serve',
         h11_differs='RFC 9110 5.6.1: empty list elements are ignored',
         expect=[(b'POST', b'/echo', HIDDEN), (b'GET', b'/', b'')]),
    Case('te-bare-lf-head', b'POST /echo HTTP/1.1\nHost: x\n'
         b'Transfer-Encoding: chunked\n\n' + CHUNKED, 'serve'),
    # Content-Length forms (test_server_smuggling.py has + - _ 0x, spaces
    # and commas inside, Arabic-Indic digits and differing copies)
    Case('cl-equal-copies', post(b'Content-Length: %d\r\n' % len(HIDDEN) * 2,
                                 HIDDEN), 'serve'),
    Case('cl-list', cl(b'%d, %d' % (len(HIDDEN), len(HIDDEN))), 'refuse',
         BAD, 'h11 takes an equal list as one length'),
    Case('cl-same-value-other-digits',
         post(b'Content-Length: %d\r\nContent-Length: 0%d\r\n'
              % (len(HIDDEN), len(HIDDEN)), HIDDEN), 'refuse', BAD),
    Case('cl-space-before-colon', cl(b'%d' % len(HIDDEN),
                                     name=b'Content-Length '), 'refuse', BAD),
    Case('cl-tabs-around-value', cl(b'\t%d\t' % len(HIDDEN)), 'serve'),
    Case('cl-leading-zeros', cl(b'00%d' % len(HIDDEN)), 'serve'),
    Case('cl-decimal-point', cl(b'%d.0' % len(HIDDEN)), 'refuse', BAD),
    Case('cl-exponent', cl(b'3.3e1'), 'refuse', BAD),
    Case('cl-fullwidth-digits', cl(b'\xef\xbc\x93\xef\xbc\x93'), 'refuse',
         BAD),
    Case('cl-superscript-digits', cl(b'\xc2\xb3\xc2\xb3'), 'refuse', BAD),
    Case('cl-empty', cl(b''), 'refuse', BAD),
    Case('cl-nul', cl(b'%d\x00' % len(HIDDEN)), 'refuse', BAD),
    Case('cl-huge', cl(b'9' * 30), 'refuse', TOO_LARGE),
    Case('cl-wraps-at-2**64', cl(b'%d' % (2 ** 64 + len(HIDDEN))), 'refuse',
         TOO_LARGE),
    Case('cl-wraps-at-2**32', cl(b'%d' % (2 ** 32 + len(HIDDEN))), 'refuse',
         TOO_LARGE),
    Case('cl-covers-part-of-the-request', cl(b'3'), 'serve'),
    Case('get-with-body', b'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: %d'
         b'\r\n\r\n' % len(HIDDEN) + HIDDEN, 'serve'),
    Case('missing-host', post(b'Content-Length: %d\r\n' % len(HIDDEN), HIDDEN,
                              host=False), 'refuse', BAD),
    Case('duplicate-host', post(b'Host: y\r\nContent-Length: %d\r\n'
                                % len(HIDDEN), HIDDEN), 'refuse', BAD),
    Case('header-without-colon', post(b'X-A b\r\nContent-Length: %d\r\n'
                                      % len(HIDDEN), HIDDEN), 'refuse', BAD),
    # chunk sizes
    Case('chunk-size-0x', chunked(b'0x' + CHUNKED), 'refuse', BAD),
    Case('chunk-size-plus', chunked(b'+' + CHUNKED), 'refuse', BAD),
    Case('chunk-size-minus', chunked(b'-1\r\n' + HIDDEN + b'\r\n0\r\n\r\n'),
         'refuse', BAD),
    Case('chunk-size-leading-space', chunked(b' ' + CHUNKED), 'refuse', BAD),
    Case('chunk-size-trailing-space',
         chunked(HIDDEN_SIZE + b' \r\n' + HIDDEN + b'\r\n0\r\n\r\n'),
         'either'),
    Case('chunk-size-wraps-at-2**32', chunked(
        b'1%08x\r\n' % len(HIDDEN) + HIDDEN + b'\r\n0\r\n\r\n'), 'refuse',
        TOO_LARGE),
    Case('chunk-size-wraps-at-2**64', chunked(
        b'1%016x\r\n' % len(HIDDEN) + HIDDEN + b'\r\n0\r\n\r\n'), 'refuse',
        TOO_LARGE),
    Case('chunk-size-eight-digits', chunked(
        b'%08x\r\n' % len(HIDDEN) + HIDDEN + b'\r\n0\r\n\r\n'), 'serve'),
    Case('chunk-extension', chunked(
        HIDDEN_SIZE + b';a=b;c="d e"\r\n' + HIDDEN + b'\r\n0;z\r\n\r\n'),
        'serve'),
    Case('chunk-extension-nul', chunked(
        HIDDEN_SIZE + b';a\x00\r\n' + HIDDEN + b'\r\n0\r\n\r\n'), 'refuse',
        BAD, 'h11 skips extensions unread'),
    Case('chunk-extension-too-long', chunked(
        HIDDEN_SIZE + b';a=' + b'b' * 3000 + b'\r\n' + HIDDEN +
        b'\r\n0\r\n\r\n'), 'refuse', TOO_LARGE,
         'h11 skips extensions unread'),
    # chunk ends
    Case('lf-only-chunk-lines', chunked(
        HIDDEN_SIZE + b'\n' + HIDDEN + b'\n0\n\n'), 'refuse', BAD),
    Case('lf-after-chunk-data', chunked(
        HIDDEN_SIZE + b'\r\n' + HIDDEN + b'\n0\r\n\r\n'), 'refuse', BAD),
    Case('no-crlf-after-chunk-data',
         chunked(b'5\r\nhelloXX0\r\n\r\n' + HIDDEN), 'refuse', BAD),
    Case('chunk-data-longer-than-size', chunked(
        b'3\r\n' + HIDDEN + b'\r\n0\r\n\r\n'), 'refuse', BAD),
    Case('request-line-as-trailer', chunked(b'0\r\n' + HIDDEN), 'refuse',
         BAD),
    Case('trailer', chunked(chunk(HIDDEN) + b'0\r\nX-T: 1\r\n'
                            b'Content-Length: 5\r\n\r\n'), 'serve'),
    Case('many-trailers', chunked(chunk(HIDDEN) + b'0\r\n' +
                                  b'X-T: 1\r\n' * 150 + b'\r\n'),
         'refuse', TOO_LARGE, 'h11 bounds a whole trailer at 16 KiB'),
    Case('long-trailer', chunked(chunk(HIDDEN) + b'0\r\nX-T: ' + b't' * 3000 +
                                 b'\r\n\r\n'), 'refuse', TOO_LARGE,
         'h11 bounds a whole trailer at 16 KiB'),
    Case('folded-trailer', chunked(chunk(HIDDEN) + b'0\r\nX-T: 1\r\n'
                                   b' 2\r\n\r\n'), 'refuse', BAD,
         'h11 unfolds the line'),
    Case('trailer-bare-cr', chunked(chunk(HIDDEN) + b'0\r\nX-T: 1\r'
                                    b'Content-Length: 5\r\n\r\n'),
         'refuse', BAD),
    Case('trailer-nul', chunked(chunk(HIDDEN) + b'0\r\nX-T: 1\x00\r\n\r\n'),
         'refuse', BAD),
    Case('chunked-on-http/1.0', post(b'Transfer-Encoding: chunked\r\n',
                                     CHUNKED, version=b'HTTP/1.0'),
         'refuse', BAD, 'h11 decodes chunked HTTP/1.0 bodies'),
    # pipelining
    Case('stray-crlf-between-requests', FOLLOW + b'\r\n', 'serve',
         h11_differs='h11 refuses an empty line before a request line',
         expect=[(b'GET', b'/', b''), (b'GET', b'/', b'')]),
    Case('stray-lf-between-requests', FOLLOW + b'\n', 'serve',
         h11_differs='h11 refuses an empty line before a request line',
         expect=[(b'GET', b'/', b''), (b'GET', b'/', b'')]),
    Case('stray-crlfs-after-a-body', cl(b'%d' % len(HIDDEN)) + b'\r\n\r\n',
         'serve',
         h11_differs='h11 refuses an empty line before a request line',
         expect=[(b'POST', b'/echo', HIDDEN), (b'GET', b'/', b'')]),
    Case('data-after-connection-close', b'GET / HTTP/1.1\r\nHost: x\r\n'
         b'Connection: close\r\n\r\n' + HIDDEN, 'serve'),
]


@pytest.fixture(scope='module', params=RUNTIMES)
def server(request):
    with Server(APP, request.param) as srv:
        yield srv


def h11_framing(data):
    """The requests h11 reads in full from data, [(method, target, body)],
    and whether it refused (or could not finish) what followed them."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    conn.receive_data(b'')  # the client is done sending
    requests = []
    try:
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Request):
                request = [event.method, event.target, b'']
            elif isinstance(event, h11.Data):
                request[2] += event.data
            elif isinstance(event, h11.EndOfMessage):
                requests.append(tuple(request))
                conn.send(h11.Response(status_code=200, headers=[
                    (b'Content-Length', b'0')]))
                conn.send(h11.EndOfMessage())
                if conn.our_state is not h11.DONE:  # a closing request
                    return requests, False
                conn.start_next_cycle()
            else:  # ConnectionClosed
                return requests, False
    except h11.RemoteProtocolError:
        return requests, True


def response_for(method, target, body):
    """What wire_app answers to a request."""
    if target == b'/echo':
        return 200, body or b'streamed 0 bytes'
    if target == b'/secret':
        return 200, b'the secret'
    return 200, b'hello'


def split_responses(data):
    """[(status, lower-case head, body)] from the bytes a server sent."""
    responses = []
    while data:
        head, _, rest = data.partition(b'\r\n\r\n')
        assert head[:9] in (b'HTTP/1.1 ', b'HTTP/1.0 '), data[:200]
        length = None
        for line in head.lower().split(b'\r\n')[1:]:
            if line.startswith(b'content-length:'):
                length = int(line.split(b':', 1)[1])
        length = len(rest) if length is None else length
        responses.append((int(head[9:12]), head.lower(), rest[:length]))
        data = rest[length:]
    return responses


def assert_refusal(response, statuses, data):
    status, head, _ = response
    assert status >= 400 and (not statuses or status in statuses), data[:600]
    # the server says it closes (an HTTP/1.0 answer closes by default)
    assert b'\r\nconnection: close' in head or (
        head.startswith(b'http/1.0 ') and b'keep-alive' not in head), \
        data[:600]


@pytest.mark.parametrize('case', CASES, ids=[case.name for case in CASES])
def test_smuggling(server, case):
    data = raw_request(server.port, case.data + FOLLOW)
    assert b'the secret' not in data, data[:600]
    got = split_responses(data)
    requests, h11_refused = h11_framing(case.data + FOLLOW)
    if case.want == 'refuse' and not case.h11_differs:
        assert h11_refused and not requests, 'h11 accepts: %r' % requests
    if got and got[0][0] >= 400:  # refused: one answer, then closed
        assert case.want in ('refuse', 'either'), 'refused: %r' % data[:600]
        assert_refusal(got[0], case.statuses, data)
        assert len(got) == 1, data[:600]
        return
    assert case.want in ('serve', 'either'), 'served: %r' % data[:600]
    if case.expect:
        requests, h11_refused = case.expect, False
    # the requests h11 frames, then a refusal if h11 refused the rest
    served = [response_for(*request) for request in requests]
    assert [(status, body) for status, _, body in got[:len(served)]] == \
        served, data[:600]
    rest = got[len(served):]
    if h11_refused and rest:
        assert len(rest) == 1, data[:600]
        assert_refusal(rest[0], BAD, data)
    else:
        assert not rest, data[:600]
