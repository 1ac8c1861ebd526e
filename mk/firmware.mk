# Firmware images with microdot frozen in: boards/, manifests/ and the tools
# tools/firmware.py, tools/flash.py and tools/buildinfo.py do the work.
#   make firmware BOARD=<name> [MPY_DIR=<micropython tree>] [DOCKER=1] [PLAN=1]
#   make flash BOARD=<name> [PORT=<serial port>] [DRIVE=<UF2 drive>] [PLAN=1]

MPY_CACHE ?= .cache
JOBS      ?= 2
BAUD      ?= 460800

FIRMWARE_DIR ?= firmware
RELEASE_DIR  ?= dist/release

.PHONY: firmware flash erase run-firmware list-boards release-files

# The pinned versions need no arguments: tools/facts.py reads them from the
# Makefile.
FIRMWARE_ARGS = --mpy-git-url $(MPY_GIT_URL) --cache $(MPY_CACHE) -j $(JOBS) \
	--picotool-git-url $(PICOTOOL_GIT_URL) \
	$(if $(MPY_DIR),--mpy-dir $(MPY_DIR)) $(if $(DOCKER),--docker) \
	$(if $(PLAN),--plan)
FLASH_ARGS = $(BOARD) --baud $(BAUD) \
	$(if $(PORT),--port $(PORT)) $(if $(DRIVE),--drive $(DRIVE)) \
	$(if $(IMAGE),--image $(IMAGE)) $(if $(PLAN),--plan)

firmware: venv
	@$(VPY) tools/firmware.py build $(BOARD) $(FIRMWARE_ARGS)

flash: venv
	@$(VPY) tools/flash.py write $(FLASH_ARGS)

erase: venv
	@$(VPY) tools/flash.py erase $(FLASH_ARGS)

list-boards:
	@$(PYTHON) tools/firmware.py list

release-files:
	@$(PYTHON) tools/firmware.py collect --firmware $(FIRMWARE_DIR) --out $(RELEASE_DIR)

UNIX_IMAGE = $(shell $(PYTHON) tools/firmware.py image UNIX --firmware $(FIRMWARE_DIR))

run-firmware:
	@test -n "$(UNIX_IMAGE)" || { echo "run-firmware: no UNIX image in $(FIRMWARE_DIR)/UNIX/: build it with make (MPY_DIR=<micropython tree>)"; exit 2; }
	$(check_app)
	cd $(dir $(APP_SCRIPT)) && $(abspath $(UNIX_IMAGE)) $(notdir $(APP_SCRIPT)) $(ARGS)

HELP_LINES += "make firmware BOARD=...   build an image with microdot frozen in"
HELP_LINES += "  MPY_DIR=<tree>          ...from this MicroPython tree (default: a cached clone of $(MICROPYTHON_TAG))"
HELP_LINES += "  DOCKER=1                ...ESP32 boards: build in $(IDF_DOCKER_IMAGE)"
HELP_LINES += "  PLAN=1                  ...only print the commands (also for flash)"
HELP_LINES += "make flash BOARD=... PORT=...  write firmware/BOARD/ to a board, checksum first"
HELP_LINES += "make erase BOARD=... PORT=...  erase an ESP32's flash"
HELP_LINES += "make run-firmware [APP=...]  serve an app (examples/hello) from the UNIX image"
HELP_LINES += "make list-boards          the boards in boards/"
HELP_LINES += "make release-files        every built image, SHA256SUMS, build-info.json in $(RELEASE_DIR)"
