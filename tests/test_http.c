/*
 * test_http.c - the HTTP/1.1 response parser and request writer.
 *
 * Every response, valid or not, is also fed split at every point, byte
 * by byte and (short ones) at every pair of points, and must give the
 * same answer, headers and body as when fed whole.
 */
#include <stdint.h>
#include <stdio.h>

#include "t.h"
#include "../http.h"

#define BODYBUF 8192

/* What a parse came to, for comparing runs. */
struct outcome {
	int    rc;
	size_t used;            /* bytes consumed in all */
	int    status, minor;
	char   hdrs[HTTP_MAX_HEAD + 4 * HTTP_MAX_HEADERS];
	char   body[BODYBUF];
	size_t bodylen;
};

struct setup {
	int    headers_only;
	size_t headcap;         /* 0: HTTP_MAX_HEAD */
	size_t bodycap;         /* 0 with body: BODYBUF */
	int    eof;             /* call http_eof after the last piece */
};

static const struct setup FULL = { 0, 0, BODYBUF, 1 };
static const struct setup HEADERS = { 1, 0, 0, 0 };

static char headbuf[HTTP_MAX_HEAD + 100], bodybuf[BODYBUF];

static void
summarise(const struct http_response *r, struct outcome *o)
{
	size_t i, n = 0;

	o->status = r->status;
	o->minor = r->minor;
	o->hdrs[0] = '\0';
	for (i = 0; i < r->nheaders; i++)
		n += (size_t)snprintf(o->hdrs + n, sizeof(o->hdrs) - n,
		    "%.*s=%.*s\n", (int)r->headers[i].namelen,
		    r->headers[i].name, (int)r->headers[i].valuelen,
		    r->headers[i].value);
	o->bodylen = r->bodylen;
	if (r->bodylen > 0)
		memcpy(o->body, r->body, r->bodylen);
}

/* Feed msg[0..len) cut at cuts[0..ncuts) (ascending); fills o. */
static void
run_cuts(const char *msg, size_t len, const size_t *cuts, size_t ncuts,
    const struct setup *s, struct outcome *o, struct http_response *r)
{
	size_t at = 0, i, used;
	int rc = HTTP_NEED_MORE;

	http_response_init(r, headbuf, s->headcap ? s->headcap : sizeof(headbuf),
	    s->bodycap ? bodybuf : NULL, s->bodycap, s->headers_only);
	o->used = 0;
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		rc = http_feed(r, msg + at, end - at, &used);
		o->used += used;
		if (rc != HTTP_NEED_MORE)
			break;
		if (used != end - at) {
			rc = 99;    /* NEED_MORE must take everything */
			break;
		}
		at = end;
	}
	if (rc == HTTP_NEED_MORE && s->eof)
		rc = http_eof(r);
	o->rc = rc;
	summarise(r, o);
}

static void
run_whole(const char *msg, size_t len, const struct setup *s,
    struct outcome *o, struct http_response *r)
{
	run_cuts(msg, len, NULL, 0, s, o, r);
}

static int
same(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc)
		return 0;
	if (a->rc < 0)
		return 1;       /* where an error stops may differ */
	return a->used == b->used && a->status == b->status &&
	    a->minor == b->minor && strcmp(a->hdrs, b->hdrs) == 0 &&
	    a->bodylen == b->bodylen &&
	    memcmp(a->body, b->body, a->bodylen) == 0;
}

static struct outcome whole_o, split_o;
static struct http_response rr;

/*
 * Parse msg whole, then at every split point, byte by byte and, when
 * short, at every pair of points; every run must agree. Returns the
 * whole run's outcome in whole_o (and its response in rr).
 */
static int
parse_every_way(const char *msg, size_t len, const struct setup *s)
{
	static size_t cuts[HTTP_MAX_HEAD * 2];
	struct http_response r;
	size_t i, j;
	int ok = 1;

	if (len > sizeof(cuts) / sizeof(cuts[0]))
		return 0;
	run_whole(msg, len, s, &whole_o, &r);
	for (i = 0; i <= len && ok; i++) {
		cuts[0] = i;
		run_cuts(msg, len, cuts, 1, s, &split_o, &r);
		ok = same(&split_o, &whole_o);
		if (!ok)
			printf("  split at %zu: rc %d vs %d\n", i, split_o.rc,
			    whole_o.rc);
	}
	if (ok && len <= 160)
		for (i = 0; i <= len && ok; i++)
			for (j = i; j <= len && ok; j++) {
				cuts[0] = i;
				cuts[1] = j;
				run_cuts(msg, len, cuts, 2, s, &split_o, &r);
				ok = same(&split_o, &whole_o);
			}
	if (ok) {
		for (i = 0; i < len; i++)
			cuts[i] = i + 1;
		run_cuts(msg, len, cuts, len, s, &split_o, &r);
		ok = same(&split_o, &whole_o);
		if (!ok)
			printf("  byte by byte: rc %d vs %d\n", split_o.rc,
			    whole_o.rc);
	}
	/* leave the whole run's response in rr for the caller */
	run_whole(msg, len, s, &whole_o, &rr);
	return ok;
}

/* parse_every_way on a NUL-terminated message; returns the result code
   of the whole run. */
static int
parse_str(const char *msg, const struct setup *s)
{
	int ok = parse_every_way(msg, strlen(msg), s);

	CHECK(ok);
	return ok ? whole_o.rc : 99;
}

static int
hdr_is(const char *name, const char *want)
{
	size_t n;
	const char *v = http_header(&rr, name, &n);

	return v != NULL && n == strlen(want) && memcmp(v, want, n) == 0;
}

static int
body_is(const char *want)
{
	return whole_o.bodylen == strlen(want) &&
	    memcmp(whole_o.body, want, whole_o.bodylen) == 0;
}

