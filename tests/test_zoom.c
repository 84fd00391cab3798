/*
 * test_zoom.c - Zoom's envelope as a codec (zoom.c): zoom_read for
 * every kind, with and without raw, events carried in a string and as
 * an object, escapes and raw UTF-8, contents that are JSON but not
 * objects, the nesting limit in both carriages, bad UTF-8 anywhere;
 * the --event glob and filter; the upgrade target with its query; the
 * gap line.
 *
 * Every message is read from a buffer of exactly its length into an
 * output buffer of exactly that length too (the output is never longer
 * than the message), so that ASan sees any byte touched past either.
 */
#include <stdint.h>
#include <stdlib.h>

#include "t.h"
#include "../json.h"
#include "../zoom.h"

static struct zoom_msg m;
static char *msg, *dst;             /* of exactly the message's length */
static size_t len;
static char out[1 << 16];           /* the event, NUL-terminated */
static char whole[1 << 16];         /* with raw, the output */

/* zoom_read of text[0..n) as described above; an event copied to out
   and, with raw, the output to whole, as C strings. Checks what holds
   for every message. */
static enum zoom_kind
readn(const char *text, size_t n, int raw)
{
	enum zoom_kind k;

	free(msg);
	free(dst);
	msg = malloc(n > 0 ? n : 1);
	dst = malloc(n > 0 ? n : 1);
	memcpy(msg, text, n);
	len = n;
	memset(&m, 0x5a, sizeof(m));
	k = zoom_read(msg, n, raw, dst, n, &m);
	CHECK(m.kind == k);
	CHECK(m.out_len <= n);
	out[0] = '\0';
	if (k == ZOOM_EVENT) {
		CHECK(m.event_len > 0 && m.event_len <= n);
		if (raw)
			CHECK(m.event >= msg && m.event + m.event_len <= msg + n);
		else
			CHECK(m.event == dst && m.out_len == m.event_len);
		memcpy(out, m.event, m.event_len);
		out[m.event_len] = '\0';
	}
	whole[0] = '\0';
	if (raw && k != ZOOM_NOT_JSON && k != ZOOM_NOT_UTF8) {
		CHECK(m.out_len > 0);
		memcpy(whole, dst, m.out_len);
		whole[m.out_len] = '\0';
	}
	if (!raw && k != ZOOM_EVENT)
		CHECK(m.out_len == 0);
	CHECK(m.content + m.content_len <= n);
	return k;
}

static enum zoom_kind
rd(const char *text, int raw)
{
	return readn(text, strlen(text), raw);
}

/* The envelope of an event carried in a string: E encoded as a JSON
   string literal (quotes, backslashes and controls escaped). */
static const char *
in_string(const char *e)
{
	static char buf[1 << 16];
	size_t o;

	o = (size_t)snprintf(buf, sizeof(buf), "{\"module\":\"message\","
	    "\"content\":\"");
	for (; *e != '\0'; e++)
		if ((unsigned char)*e < 0x20)
			o += (size_t)sprintf(buf + o, "\\u%04x", *e);
		else {
			if (*e == '"' || *e == '\\')
				buf[o++] = '\\';
			buf[o++] = *e;
		}
	snprintf(buf + o, sizeof(buf) - o, "\",\"seq\":1}");
	return buf;
}

/* The envelope of an event carried as the object E. */
static const char *
as_object(const char *e)
{
	static char buf[1 << 16];

	snprintf(buf, sizeof(buf), "{\"module\":\"message\",\"content\":%s,"
	    "\"seq\":1}", e);
	return buf;
}

