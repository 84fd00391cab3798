# zoomws - Zoom WebSocket events to NDJSON.
# `make` builds the static binary, `make test` runs every test, `make demo`
# runs zoomws against the bundled simulator; each installs what is missing
# and says so in one line. `make help` lists the rest. Other CPUs are in
# cross.mk, the release files and packages in release.mk.

VERSION  = 0.2.0
PREFIX   = /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man

CC       = musl-gcc
# -flto: the program is many small files; optimising them as one lets
# the compiler drop and share what no single file could (some 3 KiB).
# -fno-pie: the static binary is linked at a fixed address (not
# static-pie), so position-independent code would only cost size.
# -ffile-prefix-map: no path of this directory in the binary, so that two
# checkouts build the same bytes.
CFLAGS   = -std=c99 -Os -Wall -Wextra -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -fstack-protector-strong \
           -ffunction-sections -fdata-sections -flto=auto -fno-pie \
           -fno-asynchronous-unwind-tables -fno-unwind-tables \
           -ffile-prefix-map=$(CURDIR)/=
CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           -DZOOMWS_VERSION='"$(VERSION)"' -I$(BEARSSL_INC)
# -z norelro: in a static musl program nothing applies PT_GNU_RELRO (no
# dynamic loader runs), and aligning its end pads the file to a page:
# up to 64 KiB on aarch64. -z common-page-size=64: the data segment then
# follows the code in the file (its offset only has to match its address
# modulo the page size) instead of starting on a page of its own: up to
# 4 KiB of padding fewer.
LDFLAGS  = -static -no-pie -s -Wl,--gc-sections -Wl,-z,noseparate-code \
           -Wl,-z,norelro -Wl,-z,common-page-size=64

MULTIARCH   != gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu
NATIVE      != uname -m
BEARSSL_INC = /usr/include/bearssl
BEARSSL_LIB = /usr/lib/$(MULTIARCH)/libbearssl.a
# The product links a copy without .eh_frame: Debian builds BearSSL with
# unwind tables, which nothing in this C program reads (no exceptions, no
# backtraces; our own code is built without them): 10 KiB of the binary.
BEARSSL_PROD = build/lib/libbearssl.a