/* ---- real-looking Zoom token responses ---- */

#define TOKEN_JSON \
	"{\"access_token\":\"eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIu" \
	"MCIsImtpZCI6IjRiNjcifQ.eyJhdWQiOiJodHRwczovL29hdXRoLnpvb20udXMiLCJ1" \
	"aWQiOiJhYmMifQ.c2lnbmF0dXJl\",\"token_type\":\"bearer\"," \
	"\"expires_in\":3599,\"scope\":\"user:read:admin meeting:read:admin " \
	"recording:read:admin\",\"api_url\":\"https://api.zoom.us\"}"

static const char token_json[] = TOKEN_JSON;
static char msg[32768];

static void
token_content_length(void)
{
	char cl[24];
	size_t n = (size_t)snprintf(msg, sizeof(msg),
	    "HTTP/1.1 200 OK\r\n"
	    "Date: Sun, 29 Nov 2026 00:00:00 GMT\r\n"
	    "Content-Type: application/json;charset=UTF-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: keep-alive\r\n"
	    "x-zm-trackingid: v=2.0;clid=us06;rid=WEB_3f1c2a\r\n"
	    "Set-Cookie: _zm_ssid=aw1_c_x; Domain=.zoom.us; Path=/; Secure\r\n"
	    "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
	    "Cache-Control: no-store\r\n"
	    "Vary: Origin\r\n"
	    "\r\n" TOKEN_JSON, strlen(TOKEN_JSON));

	CHECK(parse_every_way(msg, n, &FULL));
	CHECK(whole_o.rc == HTTP_DONE);
	CHECK(whole_o.used == n);
	CHECK(rr.status == 200);
	CHECK(rr.minor == 1);
	CHECK(rr.reasonlen == 2 && memcmp(rr.reason, "OK", 2) == 0);
	CHECK(rr.nheaders == 9);
	CHECK(hdr_is("content-type", "application/json;charset=UTF-8"));
	snprintf(cl, sizeof(cl), "%zu", strlen(TOKEN_JSON));
	CHECK(hdr_is("CONTENT-LENGTH", cl));
	CHECK(hdr_is("Vary", "Origin"));
	CHECK(body_is(TOKEN_JSON));
	CHECK(rr.body == bodybuf);
	CHECK(http_header(&rr, "Transfer-Encoding", NULL) == NULL);
}

static void
token_chunked(void)
{
	/* TOKEN_JSON in three chunks, as api.zoom.us sends it, with an
	   extension, upper- and lower-case hex and a trailer. */
	size_t n = (size_t)snprintf(msg, sizeof(msg),
	    "HTTP/1.1 200 \r\n"
	    "Content-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "\r\n"
	    "10;name=\"value\"\r\n%.16s\r\n"
	    "1A \t; a=b ;c\r\n%.26s\r\n"
	    "%zx\r\n%s\r\n"
	    "0000;last\r\n"
	    "X-Trailer: done\r\n"
	    "Server-Timing: total;dur=12\r\n"
	    "\r\n",
	    token_json, token_json + 16, strlen(token_json) - 42,
	    token_json + 42);

	CHECK(parse_every_way(msg, n, &FULL));
	CHECK(whole_o.rc == HTTP_DONE);
	CHECK(whole_o.used == n);
	CHECK(rr.status == 200);
	CHECK(rr.reasonlen == 0);
	CHECK(body_is(TOKEN_JSON));
	/* trailers are skipped, not added to the headers */
	CHECK(http_header(&rr, "X-Trailer", NULL) == NULL);
	CHECK(rr.nheaders == 2);
}

static void
chunked_empty_and_bare_lf(void)
{
	/* no data chunk at all, and the whole message with bare LF */
	CHECK(parse_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n0\r\n\r\n", &FULL) == HTTP_DONE);
	CHECK(whole_o.bodylen == 0);
	CHECK(parse_str("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
	    "5\nhello\n6;x\n world\n0\nA: b\n\n", &FULL) == HTTP_DONE);
	CHECK(body_is("hello world"));
	CHECK(hdr_is("transfer-encoding", "chunked"));
	/* one chunk of a single byte */
	CHECK(parse_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n"
	    "\r\n1\r\n{\r\n0\r\n\r\n", &FULL) == HTTP_DONE);
	CHECK(body_is("{"));
}

static void
token_until_close(void)
{
	static const char m[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Connection: close\r\n"
	    "\r\n" TOKEN_JSON;
	struct http_response r;
	size_t used;

	CHECK(parse_str(m, &FULL) == HTTP_DONE);
	CHECK(whole_o.used == strlen(m));
	CHECK(body_is(TOKEN_JSON));

	/* without the close it is not done */
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, m, strlen(m), &used) == HTTP_NEED_MORE);
	CHECK(used == strlen(m));
	CHECK(http_eof(&r) == HTTP_DONE);
	CHECK(http_eof(&r) == HTTP_DONE);
	CHECK(r.bodylen == strlen(TOKEN_JSON));

	/* HTTP/1.0, empty body */
	CHECK(parse_str("HTTP/1.0 200 OK\r\n\r\n", &FULL) == HTTP_DONE);
	CHECK(whole_o.minor == 0);
	CHECK(whole_o.bodylen == 0);
}