/* Every kind, in both modes; the kinds do not depend on the mode. */
static void
kinds(void)
{
	static const struct {
		const char    *msg;
		enum zoom_kind kind;
		int            no_module;
	} cases[] = {
		{ "{\"module\":\"message\",\"content\":\"{}\"}", ZOOM_EVENT, 0 },
		{ "{\"module\":\"message\",\"content\":{}}", ZOOM_EVENT, 0 },
		{ "{\"content\":\"{}\",\"module\":\"message\"}", ZOOM_EVENT, 0 },
		{ " {\"module\" : \"mess\\u0061ge\" , \"content\" : \"{}\"} ",
		  ZOOM_EVENT, 0 },
		{ "{\"module\":\"build_connection\",\"success\":true,"
		  "\"content\":\"ok\"}", ZOOM_OPENED, 0 },
		{ "{\"success\":true,\"module\":\"build_connection\"}",
		  ZOOM_OPENED, 0 },
		{ "{\"module\":\"build_connection\",\"success\":false,"
		  "\"content\":\"Invalid token\"}", ZOOM_REFUSED, 0 },
		{ "{\"module\":\"build_connection\"}", ZOOM_REFUSED, 0 },
		{ "{\"module\":\"build_connection\",\"success\":\"true\"}",
		  ZOOM_REFUSED, 0 },
		{ "{\"module\":\"build_connection\",\"success\":1}",
		  ZOOM_REFUSED, 0 },
		{ "{\"module\":\"build_connection\",\"x\":{\"success\":true}}",
		  ZOOM_REFUSED, 0 },
		{ "{\"module\":\"heartbeat\",\"success\":true}", ZOOM_HEARTBEAT,
		  0 },
		{ "{\"module\":\"heartbeat\"}", ZOOM_HEARTBEAT, 0 },
		{ "{\"module\":\"heartbeat\",\"content\":\"x\"}", ZOOM_HEARTBEAT,
		  0 },
		{ "{\"module\":\"Message\",\"content\":\"{}\"}", ZOOM_OTHER, 0 },
		{ "{\"module\":\"messages\",\"content\":\"{}\"}", ZOOM_OTHER, 0 },
		{ "{\"module\":\"\"}", ZOOM_OTHER, 0 },
		{ "{\"module\":\"news\",\"content\":\"not json at all\"}",
		  ZOOM_OTHER, 0 },
		{ "{\"x\":{\"module\":\"message\",\"content\":\"{}\"}}",
		  ZOOM_OTHER, 1 },
		{ "{}", ZOOM_OTHER, 1 },
		{ "{\"module\":1}", ZOOM_OTHER, 1 },
		{ "{\"module\":null,\"content\":\"{}\"}", ZOOM_OTHER, 1 },
		{ "{\"module\":[\"message\"]}", ZOOM_OTHER, 1 },
		{ "[]", ZOOM_OTHER, 1 },
		{ "42", ZOOM_OTHER, 1 },
		{ "\"message\"", ZOOM_OTHER, 1 },
		/* the first of duplicate members is the one read */
		{ "{\"module\":\"heartbeat\",\"module\":\"message\","
		  "\"content\":\"{}\"}", ZOOM_HEARTBEAT, 0 },
		{ "{\"module\":\"message\",\"content\":\"{}\",\"content\":1}",
		  ZOOM_EVENT, 0 },
		{ "{\"module\":\"message\",\"content\":1,\"content\":\"{}\"}",
		  ZOOM_BAD_EVENT, 0 },
		/* not JSON */
		{ "", ZOOM_NOT_JSON, 0 },
		{ "   ", ZOOM_NOT_JSON, 0 },
		{ "hello", ZOOM_NOT_JSON, 0 },
		{ "{\"module\":\"message\"", ZOOM_NOT_JSON, 0 },
		{ "{\"module\":\"message\",\"content\":\"{}\"", ZOOM_NOT_JSON, 0 },
		{ "{\"module\":\"message\",\"content\":\"{}}", ZOOM_NOT_JSON, 0 },
		{ "{\"module\":\"heartbeat\"} x", ZOOM_NOT_JSON, 0 },
		{ "{\"module\":\"heartbeat\",}", ZOOM_NOT_JSON, 0 },
		{ "{'module':'heartbeat'}", ZOOM_NOT_JSON, 0 },
		{ "{\"module\":\"heartbeat\",\"content\":\"\\q\"}", ZOOM_NOT_JSON,
		  0 },
		{ "{\"module\":\"other\",\"content\":\"a\x01\"}", ZOOM_NOT_JSON,
		  0 },
		/* not UTF-8 */
		{ "\xff", ZOOM_NOT_UTF8, 0 },
		{ "{\"module\":\"heartbeat\",\"x\":\"\xc3\x28\"}", ZOOM_NOT_UTF8,
		  0 },
		{ "{\"module\":\"build_connection\",\"content\":\"\xff\"}",
		  ZOOM_NOT_UTF8, 0 },
		{ "{\"module\":\"heartbeat\"}\xe2\x82", ZOOM_NOT_UTF8, 0 },
		{ "{\"module\":\"message\",\"content\":\"{}\",\"x\":\"\xed\xa0\x80\"}",
		  ZOOM_NOT_UTF8, 0 },
	};
	size_t i;
	int raw;

	for (raw = 0; raw < 2; raw++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			CHECK(rd(cases[i].msg, raw) == cases[i].kind);
			if (cases[i].kind == ZOOM_OTHER)
				CHECK(m.no_module == cases[i].no_module);
			else
				CHECK(m.no_module == 0);
			if (cases[i].kind == ZOOM_NOT_JSON)
				CHECK(m.err < 0);
			if (t_case_failed) {
				printf("  raw %d, case %zu: kind %d\n", raw, i, m.kind);
				return;
			}
		}
}

