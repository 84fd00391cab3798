/*
 * test_json.c - the strict lexer on valid (y_) and invalid (n_)
 * documents, fed whole, at every pair of split points, byte by byte and
 * with a token array of two slots; exact token streams; the depth
 * limit; unescape; compact; unescape_compact; json_fields on Zoom
 * envelopes and edge cases; json_envelope against json_fields and the
 * decoders; json_streq.
 */
#include <stdlib.h>

#include "t.h"
#include "../json.h"

#define MAXTOK 4096

/* y_: documents that must be accepted. */
static const char *valid[] = {
	/* numbers (RFC 8259 6) */
	"0", "-0", "1", "-1", "9", "10", "-10", "12.5", "0.0", "-0.0", "0.5",
	"1e5", "1E5", "1e+5", "1E-5", "1e05", "0e0", "-0e-0", "-0.5e10",
	"123456789012345678901234567890", "1.7976931348623157e308",
	"1e400", "-1e-400", "0.000001", "3.14159265358979323846264338327950",
	/* literals, strings */
	"true", "false", "null", "\"\"", "\"a\"", "\" \"", "\"/\"", "\"\x7f\"",
	"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u0000\"", "\"\\u001f\"",
	"\"\\u00e9\"", "\"\\u00E9\"", "\"\\uFFFF\"", "\"\\uffFe\"",
	"\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"", "\"\\uDBFF\\uDFFF\"",
	"\"\\ud800\\udc00\"", "\"\\u0041\\ud83d\\ude00\\u0042\"",
	"\"caf\xc3\xa9\"", "\"\xc2\x80\"", "\"\xdf\xbf\"", "\"\xe0\xa0\x80\"",
	"\"\xe2\x82\xac\"", "\"\xed\x9f\xbf\"", "\"\xee\x80\x80\"",
	"\"\xef\xbf\xbf\"", "\"\xf0\x90\x80\x80\"", "\"\xf0\x9f\x98\x80\"",
	"\"\xf4\x8f\xbf\xbf\"", "\"\xf3\xbf\xbf\xbf\"",
	"\"a long string with more than eight bytes of plain text in it\"",
	("\"mixed \\\"escapes\\\" and caf\xc3\xa9 and \\u20ac and \xf0\x9f\x98\x80 "
	    "in one long string\""),
	/* whitespace */
	" \t\r\n1 \t\r\n", "\n\n[\n]\n", "\t{\t}\t",
	"[ 1 , [ ] , { } ]", "{ \"a\" : [ true , false , null ] , \"b\" : { } }",
	/* containers */
	"[]", "{}", "[[]]", "[[[]]]", "[{}]", "{\"a\":{}}", "[1,2,3]",
	"[1.5,-2e3,\"x\",true,false,null,{},[]]", "{\"a\":1}",
	"{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}", "[\"a\",{\"b\":[\"c\"]}]",
	"{\"\":\"\"}", "{\"a\":1,\"a\":2}", "[0,-0,1,-1]", "[1 ,2 ]",
	"{\"\\u0000\":0}", "{\"caf\xc3\xa9\":\"\xe2\x82\xac\"}",
	"[1e5,2]", "[1]", "{\"a\":0}", "{\"a\":-0.0e+1}",
};

/* n_: documents that must be refused, with their error. */
static const struct { const char *doc; int err; } invalid[] = {
	/* nothing */
	{ "", JSON_ERR_EMPTY }, { "   ", JSON_ERR_EMPTY }, { "\n\t\r ", JSON_ERR_EMPTY },
	/* numbers */
	{ "01", JSON_ERR_NUMBER }, { "-01", JSON_ERR_NUMBER }, { "00", JSON_ERR_NUMBER },
	{ "+1", JSON_ERR_SYNTAX }, { ".5", JSON_ERR_SYNTAX }, { "-.5", JSON_ERR_NUMBER },
	{ "1.", JSON_ERR_TRUNCATED }, { "1.e5", JSON_ERR_NUMBER }, { "[1.]", JSON_ERR_NUMBER },
	{ "1e", JSON_ERR_TRUNCATED }, { "1e+", JSON_ERR_TRUNCATED },
	{ "[1e]", JSON_ERR_NUMBER }, { "1e+-1", JSON_ERR_NUMBER }, { "1e5.0", JSON_ERR_NUMBER },
	{ "1.5.5", JSON_ERR_NUMBER }, { "1ee5", JSON_ERR_NUMBER }, { "0x10", JSON_ERR_NUMBER },
	{ "0X10", JSON_ERR_NUMBER }, { "-", JSON_ERR_TRUNCATED }, { "--1", JSON_ERR_NUMBER },
	{ "- 1", JSON_ERR_NUMBER }, { "1 2", JSON_ERR_TRAILING }, { "-a", JSON_ERR_NUMBER },
	{ "1a", JSON_ERR_NUMBER }, { "[1a]", JSON_ERR_NUMBER }, { "2.e3", JSON_ERR_NUMBER },
	{ "NaN", JSON_ERR_SYNTAX }, { "-NaN", JSON_ERR_NUMBER }, { "Infinity", JSON_ERR_SYNTAX },
	{ "-Infinity", JSON_ERR_NUMBER }, { "[01]", JSON_ERR_NUMBER },
	{ "\xef\xbc\x91", JSON_ERR_SYNTAX },
	/* structure */
	{ "[1,]", JSON_ERR_SYNTAX }, { "[,1]", JSON_ERR_SYNTAX }, { "[,]", JSON_ERR_SYNTAX },
	{ "[1,,2]", JSON_ERR_SYNTAX }, { "[1 2]", JSON_ERR_SYNTAX },
	{ "{\"a\":1,}", JSON_ERR_SYNTAX }, { "{,}", JSON_ERR_SYNTAX },
	{ "{\"a\" 1}", JSON_ERR_SYNTAX }, { "{\"a\"::1}", JSON_ERR_SYNTAX },
	{ "{a:1}", JSON_ERR_SYNTAX }, { "{'a':1}", JSON_ERR_SYNTAX }, { "{1:1}", JSON_ERR_SYNTAX },
	{ "{\"a\":}", JSON_ERR_SYNTAX }, { "{\"a\"}", JSON_ERR_SYNTAX },
	{ "{\"a\":1 \"b\":2}", JSON_ERR_SYNTAX }, { "{\"a\":1,,\"b\":2}", JSON_ERR_SYNTAX },
	{ "[1}", JSON_ERR_SYNTAX }, { "{\"a\":1]", JSON_ERR_SYNTAX }, { "[}", JSON_ERR_SYNTAX },
	{ "{]", JSON_ERR_SYNTAX }, { "]", JSON_ERR_SYNTAX }, { "}", JSON_ERR_SYNTAX },
	{ ":", JSON_ERR_SYNTAX }, { ",", JSON_ERR_SYNTAX }, { "[:]", JSON_ERR_SYNTAX },
	{ "[", JSON_ERR_TRUNCATED }, { "{", JSON_ERR_TRUNCATED }, { "[1", JSON_ERR_TRUNCATED },
	{ "[1,", JSON_ERR_TRUNCATED }, { "{\"a\"", JSON_ERR_TRUNCATED },
	{ "{\"a\":", JSON_ERR_TRUNCATED }, { "{\"a\":1", JSON_ERR_TRUNCATED },
	{ "{\"a\":1,", JSON_ERR_TRUNCATED }, { "[[]", JSON_ERR_TRUNCATED },
	{ "[]]", JSON_ERR_TRAILING }, { "[1]x", JSON_ERR_TRAILING }, { "[1] [2]", JSON_ERR_TRAILING },
	{ "{\"a\":1}{}", JSON_ERR_TRAILING }, { "1,", JSON_ERR_TRAILING }, { "\"a\"\"b\"", JSON_ERR_TRAILING },
	{ "null,null", JSON_ERR_TRAILING },
	/* whitespace other than the four */
	{ "\x0c" "1", JSON_ERR_SYNTAX }, { "1\x0b", JSON_ERR_NUMBER }, { "[\x0b]", JSON_ERR_SYNTAX },
	{ "\xc2\xa0" "1", JSON_ERR_SYNTAX }, { "\xef\xbb\xbf" "1", JSON_ERR_SYNTAX },
	/* literals */
	{ "tru", JSON_ERR_TRUNCATED }, { "truex", JSON_ERR_TRAILING }, { "True", JSON_ERR_SYNTAX },
	{ "nul", JSON_ERR_TRUNCATED }, { "nulll", JSON_ERR_TRAILING }, { "fals", JSON_ERR_TRUNCATED },
	{ "falsy", JSON_ERR_SYNTAX }, { "undefined", JSON_ERR_SYNTAX }, { "[t]", JSON_ERR_SYNTAX },
	{ "[nan]", JSON_ERR_SYNTAX },
	/* strings */
	{ "'a'", JSON_ERR_SYNTAX }, { "\"abc", JSON_ERR_TRUNCATED }, { "\"", JSON_ERR_TRUNCATED },
	{ "\"a\tb\"", JSON_ERR_CONTROL }, { "\"a\nb\"", JSON_ERR_CONTROL },
	{ "\"\x01\"", JSON_ERR_CONTROL }, { "\"\x1f\"", JSON_ERR_CONTROL },
 { "\"\\x\"", JSON_ERR_ESCAPE },
	{ "\"\\a\"", JSON_ERR_ESCAPE }, { "\"\\'\"", JSON_ERR_ESCAPE }, { "\"\\U0041\"", JSON_ERR_ESCAPE },
	{ "\"\\0\"", JSON_ERR_ESCAPE }, { "\"\\\x01\"", JSON_ERR_ESCAPE }, { "\"\\\"", JSON_ERR_TRUNCATED },
	{ "\"\\", JSON_ERR_TRUNCATED }, { "\"\\u", JSON_ERR_TRUNCATED }, { "\"\\u00", JSON_ERR_TRUNCATED },
	{ "\"\\u12\"", JSON_ERR_ESCAPE }, { "\"\\u12G4\"", JSON_ERR_ESCAPE }, { "\"\\u-123\"", JSON_ERR_ESCAPE },
	{ "\"\\u 123\"", JSON_ERR_ESCAPE }, { "\"\\x{41}\"", JSON_ERR_ESCAPE },
	/* surrogates (RFC 8259 7, 8.2) */
	{ "\"\\ud800\"", JSON_ERR_ESCAPE }, { "\"\\udc00\"", JSON_ERR_ESCAPE },
	{ "\"\\udfff\"", JSON_ERR_ESCAPE }, { "\"\\udbff\"", JSON_ERR_ESCAPE },
	{ "\"\\ud800\\u0041\"", JSON_ERR_ESCAPE }, { "\"\\ud800\\ud800\"", JSON_ERR_ESCAPE },
	{ "\"\\udc00\\ud800\"", JSON_ERR_ESCAPE }, { "\"\\ud800x\"", JSON_ERR_ESCAPE },
	{ "\"\\ud800\\n\"", JSON_ERR_ESCAPE }, { "\"\\ud800\\\"", JSON_ERR_ESCAPE },
	{ "\"\\ud800", JSON_ERR_TRUNCATED }, { "\"\\ud800\\", JSON_ERR_TRUNCATED },
	{ "\"\\udc00\\udc00\"", JSON_ERR_ESCAPE }, { "\"\\ud83dAudc00\"", JSON_ERR_ESCAPE },
	{ "\"0123456789\\ud83d\\udbff\\udc00 long\"", JSON_ERR_ESCAPE },
	{ "\"\\ud800\\u", JSON_ERR_TRUNCATED }, { "\"a\\ud83d\"", JSON_ERR_ESCAPE },
	/* UTF-8 (RFC 8259 8.1, RFC 3629) */
	{ "\"\xc0\xaf\"", JSON_ERR_UTF8 }, { "\"\xc1\xbf\"", JSON_ERR_UTF8 },
	{ "\"\xe0\x80\xaf\"", JSON_ERR_UTF8 }, { "\"\xe0\x9f\xbf\"", JSON_ERR_UTF8 },
	{ "\"\xf0\x80\x80\xaf\"", JSON_ERR_UTF8 }, { "\"\xf0\x8f\xbf\xbf\"", JSON_ERR_UTF8 },
	{ "\"\xed\xa0\x80\"", JSON_ERR_UTF8 }, { "\"\xed\xbf\xbf\"", JSON_ERR_UTF8 },
	{ "\"\xed\xa0\xbd\xed\xb8\x80\"", JSON_ERR_UTF8 },
	{ "\"\xf4\x90\x80\x80\"", JSON_ERR_UTF8 }, { "\"\xf5\x80\x80\x80\"", JSON_ERR_UTF8 },
	{ "\"\xf7\xbf\xbf\xbf\"", JSON_ERR_UTF8 }, { "\"\xf8\x88\x80\x80\x80\"", JSON_ERR_UTF8 },
	{ "\"\xfe\"", JSON_ERR_UTF8 }, { "\"\xff\"", JSON_ERR_UTF8 }, { "\"\x80\"", JSON_ERR_UTF8 },
	{ "\"\xbf\"", JSON_ERR_UTF8 }, { "\"\xc3\"", JSON_ERR_UTF8 }, { "\"\xc3\x28\"", JSON_ERR_UTF8 },
	{ "\"\xe2\x82\"", JSON_ERR_UTF8 }, { "\"\xe2\x28\xa1\"", JSON_ERR_UTF8 },
	{ "\"\xf0\x9f\x98\"", JSON_ERR_UTF8 }, { "\"\xf0\x9f\x98\x28\"", JSON_ERR_UTF8 },
	{ "\"\xc3\xa9\xa9\"", JSON_ERR_UTF8 }, { "\"\xc3", JSON_ERR_TRUNCATED },
	{ "\"\xf0\x9f\x98", JSON_ERR_TRUNCATED },
	{ "\"a long plain run, then an invalid byte \xff at the end\"", JSON_ERR_UTF8 },
	{ "\"a long plain run, then a tab\there in a word\"", JSON_ERR_CONTROL },
	{ "\"a long plain run, then a DEL\x7f, then \x1f\"", JSON_ERR_CONTROL },
	{ "{\"\xff\":1}", JSON_ERR_UTF8 }, { "{\"a\nb\":1}", JSON_ERR_CONTROL },
	{ "{\"\\ud800\":1}", JSON_ERR_ESCAPE },
};

