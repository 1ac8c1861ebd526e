"""A page with a button that toggles an LED.

LED_PIN is the on-board LED of a Pico W or Pico 2 W ('LED', wired to the
Wi-Fi chip) and GPIO2 elsewhere, the LED of many ESP32 boards; on an
ESP32-S3 or C3 DevKit, whose LED is an RGB one, wire an LED (with a
resistor) to GPIO2 or change LED_PIN.
"""
import sys

from machine import Pin

from microdot import Microdot

BOARD = getattr(sys.implementation, '_machine', '')
LED_PIN = 'LED' if 'Pico' in BOARD else 2
PAGE = '''<!doctype html>
<html><head><meta name="viewport" content="width=device-width">
<title>LED</title></head>
<body><h1>The LED is {state}</h1>
<form method="post" action="/toggle"><button>Turn it {other}</button></form>
</body></html>'''

led = Pin(LED_PIN, Pin.OUT)
app = Microdot()


def page():
    on = led.value()
    return PAGE.format(state='on' if on else 'off',
                       other='off' if on else 'on'), {
        'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/')
async def index(request):
    return page()


@app.post('/toggle')
async def toggle(request):
    led.value(not led.value())
    return page()
