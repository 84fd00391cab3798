/*
 * url.h - the URLs zoomws uses (RFC 3986): https:// and wss:// endpoints,
 * http:// proxies, percent-encoding, query parameters, and redaction of
 * secrets for logs.
 *
 * No I/O, no allocation: results go into fixed fields or the caller's
 * buffers.
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

enum {
	URL_OK = 0,
	URL_ERR_SYNTAX = -1,        /* a character or form RFC 3986 forbids */
	URL_ERR_SCHEME = -2,        /* no scheme, or one not supported */
	URL_ERR_INSECURE = -3,      /* http:// or ws://: refused */
	URL_ERR_HOST = -4,          /* missing or invalid host */
	URL_ERR_PORT = -5,          /* port not a number in 1..65535 */
	URL_ERR_TOO_LONG = -6       /* a part does not fit its field */
};

/*
 * A parsed URL. Every field is NUL-terminated; the sizes are the limits
 * (a part one byte shorter than its field fits).
 */
struct url {
	char scheme[8];         /* "https", "wss" ("http" for proxies) */
	char user[256];         /* userinfo before ':', percent-decoded */
	char pass[256];         /* userinfo after ':', percent-decoded */
	char host[256];         /* lower-cased; IPv6 without brackets */
	char port[6];           /* decimal, no leading zeros; default 443 */
	char target[4096];      /* path ["?" query], at least "/" */
};

/*
 * url_parse: parse the absolute URL s into u: scheme "://" [userinfo "@"]
 * host [":" port] path ["?" query] ["#" fragment] (RFC 3986 3). The
 * scheme (case-insensitive) must be https or wss; the host a DNS name
 * (letters, digits, '-', '.', '_') or an IP literal, IPv6 in brackets
 * (RFC 3986 3.2.2; zone ids are refused); the port, when given, 1..65535
 * (empty means the default, 443). Path and query are kept as written,
 * percent-encoding included, after checking their characters (3.3, 3.4);
 * the fragment is dropped. Returns URL_OK, or URL_ERR_INSECURE for
 * http:// and ws:// (zoomws never sends credentials in clear), or
 * another URL_ERR_*; u is then in an unspecified state.
 */
int url_parse(struct url *u, const char *s);

/*
 * url_parse_proxy: parse an HTTP CONNECT proxy URL the way curl reads
 * HTTPS_PROXY: http://[user[:pass]@]host[:port][/], the "http://" being
 * optional; the default port is 1080. user and pass are percent-decoded
 * (a decoded NUL is refused). Returns URL_OK or a URL_ERR_*
 * (URL_ERR_SCHEME for any other scheme, https:// proxies included).
 */
int url_parse_proxy(struct url *u, const char *s);

/*
 * url_format: write u back as a URL, scheme "://" [userinfo "@"] host
 * ":" port target, userinfo percent-encoded, IPv6 hosts in brackets,
 * and a NUL. Returns its length, or 0 when cap is too small.
 */
size_t url_format(char *dst, size_t cap, const struct url *u);

/* url_append: src[0..n) at dst[*o] (dst of cap bytes, kept
   NUL-terminated), *o advanced; 0 when it does not fit, else 1. */
int url_append(char *dst, size_t cap, size_t *o, const char *src, size_t n);

/*
 * url_authority: host ":" port into dst (cap bytes, NUL-terminated), an
 * IPv6 literal in brackets (RFC 3986 3.2.2); with omit_default a port of
 * 443 is left out, as the Host header of an https URL may (RFC 9110
 * 7.2). Returns the length, or 0 when cap is too small (dst then "").
 */
size_t url_authority(char *dst, size_t cap, const char *host,
    const char *port, int omit_default);

/*
 * url_encode: percent-encode src[0..n) into dst (cap bytes): every byte
 * but the unreserved set ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986
 * 2.3) becomes "%" and two upper-case hex digits (2.1). Also right for
 * application/x-www-form-urlencoded values, where that set is safe.
 * NUL-terminates. Returns the length, or (size_t)-1 when cap is too
 * small (dst is then "" when cap > 0).
 */
size_t url_encode(char *dst, size_t cap, const char *src, size_t n);

/*
 * url_query_get: find the first parameter called key in the query of
 * target (after '?', before '#'; parameters split at '&'; names compared
 * after percent-decoding) and percent-decode its value into out (cap
 * bytes, NUL-terminated). '+' stays '+' (RFC 3986 has no meaning for
 * it). Returns the value's length, -1 when there is no such parameter,
 * -2 when the value does not fit, is badly encoded or decodes to a NUL.
 */
long url_query_get(const char *target, const char *key, char *out,
    size_t cap);

/*
 * url_query_next: the next parameter of a query, *q pointing after the
 * '?' (or after the last parameter): prm->p[0..len) the parameter as
 * written, its encoded name the first nlen bytes, its encoded value
 * val[0..vlen) (val NULL without '='), amp whether a '&' follows it.
 * Moves *q past it. Returns 1, or 0 at the end of the query (the end of
 * the string or a '#').
 */
struct url_param {
	const char *p;
	size_t      len, nlen;
	const char *val;
	size_t      vlen;
	int         amp;
};
int url_query_next(const char **q, struct url_param *prm);

/*
 * url_redact: copy the URL or request target url to dst (cap bytes) with
 * the value of every access_token parameter of the query (name matched
 * case-insensitively), and the
 * password of the userinfo, replaced by REDACTED: safe for logs. Always
 * NUL-terminates when cap > 0, truncating if need be.
 */
void url_redact(char *dst, size_t cap, const char *url);

/* url_strerror: a short English description of a URL_ERR_* code. */
const char *url_strerror(int err);

#endif
