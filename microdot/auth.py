# HTTP authentication decorators: Basic (RFC 7617) and tokens such as
# Bearer (RFC 6750).
import binascii

from microdot._jwt import compare_digest  # noqa: F401 (for password checks)
from microdot.helpers import wraps
from microdot.microdot import abort, invoke_handler


def _quote(value):
    return '"' + value.replace('\\', '\\\\').replace('"', '\\"') + '"'


def _split_scheme(header_value):
    """``'Bearer abc'`` -> ``('bearer', 'abc')``; ``None`` without a
    credentials part."""
    parts = header_value.strip().split(None, 1)
    if len(parts) != 2:
        return None
    return parts[0].lower(), parts[1].strip()


class BaseAuth:
    """Base class of the authentication decorators.

    ``@auth`` protects a route: without valid credentials the error callback
    answers; with them the user returned by the ``authenticate`` callback is
    in ``request.g.current_user``.
    """
    def __init__(self):
        self.auth_callback = None
        self.error_callback = None

    def __call__(self, f):
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            auth = self._get_auth(request)
            if not auth:
                return await invoke_handler(self.error_callback, request)
            request.g.current_user = await invoke_handler(
                self.auth_callback, request, *auth)
            if not request.g.current_user:
                return await invoke_handler(self.error_callback, request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

    def optional(self, f):
        """Decorator for routes that work with or without a user:
        ``request.g.current_user`` is the user or ``None``."""
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            auth = self._get_auth(request)
            if not auth:
                request.g.current_user = None
            else:
                request.g.current_user = await invoke_handler(
                    self.auth_callback, request, *auth)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

    def authenticate(self, f):
        """Register the function that turns credentials into a user (or
        ``None`` when they are wrong)."""
        self.auth_callback = f
        return f

    def errorhandler(self, f):
        """Register the function that answers requests without valid
        credentials, called as ``f(request)``."""
        self.error_callback = f
        return f

    def _get_auth(self, request):
        raise NotImplementedError


class BasicAuth(BaseAuth):
    """HTTP Basic authentication: the callback registered with
    ``authenticate`` is called as ``f(request, username, password)``.

    Compare passwords with ``compare_digest`` from this module rather than
    ``==``, which tells an attacker how much of a guess was right.
    """
    def __init__(self, realm='Please login', charset='UTF-8', scheme='Basic',
                 error_status=401):
        super().__init__()
        self.realm = realm
        self.charset = charset
        self.scheme = scheme
        self.error_status = error_status
        self.error_callback = self.authentication_error

    def _get_auth(self, request):
        credentials = _split_scheme(request.headers.get('Authorization', ''))
        if not credentials or credentials[0] not in ('basic',
                                                     self.scheme.lower()):
            return None
        try:
            username, password = binascii.a2b_base64(
                credentials[1].encode()).decode().split(':', 1)
        except (ValueError, UnicodeError):
            return None
        return username, password

    async def authentication_error(self, request):
        return '', self.error_status, {
            'WWW-Authenticate': '%s realm=%s, charset=%s' % (
                self.scheme, _quote(self.realm), _quote(self.charset))}


class TokenAuth(BaseAuth):
    """Token authentication: the callback registered with ``authenticate``
    is called as ``f(request, token)``.

    With the default ``Authorization`` header the token follows the scheme
    (``Authorization: Bearer <token>``); any other header carries the bare
    token.
    """
    def __init__(self, header='Authorization', scheme='Bearer',
                 error_status=401):
        super().__init__()
        self.header = header
        self.scheme = scheme.lower()
        self._challenge = scheme
        self.error_status = error_status
        self.error_callback = self.authentication_error

    def _get_auth(self, request):
        value = request.headers.get(self.header)
        if not value:
            return None
        if self.header.lower() == 'authorization':
            credentials = _split_scheme(value)
            if not credentials or credentials[0] != self.scheme:
                return None
            return (credentials[1],)
        return (value.strip(),)

    async def authentication_error(self, request):
        # RFC 6750 wants a challenge on a 401 for a scheme in Authorization;
        # an app's own handler for the status still takes precedence
        if self.error_status == 401 and \
                self.header.lower() == 'authorization' and \
                not self._app_handles(request, 401):
            return '401 error', 401, {
                'WWW-Authenticate': self._challenge}
        abort(self.error_status)

    @staticmethod
    def _app_handles(request, status_code):
        for app in (request.subapp, request.app):
            if app is not None and status_code in app.error_handlers:
                return True
        return False
