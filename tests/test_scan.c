/*
 * test_scan.c - scan.h, both of the paths it has on this target: the
 * one the build takes (SSE2 on x86-64, NEON on aarch64, the portable
 * path elsewhere and with -DJSON_PORTABLE) and the portable path, built
 * here a second time under other names. Each against a byte-at-a-time
 * reference written from the definitions, and against each other: every
 * byte value at every offset of three blocks, runs ending at every
 * offset, every alignment of the start, copies (nothing written past n),
 * and random mixes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "../scan.h"

/* The build's own path, under names that stay. */
#if defined(SCAN_SSE2)
#define OWN_PATH "sse2"
#elif defined(SCAN_NEON)
#define OWN_PATH "neon"
#else
#define OWN_PATH "portable"
#endif
enum { OWN_BLOCK = SCAN_BLOCK };

static size_t
own_str(const unsigned char *p, size_t n)
{
	return scan_str(p, n);
}

static size_t
own_str_copy(char *d, const unsigned char *p, size_t n)
{
	return scan_str_copy(d, p, n);
}

static size_t
own_ascii(const unsigned char *p, size_t n)
{
	return scan_ascii(p, n);
}

/* The portable path, a second time, byte-order free as -DJSON_PORTABLE
   builds it. */
#undef SCAN_H
#undef SCAN_SSE2
#undef SCAN_NEON
#undef SCAN_BLOCK
#undef SCAN_INLINE
#ifndef JSON_PORTABLE
#define JSON_PORTABLE
#endif
#define scan_is_stop port_is_stop
#define scan_mask port_mask
#define scan_block port_block
#define scan_block_high port_block_high
#define scan_first port_first
#define scan_run port_run
#define scan_str port_str
#define scan_str_copy port_str_copy
#define scan_ascii port_ascii
#include "../scan.h"

#define MAXN 80                 /* five blocks */
#define GUARD 32

/* The definitions, a byte at a time. */
static int
ref_stop(unsigned c)
{
	return c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

static size_t
ref_str(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && !ref_stop(p[i]))
		i++;
	return i;
}

static size_t
ref_ascii(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

/* Every check of one input p[0..n): both paths against the reference,
   copies included. Returns the number of disagreements. */
static int
check(const unsigned char *p, size_t n)
{
	char d1[MAXN + GUARD], d2[MAXN + GUARD];
	size_t r = ref_str(p, n), a, b, i;
	int bad = 0;

	bad += own_str(p, n) != r;
	bad += port_str(p, n) != r;
	bad += own_ascii(p, n) != ref_ascii(p, n);
	bad += port_ascii(p, n) != ref_ascii(p, n);
	memset(d1, 0x5A, sizeof(d1));
	memset(d2, 0x5A, sizeof(d2));
	a = own_str_copy(d1, p, n);
	b = port_str_copy(d2, p, n);
	bad += a != r || b != r;
	bad += memcmp(d1, p, r) != 0 || memcmp(d2, p, r) != 0;
	/* past the run only p's bytes, and nothing at or past n */
	for (i = r; i < n; i++)
		bad += (d1[i] != 0x5A && d1[i] != (char)p[i]) ||
		    (d2[i] != 0x5A && d2[i] != (char)p[i]);
	for (i = n; i < sizeof(d1); i++)
		bad += d1[i] != 0x5A || d2[i] != 0x5A;
	return bad;
}

/* Every byte value at every offset of a plain run, for every length. */
static void
each_byte_each_offset(void)
{
	unsigned char buf[MAXN];
	size_t n, at;
	unsigned c;
	int bad = 0;

	for (n = 0; n <= MAXN; n++) {
		memset(buf, 'a', sizeof(buf));
		bad += check(buf, n);
		for (at = 0; at < n; at++)
			for (c = 0; c < 256; c++) {
				buf[at] = (unsigned char)c;
				bad += check(buf, n);
				buf[at] = 'a';
			}
	}
	CHECK(bad == 0);
}

/* Runs ending at every offset, from every alignment of the start: the
   stop byte falls at each place of a block, and blocks straddle. */
static void
each_alignment(void)
{
	static const unsigned char stops[] = { '"', '\\', 0x00, 0x1F, 0x80,
	    0xC3, 0xFF };
	unsigned char buf[MAXN + 16];
	size_t al, run, k;
	int bad = 0;

	for (al = 0; al < 16; al++)
		for (run = 0; run < MAXN - 1; run++)
			for (k = 0; k < sizeof(stops); k++) {
				memset(buf, ' ', sizeof(buf));
				buf[al + run] = stops[k];
				buf[al + run + 1] = '~';
				bad += check(buf + al, MAXN);
				bad += check(buf + al, run + 1);
				bad += check(buf + al, run);
			}
	CHECK(bad == 0);
}

/* Random mixes, stop bytes rare or common. */
static void
random_mixes(void)
{
	unsigned char buf[MAXN];
	uint32_t x = 12345;
	size_t n, i, round;
	int bad = 0;

	for (round = 0; round < 200000; round++) {
		n = round % (MAXN + 1);
		for (i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (x >> 16) % (round % 7 + 2) == 0 ?
			    (unsigned char)(x >> 8) :
			    (unsigned char)(0x20 + (x >> 9) % 0x5F);
		}
		bad += check(buf, n);
	}
	CHECK(bad == 0);
}

/* The class itself: scan_is_stop of both builds, for every byte. */
static void
stop_class(void)
{
	unsigned c;
	int bad = 0;

	for (c = 0; c < 256; c++)
		bad += port_is_stop(c) != ref_stop(c);
	CHECK(bad == 0);
	CHECK(OWN_BLOCK == 16 || OWN_BLOCK == 8);
}

int
main(void)
{
	t_suite = "scan";
	printf("scan: this build's path: %s, %d-byte blocks\n", OWN_PATH,
	    (int)OWN_BLOCK);
	RUN(stop_class);
	RUN(each_byte_each_offset);
	RUN(each_alignment);
	RUN(random_mixes);
	return t_done();
}
