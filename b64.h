/*
 * b64.h - base64 with the standard alphabet and padding (RFC 4648
 * section 4): a one-shot encoder and a strict, streaming decoder.
 *
 * No I/O, no allocation: the caller owns every buffer.
 */
#ifndef B64_H
#define B64_H

#include <stddef.h>

enum {
	B64_OK = 0,
	B64_ERR_CHAR = -1,          /* a byte outside the alphabet */
	B64_ERR_PAD = -2,           /* '=' where it cannot be */
	B64_ERR_BITS = -3,          /* non-zero bits before the padding */
	B64_ERR_TRAILING = -4,      /* data after the padding */
	B64_ERR_TRUNCATED = -5,     /* input ends inside a quantum */
	B64_ERR_SPACE = -6          /* the output buffer is too small */
};

/*
 * b64_encoded_len: the length of the encoding of n bytes, padding
 * included, NUL excluded: 4 * ceil(n / 3). SIZE_MAX when that does not
 * fit in a size_t.
 */
size_t b64_encoded_len(size_t n);

/*
 * b64_encode: write the base64 encoding of src[0..n) and a NUL to dst,
 * which has cap bytes (needs b64_encoded_len(n) + 1). Returns the length
 * of the encoding without the NUL, or 0 when cap is too small (dst is
 * then left as an empty string when cap > 0). n == 0 writes "" and
 * returns 0 too.
 */
size_t b64_encode(char *dst, size_t cap, const void *src, size_t n);

/*
 * The streaming decoder's state. Zero it (or call b64_dec_init) before
 * the first chunk; it holds no pointers.
 */
struct b64_dec {
	unsigned long acc;          /* sextets of the quantum, oldest first */
	unsigned char nsext;        /* sextets in acc: 0..3 */
	unsigned char state;        /* enum b64_dec_state in b64.c; 0 = data */
	signed char   err;          /* the error, once failed */
};

/* b64_dec_init: reset d to the start of an encoding. */
void b64_dec_init(struct b64_dec *d);

/*
 * b64_decoded_max: the most bytes b64_dec_update can write for a chunk
 * of n characters, whatever the decoder's state: n / 4 * 3 + 3 (the
 * decoder may hold three sextets from earlier chunks).
 */
size_t b64_decoded_max(size_t n);

/*
 * b64_dec_update: decode the chunk src[0..n), any size, into dst (cap
 * bytes) and set *written to the bytes written. Strict: no whitespace,
 * no missing padding, no bits set below the padding, nothing after it.
 * Returns B64_OK, or a B64_ERR_* after which the decoder stays failed
 * and returns the same error (*written then counts the bytes written
 * before the fault). B64_ERR_SPACE when dst fills up: give cap >=
 * b64_decoded_max(n) never to see it.
 */
int b64_dec_update(struct b64_dec *d, void *dst, size_t cap,
    size_t *written, const char *src, size_t n);

/*
 * b64_dec_final: B64_OK when the input so far is a whole encoding (it
 * ends on a quantum boundary), B64_ERR_TRUNCATED when it stops inside a
 * quantum, or the error the decoder failed with.
 */
int b64_dec_final(const struct b64_dec *d);

/*
 * b64_decode: decode src[0..n) whole into dst (cap bytes); *outlen gets
 * the decoded length. Returns B64_OK or a B64_ERR_*; on error *outlen is
 * 0 and dst may hold garbage.
 */
int b64_decode(void *dst, size_t cap, size_t *outlen, const char *src,
    size_t n);

/* b64_strerror: a short English description of a B64_ERR_* code. */
const char *b64_strerror(int err);

#endif
