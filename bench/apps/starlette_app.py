"""The four bench workloads on Starlette, served by uvicorn (its default,
pure-Python h11 parser and the asyncio loop: no uvloop or httptools).

Usage: uvicorn --app-dir bench/apps starlette_app:app --port PORT
"""
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


async def index(request):
    return PlainTextResponse('Hello, world!')


async def json(request):
    return JSONResponse({'message': 'Hello, world!'})


async def echo(request):
    return Response(await request.body(), media_type='application/octet-stream')


async def hello(request):
    return PlainTextResponse('Hello, ' + request.path_params['name'] + '!')


app = Starlette(routes=[
    Route('/', index), Route('/json', json),
    Route('/echo', echo, methods=['POST']), Route('/hello/{name}', hello),
])
