# The unix port's standard variant (asyncio, ssl, mip), then microdot.
include("$(PORT_DIR)/variants/standard/manifest.py")
include("../../manifests/full")
