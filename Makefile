# zoomws - Zoom WebSocket events to NDJSON.
# `make` builds the static binary; `make test` runs every test; `make demo`
# runs it against the bundled simulator; `make help` lists the rest.

VERSION  = 0.1.0
PREFIX   = /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man

CC       = musl-gcc
# -flto: the program is many small files; optimising them as one lets
# the compiler drop and share what no single file could (some 3 KiB).
# -fno-pie: the static binary is linked at a fixed address (not
# static-pie), so position-independent code would only cost size.
CFLAGS   = -std=c99 -Os -Wall -Wextra -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -fstack-protector-strong \
           -ffunction-sections -fdata-sections -flto=auto -fno-pie \
           -fno-asynchronous-unwind-tables -fno-unwind-tables
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
BEARSSL_INC = /usr/include/bearssl
BEARSSL_LIB = /usr/lib/$(MULTIARCH)/libbearssl.a
# The product links a copy without .eh_frame: Debian builds BearSSL with
# unwind tables, which nothing in this C program reads (no exceptions, no
# backtraces; our own code is built without them): 10 KiB of the binary.
BEARSSL_PROD = build/lib/libbearssl.a

# Every .c at the top level but the program and the musl shims is library.
LIBSRC  = $(filter-out zoomws.c fortify.c,$(sort $(wildcard *.c)))
HDRS    = $(wildcard *.h)
UNITSRC = $(sort $(wildcard tests/test_*.c))
FUZZSRC = $(sort $(wildcard tests/fuzz_*.c))
TESTHDRS = $(wildcard tests/*.h)
UNITS   = $(UNITSRC:tests/%.c=build/unit/%)
AUNITS  = $(UNITSRC:tests/%.c=build/asan/%)
FUZZERS = $(FUZZSRC:tests/%.c=build/fuzz/%)

# Host builds for tests: glibc, debug info; ASan+UBSan with clang.
HOSTCC     = gcc
HOSTCFLAGS = -std=c99 -g -O1 -Wall -Wextra -Wshadow
ASANCC     = clang
ASANFLAGS  = -std=c99 -g -O1 -Wall -Wextra -fno-omit-frame-pointer \
             -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS = 10

# make CA_BUNDLE=file.pem: those CAs are compiled in, for hosts without a
# bundle; used when neither --ca-file, SSL_CERT_FILE nor a system bundle is.
CA_BUNDLE =
CA_FLAGS  = $(if $(CA_BUNDLE),-DZOOMWS_BUILTIN_CA -Ibuild/ca,)
CA_HDR    = $(if $(CA_BUNDLE),build/ca/ca_builtin.h,)

all: zoomws

deps-build:
	@./need.sh musl-gcc musl-tools musl-dev
	@./need.sh $(BEARSSL_LIB) libbearssl-dev
	@./need.sh objcopy binutils

deps-test: deps-build
	@./need.sh clang clang
	@./need.sh /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
	@./need.sh python3 python3
	@./need.sh openssl openssl
	@./need.sh node nodejs
	@./need.sh npm npm
	@./need.sh tinyproxy tinyproxy
	@./need.sh shellcheck shellcheck
	@./need.sh systemd-analyze systemd
	@./need.sh busybox busybox
	@./need.sh mandoc mandoc
	@./need.sh /sbin/start-stop-daemon dpkg
	@./need.sh /usr/sbin/logrotate logrotate
	@./need.sh promtool prometheus
	@./need.sh etcd etcd-server
	@./need.sh etcdctl etcd-client

zoomws: zoomws.c fortify.c $(LIBSRC) $(HDRS) $(CA_HDR) $(BEARSSL_PROD) Makefile | deps-build
	$(CC) $(CFLAGS) $(CPPFLAGS) $(CA_FLAGS) $(LDFLAGS) -o $@ zoomws.c \
	    fortify.c $(LIBSRC) $(BEARSSL_PROD)

# The same with CAs built in, for tests: make CA_BUNDLE=x.pem build/zoomws-ca
build/zoomws-ca: zoomws.c fortify.c $(LIBSRC) $(HDRS) $(CA_HDR) $(BEARSSL_PROD) | deps-build
	@[ -n "$(CA_BUNDLE)" ] || { echo "build/zoomws-ca needs CA_BUNDLE=file.pem"; exit 1; }
	$(CC) $(CFLAGS) $(CPPFLAGS) $(CA_FLAGS) $(LDFLAGS) -o $@ zoomws.c \
	    fortify.c $(LIBSRC) $(BEARSSL_PROD)

$(BEARSSL_PROD): $(BEARSSL_LIB) | deps-build
	@mkdir -p $(@D)
	objcopy --remove-section=.eh_frame $(BEARSSL_LIB) $@

build/ca/ca_builtin.h: $(CA_BUNDLE)
	@mkdir -p $(@D)
	@grep -q 'BEGIN CERTIFICATE' $(CA_BUNDLE) || \
	    { echo "CA_BUNDLE=$(CA_BUNDLE) holds no certificate"; exit 1; }
	{ echo 'static const char zoomws_builtin_ca[] ='; \
	  tr -d '\r' < $(CA_BUNDLE) | sed -e 's/[\\"]/\\&/g' -e 's/^/"/' -e 's/$$/\\n"/'; \
	  echo ';'; } > $@

build/unit/%: tests/%.c $(TESTHDRS) $(LIBSRC) $(HDRS) | deps-build
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) $(CPPFLAGS) -I. -o $@ $< $(LIBSRC) $(BEARSSL_LIB)

# json.c without its little-endian word tricks, the path big-endian
# targets run: tested on this machine too, not only under QEMU.
build/unit/test_json_portable: tests/test_json.c $(TESTHDRS) $(LIBSRC) $(HDRS) | deps-build
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) $(CPPFLAGS) -DJSON_PORTABLE -I. -o $@ $< \
	    $(LIBSRC) $(BEARSSL_LIB)

build/asan/%: tests/%.c $(TESTHDRS) $(LIBSRC) $(HDRS) | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) $(CPPFLAGS) -I. -o $@ $< $(LIBSRC) $(BEARSSL_LIB)

build/asan/zoomws: zoomws.c $(LIBSRC) $(HDRS) | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) $(CPPFLAGS) -o $@ zoomws.c $(LIBSRC) $(BEARSSL_LIB)

build/fuzz/%: tests/%.c $(TESTHDRS) $(LIBSRC) $(HDRS) | deps-test
	@mkdir -p $(@D)
	$(ASANCC) $(ASANFLAGS) -fsanitize=fuzzer $(CPPFLAGS) -I. -o $@ $< \
	    $(LIBSRC) $(BEARSSL_LIB)

units: $(UNITS) $(AUNITS) build/unit/test_json_portable

test: deps-test zoomws $(UNITS) $(AUNITS) build/unit/test_json_portable \
      build/asan/zoomws $(FUZZERS)
	python3 tests/run

# A long run: 10,000 reconnects and 1,000,000 events (CYCLES, EVENTS).
soak: deps-test zoomws build/asan/zoomws
	python3 tests/soak.py

# Each fuzz target runs FUZZ_SECONDS from its seed corpus, kept under
# tests/corpus/NAME; new inputs go to build/fuzz/corpus-NAME.
fuzz: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do \
	    n=$${f#build/fuzz/fuzz_}; mkdir -p build/fuzz/corpus-$$n; \
	    echo "fuzz $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        build/fuzz/corpus-$$n tests/corpus/$$n 2>&1 | \
	        grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' || true; \
	    [ -z "$$(ls build/fuzz/crash-* 2>/dev/null)" ] || exit 1; \
	done

demo: deps-test zoomws
	python3 tests/demo.py

run: zoomws
	@[ -f .env ] || { echo "make run: no .env here; copy .env.example to .env and fill it in"; exit 78; }
	./zoomws --env-file .env

install: zoomws
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp zoomws $(DESTDIR)$(BINDIR)/zoomws
	chmod 755 $(DESTDIR)$(BINDIR)/zoomws
	[ ! -f zoomws.1 ] || cp zoomws.1 $(DESTDIR)$(MANDIR)/man1/zoomws.1

clean:
	rm -rf zoomws build

-include cross.mk
-include bench.mk

help:
	@echo "make          build ./zoomws (static, musl + BearSSL)"
	@echo "make test     every test: unit, ASan/UBSan, integration, interop"
	@echo "make demo     zoomws against the bundled Zoom simulator"
	@echo "make run      zoomws with ./.env against Zoom"
	@echo "make fuzz     each libFuzzer target for FUZZ_SECONDS"
	@echo "make bench    zoomws against Node.js + ws and a bare BearSSL client (one table)"
	@echo "make soak     10,000 reconnects and 1,000,000 events, memory and fds"
	@echo "make install  to DESTDIR/PREFIX/bin"

.PHONY: all deps-build deps-test units test soak fuzz demo run install clean help
