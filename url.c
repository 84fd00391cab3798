/*
 * url.c - the subset of RFC 3986 zoomws needs: absolute https://, wss://
 * and http:// (proxy) URLs, percent-encoding and query parameters.
 *
 * The parser walks the URL once, part by part (scheme, authority, path,
 * query, fragment), checking every character against the grammar of its
 * part and every length against the field it goes to before copying.
 */
#include <arpa/inet.h>
#include <string.h>

#include "ascii.h"
#include "url.h"

static const char hexdigits[] = "0123456789ABCDEF";

static const char redacted[] = "REDACTED";

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 3986 2.3 */
static int
is_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* RFC 3986 2.2 */
static int
is_subdelim(unsigned char c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/*
 * Check s[0..n) against a part of RFC 3986 made of unreserved,
 * pct-encoded, sub-delims and the characters in extra. Returns 1 or 0.
 */
static int
part_ok(const char *s, size_t n, const char *extra)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			/* 2.1: pct-encoded = "%" HEXDIG HEXDIG */
			if (n - i < 3 ||
			    ascii_hexval((unsigned char)s[i + 1]) < 0 ||
			    ascii_hexval((unsigned char)s[i + 2]) < 0)
				return 0;
			i += 2;
		} else if (!is_unreserved(c) && !is_subdelim(c) &&
		    (c == '\0' || strchr(extra, c) == NULL)) {
			return 0;
		}
	}
	return 1;
}

/*
 * Percent-decode s[0..n) into dst (cap bytes, NUL-terminated). Returns
 * the length, -1 when it does not fit, -2 on a bad escape or a NUL.
 */
static long
pct_decode(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (n - i < 3 ||
			    (hi = ascii_hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = ascii_hexval((unsigned char)s[i + 2])) < 0)
				return -2;
			c = (unsigned char)(hi << 4 | lo);
			if (c == '\0')
				return -2;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		dst[o++] = (char)c;
	}
	if (cap == 0)
		return -1;
	dst[o] = '\0';
	return (long)o;
}

/* Copy s[0..n) to the field dst of size cap, or fail TOO_LONG. */
static int
set_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return URL_ERR_TOO_LONG;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return URL_OK;
}

/*
 * RFC 3986 3.2.1: userinfo = *( unreserved / pct-encoded / sub-delims /
 * ":" ), split at the first ':' into user and pass, each decoded.
 */
static int
parse_userinfo(struct url *u, const char *s, size_t n)
{
	const char *colon;
	size_t un;
	long rc;

	if (!part_ok(s, n, ":"))
		return URL_ERR_SYNTAX;
	colon = memchr(s, ':', n);
	un = colon ? (size_t)(colon - s) : n;
	if ((rc = pct_decode(u->user, sizeof(u->user), s, un)) < 0)
		return rc == -1 ? URL_ERR_TOO_LONG : URL_ERR_SYNTAX;
	if (colon == NULL)
		return URL_OK;
	if ((rc = pct_decode(u->pass, sizeof(u->pass), colon + 1,
	    n - un - 1)) < 0)
		return rc == -1 ? URL_ERR_TOO_LONG : URL_ERR_SYNTAX;
	return URL_OK;
}

/*
 * RFC 3986 3.2.3: port = *DIGIT; here 1..65535, empty for the default.
 */
static int
parse_port(struct url *u, const char *s, size_t n)
{
	char buf[sizeof(u->port)];
	unsigned long v = 0;
	size_t i;

	if (n == 0)
		return URL_OK;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return URL_ERR_PORT;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 65535)
			return URL_ERR_PORT;
	}
	if (v == 0)
		return URL_ERR_PORT;
	/* v <= 65535: five digits and a NUL fit u->port */
	i = sizeof(buf) - 1;
	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	memset(u->port, 0, sizeof(u->port));
	memcpy(u->port, buf + i, sizeof(buf) - i);
	return URL_OK;
}

/*
 * RFC 3986 3.2.2: host = IP-literal / IPv4address / reg-name, then
 * [":" port]. IP-literals are IPv6 addresses only (no IPvFuture, no
 * zone id); reg-names are DNS names. The host is lower-cased (6.2.2.1).
 */
