# A seeded mutation fuzzer that runs the same on CPython and MicroPython.
# Input n of a target is a pure function of (seed, target name, n): any
# runtime can generate and replay any slice of the corpus, and a crash is
# reproduced from its three numbers alone. The first inputs of a target
# are its seeds, unchanged: valid inputs that must be accepted (a harness
# that refused everything would find nothing).
#
#   micropython tools/fuzz_engine.py SEED TARGET:START:COUNT ...
#   micropython tools/fuzz_engine.py files TARGET FOLDER ...
#
# print one `FUZZRESULT {json}` line per slice or folder (tools/fuzz.py
# reads them); `... digest SEED TARGET COUNT` prints a digest of the first
# COUNT inputs.
import binascii
import json
import sys

MASK = 0xFFFFFFFF
MAX_LEN = 8192

INTERESTING_BYTES = (b'\x00\t\n\r \x7f\x80\xff"%&+-/0123456789:;<=>?@[\\]'
                     b'aAfFxX_~,.')
INTERESTING_NUMBERS = (
    b'0', b'00', b'-1', b'+5', b'0x5', b'1_0', b' 5', b'5 ', b'1e3', b'-0',
    b'7fffffff', b'ffffffff', b'fffffffff', b'4294967296', b'65535',
    b'65536', b'99999999999999999999', b'18446744073709551616',
    b'\xd9\xa5', b'\xef\xbc\x95', b'1.5', b'NaN', b'true', b'null')


class Random:
    """xorshift32: tiny, and identical on both runtimes."""
    def __init__(self, seed):
        self.state = (seed & MASK) or 0x9E3779B9

    def next(self):
        x = self.state
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
        self.state = x
        return x

    def below(self, n):
        return self.next() % n if n > 0 else 0


def fmix(h):
    """MurmurHash3's finaliser: spreads nearby numbers far apart."""
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK
    return h ^ (h >> 16)


def name_hash(name):
    h = 0x811C9DC5  # FNV-1a (str hashes are salted on CPython)
    for c in name.encode():
        h = ((h ^ c) * 0x01000193) & MASK
    return h


def _span(buf, rng):
    """A random (start, end) range of buf, short more often than long."""
    if not buf:
        return 0, 0
    start = rng.below(len(buf))
    longest = len(buf) - start
    size = 1 + rng.below(min(longest, 1 + rng.below(64)))
    return start, start + size


def flip_bit(buf, rng, target):
    if buf:
        buf[rng.below(len(buf))] ^= 1 << rng.below(8)


def set_byte(buf, rng, target):
    if buf:
        buf[rng.below(len(buf))] = rng.below(256)


def set_interesting_byte(buf, rng, target):
    if buf:
        i = rng.below(len(buf))
        buf[i] = INTERESTING_BYTES[rng.below(len(INTERESTING_BYTES))]


def insert_interesting_byte(buf, rng, target):
    i = rng.below(len(buf) + 1)
    buf[i:i] = bytes((INTERESTING_BYTES[rng.below(len(INTERESTING_BYTES))],))


def delete_range(buf, rng, target):
    start, end = _span(buf, rng)
    buf[start:end] = b''


def duplicate_range(buf, rng, target):
    start, end = _span(buf, rng)
    at = rng.below(len(buf) + 1)
    buf[at:at] = buf[start:end]


def repeat_range(buf, rng, target):
    """Many copies of a piece: long lines, many headers, many parts."""
    start, end = _span(buf, rng)
    buf[end:end] = bytes(buf[start:end]) * (1 + rng.below(100))


def insert_token(buf, rng, target):
    token = target.tokens[rng.below(len(target.tokens))]
    at = rng.below(len(buf) + 1)
    buf[at:at] = token


def overwrite_token(buf, rng, target):
    token = target.tokens[rng.below(len(target.tokens))]
    at = rng.below(len(buf) + 1)
    buf[at:at + len(token)] = token


def replace_number(buf, rng, target):
    """Swap a run of digits (or a random spot) for an edge-case number."""
    number = INTERESTING_NUMBERS[rng.below(len(INTERESTING_NUMBERS))]
    i = rng.below(len(buf) + 1)
    start = i
    while start < len(buf) and not (48 <= buf[start] <= 57):
        start += 1
    if start == len(buf):
        buf[i:i] = number
        return
    end = start
    while end < len(buf) and 48 <= buf[end] <= 57:
        end += 1
    buf[start:end] = number


def splice(buf, rng, target):
    other = target.seeds[rng.below(len(target.seeds))]
    start, end = _span(other, rng)
    at = rng.below(len(buf) + 1)
    buf[at:at] = other[start:end]


def truncate(buf, rng, target):
    buf[rng.below(len(buf) + 1):] = b''


def swap_case(buf, rng, target):
    start, end = _span(buf, rng)
    for i in range(start, end):
        if 65 <= buf[i] <= 90 or 97 <= buf[i] <= 122:
            buf[i] ^= 0x20


