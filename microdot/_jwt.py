# HS256 JSON Web Tokens (RFC 7519) with nothing but built-in modules, so
# sessions work on a board without extra packages. Tokens interoperate with
# PyJWT's HS256 tokens.
import binascii
import hashlib
import json
import sys
import time

_clock_warned = False


class InvalidTokenError(ValueError):
    pass


def warn(message):
    sys.stderr.write('microdot: ' + message + '\n')


def now():
    """Seconds since the Unix epoch, on every port (some MicroPython ports
    count from 2000-01-01); 0, a clock never set, on a port without one.
    Tests replace this function to move the clock."""
    try:
        t = int(time.time())
    except AttributeError:
        return 0
    return t + (946684800 if time.gmtime(0)[0] == 2000 else 0)


def clock(min_time):
    """``now()``, or InvalidTokenError while the clock reads before
    ``min_time``: a board without a battery-backed clock restarts near 2000,
    where no expiry can be enforced (warned about once)."""
    global _clock_warned
    t = now()
    if t < min_time:
        if not _clock_warned:
            _clock_warned = True
            warn('the clock is not set, so tokens that expire are refused; '
                 'set it (ntptime.settime()) or see Session.min_time')
        raise InvalidTokenError('clock not set')
    return t


def _to_bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def hmac_sha256(key, message):
    key = _to_bytes(key)
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key + b'\x00' * (64 - len(key))
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(message)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    outer.update(inner.digest())
    return outer.digest()


def compare_digest(a, b):
    """Compare two strings or byte strings in time that does not depend on
    where they differ, so an attacker cannot guess a secret byte by byte."""
    a = _to_bytes(a)
    b = _to_bytes(b)
    result = len(a) ^ len(b)
    if len(a) != len(b):
        b = a
    for x, y in zip(a, b):
        result |= x ^ y
    return result == 0


def b64url_encode(data):
    return binascii.b2a_base64(data).rstrip(b'\n').rstrip(b'=').replace(
        b'+', b'-').replace(b'/', b'_')


def b64url_decode(data):
    """Decode canonical unpadded base64url only: one token has one spelling
    (no padding, stray characters or non-zero unused bits)."""
    data = _to_bytes(data)
    try:
        decoded = binascii.a2b_base64(
            data.replace(b'-', b'+').replace(b'_', b'/') +
            b'=' * (-len(data) % 4))
    except ValueError:  # binascii.Error is a ValueError
        raise InvalidTokenError('bad base64')
    # the decoder skips characters outside its alphabet; encoding again
    # catches them, '+', '/', '=' and set unused bits
    if b64url_encode(decoded) != data:
        raise InvalidTokenError('bad base64')
    return decoded


def encode(payload, key, typ='JWT'):
    """Return the HS256 token of a JSON-serialisable dict, as a str.
    ``typ`` names the kind of token (RFC 8725 explicit typing), so that one
    kind is never accepted as another."""
    header = ('{"alg":"HS256","typ":%s}' % json.dumps(typ)).encode()
    body = json.dumps(payload, separators=(',', ':')).encode()
    signing_input = b64url_encode(header) + b'.' + b64url_encode(body)
    signature = b64url_encode(hmac_sha256(key, signing_input))
    return (signing_input + b'.' + signature).decode()


def _load_json(segment):
    try:
        value = json.loads(b64url_decode(segment).decode())
    except (ValueError, UnicodeError, RuntimeError):  # RecursionError too
        raise InvalidTokenError('bad JSON')
    if not isinstance(value, dict):
        raise InvalidTokenError('not a JSON object')
    return value


def decode(token, key, typ='JWT', min_time=0):
    """Verify an HS256 token of type ``typ`` and return its payload dict.

    Raises InvalidTokenError when the token is malformed, signed with another
    key or algorithm, of another type, expired (``exp``) or not yet valid
    (``nbf``), or has either claim while the clock reads before ``min_time``.
    Nothing is parsed before the signature is verified.
    """
    parts = _to_bytes(token).split(b'.')
    if len(parts) != 3:
        raise InvalidTokenError('not a JWT')
    expected = hmac_sha256(key, parts[0] + b'.' + parts[1])
    if not compare_digest(b64url_decode(parts[2]), expected):
        raise InvalidTokenError('bad signature')
    header = _load_json(parts[0])
    if header.get('alg') != 'HS256':
        raise InvalidTokenError('algorithm not allowed')
    if header.get('typ') != typ:
        raise InvalidTokenError('not a %s token' % typ)
    payload = _load_json(parts[1])
    expires = _time_claim(payload, 'exp')
    not_before = _time_claim(payload, 'nbf')
    if expires is not None or not_before is not None:
        t = clock(min_time)
        if expires is not None and t >= expires:
            raise InvalidTokenError('expired')
        if not_before is not None and t < not_before:
            raise InvalidTokenError('not yet valid')
    return payload


def _time_claim(payload, name):
    value = payload.get(name)
    if value is not None and (isinstance(value, bool) or
                              not isinstance(value, (int, float))):
        raise InvalidTokenError('bad %s claim' % name)
    return value
