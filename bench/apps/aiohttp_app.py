"""The four bench workloads on aiohttp (its C HTTP parser), CPython only.

Usage: python aiohttp_app.py PORT
"""
import sys

from aiohttp import web


async def index(request):
    return web.Response(text='Hello, world!')


async def json(request):
    return web.json_response({'message': 'Hello, world!'})


async def echo(request):
    return web.Response(body=await request.read(),
                        content_type='application/octet-stream')


async def hello(request):
    return web.Response(text='Hello, ' + request.match_info['name'] + '!')


app = web.Application()
app.add_routes([web.get('/', index), web.get('/json', json),
                web.post('/echo', echo), web.get('/hello/{name}', hello)])
web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]),
            access_log=None, print=None)
