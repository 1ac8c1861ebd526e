# microdot firmware project: the front door. `make help` lists the targets.

# ---- pinned versions and defaults: the one place they are set ----
# (the tools read them through tools/facts.py; Python packages are pinned in
# requirements/*.txt)
MICROPYTHON_TAG  := v1.28.0
MPY_GIT_URL      ?= https://github.com/micropython/micropython.git
IDF_VERSION      := v5.5.1
IDF_DOCKER_IMAGE := espressif/idf:$(IDF_VERSION)
PICOTOOL_VERSION := 2.1.1
PICOTOOL_GIT_URL ?= https://github.com/raspberrypi/picotool.git
# -X heapsize of a board-sized unix runtime (64-bit: about an ESP32's RAM)
BOARD_HEAP       := 200k
# rp2040js, the RP2040 emulator of `make test-device BOARD=RPI_PICO_W
# EMULATOR=1`, is pinned in tools/rp2040/package.json. The RP2040 boot ROM
# it needs comes from rp2040js's repository (release v1.3.3; the file is
# unchanged since):
RP2040JS_COMMIT       := 7701ee065f50a04380f81361befd754810cb9e28
RP2040_BOOTROM_URL    ?= https://raw.githubusercontent.com/wokwi/rp2040js/$(RP2040JS_COMMIT)/demo/bootrom.ts
RP2040_BOOTROM_SHA256 := 99f8a1f813ce3aa9415884de3fb6c5b962d3c6fa0394b05413ad3c7b3c39ec62

VERSION := $(shell sed -n "s/^__version__ = '\(.*\)'/\1/p" microdot/microdot.py)
PYTHON  ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
BOARD   ?= UNIX
APP     ?= examples/hello/hello.py

.DEFAULT_GOAL := all
.PHONY: all help venv test test-cpython test-micropython run run-cpython clean

all: firmware

help:
	@echo "microdot $(VERSION) (MicroPython $(MICROPYTHON_TAG))"
	@echo ""
	@echo "  make                      build the default firmware (BOARD=UNIX)"
	@echo "  make test                 set everything up and run every test suite"
	@echo "  make test-cpython         only the CPython suite (pytest)"
	@echo "  make test-micropython     only the MicroPython unix-runtime suites"
	@echo "  make run APP=...          serve an app on the MicroPython runtime"
	@echo "  make run-cpython APP=...  serve an app on CPython"
	@echo "  make venv                 create .venv with the pinned tools"
	@echo "  make clean                remove build outputs"
	@printf '  %s\n' $(HELP_LINES)
	@printf '\n  variables: %s\n' "$(KNOWN_VARIABLES)"

venv:
	@$(PYTHON) tools/bootstrap.py

test: venv
	@$(VPY) tools/run_tests.py

test-cpython: venv
	@$(VPY) tools/run_tests.py cpython

test-micropython: venv
	@$(VPY) tools/run_tests.py micropython-src micropython-mpy micropython-mpy-$(BOARD_HEAP)

# The app runs as on a board: microdot compiled to .mpy, a board-sized heap.
run: venv
	$(check_app)
	@$(VPY) tools/mpytest.py --compile-only .build/run
	cd $(dir $(APP_SCRIPT)) && MICROPYPATH=$(CURDIR)/.build/run:$(CURDIR)/.build/mpylib:.frozen $(abspath $(VENV))/bin/micropython -X heapsize=$(BOARD_HEAP) $(notdir $(APP_SCRIPT)) $(ARGS)

run-cpython: venv
	$(check_app)
	cd $(dir $(APP_SCRIPT)) && $(abspath $(VPY)) $(notdir $(APP_SCRIPT)) $(ARGS)

clean:
	rm -rf .build firmware/*/

# Each area of the project adds its targets (and HELP_LINES) in mk/.
-include mk/*.mk
