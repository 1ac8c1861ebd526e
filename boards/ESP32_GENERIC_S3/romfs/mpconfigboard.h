// MicroPython's ESP32_GENERIC_S3 board, with ROMFS mounted at /rom.
#define MICROPY_VFS_ROM (1)
#include "boards/ESP32_GENERIC_S3/mpconfigboard.h"
