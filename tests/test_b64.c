/*
 * test_b64.c - base64: the RFC 4648 section 10 vectors, every split
 * point of the streaming decoder, and every way strict input can fail.
 */
#include <stdint.h>

#include "t.h"
#include "../b64.h"

/* RFC 4648 section 10, verbatim. */
static const struct { const char *plain, *enc; } rfc[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};
#define NRFC (sizeof(rfc) / sizeof(rfc[0]))

/* Decode src[0..n) in pieces cut at the given points (ascending, up to
   three); returns the first error or b64_dec_final's answer. */
static int
decode_cut(const char *src, size_t n, const size_t *cuts, size_t ncuts,
    unsigned char *out, size_t cap, size_t *outlen)
{
	struct b64_dec d;
	size_t at = 0, i, w;
	int rc;

	b64_dec_init(&d);
	*outlen = 0;
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;

		rc = b64_dec_update(&d, out + *outlen, cap - *outlen, &w,
		    src + at, end - at);
		*outlen += w;
		if (rc != B64_OK)
			return rc;
		at = end;
	}
	return b64_dec_final(&d);
}

static void
encoded_len(void)
{
	CHECK(b64_encoded_len(0) == 0);
	CHECK(b64_encoded_len(1) == 4);
	CHECK(b64_encoded_len(2) == 4);
	CHECK(b64_encoded_len(3) == 4);
	CHECK(b64_encoded_len(4) == 8);
	CHECK(b64_encoded_len(16) == 24);
	CHECK(b64_encoded_len(20) == 28);
	CHECK(b64_encoded_len(SIZE_MAX) == SIZE_MAX);
	CHECK(b64_encoded_len(SIZE_MAX / 4 * 3) == SIZE_MAX / 4 * 4);
	CHECK(b64_encoded_len(SIZE_MAX / 4 * 3 + 1) == SIZE_MAX);
}

static void
rfc4648_encode(void)
{
	char out[16];
	size_t i;

	for (i = 0; i < NRFC; i++) {
		memset(out, 'x', sizeof(out));
		CHECK(b64_encode(out, sizeof(out), rfc[i].plain,
		    strlen(rfc[i].plain)) == strlen(rfc[i].enc));
		CHECK_STR(out, rfc[i].enc);
	}
}

static void
encode_capacity(void)
{
	char out[16];

	/* "Zm9vYg==" needs 8 + 1 bytes */
	memset(out, 'x', sizeof(out));
	CHECK(b64_encode(out, 9, "foob", 4) == 8);
	CHECK_STR(out, "Zm9vYg==");
	memset(out, 'x', sizeof(out));
	CHECK(b64_encode(out, 8, "foob", 4) == 0);
	CHECK(out[0] == '\0');
	CHECK(out[1] == 'x');
	CHECK(b64_encode(out, 0, "foob", 4) == 0);
	CHECK(out[1] == 'x');
	/* the empty input is "" and fits in one byte */
	memset(out, 'x', sizeof(out));
	CHECK(b64_encode(out, 1, "", 0) == 0);
	CHECK(out[0] == '\0');
}

