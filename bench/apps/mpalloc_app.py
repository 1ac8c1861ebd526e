"""microdot_app.py with every function of our core wrapped to count the heap
it allocates: the MicroPython side of bench/mpalloc.py.

Each module-level function and method of microdot/microdot.py (properties
and classmethods excepted) is replaced by a wrapper that marks entering and
leaving it. At every mark the growth of gc.mem_alloc() since the previous
mark is charged to the innermost wrapped function running in the current
asyncio task, or, when the previous mark was in another task, to "(between
tasks)": the asyncio core and other unwrapped code. The bookkeeping's own
allocations are excluded; what a wrapper allocates around the call is
calibrated at start on a two-argument call and taken off, so figures are
exact only to a block or two (16 bytes each) per call. The automatic GC is
off during the measured requests (see probe.py).

Between request WARMUP and WARMUP + COUNT it counts, then prints one
`FN <name> <calls> <inclusive bytes> <own bytes>` line per function that
ran, then `END`.

Usage: micropython mpalloc_app.py PORT --measure WARMUP COUNT
"""
import asyncio
import gc

import probe
from microdot import microdot as core

BETWEEN = '(between tasks)'
stats = {BETWEEN: [0, 0, 0]}  # name -> [calls, inclusive bytes, own bytes]
stacks = {}  # task id -> running wrapped calls: [name, own, callees' inclusive]
last = [0, None]  # gc.mem_alloc() and task id at the previous mark
counting = [False]
cost = {'function': 0, 'generator': 0, 'inner': 0}  # bytes a wrapper adds


def current_stack():
    """The running task's stack, after charging what was allocated since the
    previous mark."""
    grown = gc.mem_alloc() - last[0]
    try:
        task = id(asyncio.current_task())
    except RuntimeError:  # no task running: calibration
        task = 0
    stack = stacks.get(task)
    if stack is None:
        stack = stacks[task] = []
    if task != last[1]:
        if counting[0]:
            stats[BETWEEN][1] += grown
            stats[BETWEEN][2] += grown
    elif stack:
        stack[-1][1] += grown
    last[1] = task
    return stack


def enter(name):
    current_stack().append([name, 0, 0])
    last[0] = gc.mem_alloc()


def leave(kind):
    stack = current_stack()
    name, own, callees = stack.pop()
    own -= cost['inner']  # the wrapper's cost inside the span
    if counting[0]:
        entry = stats[name]
        entry[0] += 1
        entry[1] += own + callees
        entry[2] += own
    if stack:
        stack[-1][1] -= cost[kind]  # the wrapper's cost in the caller
        stack[-1][2] += own + callees + cost[kind]
    last[0] = gc.mem_alloc()


def wrap_function(name, f):
    stats[name] = [0, 0, 0]

    def wrapper(*args, **kwargs):
        enter(name)
        try:
            return f(*args, **kwargs)
        finally:
            leave('function')
    return wrapper


def wrap_generator(name, f):
    # async def and generator functions alike: `await` is `yield from` here
    stats[name] = [0, 0, 0]

    async def wrapper(*args, **kwargs):
        enter(name)
        try:
            return await f(*args, **kwargs)
        finally:
            leave('generator')
    return wrapper


def wrapped(name, value):
    kind = type(value).__name__
    if kind == 'function':
        return wrap_function(name, value)
    if kind == 'generator':
        return wrap_generator(name, value)
    return None


def instrument():
    for name in dir(core):
        value = getattr(core, name)
        if type(value) is not type:
            inner = wrapped(name, value)
            if inner:
                setattr(core, name, inner)
            continue
        for attr, member in list(value.__dict__.items()):
            if type(member).__name__ == 'staticmethod':
                inner = wrapped(name + '.' + attr, getattr(value, attr))
                if inner:
                    setattr(value, attr, staticmethod(inner))
            else:
                inner = wrapped(name + '.' + attr, member)
                if inner:
                    setattr(value, attr, inner)


def calibrate():
    """Fill `cost` from wrapped calls that allocate nothing themselves."""
    def nothing(a, b):
        pass

    async def nothing_async(a, b):
        pass
    plain = wrap_function('-plain', nothing)
    coro = wrap_generator('-coro', nothing_async)

    def call_plain(a, b):
        plain(a, b)

    async def call_coro(a, b):
        await coro(a, b)

    counting[0] = True
    gc.disable()
    wrap_function('-call-plain', call_plain)(1, 2)
    try:
        wrap_generator('-call-coro', call_coro)(1, 2).send(None)
    except StopIteration:
        pass
    gc.enable()
    counting[0] = False
    cost['inner'] = stats['-plain'][2]
    cost['function'] = stats['-call-plain'][2] - cost['inner']
    cost['generator'] = stats['-call-coro'][2] - cost['inner']
    for name in ('-plain', '-coro', '-call-plain', '-call-coro'):
        del stats[name]
    stats[BETWEEN] = [0, 0, 0]


original_tick = probe.Probe.tick


def tick(self):
    original_tick(self)
    if self.seen == self.warmup:
        counting[0] = True
        last[0] = gc.mem_alloc()  # the probe just collected garbage
    elif self.seen == self.warmup + self.count:
        counting[0] = False
        for name, (calls, used, own) in stats.items():
            if calls or own:
                print('FN', name, calls, used, own)
        print('END')


calibrate()
instrument()
probe.Probe.tick = tick
print('WRAPPER_COST', cost['function'], cost['generator'], cost['inner'])
import microdot_app  # noqa: E402,F401 (serves until killed)
