# MicroPython's ESP32_GENERIC board with a ROMFS partition (make romfs,
# make deploy-romfs): used as BOARD_DIR by tools/firmware.py.
include(${CMAKE_CURRENT_SOURCE_DIR}/boards/ESP32_GENERIC/mpconfigboard.cmake)
list(APPEND SDKCONFIG_DEFAULTS ${MICROPY_BOARD_DIR}/sdkconfig.romfs)
