# Session-based user login, with an optional "remember me" cookie. Needs a
# microdot.session.Session configured on the app.
from microdot.helpers import wraps
from microdot.microdot import invoke_handler, redirect, urlencode
from microdot import _jwt

REMEMBER_COOKIE = '_remember'
_NOT_LOADED = object()
_LOGIN_KEYS = ('_user_id', '_fresh', '_login_time', '_login_gen')


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
    :param session_lifetime: seconds a login lasts after the password was
        typed (or "remember me" restored it); ``None`` for no limit.

    Logging out ends every login of that user, in every browser, including
    "remember me" tokens: ``generations`` gives each user who logged out a
    new random generation, and tokens of another generation are refused.
    It lives in RAM, so a restart forgets it; a random generation (not a
    count) makes sure a later logout never brings an old token back.
    """
    def __init__(self, login_url='/login', session_lifetime=86400):
        self.login_url = login_url
        self.session_lifetime = session_lifetime
        self.user_loader_callback = None
        self.generations = {}

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

        The session starts anew: keys set before the login are dropped.
        ``remember``: ``True`` keeps the user logged in for 30 days after
        the browser closes, a number for that many days; without it an
        earlier "remember me" cookie is deleted.
        """
        self._start(request, user.id, True)
        request.g.current_user = user
        if remember:
            days = 30 if remember is True else int(remember)
            self._set_remember_cookie(request, user.id, days)
        else:
            self._forget(request)
        next_url = request.args.get('next')
        return redirect(next_url if is_safe_next(next_url) else redirect_url)

    async def logout_user(self, request):
        """Log the current user out everywhere (also forgetting "remember
        me")."""
        session = request.app._session.get(request)
        user_id = self._session_user_id(request, session)
        if user_id is None:
            user_id = self._remembered_user_id(request)
        if user_id is not None:
            self.generations[user_id] = _new_generation(
                self._generation(user_id))
        for key in _LOGIN_KEYS:
            session.pop(key, None)
        session.save()
        request.g.current_user = None
        self._forget(request)

    async def get_current_user(self, request):
        """The logged in user, or ``None``."""
        user = getattr(request.g, 'current_user', _NOT_LOADED)
        if user is not _NOT_LOADED:
            return user
        session = request.app._session.get(request)
        user_id = self._session_user_id(request, session)
        if user_id is None:
            user_id = self._remembered_user_id(request)
            if user_id is not None:
                # the remember cookie is not renewed: it keeps its expiry
                self._start(request, user_id, False)
        user = None
        if user_id is not None:
            user = await invoke_handler(self.user_loader_callback, user_id)
        request.g.current_user = user
        return user

    def _generation(self, user_id):
        return self.generations.get(user_id, 0)

    def _start(self, request, user_id, fresh):
        # data from before the login, maybe planted in this browser by
        # someone else, does not carry over into the login
        session = request.app._session.get(request)
        session.clear()
        session['_user_id'] = user_id
        session['_fresh'] = fresh
        session['_login_time'] = _jwt.now()
        session['_login_gen'] = self._generation(user_id)
        session.save()

    def _session_user_id(self, request, session):
        """The user id of the session's login if it is still valid."""
        user_id = session.get('_user_id')
        if user_id is None or \
                session.get('_login_gen') != self._generation(user_id):
            return None
        if self.session_lifetime is not None:
            try:
                now = _jwt.clock(request.app._session.min_time)
            except _jwt.InvalidTokenError:
                return None
            started = session.get('_login_time')
            # a login "from the future" means the clock went back
            if not isinstance(started, int) or \
                    not started <= now < started + self.session_lifetime:
                return None
        return user_id

    def _remembered_user_id(self, request):
        token = request.cookies.get(REMEMBER_COOKIE)
        if not token:
            return None
        payload = request.app._session.decode(token, typ='remember')
        user_id = payload.get('user_id')
        if user_id is None or payload.get('gen') != self._generation(user_id):
            return None
        return user_id

    def _set_remember_cookie(self, request, user_id, days):
        sessions = request.app._session
        max_age = days * 86400
        token = sessions.encode({'user_id': user_id,
                                 'gen': self._generation(user_id),
                                 'exp': _jwt.now() + max_age}, typ='remember')

        @request.after_request
        def set_cookie(request, response):
            options = sessions.cookie_settings(request)
            options['max_age'] = max_age
            options.pop('expires', None)
            response.set_cookie(REMEMBER_COOKIE, token, **options)

    def _forget(self, request):
        if REMEMBER_COOKIE in request.cookies:
            sessions = request.app._session

            @request.after_request
            def forget(request, response):
                response.delete_cookie(REMEMBER_COOKIE,
                                       **sessions.cookie_settings(request))

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
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            # the login is checked (or restored, not fresh) before _fresh
            if not await self.get_current_user(request) or \
                    not request.app._session.get(request).get('_fresh'):
                return self._login_redirect(request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper


def _new_generation(old):
    """A random generation other than old (and other than 0, which tokens
    issued before any logout carry)."""
    import random
    while True:
        gen = random.getrandbits(30)
        if gen and gen != old:
            return gen