/* A token's stream fields, compared with its text (offsets differ
   between a document and its compaction). */
static int
same_tokens(const char *da, const struct json_token *a, size_t na,
    const char *db, const struct json_token *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i].kind != b[i].kind || a[i].depth != b[i].depth ||
		    a[i].end - a[i].start != b[i].end - b[i].start ||
		    memcmp(da + a[i].start, db + b[i].start,
		    a[i].end - a[i].start) != 0)
			return 0;
	return 1;
}

/*
 * Lex doc cut at cut[0..ncut) (ascending), with a token array of tcap
 * slots; every token goes to all[]. Returns the verdict.
 */
static int
scan_cut(const char *doc, size_t len, const size_t *cut, size_t ncut,
    size_t tcap, struct json_token *all, size_t *nall)
{
	struct json_lexer lx;
	struct json_token t[64], last;
	size_t from = 0, to, c, nt;
	long n;
	int rc;

	*nall = 0;
	json_lexer_init(&lx);
	for (c = 0; c <= ncut; c++) {
		to = c < ncut ? cut[c] : len;
		while (from < to) {
			n = json_lexer_scan(&lx, doc + from, to - from, t, tcap,
			    &nt);
			if (*nall + nt <= MAXTOK)
				memcpy(all + *nall, t, nt * sizeof(t[0]));
			*nall += nt;
			if (n < 0)
				return (int)n;
			if (n == 0 && nt == 0)
				return 99;      /* no progress: a bug */
			from += (size_t)n;
		}
	}
	rc = json_lexer_end(&lx, &last);
	if (last.kind != JSON_TOK_NONE && *nall < MAXTOK)
		all[(*nall)++] = last;
	return rc;
}

/* Feed doc cut at a and b for compaction: the verdict and output. */
static int
feed3(const char *doc, size_t len, size_t a, size_t b, char *out, size_t *n)
{
	struct json_lexer lx;
	int rc;

	*n = 0;
	json_lexer_init(&lx);
	if ((rc = json_lexer_feed(&lx, doc, a, out, 1 << 16, n)) == JSON_OK &&
	    (rc = json_lexer_feed(&lx, doc + a, b - a, out, 1 << 16, n)) ==
	    JSON_OK &&
	    (rc = json_lexer_feed(&lx, doc + b, len - b, out, 1 << 16, n)) ==
	    JSON_OK)
		rc = json_lexer_end(&lx, NULL);
	return rc;
}

static int
bytewise(const char *doc, size_t len, char *out, size_t *n)
{
	struct json_lexer lx;
	size_t i;
	int rc = JSON_OK;

	*n = 0;
	json_lexer_init(&lx);
	for (i = 0; i < len && rc == JSON_OK; i++)
		rc = json_lexer_feed(&lx, doc + i, 1, out, 1 << 16, n);
	return rc == JSON_OK ? json_lexer_end(&lx, NULL) : rc;
}

/* Every way of feeding doc gives verdict want, the same tokens, and
   (when valid) the same compaction. */
static void
every_split(const char *doc, size_t len, int want)
{
	static char whole[1 << 16], part[1 << 16];
	static struct json_token t0[MAXTOK], t1[MAXTOK];
	size_t a, b, n0, n1, cut[2], n;
	long w;
	int rc;

	rc = scan_cut(doc, len, NULL, 0, 64, t0, &n0);
	CHECK(rc == want);
	if (rc != want)
		printf("  %.*s: got %s, want %s\n", (int)len, doc,
		    json_strerror(rc), json_strerror(want));
	CHECK(json_validate(doc, len) == want);
	w = json_compact(whole, sizeof(whole), doc, len);
	CHECK(want == JSON_OK ? w >= 0 : w == want);
	/* every pair of cuts; past 200 bytes, every single cut */
	for (a = 0; a <= len; a++)
		for (b = len > 200 ? len : a; b <= len; b++) {
			cut[0] = a;
			cut[1] = b;
			CHECK(scan_cut(doc, len, cut, 2, 64, t1, &n1) == want);
			CHECK(same_tokens(doc, t0, n0, doc, t1, n1));
			CHECK(feed3(doc, len, a, b, part, &n) == want);
			if (want == JSON_OK)
				CHECK(n == (size_t)w && memcmp(part, whole, n) == 0);
		}
	/* two slots: the lexer stops and resumes all the time */
	CHECK(scan_cut(doc, len, NULL, 0, 2, t1, &n1) == want);
	CHECK(same_tokens(doc, t0, n0, doc, t1, n1));
	CHECK(bytewise(doc, len, part, &n) == want);
	if (want == JSON_OK)
		CHECK(n == (size_t)w && memcmp(part, whole, n) == 0);
	/* compaction keeps the tokens */
	if (want == JSON_OK) {
		CHECK(scan_cut(whole, (size_t)w, NULL, 0, 64, t1, &n1) ==
		    JSON_OK);
		CHECK(same_tokens(doc, t0, n0, whole, t1, n1));
	}
}

static void
valid_documents_every_split(void)
{
	size_t i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		every_split(valid[i], strlen(valid[i]), JSON_OK);
}

/* Documents with NUL bytes need their length. */
static void
nul_bytes(void)
{
	every_split("\"\x00\"", 3, JSON_ERR_CONTROL);
	every_split("[1,\x00]", 5, JSON_ERR_SYNTAX);
	every_split("1\x00", 2, JSON_ERR_NUMBER);
	every_split("\"\\u0000\"\x00", 9, JSON_ERR_TRAILING);
	every_split("\x00", 1, JSON_ERR_SYNTAX);
}

static void
invalid_documents_every_split(void)
{
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		every_split(invalid[i].doc, strlen(invalid[i].doc),
		    invalid[i].err);
}

static void
exact_tokens(void)
{
	static const char doc[] = " {\"a\" : [1, -2.5e3 ,\"x\\n\"], \"b\":{},"
	    "\"c\":true,\"d\":null,\"e\":false} ";
	static const struct json_token want[] = {
		{ JSON_TOK_OBJECT, 0, 1, 2 },
		{ JSON_TOK_NAME, 1, 2, 5 },
		{ JSON_TOK_ARRAY, 1, 8, 9 },
		{ JSON_TOK_NUMBER, 2, 9, 10 },
		{ JSON_TOK_NUMBER, 2, 12, 18 },
		{ JSON_TOK_STRING, 2, 20, 25 },
		{ JSON_TOK_ARRAY_END, 1, 25, 26 },
		{ JSON_TOK_NAME, 1, 28, 31 },
		{ JSON_TOK_OBJECT, 1, 32, 33 },
		{ JSON_TOK_OBJECT_END, 1, 33, 34 },
		{ JSON_TOK_NAME, 1, 35, 38 },
		{ JSON_TOK_TRUE, 1, 39, 43 },
		{ JSON_TOK_NAME, 1, 44, 47 },
		{ JSON_TOK_NULL, 1, 48, 52 },
		{ JSON_TOK_NAME, 1, 53, 56 },
		{ JSON_TOK_FALSE, 1, 57, 62 },
		{ JSON_TOK_OBJECT_END, 0, 62, 63 },
	};
	static struct json_token t[MAXTOK];
	size_t n, i, nw = sizeof(want) / sizeof(want[0]);

	CHECK(scan_cut(doc, sizeof(doc) - 1, NULL, 0, 64, t, &n) == JSON_OK);
	CHECK(n == nw);
	for (i = 0; i < n && i < nw; i++) {
		CHECK(t[i].kind == want[i].kind);
		CHECK(t[i].depth == want[i].depth);
		CHECK(t[i].start == want[i].start);
		CHECK(t[i].end == want[i].end);
	}
	/* a lone number completes at the end */
	CHECK(scan_cut(" -12 ", 5, NULL, 0, 2, t, &n) == JSON_OK);
	CHECK(n == 1 && t[0].kind == JSON_TOK_NUMBER && t[0].start == 1 &&
	    t[0].end == 4 && t[0].depth == 0);
	CHECK(scan_cut("-12", 3, NULL, 0, 2, t, &n) == JSON_OK);
	CHECK(n == 1 && t[0].kind == JSON_TOK_NUMBER && t[0].start == 0 &&
	    t[0].end == 3);
	/* but not inside an unfinished array */
	CHECK(scan_cut("[12", 3, NULL, 0, 2, t, &n) == JSON_ERR_TRUNCATED);
	CHECK(n == 1 && t[0].kind == JSON_TOK_ARRAY);
}

