# Benchmarks (issue 8): bench/run.py does the work, results go to bench/results/.
#   make bench [BENCH_ARGS="--rounds 2 --only ours,bare"]
# The peers live in .venv-bench (bench/requirements.txt), the upstream
# framework alone in .venv-bench-upstream: neither touches .venv.

BENCH_VENV       := .venv-bench
UPSTREAM_VENV    := .venv-bench-upstream
UPSTREAM_VERSION := 2.6.2

.PHONY: bench bench-wrk

# With MPY_DIR, the QEMU_ARM image is built first, for the 32-bit figures.
bench: venv bench-wrk $(BENCH_VENV)/.installed $(UPSTREAM_VENV)/.microdot-$(UPSTREAM_VERSION)
	@$(if $(MPY_DIR),$(MAKE) --no-print-directory firmware BOARD=QEMU_ARM MPY_DIR=$(MPY_DIR))
	@$(BENCH_VENV)/bin/python bench/run.py $(BENCH_ARGS)

bench-wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else echo "bench: wrk is missing: sudo apt-get install wrk"; exit 2; fi; }

$(BENCH_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -r bench/requirements.txt
	@touch $@

$(UPSTREAM_VENV)/.microdot-$(UPSTREAM_VERSION):
	$(PYTHON) -m venv $(UPSTREAM_VENV)
	$(UPSTREAM_VENV)/bin/pip install -q microdot==$(UPSTREAM_VERSION)
	@touch $@

HELP_LINES += "make bench                ours vs upstream, aiohttp, Starlette, Flask, Bottle, bare (bench/results/)"
