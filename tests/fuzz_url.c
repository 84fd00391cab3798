/*
 * fuzz_url.c - libFuzzer target for url.c.
 *
 * Oracles:
 * 1. Whatever url_parse or url_parse_proxy accepts is well formed
 *    (lower-case scheme and host, port 1..65535 without leading zeros,
 *    target starting with '/', no space or control anywhere) and
 *    survives parse -> format -> parse unchanged.
 * 2. url_encode's output uses only unreserved characters and upper-case
 *    %XX, and decodes back to the input (here and via url_query_get).
 * 3. url_redact on a URL whose access_token is the encoded input gives
 *    exactly the URL with REDACTED in its place; on the raw input it
 *    stays within its buffer and NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../url.h"

#define MAXIN 6000

static char s[MAXIN + 1], enc[MAXIN * 3 + 1], buf[MAXIN * 3 + 128],
    out[MAXIN * 3 + 128];

static int
unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;      /* url_encode writes upper case only */
}

static void
check_fields(const struct url *u, int proxy)
{
	size_t i;
	unsigned long port = 0;

	if (strlen(u->scheme) >= sizeof(u->scheme) ||
	    strlen(u->user) >= sizeof(u->user) ||
	    strlen(u->pass) >= sizeof(u->pass) ||
	    strlen(u->host) >= sizeof(u->host) || u->host[0] == '\0' ||
	    strlen(u->port) >= sizeof(u->port) ||
	    strlen(u->target) >= sizeof(u->target) || u->target[0] != '/')
		abort();
	if (proxy ? strcmp(u->scheme, "http") != 0 :
	    strcmp(u->scheme, "https") != 0 && strcmp(u->scheme, "wss") != 0)
		abort();
	for (i = 0; u->host[i]; i++)
		if ((u->host[i] >= 'A' && u->host[i] <= 'Z') ||
		    (unsigned char)u->host[i] <= ' ' || u->host[i] == '/' ||
		    u->host[i] == '@' || u->host[i] == '[')
			abort();
	for (i = 0; u->target[i]; i++)
		if ((unsigned char)u->target[i] <= ' ' ||
		    (unsigned char)u->target[i] >= 0x7f || u->target[i] == '#')
			abort();
	if (u->port[0] == '0')
		abort();
	for (i = 0; u->port[i]; i++) {
		if (u->port[i] < '0' || u->port[i] > '9')
			abort();
		port = port * 10 + (unsigned long)(u->port[i] - '0');
	}
	if (port < 1 || port > 65535)
		abort();
}

static void
roundtrip(const char *in, int proxy)
{
	static struct url a, b;
	static char f[8192];
	int rc = proxy ? url_parse_proxy(&a, in) : url_parse(&a, in);

	if (rc < URL_ERR_TOO_LONG || rc > URL_OK)
		abort();
	if (rc != URL_OK)
		return;
	check_fields(&a, proxy);
	if (url_format(f, sizeof(f), &a) == 0)
		abort();
	rc = proxy ? url_parse_proxy(&b, f) : url_parse(&b, f);
	if (rc != URL_OK || strcmp(a.scheme, b.scheme) != 0 ||
	    strcmp(a.user, b.user) != 0 || strcmp(a.pass, b.pass) != 0 ||
	    strcmp(a.host, b.host) != 0 || strcmp(a.port, b.port) != 0 ||
	    strcmp(a.target, b.target) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n, i, o, e;
	long q;

	if (size > MAXIN)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	/* 1 */
	roundtrip(s, 0);
	roundtrip(s, 1);

	/* 2: encode, check the alphabet, decode */
	e = url_encode(enc, sizeof(enc), (const char *)data, size);
	if (e == (size_t)-1 || e != strlen(enc))
		abort();
	for (i = 0, o = 0; i < e; o++) {
		int hi, lo;

		if (enc[i] != '%') {
			if (!unreserved((unsigned char)enc[i]) || o >= size ||
			    enc[i] != (char)data[o])
				abort();
			i++;
			continue;
		}
		if (e - i < 3 || (hi = hexval((unsigned char)enc[i + 1])) < 0 ||
		    (lo = hexval((unsigned char)enc[i + 2])) < 0 || o >= size ||
		    (unsigned char)(hi << 4 | lo) != data[o] ||
		    unreserved(data[o]))
			abort();
		i += 3;
	}
	if (o != size)
		abort();
	if (url_encode(enc, e, (const char *)data, size) != (size_t)-1)
		abort();
	url_encode(enc, sizeof(enc), (const char *)data, size);

	/* ... and through url_query_get, when there is no NUL */
	n = (size_t)(stpcpy(stpcpy(buf, "/ws?a=1&k="), enc) - buf);
	strcpy(buf + n, "&k=2#x");
	q = url_query_get(buf, "k", out, sizeof(out));
	if (memchr(data, '\0', size) != NULL) {
		if (q != -2)
			abort();
	} else if (q != (long)size || memcmp(out, data, size) != 0 ||
	    out[size] != '\0') {
		abort();
	}

	/* 3: the token and the password never show */
	strcpy(stpcpy(stpcpy(buf, "wss://h/ws?a=1&access_token="), enc),
	    "&x=1#frag");
	url_redact(out, sizeof(out), buf);
	if (strcmp(out, "wss://h/ws?a=1&access_token=REDACTED&x=1#frag") != 0)
		abort();
	strcpy(stpcpy(stpcpy(buf, "http://u:"), enc), "@proxy:3128/");
	url_redact(out, sizeof(out), buf);
	if (strcmp(out, "http://u:REDACTED@proxy:3128/") != 0)
		abort();

	/* on raw input: bounded, terminated */
	memset(out, 'Z', 64);
	url_redact(out, 64, s);
	if (memchr(out, '\0', 64) == NULL)
		abort();
	n = size < 40 ? size : 40;
	q = url_query_get(s, "k", out, n);
	if (q >= (long)n || q < -2 || (q >= 0 && (size_t)q != strlen(out)))
		abort();
	return 0;
}