static void
scan_needs_two_slots(void)
{
	struct json_lexer lx;
	struct json_token t[2];
	size_t n;

	json_lexer_init(&lx);
	CHECK(json_lexer_scan(&lx, "[1]", 3, t, 1, &n) == JSON_ERR_SPACE);
	CHECK(n == 0);
	/* not sticky: the lexer is still usable. With two slots it stops
	   as soon as one is taken. */
	CHECK(json_lexer_scan(&lx, "[1]", 3, t, 2, &n) == 1);
	CHECK(n == 1 && t[0].kind == JSON_TOK_ARRAY && t[0].start == 0);
	CHECK(json_lexer_scan(&lx, "1]", 2, t, 2, &n) == 1);
	CHECK(n == 1 && t[0].kind == JSON_TOK_NUMBER && t[0].start == 1 &&
	    t[0].end == 2 && t[0].depth == 1);
	CHECK(json_lexer_scan(&lx, "]", 1, t, 2, &n) == 1);
	CHECK(n == 1 && t[0].kind == JSON_TOK_ARRAY_END && t[0].start == 2 &&
	    t[0].depth == 0);
	CHECK(json_lexer_end(&lx, NULL) == JSON_OK);
	/* errors stick */
	{
		struct json_token u[8];

		json_lexer_init(&lx);
		CHECK(json_lexer_scan(&lx, "[1,", 3, u, 8, &n) == 3);
		CHECK(n == 2);
		CHECK(json_lexer_scan(&lx, "]", 1, u, 8, &n) == JSON_ERR_SYNTAX);
		CHECK(json_lexer_scan(&lx, "1]", 2, u, 8, &n) ==
		    JSON_ERR_SYNTAX);
		CHECK(n == 0);
		CHECK(json_lexer_end(&lx, NULL) == JSON_ERR_SYNTAX);
	}
}

static void
depth_limit(void)
{
	char doc[8 * JSON_MAX_DEPTH + 16];
	size_t n;
	int d;

	/* arrays: 64 deep is fine, 65 is not */
	for (d = 0; d < JSON_MAX_DEPTH; d++) {
		doc[d] = '[';
		doc[2 * JSON_MAX_DEPTH - 1 - d] = ']';
	}
	CHECK(json_validate(doc, 2 * JSON_MAX_DEPTH) == JSON_OK);
	memmove(doc + 1, doc, 2 * JSON_MAX_DEPTH);
	doc[0] = '[';
	doc[2 * JSON_MAX_DEPTH + 1] = ']';
	CHECK(json_validate(doc, 2 * JSON_MAX_DEPTH + 2) == JSON_ERR_DEPTH);
	/* objects: {"a":{"a":...{}...}} */
	n = 0;
	for (d = 0; d < JSON_MAX_DEPTH - 1; d++) {
		memcpy(doc + n, "{\"a\":", 5);
		n += 5;
	}
	memcpy(doc + n, "{}", 2);
	n += 2;
	for (d = 0; d < JSON_MAX_DEPTH - 1; d++)
		doc[n++] = '}';
	CHECK(json_validate(doc, n) == JSON_OK);
	memmove(doc + 5, doc, n);
	memcpy(doc, "{\"a\":", 5);
	n += 5;
	doc[n++] = '}';
	CHECK(json_validate(doc, n) == JSON_ERR_DEPTH);
	/* the error comes at the 65th opener, however the input is cut */
	every_split(doc, n, JSON_ERR_DEPTH);
	/* mixed, at the limit, then closed and opened again */
	n = 0;
	for (d = 0; d < JSON_MAX_DEPTH; d++) {
		if (d % 2)
			doc[n++] = '[';
		else {
			memcpy(doc + n, "{\"\":", 4);
			n += 4;
		}
	}
	for (d = JSON_MAX_DEPTH - 1; d >= 0; d--)
		doc[n++] = d % 2 ? ']' : '}';
	CHECK(json_validate(doc, n) == JSON_OK);
	CHECK(json_validate("[[]]", 4) == JSON_OK);
}

/* nest: depth levels of [ ... ] around 0, into buf; returns the length. */
static size_t
nest(char *buf, int depth)
{
	size_t n = 0;
	int d;

	for (d = 0; d < depth; d++)
		buf[n++] = '[';
	buf[n++] = '0';
	for (d = 0; d < depth; d++)
		buf[n++] = ']';
	return n;
}

/* An event nests as deep as JSON_MAX_DEPTH whether content carries it
   as an object or as a string: the envelope's level does not count. */
static void
envelope_depth_both_carriages(void)
{
	static char ev[4 * JSON_MAX_DEPTH], doc[16 * JSON_MAX_DEPTH];
	static char out[16 * JSON_MAX_DEPTH];
	struct json_field f[2] = { { "module", 0, 0, 0 },
	    { "content", 0, 0, 0 } };
	size_t en, dn, i;
	long n;
	int depth;

	for (depth = JSON_MAX_DEPTH - 1; depth <= JSON_MAX_DEPTH + 1; depth++) {
		int want = depth <= JSON_MAX_DEPTH ? JSON_OK : JSON_ERR_DEPTH;

		/* {"event":"x","p":<depth - 1 arrays>}: depth levels in all */
		en = (size_t)sprintf(ev, "{\"event\":\"x\",\"p\":");
		en += nest(ev + en, depth - 1);
		ev[en++] = '}';
		/* as an object */
		dn = (size_t)sprintf(doc, "{\"module\":\"message\",\"content\":");
		memcpy(doc + dn, ev, en);
		dn += en;
		dn += (size_t)sprintf(doc + dn, ",\"header\":{}}");
		n = 0;
		CHECK(json_envelope_decode(doc, dn, f, 2, 1, out, sizeof(out),
		    &n) == want);
		if (want == JSON_OK)
			CHECK(f[1].type == JSON_OBJECT && json_compact(out,
			    sizeof(out), doc + f[1].start, f[1].end - f[1].start) ==
			    (long)en);
		/* as a string: the quotes escaped */
		dn = (size_t)sprintf(doc, "{\"module\":\"message\",\"content\":\"");
		for (i = 0; i < en; i++) {
			if (ev[i] == '"')
				doc[dn++] = '\\';
			doc[dn++] = ev[i];
		}
		dn += (size_t)sprintf(doc + dn, "\",\"header\":{}}");
		n = 0;
		CHECK(json_envelope_decode(doc, dn, f, 2, 1, out, sizeof(out),
		    &n) == JSON_OK);
		CHECK(f[1].type == JSON_STRING);
		CHECK(want == JSON_OK ? n == (long)en : n == JSON_ERR_DEPTH);
	}
	/* json_fields stays at JSON_MAX_DEPTH for a whole document */
	dn = nest(doc, JSON_MAX_DEPTH + 1);
	CHECK(json_fields(doc, dn, f, 2) == JSON_ERR_DEPTH);
}

static void
compact_keeps_strings(void)
{
	static const char pretty[] = "{\n  \"a b\" : [ 1 , 2.5e3 ,\t\"x  y\\n\" ],"
	    "\r\n  \"c\": { \"d\" : null },\n  \"e\" : \" \\t \\u0020 \" }\n";
	static const char want[] = "{\"a b\":[1,2.5e3,\"x  y\\n\"],"
	    "\"c\":{\"d\":null},\"e\":\" \\t \\u0020 \"}";
	char buf[sizeof(pretty)], buf2[sizeof(pretty)];
	size_t cap, wl = sizeof(want) - 1;
	long n;

	n = json_compact(buf, sizeof(buf), pretty, sizeof(pretty) - 1);
	CHECK(n == (long)wl);
	CHECK_MEM(buf, want, wl);
	/* in place */
	memcpy(buf, pretty, sizeof(pretty));
	n = json_compact(buf, sizeof(buf), buf, sizeof(pretty) - 1);
	CHECK(n == (long)wl);
	CHECK_MEM(buf, want, wl);
	/* idempotent */
	n = json_compact(buf2, sizeof(buf2), buf, wl);
	CHECK(n == (long)wl);
	CHECK_MEM(buf2, want, wl);
	/* exactly the room it needs, and one less */
	for (cap = 0; cap < wl; cap++)
		CHECK(json_compact(buf, cap, pretty, sizeof(pretty) - 1) ==
		    JSON_ERR_SPACE);
	CHECK(json_compact(buf, wl, pretty, sizeof(pretty) - 1) == (long)wl);
	/* invalid: no output length */
	CHECK(json_compact(buf, sizeof(buf), "[1,]", 4) == JSON_ERR_SYNTAX);
	CHECK(json_compact(buf, sizeof(buf), " ", 1) == JSON_ERR_EMPTY);
	/* a top-level scalar */
	CHECK(json_compact(buf, sizeof(buf), "  -1.5e3 \n", 10) == 6);
	CHECK_MEM(buf, "-1.5e3", 6);
}

static void
compact_in_place_in_pieces(void)
{
	char buf[] = "[ 1 ,\n\"a b\" , { \"k\" : [ ] } ]";
	static const char want[] = "[1,\"a b\",{\"k\":[]}]";
	struct json_lexer lx;
	size_t n = 0, len = sizeof(buf) - 1, at, step;

	for (step = 1; step <= len; step++) {
		memcpy(buf, "[ 1 ,\n\"a b\" , { \"k\" : [ ] } ]", len);
		json_lexer_init(&lx);
		n = 0;
		for (at = 0; at < len; at += step)
			CHECK(json_lexer_feed(&lx, buf + at, at + step > len ?
			    len - at : step, buf, len, &n) == JSON_OK);
		CHECK(json_lexer_end(&lx, NULL) == JSON_OK);
		CHECK(n == sizeof(want) - 1);
		CHECK_MEM(buf, want, sizeof(want) - 1);
	}
	/* *outlen past cap */
	json_lexer_init(&lx);
	n = 5;
	CHECK(json_lexer_feed(&lx, "1", 1, buf, 4, &n) == JSON_ERR_SPACE);
}

