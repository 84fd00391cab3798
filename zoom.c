/*
 * zoom.c - Zoom's envelope, the event filter, the upgrade target, the
 * gap line.
 */
#include <string.h>

#include "fmt.h"
#include "json.h"
#include "url.h"
#include "ws.h"
#include "zoom.h"

/* The message is not JSON: not UTF-8 either fails the connection (RFC
   6455 8.1, checked here rather than by the frame reader: what the JSON
   checks accept is UTF-8). */
/*
 * Is the module literal mod[0..len) the name s (plain ASCII)? Zoom sends
 * it as the name in quotes, which is compared as bytes; any other
 * spelling (an escape) is decoded by json_streq.
 */
static int
is_module(const char *mod, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i + 2 < len && s[i] != '\0' && mod[i + 1] == s[i]; i++)
		;
	if (s[i] == '\0' && i + 2 == len && mod[0] == '"' &&
	    mod[i + 1] == '"')
		return 1;
	return json_streq(mod, len, s);
}

static enum zoom_kind
not_json(struct zoom_msg *m, const char *msg, size_t len, int err)
{
	m->err = err;
	return m->kind = ws_utf8_valid(msg, len) ? ZOOM_NOT_JSON : ZOOM_NOT_UTF8;
}

/* The message compacted into dst as json_compact does, but allowed
   the envelope's own level beyond JSON_MAX_DEPTH, as json_envelope
   allows it: an event carried as an object nests as deep as one in a
   string, with --raw too. */
static long
compact_message(char *dst, size_t cap, const char *msg, size_t len)
{
	struct json_lexer lx;
	size_t n = 0;
	int rc;

	json_lexer_init(&lx);
	lx.outer = 1;
	if ((rc = json_lexer_feed(&lx, msg, len, dst, cap, &n)) == JSON_OK)
		rc = json_lexer_end(&lx, NULL);
	return rc == JSON_OK ? (long)n : rc;
}

/*
 * event_of: the event of a "message" envelope, its content the span
 * [ev, ev + evlen) of type type; n is what decoding a string content
 * into dst gave (not with raw). The event must be a JSON object.
 */
static enum zoom_kind
event_of(struct zoom_msg *m, char *msg, size_t len, int raw, char *dst,
    size_t cap, enum json_type type, long n)
{
	char *ev = msg + m->content;
	size_t evlen = m->content_len;

	if (type == JSON_STRING) {
		/* with raw the output holds the envelope: the event is
		   decoded in place only to check and filter it */
		if (raw)
			n = json_unescape_compact(ev, evlen, ev, evlen);
	} else if (type == JSON_OBJECT)
		n = json_compact(raw ? ev : dst, raw ? evlen : cap, ev, evlen);
	else
		n = ZOOM_ERR_NOT_OBJECT;
	if (n < 0) {
		/* RFC 6455 8.1: the bad part may be the content string,
		   which nothing else checked (with raw the compaction of
		   the whole message did) */
		if (!raw && n != ZOOM_ERR_NOT_OBJECT && !ws_utf8_valid(msg, len))
			return m->kind = ZOOM_NOT_UTF8;
		m->err = (int)n;
		return m->kind = ZOOM_BAD_EVENT;
	}
	m->event = raw ? ev : dst;
	m->event_len = (size_t)n;
	/* compacted, an object starts with its brace: "42" or "[]" in a
	   string is JSON, but not an event */
	if (n == 0 || m->event[0] != '{') {
		m->err = ZOOM_ERR_NOT_OBJECT;
		return m->kind = ZOOM_BAD_EVENT;
	}
	if (!raw)
		m->out_len = (size_t)n;
	return m->kind = ZOOM_EVENT;
}

enum zoom_kind
zoom_read(char *msg, size_t len, int raw, char *dst, size_t cap,
    struct zoom_msg *m)
{
	struct json_field f[3] = { { "module", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "content", 0, 0, 0 } };
	const char *mod;
	size_t modlen;
	long n = 0;
	int rc, event;

