# Inputs that `make fuzz` (tools/fuzz.py) found crashing a parser, kept as
# regression tests. Each says which target and input found it (F1..F5: the
# fuzzing findings of issue 13, fixed in microdot/microdot.py). A finding
# not fixed yet gets its test marked unittest.expectedFailure and an entry
# in OPEN_FINDINGS of tools/fuzz_targets.py, both removed with the fix.
import unittest

from microdot._chunked import read_body as read_chunked_body
from microdot.microdot import (AsyncBytesIO, HTTPException, URLPattern,
                               _decode, parse_header_lines,
                               parse_request_head)
from support import run


class FuzzFoundTests(unittest.TestCase):
    def assertAnswered(self, call):
        """A result, or a refusal the server answers with a 4xx status."""
        try:
            return call()
        except HTTPException as exc:
            self.assertTrue(400 <= exc.status_code < 500, exc.status_code)

    # F1, urlpath:28: MicroPython's re recursed once per character.
    def test_long_path_segment_against_a_path_pattern(self):
        p = URLPattern('/files/<path:path>')
        result = self.assertAnswered(lambda: p.match('/files/' + 'a' * 1500))
        self.assertIn(result, (None, {'path': 'a' * 1500}))

    def test_long_path_segment_against_a_string_pattern(self):
        p = URLPattern('/<name>')
        result = self.assertAnswered(lambda: p.match('/' + 'a' * 1500))
        self.assertIn(result, (None, {'name': 'a' * 1500}))

    def test_long_number_against_an_int_pattern(self):
        p = URLPattern('/users/<int:id>')
        result = self.assertAnswered(lambda: p.match('/users/' + '1' * 1200))
        self.assertIn(result, (None, {'id': int('1' * 1200)}))

    # F2, urlpattern:194: MicroPython's re.compile stopped at a NUL.
    def test_pattern_with_nul_is_refused_or_matched_exactly(self):
        try:
            p = URLPattern('/user\x00s/<int:id>')
            p.match('/')
        except ValueError:
            return
        self.assertIsNone(p.match('/users/42'))
        self.assertEqual(p.match('/user\x00s/42'), {'id': 42})

    # F3, the head target's seed 8: the contract allows obs-text and
    # decodes it with replacement (the same on both runtimes).
    def test_obs_text_header_value_is_accepted(self):
        head = parse_request_head(b'GET / HTTP/1.1\r\nHost: h\r\n'
                                  b'X-Obs: caf\xc3\xa9 \xff\r\n\r\n')
        headers = parse_header_lines(head[3])
        self.assertEqual(headers['X-Obs'], _decode(b'caf\xc3\xa9 \xff'))
        self.assertEqual(headers['X-Obs'][-1], '\ufffd')

    # F4, the chunked target's seed 2: a quoted-string may hold ';'.
    def test_quoted_chunk_extension_may_hold_a_semicolon(self):
        body = run(read_chunked_body(AsyncBytesIO(
            b'3;a="q;uoted";b\r\nabc\r\n0\r\n\r\n'), 100))
        self.assertEqual(body, b'abc')

    # F5, found by atheris in the urlpattern target: a character class of
    # one re: segment that closes in the next one. The groups of the
    # whole regex are then not those counted per segment: refuse such a
    # pattern (ValueError) or match it right, never IndexError per request.
    def test_re_segment_class_running_into_the_next_segment(self):
        try:
            p = URLPattern('/<re:[a:x>/<re:b]+:y>')
            result = p.match('/a')
        except ValueError:
            return
        self.assertIn(result, (None, {'x': 'a'}, {'x': 'a', 'y': None}))


if __name__ == '__main__':
    unittest.main()
