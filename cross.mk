# cross.mk - static zoomws for other CPUs, tested under qemu-user.
#
#   make TARGET=aarch64     build/aarch64/zoomws (stripped), the unit tests
#                           build/aarch64/test_* and the fuzz targets as
#                           corpus replayers build/aarch64/fuzz_* (also
#                           TARGET=armhf, TARGET=s390x)
#   make cross              all three targets
#   make test-cross         all three, each run under qemu-user by
#                           tests/cross/run: unit tests, corpus replays, and
#                           the integration suites (tests/it_*.py) against
#                           the simulator running natively
#   make test-cross-aarch64 the same for one target
#   make cross-size         each target's stripped binary size
#
# Everything comes from Debian through apt-get multiarch (tests/cross/deps.sh
# installs it on first use): the cross gcc, musl-dev:ARCH (which ships the
# musl-gcc wrapper for the triplet), libbearssl-dev:ARCH (its libbearssl.a;
# Debian builds it with _FORTIFY_SOURCE, hence fortify.c, as natively) and
# qemu-user-static. The three cover 64-bit little-endian (aarch64), 32-bit
# size_t and long (armhf) and big-endian (s390x); all three have an
# unsigned char, where x86-64 has a signed one; all have a 64-bit time_t
# (musl >= 1.2).

CROSS_TARGETS = aarch64 armhf s390x

# Per target: Debian architecture, GNU triplet (where the cross gcc and
# libbearssl.a live), musl's compiler wrapper, and the QEMU that runs it.
aarch64_DEB    = arm64
aarch64_GNU    = aarch64-linux-gnu
aarch64_MUSLCC = aarch64-linux-musl-gcc
aarch64_QEMU   = qemu-aarch64-static
armhf_DEB      = armhf
armhf_GNU      = arm-linux-gnueabihf
armhf_MUSLCC   = arm-linux-musleabihf-gcc
armhf_QEMU     = qemu-arm-static
s390x_DEB      = s390x
s390x_GNU      = s390x-linux-gnu
s390x_MUSLCC   = s390x-linux-musl-gcc
s390x_QEMU     = qemu-s390x-static

# The product is built as natively, stripped. The unit tests get debug
# info and UBSan in trap mode (no runtime library needed), so a
# misaligned access, an out-of-range shift or a signed overflow that only
# a 32-bit or big-endian target reaches stops the test with SIGILL.
CROSS_LDFLAGS   = $(LDFLAGS) -s
CROSS_TESTFLAGS = -std=c99 -g -O1 -Wall -Wextra -Wshadow \
                  -fstack-protector-strong -fsanitize=undefined \
                  -fsanitize-undefined-trap-on-error

# cross_lib TARGET: the library objects of a target's test builds.
cross_lib = $(patsubst %.c,build/$(1)/lib/%.o,$(LIBSRC) fortify.c)

# cross_rules TARGET: the rules of one target.
define cross_rules
cross-deps-$(1):
	@tests/cross/deps.sh $$($(1)_DEB) $$($(1)_GNU) $$($(1)_MUSLCC) $$($(1)_QEMU)

build/$(1)/zoomws: zoomws.c fortify.c $$(LIBSRC) $$(HDRS) $$(CA_HDR) Makefile cross.mk \
    build/$(1)/libbearssl.a | cross-deps-$(1)
	@mkdir -p $$(@D)
	$$($(1)_MUSLCC) $$(CFLAGS) $$(CPPFLAGS) $$(CA_FLAGS) $$(CROSS_LDFLAGS) -o $$@ \
	    zoomws.c fortify.c $$(LIBSRC) build/$(1)/libbearssl.a

# BearSSL without its unwind tables, for the product (see BEARSSL_PROD).
build/$(1)/libbearssl.a: | cross-deps-$(1)
	@mkdir -p $$(@D)
	$$($(1)_GNU)-objcopy --remove-section=.eh_frame \
	    /usr/lib/$$($(1)_GNU)/libbearssl.a $$@

# The library, once per target, for the unit tests and the replayers.
build/$(1)/lib/%.o: %.c $$(HDRS) cross.mk | cross-deps-$(1)
	@mkdir -p $$(@D)
	$$($(1)_MUSLCC) $$(CROSS_TESTFLAGS) $$(CPPFLAGS) -c -o $$@ $$<

build/$(1)/test_%: tests/test_%.c $$(TESTHDRS) $$(HDRS) $$(call cross_lib,$(1))
	$$($(1)_MUSLCC) $$(CROSS_TESTFLAGS) $$(CPPFLAGS) -I. -static -o $$@ $$< \
	    $$(call cross_lib,$(1)) /usr/lib/$$($(1)_GNU)/libbearssl.a

build/$(1)/fuzz_%: tests/fuzz_%.c tests/cross/replay.c $$(TESTHDRS) $$(HDRS) $$(call cross_lib,$(1))
	$$($(1)_MUSLCC) $$(CROSS_TESTFLAGS) $$(CPPFLAGS) -I. -DREPLAY_NAME='"fuzz_$$*"' \
	    -static -o $$@ $$< tests/cross/replay.c $$(call cross_lib,$(1)) \
	    /usr/lib/$$($(1)_GNU)/libbearssl.a

# QEMU under the name zoomws, for tests/cross/$(1)/zoomws: the process
# then has the name it has on a device.
build/$(1)/qemu/zoomws: | cross-deps-$(1)
	@mkdir -p $$(@D)
	ln -sf "$$$$(command -v $$($(1)_QEMU))" $$@

cross-$(1): build/$(1)/zoomws build/$(1)/qemu/zoomws $$(call cross_lib,$(1)) \
    $$(UNITSRC:tests/%.c=build/$(1)/%) $$(FUZZSRC:tests/%.c=build/$(1)/%)

test-cross-$(1): cross-$(1) deps-test
	python3 tests/cross/run $(1)
endef
$(foreach t,$(CROSS_TARGETS),$(eval $(call cross_rules,$(t))))

# make TARGET=aarch64 builds that target instead of ./zoomws (from the
# command line only: a TARGET in the environment is someone else's).
ifeq ($(origin TARGET),command line)
ifeq ($(filter $(TARGET),$(CROSS_TARGETS)),)
$(error TARGET=$(TARGET): not one of $(CROSS_TARGETS))
endif
.DEFAULT_GOAL := cross-$(TARGET)
endif

cross: $(CROSS_TARGETS:%=cross-%)

# All targets are built first, then tested one after the other: the
# machine's cores go to QEMU, and the suites' timings stay honest.
test-cross: cross deps-test
	python3 tests/cross/run $(CROSS_TARGETS)

cross-size: cross
	@for t in $(CROSS_TARGETS); do \
	    printf '%-8s %8d bytes  build/%s/zoomws\n' $$t \
	        $$(wc -c < build/$$t/zoomws) $$t; done

.PHONY: cross test-cross cross-size $(CROSS_TARGETS:%=cross-%) \
        $(CROSS_TARGETS:%=cross-deps-%) $(CROSS_TARGETS:%=test-cross-%)