static void
error_responses(void)
{
	static const char j401[] =
	    "{\"reason\":\"Invalid client_id or client_secret\","
	    "\"error\":\"invalid_client\"}";
	static const char j400[] =
	    "{\"reason\":\"unsupported grant type\","
	    "\"error\":\"unsupported_grant_type\"}";
	static const char j429[] =
	    "{\"code\":429,\"message\":\"You have reached the maximum per "
	    "second allowed for this API.\"}";
	size_t n;

	n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 401 Unauthorized\r\n"
	    "Content-Type: application/json;charset=UTF-8\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(j401), j401);
	CHECK(parse_every_way(msg, n, &FULL) && whole_o.rc == HTTP_DONE);
	CHECK(rr.status == 401);
	CHECK(body_is(j401));

	n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 400 Bad Request\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
	    strlen(j400), j400);
	CHECK(parse_every_way(msg, n, &FULL) && whole_o.rc == HTTP_DONE);
	CHECK(rr.status == 400);
	CHECK(body_is(j400));

	n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 429 Too Many Requests\r\n"
	    "Content-Type: application/json\r\n"
	    "Retry-After:   30  \r\n"
	    "X-RateLimit-Type: QPS\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(j429), j429);
	CHECK(parse_every_way(msg, n, &FULL) && whole_o.rc == HTTP_DONE);
	CHECK(rr.status == 429);
	CHECK(rr.reasonlen == 17 && memcmp(rr.reason, "Too Many Requests", 17) == 0);
	CHECK(hdr_is("retry-after", "30"));
	CHECK(body_is(j429));

	CHECK(parse_str("HTTP/1.1 503 Service Unavailable\r\nRetry-After: "
	    "Sun, 29 Nov 2026 00:01:00 GMT\r\nContent-Length: 0\r\n\r\n",
	    &FULL) == HTTP_DONE);
	CHECK(whole_o.status == 503);
	CHECK(hdr_is("Retry-After", "Sun, 29 Nov 2026 00:01:00 GMT"));
}

