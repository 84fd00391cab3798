/*
 * test_json.c - the strict lexer on valid and invalid documents, fed
 * whole, at every split point and byte by byte; unescape; compact;
 * json_fields on Zoom envelopes.
 */
#include <stdlib.h>

#include "t.h"
#include "../json.h"

/* Documents that must be accepted. */
static const char *valid[] = {
	"0", "-0", "1", "-1", "12.5", "0.0", "1e5", "1E+5", "1e-05", "-0.5e10",
	"123456789012345678901234567890", "true", "false", "null", "\"\"",
	"\"a\"", " \t\r\n1 \t\r\n", "[]", "{}", "[1,2,3]", "[ 1 , [ ] , { } ]",
	"{\"a\":1}", "{ \"a\" : [ true , false , null ] , \"b\" : { } }",
	"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u0000\"", "\"\\u00e9\"",
	"\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"", "\"caf\xc3\xa9\"",
	"\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"", "\"\xef\xbf\xbf\"",
	"\"\xf4\x8f\xbf\xbf\"", "\"\xed\x9f\xbf\"", "[\"a\",{\"b\":[\"c\"]}]",
	"{\"\":\"\"}", "{\"a\":1,\"a\":2}",
};

/* Documents that must be refused, with their error. */
static const struct { const char *doc; int err; } invalid[] = {
	{ "", JSON_ERR_EMPTY }, { "   ", JSON_ERR_EMPTY },
	{ "01", JSON_ERR_NUMBER }, { "-01", JSON_ERR_NUMBER },
	{ "+1", JSON_ERR_SYNTAX }, { ".5", JSON_ERR_SYNTAX },
	{ "1.", JSON_ERR_TRUNCATED }, { "1.e5", JSON_ERR_NUMBER },
	{ "1e", JSON_ERR_TRUNCATED }, { "1e+", JSON_ERR_TRUNCATED },
	{ "0x10", JSON_ERR_NUMBER }, { "-", JSON_ERR_TRUNCATED },
	{ "- 1", JSON_ERR_NUMBER }, { "1 2", JSON_ERR_TRAILING },
	{ "[1,]", JSON_ERR_SYNTAX }, { "[,1]", JSON_ERR_SYNTAX },
	{ "{\"a\":1,}", JSON_ERR_SYNTAX }, { "{\"a\" 1}", JSON_ERR_SYNTAX },
	{ "{a:1}", JSON_ERR_SYNTAX }, { "{\"a\":}", JSON_ERR_SYNTAX },
	{ "[1}", JSON_ERR_SYNTAX }, { "{\"a\":1]", JSON_ERR_SYNTAX },
	{ "[", JSON_ERR_TRUNCATED }, { "{", JSON_ERR_TRUNCATED },
	{ "[1", JSON_ERR_TRUNCATED }, { "\"abc", JSON_ERR_TRUNCATED },
	{ "tru", JSON_ERR_TRUNCATED }, { "truex", JSON_ERR_TRAILING },
	{ "True", JSON_ERR_SYNTAX }, { "nul", JSON_ERR_TRUNCATED },
	{ "NaN", JSON_ERR_SYNTAX }, { "Infinity", JSON_ERR_SYNTAX },
	{ "'a'", JSON_ERR_SYNTAX }, { "\"a\tb\"", JSON_ERR_CONTROL },
	{ "\"a\nb\"", JSON_ERR_CONTROL }, { "\"\\x\"", JSON_ERR_ESCAPE },
	{ "\"\\u12\"", JSON_ERR_ESCAPE }, { "\"\\u12G4\"", JSON_ERR_ESCAPE },
	{ "\"\\ud800\"", JSON_ERR_ESCAPE }, { "\"\\udc00\"", JSON_ERR_ESCAPE },
	{ "\"\\ud800\\u0041\"", JSON_ERR_ESCAPE },
	{ "\"\\ud800x\"", JSON_ERR_ESCAPE }, { "\"\\ud800\\n\"", JSON_ERR_ESCAPE },
	{ "\"\xc0\xaf\"", JSON_ERR_UTF8 }, { "\"\xe0\x80\xaf\"", JSON_ERR_UTF8 },
	{ "\"\xed\xa0\x80\"", JSON_ERR_UTF8 }, { "\"\xf4\x90\x80\x80\"", JSON_ERR_UTF8 },
	{ "\"\xf5\x80\x80\x80\"", JSON_ERR_UTF8 }, { "\"\x80\"", JSON_ERR_UTF8 },
	{ "\"\xc3\"", JSON_ERR_UTF8 }, { "\"\xe2\x82\"", JSON_ERR_UTF8 },
	{ "\xef\xbb\xbf" "1", JSON_ERR_SYNTAX }, { "[1]x", JSON_ERR_TRAILING },
	{ "{\"a\":1}{}", JSON_ERR_TRAILING }, { "\x0c" "1", JSON_ERR_SYNTAX },
};

