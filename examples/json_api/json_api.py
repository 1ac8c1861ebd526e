"""A small JSON API: a list of sensor readings kept in memory.

  GET    /readings              all readings (?min=N filters by value)
  POST   /readings              add one: {"sensor": "t1", "value": 21.5}
  GET    /readings/<int:id>     one reading
  PUT    /readings/<int:id>     replace its value
  DELETE /readings/<int:id>     remove it

Run: python json_api.py [--host HOST] [--port PORT]   (also under MicroPython)
"""
import errno
import sys

from microdot import Microdot, abort

app = Microdot()
readings = {}
next_id = [1]


def find(id):
    if id not in readings:
        abort(404)
    return readings[id]


class InvalidReading(Exception):
    pass


def validated(data):
    if not isinstance(data, dict) or not isinstance(data.get('sensor'), str) \
            or not isinstance(data.get('value'), (int, float)):
        raise InvalidReading('expected {"sensor": str, "value": number}')
    return {'sensor': data['sensor'], 'value': data['value']}


@app.get('/readings')
async def list_readings(request):
    try:
        minimum = request.args.get('min', type=float)
    except ValueError:
        return {'error': 'min must be a number'}, 400
    return [dict(r, id=id) for id, r in sorted(readings.items())
            if minimum is None or r['value'] >= minimum]


@app.post('/readings')
async def add_reading(request):
    reading = validated(request.json)
    id = next_id[0]
    next_id[0] += 1
    readings[id] = reading
    return dict(reading, id=id), 201, {'Location': '/readings/%d' % id}


@app.get('/readings/<int:id>')
async def get_reading(request, id):
    return dict(find(id), id=id)


@app.put('/readings/<int:id>')
async def update_reading(request, id):
    find(id)
    readings[id] = validated(request.json)
    return dict(readings[id], id=id)


@app.delete('/readings/<int:id>')
async def delete_reading(request, id):
    find(id)
    del readings[id]
    return 204


@app.errorhandler(InvalidReading)
async def invalid_reading(request, exception):
    return {'error': str(exception)}, 400


@app.errorhandler(404)
async def not_found(request):
    return {'error': 'not found'}, 404


def options(argv, host='0.0.0.0', port=5000):
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
