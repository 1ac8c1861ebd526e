"""The four bench workloads on Flask, served by gunicorn (one worker).

Usage: gunicorn --chdir bench/apps flask_app:app ...
"""
from flask import Flask, request

app = Flask(__name__)


@app.route('/')
def index():
    return 'Hello, world!', 200, {'Content-Type': 'text/plain; charset=utf-8'}


@app.route('/json')
def json():
    return {'message': 'Hello, world!'}


@app.route('/echo', methods=['POST'])
def echo():
    return request.get_data(), 200, {'Content-Type': 'application/octet-stream'}


@app.route('/hello/<name>')
def hello(name):
    return 'Hello, ' + name + '!', 200, {'Content-Type': 'text/plain; charset=utf-8'}
