// MicroPython's ESP32_GENERIC_C3 board, with ROMFS mounted at /rom.
#define MICROPY_VFS_ROM (1)
#include "boards/ESP32_GENERIC_C3/mpconfigboard.h"
