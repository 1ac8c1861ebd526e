"""First boot: a form, served from the board's own access point, that saves
the Wi-Fi network to join and restarts the board."""
import asyncio

import machine

from microdot import Microdot

import wifi

PAGE = '''<!doctype html>
<html><head><meta name="viewport" content="width=device-width">
<title>Wi-Fi setup</title></head>
<body><h1>Wi-Fi setup</h1>
<form method="post">
<p><label>Network <input name="ssid" required></label></p>
<p><label>Password <input name="password" type="password"></label></p>
<p><button>Save and restart</button></p>
</form></body></html>'''
HTML = {'Content-Type': 'text/html; charset=UTF-8'}

app = Microdot()


@app.get('/')
async def form(request):
    return PAGE, HTML


@app.post('/')
async def save(request):
    form = request.form or {}
    ssid = form.get('ssid', '').strip()
    if not ssid:
        return PAGE, 400, HTML
    wifi.save(ssid, form.get('password', ''))
    asyncio.create_task(restart())
    return 'Saved. The board restarts and joins {}.'.format(ssid)


async def restart():
    await asyncio.sleep(1)  # let the response go out first
    machine.reset()
