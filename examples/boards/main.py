"""Board example: join the saved Wi-Fi network and serve the LED page; on
first boot (or when the network cannot be joined) open the access point
'microdot-setup' (password 'microdot') and serve the Wi-Fi setup form at
http://192.168.4.1/.

Copy the folder's files to the board: mpremote cp examples/boards/*.py :
"""
import wifi

saved = wifi.load()
address = wifi.connect(*saved) if saved else None
if address:
    from gpio_page import app
else:
    address = wifi.access_point('microdot-setup', 'microdot')
    from wifi_setup import app
print('serving on http://%s/' % address)
app.run(port=80)