static void
unescape_forms(void)
{
	char out[64];
	long n;
	static const char s1[] = "\"\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"";
	static const char s2[] = "\"caf\\u00e9 \\u20ac \\ud83d\\ude00\"";

	n = json_unescape(out, sizeof(out), s1, sizeof(s1) - 1);
	CHECK(n == 11);
	CHECK_MEM(out, "\" \\ / \b\f\n\r\t", 11);
	n = json_unescape(out, sizeof(out), s2, sizeof(s2) - 1);
	CHECK(n == 14);
	CHECK_MEM(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14);
	n = json_unescape(out, sizeof(out), "\"\\u00e9\"", 8);
	CHECK(n == 2 && memcmp(out, "\xc3\xa9", 2) == 0);
	n = json_unescape(out, sizeof(out), "\"\\u20ac\"", 8);
	CHECK(n == 3 && memcmp(out, "\xe2\x82\xac", 3) == 0);
	n = json_unescape(out, sizeof(out), "\"\\ud83d\\ude00\"", 14);
	CHECK(n == 4 && memcmp(out, "\xf0\x9f\x98\x80", 4) == 0);
	n = json_unescape(out, sizeof(out), "\"\\uDBFF\\uDFFF\"", 14);
	CHECK(n == 4 && memcmp(out, "\xf4\x8f\xbf\xbf", 4) == 0);
	n = json_unescape(out, sizeof(out), "\"\\u007f\\u0080\\u07ff\\u0800\"", 26);
	CHECK(n == 8 && memcmp(out, "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80", 8) == 0);
	n = json_unescape(out, sizeof(out), "\"a\\u0000b\"", 10);
	CHECK(n == 3 && memcmp(out, "a\0b", 3) == 0);
	n = json_unescape(out, sizeof(out), "\"\"", 2);
	CHECK(n == 0);
	n = json_unescape(out, sizeof(out), "\"caf\xc3\xa9\"", 7);
	CHECK(n == 5 && memcmp(out, "caf\xc3\xa9", 5) == 0);
	/* errors */
	CHECK(json_unescape(out, sizeof(out), "\"\\ud800\"", 8) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\udc00\"", 8) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\ud800\\u0041\"", 14) ==
	    JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\ude00\\ud83d\"", 14) ==
	    JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\ud83d\"", 8) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\ud83dAudc00\"", 14) ==
	    JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\ud83d\\Udc00\"", 14) ==
	    JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\udc00\\udc00\"", 14) ==
	    JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"a longer plain run\tthen\"", 25) ==
	    JSON_ERR_CONTROL);
	CHECK(json_unescape(out, sizeof(out), "\"\\ud83d\\\"", 9) ==
	    JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\q\"", 4) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\u12\"", 6) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\u12x4\"", 8) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\\"", 3) == JSON_ERR_TRUNCATED);
	CHECK(json_unescape(out, sizeof(out), "\"a\"b\"", 5) == JSON_ERR_SYNTAX);
	CHECK(json_unescape(out, sizeof(out), "\"a\nb\"", 5) == JSON_ERR_CONTROL);
	CHECK(json_unescape(out, sizeof(out), "\"\xc3\"", 3) == JSON_ERR_UTF8);
	CHECK(json_unescape(out, sizeof(out), "\"\xed\xa0\x80\"", 5) == JSON_ERR_UTF8);
	CHECK(json_unescape(out, sizeof(out), "\"\xc0\x80\"", 4) == JSON_ERR_UTF8);
	CHECK(json_unescape(out, sizeof(out), "abc", 3) == JSON_ERR_SYNTAX);
	CHECK(json_unescape(out, sizeof(out), "\"", 1) == JSON_ERR_SYNTAX);
	CHECK(json_unescape(out, sizeof(out), "\"abc", 4) == JSON_ERR_SYNTAX);
	CHECK(json_unescape(out, sizeof(out), "", 0) == JSON_ERR_SYNTAX);
}

/* Each cap below the decoded length is JSON_ERR_SPACE; the exact length
   is enough, and nothing is written past cap. */
static void
unescape_cap(void)
{
	static const char s[] = "\"ab \\u00e9\\n \\ud83d\\ude00 the rest of "
	    "a longer plain run \\u20ac!\"";
	char out[128];
	long want, n;
	size_t cap;

	want = json_unescape(out, sizeof(out), s, sizeof(s) - 1);
	CHECK(want == 47);
	for (cap = 0; cap <= (size_t)want; cap++) {
		memset(out, 'Z', sizeof(out));
		n = json_unescape(out, cap, s, sizeof(s) - 1);
		CHECK(n == (cap < (size_t)want ? JSON_ERR_SPACE : want));
		CHECK(out[cap] == 'Z');
	}
}

static void
unescape_in_place(void)
{
	char buf[] = "\"{\\\"event\\\":\\\"caf\\u00e9\\\",\\\"n\\\":1,"
	    "\\\"s\\\":\\\"\\ud83d\\ude00 a longer run of plain text here\\\"}\"";
	static const char want[] = "{\"event\":\"caf\xc3\xa9\",\"n\":1,"
	    "\"s\":\"\xf0\x9f\x98\x80 a longer run of plain text here\"}";
	char copy[sizeof(buf)], sep[sizeof(buf)];
	long n;

	memcpy(copy, buf, sizeof(buf));
	n = json_unescape(sep, sizeof(sep), copy, sizeof(copy) - 1);
	CHECK(n == (long)sizeof(want) - 1);
	CHECK_MEM(sep, want, sizeof(want) - 1);
	n = json_unescape(buf, sizeof(buf), buf, sizeof(buf) - 1);
	CHECK(n == (long)sizeof(want) - 1);
	CHECK_MEM(buf, want, sizeof(want) - 1);
	/* in place, a string without escapes decodes to itself, shifted */
	memcpy(buf, "\"plain text that is long enough\"", 32);
	n = json_unescape(buf, 32, buf, 32);
	CHECK(n == 30 && memcmp(buf, "plain text that is long enough", 30) == 0);
}

static void
unescape_compact_one_pass(void)
{
	static const char *lits[] = {
		("\"{\\\"event\\\":\\\"meeting.started\\\",\\\"payload\\\":{"
		    "\\\"topic\\\":\\\"caf\\\\u00e9 \\u20ac\\\"}}\""),
		"\"{\\n  \\\"a\\\" : [ 1 , 2 ],\\r\\n\\t\\\"b\\\" : \\\" x \\\"\\n}\\n\"",
		"\"  [ ]  \"", "\"1\"", "\"\\\"s p\\\"\"",
		"\"[1,]\"", "\"\"", "\"   \"", "\"{\\\"a\\\":1} x\"",
		"\"[\\\"\\u0000\\\"]\"", "\"[\\\"\\\\u0000\\\"]\"", "\"\\ud800\"",
		"\"[\\\"\\ud83d\\ude00\\\"]\"", "\"[\\\"\\ud83d\"",
	};
	char text[512], want[512], got[512], inplace[512];
	long tl, wl, gl, il;
	size_t i, len;

	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		len = strlen(lits[i]);
		tl = json_unescape(text, sizeof(text), lits[i], len);
		wl = tl < 0 ? tl : json_compact(want, sizeof(want), text,
		    (size_t)tl);
		gl = json_unescape_compact(got, sizeof(got), lits[i], len);
		CHECK(gl == wl);
		if (gl != wl)
			printf("  %s: %ld, two passes %ld\n", lits[i], gl, wl);
		if (wl >= 0 && gl == wl)
			CHECK_MEM(got, want, (size_t)wl);
		memcpy(inplace, lits[i], len);
		il = json_unescape_compact(inplace, len, inplace, len);
		CHECK(il == wl);
		if (wl >= 0 && il == wl)
			CHECK_MEM(inplace, want, (size_t)wl);
	}
	CHECK(json_unescape_compact(got, 2, lits[0], strlen(lits[0])) ==
	    JSON_ERR_SPACE);
	CHECK(json_unescape_compact(got, sizeof(got), "[1]", 3) ==
	    JSON_ERR_SYNTAX);
}

/* Scalars, valid and not, in every place a container gives them, and
   strings one after another: one pass equals two, apart and in place. */
static void
unescape_compact_scalars(void)
{
	static const char *scalars[] = { "0", "-0", "7", "-12", "1706123456789",
	    "0.5", "-1.25", "1e5", "1E+5", "2e-08", "-0.0E-0", "01", "-",
	    "-a", "1.", "1.e3", ".5", "1e", "1e+", "1ee", "0x1", "1-",
	    "true", "false", "null", "tru", "nul", "truex", "True", "nulll",
	    "t", "\"s\"", "\"\"" };
	static const char *forms[] = { "[%s]", "[%s,1]", "[1,%s]", "{\"a\":%s}",
	    "{\"a\":%s,\"b\":%s}", "%s", "[%s ]", "[%s\n]", "{\"a\":[%s,%s]}",
	    "[%s,%s,\"x\"]", "{\"a\":%s}x", "[%s}", "{\"a\":%s]", "%s,",
	    "[%s\"s\"]", "{\"a\" :%s,\"b\": %s }", "%s,%s" };
	char doc[128], lit[512], text[512], want[512], got[512];
	size_t i, j, k, n, len;
	long tl, wl, gl;
	int bad = 0;

	for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		for (j = 0; j < sizeof(forms) / sizeof(forms[0]); j++) {
			n = (size_t)snprintf(doc, sizeof(doc), forms[j],
			    scalars[i], scalars[i]);
			len = 0;
			lit[len++] = '"';
			for (k = 0; k < n; k++) {
				if (doc[k] == '"' || doc[k] == '\\')
					lit[len++] = '\\';
				if (doc[k] == '\n') {
					lit[len++] = '\\';
					lit[len++] = 'n';
				} else
					lit[len++] = doc[k];
			}
			lit[len++] = '"';
			tl = json_unescape(text, sizeof(text), lit, len);
			wl = json_compact(want, sizeof(want), text, (size_t)tl);
			gl = json_unescape_compact(got, sizeof(got), lit, len);
			if (gl != wl || (wl >= 0 &&
			    memcmp(got, want, (size_t)wl) != 0)) {
				if (bad++ < 3)
					printf("  %s: %ld, two passes %ld\n", doc,
					    gl, wl);
				continue;
			}
			gl = json_unescape_compact(lit, len, lit, len);
			if (gl != wl || (wl >= 0 && memcmp(lit, want, (size_t)wl)))
				if (bad++ < 3)
					printf("  %s in place: %ld\n", doc, gl);
		}
	CHECK(bad == 0);
}

/* A long event in one literal: the decoder's chunks meet the lexer's
   states at every offset. */
static void
unescape_compact_long(void)
{
	static char lit[20000], text[20000], want[20000], got[20000];
	size_t n = 0;
	long tl, wl, gl;
	int i;

	lit[n++] = '"';
	memcpy(lit + n, "[ ", 2);
	n += 2;
	for (i = 0; i < 700; i++) {
		static const char *parts[] = { "\\\"caf\\u00e9\\\" , ",
		    "12.5e-3 ,\\n", "{ \\\"k\\\\\\\"\\\" : true } , ",
		    "\\\"\\\\ud83d\\\\ude00 \xe2\x82\xac\\\",\\t" };
		const char *p = parts[i % 4];

		memcpy(lit + n, p, strlen(p));
		n += strlen(p);
	}
	memcpy(lit + n, "null ]\"", 7);
	n += 7;
	tl = json_unescape(text, sizeof(text), lit, n);
	CHECK(tl > 0);
	wl = json_compact(want, sizeof(want), text, (size_t)tl);
	CHECK(wl > 0);
	gl = json_unescape_compact(got, sizeof(got), lit, n);
	CHECK(gl == wl && memcmp(got, want, (size_t)wl) == 0);
	gl = json_unescape_compact(lit, n, lit, n);
	CHECK(gl == wl && memcmp(lit, want, (size_t)wl) == 0);
}

