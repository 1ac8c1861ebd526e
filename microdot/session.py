# User sessions kept in a signed cookie (an HS256 JWT). The payload is
# signed, not encrypted: the client can read it but cannot change it.
from microdot import _jwt
from microdot.helpers import wraps
from microdot.microdot import invoke_handler

# keys shown in the README: they sign nothing an attacker cannot sign
SAMPLE_KEYS = (b'a long random string', b'replace with a long random string')


class SessionDict(dict):
    """The session of one request: a dict with ``save()`` and ``delete()``."""
    def __init__(self, request, session_dict):
        super().__init__(session_dict)
        self.request = request

    def save(self):
        self.request.app._session.update(self.request, self)

    def delete(self):
        self.request.app._session.delete(self.request)


class Session:
    """Session manager of an app.

    :param secret_key: the key that signs the session cookie.
    :param cookie_options: options for ``Response.set_cookie`` (``path``,
        ``domain``, ``secure``, ``http_only``, ``samesite``...). ``path``
        defaults to ``'/'``, ``http_only`` to ``True``, ``samesite`` to
        ``'Lax'``, and ``secure`` to whether the request came over HTTPS.
    :param max_age: lifetime of a session in seconds after its last save
        (an ``exp`` claim in the token and ``Max-Age`` on the cookie). By
        default a session lasts until the browser is closed.
    :param cookie_name: name of the session cookie.

    ``min_time``: tokens that expire are refused while the clock reads
    before this time (seconds since 1970; default 2026-01-01), as on a board
    whose clock restarted near 2000. ``0`` trusts any clock.
    """
    secret_key = None
    min_time = 1767225600
    _checked_key = None

    def __init__(self, app=None, secret_key=None, cookie_options=None,
                 max_age=None, cookie_name='session'):
        if secret_key is not None:  # else Session.secret_key, if set
            self.secret_key = secret_key
        self.cookie_options = cookie_options or {}
        self.max_age = max_age
        self.cookie_name = cookie_name
        if app is not None:
            self.initialize(app)

    def initialize(self, app, secret_key=None, cookie_options=None,
                   max_age=None, cookie_name=None):
        if secret_key is not None:
            self.secret_key = secret_key
        if cookie_options is not None:
            self.cookie_options = cookie_options
        if max_age is not None:
            self.max_age = max_age
        if cookie_name is not None:
            self.cookie_name = cookie_name
        self.cookie_options.setdefault('path', '/')
        self.cookie_options.setdefault('http_only', True)
        self.cookie_options.setdefault('samesite', 'Lax')
        if self.secret_key:
            self._check_key()  # warn at startup rather than at a request
        app._session = self
        # the cookie is written once, when the response is ready; error
        # responses get it too (request-scoped handlers only run on success)
        app.after_error_request(self._write_cookie)

    def get(self, request):
        """Return the ``SessionDict`` of a request (the same object every
        time). An absent, expired or tampered cookie gives an empty one."""
        self._check_key()
        session = getattr(request.g, '_session', None)
        if session is None:
            payload = {}
            token = request.cookies.get(self.cookie_name)
            if token:
                payload = self.decode(token, typ='session')
                if self.max_age:
                    payload.pop('exp', None)
            session = SessionDict(request, payload)
            request.g._session = session
        return session

    def update(self, request, session):
        """Send ``session`` to the client with the response."""
        self._check_key()
        request.g._session = session
        self._schedule(request, 'save')

    def delete(self, request):
        """Remove the session cookie from the client with the response."""
        self._schedule(request, 'delete')

    def encode(self, payload, secret_key=None, typ='JWT'):
        """Sign ``payload`` as a token of type ``typ``."""
        return _jwt.encode(payload, secret_key or self.secret_key, typ)

    def decode(self, session, secret_key=None, typ='JWT'):
        """The payload of a valid token of type ``typ``, else ``{}``."""
        try:
            return _jwt.decode(session, secret_key or self.secret_key, typ,
                               self.min_time)
        except _jwt.InvalidTokenError:
            return {}

    def _check_key(self):
        key = self.secret_key
        if not key:
            raise ValueError('The session secret key is not configured')
        if key != self._checked_key:  # warn once per key
            self._checked_key = key
            key = _jwt._to_bytes(key)
            if len(key) < 16 or key in SAMPLE_KEYS:
                _jwt.warn('the session secret key is short or a sample from '
                          'the README: anyone can forge sessions with it; '
                          'use 32 random bytes')

    def cookie_settings(self, request):
        """The ``set_cookie`` options for a request (``secure`` follows the
        request's scheme unless configured)."""
        options = dict(self.cookie_options)
        if 'secure' not in options:
            options['secure'] = request.scheme == 'https'
        return options

    def _schedule(self, request, action):
        if getattr(request.g, '_session_action', None) is None:
            request.after_request(self._write_cookie)
        request.g._session_action = action

    def _write_cookie(self, request, response):
        action = getattr(request.g, '_session_action', None) \
            if request is not None else None
        if action is None:
            return
        request.g._session_action = None
        options = self.cookie_settings(request)
        if action == 'delete':
            response.delete_cookie(self.cookie_name, **options)
            return
        # dict(a_dict_subclass) fails on MicroPython
        payload = dict(request.g._session.items())
        if self.max_age:
            payload['exp'] = _jwt.now() + self.max_age
            options['max_age'] = self.max_age
        response.set_cookie(self.cookie_name,
                            self.encode(payload, typ='session'), **options)


def with_session(f):
    """Route decorator that passes the request's session as the second
    argument of the route."""
    @wraps(f)
    async def wrapper(request, *args, **kwargs):
        return await invoke_handler(
            f, request, request.app._session.get(request), *args, **kwargs)
    return wrapper
