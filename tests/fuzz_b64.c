/*
 * fuzz_b64.c - libFuzzer target for the base64 codec.
 *
 * Oracles: decode(encode(x)) == x; the decoder gives the same result
 * and output fed whole or in pieces; and since the decoder is strict,
 * every input it accepts is canonical: encode(decode(x)) == x.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../b64.h"

#define MAXIN 4096

static unsigned char out_whole[MAXIN], out_split[MAXIN + 3];
static char enc[MAXIN * 2];

/* Decode in pieces whose sizes come from a small generator seeded by
   seed; returns the result, *n the bytes written. */
static int
decode_split(const char *s, size_t len, unsigned seed, size_t *n)
{
	struct b64_dec d;
	size_t at = 0, w;
	int rc;

	b64_dec_init(&d);
	*n = 0;
	while (at < len) {
		size_t k;

		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % 9;
		if (k > len - at)
			k = len - at;
		rc = b64_dec_update(&d, out_split + *n, sizeof(out_split) - *n,
		    &w, s + at, k);
		*n += w;
		if (rc != B64_OK)
			return rc;
		at += k;
	}
	return b64_dec_final(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t e, n, m;
	int rc, rc2;
	unsigned seed;

	if (size > MAXIN)
		return 0;
	seed = size > 0 ? data[0] : 7;

	/* 1. encode, then decode whole and split */
	e = b64_encode(enc, sizeof(enc), data, size);
	if (e != b64_encoded_len(size) || strlen(enc) != e)
		abort();
	if (b64_decode(out_whole, sizeof(out_whole), &n, enc, e) != B64_OK ||
	    n != size || (size > 0 && memcmp(out_whole, data, size) != 0))
		abort();
	if (decode_split(enc, e, seed, &m) != B64_OK || m != size ||
	    (size > 0 && memcmp(out_split, data, size) != 0))
		abort();

	/* 2. decode the input itself, whole and split */
	rc = b64_decode(out_whole, sizeof(out_whole), &n, (const char *)data,
	    size);
	rc2 = decode_split((const char *)data, size, seed ^ 0x5a, &m);
	if (rc != rc2)
		abort();
	if (rc == B64_OK) {
		if (n != m || (n > 0 && memcmp(out_whole, out_split, n) != 0))
			abort();
		if (n > size / 4 * 3)
			abort();
		/* 3. canonical: encoding the result gives the input back */
		e = b64_encode(enc, sizeof(enc), out_whole, n);
		if (e != size || (size > 0 && memcmp(enc, data, size) != 0))
			abort();
	} else {
		struct b64_dec d;
		size_t w;

		if (n != 0 || rc == B64_ERR_SPACE)
			abort();
		/* the same bytes came out before the fault */
		b64_dec_init(&d);
		rc2 = b64_dec_update(&d, out_whole, sizeof(out_whole), &w,
		    (const char *)data, size);
		if (rc2 == B64_OK)
			rc2 = b64_dec_final(&d);
		if (rc2 != rc || w != m ||
		    (w > 0 && memcmp(out_whole, out_split, w) != 0))
			abort();
	}
	return 0;
}
