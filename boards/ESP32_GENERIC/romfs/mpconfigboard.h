// MicroPython's ESP32_GENERIC board, with ROMFS mounted at /rom.
#define MICROPY_VFS_ROM (1)
#include "boards/ESP32_GENERIC/mpconfigboard.h"