/* Random documents, mostly valid, some broken before or after they are
   put in a literal, some of their characters escaped in the literal
   (even brackets, as \u007b): one pass equals two, apart and in place,
   with the same error when the literal itself is valid. */
static uint32_t rng = 2463534242u;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}

static void
add(char *d, size_t *n, size_t cap, const char *str)
{
	size_t l = strlen(str);

	if (*n + l < cap) {
		memcpy(d + *n, str, l);
		*n += l;
	}
}

static void
gen_value(char *d, size_t *n, size_t cap, int depth)
{
	static const char *strs[] = { "meeting.started", "caf\\u00e9",
	    "Zo\xc3\xab \\\"Produit\\\"", "a\\\\b", "\\ud83d\\ude00 \xe2\x82\xac",
	    "", "x\\ny", "\\/", "R\\u00e9union \xe2\x80\x94 #0" };
	static const char *atoms[] = { "0", "-1", "12.5e-3", "1706123456789",
	    "true", "false", "null", "2E+8" };
	static const char *ws[] = { "", "", "", " ", "\n  ", "\t", "\r\n" };
	int k = depth > 4 ? 2 + (int)rnd(2) : (int)rnd(4), i, m;

#define ADD(str) add(d, n, cap, (str))
	ADD(ws[rnd(7)]);
	if (k == 0 || k == 1) {
		ADD(k == 0 ? "{" : "[");
		m = (int)rnd(5);
		for (i = 0; i < m; i++) {
			if (i > 0)
				ADD(",");
			ADD(ws[rnd(7)]);
			if (k == 0) {
				ADD("\"");
				ADD(strs[rnd(9)]);
				ADD("\"");
				ADD(ws[rnd(7)]);
				ADD(":");
			}
			gen_value(d, n, cap, depth + 1);
		}
		ADD(ws[rnd(7)]);
		ADD(k == 0 ? "}" : "]");
	} else if (k == 2) {
		ADD("\"");
		ADD(strs[rnd(9)]);
		ADD("\"");
	} else
		ADD(atoms[rnd(8)]);
	ADD(ws[rnd(7)]);
#undef ADD
}

static void
unescape_compact_random(void)
{
	static char doc[4096], lit[16384], text[16384], want[16384],
	    got[16384], inplace[16384];
	static const char bytes[] = "{}[]:,\"\\ \n0a\x01\xc3\xa9";
	size_t n, len, i;
	long tl, wl, gl, il;
	int iter, bad = 0;

	for (iter = 0; iter < 30000; iter++) {
		n = 0;
		gen_value(doc, &n, sizeof(doc), 0);
		if (rnd(4) == 0 && n > 0)       /* break the document */
			doc[rnd((unsigned)n)] = bytes[rnd(sizeof(bytes) - 1)];
		len = 0;
		lit[len++] = '"';
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)doc[i];

			if (c == '"' || c == '\\') {
				lit[len++] = '\\';
				lit[len++] = (char)c;
			} else if (c == '\n') {
				memcpy(lit + len, "\\n", 2);
				len += 2;
			} else if (c < 0x20 || (c < 0x80 && rnd(16) == 0)) {
				len += (size_t)sprintf(lit + len, "\\u%04x", c);
			} else if (c == '/' && rnd(2))
				len += (size_t)sprintf(lit + len, "\\/");
			else
				lit[len++] = (char)c;
		}
		lit[len++] = '"';
		if (rnd(8) == 0)                /* break the literal */
			lit[1 + rnd((unsigned)len - 2)] =
			    bytes[rnd(sizeof(bytes) - 1)];
		tl = json_unescape(text, sizeof(text), lit, len);
		wl = tl < 0 ? tl : json_compact(want, sizeof(want), text,
		    (size_t)tl);
		gl = json_unescape_compact(got, sizeof(got), lit, len);
		memcpy(inplace, lit, len);
		il = json_unescape_compact(inplace, len, inplace, len);
		if (tl < 0 ? (gl >= 0 || il >= 0) : (gl != wl || il != wl ||
		    (wl >= 0 && (memcmp(got, want, (size_t)wl) != 0 ||
		    memcmp(inplace, want, (size_t)wl) != 0)))) {
			if (bad++ < 3)
				printf("  %.*s: %ld/%ld, two passes %ld\n",
				    (int)len, lit, gl, il, wl);
		}
	}
	CHECK(bad == 0);
}

/*
 * The fast path's edges: a piece after a run of k plain bytes (k up to
 * three blocks), the literal at every alignment of a block, so that runs
 * end, escapes begin and UTF-8 sequences split at every offset of one.
 * The pieces as the literal has them: inner escapes, literal escapes,
 * raw UTF-8 of each length, and errors. json_unescape_compact (apart and
 * in place) and json_envelope_decode against the two passes.
 */
static void
unescape_compact_block_edges(void)
{
	static const char *pieces[] = {
		"\\\\\\\"", "\\\\\\\\", "\\\\n", "\\\\/", "\\\\u00e9",
		"\\\\ud83d\\\\ude00", "\xc3\xa9", "\xe2\x80\x94",
		"\xf0\x9f\x98\x80", "\\u00e9", "\\/", "\\ud83d\\ude00", "\\n",
		"\xc3(", "\xe2\x80", "\\\\x", "\\\"", "\x01", "\\\\u12",
		"\\\",\\\"c\\\":\\\"", "\\\":1}", "", "\\\\\\\\\\\"",
	};
	static char lit[256], buf[256 + 16], text[512], want[512], got[512],
	    env[512];
	struct json_field f[3] = { { "module", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "content", 0, 0, 0 } };
	size_t i, k, al, len, el;
	long tl, wl, gl, dl;
	int bad = 0, shown = 0;

	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
		for (k = 0; k <= 48; k++) {
			len = strlen(strcpy(lit, "\"{\\\"a\\\":\\\""));
			memset(lit + len, 'x', k);
			len += k;
			memcpy(lit + len, pieces[i], strlen(pieces[i]));
			len += strlen(pieces[i]);
			strcpy(lit + len, "y\\\",\\\"b\\\":[1,{}]}\"");
			len += strlen(lit + len);
			tl = json_unescape(text, sizeof(text), lit, len);
			wl = tl < 0 ? tl : json_compact(want, sizeof(want),
			    text, (size_t)tl);
			for (al = 0; al < 16; al++) {
				memcpy(buf + al, lit, len);
				gl = json_unescape_compact(got, sizeof(got),
				    buf + al, len);
				bad += tl < 0 ? gl >= 0 : gl != wl ||
				    (wl >= 0 && memcmp(got, want, (size_t)wl));
				gl = json_unescape_compact(buf + al, len,
				    buf + al, len);
				bad += tl < 0 ? gl >= 0 : gl != wl ||
				    (wl >= 0 && memcmp(buf + al, want,
				    (size_t)wl));
				el = (size_t)sprintf(env + al,
				    "{\"module\":\"message\",\"content\":%.*s}",
				    (int)len, lit);
				if (json_envelope_decode(env + al, el, f, 3, 2,
				    got, sizeof(got), &dl) == JSON_OK)
					bad += tl < 0 ? dl >= 0 : dl != wl ||
					    (wl >= 0 && memcmp(got, want,
					    (size_t)wl));
				else
					bad += tl >= 0 && wl >= 0;
			}
			if (bad > 0 && shown++ < 3)
				printf("  piece %zu after %zu: %.*s (%ld)\n", i,
				    k, (int)len, lit, wl);
		}
	CHECK(bad == 0);
}

static void
fields_of_envelopes(void)
{
	static const char msg[] = "{\"module\":\"message\",\"content\":"
	    "\"{\\\"event\\\":\\\"meeting.started\\\",\\\"event_ts\\\":"
	    "1706123456789,\\\"payload\\\":{\\\"account_id\\\":\\\"x\\\"}}\","
	    "\"header\":{}}";
	static const char ok[] = "{\"module\":\"build_connection\",\"success\":"
	    "true,\"content\":\"ok\",\"header\":{}}";
	static const char refused[] = "{\"module\":\"build_connection\","
	    "\"success\":false,\"content\":\"token is empty\",\"header\":{}}";
	static const char beat[] = "{\"module\":\"heartbeat\",\"success\":true,"
	    "\"content\":\"live\",\"header\":{}}";
	static const char obj[] = "{\"module\":\"message\",\"content\":"
	    "{\"event\":\"user.created\",\"payload\":{\"content\":[1]}},"
	    "\"header\":{\"content\":null}}";
	struct json_field f[4] = { { "module", 0, 0, 0 }, { "content", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "header", 0, 0, 0 } };
	char ev[256];
	long n;

	CHECK(json_fields(msg, sizeof(msg) - 1, f, 4) == JSON_OK);
	CHECK(f[0].type == JSON_STRING && f[0].start == 10 && f[0].end == 19);
	CHECK(json_streq(msg + f[0].start, f[0].end - f[0].start, "message"));
	CHECK(f[1].type == JSON_STRING && f[1].start == 30);
	CHECK(f[1].end == sizeof(msg) - 1 - 13);
	CHECK(f[2].type == JSON_NONE && f[2].start == 0 && f[2].end == 0);
	CHECK(f[3].type == JSON_OBJECT && f[3].end - f[3].start == 2);
	n = json_unescape(ev, sizeof(ev), msg + f[1].start, f[1].end - f[1].start);
	CHECK(n > 0);
	{
		struct json_field e = { "event", 0, 0, 0 };

		CHECK(json_fields(ev, (size_t)n, &e, 1) == JSON_OK);
		CHECK(e.type == JSON_STRING);
		CHECK(json_streq(ev + e.start, e.end - e.start, "meeting.started"));
	}
	CHECK(json_fields(ok, sizeof(ok) - 1, f, 4) == JSON_OK);
	CHECK(json_streq(ok + f[0].start, f[0].end - f[0].start,
	    "build_connection"));
	CHECK(f[2].type == JSON_TRUE && f[2].end - f[2].start == 4);
	CHECK(json_fields(refused, sizeof(refused) - 1, f, 4) == JSON_OK);
	CHECK(f[2].type == JSON_FALSE && f[2].end - f[2].start == 5);
	CHECK(json_streq(refused + f[1].start, f[1].end - f[1].start,
	    "token is empty"));
	CHECK(json_fields(beat, sizeof(beat) - 1, f, 4) == JSON_OK);
	CHECK(json_streq(beat + f[0].start, f[0].end - f[0].start, "heartbeat"));
	CHECK(json_streq(beat + f[1].start, f[1].end - f[1].start, "live"));
	/* content as an object; "content" deeper down is not matched */
	CHECK(json_fields(obj, sizeof(obj) - 1, f, 4) == JSON_OK);
	CHECK(f[1].type == JSON_OBJECT && f[1].start == 30);
	CHECK(memcmp(obj + f[1].start, "{\"event\"", 8) == 0);
	CHECK(obj[f[1].end - 1] == '}' && obj[f[1].end] == ',');
	CHECK(f[1].end - f[1].start == 50);
	CHECK(f[3].type == JSON_OBJECT && f[3].end == sizeof(obj) - 2);
}