	memset(m, 0, sizeof(*m));
	/* json_envelope checks all of the message but a content string,
	   which it only delimits: an event's is checked as it is decoded
	   into dst in the same pass (but with raw), any other's with the
	   whole message just below (with raw, by the compaction). */
	if ((rc = json_envelope_decode(msg, len, f, 3, 2, raw ? NULL : dst, cap,
	    &n)) != 0)
		return not_json(m, msg, len, rc);
	mod = msg + f[0].start;
	modlen = f[0].end - f[0].start;
	event = f[0].type == JSON_STRING && is_module(mod, modlen, "message");
	if (raw) {
		long k = compact_message(dst, cap, msg, len);

		if (k < 0)
			return not_json(m, msg, len, (int)k);
		m->out_len = (size_t)k;
	} else if (!event && f[2].type == JSON_STRING &&
	    (rc = json_validate(msg, len)) != 0)
		return not_json(m, msg, len, rc);
	if (f[2].type != JSON_NONE) {
		m->content = f[2].start;
		m->content_len = f[2].end - f[2].start;
	}
	if (f[0].type != JSON_STRING) {
		m->no_module = 1;
		return m->kind = ZOOM_OTHER;
	}
	if (event)
		return event_of(m, msg, len, raw, dst, cap, f[2].type, n);
	if (is_module(mod, modlen, "build_connection"))
		return m->kind = f[1].type == JSON_TRUE ? ZOOM_OPENED :
		    ZOOM_REFUSED;
	if (is_module(mod, modlen, "heartbeat"))
		return m->kind = ZOOM_HEARTBEAT;
	return m->kind = ZOOM_OTHER;
}

const char *
zoom_strerror(int err)
{
	if (err == ZOOM_ERR_NOT_OBJECT)
		return "an event is an object";
	if (err == JSON_ERR_DEPTH)
		return "nested deeper than 64 levels";
	return json_strerror(err);
}

int
zoom_glob(const char *p, const char *s, size_t n)
{
	const char *star = NULL;
	size_t i = 0, mark = 0;

	while (i < n) {
		if (*p == '?' || (*p != '\0' && *p != '*' && *p == s[i])) {
			p++;
			i++;
		} else if (*p == '*') {
			star = p++;
			mark = i;
		} else if (star != NULL) {
			p = star + 1;
			i = ++mark;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int
zoom_event_wanted(const char *ev, size_t n, const char *const *filters,
    int nfilters)
{
	struct json_field f = { "event", 0, 0, 0 };
	char name[1024];
	long nl;
	int i;

	if (nfilters == 0)
		return 1;
	if (json_fields(ev, n, &f, 1) != 0 || f.type != JSON_STRING)
		return 0;
	if ((nl = json_unescape(name, sizeof(name), ev + f.start,
	    f.end - f.start)) < 0)
		return 0;
	for (i = 0; i < nfilters; i++)
		if (zoom_glob(filters[i], name, (size_t)nl))
			return 1;
	return 0;
}

size_t
zoom_upgrade_target(char *dst, size_t cap, const char *target,
    const char *sub, const char *token, size_t tlen)
{
	const char *q = strchr(target, '?');
	struct url_param prm;
	char sep = '?';
	size_t o = 0, n;

	if (cap == 0)
		return 0;
	dst[0] = '\0';
	if (!url_append(dst, cap, &o, target, q != NULL ? (size_t)(q - target) :
	    strlen(target)))
		return 0;
	for (q = q != NULL ? q + 1 : ""; url_query_next(&q, &prm); ) {
		if (prm.len == 0 || (prm.nlen == 14 &&
		    memcmp(prm.p, "subscriptionId", 14) == 0) ||
		    (prm.nlen == 12 && memcmp(prm.p, "access_token", 12) == 0))
			continue;
		if (!url_append(dst, cap, &o, &sep, 1) ||
		    !url_append(dst, cap, &o, prm.p, prm.len))
			return 0;
		sep = '&';
	}
	if (!url_append(dst, cap, &o, &sep, 1) ||
	    !url_append(dst, cap, &o, "subscriptionId=", 15) ||
	    (n = url_encode(dst + o, cap - o, sub, strlen(sub))) == (size_t)-1)
		return 0;
	o += n;
	if (!url_append(dst, cap, &o, "&access_token=", 14) ||
	    (n = url_encode(dst + o, cap - o, token, tlen)) == (size_t)-1)
		return 0;
	return o + n;
}

size_t
zoom_gap_line(char *dst, size_t cap, int64_t from, int64_t to)
{
	int n = fmt_snprintf(dst, cap, "{\"event\":\"zoomws.gap\",\"payload\":"
	    "{\"from\":%lld,\"to\":%lld}}\n", (long long)from, (long long)to);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
