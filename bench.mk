# make bench: zoomws against the Node.js client and the BearSSL ceiling,
# on 127.0.0.1, one table on stdout (see bench/run.py). Installs what it
# needs; BENCH_ARGS passes options to bench/run.py (e.g. --quick).

BENCH_ARGS =
BENCH_DIR  = build/bench
# Counted for instructions besides zoomws (see the rules at the end).
BENCH_IR   = $(BENCH_DIR)/json_ir $(BENCH_DIR)/json_ir_portable \
             $(BENCH_DIR)/aarch64/json_ir \
             $(BENCH_DIR)/aarch64/json_ir_portable build/aarch64/zoomws \
             $(BENCH_DIR)/aarch64/ceiling

bench: zoomws $(BENCH_DIR)/firehose $(BENCH_DIR)/ceiling $(BENCH_DIR)/spawn \
       $(BENCH_DIR)/npm.stamp $(BENCH_IR) | deps-bench
	python3 bench/run.py $(BENCH_ARGS)

deps-bench: deps-build
	@./need.sh python3 python3
	@./need.sh openssl openssl
	@./need.sh node nodejs
	@./need.sh npm npm
	@./need.sh valgrind valgrind

# The server: glibc, -O2, one thread per connection; not shipped.
$(BENCH_DIR)/firehose: bench/firehose.c | deps-build
	@mkdir -p $(@D)
	$(HOSTCC) -std=c99 -O2 -Wall -Wextra -Wshadow -I$(BEARSSL_INC) -o $@ \
	    bench/firehose.c $(BEARSSL_LIB) -lpthread

# The ceiling is built like zoomws: static, musl, same flags.
$(BENCH_DIR)/ceiling: bench/ceiling.c fortify.c | deps-build
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ bench/ceiling.c fortify.c \
	    $(BEARSSL_LIB)

# Static and small, so that the peak RSS reported for its child is the
# child's own.
$(BENCH_DIR)/spawn: bench/spawn.c | deps-build
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -D_GNU_SOURCE $(LDFLAGS) -o $@ bench/spawn.c

$(BENCH_DIR)/npm.stamp: bench/package.json bench/package-lock.json | deps-bench
	@mkdir -p $(@D)
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: bench deps-bench

# The JSON work of an event alone (bench/json_ir.c), built as the product
# is, on the path the build takes (SSE2, NEON) and on the portable one:
# its instructions are counted by callgrind here and by qemu-user for
# aarch64 (bench/run.py). build/aarch64/zoomws (cross.mk) and the ceiling
# built for aarch64 are counted too.
BENCH_JSON = bench/json_ir.c json.c json.h scan.h ascii.h

$(BENCH_DIR)/json_ir: $(BENCH_JSON) | deps-build
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CPPFLAGS) -static -o $@ bench/json_ir.c json.c

$(BENCH_DIR)/json_ir_portable: $(BENCH_JSON) | deps-build
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CPPFLAGS) -DJSON_PORTABLE -static -o $@ \
	    bench/json_ir.c json.c

$(BENCH_DIR)/aarch64/json_ir: $(BENCH_JSON) | cross-deps-aarch64
	@mkdir -p $(@D)
	$(call muslcc,aarch64) $(CFLAGS) $(CPPFLAGS) -static -o $@ bench/json_ir.c \
	    json.c

$(BENCH_DIR)/aarch64/json_ir_portable: $(BENCH_JSON) | cross-deps-aarch64
	@mkdir -p $(@D)
	$(call muslcc,aarch64) $(CFLAGS) $(CPPFLAGS) -DJSON_PORTABLE -static -o $@ \
	    bench/json_ir.c json.c

$(BENCH_DIR)/aarch64/ceiling: bench/ceiling.c fortify.c | cross-deps-aarch64
	@mkdir -p $(@D)
	$(call muslcc,aarch64) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ bench/ceiling.c \
	    fortify.c /usr/lib/$(call triplet,aarch64)/libbearssl.a
