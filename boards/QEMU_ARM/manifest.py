# The qemu port's default manifest only freezes MicroPython's own test
# modules, so asyncio comes from here. The port has no C _asyncio module,
# and asyncio's manifest leaves task.py out on the assumption it has one.
include("$(MPY_DIR)/extmod/asyncio")
package("asyncio", ("task.py",), base_path="$(MPY_DIR)/extmod")
include("../../manifests/full")