static void
encode_alphabet_ends(void)
{
	static const unsigned char hi[] = { 0xfb, 0xff, 0xbf };
	unsigned char all[256], back[256];
	char out[400];
	size_t i, n;

	CHECK(b64_encode(out, sizeof(out), hi, 3) == 4);
	CHECK_STR(out, "+/+/");
	CHECK(b64_encode(out, sizeof(out), hi, 2) == 4);
	CHECK_STR(out, "+/8=");
	CHECK(b64_encode(out, sizeof(out), "\0\0\0", 3) == 4);
	CHECK_STR(out, "AAAA");
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	CHECK(b64_encode(out, sizeof(out), all, 256) == 344);
	CHECK(memcmp(out, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", 44)
	    == 0);
	CHECK(strcmp(out + 336, "/P3+/w==") == 0);
	CHECK(b64_decode(back, sizeof(back), &n, out, 344) == B64_OK);
	CHECK(n == 256);
	CHECK_MEM(back, all, 256);
}

static void
rfc4648_decode_whole(void)
{
	unsigned char out[16];
	size_t i, n;

	for (i = 0; i < NRFC; i++) {
		n = 99;
		CHECK(b64_decode(out, sizeof(out), &n, rfc[i].enc,
		    strlen(rfc[i].enc)) == B64_OK);
		CHECK(n == strlen(rfc[i].plain));
		CHECK_MEM(out, rfc[i].plain, n);
	}
}

/* Every one, two and three cut points of every vector. */
static void
rfc4648_decode_every_split(void)
{
	unsigned char out[16];
	size_t i, a, b, c, n, cuts[3];

	for (i = 0; i < NRFC; i++) {
		const char *e = rfc[i].enc;
		size_t len = strlen(e);

		for (a = 0; a <= len; a++)
			for (b = a; b <= len; b++)
				for (c = b; c <= len; c++) {
					cuts[0] = a, cuts[1] = b, cuts[2] = c;
					CHECK(decode_cut(e, len, cuts, 3, out,
					    sizeof(out), &n) == B64_OK);
					CHECK(n == strlen(rfc[i].plain));
					CHECK_MEM(out, rfc[i].plain, n);
				}
	}
}

static void
decode_byte_by_byte(void)
{
	const char *e = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g+/P9/v8=";
	unsigned char out[64], whole[64];
	size_t i, w, n = 0, wn;
	struct b64_dec d;

	memset(&d, 0, sizeof(d));    /* zero is a valid start state */
	for (i = 0; i < strlen(e); i++) {
		CHECK(b64_dec_update(&d, out + n, sizeof(out) - n, &w, e + i,
		    1) == B64_OK);
		CHECK(w <= 3);
		n += w;
		CHECK(b64_dec_final(&d) == (i % 4 == 3 ? B64_OK :
		    B64_ERR_TRUNCATED));
	}
	CHECK(b64_decode(whole, sizeof(whole), &wn, e, strlen(e)) == B64_OK);
	CHECK(n == 38);
	CHECK(wn == n);
	CHECK_MEM(out, whole, n);
	CHECK(out[37] == 0xff);
}

static const struct { const char *in; int err; } bad[] = {
	{ "Z", B64_ERR_TRUNCATED },
	{ "Zg", B64_ERR_TRUNCATED },          /* padding is required */
	{ "Zm8", B64_ERR_TRUNCATED },
	{ "Zg=", B64_ERR_TRUNCATED },
	{ "Zm9vY", B64_ERR_TRUNCATED },
	{ "=", B64_ERR_PAD },
	{ "==", B64_ERR_PAD },
	{ "Z===", B64_ERR_PAD },
	{ "Zm9v=", B64_ERR_PAD },
	{ "Zm9vY===", B64_ERR_PAD },
	{ "Zg=a", B64_ERR_PAD },
	{ "Zm9v====", B64_ERR_PAD },
	{ "Zh==", B64_ERR_BITS },             /* low 4 bits 0001 */
	{ "Zm9=", B64_ERR_BITS },             /* low 2 bits 01 */
	{ "Zm/=", B64_ERR_BITS },
	{ "Zo==", B64_ERR_BITS },             /* low 4 bits 1000 */
	{ "Zm+=", B64_ERR_BITS },             /* low 2 bits 10 */
	{ "//==", B64_ERR_BITS },
	{ "Zg===", B64_ERR_TRAILING },
	{ "Zg==Zg==", B64_ERR_TRAILING },
	{ "Zm8=Zm8=", B64_ERR_TRAILING },
	{ "Zm8==", B64_ERR_TRAILING },
	{ "Zg==\n", B64_ERR_TRAILING },
	{ "Zm8=!", B64_ERR_TRAILING },
	{ "Zm 9v", B64_ERR_CHAR },            /* no whitespace */
	{ "Zm9v\n", B64_ERR_CHAR },
	{ "\tZm9v", B64_ERR_CHAR },
	{ "Zm9v\r\n", B64_ERR_CHAR },
	{ "Zm-_", B64_ERR_CHAR },             /* the URL alphabet is not ours */
	{ "Zm9\x80", B64_ERR_CHAR },
	{ "Zm9\xff", B64_ERR_CHAR },
	{ "Zg=\n", B64_ERR_CHAR },
	{ "Zm.v", B64_ERR_CHAR },
};
#define NBAD (sizeof(bad) / sizeof(bad[0]))

static void
decode_invalid(void)
{
	unsigned char out[16];
	size_t i, n;

	for (i = 0; i < NBAD; i++) {
		n = 99;
		if (b64_decode(out, sizeof(out), &n, bad[i].in,
		    strlen(bad[i].in)) != bad[i].err)
			printf("  input %zu \"%s\"\n", i, bad[i].in);
		CHECK(b64_decode(out, sizeof(out), &n, bad[i].in,
		    strlen(bad[i].in)) == bad[i].err);
		CHECK(n == 0);
	}
	/* a NUL byte inside the input is a bad character, not the end */
	CHECK(b64_decode(out, sizeof(out), &n, "Zm\0v", 4) == B64_ERR_CHAR);
}

/* The same error whatever the split, and it sticks. */
static void
decode_invalid_every_split(void)
{
	unsigned char out[16];
	size_t i, a, b, n, cuts[2];

	for (i = 0; i < NBAD; i++) {
		const char *e = bad[i].in;
		size_t len = strlen(e);

		for (a = 0; a <= len; a++)
			for (b = a; b <= len; b++) {
				cuts[0] = a, cuts[1] = b;
				CHECK(decode_cut(e, len, cuts, 2, out,
				    sizeof(out), &n) == bad[i].err);
			}
	}
}

static void
decode_error_sticks(void)
{
	struct b64_dec d;
	unsigned char out[8];
	size_t w;

	b64_dec_init(&d);
	CHECK(b64_dec_update(&d, out, sizeof(out), &w, "Zm9vZ!", 6) ==
	    B64_ERR_CHAR);
	CHECK(w == 3);                        /* "foo" came out first */
	CHECK_MEM(out, "foo", 3);
	CHECK(b64_dec_update(&d, out, sizeof(out), &w, "g==", 3) ==
	    B64_ERR_CHAR);
	CHECK(w == 0);
	CHECK(b64_dec_update(&d, out, sizeof(out), &w, "", 0) ==
	    B64_ERR_CHAR);
	CHECK(b64_dec_final(&d) == B64_ERR_CHAR);
	/* init starts over */
	b64_dec_init(&d);
	CHECK(b64_dec_update(&d, out, sizeof(out), &w, "Zg==", 4) == B64_OK);
	CHECK(w == 1);
	CHECK(out[0] == 'f');
	CHECK(b64_dec_final(&d) == B64_OK);
	/* after the padding even an empty chunk is fine, a byte is not */
	CHECK(b64_dec_update(&d, out, sizeof(out), &w, "", 0) == B64_OK);
	CHECK(b64_dec_update(&d, out, sizeof(out), &w, "A", 1) ==
	    B64_ERR_TRAILING);
}

static void
decode_capacity(void)
{
	unsigned char out[8];
	size_t n;

	memset(out, 0, sizeof(out));
	CHECK(b64_decode(out, 6, &n, "Zm9vYmFy", 8) == B64_OK);
	CHECK(n == 6);
	CHECK(b64_decode(out, 5, &n, "Zm9vYmFy", 8) == B64_ERR_SPACE);
	CHECK(n == 0);
	CHECK(b64_decode(out, 1, &n, "Zg==", 4) == B64_OK);
	CHECK(n == 1);
	CHECK(b64_decode(out, 0, &n, "Zg==", 4) == B64_ERR_SPACE);
	CHECK(b64_decode(out, 5, &n, "Zm9vYmE=", 8) == B64_OK);
	CHECK(n == 5);
	CHECK(b64_decode(out, 4, &n, "Zm9vYmE=", 8) == B64_ERR_SPACE);
	CHECK(b64_decode(NULL, 0, &n, "", 0) == B64_OK);
	CHECK(n == 0);
	/* the bound holds from any state */
	CHECK(b64_decoded_max(0) == 3);
	CHECK(b64_decoded_max(1) == 3);
	CHECK(b64_decoded_max(4) == 6);
	CHECK(b64_decoded_max(5) == 6);
	CHECK(b64_decoded_max(SIZE_MAX) == SIZE_MAX / 4 * 3 + 3);
}

/* Round trip of every length 0..64 of a pattern touching every sextet. */
static void
round_trip_lengths(void)
{
	unsigned char src[64], back[64];
	char enc[100];
	size_t len, i, e, n;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len <= sizeof(src); len++) {
		e = b64_encode(enc, sizeof(enc), src, len);
		CHECK(e == b64_encoded_len(len));
		CHECK(strlen(enc) == e);
		CHECK(b64_decode(back, sizeof(back), &n, enc, e) == B64_OK);
		CHECK(n == len);
		CHECK_MEM(back, src, len);
	}
}

static void
strerror_names(void)
{
	int e;

	for (e = B64_ERR_SPACE; e <= B64_OK; e++) {
		CHECK(b64_strerror(e) != NULL);
		CHECK(strcmp(b64_strerror(e), "unknown base64 error") != 0);
	}
	CHECK_STR(b64_strerror(-99), "unknown base64 error");
	CHECK_STR(b64_strerror(B64_ERR_BITS),
	    "non-zero bits before the base64 padding");
}

int
main(void)
{
	t_suite = "b64";
	RUN(encoded_len);
	RUN(rfc4648_encode);
	RUN(encode_capacity);
	RUN(encode_alphabet_ends);
	RUN(rfc4648_decode_whole);
	RUN(rfc4648_decode_every_split);
	RUN(decode_byte_by_byte);
	RUN(decode_invalid);
	RUN(decode_invalid_every_split);
	RUN(decode_error_sticks);
	RUN(decode_capacity);
	RUN(round_trip_lengths);
	RUN(strerror_names);
	return t_done();
}
