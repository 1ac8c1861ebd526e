"""A small app written with type hints, checked with `mypy --strict`
against the stubs shipped in microdot/*.pyi (tests/host/test_typing.py).
It also runs: `python tests/host/typing_example.py` exercises every route
with the test client."""
import asyncio
import os
import sys
from typing import (Any, AsyncIterator, Dict, Generator, Iterator, List,
                    Optional, Tuple, Union)

from microdot import Microdot, Request, Response, abort, redirect, send_file
from microdot.auth import BasicAuth, TokenAuth, compare_digest
from microdot.cors import CORS
from microdot.csrf import CSRF
from microdot.login import Login
from microdot.microdot import MultiDict, URLPattern, urlencode
from microdot.multipart import FileUpload, with_form_data
from microdot.session import Session, SessionDict, with_session
from microdot.sse import SSE, with_sse
from microdot.test_client import TestClient, TestResponse
from microdot.websocket import WebSocket, with_websocket

HERE = os.path.dirname(os.path.abspath(__file__))

app = Microdot()
api = Microdot()
Session(app, secret_key='top-secret')
cors = CORS(app, allowed_origins=['https://example.com'])
CSRF(app, cors)
basic_auth = BasicAuth()
token_auth = TokenAuth()
login = Login()

Request.max_content_length = 32 * 1024
Response.default_content_type = 'text/html'
URLPattern.register_type('hex', '[0-9a-f]+', lambda value: int(value, 16))


class User:
    def __init__(self, id: int, name: str) -> None:
        self.id = id
        self.name = name


USERS = {1: User(1, 'susan')}


# ---- routes ----

@app.route('/')
def index(request: Request) -> str:
    return 'Hello, world!'


@app.get('/users/<int:user_id>')
async def get_user(request: Request, user_id: int) -> Dict[str, Any]:
    user = USERS.get(user_id)
    if user is None:
        abort(404, 'No such user')
    return {'id': user.id, 'name': user.name}


@app.get('/color/<hex:value>')
def color(request: Request, value: int) -> Tuple[str, int]:
    return str(value), 200


@app.route('/users', methods=['POST'])
async def create_user(request: Request) -> Tuple[Dict[str, Any], int,
                                                 Dict[str, str]]:
    data = request.json
    if not isinstance(data, dict) or 'name' not in data:
        return {'error': 'name missing'}, 400, {'X-Error': '1'}
    user = User(len(USERS) + 1, str(data['name']))
    USERS[user.id] = user
    return {'id': user.id}, 201, {'Location': '/users/%d' % user.id}


@app.get('/search')
def search(request: Request) -> List[str]:
    args: MultiDict = request.args
    page: Optional[int] = args.get('page', type=int)
    tags: List[str] = args.getlist('tag')
    return tags + [str(page)]


@app.post('/form')
def form(request: Request) -> str:
    fields = request.form
    return fields.get('name', '') if fields is not None else ''


@app.post('/upload')
@with_form_data
async def upload(request: Request) -> str:
    files: Optional[Dict[str, FileUpload]] = request.files
    if not files or 'file' not in files:
        return 'no file'
    data = await files['file'].read()
    return '%s: %d bytes' % (files['file'].filename, len(data))


@app.get('/status')
def status(request: Request) -> int:
    return 204


@app.get('/headers-only')
def headers_only(request: Request) -> Tuple[int, Dict[str, str]]:
    return 202, {'X-Accepted': 'yes'}


