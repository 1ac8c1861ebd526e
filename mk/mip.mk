# mip packages for stock firmware: tools/mip_packages.py does the work.
#   make mip-install PORT=/dev/ttyACM0 [MIP_PACKAGE=microdot-core]
#                       install .mpy files onto a board from this checkout
#   make package-json   rewrite package.json and package-*.json from microdot/
#   make mip-index      build the .mpy index into mip-index/ (git-ignored)
#   make mip-release    the .mpy packages as release files in $(RELEASE_DIR)

MIP_PACKAGE ?= microdot
RELEASE_DIR ?= dist/release

.PHONY: mip-install package-json check-package-json mip-index mip-release mip-sizes

mip-install: venv
	@$(VPY) tools/mip_packages.py install $(if $(PORT),--port $(PORT)) $(MIP_PACKAGE)

package-json: venv
	@$(VPY) tools/mip_packages.py write

check-package-json: venv
	@$(VPY) tools/mip_packages.py check

mip-index: venv
	@$(VPY) tools/mip_packages.py index mip-index

mip-release: venv
	@$(VPY) tools/mip_packages.py release $(RELEASE_DIR)

mip-sizes: venv
	@$(VPY) tools/mip_packages.py sizes

HELP_LINES += "make mip-install PORT=... install microdot as .mpy onto a board with stock firmware (MIP_PACKAGE=microdot-core: the core alone)"
HELP_LINES += "make package-json         rewrite package*.json (mip) from microdot/ and the version"
HELP_LINES += "make check-package-json   fail when a package*.json is out of date"
HELP_LINES += "make mip-index            build a mip index of .mpy files in mip-index/"
HELP_LINES += "make mip-release          .mpy mip packages as release files in $(RELEASE_DIR)"
HELP_LINES += "make mip-sizes            files and bytes each mip package installs"