/* The event, unwrapped and compacted: whitespace outside strings gone,
   everything else as sent; from a string the event's text is decoded
   first (escapes of the literal undone, the event's own kept). With raw
   the output is the whole message compacted, and the event is
   compacted in place in the message. */
static void
events(void)
{
	static const struct {
		const char *e, *want;
	} cases[] = {
		{ "{\"event\":\"meeting.started\",\"payload\":{}}",
		  "{\"event\":\"meeting.started\",\"payload\":{}}" },
		{ " { \"a\" : [ 1 , 2.5e3 , true , null ] , \"b\" : { } } ",
		  "{\"a\":[1,2.5e3,true,null],\"b\":{}}" },
		{ "{\"s\":\"  spaces  stay  \",\"t\":\"\\t\\n\"}",
		  "{\"s\":\"  spaces  stay  \",\"t\":\"\\t\\n\"}" },
		{ "{\"q\":\"a\\\\b\\\"c\\u00e9\\/\"}",
		  "{\"q\":\"a\\\\b\\\"c\\u00e9\\/\"}" },
		{ "{\"topic\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
		  "{\"topic\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}" },
		{ "{\"\\ud83d\\ude00\":\"\\u0000\"}",
		  "{\"\\ud83d\\ude00\":\"\\u0000\"}" },
		{ "\n\t{}\r\n", "{}" },
	};
	const char *env;
	char want[512];
	size_t i;
	long wl;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(rd(in_string(cases[i].e), 0) == ZOOM_EVENT);
		CHECK_STR(out, cases[i].want);
		CHECK(rd(as_object(cases[i].e), 0) == ZOOM_EVENT);
		CHECK_STR(out, cases[i].want);
		/* raw: the message compacted; the event in place */
		env = in_string(cases[i].e);
		CHECK((wl = json_compact(want, sizeof(want), env, strlen(env))) >
		    0);
		CHECK(rd(env, 1) == ZOOM_EVENT);
		CHECK(m.out_len == (size_t)wl && memcmp(dst, want, m.out_len) == 0);
		CHECK(m.event_len == strlen(cases[i].want) &&
		    memcmp(m.event, cases[i].want, m.event_len) == 0);
		env = as_object(cases[i].e);
		CHECK((wl = json_compact(want, sizeof(want), env, strlen(env))) >
		    0);
		CHECK(rd(env, 1) == ZOOM_EVENT);
		CHECK(m.out_len == (size_t)wl && memcmp(dst, want, m.out_len) == 0);
		CHECK(m.event_len == strlen(cases[i].want) &&
		    memcmp(m.event, cases[i].want, m.event_len) == 0);
		if (t_case_failed) {
			printf("  case %zu: %s\n", i, out);
			return;
		}
	}

	/* the literal's own escapes: \u007b is '{', \" a quote; an
	   escaped \u00e9 in the literal is raw UTF-8 in the event */
	CHECK(rd("{\"module\":\"message\",\"content\":\"\\u007b\\\"k\\u0022:"
	    "\\\"caf\\u00e9\\\"}\"}", 0) == ZOOM_EVENT);
	CHECK_STR(out, "{\"k\":\"caf\xc3\xa9\"}");
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\\\"k\\\":\\\"\\\\u00e9"
	    "\\\"}\"}", 0) == ZOOM_EVENT);
	CHECK_STR(out, "{\"k\":\"\\u00e9\"}");
	/* the content's span in the message */
	CHECK(rd("{\"module\":\"message\",\"content\":\"{}\"}", 0) == ZOOM_EVENT);
	CHECK(m.content == 30 && m.content_len == 4);
	CHECK(rd("{\"module\":\"build_connection\",\"success\":false,"
	    "\"content\":\"bad\"}", 0) == ZOOM_REFUSED);
	CHECK(m.content_len == 5 && memcmp(msg + m.content, "\"bad\"", 5) == 0);
	/* raw: every kind but the broken ones is output */
	CHECK(rd(" { \"module\" : \"heartbeat\" } ", 1) == ZOOM_HEARTBEAT);
	CHECK_STR(whole, "{\"module\":\"heartbeat\"}");
	CHECK(rd("[ 1 ]", 1) == ZOOM_OTHER);
	CHECK_STR(whole, "[1]");
}

