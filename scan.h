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

#define SCAN_BLOCK 16           /* bytes per vector step */

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
 * The portable path: a word of eight bytes at a time. The high bit of
 * each byte of the result flags a stop byte of w. Exact: with the high
 * bits cleared no byte sum carries into its neighbour.
 */
SCAN_INLINE uint64_t
scan_word_stops(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, m7 = ones * 0x7F;
	uint64_t x = w & m7, q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return (w | ~(x + ones * 0x60) | ~(q + m7) | ~(b + m7)) &
	    (ones * 0x80);
}

/*
 * scan_str_portable: the index of the first stop byte in p[0..n), or n.
 * With d != NULL, p[0..result) is copied to d too, a word at a time: the
 * bytes of d up to the end of the word that held the stop byte (at most
 * n) may be written as well; d then lies apart from p[0..n) and has room
 * for n bytes.
 */
SCAN_INLINE size_t
scan_str_portable(char *d, const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t w, m;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		if (d != NULL)
			memcpy(d + i, &w, 8);
		if ((m = scan_word_stops(w)) != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(JSON_PORTABLE)
			/* the first flag is the lowest: the first byte */
			return i + ((size_t)__builtin_ctzll(m) >> 3);
#else
			break;
#endif
		}
	}
	for (; i < n && !scan_is_stop(p[i]); i++)
		if (d != NULL)
			d[i] = (char)p[i];
	return i;
}

#if defined(SCAN_SSE2)
/* The stop bytes of a block as the low 16 bits: '"', '\\', and, by a
   signed compare, the controls and 0x80-0xFF together. */
SCAN_INLINE unsigned
scan_block_stops(__m128i v)
{
	__m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	__m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
	__m128i c = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), c));
}

SCAN_INLINE size_t
scan_str_vector(char *d, const unsigned char *p, size_t n)
{
	size_t i = 0;
	unsigned m;
	__m128i v;

	if (n < SCAN_BLOCK)
		return scan_str_portable(d, p, n);
	for (;;) {
		if (i == n)
			return n;
		if (n - i < SCAN_BLOCK) {
			/* the last block ends at n and overlaps the one before:
			   its bytes below i were found plain already */
			v = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + n - SCAN_BLOCK));
			if (d != NULL)
				_mm_storeu_si128((__m128i *)(void *)
				    (d + n - SCAN_BLOCK), v);
			m = scan_block_stops(v) >> (SCAN_BLOCK - (n - i));
			return m != 0 ? i + (size_t)__builtin_ctz(m) : n;
		}
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		if (d != NULL)
			_mm_storeu_si128((__m128i *)(void *)(d + i), v);
		if ((m = scan_block_stops(v)) != 0)
			return i + (size_t)__builtin_ctz(m);
		i += SCAN_BLOCK;
	}
}
#elif defined(SCAN_NEON)
/* The stop bytes of a block as four bits each in a 64-bit word (the
   narrowing shift keeps the middle of each 16-bit lane): '"', '\\', and,
   by a signed compare, the controls and 0x80-0xFF together. */
SCAN_INLINE uint64_t
scan_block_stops(uint8x16_t v)
{
	uint8x16_t q = vceqq_u8(v, vdupq_n_u8('"'));
	uint8x16_t b = vceqq_u8(v, vdupq_n_u8('\\'));
	uint8x16_t c = vcltq_s8(vreinterpretq_s8_u8(v), vdupq_n_s8(0x20));
	uint8x16_t m = vorrq_u8(vorrq_u8(q, b), c);

	return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(
	    vreinterpretq_u16_u8(m), 4)), 0);
}

SCAN_INLINE size_t
scan_str_vector(char *d, const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t m;
	uint8x16_t v;

	if (n < SCAN_BLOCK)
		return scan_str_portable(d, p, n);
	for (;;) {
		if (i == n)
			return n;
		if (n - i < SCAN_BLOCK) {
			/* the last block ends at n and overlaps the one before:
			   its bytes below i were found plain already */
			v = vld1q_u8(p + n - SCAN_BLOCK);
			if (d != NULL)
				vst1q_u8((uint8_t *)(void *)(d + n - SCAN_BLOCK),
				    v);
			m = scan_block_stops(v) >> (4 * (SCAN_BLOCK - (n - i)));
			return m != 0 ? i + ((size_t)__builtin_ctzll(m) >> 2) :
			    n;
		}
		v = vld1q_u8(p + i);
		if (d != NULL)
			vst1q_u8((uint8_t *)(void *)(d + i), v);
		if ((m = scan_block_stops(v)) != 0)
			return i + ((size_t)__builtin_ctzll(m) >> 2);
		i += SCAN_BLOCK;
	}
}
#endif

/*
 * scan_str: the index of the first stop byte in p[0..n) (see
 * scan_is_stop), or n.
 */
SCAN_INLINE size_t
scan_str(const unsigned char *p, size_t n)
{
#if defined(SCAN_SSE2) || defined(SCAN_NEON)
	return scan_str_vector(NULL, p, n);
#else
	return scan_str_portable(NULL, p, n);
#endif
}

/*
 * scan_str_copy: scan_str, with p[0..result) copied to d. Bytes of d
 * past the result, below n, may be written too (with p's bytes there),
 * so d must lie apart from p[0..n) and have room for n bytes.
 */
SCAN_INLINE size_t
scan_str_copy(char *d, const unsigned char *p, size_t n)
{
#if defined(SCAN_SSE2) || defined(SCAN_NEON)
	return scan_str_vector(d, p, n);
#else
	return scan_str_portable(d, p, n);
#endif
}

#endif
