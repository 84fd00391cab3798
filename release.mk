# release.mk - what users download, in dist/.
#
#   make release      for every target (cross.mk): the archive
#                     zoomws-VERSION-linux-ARCH.tar.gz (pkg/archive) and
#                     the Debian package zoomws_VERSION_DEBARCH.deb
#                     (pkg/deb); then SHA256SUMS over all of them
#   make deb          the Debian packages alone
#   make check-reproducible
#                     make release in two fresh clones of HEAD, in other
#                     directories, one after the other, with other umasks
#                     and time zones: every file must come out the same;
#                     then each archive's binary is checked (static, the
#                     right CPU, --version under qemu-user) and lintian
#                     reads each package (tests/reproducible.py)
#
# Reproducible: the binaries are built with -ffile-prefix-map (Makefile);
# archives and packages hold members sorted by name, owned by root, with
# fixed modes and SOURCE_DATE_EPOCH, the time of the last commit, as every
# mtime; gzip writes no name or time.

DIST = dist
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
# The packages' Maintainer: the author of the last commit, unless set.
DEB_MAINTAINER ?= $(or $(shell git log -1 --format='%an <%ae>' 2>/dev/null),The zoomws authors <zoomws@invalid>)

archive_of = $(DIST)/zoomws-$(VERSION)-linux-$(call arch,$(1)).tar.gz
deb_of     = $(DIST)/zoomws_$(VERSION)_$(call deb,$(1)).deb
ARCHIVES   = $(foreach t,$(TARGETS),$(call archive_of,$(t)))
DEBS       = $(foreach t,$(TARGETS),$(call deb_of,$(t)))
SHIPPED    = zoomws.1 README.md LICENSE .env.example $(wildcard contrib/*)

define release_rules
$(call archive_of,$(1)): build/$(1)/zoomws $$(SHIPPED) pkg/archive
	pkg/archive $$@ build/$(1)/zoomws $$(SOURCE_DATE_EPOCH)

$(call deb_of,$(1)): build/$(1)/zoomws $$(SHIPPED) $$(wildcard pkg/*) | deps-release
	pkg/deb $$@ $(call deb,$(1)) build/$(1)/zoomws $$(VERSION) \
	    $$(SOURCE_DATE_EPOCH) '$$(DEB_MAINTAINER)'
endef
$(foreach t,$(TARGETS),$(eval $(call release_rules,$(t))))

release: $(DIST)/SHA256SUMS

deb: $(DEBS)

$(DIST)/SHA256SUMS: $(ARCHIVES) $(DEBS)
	cd $(DIST) && sha256sum $(sort $(notdir $^)) > SHA256SUMS.tmp
	mv $@.tmp $@

deps-release:
	@./need.sh 'dpkg-deb dpkg'

check-reproducible: deps-qemu
	@./need.sh 'lintian lintian'
	python3 tests/reproducible.py

.PHONY: release deb deps-release check-reproducible