/* A content that is JSON but not an object is not an event, however it
   is carried; nor is a missing, empty or broken one. */
static void
not_objects(void)
{
	static const struct {
		const char *msg;
		int         err;
	} cases[] = {
		{ "{\"module\":\"message\",\"content\":\"42\"}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":\" 42 \"}",
		  ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":\"[1]\"}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":\"[{}]\"}",
		  ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":\"null\"}",
		  ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":\"true\"}",
		  ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":\"\\\"{}\\\"\"}",
		  ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":42}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":[1]}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":[{}]}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":null}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":false}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\"}", ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"x\":{\"content\":\"{}\"}}",
		  ZOOM_ERR_NOT_OBJECT },
		{ "{\"module\":\"message\",\"content\":\"\"}", JSON_ERR_EMPTY },
		{ "{\"module\":\"message\",\"content\":\"   \"}", JSON_ERR_EMPTY },
		{ "{\"module\":\"message\",\"content\":\"{\"}", JSON_ERR_TRUNCATED },
		{ "{\"module\":\"message\",\"content\":\"{}{}\"}",
		  JSON_ERR_TRAILING },
		{ "{\"module\":\"message\",\"content\":\"{\\\"a\\\":01}\"}",
		  JSON_ERR_NUMBER },
		{ "{\"module\":\"message\",\"content\":\"{\\\"a\\\":\\\"\\\\x\\\"}\"}",
		  JSON_ERR_ESCAPE },
		{ "{\"module\":\"message\",\"content\":\"{\\\"a\\\":\\\"\\n\\\"}\"}",
		  JSON_ERR_CONTROL },
	};
	size_t i;
	int raw;

	for (raw = 0; raw < 2; raw++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			CHECK(rd(cases[i].msg, raw) == ZOOM_BAD_EVENT);
			CHECK(m.err == cases[i].err);
			if (t_case_failed) {
				printf("  raw %d, case %zu: kind %d, err %d\n", raw, i,
				    m.kind, m.err);
				return;
			}
		}
	CHECK_STR(zoom_strerror(ZOOM_ERR_NOT_OBJECT), "an event is an object");
	CHECK_STR(zoom_strerror(JSON_ERR_DEPTH), "nested deeper than 64 levels");
	CHECK_STR(zoom_strerror(JSON_ERR_UTF8), json_strerror(JSON_ERR_UTF8));

	/* a content string that is not a valid string literal (valid
	   UTF-8): without raw the event is bad; with raw the message,
	   which the whole of is checked first, is not JSON */
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\\q}\"}", 0) ==
	    ZOOM_BAD_EVENT);
	CHECK(m.err == JSON_ERR_ESCAPE);
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\\q}\"}", 1) ==
	    ZOOM_NOT_JSON);
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\x01}\"}", 0) ==
	    ZOOM_BAD_EVENT);
	CHECK(m.err == JSON_ERR_CONTROL);
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\x01}\"}", 1) ==
	    ZOOM_NOT_JSON);
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\\\"a\\\":\\\"\\ud800"
	    "\\\"}\"}", 0) == ZOOM_BAD_EVENT);
	CHECK(m.err == JSON_ERR_ESCAPE);
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\\\"a\\\":\\\"\\ud800"
	    "\\\"}\"}", 1) == ZOOM_NOT_JSON);
}

/* An event nested d levels deep: {"a":{"a":...{}...}} (arrays inside
   from level inner on). */
static const char *
nested(int d, int inner)
{
	static char buf[1024];
	size_t o = 0;
	int i;

	for (i = 0; i < d - 1; i++)
		o += (size_t)sprintf(buf + o, i < inner ? "{\"a\":" : "[");
	o += (size_t)sprintf(buf + o, d - 1 < inner ? "{}" : "[]");
	for (i = d - 2; i >= 0; i--)
		buf[o++] = i < inner ? '}' : ']';
	buf[o] = '\0';
	return buf;
}

