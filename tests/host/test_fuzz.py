"""The fuzzer (tools/fuzz.py): its short ci profile over every target on
both runtimes, proof that it reports what it should, and the socket-level
regression test of what it found."""
import os
import subprocess
import sys

import pytest

from servers import (MICROPYTHON, ROOT, RUNTIMES, Server, example,
                     raw_request)

TOOLS = os.path.join(ROOT, 'tools')
sys.path.insert(0, TOOLS)

import fuzz_engine  # noqa: E402
import fuzz_targets  # noqa: E402


def test_ci_profile_finds_no_crash_on_either_runtime():
    proc = subprocess.run([sys.executable, os.path.join(TOOLS, 'fuzz.py'),
                           '--profile', 'ci'], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert 'cpython 20000 inputs' in proc.stdout, proc.stdout
    assert 'micropython 20000 inputs' in proc.stdout, proc.stdout
    for target in fuzz_targets.TARGETS:
        assert '%-11s %9d %9d %11d' % (target.name, 0, 2000, 2000) \
            in proc.stdout


def test_both_runtimes_generate_the_same_corpus():
    env = dict(os.environ, MICROPYPATH=':'.join([ROOT, TOOLS, '.frozen']))
    for target in fuzz_targets.TARGETS:
        out = subprocess.run(
            [MICROPYTHON, os.path.join(TOOLS, 'fuzz_engine.py'), 'digest',
             '1', target.name, '500'], env=env, capture_output=True,
            text=True, timeout=60)
        assert out.stdout.strip() == fuzz_engine.digest(target, 1, 500), \
            target.name + out.stderr


def _target(run, documented=(ValueError,)):
    return fuzz_targets.Target('probe', run, [b'GET / HTTP/1.1\r\n'],
                               [b'\x00'], documented, 'probe')


def _refuse_nul(data):
    if b'\x00' in data:
        raise TypeError('NUL')
    if b'\r' not in data:
        raise ValueError('documented refusal')


def test_undocumented_exception_is_a_crash_documented_one_is_not():
    result = fuzz_engine.run_slice(_target(_refuse_nul), 1, 0, 3000)
    kinds = [c['type'] for c in result['crashes']]
    assert kinds == ['TypeError'], result['crashes']
    crash = result['crashes'][0]
    assert 'in _refuse_nul' in crash['key']
    n, data = crash['inputs'][0]
    assert bytes.fromhex(data) == fuzz_engine.generate(_target(_refuse_nul),
                                                       1, n)
    assert b'\x00' in bytes.fromhex(data)


def test_refused_seed_is_a_crash():
    def refuse_all(data):
        raise ValueError('nothing is valid')
    result = fuzz_engine.run_slice(_target(refuse_all), 1, 0, 10)
    assert [c['type'] for c in result['crashes']] == [
        'valid seed refused: ValueError']


def test_http_exception_outside_4xx_5xx_is_a_crash():
    from microdot.microdot import HTTPException

    def redirect(data):
        raise HTTPException(302)
    target = _target(redirect, (HTTPException,))
    assert not target.documented(HTTPException(302))
    assert target.documented(HTTPException(413))


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_long_path_segment_is_not_a_server_error(runtime):
    """Found by the urlpath target (F1): a ~1000-character segment against
    a dynamic route was a 500 on MicroPython. The client's mistake is a
    4xx, and the server goes on."""
    with Server(example('json_api', 'json_api.py'), runtime) as srv:
        data = raw_request(srv.port, b'GET /readings/' + b'1' * 1200 +
                           b' HTTP/1.1\r\nHost: x\r\n\r\n')
        assert data[9:10] == b'4', data[:200]
        data = raw_request(srv.port, b'GET /readings HTTP/1.1\r\n'
                           b'Host: x\r\n\r\n')
        assert data[9:12] == b'200', data[:200]


def test_open_finding_is_listed_apart_and_only_while_seen(
        monkeypatch, capsys, tmp_path):
    import fuzz
    monkeypatch.setattr(fuzz, 'BUILD', str(tmp_path))
    finding = (None, 'probe', 'TypeError', 'probe.py', 'parse', 'F9')
    monkeypatch.setattr(fuzz_targets, 'OPEN_FINDINGS', [finding])
    crash = {'runtime': 'micropython', 'target': 'probe', 'count': 1,
             'key': 'TypeError at probe.py:12 in parse', 'message': 'm',
             'trace': 't', 'inputs': []}
    other = dict(crash, key='TypeError at probe.py:30 in other')
    assert fuzz.open_finding(crash) == finding
    assert fuzz.open_finding(other) is None
    assert fuzz.report([crash, other], 1, ['probe']) == [other]
    assert 'OPEN micropython probe' in capsys.readouterr().out
    assert fuzz.report([other], 1, ['probe']) == [other]
    assert 'no longer seen' in capsys.readouterr().out


def test_atheris_crash_is_read_from_its_output(tmp_path):
    import fuzz
    unit = tmp_path / 'crash-1'
    unit.write_bytes(b'/<re:[a:x>/<re:b]+:y>\n/a')
    out = ('=== Uncaught Python exception: ===\n'
           'Traceback (most recent call last):\n'
           '  File "/x/fuzz_targets.py", line 309, in match_pattern\n'
           '    URLPattern(pattern).match(path)\n'
           '  File "/x/microdot/microdot.py", line 451, in match\n'
           '    value = g.group(segment[\'group\'])\n'
           '            ^^^^^^^^^^^^^\n'
           'IndexError: no such group\n\n'
           '#85342\tREDUCE cov: 59 ft: 240 corp: 57/4031b\n'
           '==42== ERROR: libFuzzer: fuzz target exited\n'
           'Test unit written to %s\n' % unit)
    result = fuzz.atheris_crash(fuzz_targets.TARGETS[0], out)
    assert result['count'] == 85342
    crash = result['crashes'][0]
    assert crash['key'] == 'IndexError at microdot.py:451 in match'
    assert crash['message'] == 'IndexError: no such group'
    assert bytes.fromhex(crash['inputs'][0][1]) == unit.read_bytes()
