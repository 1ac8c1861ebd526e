# The board's own manifest (rp2 modules, asyncio, networking, Bluetooth),
# then microdot.
include("$(BOARD_DIR)/manifest.py")
include("../../manifests/full")