/* The nesting limit is the event's, the same however it is carried and
   in both modes: JSON_MAX_DEPTH levels pass, one more does not (carried
   as an object, that makes the whole message too deep: not JSON). */
static void
nesting(void)
{
	char e[1024];
	int raw, inner;

	for (raw = 0; raw < 2; raw++)
		for (inner = 1; inner <= JSON_MAX_DEPTH; inner += 21) {
			strcpy(e, nested(JSON_MAX_DEPTH, inner));
			CHECK(rd(in_string(e), raw) == ZOOM_EVENT);
			CHECK(strlen(out) == strlen(e) && memcmp(out, e, strlen(e)) ==
			    0);
			CHECK(rd(as_object(e), raw) == ZOOM_EVENT);
			CHECK(strlen(out) == strlen(e) && memcmp(out, e, strlen(e)) ==
			    0);
			strcpy(e, nested(JSON_MAX_DEPTH + 1, inner));
			CHECK(rd(in_string(e), raw) == ZOOM_BAD_EVENT);
			CHECK(m.err == JSON_ERR_DEPTH);
			CHECK(rd(as_object(e), raw) == ZOOM_NOT_JSON);
			CHECK(m.err == JSON_ERR_DEPTH);
			if (t_case_failed) {
				printf("  raw %d, inner %d\n", raw, inner);
				return;
			}
		}
	/* a message that is not an event may nest as deep as an
	   envelope with its event */
	strcpy(e, "{\"module\":\"x\",\"y\":");
	strcat(e, nested(JSON_MAX_DEPTH, 30));
	strcat(e, "}");
	CHECK(rd(e, 0) == ZOOM_OTHER);
	CHECK(rd(e, 1) == ZOOM_OTHER);
}

/* Text that is not UTF-8 fails the connection (RFC 6455 8.1) wherever
   it is, inside the content string too, which only the decoding of
   the event looks into. */
static void
not_utf8(void)
{
	static const char *bad[] = {
		"\xff", "\xc3\x28", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xe2\x82",
		"\x80", "a\xc3",
	};
	char e[64];
	size_t i;
	int raw;

	for (raw = 0; raw < 2; raw++)
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(e, sizeof(e), "{\"t\":\"%s\"}", bad[i]);
			CHECK(rd(in_string(e), raw) == ZOOM_NOT_UTF8);
			CHECK(rd(as_object(e), raw) == ZOOM_NOT_UTF8);
			/* at the very end of the content string */
			snprintf(e, sizeof(e), "{\"module\":\"message\","
			    "\"content\":\"{}%s\"}", bad[i]);
			CHECK(rd(e, raw) == ZOOM_NOT_UTF8);
			/* in a message that is not an event */
			snprintf(e, sizeof(e), "{\"module\":\"x\",\"content\":"
			    "\"%s\"}", bad[i]);
			CHECK(rd(e, raw) == ZOOM_NOT_UTF8);
			if (t_case_failed) {
				printf("  raw %d, case %zu\n", raw, i);
				return;
			}
		}
	/* bad UTF-8 and bad JSON: still UTF-8 first */
	CHECK(rd("{\"module\":\"message\",\"content\":\"{\\q\xff}\"}", 0) ==
	    ZOOM_NOT_UTF8);
	CHECK(rd("{\xff", 0) == ZOOM_NOT_UTF8);
	/* a NUL byte is UTF-8, not JSON */
	CHECK(readn("{\"module\":\"x\"}\0", 15, 0) == ZOOM_NOT_JSON);
}

/* zoom_glob: '*' any run of bytes, '?' one byte, anything else itself;
   never a byte past n. */