static void
upgrade_leaves_frames(void)
{
	/* RFC 6455 1.3's handshake answer, then the first frames */
	static const char head[] = "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	    "\r\n";
	static const char frames[] = "\x81\x3f{\"module\":\"build_connection\","
	    "\"success\":true,\"content\":\"ok\"}\x89\x00";
	size_t hl = strlen(head), n;

	memcpy(msg, head, hl);
	memcpy(msg + hl, frames, sizeof(frames) - 1);
	n = hl + sizeof(frames) - 1;

	CHECK(parse_every_way(msg, n, &HEADERS));
	CHECK(whole_o.rc == HTTP_DONE);
	CHECK(whole_o.used == hl);
	CHECK(rr.status == 101);
	CHECK(http_header_has_token(&rr, "upgrade", "WebSocket") == 1);
	CHECK(http_header_has_token(&rr, "Connection", "upgrade") == 1);
	CHECK(hdr_is("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
	CHECK(whole_o.bodylen == 0);

	/* in full-message mode too: 101 has no body (RFC 9112 6.3) */
	CHECK(parse_every_way(msg, n, &FULL));
	CHECK(whole_o.rc == HTTP_DONE && whole_o.used == hl);

	/* the frames alone are not a response */
	CHECK(parse_every_way(frames, sizeof(frames) - 1, &HEADERS));
	CHECK(whole_o.rc == HTTP_ERR_VERSION);
	CHECK(whole_o.used == 0);
}

static void
message_end_not_overrun(void)
{
	/* what follows a Content-Length body or the last chunk stays */
	static const char a[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
	    "helloHTTP/1.1 200 OK\r\n";
	static const char b[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n5\r\nhello\r\n0\r\n\r\nHTTP/1.1";
	static const char c[] = "HTTP/1.1 204 No Content\r\nContent-Length: 7"
	    "\r\n\r\nnext...";

	CHECK(parse_str(a, &FULL) == HTTP_DONE);
	CHECK(whole_o.used == strlen(a) - strlen("HTTP/1.1 200 OK\r\n"));
	CHECK(body_is("hello"));
	CHECK(parse_str(b, &FULL) == HTTP_DONE);
	CHECK(whole_o.used == strlen(b) - strlen("HTTP/1.1"));
	CHECK(body_is("hello"));
	CHECK(parse_str(c, &FULL) == HTTP_DONE);
	CHECK(whole_o.used == strlen(c) - strlen("next..."));
	CHECK(whole_o.bodylen == 0);
}

static void
no_body_statuses(void)
{
	struct setup small = { 0, 0, 4, 1 };

	/* 304 and 204 carry no body whatever Content-Length says */
	CHECK(parse_str("HTTP/1.1 304 Not Modified\r\nContent-Length: 12345\r\n"
	    "\r\n", &small) == HTTP_DONE);
	CHECK(whole_o.status == 304 && whole_o.bodylen == 0);
	CHECK(parse_str("HTTP/1.1 204 No Content\r\n\r\n", &small) == HTTP_DONE);
	/* an answer to HEAD: headers_only */
	CHECK(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
	    &HEADERS) == HTTP_DONE);
	CHECK(hdr_is("Content-Length", "5000"));
	/* a 200 to CONNECT through a proxy */
	CHECK(parse_str("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03",
	    &HEADERS) == HTTP_DONE);
	CHECK(whole_o.used == strlen("HTTP/1.1 200 Connection established\r\n"
	    "\r\n"));
	/* 407 from a proxy, headers only */
	CHECK(parse_str("HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
	    "Content-Length: 20\r\n\r\n", &HEADERS) == HTTP_DONE);
	CHECK(whole_o.status == 407);
	CHECK(hdr_is("Proxy-Authenticate", "Basic realm=\"proxy\""));
}

static void
interim_responses(void)
{
	static const char m[] = "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
	char many[512];
	size_t n = 0;
	int i;

	CHECK(parse_str(m, &FULL) == HTTP_DONE);
	CHECK(whole_o.status == 200);
	CHECK(strcmp(whole_o.hdrs, "Content-Length=2\n") == 0);
	CHECK(body_is("{}"));
	/* headers_only stops at the first head, whatever it is */
	CHECK(parse_str(m, &HEADERS) == HTTP_DONE);
	CHECK(whole_o.status == 100);
	CHECK(whole_o.used == strlen("HTTP/1.1 100 Continue\r\n\r\n"));

	for (i = 0; i < HTTP_MAX_INTERIM; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		    "HTTP/1.1 100 Continue\r\n\r\n");
	snprintf(many + n, sizeof(many) - n, "HTTP/1.1 200 OK\r\n\r\n");
	CHECK(parse_str(many, &FULL) == HTTP_DONE);
	snprintf(many + n, sizeof(many) - n, "HTTP/1.1 100 Continue\r\n\r\n");
	CHECK(parse_str(many, &FULL) == HTTP_ERR_INTERIM);
}

static void
status_line_forms(void)
{
	CHECK(parse_str("HTTP/1.1 200\r\n\r\n", &HEADERS) == HTTP_DONE);
	CHECK(rr.status == 200 && rr.reasonlen == 0);
	CHECK(parse_str("HTTP/1.1 999 Whatever \t it is\r\n\r\n", &HEADERS) ==
	    HTTP_DONE);
	CHECK(rr.status == 999);
	CHECK(rr.reasonlen == 16 && memcmp(rr.reason, "Whatever \t it is", 16) == 0);
	CHECK(parse_str("HTTP/1.1 100 x\r\n\r\n", &HEADERS) == HTTP_DONE);
	CHECK(parse_str("HTTP/1.9 404 Not Found\n\n", &HEADERS) == HTTP_DONE);
	CHECK(rr.minor == 9 && rr.status == 404);
	/* obs-text in the reason */
	CHECK(parse_str("HTTP/1.1 200 \xc3\x9c\r\n\r\n", &HEADERS) == HTTP_DONE);
	/* mixed line endings */
	CHECK(parse_str("HTTP/1.1 200 OK\nA: 1\r\nB: 2\n\r\n", &HEADERS) ==
	    HTTP_DONE);
	CHECK(strcmp(whole_o.hdrs, "A=1\nB=2\n") == 0);
}

static void
field_forms(void)
{
	CHECK(parse_str("HTTP/1.1 200 OK\r\n"
	    "Empty:\r\n"
	    "Spaces:    \t  \r\n"
	    "Inner: a  b\tc\r\n"
	    "x-Odd!#$%&'*+-.^_`|~: v\r\n"
	    "Colons: a:b:c\r\n"
	    "Utf8: \xe2\x82\xac\r\n"
	    "\r\n", &HEADERS) == HTTP_DONE);
	CHECK(strcmp(whole_o.hdrs, "Empty=\nSpaces=\nInner=a  b\tc\n"
	    "x-Odd!#$%&'*+-.^_`|~=v\nColons=a:b:c\nUtf8=\xe2\x82\xac\n") == 0);
	CHECK(hdr_is("empty", ""));
	CHECK(http_header(&rr, "Empt", NULL) == NULL);
	CHECK(http_header(&rr, "Emptyy", NULL) == NULL);
	CHECK(http_header(&rr, "", NULL) == NULL);
}

static void
header_lookup(void)
{
	CHECK(parse_str("HTTP/1.1 101 Switching Protocols\r\n"
	    "Connection: keep-alive, ,Upgrade\r\n"
	    "Upgrade: h2c\r\n"
	    "upgrade: websocket\r\n"
	    "Set-Cookie: a=1\r\n"
	    "Set-Cookie: b=2\r\n"
	    "Sec-WebSocket-Protocol: \r\n"
	    "\r\n", &HEADERS) == HTTP_DONE);
	/* the first of several fields */
	CHECK(hdr_is("set-cookie", "a=1"));
	CHECK(http_header_has_token(&rr, "Connection", "keep-alive") == 1);
	CHECK(http_header_has_token(&rr, "connection", "UPGRADE") == 1);
	CHECK(http_header_has_token(&rr, "Connection", "close") == 0);
	CHECK(http_header_has_token(&rr, "Connection", "upgrad") == 0);
	CHECK(http_header_has_token(&rr, "Connection", "upgrades") == 0);
	CHECK(http_header_has_token(&rr, "Connection", "") == 0);
	/* elements of every field of that name (RFC 9110 5.3) */
	CHECK(http_header_has_token(&rr, "Upgrade", "websocket") == 1);
	CHECK(http_header_has_token(&rr, "Upgrade", "h2c") == 1);
	CHECK(http_header_has_token(&rr, "Sec-WebSocket-Protocol", "") == 0);
	CHECK(http_header_has_token(&rr, "Missing", "x") == 0);
}

static void
bad_status_lines(void)
{
	static const struct { const char *m; int rc; } v[] = {
		{ "HTTP/2 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "HTTP/2.0 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "HTTP/1.x 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "HTTP/1. 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "http/1.1 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "ICY 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ " HTTP/1.1 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "\r\nHTTP/1.1 200 OK\r\n\r\n", HTTP_ERR_VERSION },
		{ "\x15\x03\x03\x00\x02\x02\x28", HTTP_ERR_VERSION },
		{ "HTTP/1.1\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.10 200 OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 20 OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 2000 OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 099 OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 20x OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1  200 OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 200OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1\t200 OK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 200 O\x01K\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 200 O\x7fK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 200 O\rK\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 200 OK\r\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "HTTP/1.1 200 OK\r\n\rX\n", HTTP_ERR_SYNTAX },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = parse_str(v[i].m, &FULL);

		CHECK(rc == v[i].rc);
		if (rc != v[i].rc)
			printf("  case %zu: %d\n", i, rc);
	}
	/* VERSION is known at the first wrong byte */
	CHECK(parse_str("HTTP/1.1 200 OK\r\n\r\n", &FULL) == HTTP_DONE);
	CHECK(parse_str("HTTX", &FULL) == HTTP_ERR_VERSION);
	CHECK(whole_o.used == 3);
	CHECK(parse_str("HTTP/1", &FULL) == HTTP_ERR_TRUNCATED);
}

static void
bad_fields(void)
{
	static const struct { const char *f; int rc; } v[] = {
		{ " folded\r\n", HTTP_ERR_FOLD },
		{ "\tfolded\r\n", HTTP_ERR_FOLD },
		{ "Name : v\r\n", HTTP_ERR_SYNTAX },
		{ "Name\t: v\r\n", HTTP_ERR_SYNTAX },
		{ ": v\r\n", HTTP_ERR_SYNTAX },
		{ "NoColon\r\n", HTTP_ERR_SYNTAX },
		{ "Na(me: v\r\n", HTTP_ERR_SYNTAX },
		{ "Na\"me: v\r\n", HTTP_ERR_SYNTAX },
		{ "N\xc3\xa4me: v\r\n", HTTP_ERR_SYNTAX },
		{ "Name: a\x01z\r\n", HTTP_ERR_SYNTAX },
		{ "Name: a\x7fz\r\n", HTTP_ERR_SYNTAX },
		{ "Name: a\x1bz\r\n", HTTP_ERR_SYNTAX },
		{ "Name: a\rb\r\n", HTTP_ERR_SYNTAX },
		{ "Name: ab\r\r\n", HTTP_ERR_SYNTAX },
	};
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc;

		n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\n"
		    "A: 1\r\n%s\r\n", v[i].f);
		CHECK(parse_every_way(msg, n, &FULL));
		rc = whole_o.rc;
		CHECK(rc == v[i].rc);
		if (rc != v[i].rc)
			printf("  case %zu: %d\n", i, rc);
	}
	/* a NUL in a value (not expressible in the table) */
	n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\nA: xy\r\n\r\n");
	msg[strlen("HTTP/1.1 200 OK\r\nA: x")] = '\0';
	CHECK(parse_every_way(msg, n, &FULL));
	CHECK(whole_o.rc == HTTP_ERR_SYNTAX);
	/* a NUL in the reason */
	memcpy(msg, "HTTP/1.1 200 O\0\r\n\r\n", 19);
	CHECK(parse_every_way(msg, 19, &FULL));
	CHECK(whole_o.rc == HTTP_ERR_SYNTAX);
}

static void
head_limits(void)
{
	struct setup small = { 1, 40, 0, 1 };
	struct http_response r;
	static char big[HTTP_MAX_HEAD + 64];
	size_t n = 0, used;
	int i;

	/* exactly at the caller's limit: fits; one more byte: does not */
	CHECK(parse_str("HTTP/1.1 200 OK\r\nX-Pad: 123456789012\r\n\r\n",
	    &small) == HTTP_DONE);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nX-Pad: 1234567890123\r\n\r\n",
	    &small) == HTTP_ERR_HEAD_TOO_LARGE);
	CHECK(whole_o.used == 40);

	/* a bigger buffer is held to HTTP_MAX_HEAD */
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nX: ");
	memset(big + n, 'a', sizeof(big) - n);
	memcpy(big + HTTP_MAX_HEAD - 4, "\r\n\r\n", 4);
	http_response_init(&r, headbuf, sizeof(headbuf), NULL, 0, 1);
	CHECK(r.headcap == HTTP_MAX_HEAD);
	CHECK(http_feed(&r, big, HTTP_MAX_HEAD, &used) == HTTP_DONE);
	CHECK(used == HTTP_MAX_HEAD);
	CHECK(r.headers[0].valuelen == HTTP_MAX_HEAD - 4 - n);
	memcpy(big + HTTP_MAX_HEAD - 4, "aa\r\n\r\n", 6);
	http_response_init(&r, headbuf, sizeof(headbuf), NULL, 0, 1);
	CHECK(http_feed(&r, big, HTTP_MAX_HEAD + 2, &used) ==
	    HTTP_ERR_HEAD_TOO_LARGE);
	CHECK(used == HTTP_MAX_HEAD);

	/* HTTP_MAX_HEADERS fields fit, one more does not */
	n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "H%d: %d\r\n", i, i);
	memcpy(msg + n, "\r\n", 3);
	CHECK(parse_str(msg, &HEADERS) == HTTP_DONE);
	CHECK(rr.nheaders == HTTP_MAX_HEADERS);
	CHECK(hdr_is("h63", "63"));
	memcpy(msg + n, "One: more\r\n\r\n", 14);
	CHECK(parse_str(msg, &HEADERS) == HTTP_ERR_TOO_MANY_HEADERS);
}