static void
fields_edge_cases(void)
{
	static const char nested[] = "{ \"header\" : { \"content\" : 1 } , "
	    "\"m\\u006fdule\" : \"build_connection\" , \"content\":{\"a\":[1]} }";
	static const char pretty[] = "\n{\n  \"a\" : [ 1 , 2 ] ,\n  \"b\" :\t"
	    "\"x y\" ,\n  \"c\" : -1.5e3\n}\n";
	static const char types[] = "{\"o\":{\"x\":[]},\"a\":[{},[]],\"s\":\"\","
	    "\"n\":0,\"t\":true,\"f\":false,\"z\":null}";
	static const char odd[] = "{\"a\\\"b\":1,\"caf\\u00e9\":2,\"\":3,"
	    "\"\\u0000\":4,\"x\\\\\":5,\"\\ud83d\\ude00\":6}";
	struct json_field f[4] = { { "module", 0, 0, 0 }, { "content", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "header", 0, 0, 0 } };
	struct json_field g[3] = { { "a", 0, 0, 0 }, { "b", 0, 0, 0 },
	    { "c", 0, 0, 0 } };
	struct json_field t[7] = { { "o", 0, 0, 0 }, { "a", 0, 0, 0 },
	    { "s", 0, 0, 0 }, { "n", 0, 0, 0 }, { "t", 0, 0, 0 },
	    { "f", 0, 0, 0 }, { "z", 0, 0, 0 } };
	struct json_field o[6] = { { "a\"b", 0, 0, 0 }, { "caf\xc3\xa9", 0, 0, 0 },
	    { "", 0, 0, 0 }, { "x\\", 0, 0, 0 }, { "\xf0\x9f\x98\x80", 0, 0, 0 },
	    { "a\\\"b", 0, 0, 0 } };
	struct json_field d[3] = { { "k", 0, 0, 0 }, { "k", 0, 0, 0 },
	    { "j", 0, 0, 0 } };

	/* an escaped member name; "content" inside "header" is not it */
	CHECK(json_fields(nested, sizeof(nested) - 1, f, 4) == JSON_OK);
	CHECK(f[0].type == JSON_STRING);
	CHECK(json_streq(nested + f[0].start, f[0].end - f[0].start,
	    "build_connection"));
	CHECK(f[1].type == JSON_OBJECT && f[1].end - f[1].start == 9);
	CHECK(f[2].type == JSON_NONE);
	CHECK(f[3].type == JSON_OBJECT && nested[f[3].start + 2] == '"');
	/* whitespace around everything */
	CHECK(json_fields(pretty, sizeof(pretty) - 1, g, 3) == JSON_OK);
	CHECK(g[0].type == JSON_ARRAY && g[0].end - g[0].start == 9);
	CHECK(g[1].type == JSON_STRING && g[1].end - g[1].start == 5);
	CHECK(g[2].type == JSON_NUMBER && g[2].end - g[2].start == 6);
	CHECK(memcmp(pretty + g[2].start, "-1.5e3", 6) == 0);
	/* every type */
	CHECK(json_fields(types, sizeof(types) - 1, t, 7) == JSON_OK);
	CHECK(t[0].type == JSON_OBJECT && t[0].end - t[0].start == 8);
	CHECK(t[1].type == JSON_ARRAY && t[1].end - t[1].start == 7);
	CHECK(t[2].type == JSON_STRING && t[2].end - t[2].start == 2);
	CHECK(t[3].type == JSON_NUMBER && t[3].end - t[3].start == 1);
	CHECK(t[4].type == JSON_TRUE && t[5].type == JSON_FALSE &&
	    t[6].type == JSON_NULL);
	CHECK(t[6].end == sizeof(types) - 2);
	/* names with quotes, backslashes, non-ASCII, empty */
	CHECK(json_fields(odd, sizeof(odd) - 1, o, 6) == JSON_OK);
	CHECK(o[0].type == JSON_NUMBER && odd[o[0].start] == '1');
	CHECK(o[1].type == JSON_NUMBER && odd[o[1].start] == '2');
	CHECK(o[2].type == JSON_NUMBER && odd[o[2].start] == '3');
	CHECK(o[3].type == JSON_NUMBER && odd[o[3].start] == '5');
	CHECK(o[4].type == JSON_NUMBER && odd[o[4].start] == '6');
	CHECK(o[5].type == JSON_NONE);
	/* duplicates: the first wins, for every field with that key */
	CHECK(json_fields("{\"k\":1,\"j\":[],\"k\":2,\"j\":3}", 26, d, 3) ==
	    JSON_OK);
	CHECK(d[0].type == JSON_NUMBER && d[0].start == 5 && d[0].end == 6);
	CHECK(d[1].type == JSON_NUMBER && d[1].start == 5 && d[1].end == 6);
	CHECK(d[2].type == JSON_ARRAY && d[2].start == 11 && d[2].end == 13);
	/* duplicate names, one escaped */
	CHECK(json_fields("{\"\\u006b\":1,\"k\":2}", 18, d, 1) == JSON_OK);
	CHECK(d[0].type == JSON_NUMBER && d[0].start == 10);
	/* not an object: valid, nothing found */
	CHECK(json_fields("[{\"k\":1}]", 9, d, 3) == JSON_OK);
	CHECK(d[0].type == JSON_NONE && d[1].type == JSON_NONE &&
	    d[2].type == JSON_NONE);
	CHECK(json_fields("\"k\"", 3, d, 1) == JSON_OK && d[0].type == JSON_NONE);
	CHECK(json_fields("7", 1, d, 1) == JSON_OK && d[0].type == JSON_NONE);
	/* invalid: the error, and nothing found */
	CHECK(json_fields("{\"k\":1,}", 8, d, 1) == JSON_ERR_SYNTAX);
	CHECK(d[0].type == JSON_NONE && d[0].start == 0);
	CHECK(json_fields("{\"k\":1} x", 9, d, 1) == JSON_ERR_TRAILING);
	CHECK(d[0].type == JSON_NONE);
	CHECK(json_fields("{\"k\":1", 6, d, 1) == JSON_ERR_TRUNCATED);
	CHECK(json_fields("", 0, d, 1) == JSON_ERR_EMPTY);
	/* no fields asked: just validation */
	CHECK(json_fields("{\"k\":1}", 7, NULL, 0) == JSON_OK);
	CHECK(json_fields("{\"k\":1,}", 8, NULL, 0) == JSON_ERR_SYNTAX);
	/* a field found early does not stop validation */
	CHECK(json_fields("{\"k\":1,\"x\":\"\xff\"}", 15, d, 1) == JSON_ERR_UTF8);
	CHECK(d[0].type == JSON_NONE);
}

/* Many members: json_fields takes its tokens in several batches. */
static void
fields_many_members(void)
{
	static char doc[8192];
	struct json_field f[3] = { { "m0", 0, 0, 0 }, { "m150", 0, 0, 0 },
	    { "m299", 0, 0, 0 } };
	size_t n = 0;
	int i;

	doc[n++] = '{';
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(doc + n, "%s\"m%d\":[%d,{\"m0\":0}]",
		    i ? "," : "", i, i);
	doc[n++] = '}';
	CHECK(json_fields(doc, n, f, 3) == JSON_OK);
	CHECK(f[0].type == JSON_ARRAY && memcmp(doc + f[0].start, "[0,", 3) == 0);
	CHECK(f[1].type == JSON_ARRAY && memcmp(doc + f[1].start, "[150,", 5) == 0);
	CHECK(f[2].type == JSON_ARRAY && memcmp(doc + f[2].start, "[299,", 5) == 0);
	CHECK(f[2].end == n - 1);
}

/*
 * The fields of json_envelope (a: skimming the content string, lazy the
 * index of "content") and of json_fields (b) on one document: 1 when
 * both accept it and agree, or both refuse it.
 */
#define ENV_KEYS { { "module", 0, 0, 0 }, { "success", 0, 0, 0 }, \
	{ "content", 0, 0, 0 }, { "header", 0, 0, 0 } }

static int
same_fields(const struct json_field *a, const struct json_field *b,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i].type != b[i].type || a[i].start != b[i].start ||
		    a[i].end != b[i].end)
			return 0;
	return 1;
}

/* Where the string whose opening quote is at s[0] ends, one byte at a
   time: the index of the first quote no backslash escapes, or 0. */
static size_t
string_end_slow(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return 0;
}