static void
glob(void)
{
	static const struct {
		const char *p, *s;
		int         n;          /* -1: strlen(s) */
		int         match;
	} cases[] = {
		{ "", "", -1, 1 }, { "", "a", -1, 0 }, { "a", "", -1, 0 },
		{ "*", "", -1, 1 }, { "**", "", -1, 1 }, { "*", "anything", -1, 1 },
		{ "?", "", -1, 0 }, { "?", "a", -1, 1 }, { "?", "ab", -1, 0 },
		{ "meeting.started", "meeting.started", -1, 1 },
		{ "meeting.started", "meeting.starte", -1, 0 },
		{ "meeting.started", "meeting.startedx", -1, 0 },
		{ "Meeting.*", "meeting.started", -1, 0 },
		{ "meeting.*", "meeting.started", -1, 1 },
		{ "meeting.*", "meeting.", -1, 1 },
		{ "meeting.*", "meeting", -1, 0 },
		{ "*.started", "meeting.started", -1, 1 },
		{ "*.started", "meeting.started.not", -1, 0 },
		{ "*.*", "a.b", -1, 1 }, { "*.*", "ab", -1, 0 },
		{ "m?eting.*", "meeting.ended", -1, 1 },
		{ "*participant*", "meeting.participant_joined", -1, 1 },
		{ "*a*b*c", "xxaxxbxxc", -1, 1 }, { "*a*b*c", "xxaxxbxxcx", -1, 0 },
		{ "*a*b*c*", "xxaxxbxxcx", -1, 1 }, { "a*b", "ab", -1, 1 },
		{ "a*b", "acbcb", -1, 1 }, { "a*b", "acbc", -1, 0 },
		{ "*ab", "aab", -1, 1 }, { "*aab", "aaab", -1, 1 },
		{ "a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -1, 0 },
		{ "??", "\xc3\xa9", -1, 1 }, { "?", "\xc3\xa9", -1, 0 },
		{ "caf\xc3\xa9", "caf\xc3\xa9", -1, 1 },
		{ "a?b", "a\0b", 3, 1 }, { "a*", "a\0\0", 3, 1 },
		{ "abc", "abcdef", 3, 1 }, { "abc*", "abcdef", 3, 1 },
		{ "abcd", "abcdef", 3, 0 }, { "*", "x", 0, 1 }, { "?", "x", 0, 0 },
	};
	size_t i, n;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = cases[i].n < 0 ? strlen(cases[i].s) : (size_t)cases[i].n;
		s = malloc(n > 0 ? n : 1);
		memcpy(s, cases[i].s, n);
		CHECK(zoom_glob(cases[i].p, s, n) == cases[i].match);
		free(s);
		if (t_case_failed) {
			printf("  case %zu: \"%s\"\n", i, cases[i].p);
			return;
		}
	}
}

/* zoom_event_wanted: the event's top-level "event" name, decoded, is
   matched against the patterns; no patterns: every event; no name or
   one that is not a string: none. */
static void
event_wanted(void)
{
	static const char *const meetings[] = { "webinar.*", "meeting.*" };
	static const char *const exact[] = { "meeting.started" };
	static const struct {
		const char *ev;
		int         want;
	} cases[] = {
		{ "{\"event\":\"meeting.started\"}", 1 },
		{ "{\"event\":\"webinar.ended\",\"payload\":{}}", 1 },
		{ "{\"payload\":{},\"event\":\"meeting.ended\"}", 1 },
		{ "{\"event\":\"recording.completed\"}", 0 },
		{ "{\"event\":\"meeting\\u002estarted\"}", 1 },
		{ "{\"event\":\"\\u006deeting.started\"}", 1 },
		{ "{\"ev\\u0065nt\":\"meeting.started\"}", 1 },
		{ "{\"payload\":{\"event\":\"meeting.started\"}}", 0 },
		{ "{}", 0 },
		{ "{\"event\":42}", 0 },
		{ "{\"event\":null}", 0 },
		{ "{\"event\":[\"meeting.started\"]}", 0 },
		{ "{\"event\":{\"name\":\"meeting.started\"}}", 0 },
		{ "{\"event\":\"recording.x\",\"event\":\"meeting.x\"}", 0 },
		{ "{\"event\":\"meeting.x\",\"event\":\"recording.x\"}", 1 },
	};
	size_t i, n;
	char *ev;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = strlen(cases[i].ev);
		ev = malloc(n);
		memcpy(ev, cases[i].ev, n);
		CHECK(zoom_event_wanted(ev, n, meetings, 2) == cases[i].want);
		CHECK(zoom_event_wanted(ev, n, NULL, 0) == 1);
		CHECK(zoom_event_wanted(ev, n, exact, 1) == (i < 1 || i == 4 ||
		    i == 5 || i == 6));
		free(ev);
		if (t_case_failed) {
			printf("  case %zu: %s\n", i, cases[i].ev);
			return;
		}
	}
}

/* zoom_upgrade_target: the configured target, its own subscriptionId
   and access_token parameters (and empty ones) left out, the rest kept
   in order, then subscriptionId and access_token, percent-encoded; a
   buffer one byte too small gives 0 and is never written past. */
