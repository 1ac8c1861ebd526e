"""The uploads example with a heap probe, for MicroPython: a background task
collects garbage and records the largest live heap every few milliseconds,
and GET /heap reports it. Uploads up to 1 GB are accepted, to find out how
big an upload a small heap can take. Same arguments as the example."""
import asyncio
import gc
import sys

HERE = __file__.rsplit('/', 1)[0] if '/' in __file__ else '.'
sys.path.append(HERE + '/../../../examples/uploads')

import uploads  # noqa: E402

uploads.Request.max_content_length = 1024 * 1024 * 1024

peak = [0]


async def sample_heap():
    while True:
        gc.collect()
        peak[0] = max(peak[0], gc.mem_alloc())
        await asyncio.sleep(0.005)


@uploads.app.get('/heap')
async def heap(request):
    gc.collect()
    return {'peak': peak[0], 'now': gc.mem_alloc(),
            'heap': gc.mem_alloc() + gc.mem_free()}


async def main(host, port):
    asyncio.create_task(sample_heap())
    await uploads.app.start_server(host=host, port=port)


host, port, directory = uploads.options(sys.argv[1:])
uploads.make_upload_dir(directory)
asyncio.run(main(host, port))
