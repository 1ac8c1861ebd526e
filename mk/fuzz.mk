# Fuzzing (issue 13): tools/fuzz.py runs 1,000,000 generated inputs over
# every parser of untrusted input on CPython, then replays the same corpus
# on the MicroPython unix runtime (the package compiled to .mpy).
#   make fuzz [FUZZ_ARGS="--seed 7 --targets head,chunked"]
# `make test` runs the short ci profile (tests/host/test_fuzz.py).

.PHONY: fuzz

fuzz: venv
	@$(VPY) tools/fuzz.py $(FUZZ_ARGS)

HELP_LINES += "make fuzz                 1M fuzzed inputs over the parsers, on CPython then MicroPython (FUZZ_ARGS=--seed N ...)"
