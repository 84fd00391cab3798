/*
 * ascii.h - the byte classes the codecs share: hex digits, ASCII case
 * and UTF-8 lead bytes, independent of the locale (which a static musl
 * program has none of anyway) and of char signedness.
 */
#ifndef ASCII_H
#define ASCII_H

#include <stddef.h>

/* The value of the hex digit c (either case), or -1. */
static inline int
ascii_hexval(unsigned c)
{
	if (c - '0' < 10)
		return (int)(c - '0');
	c |= 0x20;
	if (c - 'a' < 6)
		return (int)(c - 'a' + 10);
	return -1;
}

/* c with A-Z made a-z. */
static inline unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * UTF-8, RFC 3629 section 4: for a lead byte c, the number of
 * continuation bytes and the range of the first one, which rules out
 * overlongs (E0 80..9F, F0 80..8F), the surrogates U+D800-DFFF (ED
 * A0..BF) and code points past U+10FFFF (F4 90..BF); the others are
 * 80..BF. 0 for a byte that cannot lead (ASCII, a continuation, C0, C1,
 * F5 and up). The one UTF-8 table of the codecs: json.c and ws.c.
 */
static inline unsigned
utf8_lead(unsigned c, unsigned *lo, unsigned *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		return 1;
	if (c >= 0xE0 && c <= 0xEF) {
		if (c == 0xE0)
			*lo = 0xA0;
		else if (c == 0xED)
			*hi = 0x9F;
		return 2;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (c == 0xF0)
			*lo = 0x90;
		else if (c == 0xF4)
			*hi = 0x8F;
		return 3;
	}
	return 0;
}

/* The length of the valid multi-byte UTF-8 sequence at p[0..n), or 0
   when it is invalid or cut off by n (or p[0] is ASCII). */
static inline size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned lo, hi, need = utf8_lead(p[0], &lo, &hi), k;

	if (need == 0 || n <= need || p[1] < lo || p[1] > hi)
		return 0;
	for (k = 2; k <= need; k++)
		if (p[k] < 0x80 || p[k] > 0xBF)
			return 0;
	return need + 1;
}

#endif