static void
upgrade_target(void)
{
	static const struct {
		const char *target, *sub, *token;
		size_t      tlen;
		const char *want;
	} cases[] = {
		{ "/ws", "AbC", "tok", 3,
		  "/ws?subscriptionId=AbC&access_token=tok" },
		{ "/", "s", "t", 1, "/?subscriptionId=s&access_token=t" },
		{ "/ws?", "s", "t", 1, "/ws?subscriptionId=s&access_token=t" },
		{ "/ws?subscriptionId=old", "new", "t", 1,
		  "/ws?subscriptionId=new&access_token=t" },
		{ "/ws?subscriptionId=old&x=1", "new", "t", 1,
		  "/ws?x=1&subscriptionId=new&access_token=t" },
		{ "/ws?a=1&access_token=stale&b=2&subscriptionId=old", "s", "t", 1,
		  "/ws?a=1&b=2&subscriptionId=s&access_token=t" },
		{ "/ws?&&a=1&&b&", "s", "t", 1,
		  "/ws?a=1&b&subscriptionId=s&access_token=t" },
		{ "/ws?subscriptionIdX=1&access_token2=2&subscriptionId", "s", "t",
		  1, "/ws?subscriptionIdX=1&access_token2=2&subscriptionId=s&"
		  "access_token=t" },
		{ "/v2/ws?x=%41%2F", "s", "t", 1,
		  "/v2/ws?x=%41%2F&subscriptionId=s&access_token=t" },
		{ "/ws", "a b/c?&=", "eyJ+/=.x_y-z~", 13,
		  "/ws?subscriptionId=a%20b%2Fc%3F%26%3D&access_token="
		  "eyJ%2B%2F%3D.x_y-z~" },
		{ "/ws", "s", "a\0b\xff", 4,
		  "/ws?subscriptionId=s&access_token=a%00b%FF" },
		{ "/ws", "s", "", 0, "/ws?subscriptionId=s&access_token=" },
	};
	size_t i, n, cap;
	char *buf;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = strlen(cases[i].want);
		for (cap = 0; cap <= n + 1; cap++) {
			buf = malloc(cap > 0 ? cap : 1);
			memset(buf, 'Z', cap);
			if (cap == n + 1) {
				CHECK(zoom_upgrade_target(buf, cap, cases[i].target,
				    cases[i].sub, cases[i].token, cases[i].tlen) == n);
				CHECK_STR(buf, cases[i].want);
			} else
				CHECK(zoom_upgrade_target(buf, cap, cases[i].target,
				    cases[i].sub, cases[i].token, cases[i].tlen) == 0);
			free(buf);
			if (t_case_failed) {
				printf("  case %zu, cap %zu\n", i, cap);
				return;
			}
		}
	}
}

/* zoom_gap_line: the line and its newline, its length; 0 when it and
   its NUL do not fit, without writing past the buffer. */
static void
gap_line(void)
{
	static const struct {
		int64_t     from, to;
		const char *want;
	} cases[] = {
		{ 1706123456789LL, 1706123460000LL,
		  "{\"event\":\"zoomws.gap\",\"payload\":{\"from\":1706123456789,"
		  "\"to\":1706123460000}}\n" },
		{ 0, 0, "{\"event\":\"zoomws.gap\",\"payload\":{\"from\":0,"
		  "\"to\":0}}\n" },
		{ INT64_MIN, INT64_MAX, "{\"event\":\"zoomws.gap\",\"payload\":"
		  "{\"from\":-9223372036854775808,\"to\":9223372036854775807}}\n" },
	};
	size_t i, n, cap;
	char *buf;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = strlen(cases[i].want);
		for (cap = 0; cap <= n + 1; cap++) {
			buf = malloc(cap > 0 ? cap : 1);
			CHECK(zoom_gap_line(buf, cap, cases[i].from, cases[i].to) ==
			    (cap == n + 1 ? n : 0));
			if (cap == n + 1)
				CHECK_STR(buf, cases[i].want);
			free(buf);
		}
		/* the line is an event: one strict JSON object */
		CHECK(json_validate(cases[i].want, n - 1) == JSON_OK);
	}
}

int
main(void)
{
	t_suite = "zoom";
	RUN(kinds);
	RUN(events);
	RUN(not_objects);
	RUN(nesting);
	RUN(not_utf8);
	RUN(glob);
	RUN(event_wanted);
	RUN(upgrade_target);
	RUN(gap_line);
	free(msg);
	free(dst);
	return t_done();
}