# Every .c at the top level is library but the program and the two files
# that stand in for parts of musl in the product: fortify.c (the checks
# Debian's libbearssl.a calls) and alloc.c (malloc; the host test builds
# keep glibc's, and ASan's).
LIBSRC  = $(filter-out zoomws.c fortify.c alloc.c,$(sort $(wildcard *.c)))
SRC     = zoomws.c fortify.c alloc.c $(LIBSRC)
HDRS    = $(wildcard *.h)
UNITSRC = $(sort $(wildcard tests/test_*.c))
FUZZSRC = $(sort $(wildcard tests/fuzz_*.c))
TESTHDRS = $(wildcard tests/*.h)
UNITS   = $(UNITSRC:tests/%.c=build/unit/%)
AUNITS  = $(filter-out build/asan/test_alloc,$(UNITSRC:tests/%.c=build/asan/%))
FUZZERS = $(FUZZSRC:tests/%.c=build/fuzz/%)

# Host builds for tests: glibc, debug info; ASan+UBSan with clang.
HOSTCC     = gcc
HOSTCFLAGS = -std=c99 -g -O1 -Wall -Wextra -Wshadow
ASANCC     = clang
ASANFLAGS  = -std=c99 -g -O1 -Wall -Wextra -fno-omit-frame-pointer \
             -fsanitize=address,undefined -fno-sanitize-recover=all

# make CA_BUNDLE=file.pem: those CAs are compiled in, for hosts without a
# bundle; used when neither --ca-file, SSL_CERT_FILE nor a system bundle is.
CA_BUNDLE =
CA_FLAGS  = $(if $(CA_BUNDLE),-DZOOMWS_BUILTIN_CA -Ibuild/ca,)
CA_HDR    = $(if $(CA_BUNDLE),build/ca/ca_builtin.h,)

# What `zoomws --version` says besides the version (version.c): the
# target (cross.mk's table names the CPU), the commit, with -dirty when
# the work tree differs from it, and the BearSSL package linked in.
# ZOOMWS_CPU, the CPU of --metrics' build_info, is the target's name in
# release files.
COMMIT != c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || c=unknown; \
          [ $$c = unknown ] || git diff --quiet HEAD -- 2>/dev/null || \
          c=$$c-dirty; echo $$c
bearssl_version = $(or $(shell p=$$(dpkg-query -S $(1) 2>/dev/null | cut -d: -f1,2) && \
    v=$$(dpkg-query -W -f='$${Version}' "$$p" 2>/dev/null) && echo "$$v ($$p)"),unknown)
version_flags = -DVERSION_TARGET='"$(call target_text,$(1))"' \
    -DZOOMWS_CPU='"$(or $(call arch,$(1)),$(1))"' \
    -DVERSION_COMMIT='"$(COMMIT)"' \
    -DVERSION_BEARSSL='"$(call bearssl_version,$(call target_bearssl,$(1)))"'

# The product, one link for ./zoomws, build/zoomws-ca and each target's
# build/TARGET/zoomws (cross.mk): every source in one compiler run.
#   $(call link,COMPILER,LIBBEARSSL,TARGET)
link = $(1) $(CFLAGS) $(CPPFLAGS) $(CA_FLAGS) $(call version_flags,$(3)) \
       $(LDFLAGS) -o $@ $(SRC) $(2)
PRODUCT = $(SRC) $(HDRS) $(CA_HDR) build/commit Makefile cross.mk

# What each step needs, for need.sh: 'COMMAND-OR-PATH PACKAGE...'. The
# fuzzer runtime's path is asked of clang (when clang is missing, the path
# is too, and both are installed).
DEPS_BUILD = 'musl-gcc musl-tools musl-dev' '$(BEARSSL_LIB) libbearssl-dev' \
             'objcopy binutils'
DEPS_DEMO  = 'python3 python3' 'openssl openssl'
FUZZER_LIB = $(shell clang --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(NATIVE).a
DEPS_TEST  = $(DEPS_DEMO) 'clang clang' '$(FUZZER_LIB) libclang-rt-dev' \
             'node nodejs' 'npm npm' 'tinyproxy tinyproxy' \
             'shellcheck shellcheck' 'systemd-analyze systemd' \
             'busybox busybox' 'mandoc mandoc' '/sbin/start-stop-daemon dpkg' \
             '/usr/sbin/logrotate logrotate' 'promtool prometheus' \
             'etcd etcd-server' 'etcdctl etcd-client' \
             'dpkg-deb dpkg' 'lintian lintian' 'man man-db' \
             '/usr/sbin/adduser adduser'

all: zoomws

deps-build:
	@./need.sh $(DEPS_BUILD)

deps-demo:
	@./need.sh $(DEPS_BUILD) $(DEPS_DEMO)

deps-test:
	@./need.sh $(DEPS_BUILD) $(DEPS_TEST)

zoomws build/zoomws-ca: $(PRODUCT) $(BEARSSL_PROD) | deps-build
	@mkdir -p $(@D)
	$(call link,$(CC),$(BEARSSL_PROD),$(NATIVE))

# The same with CAs built in, for tests: make CA_BUNDLE=x.pem build/zoomws-ca
ifneq ($(filter build/zoomws-ca,$(MAKECMDGOALS)),)
ifeq ($(CA_BUNDLE),)
$(error build/zoomws-ca needs CA_BUNDLE=file.pem)
endif
endif

$(BEARSSL_PROD): | deps-build
	@mkdir -p $(@D)
	objcopy --remove-section=.eh_frame $(BEARSSL_LIB) $@

build/ca/ca_builtin.h: $(CA_BUNDLE)
	@mkdir -p $(@D)
	@grep -q 'BEGIN CERTIFICATE' $(CA_BUNDLE) || \
	    { echo "CA_BUNDLE=$(CA_BUNDLE) holds no certificate"; exit 1; }
	{ echo 'static const char zoomws_builtin_ca[] ='; \
	  tr -d '\r' < $(CA_BUNDLE) | sed -e 's/[\\"]/\\&/g' -e 's/^/"/' -e 's/$$/\\n"/'; \
	  echo ';'; } > $@

# The commit, rewritten only when it changes: a new commit relinks the
# product, whose --version names it, and nothing else.
build/commit: FORCE
	@mkdir -p $(@D)
	@echo $(COMMIT) > $@.new; if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# The library is compiled once for each kind of test build (plain,
# ASan+UBSan, libFuzzer) into an archive; each test links from it what it
# uses.
obj = $(LIBSRC:%.c=build/obj/$(1)/%.o)

build/obj/host/%.o: %.c $(HDRS) | deps-build
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) $(CPPFLAGS) -c -o $@ $<

build/obj/asan/%.o: %.c $(HDRS) | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) $(CPPFLAGS) -c -o $@ $<

build/obj/fuzz/%.o: %.c $(HDRS) | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) -fsanitize=fuzzer-no-link $(CPPFLAGS) -c -o $@ $<

build/obj/host.a: $(call obj,host)
	@rm -f $@
	ar rcs $@ $^

build/obj/asan.a: $(call obj,asan)
	@rm -f $@
	ar rcs $@ $^

build/obj/fuzz.a: $(call obj,fuzz)
	@rm -f $@
	ar rcs $@ $^

build/unit/%: tests/%.c $(TESTHDRS) $(HDRS) build/obj/host.a | deps-build
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) $(CPPFLAGS) -I. -o $@ $< build/obj/host.a \
	    $(BEARSSL_LIB)

# alloc.c is tested as the product uses it: static, with musl (ASan has a
# malloc of its own, so there is no build/asan/test_alloc).
build/unit/test_alloc: tests/test_alloc.c tests/t.h alloc.c | deps-build
	@mkdir -p $(@D)
	$(CC) $(HOSTCFLAGS) $(CPPFLAGS) -Itests -static -o $@ tests/test_alloc.c \
	    alloc.c

# json.c without its little-endian word tricks, the path big-endian
# targets run: tested on this machine too, not only under QEMU.
# (json.c's own object comes first: the archive's is then not linked.)
build/unit/test_json_portable: tests/test_json.c $(TESTHDRS) json.c $(HDRS) \
    build/obj/host.a | deps-build
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) $(CPPFLAGS) -DJSON_PORTABLE -I. -o $@ $< json.c \
	    build/obj/host.a $(BEARSSL_LIB)

build/asan/%: tests/%.c $(TESTHDRS) $(HDRS) build/obj/asan.a | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) $(CPPFLAGS) -I. -o $@ $< build/obj/asan.a \
	    $(BEARSSL_LIB)

build/asan/zoomws: zoomws.c $(HDRS) build/obj/asan.a | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) $(CPPFLAGS) -o $@ zoomws.c build/obj/asan.a \
	    $(BEARSSL_LIB)

build/fuzz/%: tests/%.c $(TESTHDRS) $(HDRS) build/obj/fuzz.a | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) -fsanitize=fuzzer $(CPPFLAGS) -I. -o $@ $< \
	    build/obj/fuzz.a $(BEARSSL_LIB)

units: $(UNITS) $(AUNITS) build/unit/test_json_portable

test: deps-test zoomws $(UNITS) $(AUNITS) build/unit/test_json_portable \
      build/asan/zoomws $(FUZZERS)
	python3 tests/run

# A long run: 10,000 reconnects and 1,000,000 events (CYCLES, EVENTS).
soak: deps-test zoomws build/asan/zoomws
	python3 tests/soak.py

# Each fuzz target for FUZZ_SECONDS (tests/run has the default) from its
# seed corpus, kept under tests/corpus/NAME; new inputs go to
# build/fuzz/corpus-NAME. make fuzz FUZZ_SECONDS=600 for a longer run.
fuzz: $(FUZZERS)
	python3 tests/run build/fuzz/

demo: deps-demo zoomws
	python3 tests/demo.py

run: zoomws
	@[ -f .env ] || { echo "make run: no .env here; copy .env.example to .env and fill it in"; exit 78; }
	./zoomws --env-file .env

install: zoomws
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp zoomws $(DESTDIR)$(BINDIR)/zoomws
	chmod 755 $(DESTDIR)$(BINDIR)/zoomws
	cp zoomws.1 $(DESTDIR)$(MANDIR)/man1/zoomws.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/zoomws.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/zoomws $(DESTDIR)$(MANDIR)/man1/zoomws.1

clean:
	rm -rf zoomws build dist

include cross.mk
include release.mk
-include bench.mk

help:
	@echo "make               build ./zoomws (static, musl + BearSSL), installing what is missing"
	@echo "make test          every test: unit, ASan/UBSan, fuzz, integration, interop, the .deb"
	@echo "make demo          zoomws against the bundled Zoom simulator"
	@echo "make run           zoomws with ./.env against Zoom"
	@echo "make install       ./zoomws and zoomws.1 to DESTDIR/PREFIX (/usr/local); make uninstall"
	@echo "make units         build the unit tests, plain and under ASan/UBSan"
	@echo "make fuzz          each libFuzzer target for FUZZ_SECONDS (default 5)"
	@echo "make soak          10,000 reconnects and 1,000,000 events, memory and fds"
	@echo "make bench         zoomws against Node.js + ws and a bare BearSSL client (one table)"
	@echo "make TARGET=T      build/T/zoomws for another CPU, with its unit tests; T one of"
	@echo "                   $(TARGETS)"
	@echo "make cross         all of them"
	@echo "make cross-size    each target's stripped binary size"
	@echo "make test-cross    the tests of every target under qemu-user (CROSS_TARGETS='...'"
	@echo "                   for some); make test-cross-T for one"
	@echo "make release       dist/: an archive and a .deb per target, SHA256SUMS"
	@echo "make deb           dist/zoomws_$(VERSION)_ARCH.deb for every target"
	@echo "make check-reproducible  make release in two clones; the files must be identical"
	@echo "make clean         remove build/, dist/ and ./zoomws"
	@echo "Variables: PREFIX, DESTDIR, CA_BUNDLE=file.pem (CAs built in), FUZZ_SECONDS,"
	@echo "CROSS_TARGETS, SOURCE_DATE_EPOCH (default: the last commit's time), DEB_MAINTAINER"

FORCE:

.PHONY: all deps-build deps-demo deps-test units test soak fuzz demo run \
        install uninstall clean help FORCE
