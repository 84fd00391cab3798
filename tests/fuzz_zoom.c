/*
 * fuzz_zoom.c - zoom_read on arbitrary messages, with and without raw,
 * each from a buffer of exactly its length into an output buffer of
 * exactly that length (the output is never longer), so that ASan sees
 * any byte touched past either. Oracles:
 *  - out_len <= len; an event's content span lies inside the message;
 *  - an event is one strict JSON object (json_validate, first byte '{');
 *    without raw, carried in a string it is json_unescape_compact of
 *    the literal, carried as an object json_compact of it; with raw it
 *    is the same event, compacted in place in the message;
 *  - with raw, the output of every kind but ZOOM_NOT_JSON and
 *    ZOOM_NOT_UTF8 is the message without the whitespace outside its
 *    strings, and json_compact's output wherever json_compact (whose
 *    depth limit counts the envelope's level) takes the message;
 *  - ZOOM_NOT_UTF8 exactly when ws_utf8_valid says the message is not
 *    UTF-8;
 *  - the kinds agree with json_fields' view of "module", "success" and
 *    "content" when json_fields takes the message; when it refuses it
 *    (but for depth), the message is not JSON, or, without raw, an
 *    event whose content string is broken;
 *  - both modes give the same kind, but for a broken content string,
 *    which raw (checking the whole message first) calls not JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"
#include "../ws.h"
#include "../zoom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXMSG (1 << 16)

static char want[MAXMSG], first[MAXMSG];

/* The message without the whitespace outside its strings: what
   compaction is, for a valid document, walked here without a lexer. */
static size_t
strip(char *dst, const char *s, size_t n)
{
	size_t i, o = 0;
	int in = 0, esc = 0;

	for (i = 0; i < n; i++) {
		if (in) {
			if (esc)
				esc = 0;
			else if (s[i] == '\\')
				esc = 1;
			else if (s[i] == '"')
				in = 0;
		} else if (s[i] == '"')
			in = 1;
		else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\r')
			continue;
		dst[o++] = s[i];
	}
	return o;
}

/* The kind json_fields' view of the message (JSON_OK) calls for. */
static void
check_kind(const char *doc, size_t len, const struct zoom_msg *m)
{
	struct json_field f[3] = { { "module", JSON_NONE, 0, 0 },
	    { "success", JSON_NONE, 0, 0 }, { "content", JSON_NONE, 0, 0 } };
	const char *mod;
	size_t ml;
	long n;

	if (json_fields(doc, len, f, 3) != JSON_OK)
		__builtin_trap();
	mod = doc + f[0].start;
	ml = f[0].end - f[0].start;
	if (f[0].type != JSON_STRING) {
		if (m->kind != ZOOM_OTHER || !m->no_module)
			__builtin_trap();
		return;
	}
	if (m->no_module)
		__builtin_trap();
	if (json_streq(mod, ml, "message")) {
		/* an event exactly when the content is an object, or a
		   string that decodes to one */
		if (f[2].type == JSON_OBJECT)
			n = 1;
		else if (f[2].type == JSON_STRING) {
			n = json_unescape_compact(want, MAXMSG, doc + f[2].start,
			    f[2].end - f[2].start);
			n = n > 0 && want[0] == '{';
		} else
			n = 0;
		if (m->kind != (n ? ZOOM_EVENT : ZOOM_BAD_EVENT))
			__builtin_trap();
	} else if (json_streq(mod, ml, "build_connection")) {
		if (m->kind != (f[1].type == JSON_TRUE ? ZOOM_OPENED :
		    ZOOM_REFUSED))
			__builtin_trap();
	} else if (json_streq(mod, ml, "heartbeat")) {
		if (m->kind != ZOOM_HEARTBEAT)
			__builtin_trap();
	} else if (m->kind != ZOOM_OTHER)
		__builtin_trap();
}

/* zoom_read of data in one mode, every oracle that needs no other mode;
   the event (non-raw) is left in first[0..*evlen). */
static enum zoom_kind
one(const uint8_t *data, size_t size, int raw, int rc, size_t *evlen)
{
	struct zoom_msg m;
	char *msg, *dst;
	long n;
	size_t sl;

	msg = malloc(size > 0 ? size : 1);
	dst = malloc(size > 0 ? size : 1);
	memcpy(msg, data, size);
	zoom_read(msg, size, raw, dst, size, &m);
	if (m.kind > ZOOM_NOT_UTF8 || m.out_len > size ||
	    m.content + m.content_len > size)
		__builtin_trap();
	if ((m.kind == ZOOM_NOT_UTF8) != !ws_utf8_valid(data, size))
		__builtin_trap();
	if (m.kind == ZOOM_EVENT) {
		if (m.event_len == 0 || m.event[0] != '{' ||
		    json_validate(m.event, m.event_len) != JSON_OK ||
		    m.content_len == 0)
			__builtin_trap();
		if (!raw) {
			if (m.event != dst || m.out_len != m.event_len)
				__builtin_trap();
			if (data[m.content] == '"')
				n = json_unescape_compact(want, MAXMSG,
				    (const char *)data + m.content, m.content_len);
			else if (data[m.content] == '{')
				n = json_compact(want, MAXMSG,
				    (const char *)data + m.content, m.content_len);
			else
				n = -1;
			if (n != (long)m.event_len ||
			    memcmp(want, m.event, m.event_len) != 0)
				__builtin_trap();
			memcpy(first, m.event, m.event_len);
			*evlen = m.event_len;
		} else if (m.event < msg || m.event + m.event_len > msg + size ||
		    m.event_len != *evlen || memcmp(m.event, first, *evlen) != 0)
			__builtin_trap();
	}
	if (raw && m.kind != ZOOM_NOT_JSON && m.kind != ZOOM_NOT_UTF8) {
		sl = strip(want, (const char *)data, size);
		if (m.out_len != sl || memcmp(dst, want, sl) != 0)
			__builtin_trap();
		n = json_compact(want, MAXMSG, (const char *)data, size);
		if (n >= 0 ? (size_t)n != sl || memcmp(dst, want, sl) != 0 :
		    n != JSON_ERR_DEPTH)
			__builtin_trap();
	}
	if (!raw && m.kind != ZOOM_EVENT && m.out_len != 0)
		__builtin_trap();
	if (rc == JSON_OK)
		check_kind((const char *)data, size, &m);
	else if (rc != JSON_ERR_DEPTH && m.kind != ZOOM_NOT_JSON &&
	    m.kind != ZOOM_NOT_UTF8 && (raw || m.kind != ZOOM_BAD_EVENT ||
	    m.content_len == 0 || data[m.content] != '"'))
		__builtin_trap();
	free(msg);
	free(dst);
	return m.kind;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_field f = { "module", JSON_NONE, 0, 0 };
	enum zoom_kind k0, k1;
	size_t evlen = 0;
	int rc;

	if (size > MAXMSG)
		return 0;
	rc = json_fields((const char *)data, size, &f, 1);
	k0 = one(data, size, 0, rc, &evlen);
	k1 = one(data, size, 1, rc, &evlen);
	if (k0 != k1 && !(k0 == ZOOM_BAD_EVENT && k1 == ZOOM_NOT_JSON))
		__builtin_trap();
	return 0;
}
