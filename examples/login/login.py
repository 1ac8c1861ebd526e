"""Log in with a form to see a protected page, then log out.

  GET  /          the protected page (redirects to /login without a login)
  GET  /login     the login form
  POST /login     check the name and password (form fields name, password,
                  remember)
  POST /logout    log out

The login lives in a signed session cookie; "remember me" keeps it for 30
days. Cross-site form posts are refused (CSRF).

Run: python login.py [--host HOST] [--port PORT]   (also under MicroPython)
Demo users: susan / hello, david / bye
"""
import binascii
import errno
import os
import sys

from microdot import Microdot, redirect
from microdot.auth import compare_digest
from microdot.csrf import CSRF
from microdot.login import Login
from microdot.session import Session


class User:
    def __init__(self, id, name, password):
        self.id = id
        self.name = name
        self.password = password


# demo users: keep real passwords out of the source
USERS = {1: User(1, 'susan', 'hello'), 2: User(2, 'david', 'bye')}

app = Microdot()
# a new random key at each start logs everybody out; keep a fixed random key
# (e.g. in a file on the board) to keep users logged in across restarts
Session(app, secret_key=binascii.hexlify(os.urandom(32)).decode())
CSRF(app)
login = Login()

PAGE = '''<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body>{body}</body></html>
'''
LOGIN_FORM = '''<h1>Log in</h1>
<p>{message}</p>
<form method="post">
  <p><label>Name <input name="name" required></label></p>
  <p><label>Password <input name="password" type="password" required></label></p>
  <p><label><input name="remember" type="checkbox"> Remember me</label></p>
  <p><button type="submit">Log in</button></p>
</form>
'''


def html(title, body, status=200):
    return PAGE.format(title=title, body=body), status, {
        'Content-Type': 'text/html; charset=UTF-8'}


@login.user_loader
def load_user(user_id):
    return USERS.get(user_id)


def check_password(name, password):
    for user in USERS.values():
        if user.name == name and compare_digest(user.password, password):
            return user
    return None


@app.get('/')
@login
async def index(request):
    user = request.g.current_user
    return html('Welcome', '<h1>Hello, {}!</h1>'
                '<form method="post" action="/logout">'
                '<button type="submit">Log out</button></form>'.format(
                    user.name))


@app.get('/login')
async def login_form(request):
    return html('Log in', LOGIN_FORM.format(message=''))


@app.post('/login')
async def login_submit(request):
    form = request.form or {}
    user = check_password(form.get('name', ''), form.get('password', ''))
    if user is None:
        return html('Log in', LOGIN_FORM.format(
            message='Wrong name or password.'), 401)
    # the form posts to this same URL, so a ?next=... argument is kept
    return await login.login_user(request, user,
                                  remember=bool(form.get('remember')))


@app.post('/logout')
async def logout(request):
    await login.logout_user(request)
    return redirect('/login', 303)


def options(argv, host='0.0.0.0', port=5000):
    """--host and --port from the command line (MicroPython has no
    argparse)."""
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == '--host':
            host = args.pop(0)
        elif arg == '--port':
            port = int(args.pop(0))
    return host, port


def serve(app, host, port, **kwargs):
    """app.run() that says where it serves; a port in use is one line."""
    print('serving on http://%s:%d/' % (host, port))
    try:
        app.run(host=host, port=port, **kwargs)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print('port %d is in use: stop what uses it, or pass --port N'
              % port, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    host, port = options(sys.argv[1:])
    serve(app, host, port)
