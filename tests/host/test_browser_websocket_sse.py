"""A real browser on the WebSocket and SSE example pages served by
MicroPython (board-sized heap): headless Chromium from Debian, driven over
the DevTools protocol with the `websockets` package."""
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from websockets.sync.client import connect

from servers import Server, example

CHROMIUM = next((path for path in ('/usr/lib/chromium/chromium',
                                   shutil.which('chromium') or '',
                                   shutil.which('chromium-browser') or '')
                 if path and os.path.exists(path)), None)
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-sync', '--disable-quic', '--disable-background-networking',
         '--disable-component-update', '--remote-debugging-port=0']
DEADLINE = 30  # seconds for the whole test, browser start included

pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason='chromium is not installed '
                                       '(requirements/apt.txt)')


class Browser:
    """Headless Chromium with a new empty profile, and a DevTools
    connection to it."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.profile = tempfile.mkdtemp(prefix='browser-test-chromium-')
        self.proc = subprocess.Popen(
            [CHROMIUM, '--user-data-dir=' + self.profile] + FLAGS +
            ['about:blank'], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        active_port = os.path.join(self.profile, 'DevToolsActivePort')
        try:
            while not os.path.exists(active_port) or \
                    len(open(active_port).read().split()) < 2:
                self._check_time('browser start')
                time.sleep(0.05)
        except Exception:
            self.close()
            raise
        port, path = open(active_port).read().split()[:2]
        self.devtools_url = 'ws://127.0.0.1:%s%s' % (port, path)
        self.devtools = None
        self.last_id = 0

    def _check_time(self, what):
        if time.time() > self.deadline:
            raise AssertionError('timed out: ' + what)
        if self.proc.poll() is not None:
            raise RuntimeError('chromium exited with %d' %
                               self.proc.returncode)

    def call(self, method, session=None, **params):
        self.last_id += 1
        message = {'id': self.last_id, 'method': method, 'params': params}
        if session:
            message['sessionId'] = session
        self.devtools.send(json.dumps(message))
        while True:  # skip the events sent meanwhile
            reply = json.loads(self.devtools.recv(
                timeout=max(0.1, self.deadline - time.time())))
            if reply.get('id') == self.last_id:
                if 'error' in reply:
                    raise RuntimeError(reply['error'])
                return reply['result']

    def open(self, url):
        """A new tab on url; returns its DevTools session."""
        target = self.call('Target.createTarget', url=url)['targetId']
        return self.call('Target.attachToTarget', targetId=target,
                         flatten=True)['sessionId']

    def evaluate(self, session, expression):
        result = self.call('Runtime.evaluate', session,
                           expression=expression, returnByValue=True)
        return result['result'].get('value')

    def wait_for(self, session, expression, what):
        while True:
            value = self.evaluate(session, expression)
            if value:
                return value
            self._check_time(what)
            time.sleep(0.1)

    def close(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def test_pages_get_their_messages():
    deadline = time.time() + DEADLINE
    with Server(example('websocket', 'echo.py'), 'micropython') as echo, \
            Server(example('sse', 'counter.py'), 'micropython',
                   args=['--interval', '0.2']) as counter, \
            contextlib.ExitStack() as stack:
        browser = Browser(deadline)
        stack.callback(browser.close)
        browser.devtools = stack.enter_context(connect(
            browser.devtools_url, max_size=None, open_timeout=10))
        page = browser.open(echo.url + '/')
        browser.wait_for(page, "document.querySelectorAll('#log li')"
                         ".length >= 1", 'the first echo')
        assert browser.evaluate(page, "document.getElementById("
                                "'status').textContent") == 'open'
        browser.evaluate(page, "document.getElementById('text').value = "
                         "'typed \u2603'; document.getElementById("
                         "'form').requestSubmit()")
        browser.wait_for(page, "document.querySelectorAll('#log li')"
                         ".length >= 2", 'the second echo')
        assert browser.evaluate(page, "[...document.querySelectorAll("
                                "'#log li')].map(li => li.textContent)"
                                ) == ['hello from the browser',
                                      'typed \u2603']

        page = browser.open(counter.url + '/')
        browser.wait_for(page, "+document.getElementById('received')"
                         ".textContent >= 3", 'three SSE events')
        count = int(browser.evaluate(
            page, "document.getElementById('count').textContent"))
        assert count >= 3