/* Valid documents: json_envelope gives what json_fields gives. */
static void
envelope_as_fields(void)
{
	static const char *docs[] = {
		/* Zoom's messages */
		"{\"module\":\"message\",\"content\":\"{\\\"event\\\":\\\"meeting."
		    "started\\\",\\\"payload\\\":{\\\"a\\\":\\\"caf\\u00e9 \\\\\\\" "
		    "\\\\\\\\ \xe2\x82\xac\\\"}}\",\"header\":{}}",
		"{\"module\":\"build_connection\",\"success\":true,\"content\":"
		    "\"ok\",\"header\":{}}",
		"{\"module\":\"heartbeat\",\"success\":true,\"content\":\"live\"}",
		/* content first, last, alone, empty, in whitespace */
		"{\"content\":\"x\",\"module\":\"message\"}",
		"{\"module\":\"message\",\"success\":false,\"content\":\"\"}",
		"{\"content\":\"\\\\\"}", "{\"content\":\"\\\\\\\\\"}",
		" \n{ \"content\" \t:\r\n \"a b\" \n, \"module\" : \"m\" } \n",
		"{\"module\":\"m\",\"content\"  :  \"0123456789abcdef\\\"0123\"  }",
		/* content not a string */
		"{\"content\":{\"event\":\"x\",\"content\":\"y\"},\"module\":\"m\"}",
		"{\"content\":[\"a\",\"b\"]}", "{\"content\":12.5}",
		"{\"content\":null,\"success\":true}", "{\"content\":true}",
		/* duplicates: the first wins, later ones are checked */
		"{\"content\":\"a\",\"content\":\"b\\n\",\"content\":1}",
		"{\"content\":1,\"content\":\"a\"}",
		"{\"c\\u006fntent\":\"\\u00e9\",\"content\":\"b\"}",
		/* "content" deeper down is not the member */
		"{\"header\":{\"content\":\"a\"},\"content\":\"b\"}",
		"{\"header\":[{\"content\":\"a\"}]}",
		/* no object at the top */
		"[\"content\",\"x\"]", "\"content\"", "7",
		/* names that are almost "content" */
		"{\"conten\":\"a\",\"contents\":\"b\",\"Content\":\"c\"}",
		/* escaped names, a long one */
		"{\"\\u0063ontent\":\"a\\\"b\",\"module\":\"\\u006d\"}",
		"{\"content\":\"a long content string, longer than one word, "
		    "with an escaped quote \\\" in it, and more text after it\"}",
	};
	struct json_field a[4] = ENV_KEYS, b[4] = ENV_KEYS;
	size_t i, len;
	int ra, rb;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		len = strlen(docs[i]);
		rb = json_fields(docs[i], len, b, 4);
		ra = json_envelope(docs[i], len, a, 4, 2);
		CHECK(rb == JSON_OK);
		CHECK(ra == JSON_OK && same_fields(a, b, 4));
		if (ra != JSON_OK || !same_fields(a, b, 4))
			printf("  %s: %d\n", docs[i], ra);
	}
	/* the first content found, where it lies */
	CHECK(json_envelope(docs[3], strlen(docs[3]), a, 4, 2) == JSON_OK);
	CHECK(a[2].type == JSON_STRING && a[2].start == 11 && a[2].end == 14);
	CHECK(json_envelope(docs[14], strlen(docs[14]), a, 4, 2) == JSON_OK);
	CHECK(a[2].type == JSON_STRING && a[2].start == 11 && a[2].end == 14);
	CHECK(json_envelope(docs[15], strlen(docs[15]), a, 4, 2) == JSON_OK);
	CHECK(a[2].type == JSON_NUMBER && a[2].start == 11 && a[2].end == 12);
	/* the documents of the strict tests, with or without a content */
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		len = strlen(valid[i]);
		rb = json_fields(valid[i], len, b, 4);
		ra = json_envelope(valid[i], len, a, 4, 2);
		CHECK(ra == rb && same_fields(a, b, 4));
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		len = strlen(invalid[i].doc);
		CHECK(json_envelope(invalid[i].doc, len, a, 4, 2) ==
		    invalid[i].err);
		CHECK(a[0].type == JSON_NONE && a[2].type == JSON_NONE);
	}
	/* lazy past the fields: json_fields itself; a lazy key that an
	   earlier field has too: that field's member is skimmed */
	CHECK(json_envelope("{\"content\":\"\\q\"}", 16, a, 4, 4) ==
	    JSON_ERR_ESCAPE);
	{
		struct json_field d[2] = { { "content", 0, 0, 0 },
		    { "content", 0, 0, 0 } };

		CHECK(json_envelope("{\"content\":\"\\q\"}", 16, d, 2, 1) ==
		    JSON_OK);
		CHECK(d[0].type == JSON_STRING && d[0].start == 11 &&
		    d[1].type == JSON_STRING && d[1].end == 15);
	}
}

/* Whatever a skimmed string holds, json_envelope takes it and leaves it
   to the caller; it only has to end. Everything else is checked. */
static void
envelope_skims_content(void)
{
	static const struct { const char *doc; int fields; } skim[] = {
		{ "{\"module\":\"message\",\"content\":\"{\\q}\"}",
		    JSON_ERR_ESCAPE },
		{ "{\"content\":\"a\x01z\",\"module\":\"message\"}",
		    JSON_ERR_CONTROL },
		{ "{\"content\":\"tab\there\"}", JSON_ERR_CONTROL },
		{ "{\"content\":\"caf\xff\"}", JSON_ERR_UTF8 },
		{ "{\"content\":\"\xc3\"}", JSON_ERR_UTF8 },
		{ "{\"content\":\"\xed\xa0\x80\"}", JSON_ERR_UTF8 },
		{ "{\"content\":\"\\ud800\"}", JSON_ERR_ESCAPE },
		{ "{\"content\":\"\\udc00\\ud800\"}", JSON_ERR_ESCAPE },
		{ "{\"content\":\"\\u12\"}", JSON_ERR_ESCAPE },
		{ "{\"content\":\"a long string, then a bad escape: \\x41\"}",
		    JSON_ERR_ESCAPE },
		{ "{\"content\":\"\\\x01\"}", JSON_ERR_ESCAPE },
		{ "{\"content\":\"\\\xc3\xa9\"}", JSON_ERR_ESCAPE },
		/* a name that decodes to content is content */
		{ "{\"\\u0063ontent\":\"\xff\"}", JSON_ERR_UTF8 },
	};
	static const struct { const char *doc; int err; } bad[] = {
		/* no end */
		{ "{\"content\":\"abc", JSON_ERR_TRUNCATED },
		{ "{\"content\":\"abc\\\"}", JSON_ERR_TRUNCATED },
		{ "{\"content\":\"a long string that ends in an escaped quote"
		    " \\\"}", JSON_ERR_TRUNCATED },
		{ "{\"content\":\"\\", JSON_ERR_TRUNCATED },
		{ "{\"content\":\"", JSON_ERR_TRUNCATED },
		{ "{\"content\":\"a\"", JSON_ERR_TRUNCATED },
		/* errors outside it */
		{ "{\"content\":\"a\",}", JSON_ERR_SYNTAX },
		{ "{\"content\":\"a\"} x", JSON_ERR_TRAILING },
		{ "{\"content\":\"a\" \"b\"}", JSON_ERR_SYNTAX },
		{ "{\"content\" \"a\"}", JSON_ERR_SYNTAX },
		{ "{\"content\"::\"a\"}", JSON_ERR_SYNTAX },
		{ "{\"content\":\"a\"]", JSON_ERR_SYNTAX },
		{ "{\"module\":\"\xff\",\"content\":\"a\"}", JSON_ERR_UTF8 },
		{ "{\"content\":\"a\",\"module\":\"\\q\"}", JSON_ERR_ESCAPE },
		{ "{\"content\":\"a\",\"x\":[1,]}", JSON_ERR_SYNTAX },
		{ "{\"con\\tent\":\"a\",\"x\":01}", JSON_ERR_NUMBER },
		/* a later content, a deeper one, one not a string */
		{ "{\"content\":\"a\",\"content\":\"\\q\"}", JSON_ERR_ESCAPE },
		{ "{\"content\":1,\"content\":\"\\q\"}", JSON_ERR_ESCAPE },
		{ "{\"header\":{\"content\":\"\\q\"},\"content\":\"a\"}",
		    JSON_ERR_ESCAPE },
		{ "{\"content\":[\"\\q\"]}", JSON_ERR_ESCAPE },
		{ "[{\"content\":\"\\q\"}]", JSON_ERR_ESCAPE },
		{ "{\"\\u0063ontent\":\"a\",\"content\":\"\\q\"}",
		    JSON_ERR_ESCAPE },
	};
	struct json_field a[4] = ENV_KEYS, b[4] = ENV_KEYS;
	char out[256];
	size_t i, len, lit;
	long n;

	for (i = 0; i < sizeof(skim) / sizeof(skim[0]); i++) {
		len = strlen(skim[i].doc);
		CHECK(json_fields(skim[i].doc, len, b, 4) == skim[i].fields);
		CHECK(json_envelope(skim[i].doc, len, a, 4, 2) == JSON_OK);
		lit = a[2].end - a[2].start;
		CHECK(a[2].type == JSON_STRING &&
		    skim[i].doc[a[2].start] == '"' &&
		    skim[i].doc[a[2].end - 1] == '"');
		CHECK(a[2].start + string_end_slow(skim[i].doc + a[2].start,
		    len - a[2].start) + 1 == a[2].end);
		/* the caller's check finds what json_fields found */
		CHECK(json_unescape(out, sizeof(out), skim[i].doc + a[2].start,
		    lit) == skim[i].fields);
		n = json_unescape_compact(out, sizeof(out), skim[i].doc +
		    a[2].start, lit);
		CHECK(n < 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = strlen(bad[i].doc);
		CHECK(json_envelope(bad[i].doc, len, a, 4, 2) == bad[i].err);
		CHECK(a[0].type == JSON_NONE && a[2].type == JSON_NONE &&
		    a[2].start == 0 && a[2].end == 0);
		if (bad[i].err != JSON_ERR_TRUNCATED)
			CHECK(json_fields(bad[i].doc, len, b, 4) == bad[i].err);
	}
}

/* The strings of the strict tests as the content of an envelope. */
static void
envelope_strict_strings(void)
{
	static char doc[512];
	struct json_field a[4] = ENV_KEYS, b[4] = ENV_KEYS;
	const char *s;
	size_t i, k, len, sl, end, nvalid = sizeof(valid) / sizeof(valid[0]);
	char out[512];
	int ra, rb, skimmed = 0;

	for (i = 0; i < nvalid + sizeof(invalid) / sizeof(invalid[0]); i++) {
		s = i < nvalid ? valid[i] : invalid[i - nvalid].doc;
		sl = strlen(s);
		if (s[0] != '"')
			continue;
		len = (size_t)snprintf(doc, sizeof(doc), "{\"module\":\"message\""
		    ",\"content\":%s}", s);
		ra = json_envelope(doc, len, a, 4, 2);
		rb = json_fields(doc, len, b, 4);
		end = string_end_slow(s, sl);
		if (end == 0) {
			CHECK(ra == JSON_ERR_TRUNCATED);
			continue;
		}
		if (end + 1 < sl)       /* more after the string: the lexer's */
			continue;
		CHECK(ra == JSON_OK);
		CHECK(a[2].type == JSON_STRING && a[2].start == 30 &&
		    a[2].end == 30 + sl);
		k = (size_t)json_unescape(out, sizeof(out), s, sl);
		CHECK((rb == JSON_OK) == ((long)k >= 0));
		CHECK(rb == JSON_OK ? same_fields(a, b, 4) : rb == (int)(long)k);
		if (rb != JSON_OK)
			skimmed++;
	}
	CHECK(skimmed > 50);
}

/* Escapes at every offset in a content string, where the words the
   end is looked for in split them: json_envelope as json_fields. */
static void
envelope_alignments(void)
{
	static const char *parts[] = { "\\\\", "\\\"", "\\\\\\\\",
	    "\\\\\\\"", "\\n", "\\u00e9", "\xc3\xa9", "\\/" };
	static char doc[256];
	struct json_field a[4] = ENV_KEYS, b[4] = ENV_KEYS;
	size_t np = sizeof(parts) / sizeof(parts[0]), m, pad, n;
	int bad = 0;

	/* m: a pad of 0 to 23 bytes, then three parts */
	for (m = 0; m < 24 * np * np * np; m++) {
		pad = m / (np * np * np);
		n = (size_t)snprintf(doc, sizeof(doc), "{\"content\":\"%.*s%s%s"
		    "%s\",\"module\":\"message\"}", (int)pad,
		    "aaaaaaaaaaaaaaaaaaaaaaaa", parts[m / (np * np) % np],
		    parts[m / np % np], parts[m % np]);
		if (json_fields(doc, n, b, 4) == JSON_OK &&
		    json_envelope(doc, n, a, 4, 2) == JSON_OK &&
		    same_fields(a, b, 4))
			continue;
		if (bad++ < 3)
			printf("  %s\n", doc);
	}
	CHECK(bad == 0);
}

/*
 * Random strings of quotes, backslashes and others: the content ends
 * where a byte-at-a-time scan says. The end is looked for a word at a
 * time from the opening quote; a member after the string fills the
 * words past its end, so that it can end anywhere in one.
 */
static void
envelope_string_ends(void)
{
	/* rare quotes, so that strings run over several words */
	static const char alpha[] = "\"\\\\\\\\\\\\\\aaaaaa\xc3\x01";
	char doc[128], s[64];
	struct json_field f = { "c", 0, 0, 0 };
	size_t len, sl, i, end;
	int iter, rc, bad = 0;

	for (iter = 0; iter < 200000; iter++) {
		sl = 1 + rnd(48);
		s[0] = '"';
		for (i = 1; i < sl; i++)
			s[i] = alpha[rnd(sizeof(alpha) - 1)];
		end = string_end_slow(s, sl);
		memcpy(doc, "{\"c\":", 5);
		len = 5;
		if (end != 0) {
			memcpy(doc + len, s, end + 1);
			len += end + 1;
			len += (size_t)snprintf(doc + len, sizeof(doc) - len,
			    ",\"d\":\"%.*s\"}", (int)rnd(16), "0123456789abcdef");
		} else {
			memcpy(doc + len, s, sl);
			len += sl;
		}
		rc = json_envelope(doc, len, &f, 1, 0);
		if (end == 0 ? rc == JSON_ERR_TRUNCATED : rc == JSON_OK &&
		    f.type == JSON_STRING && f.start == 5 &&
		    f.end == 5 + end + 1)
			continue;
		if (bad++ < 3)
			printf("  %.*s: %d, %zu..%zu\n", (int)len, doc, rc,
			    f.start, f.end);
	}
	CHECK(bad == 0);
}

/* Random envelopes around random events, some broken in the literal,
   some around it: whatever json_fields accepts, json_envelope accepts
   with the same fields; what json_envelope accepts, json_fields accepts
   exactly when the content string decodes (and then also compacts).
   json_envelope_decode agrees with json_envelope, and decodes as
   json_unescape_compact does. */
static void
envelope_random(void)
{
	static char doc[4096], ev[2048], lit[8192], out[8192], dec[8192];
	static const char *others[] = { "\"module\":\"message\"",
	    "\"success\":true", "\"header\":{\"content\":\"x\"}",
	    "\"module\" : \"heartbeat\"", "\"x\":[1,{\"content\":2}]",
	    "\"content\":{\"a\":1}", "\"content\":\"second\"",
	    "\"co\\u006etent\":\"escaped name\"", "\"content\":7" };
	static const char *ws[] = { "", "", " ", "\n  ", "\t", "\r\n" };
	static const char bytes[] = "{}[]:,\"\\ \n0a\x01\xc3\xa9\xff";
	struct json_field a[4] = ENV_KEYS, b[4] = ENV_KEYS, e[4] = ENV_KEYS;
	size_t n, len, i, m, k;
	long u, uc, dl;
	int iter, ra, rb, bad = 0, both = 0, skimmed = 0, decoded = 0;

	for (iter = 0; iter < 30000; iter++) {
		n = 0;
		gen_value(ev, &n, sizeof(ev), 1);
		len = 0;
		lit[len++] = '"';
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)ev[i];

			if (c == '"' || c == '\\')
				lit[len++] = '\\';
			if (c == '\n') {
				memcpy(lit + len, "\\n", 2);
				len += 2;
			} else
				lit[len++] = (char)c;
		}
		lit[len++] = '"';
		if (rnd(4) == 0)                /* break the literal */
			lit[1 + rnd((unsigned)len - 2)] =
			    bytes[rnd(sizeof(bytes) - 1)];
		/* the members around it, in any order */
		n = 0;
		add(doc, &n, sizeof(doc), ws[rnd(6)]);
		add(doc, &n, sizeof(doc), "{");
		m = rnd(4);
		k = rnd((unsigned)m + 1);
		for (i = 0; i <= m; i++) {
			if (i > 0)
				add(doc, &n, sizeof(doc), ",");
			add(doc, &n, sizeof(doc), ws[rnd(6)]);
			if (i == k) {
				add(doc, &n, sizeof(doc), "\"content\"");
				add(doc, &n, sizeof(doc), ws[rnd(6)]);
				add(doc, &n, sizeof(doc), ":");
				add(doc, &n, sizeof(doc), ws[rnd(6)]);
				if (n + len < sizeof(doc)) {
					memcpy(doc + n, lit, len);
					n += len;
				}
			} else
				add(doc, &n, sizeof(doc), others[rnd(9)]);
			add(doc, &n, sizeof(doc), ws[rnd(6)]);
		}
		add(doc, &n, sizeof(doc), "}");
		add(doc, &n, sizeof(doc), ws[rnd(6)]);
		if (rnd(6) == 0)                /* break anything */
			doc[rnd((unsigned)n)] = bytes[rnd(sizeof(bytes) - 1)];
		if (rnd(10) == 0)               /* or cut it */
			n = rnd((unsigned)n + 1);

		ra = json_envelope(doc, n, a, 4, 2);
		rb = json_fields(doc, n, b, 4);
		/* delimited by decoding it: the same, and the decoding as
		   json_unescape_compact's */
		if (json_envelope_decode(doc, n, e, 4, 2, dec, sizeof(dec),
		    &dl) != ra || !same_fields(a, e, 4))
			goto fail;
		if (ra == JSON_OK && a[2].type == JSON_STRING) {
			uc = json_unescape_compact(out, sizeof(out),
			    doc + a[2].start, a[2].end - a[2].start);
			if (dl != uc || (uc > 0 && memcmp(dec, out,
			    (size_t)uc) != 0))
				goto fail;
			decoded += uc >= 0;
		} else if (ra == JSON_OK && dl != JSON_ERR_EMPTY)
			goto fail;
		if (rb == JSON_OK) {
			both++;
			if (ra != JSON_OK || !same_fields(a, b, 4))
				goto fail;
			continue;
		}
		if (ra != JSON_OK)
			continue;
		/* accepted only by json_envelope: the content string is
		   what is wrong, and its decoders say so */
		skimmed++;
		if (a[2].type != JSON_STRING)
			goto fail;
		u = json_unescape(out, sizeof(out), doc + a[2].start,
		    a[2].end - a[2].start);
		uc = json_unescape_compact(out, sizeof(out), doc + a[2].start,
		    a[2].end - a[2].start);
		if (u >= 0 || uc >= 0)
			goto fail;
		continue;
fail:
		if (bad++ < 3)
			printf("  %.*s: envelope %d, fields %d\n", (int)n, doc,
			    ra, rb);
	}
	CHECK(bad == 0);
	/* both outcomes are common enough to mean something */
	CHECK(both > 5000 && skimmed > 1000 && decoded > 2000);
}

