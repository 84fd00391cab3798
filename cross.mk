# cross.mk - static zoomws for other CPUs, tested under qemu-user.
#
#   make TARGET=armel       build/armel/zoomws (stripped), the unit tests
#                           build/armel/test_* and the fuzz targets as
#                           corpus replayers build/armel/fuzz_*
#   make cross              every target
#   make cross-size         each target's stripped binary size
#   make test-cross         every target but x86_64 (which `make test`
#                           covers), each run under qemu-user by
#                           tests/cross/run: unit tests, corpus replays,
#                           and the integration suites (tests/it_*.py)
#                           against the simulator running natively;
#                           CROSS_TARGETS='aarch64 s390x' for some
#   make test-cross-armel   the same for one target
#
# Everything comes from Debian through apt-get multiarch (tests/cross/deps.sh
# installs it on first use): the cross gcc, musl-dev:ARCH (which ships the
# musl-gcc wrapper for the triplet) and libbearssl-dev:ARCH (its
# libbearssl.a; Debian builds it with _FORTIFY_SOURCE, hence fortify.c, as
# natively); qemu-user-static for the tests. Every target has a 64-bit
# time_t (musl >= 1.2). Between them they cover 32-bit size_t and long
# (armhf, armel, i386, mipsel), big-endian (s390x) and an unsigned char
# (the ARMs, s390x, ppc64el), where x86-64 has a signed one.

# One line per target: its Debian architecture; the multiarch triplet
# (where libbearssl.a is); the triplet of the cross gcc and binutils; musl's
# gcc wrapper; and the name in release files, what `uname -m` says or the
# name people look for.
#                 Debian   multiarch               cross gcc               musl gcc                    release
TARGET_x86_64   = amd64    x86_64-linux-gnu        x86_64-linux-gnu        x86_64-linux-musl-gcc       x86_64
TARGET_aarch64  = arm64    aarch64-linux-gnu       aarch64-linux-gnu       aarch64-linux-musl-gcc      aarch64
TARGET_armhf    = armhf    arm-linux-gnueabihf     arm-linux-gnueabihf     arm-linux-musleabihf-gcc    armv7
TARGET_armel    = armel    arm-linux-gnueabi       arm-linux-gnueabi       arm-linux-musleabi-gcc      armv5
TARGET_i386     = i386     i386-linux-gnu          i686-linux-gnu          i386-linux-musl-gcc         i686
TARGET_mipsel   = mipsel   mipsel-linux-gnu        mipsel-linux-gnu        mipsel-linux-musl-gcc       mipsel
TARGET_mips64el = mips64el mips64el-linux-gnuabi64 mips64el-linux-gnuabi64 mips64el-linux-musl-gcc     mips64el
TARGET_ppc64el  = ppc64el  powerpc64le-linux-gnu   powerpc64le-linux-gnu   powerpc64le-linux-musl-gcc  ppc64le
TARGET_s390x    = s390x    s390x-linux-gnu         s390x-linux-gnu         s390x-linux-musl-gcc        s390x

# The CPUs each runs on (Debian's baseline for the architecture), for
# `zoomws --version`.
CPU_x86_64   = x86-64
CPU_aarch64  = ARMv8-A
CPU_armhf    = ARMv7-A, hard float
CPU_armel    = ARMv5TE and newer, soft float
CPU_i386     = i686, no SSE
CPU_mipsel   = MIPS32r2, FPU or not
CPU_mips64el = MIPS64r2
CPU_ppc64el  = POWER8, little-endian
CPU_s390x    = z/Architecture, big-endian

TARGETS       = x86_64 aarch64 armhf armel i386 mipsel mips64el ppc64el s390x
CROSS_TARGETS = $(filter-out x86_64,$(TARGETS))

# The columns: $(call deb,TARGET) and so on.
deb       = $(word 1,$(TARGET_$(1)))
triplet   = $(word 2,$(TARGET_$(1)))
tools     = $(word 3,$(TARGET_$(1)))
muslcc    = $(word 4,$(TARGET_$(1)))
arch      = $(word 5,$(TARGET_$(1)))
# For the link's --version text (Makefile): a target's name and CPU, and
# the libbearssl.a Debian ships for it; the machine's own for a native
# build on a CPU that is not in the table.
target_text    = $(if $(TARGET_$(1)),linux-$(call arch,$(1)) ($(call deb,$(1)): $(CPU_$(1))),linux-$(1))
target_bearssl = $(if $(TARGET_$(1)),/usr/lib/$(call triplet,$(1))/libbearssl.a,$(BEARSSL_LIB))

