# mip packages for stock firmware: tools/mip_packages.py does the work.
#   make package-json   rewrite package.json and package-*.json from microdot/
#   make mip-index      build the .mpy index into mip-index/ (git-ignored)

.PHONY: package-json check-package-json mip-index mip-sizes

package-json: venv
	@$(VPY) tools/mip_packages.py write

check-package-json: venv
	@$(VPY) tools/mip_packages.py check

mip-index: venv
	@$(VPY) tools/mip_packages.py index mip-index

mip-sizes: venv
	@$(VPY) tools/mip_packages.py sizes

HELP_LINES += "make package-json         rewrite package*.json (mip) from microdot/ and the version"
HELP_LINES += "make check-package-json   fail when a package*.json is out of date"
HELP_LINES += "make mip-index            build a mip index of .mpy files in mip-index/"
HELP_LINES += "make mip-sizes            files and bytes each mip package installs"
