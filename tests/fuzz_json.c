/*
 * fuzz_json.c - the lexer on arbitrary documents, with oracles:
 *  - json_validate, json_compact and json_lexer_scan give one verdict
 *    (the same error code);
 *  - fed in three pieces (cuts and token-array size taken from the
 *    input), the same verdict, the same tokens (even up to an error) and
 *    the same compacted bytes as fed whole;
 *  - a valid document: compact(doc) is the tokens of doc written back
 *    with ':' and ',' between them and nothing else; compact(compact(doc))
 *    is compact(doc) and has the same tokens; in place equals apart;
 *  - json_fields finds, for names taken from the document, the value
 *    of their first occurrence among the top-level members, as the
 *    token stream says; on an invalid document it fails the same way;
 *  - a string document decodes the same in place and apart;
 *  - json_envelope, skimming "content" (as zoomws does) or "x": what
 *    json_fields accepts it accepts with the same fields; what it
 *    accepts and json_fields refuses nests one level deeper than
 *    json_fields allows, or has a skimmed string that json_unescape
 *    and json_unescape_compact refuse; json_envelope_decode
 *    gives the same verdict and fields, and for the string what
 *    json_unescape_compact gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXDOC (1 << 16)

static struct json_token t0[MAXDOC + 2], t1[MAXDOC + 2], t2[MAXDOC + 2];
static char a[MAXDOC], b[MAXDOC], c[MAXDOC], d[MAXDOC];

static int
scan(const char *doc, size_t len, size_t cut1, size_t cut2, size_t tcap,
    struct json_token *all, size_t *nall)
{
	struct json_lexer lx;
	struct json_token t[16], last;
	size_t cuts[3] = { cut1, cut2, len }, from = 0, k, nt;
	long n;

	*nall = 0;
	json_lexer_init(&lx);
	for (k = 0; k < 3; k++)
		while (from < cuts[k]) {
			n = json_lexer_scan(&lx, doc + from, cuts[k] - from, t,
			    tcap, &nt);
			memcpy(all + *nall, t, nt * sizeof(t[0]));
			*nall += nt;
			if (n < 0)
				return (int)n;
			if (n == 0 && nt == 0)
				__builtin_trap();       /* no progress */
			from += (size_t)n;
		}
	n = json_lexer_end(&lx, &last);
	if (last.kind != JSON_TOK_NONE)
		all[(*nall)++] = last;
	return (int)n;
}

static int
same_tokens(const char *da, const struct json_token *x, size_t nx,
    const char *db, const struct json_token *y, size_t ny)
{
	size_t i;

	if (nx != ny)
		return 0;
	for (i = 0; i < nx; i++)
		if (x[i].kind != y[i].kind || x[i].depth != y[i].depth ||
		    x[i].end - x[i].start != y[i].end - y[i].start ||
		    memcmp(da + x[i].start, db + y[i].start,
		    x[i].end - x[i].start) != 0)
			return 0;
	return 1;
}

static int
opener(enum json_tok k)
{
	return k == JSON_TOK_OBJECT || k == JSON_TOK_ARRAY;
}

static int
closer(enum json_tok k)
{
	return k == JSON_TOK_OBJECT_END || k == JSON_TOK_ARRAY_END;
}

/* The tokens written back with the separators JSON needs. */
static size_t
serialize(const char *doc, const struct json_token *t, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (i > 0) {
			if (t[i - 1].kind == JSON_TOK_NAME)
				out[o++] = ':';
			else if (!opener(t[i - 1].kind) && !closer(t[i].kind))
				out[o++] = ',';
		}
		memcpy(out + o, doc + t[i].start, t[i].end - t[i].start);
		o += t[i].end - t[i].start;
	}
	return o;
}

/* Check json_fields against the token stream t[0..n) of valid doc for
   the names of top-level members number i1, i2, i3. */
