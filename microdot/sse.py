"""Server-Sent Events: a route streams events produced by a background
task to the client (text/event-stream)."""
import asyncio
from microdot.microdot import json_dumps
from microdot.helpers import wraps


def _lines(text):
    return text.replace('\r\n', '\n').replace('\r', '\n').split('\n')


def _field(name, value):
    value = str(value)
    if '\n' in value or '\r' in value:
        raise ValueError('SSE %s must be a single line' % name)
    return '%s: %s\n' % (name, value)


class SSE:
    """The event channel a handler writes to with `send()`."""

    #: Seconds without an event after which a `: keepalive` comment is sent
    #: (keeps idle connections open through proxies and notices a vanished
    #: client); None sends none.
    keepalive = None
    #: send() waits while this many events are still unsent: a slow client
    #: slows its handler down instead of filling RAM, and no event is
    #: dropped. 0 queues without limit.
    max_queue = 16

    def __init__(self):
        self.event = asyncio.Event()
        self.queue = []
        self._sent = asyncio.Event()

    async def send(self, data, event=None, event_id=None, retry=None,
                   comment=False):
        """Queue one event. `data`: str, UTF-8 bytes, dict/list (sent as
        JSON) or any object (sent as str(data)); multi-line data goes out
        as several `data:` lines. `retry` is in seconds."""
        if isinstance(data, (dict, list)):
            data = json_dumps(data)
        if isinstance(data, bytes):
            data = data.decode()
        elif not isinstance(data, str):
            data = str(data)
        if comment:
            message = ''.join(': %s\n' % line for line in _lines(data))
        else:
            message = ''
            if retry is not None:
                message += _field('retry', int(retry * 1000))
            if event:
                message += _field('event', event)
            if event_id is not None:
                message += _field('id', event_id)
            message += ''.join('data: %s\n' % line for line in _lines(data))
        while self.max_queue and len(self.queue) >= self.max_queue:
            self._sent.clear()
            await self._sent.wait()
        self.queue.append((message + '\n').encode())
        self.event.set()


class _EventStream:
    """The response body: yields queued events until the handler ends;
    closing it (the client went away) cancels the handler."""

    def __init__(self, request, sse, event_function, args, kwargs):
        self.sse = sse
        self.done = False
        self.task = asyncio.create_task(self._run(request, event_function,
                                                  args, kwargs))

    async def _run(self, request, event_function, args, kwargs):
        try:
            await event_function(request, self.sse, *args, **kwargs)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.sse.queue.append(exc)
        finally:
            self.done = True
            self.sse.event.set()

    def __aiter__(self):
        return self

    async def __anext__(self):
        sse = self.sse
        while not sse.queue:
            if self.done:
                raise StopAsyncIteration
            sse.event.clear()
            if not sse.keepalive:
                await sse.event.wait()
                continue
            try:
                await asyncio.wait_for(sse.event.wait(), sse.keepalive)
            except asyncio.TimeoutError:
                return b': keepalive\n\n'
        item = sse.queue.pop(0)
        sse._sent.set()
        if isinstance(item, Exception):
            raise item
        return item

    async def aclose(self):
        if self.done:
            return
        self.done = True
        self.task.cancel()
        try:
            await self.task  # let the handler run its cleanup now
        except asyncio.CancelledError:
            pass


def sse_response(request, event_function, *args, **kwargs):
    """Start `event_function(request, sse, *args, **kwargs)` (a coroutine
    function) as a task and return the streaming response (503 when the
    app holds max_long_lived streams and WebSockets already)."""
    if request is not None and not request.app.hold_connection(request):
        return 'Too many event streams', 503
    stream = _EventStream(request, SSE(), event_function, args, kwargs)
    return stream, 200, {'Content-Type': 'text/event-stream',
                         'Cache-Control': 'no-cache'}


def with_sse(f):
    """Decorator for `async def route(request, sse, **path_args)`."""
    @wraps(f)
    async def sse_handler(request, *args, **kwargs):
        return sse_response(request, f, *args, **kwargs)
    return sse_handler