static void
bad_content_length(void)
{
	static const struct { const char *h; int rc; } v[] = {
		{ "Content-Length: 5\r\n", HTTP_DONE },
		{ "Content-Length: 005\r\n", HTTP_DONE },
		{ "Content-Length: 5, 5\r\n", HTTP_DONE },
		{ "Content-Length: 5,5 , 5\r\n", HTTP_DONE },
		{ "Content-Length: 5\r\ncontent-length: 5\r\n", HTTP_DONE },
		{ "Content-Length: \r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: abc\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: -5\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: +5\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 5 5\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 5;\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 0x5\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 5,\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: ,5\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 5, 6\r\n", HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 5\r\nContent-Length: 6\r\n",
		    HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 5\r\nContent-Length: x\r\n",
		    HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 99999999999999999999999\r\n",
		    HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 18446744073709551616\r\n",
		    HTTP_ERR_CONTENT_LENGTH },
		{ "Content-Length: 18446744073709551606\r\n",
		    HTTP_ERR_BODY_TOO_LARGE },
		{ "Content-Length: 8193\r\n", HTTP_ERR_BODY_TOO_LARGE },
		{ "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
		    HTTP_ERR_CONTENT_LENGTH },
		{ "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
		    HTTP_ERR_CONTENT_LENGTH },
	};
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\n%s\r\n"
		    "hello", v[i].h);
		CHECK(parse_every_way(msg, n, &FULL));
		CHECK(whole_o.rc == v[i].rc);
		if (whole_o.rc != v[i].rc)
			printf("  case %zu: %d\n", i, whole_o.rc);
		if (v[i].rc == HTTP_DONE)
			CHECK(body_is("hello"));
		else        /* refused at the end of the head, before the body */
			CHECK(whole_o.used == n - 5);
	}
}

