# Cross-site request forgery protection from the Fetch Metadata
# (Sec-Fetch-Site) and Origin headers that browsers send: no tokens needed.
from microdot.microdot import abort


class CSRF:
    """Reject state-changing requests that a browser sent from another site.

    :param cors: a ``CORS`` instance whose ``allowed_origins`` list names the
        other origins that may send such requests.
    :param protect_all: check every request whose method is not safe
        (routes decorated with ``exempt`` excepted); with ``False`` only
        routes decorated with ``protect`` are checked.
    :param allow_subdomains: also accept requests from subdomains of the
        allowed origins, and ``Sec-Fetch-Site: same-site``.
    """
    SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS']

    def __init__(self, app=None, cors=None, protect_all=True,
                 allow_subdomains=False):
        self.cors = cors
        self.protect_all = protect_all
        self.allow_subdomains = allow_subdomains
        self.exempt_routes = []
        self.protected_routes = []
        if app is not None:
            self.initialize(app, cors)

    def initialize(self, app, cors=None):
        if cors is not None:
            self.cors = cors

        async def csrf_check(request):
            if self._needs_check(request) and not self._allowed(request):
                abort(403, 'Forbidden')

        app.before_request(csrf_check)

    def exempt(self, f):
        """Decorator (directly under ``route``) for a route never checked."""
        self.exempt_routes.append(f)
        return f

    def protect(self, f):
        """Decorator (directly under ``route``) for a route always checked,
        even for safe methods."""
        self.protected_routes.append(f)
        return f

    def _needs_check(self, request):
        if request.route in self.protected_routes:
            return True
        return self.protect_all and \
            request.method.upper() not in self.SAFE_METHODS and \
            request.route not in self.exempt_routes

    def _allowed(self, request):
        site = request.headers.get('Sec-Fetch-Site')
        origin = request.headers.get('Origin')
        if site in ('same-origin', 'none') or \
                (site == 'same-site' and self.allow_subdomains):
            return True
        if origin and self._origin_allowed(origin):
            return True
        # neither header: not a browser, so not a forgery
        return not site and not origin

    def _origin_allowed(self, origin):
        allowed = self.cors.allowed_origins if self.cors else None
        if not allowed or allowed == '*':
            return False
        if origin in allowed:
            return True
        if not self.allow_subdomains or '://' not in origin:
            return False
        scheme, host = origin.split('://', 1)
        for allowed_origin in allowed:
            if '://' not in allowed_origin:
                continue
            allowed_scheme, allowed_host = allowed_origin.split('://', 1)
            if scheme == allowed_scheme and \
                    host.endswith('.' + allowed_host):
                return True
        return False