static void
check_fields(const char *doc, size_t len, const struct json_token *t,
    size_t n, size_t i1, size_t i2, size_t i3)
{
	static char keys[3][MAXDOC + 1];
	static size_t names[MAXDOC];
	struct json_field f[3];
	size_t nn = 0, i, j, k, want[3];
	long kl;

	for (i = 0; i < n; i++)
		if (t[i].kind == JSON_TOK_NAME && t[i].depth == 1)
			names[nn++] = i;
	if (nn == 0) {
		f[0].key = "";
		if (json_fields(doc, len, f, 1) != JSON_OK ||
		    f[0].type != JSON_NONE)
			__builtin_trap();
		return;
	}
	want[0] = names[i1 % nn];
	want[1] = names[i2 % nn];
	want[2] = names[i3 % nn];
	for (k = 0; k < 3; k++) {
		kl = json_unescape(keys[k], MAXDOC, doc + t[want[k]].start,
		    t[want[k]].end - t[want[k]].start);
		if (kl < 0)
			__builtin_trap();
		if (memchr(keys[k], '\0', (size_t)kl) != NULL)
			return;                 /* not a C string */
		keys[k][kl] = '\0';
		f[k].key = keys[k];
		/* the first member of that name */
		for (j = 0; j < nn; j++)
			if (json_streq(doc + t[names[j]].start,
			    t[names[j]].end - t[names[j]].start, keys[k]))
				break;
		want[k] = names[j] + 1;         /* its value */
	}
	if (json_fields(doc, len, f, 3) != JSON_OK)
		__builtin_trap();
	for (k = 0; k < 3; k++) {
		const struct json_token *v = &t[want[k]];
		size_t end = v->end;

		if (opener(v->kind)) {
			for (j = want[k] + 1; j < n; j++)
				if (t[j].depth == v->depth && closer(t[j].kind))
					break;
			end = t[j].end;
		}
		if (f[k].type != (enum json_type)v->kind ||
		    f[k].start != v->start || f[k].end != end)
			__builtin_trap();
	}
}

/* Is doc valid JSON when it may nest one level past JSON_MAX_DEPTH? */
static int
nests_one_more(const char *doc, size_t len)
{
	struct json_lexer lx;

	json_lexer_init(&lx);
	lx.outer = 1;
	return json_lexer_feed(&lx, doc, len, NULL, 0, NULL) == JSON_OK &&
	    json_lexer_end(&lx, NULL) == JSON_OK;
}

/* json_envelope against json_fields (verdict rc) for fields f[0..nf)
   with f[lazy] the skimmed one; b and c are scratch. */