static void
body_too_large(void)
{
	struct setup s = { 0, 0, 5, 1 };

	/* exactly fits, then one byte over, in each framing */
	CHECK(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	    &s) == HTTP_DONE);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello!",
	    &s) == HTTP_ERR_BODY_TOO_LARGE);
	CHECK(whole_o.used == strlen("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"));
	CHECK(parse_str("HTTP/1.1 200 OK\r\n\r\nhello", &s) == HTTP_DONE);
	CHECK(body_is("hello"));
	CHECK(parse_str("HTTP/1.1 200 OK\r\n\r\nhello!", &s) ==
	    HTTP_ERR_BODY_TOO_LARGE);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", &s) == HTTP_DONE);
	CHECK(body_is("hello"));
	/* the size line says it: the data is not waited for */
	CHECK(parse_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nhe\r\n4\r\nllo!\r\n0\r\n\r\n", &s) == HTTP_ERR_BODY_TOO_LARGE);
	CHECK(whole_o.used == strlen("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n2\r\nhe\r\n"));
	/* no body buffer at all */
	s.bodycap = 0;
	CHECK(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &s) ==
	    HTTP_DONE);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", &s) ==
	    HTTP_ERR_BODY_TOO_LARGE);
	CHECK(parse_str("HTTP/1.1 200 OK\r\n\r\nx", &s) == HTTP_ERR_BODY_TOO_LARGE);
}

static void
bad_transfer_encoding(void)
{
	static const struct { const char *h; int rc; } v[] = {
		{ "Transfer-Encoding: chunked\r\n", HTTP_DONE },
		{ "Transfer-Encoding: CHUNKED \r\n", HTTP_DONE },
		{ "Transfer-Encoding: , chunked,\r\n", HTTP_DONE },
		{ "Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n",
		    HTTP_DONE },
		{ "Transfer-Encoding: gzip\r\n", HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: gzip, chunked\r\n",
		    HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: chunked, gzip\r\n",
		    HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: chunked, chunked\r\n",
		    HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
		    HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: identity\r\n", HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: chunked;q=1\r\n",
		    HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: xchunked\r\n", HTTP_ERR_TRANSFER_ENCODING },
		{ "Transfer-Encoding: \r\n", HTTP_ERR_TRANSFER_ENCODING },
	};
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\n%s\r\n"
		    "5\r\nhello\r\n0\r\n\r\n", v[i].h);
		CHECK(parse_every_way(msg, n, &FULL));
		CHECK(whole_o.rc == v[i].rc);
		if (whole_o.rc != v[i].rc)
			printf("  case %zu: %d\n", i, whole_o.rc);
		if (v[i].rc == HTTP_DONE)
			CHECK(body_is("hello"));
	}
	/* RFC 9112 6.1: not in HTTP/1.0 */
	CHECK(parse_str("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\n", &FULL) == HTTP_ERR_TRANSFER_ENCODING);
	/* nor is it looked at where there is no body */
	CHECK(parse_str("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: gzip"
	    "\r\n\r\n", &FULL) == HTTP_DONE);
}

static void
bad_chunks(void)
{
	static const struct { const char *c; int rc; } v[] = {
		{ "5\r\nhello\r\n0\r\n\r\n", HTTP_DONE },
		{ "\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ ";x\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ " 5\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "g\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "0x5\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5 5\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5x\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "-5\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5\rhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5;a\x01\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5;a\x7f\r\nhello\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5\r\nhelloX\r\n0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5\r\nhello\rX0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5\r\nhello0\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5\r\nhello\r\n\r\n", HTTP_ERR_CHUNK },
		{ "5\r\nhello\r\n0\r\n folded: x\r\n\r\n", HTTP_ERR_FOLD },
		{ "5\r\nhello\r\n0\r\nNoColon\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "5\r\nhello\r\n0\r\n: x\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "5\r\nhello\r\n0\r\nA: \x01\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "5\r\nhello\r\n0\r\nA: x\rx\r\n\r\n", HTTP_ERR_SYNTAX },
		{ "5\r\nhello\r\n0\r\n\rx", HTTP_ERR_SYNTAX },
		{ "5\r\nhello\r\n0\r\nA b: x\r\n\r\n", HTTP_ERR_SYNTAX },
		/* truncated: the last chunk or the end of trailers missing */
		{ "5\r\nhello\r\n", HTTP_ERR_TRUNCATED },
		{ "5\r\nhello\r\n0\r\n", HTTP_ERR_TRUNCATED },
		{ "5\r\nhello\r\n0\r\nA: b\r\n", HTTP_ERR_TRUNCATED },
		{ "5\r\nhel", HTTP_ERR_TRUNCATED },
		{ "5", HTTP_ERR_TRUNCATED },
	};
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n%s", v[i].c);
		CHECK(parse_every_way(msg, n, &FULL));
		CHECK(whole_o.rc == v[i].rc);
		if (whole_o.rc != v[i].rc)
			printf("  case %zu: %d\n", i, whole_o.rc);
	}
}

static void
chunk_limits(void)
{
	struct http_response r;
	static char big[HTTP_MAX_TRAILER + 256];
	size_t n, used, h;

	/* a size with many leading zeros is fine within the line limit */
	n = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	h = n;
	memset(msg + n, '0', HTTP_MAX_CHUNK_LINE - 1);
	n += HTTP_MAX_CHUNK_LINE - 1;
	n += (size_t)snprintf(msg + n, sizeof(msg) - n, "5\r\nhello\r\n0\r\n\r\n");
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, msg, n, &used) == HTTP_DONE);
	CHECK(r.bodylen == 5);
	/* one byte more on that line is too long */
	n = h;
	memset(msg + n, '0', HTTP_MAX_CHUNK_LINE);
	n += HTTP_MAX_CHUNK_LINE;
	n += (size_t)snprintf(msg + n, sizeof(msg) - n, "5\r\nhello\r\n0\r\n\r\n");
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, msg, n, &used) == HTTP_ERR_CHUNK);
	CHECK(used == h + HTTP_MAX_CHUNK_LINE);
	/* long extensions count too */
	n = h + (size_t)snprintf(msg + h, sizeof(msg) - h, "5;");
	memset(msg + n, 'e', HTTP_MAX_CHUNK_LINE);
	n += HTTP_MAX_CHUNK_LINE;
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, msg, n, &used) == HTTP_ERR_CHUNK);

	/* a chunk size that overflows 64 bits, with a (pretended) huge
	   body buffer: refused before any data */
	n = h + (size_t)snprintf(msg + h, sizeof(msg) - h,
	    "fffffffffffffffff\r\n");
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, SIZE_MAX, 0);
#if SIZE_MAX > UINT32_MAX
	CHECK(http_feed(&r, msg, n, &used) == HTTP_ERR_CHUNK);
	CHECK(used == n - 3);