/* Members with string values, so that some batch of tokens ends just
   after a name, then a bad string: refused by json_fields wherever the
   batches end, and by json_envelope unless it is the one skimmed. */
static void
fields_batch_ends_at_name(void)
{
	static char doc[4096];
	struct json_field f[2] = { { "x", 0, 0, 0 }, { "z", 0, 0, 0 } };
	size_t n;
	int i, m;

	for (m = 0; m < 80; m++) {
		n = 0;
		doc[n++] = '{';
		for (i = 0; i < m; i++)
			n += (size_t)sprintf(doc + n, "\"k%d\":\"v\",", i);
		n += (size_t)sprintf(doc + n, "\"z\":\"\\q\"}");
		CHECK(json_fields(doc, n, f, 2) == JSON_ERR_ESCAPE);
		CHECK(json_fields(doc, n, f, 1) == JSON_ERR_ESCAPE);
		CHECK(json_envelope(doc, n, f, 2, 0) == JSON_ERR_ESCAPE);
		CHECK(json_envelope(doc, n, f, 2, 1) == JSON_OK);
		CHECK(f[0].type == JSON_NONE && f[1].type == JSON_STRING &&
		    f[1].end == n - 1);
	}
}

static void
streq_cases(void)
{
	static char longlit[800], longs[200];
	int i, n = 0;

	CHECK(json_streq("\"message\"", 9, "message") == 1);
	CHECK(json_streq("\"message\"", 9, "messag") == 0);
	CHECK(json_streq("\"message\"", 9, "messages") == 0);
	CHECK(json_streq("\"\"", 2, "") == 1);
	CHECK(json_streq("\"\"", 2, "a") == 0);
	CHECK(json_streq("\"m\\u0065ssage\"", 14, "message") == 1);
	CHECK(json_streq("\"caf\\u00e9\"", 11, "caf\xc3\xa9") == 1);
	CHECK(json_streq("\"a\\u0000\"", 9, "a") == 0);
	CHECK(json_streq("\"\\ud800\"", 8, "\xed\xa0\x80") == 0);
	CHECK(json_streq("\"\xff\"", 3, "\xff") == 0);
	CHECK(json_streq("\"a\tb\"", 5, "a\tb") == 0);
	CHECK(json_streq("message", 7, "message") == 0);
	CHECK(json_streq("\"", 1, "") == 0);
	/* longer than the decoding chunk */
	longlit[n++] = '"';
	for (i = 0; i < 100; i++) {
		memcpy(longlit + n, "\\u0041", 6);
		n += 6;
		longs[i] = 'A';
	}
	longlit[n++] = '"';
	longs[100] = '\0';
	CHECK(json_streq(longlit, (size_t)n, longs) == 1);
	longs[99] = 'B';
	CHECK(json_streq(longlit, (size_t)n, longs) == 0);
}

static void
strerror_names(void)
{
	int e;

	for (e = JSON_ERR_LENGTH; e <= JSON_OK; e++) {
		CHECK(json_strerror(e) != NULL);
		CHECK(strcmp(json_strerror(e), "JSON error") != 0);
		if (e < JSON_OK)
			CHECK(strcmp(json_strerror(e), json_strerror(e + 1)) != 0);
	}
	CHECK(strcmp(json_strerror(-100), "JSON error") == 0);
}

int
main(void)
{
	t_suite = "json";
	RUN(valid_documents_every_split);
	RUN(invalid_documents_every_split);
	RUN(nul_bytes);
	RUN(exact_tokens);
	RUN(scan_needs_two_slots);
	RUN(depth_limit);
	RUN(envelope_depth_both_carriages);
	RUN(compact_keeps_strings);
	RUN(compact_in_place_in_pieces);
	RUN(unescape_forms);
	RUN(unescape_cap);
	RUN(unescape_in_place);
	RUN(unescape_compact_one_pass);
	RUN(unescape_compact_scalars);
	RUN(unescape_compact_long);
	RUN(unescape_compact_random);
	RUN(unescape_compact_block_edges);
	RUN(fields_of_envelopes);
	RUN(fields_edge_cases);
	RUN(fields_many_members);
	RUN(fields_batch_ends_at_name);
	RUN(envelope_as_fields);
	RUN(envelope_skims_content);
	RUN(envelope_strict_strings);
	RUN(envelope_alignments);
	RUN(envelope_string_ends);
	RUN(envelope_random);
	RUN(streq_cases);
	RUN(strerror_names);
	return t_done();
}