static int
parse_hostport(struct url *u, const char *s, size_t n)
{
	const char *end = s + n, *p;
	size_t hn, i;
	unsigned char a6[16];
	int rc;

	if (n > 0 && s[0] == '[') {
		if ((p = memchr(s, ']', n)) == NULL)
			return URL_ERR_HOST;
		hn = (size_t)(p - s - 1);
		if (hn == 0 || hn >= sizeof(u->host))
			return URL_ERR_HOST;
		memcpy(u->host, s + 1, hn);
		u->host[hn] = '\0';
		if (inet_pton(AF_INET6, u->host, a6) != 1)
			return URL_ERR_HOST;
		p++;
		if (p < end && *p != ':')
			return URL_ERR_SYNTAX;
	} else {
		p = memchr(s, ':', n);
		if (p == NULL)
			p = end;
		hn = (size_t)(p - s);
		if (hn == 0)
			return URL_ERR_HOST;
		for (i = 0; i < hn; i++) {
			unsigned char c = (unsigned char)s[i];

			if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' &&
			    c != '_')
				return URL_ERR_HOST;
		}
		if ((rc = set_field(u->host, sizeof(u->host), s, hn)) != URL_OK)
			return rc;
	}
	for (i = 0; u->host[i]; i++)
		u->host[i] = (char)ascii_lower((unsigned char)u->host[i]);
	if (p < end)
		return parse_port(u, p + 1, (size_t)(end - p - 1));
	return URL_OK;
}

/*
 * The part of url_parse and url_parse_proxy after the scheme: s points
 * just past "//" (or at the authority of a proxy given without one).
 */
