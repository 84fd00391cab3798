/*
 * token.c - the access token from the token endpoint.
 */
#include <string.h>

#include "b64.h"
#include "dial.h"
#include "fmt.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "net.h"
#include "token.h"
#include "url.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif

#define CREDS_MAX (CONFIG_MAX_SECRET + 300)
#define BASIC_MAX ((CREDS_MAX / 3 + 1) * 4 + 1)

size_t
token_request(char *dst, size_t cap, const struct config *c)
{
	char creds[CREDS_MAX], basic[BASIC_MAX], hdrs[BASIC_MAX + 256];
	char form[1024], enc[768], host[300];
	size_t n;

	fmt_snprintf(creds, sizeof(creds), "%s:%s", c->client_id, c->secret);
	b64_encode(basic, sizeof(basic), creds, strlen(creds));
	explicit_bzero(creds, sizeof(creds));
	log_secret("authorization", basic);
	if (c->account_id[0]) {
		url_encode(enc, sizeof(enc), c->account_id, strlen(c->account_id));
		fmt_snprintf(form, sizeof(form),
		    "grant_type=account_credentials&account_id=%s", enc);
	} else
		strcpy(form, "grant_type=client_credentials");
	fmt_snprintf(hdrs, sizeof(hdrs), "Authorization: Basic %s\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Accept: application/json\r\n"
	    "User-Agent: zoomws/" ZOOMWS_VERSION "\r\n"
	    "Connection: close\r\n", basic);
	dial_host_header(host, sizeof(host), &c->oauth);
	n = http_request(dst, cap, "POST", c->oauth.target, host, hdrs, form,
	    strlen(form));
	explicit_bzero(hdrs, sizeof(hdrs));
	explicit_bzero(basic, sizeof(basic));
	log_secret("authorization", NULL);
	return n;
}

/* A JSON number span as a non-negative integer (digits only), or -1. */
static long long
span_integer(const char *s, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 15)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The policy for an answer other than 200. */
static enum token_result
refused(int status, const char *body, size_t len, const char *ra,
    size_t ralen, int64_t *retry_after_ms, char *detail, size_t detaillen)
{
	char pv[128];
	long long secs;

	fmt_snprintf(detail, detaillen, "token endpoint answered %d: %s", status,
	    log_preview(body, len, pv, sizeof(pv)));
	if (ra != NULL && (secs = span_integer(ra, ralen)) >= 0)
		*retry_after_ms = (secs > TOKEN_RETRY_AFTER_MAX ?
		    TOKEN_RETRY_AFTER_MAX : secs) * 1000;
	if (status == 400 || status == 401 || status == 403)
		return TOKEN_REJECTED;
	if (status == 404 || status == 405)
		return TOKEN_CONFIG;
	return TOKEN_RETRY;
}

enum token_result
token_parse(int status, const char *body, size_t len, const char *ra,
    size_t ralen, int64_t now, struct token *t, int64_t *retry_after_ms,
    char *detail, size_t detaillen)
{
	struct json_field f[3] = { { "access_token", 0, 0, 0 },
	    { "expires_in", 0, 0, 0 }, { "scope", 0, 0, 0 } };
	long long expires;
	int64_t life, margin;
	size_t sl;
	long tl;
	int rc;

	*retry_after_ms = 0;
	detail[0] = '\0';
	if (status != 200)
		return refused(status, body, len, ra, ralen, retry_after_ms, detail,
		    detaillen);
	if ((rc = json_fields(body, len, f, 3)) != 0 || f[0].type != JSON_STRING) {
		fmt_snprintf(detail, detaillen, "token endpoint: %s", rc ?
		    json_strerror(rc) : "no access_token in the answer");
		return TOKEN_RETRY;
	}
	tl = json_unescape(t->value, sizeof(t->value) - 1, body + f[0].start,
	    f[0].end - f[0].start);
	if (tl <= 0 || memchr(t->value, '\0', (size_t)tl) != NULL) {
		fmt_snprintf(detail, detaillen, "token endpoint: unusable "
		    "access_token");
		token_forget(t);
		return TOKEN_RETRY;
	}
	t->len = (size_t)tl;
	t->value[t->len] = '\0';
	expires = f[1].type == JSON_NUMBER ?
	    span_integer(body + f[1].start, f[1].end - f[1].start) : -1;
	if (expires <= 0) {
		fmt_snprintf(detail, detaillen, "token endpoint: no usable "
		    "expires_in; assuming 3599 s");
		expires = 3599;
	}
	t->lifetime = expires;
	t->scopes[0] = '\0';
	if (f[2].type == JSON_STRING) {
		sl = f[2].end - f[2].start - 2;
		fmt_snprintf(t->scopes, sizeof(t->scopes), "%.*s",
		    (int)(sl > 300 ? 300 : sl), body + f[2].start + 1);
	}
	/* Fetch another a little before the end: a tenth of the lifetime,
	   at most a minute. */
	life = expires * 1000;
	margin = life / 10 < 60000 ? life / 10 : 60000;
	t->expires = now + life - margin;
	t->fresh = 1;
	return TOKEN_OK;
}

