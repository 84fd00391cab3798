/*
 * scan.h - find the next byte of a class in a run: the one place in
 * zoomws with vector code.
 *
 * Each scan has three paths, chosen when it is compiled, never at run
 * time: SSE2 on x86-64 and NEON on (little-endian) aarch64, both part
 * of the baseline instruction set there, 16 bytes at a time; and the
 * portable path, eight bytes at a time in a 64-bit word, which every
 * other target takes and which is the reference the vector paths are
 * tested against (tests/test_scan.c, tests/fuzz_json_diff.c).
 * -DJSON_PORTABLE builds the portable path on any target, without its
 * little-endian shortcut either: the path big-endian targets run.
 *
 * The functions are static inline: they run in the innermost loops of
 * json.c, where a call would cost more than a short scan.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(JSON_PORTABLE) && defined(__x86_64__) && defined(__SSE2__)
#define SCAN_SSE2
#include <emmintrin.h>
#elif !defined(JSON_PORTABLE) && defined(__aarch64__) && \
    defined(__ARM_NEON) && defined(__AARCH64EL__)
#define SCAN_NEON
#include <arm_neon.h>
#endif

#if defined(__GNUC__)
#define SCAN_INLINE static inline __attribute__((always_inline))
#else
#define SCAN_INLINE static inline
#endif

/*
 * The class the scans look for: the bytes that a JSON string cannot
 * hold as they are ('"', '\\', the controls below 0x20) and those that
 * start or continue a multi-byte UTF-8 sequence (0x80 and up), which
 * need a closer look. Every other byte (0x20-0x7F but '"' and '\\')
 * stands for itself in a string.
 */
SCAN_INLINE int
scan_is_stop(unsigned c)
{
	return c - 0x20u >= 0x60 || c == '"' || c == '\\';
}

/*
 * A block of SCAN_BLOCK bytes at a time. scan_block(d, p, copy): the stop
 * bytes of p[0..SCAN_BLOCK) as a mask, nonzero when there is one; with
 * copy, the block is written to d as well. scan_first(m, p): the index
 * in the block of the first stop byte, m being its nonzero mask.
 */
#if defined(SCAN_SSE2)
#define SCAN_BLOCK 16
typedef unsigned scan_mask;     /* bit k: byte k is a stop byte */

SCAN_INLINE scan_mask
scan_block(char *d, const unsigned char *p, int copy)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	__m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
	/* signed: 0x20-0x7F, neither a control nor 0x80-0xFF */
	__m128i a = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F));

	if (copy)
		_mm_storeu_si128((__m128i *)(void *)d, v);
	/* the plain bytes, found as such (one instruction fewer), then
	   turned round */
	return (scan_mask)_mm_movemask_epi8(_mm_andnot_si128(
	    _mm_or_si128(q, b), a)) ^ 0xFFFFu;
}

/* The bytes of p[0..SCAN_BLOCK) that are 0x80 and up, as scan_block's
   mask. */
SCAN_INLINE scan_mask
scan_block_high(const unsigned char *p)
{
	return (scan_mask)_mm_movemask_epi8(_mm_loadu_si128(
	    (const __m128i *)(const void *)p));
}

SCAN_INLINE size_t
scan_first(scan_mask m, const unsigned char *p)
{
	(void)p;
	return (unsigned)__builtin_ctz(m);
}
#elif defined(SCAN_NEON)
#define SCAN_BLOCK 16
typedef uint64_t scan_mask;     /* bits 4k..4k+3: byte k is a stop byte */

SCAN_INLINE scan_mask
scan_block(char *d, const unsigned char *p, int copy)
{
	uint8x16_t v = vld1q_u8(p);
	uint8x16_t q = vceqq_u8(v, vdupq_n_u8('"'));
	uint8x16_t b = vceqq_u8(v, vdupq_n_u8('\\'));
	/* signed: the controls and 0x80-0xFF together */
	uint8x16_t c = vcltq_s8(vreinterpretq_s8_u8(v), vdupq_n_s8(0x20));
	uint8x16_t m = vorrq_u8(vorrq_u8(q, b), c);

	if (copy)
		vst1q_u8((uint8_t *)(void *)d, v);
	/* the narrowing shift keeps four bits of each byte's flag */
	return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(
	    vreinterpretq_u16_u8(m), 4)), 0);
}

