#!/usr/bin/env python3
"""Coverage-guided fuzzing of one target of tools/fuzz_targets.py with
atheris (libFuzzer) on CPython; tools/fuzz.py runs one per target.

Usage: tools/fuzz_atheris.py TARGET [libFuzzer flags] CORPUS_DIR ...
"""
import os
import sys
import warnings

import atheris

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(TOOLS), TOOLS]

with atheris.instrument_imports(include=['microdot']):
    import fuzz_targets


def main():
    # mutated app patterns make re warn about sets it may read differently
    warnings.simplefilter('ignore', FutureWarning)
    target = {t.name: t for t in fuzz_targets.TARGETS}[sys.argv[1]]

    def one_input(data):
        try:
            target.run(data)
        except Exception as exc:
            if not target.documented(exc):
                raise

    atheris.Setup([sys.argv[0]] + sys.argv[2:], one_input)
    atheris.Fuzz()


if __name__ == '__main__':
    main()