@app.get('/html')
def html(request: Request) -> Tuple[str, Dict[str, str]]:
    return '<p>hi</p>', {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/stream')
def stream(request: Request) -> Iterator[str]:
    yield 'one '
    yield 'two'


@app.get('/astream')
async def astream(request: Request) -> AsyncIterator[bytes]:
    yield b'async '
    yield b'chunks'


@app.get('/cookie')
def cookie(request: Request) -> Response:
    res = Response('set', headers={'X-Custom': 'yes'})
    res.set_cookie('visits', str(int(request.cookies.get('visits', '0')) + 1),
                   http_only=True, max_age=3600)
    return res


@app.get('/old')
def old(request: Request) -> Response:
    return redirect('/')


@app.get('/file')
def file(request: Request) -> Response:
    return send_file(os.path.join(HERE, 'typing_example.py'),
                     content_type='text/plain', max_age=60)


@app.get('/nothing')
def nothing(request: Request) -> None:
    return None


@app.get('/g')
def get_g(request: Request) -> str:
    return str(request.g.started)


@app.get('/counter')
@with_session
def counter(request: Request, session: SessionDict) -> str:
    session['count'] = int(session.get('count', 0)) + 1
    session.save()
    return str(session['count'])


@app.get('/basic')
@basic_auth
def basic(request: Request) -> str:
    return 'hello ' + str(request.g.current_user)


@basic_auth.authenticate
def check_password(request: Request, username: str,
                   password: str) -> Optional[str]:
    return username if compare_digest(password, 'secret') else None


@app.get('/token')
@token_auth
async def token(request: Request) -> str:
    return 'token user ' + str(request.g.current_user)


@token_auth.authenticate
async def check_token(request: Request, token: str) -> Optional[str]:
    return 'api' if token == 'abc' else None


@login.user_loader
def load_user(user_id: int) -> Optional[User]:
    return USERS.get(user_id)


@app.post('/login')
async def do_login(request: Request) -> Response:
    return await login.login_user(request, USERS[1], remember=True)


@app.get('/private')
@login
def private(request: Request) -> str:
    return 'private page'


@app.get('/events')
@with_sse
async def events(request: Request, sse: SSE) -> None:
    await sse.send({'count': 1}, event='tick')
    await sse.send('done')


@app.route('/ws')
@with_websocket
async def echo(request: Request, ws: WebSocket) -> None:
    while True:
        message = await ws.receive()
        await ws.send(message)


# ---- a mounted app ----

@api.get('/version')
def version(request: Request) -> Dict[str, str]:
    return {'version': '1'}


app.mount(api, url_prefix='/api')


# ---- hooks ----

@app.before_request
def start(request: Request) -> Optional[Tuple[str, int]]:
    request.g.started = True
    if request.args.get('block'):
        return 'blocked', 403
    return None


@app.after_request
async def add_header(request: Request, response: Response) -> Response:
    response.headers['X-Powered-By'] = 'microdot'
    return response


@app.after_error_request
def after_error(request: Optional[Request], response: Response) -> None:
    response.headers['X-Error-Path'] = request.path if request else '-'


# ---- error handlers ----

@app.errorhandler(404)
def not_found(request: Request) -> Tuple[str, int]:
    return 'not found: ' + request.path, 404


@app.errorhandler(400)
def bad_request(request: Optional[Request]) -> Tuple[str, int]:
    return 'bad request', 400


@app.errorhandler(ZeroDivisionError)
async def division(request: Request,
                   exc: ZeroDivisionError) -> Tuple[Dict[str, str], int]:
    return {'error': str(exc)}, 500


@app.get('/divide/<int:n>')
def divide(request: Request, n: int) -> str:
    return str(10 // n)


# ---- a client that checks the answers ----

async def check() -> None:
    client = TestClient(app)
    res: TestResponse = await client.get('/')
    assert res.status_code == 200 and res.text == 'Hello, world!'
    res = await client.get('/users/1')
    assert res.json == {'id': 1, 'name': 'susan'}
    res = await client.get('/users/9')
    assert res.status_code == 404
    res = await client.post('/users', body={'name': 'ann'})
    assert res.status_code == 201
    assert res.headers['Location'] == '/users/2'
    res = await client.get('/search?tag=a&tag=b&page=3')
    assert res.json == ['a', 'b', '3']
    res = await client.get('/color/ff')
    assert res.text == '255'
    res = await client.post('/form', body='name=' + urlencode('a b'),
                            headers={'Content-Type':
                                     'application/x-www-form-urlencoded'})
    assert res.text == 'a b'
    res = await client.get('/status')
    assert res.status_code == 204
    res = await client.get('/headers-only')
    assert res.status_code == 202
    res = await client.get('/stream')
    assert res.text == 'one two'
    res = await client.get('/astream')
    assert res.body == b'async chunks'
    res = await client.get('/cookie')
    res = await client.get('/cookie')
    assert 'visits' in client.cookies
    res = await client.get('/old')
    assert res.status_code == 302 and res.headers['Location'] == '/'
    res = await client.get('/file')
    assert res.body is not None and b'typing_example' in res.body
    res = await client.get('/nothing')
    assert res.status_code == 204
    res = await client.get('/g')
    assert res.text == 'True'
    res = await client.get('/?block=1')
    assert res.status_code == 403
    res = await client.get('/counter')
    res = await client.get('/counter')
    assert res.text == '2'
    res = await client.get('/basic', headers={
        'Authorization': 'Basic dXNlcjpzZWNyZXQ='})
    assert res.text == 'hello user'
    res = await client.get('/token', headers={'Authorization': 'Bearer abc'})
    assert res.text == 'token user api'
    res = await client.get('/private')
    assert res.status_code == 302
    res = await client.post('/login')
    res = await client.get('/private')
    assert res.text == 'private page'
    res = await client.get('/events')
    assert res.events is not None and res.events[0]['event'] == 'tick'
    res = await client.get('/api/version')
    assert res.json == {'version': '1'}
    res = await client.get('/divide/0')
    assert res.status_code == 500 and res.json is not None
    res = await client.get('/missing')
    assert res.text == 'not found: /missing'
    assert res.headers['X-Error-Path'] == '/missing'

    def ws_client() -> Generator[str, Union[str, bytes], None]:
        reply = yield 'hello'
        assert reply == 'hello'

    await client.websocket('/ws', ws_client)


if __name__ == '__main__':
    asyncio.run(check())
    print('ok')
    sys.exit(0)
