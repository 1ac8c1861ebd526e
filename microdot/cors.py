# Cross-Origin Resource Sharing: the headers that let pages from other
# origins call this app from a browser.
import sys


class CORS:
    """Add CORS headers to the responses of an app.

    :param allowed_origins: ``None`` (no other origin), ``'*'`` (any origin)
        or a list of origins such as ``'https://example.com'``.
    :param allow_credentials: allow cookies and HTTP authentication in
        cross-origin requests. Browsers refuse credentials with ``'*'``, so
        with ``'*'`` this option is ignored (with a warning): echoing any
        origin with credentials would let every site act as the user.
    :param allowed_methods: methods allowed in preflight requests (``None``:
        any).
    :param expose_headers: response headers the page may read.
    :param allowed_headers: request headers allowed in preflight requests
        (``None``: any).
    :param max_age: seconds a browser may cache a preflight answer.
    :param handle_cors: add the headers automatically (otherwise call
        ``get_cors_headers``).
    """
    def __init__(self, app=None, allowed_origins=None, allow_credentials=False,
                 allowed_methods=None, expose_headers=None,
                 allowed_headers=None, max_age=None, handle_cors=True):
        if isinstance(allowed_origins, str) and allowed_origins != '*':
            allowed_origins = [allowed_origins]  # not a substring test
        self.allowed_origins = allowed_origins
        self.allow_credentials = allow_credentials
        self.allowed_methods = allowed_methods
        self.expose_headers = expose_headers
        self.allowed_headers = None if allowed_headers is None else \
            [header.lower() for header in allowed_headers]
        self.max_age = max_age
        if allowed_origins == '*' and allow_credentials:
            sys.stderr.write('CORS: allow_credentials is ignored with '
                             "allowed_origins='*'; list the origins that "
                             'may send credentials instead\n')
        if app is not None:
            self.initialize(app, handle_cors=handle_cors)

    def initialize(self, app, handle_cors=True):
        self.default_options_handler = app.options_handler
        if handle_cors:
            app.options_handler = self.options_handler
            app.after_request(self.after_request)
            app.after_error_request(self.after_request)

    def options_handler(self, request):
        headers = self.default_options_handler(request) \
            if self.default_options_handler else {}
        headers.update(self.get_cors_headers(request))
        return headers

    def get_cors_headers(self, request):
        """The CORS headers for the response to ``request``."""
        headers = {}
        origin = request.headers.get('Origin')
        if self.allowed_origins == '*':
            if origin and not self.allow_credentials:
                headers['Access-Control-Allow-Origin'] = origin
                headers['Vary'] = 'Origin'
            else:
                # never any origin with credentials: browsers do not send
                # credentials to '*'
                headers['Access-Control-Allow-Origin'] = '*'
        elif self.allowed_origins and origin in self.allowed_origins:
            headers['Access-Control-Allow-Origin'] = origin
            headers['Vary'] = 'Origin'
            if self.allow_credentials:
                headers['Access-Control-Allow-Credentials'] = 'true'
        if self.expose_headers:
            headers['Access-Control-Expose-Headers'] = \
                ', '.join(self.expose_headers)
        if request.method.upper() == 'OPTIONS':
            self._add_preflight_headers(request, headers)
        return headers

    def _add_preflight_headers(self, request, headers):
        if self.max_age:
            headers['Access-Control-Max-Age'] = str(self.max_age)
        method = request.headers.get('Access-Control-Request-Method')
        if method:
            method = method.upper()
            if self.allowed_methods is None or method in [
                    m.upper() for m in self.allowed_methods]:
                headers['Access-Control-Allow-Methods'] = method
        requested = request.headers.get('Access-Control-Request-Headers')
        if requested:
            if self.allowed_headers is None:
                headers['Access-Control-Allow-Headers'] = requested
            else:
                allowed = [h.strip() for h in requested.split(',')
                           if h.strip().lower() in self.allowed_headers]
                if allowed:
                    headers['Access-Control-Allow-Headers'] = \
                        ', '.join(allowed)

    def after_request(self, request, response):
        if request is None:
            return
        old_vary = response.headers.get('Vary')
        response.headers.update(self.get_cors_headers(request))
        new_vary = response.headers.get('Vary')
        if old_vary and new_vary and old_vary != new_vary:
            tokens = [t.strip() for t in old_vary.split(',')]
            lower = [t.lower() for t in tokens]
            for token in new_vary.split(','):
                token = token.strip()
                if token.lower() not in lower:
                    tokens.append(token)
                    lower.append(token.lower())
            response.headers['Vary'] = ', '.join(tokens)
