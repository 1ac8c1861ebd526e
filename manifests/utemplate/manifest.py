# utemplate, the template engine behind microdot.utemplate, comes from the
# pinned PyPI package installed in .venv, never from a copy in this
# repository: tools/firmware.py sets UTEMPLATE_DIR to the folder holding the
# utemplate package (.venv's site-packages).
import os

if not os.environ.get("UTEMPLATE_DIR"):
    raise Exception(
        "set UTEMPLATE_DIR to the folder that holds the utemplate package"
    )
package("utemplate", base_path=os.environ["UTEMPLATE_DIR"])