static void
check_envelope(const char *doc, size_t len, int rc, struct json_field *f,
    size_t nf, size_t lazy)
{
	struct json_field g[3], h[3];
	size_t i, sl;
	long dl, uc;
	int re;

	memcpy(g, f, nf * sizeof(g[0]));
	re = json_envelope(doc, len, g, nf, lazy);
	/* delimiting by decoding: the same verdict and fields, and what
	   json_unescape_compact makes of the string */
	memcpy(h, f, nf * sizeof(h[0]));
	if (json_envelope_decode(doc, len, h, nf, lazy, d, MAXDOC, &dl) != re)
		__builtin_trap();
	for (i = 0; i < nf; i++)
		if (h[i].type != g[i].type || h[i].start != g[i].start ||
		    h[i].end != g[i].end)
			__builtin_trap();
	if (re == JSON_OK && g[lazy].type == JSON_STRING) {
		uc = json_unescape_compact(c, MAXDOC, doc + g[lazy].start,
		    g[lazy].end - g[lazy].start);
		if (dl != uc || (uc > 0 && memcmp(d, c, (size_t)uc) != 0))
			__builtin_trap();
	} else if (re == JSON_OK && dl != JSON_ERR_EMPTY)
		__builtin_trap();
	if (rc == JSON_OK) {
		if (json_fields(doc, len, f, nf) != JSON_OK || re != JSON_OK)
			__builtin_trap();
		for (i = 0; i < nf; i++)
			if (f[i].type != g[i].type || f[i].start != g[i].start ||
			    f[i].end != g[i].end)
				__builtin_trap();
		return;
	}
	if (re != JSON_OK) {
		for (i = 0; i < nf; i++)
			if (g[i].type != JSON_NONE)
				__builtin_trap();
		return;
	}
	/* accepted only by json_envelope: the document nests one level
	   past JSON_MAX_DEPTH (an envelope's own level), or the string it
	   skimmed is bad */
	if (rc == JSON_ERR_DEPTH && nests_one_more(doc, len))
		return;
	if (g[lazy].type != JSON_STRING)
		__builtin_trap();
	sl = g[lazy].end - g[lazy].start;
	if (json_unescape(b, MAXDOC, doc + g[lazy].start, sl) >= 0 ||
	    json_unescape_compact(c, MAXDOC, doc + g[lazy].start, sl) >= 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_lexer lx;
	struct json_field f = { "x", JSON_NONE, 0, 0 };
	struct json_field zoom[3] = { { "module", JSON_NONE, 0, 0 },
	    { "success", JSON_NONE, 0, 0 }, { "content", JSON_NONE, 0, 0 } };
	const char *doc = (const char *)data;
	size_t n0, n1, n2, cut1, cut2, tcap, nb, sl;
	uint32_t h = 2166136261u;
	long la, lb, lc;
	int rc, rc1;

	if (size > MAXDOC)
		return 0;
	for (nb = 0; nb < size; nb++)
		h = (h ^ data[nb]) * 16777619u;
	cut1 = size ? h % (size + 1) : 0;
	cut2 = cut1 + (size ? (h >> 8) % (size - cut1 + 1) : 0);
	tcap = 2 + (h >> 24) % 15;

	rc = scan(doc, size, size, size, 16, t0, &n0);
	if (json_validate(doc, size) != rc)
		__builtin_trap();
	la = json_compact(a, size, doc, size);
	if ((rc == JSON_OK) != (la >= 0) || (la < 0 && la != rc))
		__builtin_trap();

	/* split: the same verdict, tokens and bytes */
	rc1 = scan(doc, size, cut1, cut2, tcap, t1, &n1);
	if (rc1 != rc || !same_tokens(doc, t0, n0, doc, t1, n1))
		__builtin_trap();
	json_lexer_init(&lx);
	nb = 0;
	rc1 = json_lexer_feed(&lx, doc, cut1, b, size, &nb);
	if (rc1 == JSON_OK)
		rc1 = json_lexer_feed(&lx, doc + cut1, cut2 - cut1, b, size, &nb);
	if (rc1 == JSON_OK)
		rc1 = json_lexer_feed(&lx, doc + cut2, size - cut2, b, size, &nb);
	if (rc1 == JSON_OK)
		rc1 = json_lexer_end(&lx, NULL);
	if (rc1 != rc || (rc == JSON_OK && ((size_t)la != nb ||
	    memcmp(a, b, nb) != 0)))
		__builtin_trap();

	check_envelope(doc, size, rc, zoom, 3, 2);
	check_envelope(doc, size, rc, &f, 1, 0);
	if (rc != JSON_OK) {
		if (json_fields(doc, size, &f, 1) != rc || f.type != JSON_NONE)
			__builtin_trap();
		return 0;
	}
	/* compact(doc) is the tokens and the separators, nothing else */
	nb = serialize(doc, t0, n0, b);
	if (nb != (size_t)la || memcmp(a, b, nb) != 0)
		__builtin_trap();
	/* idempotent, same tokens */
	lc = json_compact(c, size, a, (size_t)la);
	if (lc != la || memcmp(a, c, (size_t)la) != 0)
		__builtin_trap();
	if (scan(a, (size_t)la, (size_t)la, (size_t)la, 16, t2, &n2) !=
	    JSON_OK || !same_tokens(doc, t0, n0, a, t2, n2))
		__builtin_trap();
	/* in place */
	memcpy(c, doc, size);
	lc = json_compact(c, size, c, size);
	if (lc != la || memcmp(a, c, (size_t)la) != 0)
		__builtin_trap();

	check_fields(doc, size, t0, n0, h, h >> 11, h >> 22);

	/* a string: decoded in place as apart */
	if (a[0] == '"') {
		sl = (size_t)la;
		lb = json_unescape(b, size, a, sl);
		memcpy(c, a, sl);
		lc = json_unescape(c, sl, c, sl);
		if (lb < 0 || lb != lc || (size_t)lb > sl - 2 ||
		    memcmp(b, c, (size_t)lb) != 0)
			__builtin_trap();
	}
	return 0;
}
