/*
 * b64.c - base64, RFC 4648 section 4 (standard alphabet, '=' padding).
 *
 * The decoder is strict, as RFC 4648 section 3.5 allows and section 12
 * recommends for security-relevant input: it rejects characters outside
 * the alphabet (section 3.3), missing or misplaced padding (3.2), pad
 * bits that are not zero (3.5) and anything after the padding.
 */
#include <stdint.h>

#include "b64.h"

static const char alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The decoder's states; zero is where an encoding starts. */
enum b64_dec_state {
	B64_S_DATA = 0,             /* quanta of four sextets */
	B64_S_PAD2,                 /* "xx=" seen: one more '=' due */
	B64_S_DONE,                 /* the padding is complete */
	B64_S_FAILED                /* d->err says why */
};

/* The value of a character of the alphabet (RFC 4648 table 1), or -1. */
static int
sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t
b64_encoded_len(size_t n)
{
	size_t q = n / 3 + (n % 3 != 0);

	if (q > SIZE_MAX / 4)
		return SIZE_MAX;
	return q * 4;
}

size_t
b64_encode(char *dst, size_t cap, const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t need = b64_encoded_len(n), i, o = 0;
	unsigned long v;

	if (cap > 0)
		dst[0] = '\0';
	if (need == SIZE_MAX || cap <= need)
		return 0;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8 |
		    s[i + 2];
		dst[o++] = alphabet[v >> 18 & 63];
		dst[o++] = alphabet[v >> 12 & 63];
		dst[o++] = alphabet[v >> 6 & 63];
		dst[o++] = alphabet[v & 63];
	}
	/* RFC 4648 section 4, cases (2) and (3): a short final quantum. */
	if (n - i == 1) {
		v = (unsigned long)s[i] << 16;
		dst[o++] = alphabet[v >> 18 & 63];
		dst[o++] = alphabet[v >> 12 & 63];
		dst[o++] = '=';
		dst[o++] = '=';
	} else if (n - i == 2) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8;
		dst[o++] = alphabet[v >> 18 & 63];
		dst[o++] = alphabet[v >> 12 & 63];
		dst[o++] = alphabet[v >> 6 & 63];
		dst[o++] = '=';
	}
	dst[o] = '\0';
	return o;
}

void
b64_dec_init(struct b64_dec *d)
{
	d->acc = 0;
	d->nsext = 0;
	d->state = B64_S_DATA;
	d->err = 0;
}

size_t
b64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

/* Enter the failed state with err; returns err. */
static int
fail(struct b64_dec *d, int err)
{
	d->state = B64_S_FAILED;
	d->err = (signed char)err;
	return err;
}

int
b64_dec_update(struct b64_dec *d, void *dst, size_t cap, size_t *written,
    const char *src, size_t n)
{
	unsigned char *out = dst;
	size_t i, o = 0;
	int v;

	*written = 0;
	if (d->state == B64_S_FAILED)
		return d->err;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		switch (d->state) {
		case B64_S_DATA:
			if ((v = sextet(c)) >= 0) {
				d->acc = d->acc << 6 | (unsigned long)v;
				if (++d->nsext < 4)
					break;
				if (cap - o < 3) {
					*written = o;
					return fail(d, B64_ERR_SPACE);
				}
				out[o++] = (unsigned char)(d->acc >> 16);
				out[o++] = (unsigned char)(d->acc >> 8);
				out[o++] = (unsigned char)d->acc;
				d->acc = 0;
				d->nsext = 0;
				break;
			}
			if (c != '=') {
				*written = o;
				return fail(d, B64_ERR_CHAR);
			}
			/* RFC 4648 section 4: "xx==" carries 8 bits, "xxx="
			   16; section 3.5: the bits left over must be 0. */
			if (d->nsext < 2) {
				*written = o;
				return fail(d, B64_ERR_PAD);
			}
			if ((d->nsext == 2 && (d->acc & 0xf) != 0) ||
			    (d->nsext == 3 && (d->acc & 0x3) != 0)) {
				*written = o;
				return fail(d, B64_ERR_BITS);
			}
			if (cap - o < (size_t)(d->nsext - 1)) {
				*written = o;
				return fail(d, B64_ERR_SPACE);
			}
			if (d->nsext == 2) {
				out[o++] = (unsigned char)(d->acc >> 4);
				d->state = B64_S_PAD2;
			} else {
				out[o++] = (unsigned char)(d->acc >> 10);
				out[o++] = (unsigned char)(d->acc >> 2);
				d->state = B64_S_DONE;
			}
			d->acc = 0;
			d->nsext = 0;
			break;
		case B64_S_PAD2:
			if (c == '=') {
				d->state = B64_S_DONE;
				break;
			}
			*written = o;
			return fail(d, sextet(c) >= 0 ? B64_ERR_PAD :
			    B64_ERR_CHAR);
		case B64_S_DONE:
			*written = o;
			return fail(d, B64_ERR_TRAILING);
		case B64_S_FAILED:
		default:
			*written = o;
			return d->err;
		}
	}
	*written = o;
	return B64_OK;
}

int
b64_dec_final(const struct b64_dec *d)
{
	switch (d->state) {
	case B64_S_DATA:
		return d->nsext == 0 ? B64_OK : B64_ERR_TRUNCATED;
	case B64_S_PAD2:
		return B64_ERR_TRUNCATED;
	case B64_S_DONE:
		return B64_OK;
	default:
		return d->err;
	}
}

int
b64_decode(void *dst, size_t cap, size_t *outlen, const char *src, size_t n)
{
	struct b64_dec d;
	int rc;

	b64_dec_init(&d);
	*outlen = 0;
	if ((rc = b64_dec_update(&d, dst, cap, outlen, src, n)) == B64_OK)
		rc = b64_dec_final(&d);
	if (rc != B64_OK)
		*outlen = 0;
	return rc;
}

const char *
b64_strerror(int err)
{
	switch (err) {
	case B64_OK:
		return "no error";
	case B64_ERR_CHAR:
		return "character outside the base64 alphabet";
	case B64_ERR_PAD:
		return "misplaced base64 padding";
	case B64_ERR_BITS:
		return "non-zero bits before the base64 padding";
	case B64_ERR_TRAILING:
		return "data after the base64 padding";
	case B64_ERR_TRUNCATED:
		return "base64 input ends inside a quantum";
	case B64_ERR_SPACE:
		return "base64 output buffer too small";
	}
	return "unknown base64 error";
}
