"""Wi-Fi for the board examples: the saved network in wifi.json, joining it,
and an access point for first boot."""
import json
import time

import network

CONFIG = 'wifi.json'


def load():
    """The saved (ssid, password), or None before the first setup."""
    try:
        with open(CONFIG) as f:
            config = json.load(f)
        return config['ssid'], config['password']
    except (OSError, ValueError, KeyError):
        return None


def save(ssid, password):
    with open(CONFIG, 'w') as f:
        json.dump({'ssid': ssid, 'password': password}, f)


def connect(ssid, password, timeout=20):
    """Join a network; the board's IP address, or None after timeout
    seconds."""
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect(ssid, password)
    for _ in range(timeout * 2):
        if wlan.isconnected():
            return wlan.ifconfig()[0]
        time.sleep(0.5)
    wlan.active(False)
    return None


def access_point(essid, password):
    """Start an access point of our own; the board's IP address on it."""
    ap = network.WLAN(network.AP_IF)
    ap.config(essid=essid, password=password)
    ap.active(True)
    while not ap.active():
        time.sleep(0.1)
    return ap.ifconfig()[0]