/* The DIAL_ERR_* of a failed step as a token_result. */
static enum token_result
dial_result(int rc)
{
	return rc == DIAL_ERR_STOP ? TOKEN_STOP : rc == DIAL_ERR_RESOURCE ?
	    TOKEN_RESOURCE : TOKEN_RETRY;
}

enum token_result
token_fetch(struct token *t, const struct config *c,
    const struct ca_anchors *a, struct tls *conn, struct dial_early *early,
    struct tls *ws, int64_t *retry_after_ms, char *detail, size_t detaillen)
{
	static char req[8192], head[HTTP_MAX_HEAD], body[TOKEN_BODY_MAX];
	struct http_response r;
	struct tls *side = NULL;
	const char *ra;
	size_t reqlen, ralen = 0;
	char err[256];
	int rc;
	enum token_result res;

	*retry_after_ms = 0;
	logm(L_INFO, "requesting access token from %s", c->oauth_url);
	if ((rc = dial_start(conn, c, &c->oauth, a, dial_deadline(c), err,
	    sizeof(err))) != DIAL_OK) {
		fmt_snprintf(detail, detaillen, "token endpoint: %s", err);
		return dial_result(rc);
	}
	if (early != NULL) {
		/* Our ClientHello first, then the WebSocket's. */
		tls_kick(conn);
		dial_early_open(early, ws, c, a, dial_deadline(c));
		if (early->opened)
			side = ws;
	}
	if ((rc = dial_finish(conn, &c->oauth, dial_deadline(c), side, err,
	    sizeof(err))) != DIAL_OK) {
		fmt_snprintf(detail, detaillen, "token endpoint %s", err);
		return dial_result(rc);
	}
	if ((reqlen = token_request(req, sizeof(req), c)) == 0) {
		fmt_snprintf(detail, detaillen, "token request does not fit in %zu "
		    "bytes", sizeof(req));
		tls_close(conn);
		return TOKEN_CONFIG;
	}
	http_response_init(&r, head, sizeof(head), body, sizeof(body), 0);
	rc = dial_exchange(conn, req, reqlen, &r, dial_deadline(c), side, err,
	    sizeof(err));
	explicit_bzero(req, sizeof(req));
	tls_close(conn);
	if (rc != DIAL_OK) {
		fmt_snprintf(detail, detaillen, "token endpoint: %s", err);
		return dial_result(rc);
	}
	ra = http_header(&r, "Retry-After", &ralen);
	res = token_parse(r.status, r.body, r.bodylen, ra, ralen, net_now_ms(),
	    t, retry_after_ms, detail, detaillen);
	explicit_bzero(body, sizeof(body));
	return res;
}

void
token_hint(char *buf, size_t cap, const struct config *c)
{
	if (c->secret_file[0] != '\0')
		fmt_snprintf(buf, cap, "check ZOOM_CLIENT_ID, the secret in "
		    "ZOOM_CLIENT_SECRET_FILE (%s) and ZOOM_ACCOUNT_ID: they must "
		    "belong to one Server-to-Server OAuth app", c->secret_file);
	else
		fmt_snprintf(buf, cap, "check ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET "
		    "and ZOOM_ACCOUNT_ID: they must belong to one "
		    "Server-to-Server OAuth app");
}

void
token_forget(struct token *t)
{
	explicit_bzero(t->value, sizeof(t->value));
	t->len = 0;
	t->expires = 0;
	t->fresh = 0;
}
