/*
 * test_dedup.c - --dedup's table: SipHash-2-4 against the reference
 * vectors of its paper (Aumasson and Bernstein, 2012, appendix A), events
 * remembered for the window and no longer, and the table's bound.
 */
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "../dedup.h"

/* Appendix A: key 00 01 .. 0f, message 00 01 .. 0e (15 bytes). */
static void
siphash_vectors(void)
{
	unsigned char k[16], m[64];
	size_t i;

	for (i = 0; i < 16; i++)
		k[i] = (unsigned char)i;
	for (i = 0; i < sizeof(m); i++)
		m[i] = (unsigned char)i;
	CHECK(dedup_siphash(k, m, 15) == 0xa129ca6149be45e5ULL);
	/* the first and the eighth of the 64 published outputs (the
	   messages 00 .. n-1 for n = 0 and 7) */
	CHECK(dedup_siphash(k, m, 0) == 0x726fdb47dd0e0e31ULL);
	CHECK(dedup_siphash(k, m, 7) == 0xab0200f58b01d137ULL);
	CHECK(dedup_siphash(k, m, 8) == 0x93f5f5799a932462ULL);
}

static void
window_and_bound(void)
{
	char ev[64];
	int64_t t = 1000;
	size_t i, dropped;

	dedup_init(500);
	CHECK(dedup_seen("{\"a\":1}", 7, t) == 0);
	CHECK(dedup_seen("{\"a\":1}", 7, t + 100) == 1);
	CHECK(dedup_seen("{\"a\":2}", 7, t + 100) == 0);
	CHECK(dedup_seen("{\"a\":1}", 7, t + 499) == 1);
	/* out of the window: new again, and remembered from then */
	CHECK(dedup_seen("{\"a\":1}", 7, t + 501) == 0);
	CHECK(dedup_seen("{\"a\":1}", 7, t + 600) == 1);
	/* byte-identical only */
	CHECK(dedup_seen("{\"a\": 1}", 8, t + 600) == 0);
	/* many more events than slots in the window: the table stays its
	   size, the newest are remembered, nothing new is taken for old */
	t += 10000;
	for (i = 0; i < 4 * DEDUP_SLOTS; i++) {
		snprintf(ev, sizeof(ev), "{\"n\":%zu}", i);
		CHECK(dedup_seen(ev, strlen(ev), t) == 0);
	}
	for (i = 4 * DEDUP_SLOTS - 100, dropped = 0; i < 4 * DEDUP_SLOTS; i++) {
		snprintf(ev, sizeof(ev), "{\"n\":%zu}", i);
		dropped += dedup_seen(ev, strlen(ev), t + 1);
	}
	CHECK(dropped >= 90);
}

int
main(void)
{
	t_suite = "dedup";
	RUN(siphash_vectors);
	RUN(window_and_bound);
	return t_done();
}