/* Feed doc in the pieces cut at a and b; the verdict and output. */
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
		rc = json_lexer_end(&lx);
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
	return rc == JSON_OK ? json_lexer_end(&lx) : rc;
}

static void
valid_documents_every_split(void)
{
	static char whole[1 << 16], part[1 << 16];
	size_t i, a, b, len, n0, n;
	long w;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		len = strlen(valid[i]);
		w = json_compact(whole, sizeof(whole), valid[i], len);
		CHECK(w >= 0);
		if (w < 0) {
			printf("  refused: %s (%s)\n", valid[i], json_strerror((int)w));
			continue;
		}
		n0 = (size_t)w;
		for (a = 0; a <= len; a++)
			for (b = a; b <= len; b++) {
				CHECK(feed3(valid[i], len, a, b, part, &n) == JSON_OK);
				CHECK(n == n0 && memcmp(part, whole, n0) == 0);
			}
		CHECK(bytewise(valid[i], len, part, &n) == JSON_OK);
		CHECK(n == n0 && memcmp(part, whole, n0) == 0);
	}
}

static void
invalid_documents_every_split(void)
{
	char out[4096];
	size_t i, a, len, n;
	int rc;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		len = strlen(invalid[i].doc);
		rc = json_validate(invalid[i].doc, len);
		if (rc != invalid[i].err)
			printf("  %s: got %d want %d\n", invalid[i].doc, rc,
			    invalid[i].err);
		CHECK(rc == invalid[i].err);
		for (a = 0; a <= len; a++)
			CHECK(feed3(invalid[i].doc, len, a, a, out, &n) ==
			    invalid[i].err);
		CHECK(bytewise(invalid[i].doc, len, out, &n) == invalid[i].err);
	}
}

static void
depth_limit(void)
{
	char doc[2 * JSON_MAX_DEPTH + 8];
	int d;

	for (d = 0; d < JSON_MAX_DEPTH; d++) {
		doc[d] = '[';
		doc[2 * JSON_MAX_DEPTH - 1 - d] = ']';
	}
	CHECK(json_validate(doc, 2 * JSON_MAX_DEPTH) == JSON_OK);
	memmove(doc + 1, doc, 2 * JSON_MAX_DEPTH);
	doc[0] = '[';
	doc[2 * JSON_MAX_DEPTH + 1] = ']';
	CHECK(json_validate(doc, 2 * JSON_MAX_DEPTH + 2) == JSON_ERR_DEPTH);
}

static void
compact_keeps_strings(void)
{
	static const char pretty[] = "{\n  \"a b\" : [ 1 , 2.5e3 ,\t\"x  y\\n\" ],"
	    "\r\n  \"c\": { \"d\" : null }\n}\n";
	static const char want[] = "{\"a b\":[1,2.5e3,\"x  y\\n\"],\"c\":{\"d\":null}}";
	char buf[sizeof(pretty)];
	long n;

	n = json_compact(buf, sizeof(buf), pretty, sizeof(pretty) - 1);
	CHECK(n == (long)sizeof(want) - 1);
	CHECK_MEM(buf, want, sizeof(want) - 1);
	/* in place */
	memcpy(buf, pretty, sizeof(pretty));
	n = json_compact(buf, sizeof(buf), buf, sizeof(pretty) - 1);
	CHECK(n == (long)sizeof(want) - 1);
	CHECK_MEM(buf, want, sizeof(want) - 1);
	/* too small */
	CHECK(json_compact(buf, 10, pretty, sizeof(pretty) - 1) == JSON_ERR_SPACE);
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
	n = json_unescape(out, sizeof(out), "\"a\\u0000b\"", 10);
	CHECK(n == 3 && out[1] == '\0');
	CHECK(json_unescape(out, sizeof(out), "\"\\ud800\"", 8) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\udc00\"", 8) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\ud800\\u0041\"", 14) ==
	    JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\q\"", 4) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "\"\\\"", 3) == JSON_ERR_ESCAPE);
	CHECK(json_unescape(out, sizeof(out), "abc", 3) == JSON_ERR_SYNTAX);
	CHECK(json_unescape(out, 3, s2, sizeof(s2) - 1) == JSON_ERR_SPACE);
}