# The unit tests get debug info and UBSan in trap mode (no runtime library
# needed), so a misaligned access, an out-of-range shift or a signed
# overflow that only a 32-bit or big-endian target reaches stops the test
# with SIGILL.
CROSS_TESTFLAGS = -std=c99 -g -O1 -Wall -Wextra -Wshadow \
                  -fstack-protector-strong -fsanitize=undefined \
                  -fsanitize-undefined-trap-on-error

# cross_lib TARGET: the library objects of a target's test builds, with
# the product's malloc (alloc.c), so that it runs on every target too.
cross_lib = $(patsubst %.c,build/$(1)/lib/%.o,$(LIBSRC) fortify.c alloc.c)

# cross_rules TARGET: the rules of one target.
define cross_rules
cross-deps-$(1):
	@tests/cross/deps.sh $(call deb,$(1)) $(call triplet,$(1)) $(call tools,$(1)) $(call muslcc,$(1))

# The product, linked as ./zoomws is (Makefile).
build/$(1)/zoomws: $$(PRODUCT) build/$(1)/libbearssl.a | cross-deps-$(1)
	$$(call link,$(call muslcc,$(1)),build/$(1)/libbearssl.a,$(1))

# BearSSL without its unwind tables, for the product (see BEARSSL_PROD).
build/$(1)/libbearssl.a: | cross-deps-$(1)
	@mkdir -p $$(@D)
	$(call tools,$(1))-objcopy --remove-section=.eh_frame \
	    /usr/lib/$(call triplet,$(1))/libbearssl.a $$@

# The library, once per target, for the unit tests and the replayers.
build/$(1)/lib/%.o: %.c $$(HDRS) cross.mk | cross-deps-$(1)
	@mkdir -p $$(@D)
	$(call muslcc,$(1)) $$(CROSS_TESTFLAGS) $$(CPPFLAGS) -c -o $$@ $$<

build/$(1)/test_%: tests/test_%.c $$(TESTHDRS) $$(HDRS) $$(call cross_lib,$(1))
	$(call muslcc,$(1)) $$(CROSS_TESTFLAGS) $$(CPPFLAGS) -I. -static -o $$@ $$< \
	    $$(call cross_lib,$(1)) /usr/lib/$(call triplet,$(1))/libbearssl.a

build/$(1)/fuzz_%: tests/fuzz_%.c tests/cross/replay.c $$(TESTHDRS) $$(HDRS) $$(call cross_lib,$(1))
	$(call muslcc,$(1)) $$(CROSS_TESTFLAGS) $$(CPPFLAGS) -I. -DREPLAY_NAME='"fuzz_$$*"' \
	    -static -o $$@ $$< tests/cross/replay.c $$(call cross_lib,$(1)) \
	    /usr/lib/$(call triplet,$(1))/libbearssl.a

cross-$(1): build/$(1)/zoomws $$(call cross_lib,$(1)) \
    $$(UNITSRC:tests/%.c=build/$(1)/%) $$(FUZZSRC:tests/%.c=build/$(1)/%)

test-cross-$(1): cross-$(1) deps-test deps-qemu
	python3 tests/cross/run $(1)
endef
$(foreach t,$(TARGETS),$(eval $(call cross_rules,$(t))))

# make TARGET=armel builds that target instead of ./zoomws (from the
# command line only: a TARGET in the environment is someone else's).
ifeq ($(origin TARGET),command line)
ifeq ($(filter $(TARGET),$(TARGETS)),)
$(error TARGET=$(TARGET): not one of $(TARGETS))
endif
.DEFAULT_GOAL := cross-$(TARGET)
endif

deps-qemu:
	@./need.sh 'qemu-arm-static qemu-user-static'

cross: $(TARGETS:%=cross-%)

# All targets are built first, then tested one after the other: the
# machine's cores go to QEMU, and the suites' timings stay honest.
test-cross: $(CROSS_TARGETS:%=cross-%) deps-test deps-qemu
	python3 tests/cross/run $(CROSS_TARGETS)

cross-size: $(TARGETS:%=build/%/zoomws)
	@for t in $(TARGETS); do \
	    printf '%-9s %8d bytes  build/%s/zoomws\n' $$t \
	        $$(wc -c < build/$$t/zoomws) $$t; done

.PHONY: cross test-cross cross-size deps-qemu $(TARGETS:%=cross-%) \
        $(TARGETS:%=cross-deps-%) $(TARGETS:%=test-cross-%)
