/*
 * fuzz_json_diff.c - json.c on this target's scan.h path (SSE2 on
 * x86-64, NEON on aarch64, as the product is built) against json.c on
 * the portable path, compiled into this file a second time with
 * -DJSON_PORTABLE's meaning and its public names prefixed port_. The
 * same verdict and the same output, byte for byte, from:
 *  - json_validate, json_compact and json_lexer_scan of the input;
 *  - json_unescape, json_unescape_compact (apart and in place) and
 *    json_streq of the input as the inside of a string literal;
 *  - json_envelope_decode and json_envelope of the input, and of a Zoom
 *    envelope {"module":"message","content":"<input>","header":{}};
 * each with 0 to 15 spaces before the input and the buffer at every
 * alignment (from the input's hash), so that runs end, escapes fall and
 * UTF-8 sequences split at every offset of a block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"

/* The portable build of json.c, under other names. */
#define JSON_PORTABLE
#define json_lexer_init port_json_lexer_init
#define json_lexer_feed port_json_lexer_feed
#define json_lexer_scan port_json_lexer_scan
#define json_lexer_end port_json_lexer_end
#define json_validate port_json_validate
#define json_fields port_json_fields
#define json_envelope port_json_envelope
#define json_envelope_decode port_json_envelope_decode
#define json_unescape port_json_unescape
#define json_compact port_json_compact
#define json_unescape_compact port_json_unescape_compact
#define json_streq port_json_streq
#define json_strerror port_json_strerror
/* json.h's prototypes again, for the new names */
void json_lexer_init(struct json_lexer *);
int json_lexer_feed(struct json_lexer *, const char *, size_t, char *,
    size_t, size_t *);
long json_lexer_scan(struct json_lexer *, const char *, size_t,
    struct json_token *, size_t, size_t *);
int json_lexer_end(struct json_lexer *, struct json_token *);
int json_validate(const char *, size_t);
int json_fields(const char *, size_t, struct json_field *, size_t);
int json_envelope(const char *, size_t, struct json_field *, size_t,
    size_t);
int json_envelope_decode(const char *, size_t, struct json_field *,
    size_t, size_t, char *, size_t, long *);
long json_unescape(char *, size_t, const char *, size_t);
long json_compact(char *, size_t, const char *, size_t);
long json_unescape_compact(char *, size_t, const char *, size_t);
int json_streq(const char *, size_t, const char *);
const char *json_strerror(int);
#include "../json.c"
#undef json_lexer_init
#undef json_lexer_feed
#undef json_lexer_scan
#undef json_lexer_end
#undef json_validate
#undef json_fields
#undef json_envelope
#undef json_envelope_decode
#undef json_unescape
#undef json_compact
#undef json_unescape_compact
#undef json_streq
#undef json_strerror

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXIN (1 << 16)
#define PAD 16                  /* spaces before, and alignments */
#define ENV_PRE "{\"module\":\"message\",\"content\":\""
#define ENV_POST "\",\"header\":{}}"
#define MAXDOC (MAXIN + PAD + 64)
#define TOKS 64

static char doc[MAXDOC + PAD], a[MAXDOC], b[MAXDOC], c[MAXDOC + PAD],
    e[MAXDOC + PAD];

static void
same(long x, long y, const char *p, const char *q)
{
	if (x != y || (x > 0 && memcmp(p, q, (size_t)x) != 0))
		__builtin_trap();
}

/* The lexer's tokens, piece by piece at cut, from both builds. */
static void
same_tokens(const char *s, size_t n, size_t cut)
{
	struct json_lexer l1, l2;
	struct json_token t1[TOKS], t2[TOKS];
	size_t at1 = 0, at2 = 0, n1, n2, lim;
	long r1, r2;

	json_lexer_init(&l1);
	port_json_lexer_init(&l2);
	while (at1 < n || at2 < n) {
		lim = at1 < cut ? cut : n;
		r1 = json_lexer_scan(&l1, s + at1, lim - at1, t1, TOKS, &n1);
		r2 = port_json_lexer_scan(&l2, s + at2, lim - at2, t2, TOKS,
		    &n2);
		if (r1 != r2 || n1 != n2 ||
		    memcmp(t1, t2, n1 * sizeof(t1[0])) != 0)
			__builtin_trap();
		if (r1 < 0)
			return;
		at1 += (size_t)r1;
		at2 += (size_t)r2;
	}
	if (json_lexer_end(&l1, NULL) != port_json_lexer_end(&l2, NULL))
		__builtin_trap();
}

/* The envelope functions on s[0..n) with Zoom's three fields. */
static void
same_envelope(const char *s, size_t n)
{
	struct json_field f1[3] = { { "module", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "content", 0, 0, 0 } }, f2[3];
	long d1 = 0, d2 = 0;
	int r1, r2;

	memcpy(f2, f1, sizeof(f1));
	r1 = json_envelope_decode(s, n, f1, 3, 2, a, sizeof(a), &d1);
	r2 = port_json_envelope_decode(s, n, f2, 3, 2, b, sizeof(b), &d2);
	if (r1 != r2 || memcmp(f1, f2, sizeof(f1)) != 0)
		__builtin_trap();
	same(d1, d2, a, b);
	r1 = json_envelope(s, n, f1, 3, 2);
	r2 = port_json_envelope(s, n, f2, 3, 2);
	if (r1 != r2 || memcmp(f1, f2, sizeof(f1)) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;
	size_t i, sp, al, n, lit;
	char *s;

	if (size > MAXIN)
		return 0;
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	sp = h % PAD;                   /* spaces before the input */
	al = (h >> 8) % PAD;            /* where the buffer starts */

	/* the input as a document */
	s = doc + al;
	memset(s, ' ', sp);
	memcpy(s + sp, data, size);
	n = sp + size;
	if (json_validate(s, n) != port_json_validate(s, n))
		__builtin_trap();
	same(json_compact(a, sizeof(a), s, n),
	    port_json_compact(b, sizeof(b), s, n), a, b);
	same_tokens(s, n, (h >> 16) % (n + 1));
	same_envelope(s, n);

	/* the input as the inside of a literal: an event in its string */
	s[0] = '"';
	memset(s + 1, ' ', sp);
	memcpy(s + 1 + sp, data, size);
	s[1 + sp + size] = '"';
	lit = sp + size + 2;
	same(json_unescape_compact(a, sizeof(a), s, lit),
	    port_json_unescape_compact(b, sizeof(b), s, lit), a, b);
	same(json_unescape(a, sizeof(a), s, lit),
	    port_json_unescape(b, sizeof(b), s, lit), a, b);
	if (json_streq(s, lit, "message") != port_json_streq(s, lit, "message"))
		__builtin_trap();
	/* in place, at another alignment */
	memcpy(c + (h >> 12) % PAD, s, lit);
	memcpy(e + (h >> 12) % PAD, s, lit);
	same(json_unescape_compact(c + (h >> 12) % PAD, lit,
	    c + (h >> 12) % PAD, lit), port_json_unescape_compact(e +
	    (h >> 12) % PAD, lit, e + (h >> 12) % PAD, lit),
	    c + (h >> 12) % PAD, e + (h >> 12) % PAD);

	/* and in a Zoom envelope */
	memcpy(s, ENV_PRE, sizeof(ENV_PRE) - 1);
	n = sizeof(ENV_PRE) - 1;
	memset(s + n, ' ', sp);
	memcpy(s + n + sp, data, size);
	n += sp + size;
	memcpy(s + n, ENV_POST, sizeof(ENV_POST) - 1);
	n += sizeof(ENV_POST) - 1;
	same_envelope(s, n);
	return 0;
}
