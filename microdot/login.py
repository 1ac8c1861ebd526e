# Session-based user login, with an optional "remember me" cookie. Needs a
# microdot.session.Session configured on the app.
from microdot.helpers import wraps
from microdot.microdot import invoke_handler, redirect, urlencode
from microdot import _jwt

REMEMBER_COOKIE = '_remember'
_NOT_LOADED = object()


def is_safe_next(url):
    """Whether ``url`` is a path on this site, so that redirecting to it
    after a login cannot send the user elsewhere. ``//host`` and ``/\\host``
    are other sites to a browser, which also drops tabs and newlines."""
    if not url or url[0] != '/' or url[1:2] in ('/', '\\'):
        return False
    for c in url:
        if c < ' ' or c == '\x7f':
            return False
    return True


class Login:
    """Protect routes with a login page.

    :param login_url: where users without a login are redirected, with the
        page they asked for in the ``next`` query argument.
    """
    def __init__(self, login_url='/login'):
        self.login_url = login_url
        self.user_loader_callback = None

    def user_loader(self, f):
        """Register ``f(user_id)``, which returns the user with that id or
        ``None``."""
        self.user_loader_callback = f
        return f

    async def login_user(self, request, user, remember=False,
                         redirect_url='/'):
        """Log ``user`` (an object with a JSON-serialisable ``id``) in and
        return a redirect to the ``next`` query argument when it is a path
        on this site, else to ``redirect_url``.

        ``remember``: ``True`` keeps the user logged in for 30 days after
        the browser closes, a number for that many days.
        """
        session = request.app._session.get(request)
        session['_user_id'] = user.id
        session['_fresh'] = True
        session.save()
        request.g.current_user = user
        if remember:
            days = 30 if remember is True else int(remember)
            self._set_remember_cookie(request, user.id, days)
        next_url = request.args.get('next')
        return redirect(next_url if is_safe_next(next_url) else redirect_url)

    async def logout_user(self, request):
        """Log the current user out (also forgetting "remember me")."""
        session = request.app._session.get(request)
        session.pop('_user_id', None)
        session.pop('_fresh', None)
        session.save()
        request.g.current_user = None
        if REMEMBER_COOKIE in request.cookies:
            sessions = request.app._session

            @request.after_request
            def forget(request, response):
                response.delete_cookie(REMEMBER_COOKIE,
                                       **sessions.cookie_settings(request))

    async def get_current_user(self, request):
        """The logged in user, or ``None``."""
        user = getattr(request.g, 'current_user', _NOT_LOADED)
        if user is not _NOT_LOADED:
            return user
        sessions = request.app._session
        session = sessions.get(request)
        user_id = session.get('_user_id')
        if user_id is None:
            token = request.cookies.get(REMEMBER_COOKIE)
            remembered = sessions.decode(token) if token else {}
            user_id = remembered.get('user_id')
            if user_id is not None:
                self._set_remember_cookie(request, user_id,
                                          remembered.get('days', 30))
                session['_user_id'] = user_id
                session['_fresh'] = False
                session.save()
        user = None
        if user_id is not None:
            user = await invoke_handler(self.user_loader_callback, user_id)
        request.g.current_user = user
        return user

    def _set_remember_cookie(self, request, user_id, days):
        sessions = request.app._session
        token = sessions.encode({'user_id': user_id, 'days': days,
                                 'exp': _jwt.now() + days * 86400})

        @request.after_request
        def set_cookie(request, response):
            options = sessions.cookie_settings(request)
            options['max_age'] = days * 86400
            options.pop('expires', None)
            response.set_cookie(REMEMBER_COOKIE, token, **options)

    def _login_redirect(self, request):
        return redirect(self.login_url + '?next=' + urlencode(request.url))

    def __call__(self, f):
        """Decorator for routes that need a logged in user."""
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            if not await self.get_current_user(request):
                return self._login_redirect(request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

    def fresh(self, f):
        """Decorator for routes that need a user who typed their password
        in this browser session (not one restored from "remember me")."""
        protected = self(f)

        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            if not request.app._session.get(request).get('_fresh'):
                return self._login_redirect(request)
            return await protected(request, *args, **kwargs)
        return wrapper