def line_ends(buf, rng, target):
    """CRLF to a bare LF or a bare CR, or LF to CRLF, at one line end."""
    i = bytes(buf).find(b'\n', rng.below(len(buf) + 1))
    if i < 0:
        return
    if i > 0 and buf[i - 1] == 13:
        if rng.below(2):
            buf[i - 1:i + 1] = b'\n'
        else:
            buf[i - 1:i + 1] = b'\r'
    else:
        buf[i:i + 1] = b'\r\n'


MUTATORS = (flip_bit, set_byte, set_interesting_byte, insert_interesting_byte,
            delete_range, duplicate_range, repeat_range, insert_token,
            insert_token, overwrite_token, replace_number, splice, truncate,
            swap_case, line_ends, line_ends)


def generate(target, seed, n):
    """Input n of a target."""
    seeds = target.seeds
    if n < len(seeds):
        return seeds[n]
    rng = Random(fmix(fmix(seed ^ name_hash(target.name)) ^ fmix(n + 1)))
    buf = bytearray(seeds[rng.below(len(seeds))])
    for _ in range(1 + rng.below(1 + rng.below(8))):
        MUTATORS[rng.below(len(MUTATORS))](buf, rng, target)
        if len(buf) > MAX_LEN:
            buf[MAX_LEN:] = b''
    return bytes(buf)


def _traceback(exc):
    """The traceback of exc as text, on either runtime."""
    if hasattr(sys, 'print_exception'):  # MicroPython
        import io
        out = io.StringIO()
        sys.print_exception(exc, out)
        return out.getvalue()
    import traceback
    return ''.join(traceback.format_exception(type(exc), exc,
                                              exc.__traceback__))


def _where(trace):
    """The innermost 'file:line in function' of a traceback: with the
    exception's type, what tells one crash from another."""
    where = ''
    for line in trace.splitlines():
        line = line.strip()
        if line.startswith('File '):
            path, _, rest = line[6:].partition('", line ')
            number, _, function = rest.partition(', in ')
            where = '%s:%s in %s' % (path.split('/')[-1], number, function)
    return where


def check(target, data, is_seed):
    """None if the target handled data as documented, else the
    (type, message, traceback) of what went wrong."""
    try:
        target.run(data)
    except Exception as exc:  # noqa: B902: every escape is a finding
        if not is_seed and target.documented(exc):
            return None
        kind = type(exc).__name__
        if is_seed:
            kind = 'valid seed refused: ' + kind
        return kind, str(exc)[:200], _traceback(exc)
    return None


def run_inputs(target, inputs, keep=5):
    """Check (label, data, is_seed) inputs. Crashes are grouped by
    exception type and place; the first `keep` inputs of each are kept."""
    crashes = {}
    count = 0
    for label, data, is_seed in inputs:
        count += 1
        found = check(target, data, is_seed)
        if found is None:
            continue
        kind, message, trace = found
        key = kind + ' at ' + _where(trace)
        crash = crashes.get(key)
        if crash is None:
            crash = crashes[key] = {'key': key, 'type': kind,
                                    'message': message, 'trace': trace,
                                    'count': 0, 'inputs': []}
        crash['count'] += 1
        if len(crash['inputs']) < keep:
            crash['inputs'].append(
                [label, binascii.hexlify(data).decode()])
    return {'target': target.name, 'count': count,
            'crashes': list(crashes.values())}


def run_slice(target, seed, start, count):
    """Inputs start..start+count-1 of a target."""
    def inputs():
        for n in range(start, start + count):
            yield n, generate(target, seed, n), n < len(target.seeds)
    result = run_inputs(target, inputs())
    result['start'] = start
    return result


def run_files(target, folder):
    """Every file of a folder as an input (a corpus atheris saved)."""
    import os

    def inputs():
        for name in sorted(os.listdir(folder)):
            with open(folder + '/' + name, 'rb') as f:
                yield name, f.read(), False
    result = run_inputs(target, inputs())
    result['start'] = folder
    return result


def digest(target, seed, count):
    """A digest of the first count inputs: the same on both runtimes."""
    import hashlib
    h = hashlib.sha256()
    for n in range(count):
        h.update(generate(target, seed, n))
    return binascii.hexlify(h.digest()).decode()


def main(argv):
    from fuzz_targets import TARGETS
    by_name = {}
    for target in TARGETS:
        by_name[target.name] = target
    if argv[1] == 'digest':  # digest SEED TARGET COUNT
        print(digest(by_name[argv[3]], int(argv[2]), int(argv[4])))
        return
    if argv[1] == 'files':  # files TARGET FOLDER ...
        for folder in argv[3:]:
            result = run_files(by_name[argv[2]], folder)
            print('FUZZRESULT ' + json.dumps(result))
        return
    seed = int(argv[1])
    for spec in argv[2:]:
        name, start, count = spec.split(':')
        result = run_slice(by_name[name], seed, int(start), int(count))
        print('FUZZRESULT ' + json.dumps(result))


if __name__ == '__main__':
    main(sys.argv)
