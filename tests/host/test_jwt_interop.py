"""Our HS256 tokens (microdot._jwt, made on CPython and on MicroPython) and
PyJWT's are interchangeable: each side verifies the other's tokens and
rejects them when the key is wrong or the token has expired."""
import json
import os
import subprocess
import time
import warnings

import pytest

from servers import MICROPYTHON, ROOT

jwt = pytest.importorskip('jwt')
from microdot import _jwt  # noqa: E402

KEY = 'interop-secret-key-that-is-32-bytes+'
PAYLOAD = {'user_id': 42, 'name': 'd\u00e9j\u00e0 vu', 'roles': ['a', 'b'],
           'nested': {'x': None, 'y': 1.5, 'z': True}}


def pyjwt_encode(payload, key=KEY):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # short keys in the negative cases
        return jwt.encode(payload, key, algorithm='HS256')


def pyjwt_decode(token, key=KEY):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return jwt.decode(token, key, algorithms=['HS256'])


def micropython(code):
    """Run code on MicroPython with our package and return its last line."""
    out = subprocess.run([MICROPYTHON, '-c', code], capture_output=True,
                         text=True, timeout=30,
                         env=dict(os.environ, MICROPYPATH=ROOT + ':.frozen'))
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout.strip().splitlines()[-1]


def test_ours_verified_by_pyjwt():
    token = _jwt.encode(PAYLOAD, KEY)
    assert pyjwt_decode(token) == PAYLOAD
    assert jwt.get_unverified_header(token) == {'alg': 'HS256',
                                                'typ': 'JWT'}
    with pytest.raises(jwt.exceptions.InvalidSignatureError):
        pyjwt_decode(token, 'another-key-of-thirty-two-bytes!!!')
    expired = _jwt.encode({'exp': _jwt.now() - 10}, KEY)
    with pytest.raises(jwt.exceptions.ExpiredSignatureError):
        pyjwt_decode(expired)


def test_pyjwt_verified_by_ours():
    token = pyjwt_encode(PAYLOAD)
    assert _jwt.decode(token, KEY) == PAYLOAD
    assert _jwt.decode(pyjwt_encode({'exp': int(time.time()) + 60}), KEY)
    for bad in (pyjwt_encode(PAYLOAD, 'wrong-key'),
                pyjwt_encode({'exp': int(time.time()) - 10}),
                jwt.encode(PAYLOAD, KEY + 'x' * 40, algorithm='HS512'),
                jwt.encode(PAYLOAD, None, algorithm='none')):
        with pytest.raises(_jwt.InvalidTokenError):
            _jwt.decode(bad, KEY)


def test_micropython_tokens_interoperate():
    token = micropython(
        'import json\nfrom microdot import _jwt\n'
        'print(_jwt.encode(json.loads(%r), %r))' % (json.dumps(PAYLOAD), KEY))
    assert pyjwt_decode(token) == PAYLOAD
    decoded = micropython(
        'import json\nfrom microdot import _jwt\n'
        'print(json.dumps(_jwt.decode(%r, %r)))' % (pyjwt_encode(PAYLOAD),
                                                    KEY))
    assert json.loads(decoded) == PAYLOAD
    rejected = micropython(
        'from microdot import _jwt\ntry:\n _jwt.decode(%r, %r)\n'
        'except _jwt.InvalidTokenError as e:\n print("rejected", e)'
        % (pyjwt_encode(PAYLOAD), 'wrong-key'))
    assert rejected == 'rejected bad signature'