static void
unescape_in_place(void)
{
	char buf[] = "\"{\\\"event\\\":\\\"caf\\u00e9\\\",\\\"n\\\":1}\"";
	long n = json_unescape(buf, sizeof(buf), buf, sizeof(buf) - 1);

	CHECK(n == 23);
	CHECK_MEM(buf, "{\"event\":\"caf\xc3\xa9\",\"n\":1}", 23);
}

static void
fields_of_envelopes(void)
{
	static const char env[] = "{\"module\":\"message\",\"content\":"
	    "\"{\\\"event\\\":\\\"meeting.started\\\"}\",\"header\":{},"
	    "\"success\":true}";
	static const char nested[] = "{ \"header\" : { \"content\" : 1 } , "
	    "\"m\\u006fdule\" : \"build_connection\" , \"content\":{\"a\":[1]} }";
	struct json_field f[4] = { { "module", 0, 0, 0 }, { "content", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "missing", 0, 0, 0 } };

	CHECK(json_fields(env, sizeof(env) - 1, f, 4) == JSON_OK);
	CHECK(f[0].type == JSON_STRING);
	CHECK(json_streq(env + f[0].start, f[0].end - f[0].start, "message"));
	CHECK(f[1].type == JSON_STRING);
	CHECK(env[f[1].start] == '"' && env[f[1].end - 1] == '"');
	CHECK(f[2].type == JSON_TRUE && f[2].end - f[2].start == 4);
	CHECK(f[3].type == JSON_NONE);
	CHECK(json_fields(nested, sizeof(nested) - 1, f, 4) == JSON_OK);
	CHECK(f[0].type == JSON_STRING);
	CHECK(json_streq(nested + f[0].start, f[0].end - f[0].start,
	    "build_connection"));
	CHECK(f[1].type == JSON_OBJECT);
	CHECK(f[1].end - f[1].start == 9);
	CHECK(f[2].type == JSON_NONE);
	/* duplicates: the first wins */
	CHECK(json_fields("{\"module\":1,\"module\":2}", 23, f, 1) == JSON_OK);
	CHECK(f[0].type == JSON_NUMBER && f[0].start == 10 && f[0].end == 11);
	/* not an object: valid, nothing found */
	CHECK(json_fields("[1]", 3, f, 1) == JSON_OK && f[0].type == JSON_NONE);
	CHECK(json_fields("{\"module\":}", 11, f, 1) == JSON_ERR_SYNTAX);
}

static void
fields_numbers_at_end(void)
{
	struct json_field f[2] = { { "a", 0, 0, 0 }, { "b", 0, 0, 0 } };
	static const char doc[] = "{\"a\":-12.5e3,\"b\":7}";

	CHECK(json_fields(doc, sizeof(doc) - 1, f, 2) == JSON_OK);
	CHECK(f[0].type == JSON_NUMBER && f[0].end - f[0].start == 7);
	CHECK(f[1].type == JSON_NUMBER && f[1].end - f[1].start == 1);
}

int
main(void)
{
	t_suite = "json";
	RUN(valid_documents_every_split);
	RUN(invalid_documents_every_split);
	RUN(depth_limit);
	RUN(compact_keeps_strings);
	RUN(unescape_forms);
	RUN(unescape_in_place);
	RUN(fields_of_envelopes);
	RUN(fields_numbers_at_end);
	return t_done();
}