static int
parse_rest(struct url *u, const char *s, int proxy)
{
	size_t alen, plen, qlen, flen;
	const char *at, *p;
	int rc;

	/* 3.2: the authority ends at the first '/', '?' or '#' */
	alen = strcspn(s, "/?#");
	for (at = NULL, p = s; p < s + alen; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		if ((rc = parse_userinfo(u, s, (size_t)(at - s))) != URL_OK)
			return rc;
		alen -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	if ((rc = parse_hostport(u, s, alen)) != URL_OK)
		return rc;
	s += alen;

	/* 3.3: path-abempty = *( "/" segment ), pchar = unreserved /
	   pct-encoded / sub-delims / ":" / "@" */
	plen = strcspn(s, "?#");
	qlen = s[plen] == '?' ? strcspn(s + plen, "#") : 0;
	if (!part_ok(s, plen, ":@/") || (qlen > 0 &&
	    !part_ok(s + plen + 1, qlen - 1, ":@/?")))
		return URL_ERR_SYNTAX;
	/* 3.5: the fragment is checked, then dropped */
	p = s + plen + qlen;
	if (*p == '#') {
		flen = strlen(p + 1);
		if (!part_ok(p + 1, flen, ":@/?"))
			return URL_ERR_SYNTAX;
	}
	if (proxy && (qlen > 0 || plen > 1))
		return URL_ERR_SYNTAX;
	if (plen == 0) {
		if (qlen + 1 >= sizeof(u->target))
			return URL_ERR_TOO_LONG;
		u->target[0] = '/';
		memcpy(u->target + 1, s, qlen);
		u->target[qlen + 1] = '\0';
		return URL_OK;
	}
	return set_field(u->target, sizeof(u->target), s, plen + qlen);
}

/*
 * 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://".
 * Copies it lower-cased to u->scheme; returns the length of scheme and
 * "://", 0 when s does not start with one, or URL_ERR_SCHEME when it is
 * too long to be any we know.
 */
static int
parse_scheme(struct url *u, const char *s)
{
	size_t i;

	if (!is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; is_alpha((unsigned char)s[i]) ||
	    is_digit((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
	    s[i] == '.'; i++)
		;
	if (strncmp(s + i, "://", 3) != 0)
		return 0;
	if (i >= sizeof(u->scheme))
		return URL_ERR_SCHEME;
	for (i = 0; s[i] != ':'; i++)
		u->scheme[i] = (char)ascii_lower((unsigned char)s[i]);
	u->scheme[i] = '\0';
	return (int)i + 3;
}

int
url_parse(struct url *u, const char *s)
{
	int n;

	memset(u, 0, sizeof(*u));
	if ((n = parse_scheme(u, s)) <= 0)
		return URL_ERR_SCHEME;
	if (strcmp(u->scheme, "http") == 0 || strcmp(u->scheme, "ws") == 0)
		return URL_ERR_INSECURE;
	if (strcmp(u->scheme, "https") != 0 && strcmp(u->scheme, "wss") != 0)
		return URL_ERR_SCHEME;
	strcpy(u->port, "443");
	return parse_rest(u, s + n, 0);
}

int
url_parse_proxy(struct url *u, const char *s)
{
	int n;

	memset(u, 0, sizeof(*u));
	if ((n = parse_scheme(u, s)) < 0)
		return n;
	if (n > 0 && strcmp(u->scheme, "http") != 0)
		return URL_ERR_SCHEME;
	strcpy(u->scheme, "http");
	strcpy(u->port, "1080");        /* curl's default proxy port */
	return parse_rest(u, s + n, 1);
}

int
url_append(char *dst, size_t cap, size_t *o, const char *src, size_t n)
{
	if (n >= cap - *o)
		return 0;
	memcpy(dst + *o, src, n);
	*o += n;
	dst[*o] = '\0';
	return 1;
}

size_t
url_authority(char *dst, size_t cap, const char *host, const char *port,
    int omit_default)
{
	size_t o = 0;
	int v6 = strchr(host, ':') != NULL;

	if (cap == 0)
		return 0;
	dst[0] = '\0';
	if ((v6 && !url_append(dst, cap, &o, "[", 1)) ||
	    !url_append(dst, cap, &o, host, strlen(host)) ||
	    (v6 && !url_append(dst, cap, &o, "]", 1)))
		goto small;
	if (omit_default && strcmp(port, "443") == 0)
		return o;
	if (!url_append(dst, cap, &o, ":", 1) ||
	    !url_append(dst, cap, &o, port, strlen(port)))
		goto small;
	return o;
small:
	dst[0] = '\0';
	return 0;
}

size_t
url_format(char *dst, size_t cap, const struct url *u)
{
	size_t o = 0, n;

	if (cap == 0)
		return 0;
	dst[0] = '\0';
	if (!url_append(dst, cap, &o, u->scheme, strlen(u->scheme)) ||
	    !url_append(dst, cap, &o, "://", 3))
		goto small;
	if (u->user[0] || u->pass[0]) {
		if ((n = url_encode(dst + o, cap - o, u->user,
		    strlen(u->user))) == (size_t)-1)
			goto small;
		o += n;
		if (u->pass[0]) {
			if (!url_append(dst, cap, &o, ":", 1) ||
			    (n = url_encode(dst + o, cap - o, u->pass,
			    strlen(u->pass))) == (size_t)-1)
				goto small;
			o += n;
		}
		if (!url_append(dst, cap, &o, "@", 1))
			goto small;
	}
	if ((n = url_authority(dst + o, cap - o, u->host, u->port, 0)) == 0)
		goto small;
	o += n;
	if (!url_append(dst, cap, &o, u->target, strlen(u->target)))
		goto small;
	return o;
small:
	dst[0] = '\0';
	return 0;
}

size_t
url_encode(char *dst, size_t cap, const char *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (is_unreserved(c)) {
			if (cap - o < 2)
				goto small;
			dst[o++] = (char)c;
		} else {
			if (cap - o < 4)
				goto small;
			dst[o++] = '%';
			dst[o++] = hexdigits[c >> 4];
			dst[o++] = hexdigits[c & 15];
		}
	}
	if (cap - o < 1)
		goto small;
	dst[o] = '\0';
	return o;
small:
	if (cap > 0)
		dst[0] = '\0';
	return (size_t)-1;
}

/*
 * Does the encoded parameter name s[0..n) decode to key? A bad escape
 * never matches.
 */
static int
name_is(const char *s, size_t n, const char *key)
{
	size_t i, k = 0;
	int hi, lo;

	for (i = 0; i < n; i++, k++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (n - i < 3 ||
			    (hi = ascii_hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = ascii_hexval((unsigned char)s[i + 2])) < 0)
				return 0;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (key[k] == '\0' || (unsigned char)key[k] != c)
			return 0;
	}
	return key[k] == '\0';
}

int
url_query_next(const char **q, struct url_param *prm)
{
	const char *p = *q, *eq;

	if (*p == '\0' || *p == '#')
		return 0;
	prm->p = p;
	prm->len = strcspn(p, "&#");
	eq = memchr(p, '=', prm->len);
	prm->nlen = eq != NULL ? (size_t)(eq - p) : prm->len;
	prm->val = eq != NULL ? eq + 1 : NULL;
	prm->vlen = eq != NULL ? prm->len - prm->nlen - 1 : 0;
	p += prm->len;
	prm->amp = *p == '&';
	*q = prm->amp ? p + 1 : p;
	return 1;
}

long
url_query_get(const char *target, const char *key, char *out, size_t cap)
{
	const char *p = target + strcspn(target, "?#");
	struct url_param prm;
	long rc;

	if (cap > 0)
		out[0] = '\0';
	if (*p++ != '?')
		return -1;
	while (url_query_next(&p, &prm)) {
		if (!name_is(prm.p, prm.nlen, key))
			continue;
		if (prm.val == NULL)
			return cap == 0 ? -2 : 0;
		if ((rc = pct_decode(out, cap, prm.val, prm.vlen)) < 0) {
			if (cap > 0)
				out[0] = '\0';
			return -2;
		}
		return rc;
	}
	return -1;
}

/* s starts with the NUL-terminated pre, ASCII case-insensitively. */
static int
prefix_nocase(const char *s, const char *pre)
{
	for (; *pre; s++, pre++)
		if (ascii_lower((unsigned char)*s) !=
		    ascii_lower((unsigned char)*pre))
			return 0;
	return 1;
}

/* Append src[0..n) at dst[*o], as much as fits with a NUL. */
static void
put_trunc(char *dst, size_t cap, size_t *o, const char *src, size_t n)
{
	if (n > cap - 1 - *o)
		n = cap - 1 - *o;
	memcpy(dst + *o, src, n);
	*o += n;
	dst[*o] = '\0';
}

void
url_redact(char *dst, size_t cap, const char *url)
{
	struct url scratch;
	struct url_param prm;
	const char *p = url, *q, *auth, *at = NULL, *colon;
	size_t o = 0, alen;
	int n;

	if (cap == 0)
		return;
	dst[0] = '\0';
	/* userinfo: scheme://user:pass@ -> scheme://user:REDACTED@ */
	if ((n = parse_scheme(&scratch, url)) > 0) {
		auth = url + n;
		alen = strcspn(auth, "/?#");
		for (q = auth; q < auth + alen; q++)
			if (*q == '@')
				at = q;
		if (at != NULL &&
		    (colon = memchr(auth, ':', (size_t)(at - auth))) != NULL) {
			put_trunc(dst, cap, &o, url, (size_t)(colon + 1 - url));
			put_trunc(dst, cap, &o, redacted, sizeof(redacted) - 1);
			p = at;
		}
	}
	/* the query: every access_token=VALUE -> access_token=REDACTED */
	q = p + strcspn(p, "?#");
	if (*q == '?') {
		q++;
		put_trunc(dst, cap, &o, p, (size_t)(q - p));
		p = q;
		while (url_query_next(&p, &prm)) {
			if (prm.val != NULL && prm.nlen == 12 &&
			    prefix_nocase(prm.p, "access_token=")) {
				put_trunc(dst, cap, &o, prm.p, 13);
				put_trunc(dst, cap, &o, redacted,
				    sizeof(redacted) - 1);
			} else
				put_trunc(dst, cap, &o, prm.p, prm.len);
			if (prm.amp)
				put_trunc(dst, cap, &o, "&", 1);
		}
	}
	put_trunc(dst, cap, &o, p, strlen(p));
}

const char *
url_strerror(int err)
{
	switch (err) {
	case URL_OK:
		return "no error";
	case URL_ERR_SYNTAX:
		return "malformed URL";
	case URL_ERR_SCHEME:
		return "unsupported or missing URL scheme (https:// or wss://; "
		    "http:// for a proxy)";
	case URL_ERR_INSECURE:
		return "plain http:// and ws:// are refused: zoomws only "
		    "connects with TLS (https://, wss://)";
	case URL_ERR_HOST:
		return "missing or invalid host in URL";
	case URL_ERR_PORT:
		return "URL port is not a number from 1 to 65535";
	case URL_ERR_TOO_LONG:
		return "URL part too long";
	default:
		return "unknown URL error";
	}
}