#else
	/* 32-bit size_t: nine digits pass SIZE_MAX before seventeen
	   overflow 64 bits */
	CHECK(http_feed(&r, msg, n, &used) == HTTP_ERR_BODY_TOO_LARGE);
	CHECK(used == h + 8);
#endif
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, msg, n, &used) == HTTP_ERR_BODY_TOO_LARGE);
	/* 0xfff > 8192: known at the fourth digit */
	CHECK(used == h + 3);

	/* trailers: bounded in all */
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n");
	h = n;
	while (n - h + 12 <= HTTP_MAX_TRAILER - 2)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "T: 12345678\r\n");
	memcpy(big + n, "\r\n", 2);
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, big, n + 2, &used) == HTTP_DONE);
	CHECK(used == n + 2);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "T: 12345678\r\n\r\n");
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, big, n, &used) == HTTP_ERR_HEAD_TOO_LARGE);
	CHECK(used == h + HTTP_MAX_TRAILER);
}

static void
truncated(void)
{
	struct http_response r;
	size_t used;

	CHECK(parse_str("", &FULL) == HTTP_ERR_TRUNCATED);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nA: b\r\n", &FULL) ==
	    HTTP_ERR_TRUNCATED);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nA: b\r\n\r", &FULL) ==
	    HTTP_ERR_TRUNCATED);
	CHECK(parse_str("HTTP/1.1 101 Switching Protocols\r\n", &HEADERS) ==
	    HTTP_NEED_MORE);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell",
	    &FULL) == HTTP_ERR_TRUNCATED);
	CHECK(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", &FULL) ==
	    HTTP_ERR_TRUNCATED);

	/* errors and completion stick, consuming nothing */
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_eof(&r) == HTTP_ERR_TRUNCATED);
	CHECK(http_feed(&r, "HTTP/1.1 200 OK\r\n\r\n", 19, &used) ==
	    HTTP_ERR_TRUNCATED);
	CHECK(used == 0);
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38,
	    &used) == HTTP_DONE);
	CHECK(used == 38);
	CHECK(http_feed(&r, "HTTP", 4, &used) == HTTP_DONE);
	CHECK(used == 0);
	CHECK(http_eof(&r) == HTTP_DONE);
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, "HTTP/1.1 2x", 11, &used) == HTTP_NEED_MORE);
	CHECK(http_feed(&r, "0\r\n\r\n", 5, &used) == HTTP_ERR_SYNTAX);
	CHECK(http_feed(&r, "\r\n", 2, &used) == HTTP_ERR_SYNTAX);
	CHECK(used == 0);
	CHECK(http_eof(&r) == HTTP_ERR_SYNTAX);
	/* an empty feed is harmless */
	http_response_init(&r, headbuf, sizeof(headbuf), bodybuf, BODYBUF, 0);
	CHECK(http_feed(&r, "", 0, &used) == HTTP_NEED_MORE);
	CHECK(used == 0);
}

/* ---- requests ---- */

static void
request_post(void)
{
	static const char want[] = "POST /oauth/token HTTP/1.1\r\n"
	    "Host: zoom.us\r\n"
	    "Authorization: Basic YWJjOmRlZg==\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 51\r\n"
	    "\r\n"
	    "grant_type=account_credentials&account_id=AbC-123_x";
	static const char body[] =
	    "grant_type=account_credentials&account_id=AbC-123_x";
	char dst[512];
	size_t n, len = strlen(want);

	n = http_request(dst, sizeof(dst), "POST", "/oauth/token", "zoom.us",
	    "Authorization: Basic YWJjOmRlZg==\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n",
	    body, strlen(body));
	CHECK(n == len);
	CHECK(strcmp(dst, want) == 0);
	/* exactly len + 1 fits; len does not */
	memset(dst, 'x', sizeof(dst));
	CHECK(http_request(dst, len + 1, "POST", "/oauth/token", "zoom.us",
	    "Authorization: Basic YWJjOmRlZg==\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n",
	    body, strlen(body)) == len);
	CHECK(dst[len] == '\0' && dst[len + 1] == 'x');
	CHECK(http_request(dst, len, "POST", "/oauth/token", "zoom.us",
	    "Authorization: Basic YWJjOmRlZg==\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n",
	    body, strlen(body)) == 0);
	CHECK(dst[0] == '\0');
	CHECK(http_request(dst, 0, "GET", "/", "h", "", NULL, 0) == 0);
}