SCAN_INLINE scan_mask
scan_block_high(const unsigned char *p)
{
	uint8x16_t h = vcltq_s8(vreinterpretq_s8_u8(vld1q_u8(p)),
	    vdupq_n_s8(0));

	return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(
	    vreinterpretq_u16_u8(h), 4)), 0);
}

SCAN_INLINE size_t
scan_first(scan_mask m, const unsigned char *p)
{
	(void)p;
	return (unsigned)__builtin_ctzll(m) >> 2;
}
#else
/* The portable path: a 64-bit word, eight bytes. */
#define SCAN_BLOCK 8
typedef uint64_t scan_mask;     /* the high bit of each stop byte */

SCAN_INLINE scan_mask
scan_block(char *d, const unsigned char *p, int copy)
{
	const uint64_t ones = 0x0101010101010101ULL, m7 = ones * 0x7F;
	uint64_t w, x, q, b;

	memcpy(&w, p, 8);
	if (copy)
		memcpy(d, &w, 8);
	/* exact: with the high bits cleared no byte sum carries into its
	   neighbour */
	x = w & m7;
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return (w | ~(x + ones * 0x60) | ~(q + m7) | ~(b + m7)) &
	    (ones * 0x80);
}

SCAN_INLINE scan_mask
scan_block_high(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w & 0x8080808080808080ULL;
}

SCAN_INLINE size_t
scan_first(scan_mask m, const unsigned char *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && !defined(JSON_PORTABLE)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	(void)p;
	return (unsigned)__builtin_ctzll(m) >> 3;   /* byte 0 is lowest */
#elif __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	(void)p;
	return (unsigned)__builtin_clzll(m) >> 3;   /* byte 0 is highest */
#endif
#endif
	/* the flagged byte of the word, in memory order */
	unsigned char f[8];
	size_t k = 0;

	(void)p;
	memcpy(f, &m, 8);
	while (f[k] == 0)
		k++;
	return k;
}
#endif

/* scan_str and scan_str_copy, with copy a constant. */
SCAN_INLINE size_t
scan_run(char *d, const unsigned char *p, size_t n, int copy)
{
	size_t i = 0;
	scan_mask m;

	for (; n - i >= SCAN_BLOCK; i += SCAN_BLOCK)
		if ((m = scan_block(d + i, p + i, copy)) != 0)
			return i + scan_first(m, p + i);
	for (; i < n && !scan_is_stop(p[i]); i++)
		if (copy)
			d[i] = (char)p[i];
	return i;
}

/*
 * scan_str: the index of the first stop byte in p[0..n) (see
 * scan_is_stop), or n.
 */
SCAN_INLINE size_t
scan_str(const unsigned char *p, size_t n)
{
	return scan_run((char *)(uintptr_t)p, p, n, 0);
}

/* scan_ascii: the index of the first byte of p[0..n) that is 0x80 or
   above (not ASCII), or n. */
SCAN_INLINE size_t
scan_ascii(const unsigned char *p, size_t n)
{
	size_t i = 0;
	scan_mask m;

	for (; n - i >= SCAN_BLOCK; i += SCAN_BLOCK)
		if ((m = scan_block_high(p + i)) != 0)
			return i + scan_first(m, p + i);
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

/*
 * scan_str_copy: scan_str, with p[0..result) copied to d, which has room
 * for n bytes. Bytes of d past the result may be written too, up to the
 * end of the block that held the stop byte (at most n, with p's bytes
 * there): d must lie apart from p[0..n), or SCAN_BLOCK bytes or more
 * before p, so that no byte of p is overwritten before it is read.
 */
SCAN_INLINE size_t
scan_str_copy(char *d, const unsigned char *p, size_t n)
{
	return scan_run(d, p, n, 1);
}

#endif
