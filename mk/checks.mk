# Mistakes on the make command line, caught before anything runs: a
# misspelt variable holding a board name or serial port, and APP= naming
# something that is not one script.

KNOWN_VARIABLES := BOARD PORT MPY_DIR DOCKER PLAN DRIVE IMAGE BAUD JOBS APP \
	ARGS HEAP DEVTEST_ARGS VBOARD_ARGS MIP_PACKAGE BENCH_ARGS FUZZ_ARGS PYTHON \
	MPY_CACHE MPY_GIT_URL PICOTOOL_GIT_URL FIRMWARE_DIR RELEASE_DIR \
	EMULATOR BOOTROM RP2040_BOOTROM_URL
BOARD_NAMES := $(notdir $(patsubst %/,%,$(wildcard boards/*/)))

$(foreach v,$(filter-out $(KNOWN_VARIABLES),$(.VARIABLES)),\
  $(if $(filter command line,$(origin $(v))),\
    $(if $(filter $(BOARD_NAMES),$($(v))),\
      $(error $(v)=$($(v)) is not a variable of this Makefile: did you mean BOARD=$($(v))? (make help lists them)))\
    $(if $(filter /dev/% COM%,$($(v))),\
      $(error $(v)=$($(v)) is not a variable of this Makefile: did you mean PORT=$($(v))? (make help lists them)))))

# APP= may name a script or a folder holding one.
APP_SCRIPT = $(if $(wildcard $(APP:/=)/.),$(wildcard $(APP:/=)/*.py),$(wildcard $(APP)))
APP_PROBLEM = $(if $(wildcard $(APP)),APP=$(APP) holds $(words $(APP_SCRIPT)) scripts: name one$(if $(APP_SCRIPT),$(comma) e.g. APP=$(firstword $(APP_SCRIPT))),APP=$(APP) does not exist: e.g. APP=examples/hello/hello.py)
comma := ,
define check_app
@test "$(words $(APP_SCRIPT))" = 1 || { echo "$(APP_PROBLEM)"; exit 2; }
endef