static void
request_get_connect(void)
{
	char dst[512];
	size_t n;

	n = http_request(dst, sizeof(dst), "GET",
	    "/ws?subscriptionId=abc&access_token=t%2Bk", "ws.zoom.us",
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n", NULL, 0);
	CHECK_STR(dst, "GET /ws?subscriptionId=abc&access_token=t%2Bk HTTP/1.1\r\n"
	    "Host: ws.zoom.us\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "\r\n");
	CHECK(n == strlen(dst));
	n = http_request(dst, sizeof(dst), "CONNECT", "[::1]:443", "[::1]:443",
	    "", NULL, 0);
	CHECK_STR(dst, "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
	CHECK(n == strlen(dst));
	/* an empty body is still announced; NUL bytes in a body are kept */
	n = http_request(dst, sizeof(dst), "POST", "/", "h", "", "", 0);
	CHECK_STR(dst, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
	n = http_request(dst, sizeof(dst), "PUT", "/", "h", "", "a\0b", 3);
	CHECK(n == strlen("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
	    "\r\n") + 3);
	CHECK(memcmp(dst + n - 3, "a\0b", 4) == 0);
}

static void
request_refuses_injection(void)
{
	static const char *bad_target[] = { "", "/a b", "/a\r\nX: y", "/a\n",
	    "/\x7f", "/\xc3\xa4", "/\t" };
	static const char *bad_host[] = { "", "zoom.us\r\nX: y", "zoom us",
	    "zoom.us\n", "h\x01" };
	static const char *bad_method[] = { "", "GE T", "GET\r\n", "G(T",
	    "G\xc3\xa4T" };
	static const char *bad_extra[] = { "X: y", "X: y\n", "X: y\r",
	    "X: y\r\n\r\n", "\r\n", "X: y\r\n\r\nZ: 1\r\n", " X: y\r\n",
	    "\tX: y\r\n", "X: y\rZ\r\n", "X: y\nZ: 1\r\n", "X: \x01\r\n",
	    "X: \x7f\r\n" };
	char dst[256];
	size_t i;

	for (i = 0; i < sizeof(bad_target) / sizeof(*bad_target); i++)
		CHECK(http_request(dst, sizeof(dst), "GET", bad_target[i], "h",
		    "", NULL, 0) == 0);
	for (i = 0; i < sizeof(bad_host) / sizeof(*bad_host); i++)
		CHECK(http_request(dst, sizeof(dst), "GET", "/", bad_host[i],
		    "", NULL, 0) == 0);
	for (i = 0; i < sizeof(bad_method) / sizeof(*bad_method); i++)
		CHECK(http_request(dst, sizeof(dst), bad_method[i], "/", "h",
		    "", NULL, 0) == 0);
	for (i = 0; i < sizeof(bad_extra) / sizeof(*bad_extra); i++) {
		CHECK(http_request(dst, sizeof(dst), "GET", "/", "h",
		    bad_extra[i], NULL, 0) == 0);
		CHECK(dst[0] == '\0');
	}
	/* a tab and obs-text inside a value are fine */
	CHECK(http_request(dst, sizeof(dst), "GET", "/", "h",
	    "X: a\tb \xc3\xa4\r\nY:\r\n", NULL, 0) > 0);
	/* a body too large for the buffer */
	CHECK(http_request(dst, sizeof(dst), "POST", "/", "h", "", dst,
	    SIZE_MAX) == 0);
	CHECK(http_request(dst, sizeof(dst), "POST", "/", "h", "", dst,
	    sizeof(dst)) == 0);
}

static void
request_roundtrip_shape(void)
{
	/* the writer's output, read back as a response-shaped head by our
	   own rules: every line is a proper field line */
	char dst[512], resp[600];
	size_t n;

	n = http_request(dst, sizeof(dst), "GET", "/", "h",
	    "A: 1\r\nB:  two  \r\n", NULL, 0);
	CHECK(n > 0);
	/* replace the request line by a status line */
	snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n%s",
	    strchr(dst, '\n') + 1);
	CHECK(parse_str(resp, &HEADERS) == HTTP_DONE);
	CHECK(strcmp(whole_o.hdrs, "Host=h\nA=1\nB=two\n") == 0);
}

static void
strerror_names_every_code(void)
{
	int e;
	const char *unknown = http_strerror(-1000);

	for (e = HTTP_ERR_TRUNCATED; e <= HTTP_DONE; e++) {
		CHECK(http_strerror(e) != NULL);
		CHECK(strcmp(http_strerror(e), unknown) != 0);
	}
	CHECK(strcmp(http_strerror(HTTP_ERR_CHUNK),
	    http_strerror(HTTP_ERR_SYNTAX)) != 0);
	CHECK(strcmp(http_strerror(5), unknown) == 0);
}

int
main(void)
{
	t_suite = "http";
	RUN(token_content_length);
	RUN(token_chunked);
	RUN(chunked_empty_and_bare_lf);
	RUN(token_until_close);
	RUN(error_responses);
	RUN(upgrade_leaves_frames);
	RUN(message_end_not_overrun);
	RUN(no_body_statuses);
	RUN(interim_responses);
	RUN(status_line_forms);
	RUN(field_forms);
	RUN(header_lookup);
	RUN(bad_status_lines);
	RUN(bad_fields);
	RUN(head_limits);
	RUN(bad_content_length);
	RUN(body_too_large);
	RUN(bad_transfer_encoding);
	RUN(bad_chunks);
	RUN(chunk_limits);
	RUN(truncated);
	RUN(request_post);
	RUN(request_get_connect);
	RUN(request_refuses_injection);
	RUN(request_roundtrip_shape);
	RUN(strerror_names_every_code);
	return t_done();
}
