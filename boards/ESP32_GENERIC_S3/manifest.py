# The esp32 port's manifest for its generic boards (boot scripts, asyncio,
# networking packages), then microdot.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifests/full")
