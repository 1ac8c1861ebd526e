# URLPattern: the locked matching rules of spec 4.9 and the fixed
# weaknesses (escaped literals, regex groups, errors at registration).
import unittest

from microdot import Microdot, URLPattern


class URLPatternTests(unittest.TestCase):
    def setUp(self):
        self.saved = (dict(URLPattern.segment_patterns),
                      dict(URLPattern.segment_parsers))

    def tearDown(self):
        URLPattern.segment_patterns = self.saved[0]
        URLPattern.segment_parsers = self.saved[1]

    def test_static(self):
        p = URLPattern('/')
        self.assertEqual(p.match('/'), {})
        self.assertIsNone(p.match(''))
        self.assertIsNone(p.match('foo'))
        self.assertIsNone(p.match('/foo'))

        p = URLPattern('/foo/bar')
        self.assertEqual(p.match('/foo/bar'), {})
        self.assertIsNone(p.match('/foo'))
        self.assertIsNone(p.match('/foo/bar/'))
        self.assertIsNone(p.match('foo/bar'))

        p = URLPattern('/foo//bar/baz/')
        self.assertEqual(p.match('/foo//bar/baz/'), {})
        self.assertIsNone(p.match('/foo/bar/baz/'))
        self.assertIsNone(p.match('/foo//bar/baz'))
        self.assertIsNone(p.match('/foo/bar/baz'))

    def test_leading_slash_optional(self):
        self.assertEqual(URLPattern('').match('/'), {})
        self.assertIsNone(URLPattern('').match(''))
        self.assertEqual(URLPattern('foo/bar').match('/foo/bar'), {})
        self.assertIsNone(URLPattern('foo/bar').match('foo/bar'))

    def test_attributes_and_repr(self):
        p = URLPattern('/users/<id>')
        self.assertEqual(p.url_pattern, '/users/<id>')
        self.assertEqual(repr(p), 'URLPattern: /users/<id>')

    def test_string_argument(self):
        p = URLPattern('/users/<id>')
        self.assertEqual(p.match('/users/123'), {'id': '123'})
        self.assertEqual(p.match('/users/a b'), {'id': 'a b'})
        self.assertIsNone(p.match('/users/'))
        self.assertIsNone(p.match('/users'))
        self.assertIsNone(p.match('/users/123/'))
        self.assertIsNone(p.match('/users/1/2'))
        p = URLPattern('/users/<string:id>')
        self.assertEqual(p.match('/users/abc'), {'id': 'abc'})
        self.assertIsNone(p.match('/users/a/b'))

    def test_multiple_arguments(self):
        p = URLPattern('/users/<id>/<string:name>/x')
        self.assertEqual(p.match('/users/1/susan/x'),
                         {'id': '1', 'name': 'susan'})
        self.assertIsNone(p.match('/users/1/susan/y'))
        self.assertIsNone(p.match('/users/1/x'))

    def test_int_argument(self):
        p = URLPattern('/users/<int:id>')
        self.assertEqual(p.match('/users/123'), {'id': 123})
        self.assertEqual(p.match('/users/-123'), {'id': -123})
        self.assertEqual(p.match('/users/0'), {'id': 0})
        self.assertEqual(p.match('/users/007'), {'id': 7})
        self.assertIsInstance(p.match('/users/5')['id'], int)
        for bad in ('/users/--123', '/users/123abc', '/users/+5',
                    '/users/abc', '/users/', '/users/1.5'):
            self.assertIsNone(p.match(bad), bad)

    def test_path_argument(self):
        p = URLPattern('/users/<path:path>')
        self.assertEqual(p.match('/users/abc'), {'path': 'abc'})
        self.assertEqual(p.match('/users/abc/def'), {'path': 'abc/def'})
        self.assertIsNone(p.match('/users/'))
        p = URLPattern('/users/<path:path>/foo')
        self.assertEqual(p.match('/users/abc/def/foo'), {'path': 'abc/def'})
        self.assertIsNone(p.match('/users/abc/def/bar'))
        self.assertIsNone(p.match('/users/foo'))

    def test_re_argument(self):
        p = URLPattern('/users/<re:[a-c]+:id>')
        self.assertEqual(p.match('/users/ab'), {'id': 'ab'})
        self.assertEqual(p.match('/users/bca'), {'id': 'bca'})
        self.assertIsNone(p.match('/users/abcd'))
        self.assertIsNone(p.match('/users/'))

    def test_re_capture_groups_do_not_shift(self):
        # fixed weakness: groups inside a re: regex keep later args right
        p = URLPattern('/<re:(a|b)+:x>/<y>')
        self.assertEqual(p.match('/ab/zz'), {'x': 'ab', 'y': 'zz'})
        p = URLPattern('/<re:(a)(b)c:x>/<int:n>/<path:rest>')
        self.assertEqual(p.match('/abc/42/q/r'),
                         {'x': 'abc', 'n': 42, 'rest': 'q/r'})
        p = URLPattern('/<re:[(]x[)]:x>/<y>')
        self.assertEqual(p.match('/(x)/1'), {'x': '(x)', 'y': '1'})

    def test_literals_escaped(self):
        # fixed weakness: static parts are not regular expressions
        p = URLPattern('/file.txt')
        self.assertEqual(p.match('/file.txt'), {})
        self.assertIsNone(p.match('/fileXtxt'))
        p = URLPattern('/<name>/file.txt')
        self.assertEqual(p.match('/a/file.txt'), {'name': 'a'})
        self.assertIsNone(p.match('/a/fileXtxt'))
        p = URLPattern('/<name>/a+b(c)[d]$^|*?{1}\\')
        self.assertEqual(p.match('/x/a+b(c)[d]$^|*?{1}\\'), {'name': 'x'})
        self.assertIsNone(p.match('/x/aab(c)[d]$^|*?{1}\\'))
        self.assertEqual(URLPattern('/a+b').match('/a+b'), {})
        self.assertIsNone(URLPattern('/a+b').match('/aab'))

    def test_invalid_patterns(self):
        with self.assertRaises(ValueError):
            URLPattern('/users/<foo/bar').compile()
        with self.assertRaises(ValueError):
            URLPattern('/users/<badtype:id>').compile()
        with self.assertRaisesRegex(ValueError, 'invalid URL pattern'):
            URLPattern('/users/<id').compile()
        with self.assertRaisesRegex(ValueError, 'invalid URL segment type'):
            URLPattern('/users/<foo:id>').compile()

    def test_invalid_patterns_fail_at_registration(self):
        # fixed weakness: errors show at route() time, not per request
        app = Microdot()
        with self.assertRaises(ValueError):
            @app.route('/users/<foo/bar')
            def a(req):
                pass
        with self.assertRaises(ValueError):
            @app.get('/users/<badtype:id>')
            def b(req, id):
                pass
        self.assertEqual(app.url_map, [])

    def test_invalid_patterns_fail_at_mount(self):
        sub = Microdot()

        @sub.route('/ok/<int:n>')
        def ok(req, n):
            return str(n)

        app = Microdot()
        app.mount(sub, url_prefix='/sub')
        self.assertEqual(app.url_map[0][1].match('/sub/ok/3'), {'n': 3})

    def test_compile_returns_regex(self):
        p = URLPattern('/users/<int:id>')
        regex = p.compile()
        self.assertIsNotNone(regex)
        self.assertIsNotNone(regex.match('/users/1'))
        self.assertIsNone(regex.match('/users/x'))

    def test_custom_type(self):
        URLPattern.register_type('hex', '[0-9a-f]+')
        p = URLPattern('/users/<hex:id>')
        self.assertEqual(p.match('/users/a1'), {'id': 'a1'})
        self.assertIsNone(p.match('/users/ab12z'))

        URLPattern.register_type('hex', '[0-9a-f]+',
                                 parser=lambda v: int(v, 16))
        p = URLPattern('/users/<hex:id>')
        self.assertEqual(p.match('/users/a1'), {'id': 161})
        self.assertIsNone(p.match('/users/ab12z'))

        def parser(value):
            try:
                return int(value, 16)
            except ValueError:
                return None

        URLPattern.register_type('hex', parser=parser)
        p = URLPattern('/users/<hex:id>')
        self.assertEqual(p.match('/users/a1'), {'id': 161})
        self.assertIsNone(p.match('/users/ab12z'))
        self.assertIsNone(p.match('/users/a/b'))

    def test_custom_type_registries(self):
        def lower(value):
            return value.lower()

        URLPattern.register_type('upper', '[A-Z]+', parser=lower)
        self.assertEqual(URLPattern.segment_patterns['upper'], '/([A-Z]+)')
        self.assertIs(URLPattern.segment_parsers['upper'], lower)
        p = URLPattern('/<upper:word>')
        self.assertEqual(p.match('/ABC'), {'word': 'abc'})
        self.assertIsNone(p.match('/abc'))

    def test_builtin_registries(self):
        self.assertEqual(URLPattern.segment_patterns['string'], '/([^/]+)')
        self.assertEqual(URLPattern.segment_patterns['int'], '/(-?\\d+)')
        self.assertEqual(URLPattern.segment_patterns['path'], '/(.+)')
        self.assertIs(URLPattern.segment_parsers['int'], int)

    def test_parser_exceptions_propagate(self):
        def parser(value):
            raise RuntimeError('bad')

        URLPattern.register_type('boom', parser=parser)
        p = URLPattern('/<boom:x>')
        with self.assertRaises(RuntimeError):
            p.match('/1')

    def test_long_segment_is_no_match_not_an_error(self):
        # fuzzing finding: MicroPython's re recursed too deep on a long
        # segment (RuntimeError, a 500)
        for pattern in ('/files/<path:p>', '/u/<name>', '/n/<int:x>'):
            prefix = pattern.split('<')[0]
            args = URLPattern(pattern).match(prefix + 'a' * 3000)
            self.assertTrue(args is None or
                            list(args.values()) == ['a' * 3000], pattern)

    def test_nul_in_a_pattern_is_invalid(self):
        with self.assertRaises(ValueError):
            URLPattern('/user\x00s/<int:id>').match('/users/42')

    def test_re_segment_running_into_the_next_is_invalid(self):
        # fuzzing finding: the class of one re: segment swallowed the next
        # segment's group (IndexError on every matching request)
        with self.assertRaises(ValueError):
            URLPattern('/<re:[a:x>/<re:b]+:y>').match('/a')
