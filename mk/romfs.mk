# ROMFS bundles: an app compiled to .mpy with its assets (gzip copies and a
# manifest of content hashes for ETags), for /rom. tools/romfs.py does the work.
#   make romfs APP=<app folder> [WITH_MICRODOT=1]   -> firmware/romfs/<app>.romfs
#   make deploy-romfs PORT=<serial port> [APP=<app folder> | IMAGE=<file>] [PLAN=1]

ROMFS_DIR   := firmware/romfs
ROMFS_IMAGE  = $(or $(IMAGE),$(if $(filter command line environment,$(origin APP)),$(ROMFS_DIR)/$(notdir $(patsubst %/,%,$(APP))).romfs,$(wildcard $(ROMFS_DIR)/*.romfs)))

.PHONY: romfs deploy-romfs

romfs: venv
ifeq ($(origin APP),file)
	@echo "make romfs: name the app folder: make romfs APP=examples/webui"; exit 2
else
	@$(VPY) tools/romfs.py build $(APP) --out $(ROMFS_DIR) $(if $(WITH_MICRODOT),--with-microdot)
endif

deploy-romfs: venv
	@test $(words $(ROMFS_IMAGE)) -eq 1 || { echo "make deploy-romfs: name the image: APP=<app folder> (after make romfs) or IMAGE=<file>"; exit 2; }
	@$(VPY) tools/romfs.py deploy $(ROMFS_IMAGE) $(if $(PORT),--port $(PORT)) $(if $(PARTITION),--partition $(PARTITION)) $(if $(PLAN),--plan)

HELP_LINES += "make romfs APP=<folder>   the app as a ROMFS image for /rom: .mpy, assets, gzip copies, ETag manifest"
HELP_LINES += "  WITH_MICRODOT=1         ...with the framework in /rom/lib (stock firmware)"
HELP_LINES += "make deploy-romfs PORT=...  write firmware/romfs/<app>.romfs to the board (APP= or IMAGE=; PLAN=1 prints)"
