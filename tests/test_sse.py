import asyncio
import unittest

from microdot import Microdot
from microdot.sse import SSE, sse_response, with_sse
from microdot.test_client import TestClient
from support import async_test

LOCKED_STREAM = (
    b'data: foo\n\n'
    b'event: test\ndata: bar\n\n'
    b'event: test\nid: id42\ndata: bar\n\n'
    b'id: id42\ndata: bar\n\n'
    b'retry: 2500\ndata: bar\n\n'
    b'data: {"foo": "bar"}\n\n'
    b': ping\n\n'
    b'data: [42, "foo", "bar"]\n\n'
    b'data: foo\n\n'
    b'data: foo\n\n')


async def collect(body, limit=None):
    chunks = []
    async for chunk in body:
        chunks.append(chunk)
        if limit and len(chunks) == limit:
            break
    return chunks


class TestSSE(unittest.TestCase):
    @async_test
    async def test_locked_stream_and_events(self):
        app = Microdot()

        @app.route('/sse')
        @with_sse
        async def handle_sse(request, sse):
            await sse.send('foo')
            await sse.send('bar', event='test')
            await sse.send('bar', event='test', event_id='id42')
            await sse.send('bar', event_id='id42')
            await sse.send('bar', retry=2.5)
            await sse.send({'foo': 'bar'})
            await sse.send('ping', comment=True)
            await sse.send([42, 'foo', 'bar'])
            await sse.send(ValueError('foo'))
            await sse.send(b'foo')

        res = await TestClient(app).get('/sse')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Type'], 'text/event-stream')
        self.assertEqual(res.headers['Cache-Control'], 'no-cache')
        self.assertNotIn('Content-Length', res.headers)
        self.assertEqual(res.body, LOCKED_STREAM)
        self.assertEqual(len(res.events), 9)
        self.assertEqual(res.events[1], {'data': b'bar', 'data_json': None,
                                         'event': 'test', 'event_id': None,
                                         'retry': None})
        self.assertEqual(res.events[4]['retry'], 2.5)
        self.assertEqual(res.events[5]['data_json'], {'foo': 'bar'})

    @async_test
    async def test_path_arguments(self):
        app = Microdot()

        @app.route('/count/<int:n>')
        @with_sse
        async def count(request, sse, n):
            for i in range(n):
                await sse.send(i)

        res = await TestClient(app).get('/count/3')
        self.assertEqual([e['data'] for e in res.events], [b'0', b'1', b'2'])

    @async_test
    async def test_multiline_data_cannot_inject_events(self):
        sse = SSE()
        await sse.send('line1\nevent: evil\r\ndata: x\rend', event='ok')
        await sse.send('a\nb', comment=True)
        self.assertEqual(sse.queue, [
            b'event: ok\ndata: line1\ndata: event: evil\ndata: data: x\n'
            b'data: end\n\n',
            b': a\n: b\n\n'])

    @async_test
    async def test_event_and_id_must_be_single_lines(self):
        sse = SSE()
        with self.assertRaises(ValueError):
            await sse.send('x', event='a\ndata: injected')
        with self.assertRaises(ValueError):
            await sse.send('x', event_id='1\r\n')
        self.assertEqual(sse.queue, [])

    @async_test
    async def test_zero_retry_and_empty_id_are_sent(self):
        sse = SSE()
        await sse.send('x', retry=0, event_id='')
        self.assertEqual(sse.queue, [b'retry: 0\nid: \ndata: x\n\n'])

    @async_test
    async def test_exception_reaches_the_client(self):
        app = Microdot()

        @app.route('/sse')
        @with_sse
        async def handle_sse(request, sse):
            await sse.send('foo')
            1 / 0

        with self.assertRaises(ZeroDivisionError):
            await TestClient(app).get('/sse')

    @async_test
    async def test_closing_the_body_cancels_the_handler(self):
        state = {}

        async def forever(request, sse):
            try:
                while True:
                    await sse.send('tick')
                    await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                state['cancelled'] = True
                raise

        body, status, headers = sse_response(None, forever)
        self.assertEqual(await collect(body, 2),
                         [b'data: tick\n\n', b'data: tick\n\n'])
        await body.aclose()
        self.assertTrue(state.get('cancelled'))
        self.assertTrue(body.task.done())

    @async_test
    async def test_head_request_stops_the_handler(self):
        app = Microdot()
        state = {'ticks': 0}

        @app.route('/sse')
        @with_sse
        async def endless(request, sse):
            while True:
                state['ticks'] += 1
                await asyncio.sleep(0.005)

        res = await TestClient(app).request('HEAD', '/sse')
        self.assertEqual(res.status_code, 200)
        self.assertIsNone(res.body)
        ticks = state['ticks']
        await asyncio.sleep(0.03)
        self.assertEqual(state['ticks'], ticks)

    @async_test
    async def test_keepalive_comment_when_idle(self):
        SSE.keepalive = 0.02
        try:
            async def slow(request, sse):
                await asyncio.sleep(0.07)
                await sse.send('late')

            body, status, headers = sse_response(None, slow)
            chunks = await collect(body)
        finally:
            SSE.keepalive = None
        self.assertIn(b': keepalive\n\n', chunks)
        self.assertEqual(chunks[-1], b'data: late\n\n')

    @async_test
    async def test_default_queue_is_bounded(self):
        # a client that reads nothing: the handler waits once max_queue
        # events are queued, and everything arrives once the client reads
        state = {'sent': 0}

        async def flood(request, sse):
            for i in range(1000):
                await sse.send(i)
                state['sent'] += 1

        body, status, headers = sse_response(None, flood)
        for _ in range(50):
            await asyncio.sleep(0)
        self.assertTrue(0 < SSE.max_queue <= 64)
        self.assertEqual(state['sent'], SSE.max_queue)
        self.assertEqual(len(body.sse.queue), SSE.max_queue)
        n = 0
        async for chunk in body:
            self.assertEqual(chunk, ('data: %d\n\n' % n).encode())
            n += 1
        self.assertEqual(n, 1000)

    @async_test
    async def test_bounded_queue_makes_the_producer_wait(self):
        saved = SSE.max_queue
        SSE.max_queue = 2
        state = {'sent': 0}
        try:
            async def producer(request, sse):
                for i in range(5):
                    await sse.send(i)
                    state['sent'] += 1

            body, status, headers = sse_response(None, producer)
            await asyncio.sleep(0.01)
            self.assertEqual(state['sent'], 2)  # waiting for the client
            self.assertEqual(len(await collect(body)), 5)
        finally:
            SSE.max_queue = saved
        self.assertEqual(state['sent'], 5)
