"""The four bench workloads on Bottle, served by gunicorn (one worker).

Usage: gunicorn --chdir bench/apps bottle_app:app ...
"""
import bottle

app = bottle.Bottle()


@app.get('/')
def index():
    bottle.response.content_type = 'text/plain; charset=utf-8'
    return 'Hello, world!'


@app.get('/json')
def json():
    return {'message': 'Hello, world!'}


@app.post('/echo')
def echo():
    bottle.response.content_type = 'application/octet-stream'
    return bottle.request.body.read()


@app.get('/hello/<name>')
def hello(name):
    bottle.response.content_type = 'text/plain; charset=utf-8'
    return 'Hello, ' + name + '!'
