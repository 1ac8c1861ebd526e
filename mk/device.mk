# On-device tests: tools/devtest runs the shared suite on a board over serial
# through mpremote; tools/vboard is the virtual board that CI uses.
#   make test-device PORT=/dev/ttyACM0 [DEVTEST_ARGS="--install --copy ..."]
#   make test-device BOARD=QEMU_ARM [MPY_DIR=<micropython tree>]   (examples/webui
#     as a ROMFS image at /rom, for tests/test_romfs.py)
#   make test-device BOARD=UNIX [MPY_DIR=<micropython tree>]   (on a vboard)
#   make test-device BOARD=RPI_PICO_W EMULATOR=1 [MPY_DIR=<micropython tree>]
#     [BOOTROM=<rp2040js demo/bootrom.ts>]   (booted in rp2040js under Node,
#     tools/pico_emulator.py, with examples/webui as a ROMFS image in the
#     flash's ROMFS partition, which the port mounts at /rom; skipped with
#     one line when the image, Node or the boot ROM is missing)
# Without MPY_DIR an image already in firmware/<board>/ is tested as it is.
#   make test-vboard [HEAP=<size>]   (default: BOARD_HEAP in the Makefile)
#   make vboard [HEAP=<size>]        serve a virtual board, for mpremote by hand

HEAP         ?= $(BOARD_HEAP)
DEVTEST      := $(VPY) tools/devtest.py
FIRMWARE_DIR ?= firmware
# The newest image of a board, whatever MicroPython version built it (a
# shell substitution: the build may make it in an earlier recipe line).
BUILT_IMAGE   = $$($(PYTHON) tools/firmware.py image $(1) --firmware $(FIRMWARE_DIR))
# Build the board's image with MPY_DIR, or when there is none yet; else
# test the one already built.
define image_for_test
@if [ -z "$(MPY_DIR)" ] && [ -n "$(call BUILT_IMAGE,$(1))" ]; then \
  echo "test-device: testing $(call BUILT_IMAGE,$(1)) (MPY_DIR=<micropython tree> rebuilds it)"; \
else $(MAKE) --no-print-directory firmware BOARD=$(1); fi
endef

# rp2040js and the boot ROM, for EMULATOR=1: exit 3 and one line when one
# cannot be had.
PICO_PREPARE = $(VPY) tools/pico_emulator.py prepare --cache $(MPY_CACHE) \
	--bootrom-url $(RP2040_BOOTROM_URL) \
	--bootrom-sha256 $(RP2040_BOOTROM_SHA256) $(if $(BOOTROM),--bootrom $(BOOTROM))

.PHONY: test-device test-vboard vboard

test-device: venv
ifneq ($(PORT),)
	@$(DEVTEST) --port $(PORT) $(DEVTEST_ARGS)
else ifeq ($(origin BOARD),file)
	@echo "make test-device: name the board: PORT=/dev/ttyACM0, or BOARD=QEMU_ARM or BOARD=UNIX with MPY_DIR=<micropython tree>"; exit 2
else ifeq ($(BOARD),QEMU_ARM)
	$(call image_for_test,QEMU_ARM)
	@$(MAKE) --no-print-directory romfs APP=examples/webui
	@$(DEVTEST) --qemu "$(call BUILT_IMAGE,QEMU_ARM)" \
	  --romfs firmware/romfs/webui.romfs $(DEVTEST_ARGS)
else ifeq ($(BOARD),UNIX)
	$(call image_for_test,UNIX)
	@$(DEVTEST) --vboard --heapsize $(HEAP) --label unix-image-$(HEAP) \
	  --micropython "$(call BUILT_IMAGE,UNIX)" $(DEVTEST_ARGS)
else ifeq ($(BOARD)$(if $(EMULATOR),+emulator),RPI_PICO_W+emulator)
	@if [ -z "$(MPY_DIR)" ] && [ -z "$(call BUILT_IMAGE,RPI_PICO_W)" ]; then \
	  echo "test-device: skipped: no RPI_PICO_W image to emulate (MPY_DIR=<micropython $(MICROPYTHON_TAG) tree> builds one)"; exit 0; fi; \
	out=$$($(PICO_PREPARE)); rc=$$?; \
	if [ $$rc = 3 ]; then echo "test-device: skipped: $${out#pico-emulator: }"; exit 0; \
	elif [ $$rc != 0 ]; then echo "$$out"; exit $$rc; fi; \
	if [ -n "$(MPY_DIR)" ]; then $(MAKE) --no-print-directory firmware BOARD=RPI_PICO_W || exit; \
	else echo "test-device: testing $(call BUILT_IMAGE,RPI_PICO_W) (MPY_DIR=<micropython tree> rebuilds it)"; fi; \
	$(MAKE) --no-print-directory romfs APP=examples/webui || exit; \
	$(DEVTEST) --rp2040 "$(call BUILT_IMAGE,RPI_PICO_W)" \
	  --bootrom $(MPY_CACHE)/rp2040-bootrom-B1.bin \
	  --romfs firmware/romfs/webui.romfs --timeout 600 $(DEVTEST_ARGS)
else ifneq ($(EMULATOR),)
	@echo "make test-device: EMULATOR=1 emulates BOARD=RPI_PICO_W only: rp2040js has no RP2350 (RPI_PICO2_W) nor ESP32; flash the board and use PORT=<its serial port>"; exit 2
else
	@echo "make test-device: BOARD=$(BOARD) runs on hardware: flash it (make flash BOARD=$(BOARD)), then make test-device PORT=<its serial port>"; exit 2
endif

# As in `make test`, the tests are copied: mount keeps ~7 KB of a board heap.
test-vboard: venv
	@$(DEVTEST) --vboard --heapsize $(HEAP) --install --copy $(DEVTEST_ARGS)

vboard: venv
	@$(VPY) tools/vboard.py --heapsize $(HEAP) $(VBOARD_ARGS)

HELP_LINES += "make test-device PORT=/dev/ttyACM0  run the test suite on a board over serial (DEVTEST_ARGS=--install to copy microdot first)"
HELP_LINES += "make test-device BOARD=QEMU_ARM     ...on the QEMU_ARM image in qemu (built first with MPY_DIR or when missing); BOARD=UNIX: the UNIX image on a vboard"
HELP_LINES += "make test-device BOARD=RPI_PICO_W EMULATOR=1  ...on the RPI_PICO_W image in rp2040js (Node; BOOTROM=<rp2040js demo/bootrom.ts> offline)"
HELP_LINES += "make test-vboard [HEAP=$(BOARD_HEAP)]        ...on the virtual board (the unix runtime behind a pty)"
HELP_LINES += "make vboard [HEAP=$(BOARD_HEAP)]             serve a virtual board on a pty, for mpremote"
