/*
 * fuzz_http.c - libFuzzer target for the HTTP/1.1 parser and writer.
 *
 * Oracles:
 * 1. The input as a response, in both modes: fed whole and fed in
 *    pieces (sizes from a generator seeded by the first byte), the parser
 *    gives the same result, bytes used, status, headers and body; every
 *    result is within bounds (header pointers inside the head buffer,
 *    names tokens, values trimmed and free of CR, LF and NUL, the body no
 *    longer than its buffer nor than Content-Length says).
 * 2. The input as a body: framed with Content-Length and as chunks of
 *    generated sizes with extensions and a trailer, it must come back
 *    byte for byte.
 * 3. The input cut into method, target, host, extra and body: when
 *    http_request accepts them, its head ends exactly where the body
 *    starts, and has exactly as many lines as were given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http.h"

#define MAXIN   (HTTP_MAX_HEAD * 2)
#define BODYCAP 4096

struct outcome {
	int    rc, status, minor;
	size_t used, nheaders, bodylen;
	const char *hn[HTTP_MAX_HEADERS], *hv[HTTP_MAX_HEADERS];
	size_t hnl[HTTP_MAX_HEADERS], hvl[HTTP_MAX_HEADERS];
	char   head[HTTP_MAX_HEAD], body[BODYCAP];
};

static struct outcome A, B;
static char wire[MAXIN * 2 + 1024];

static unsigned
next(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Parse in[0..len) in pieces (whole when seed is 0) into o. */
static void
parse(struct outcome *o, const char *in, size_t len, unsigned seed,
    int headers_only, int eof)
{
	struct http_response r;
	size_t at = 0, k, used, i;
	int rc = HTTP_NEED_MORE;

	http_response_init(&r, o->head, sizeof(o->head), o->body, BODYCAP,
	    headers_only);
	o->used = 0;
	do {
		k = seed == 0 ? len - at : 1 + next(&seed) % 17;
		if (k > len - at)
			k = len - at;
		rc = http_feed(&r, in + at, k, &used);
		if (used > k)
			abort();
		o->used += used;
		if (rc == HTTP_NEED_MORE && used != k)
			abort();
		at += k;
	} while (rc == HTTP_NEED_MORE && at < len);
	if (rc == HTTP_NEED_MORE && eof)
		rc = http_eof(&r);
	o->rc = rc;
	o->status = r.status;
	o->minor = r.minor;
	o->nheaders = r.nheaders;
	o->bodylen = r.bodylen;
	if (rc == HTTP_DONE && r.bodylen > 0 && r.body != o->body)
		abort();
	if (r.bodylen > BODYCAP || r.nheaders > HTTP_MAX_HEADERS ||
	    o->used > len)
		abort();
	if (rc != HTTP_DONE)
		return;
	if (r.status < 100 || r.status > 999 || r.minor < 0 || r.minor > 9)
		abort();
	for (i = 0; i < r.nheaders; i++) {
		const struct http_header *h = &r.headers[i];
		size_t j;

		if (h->name < o->head || h->value < o->head ||
		    h->name + h->namelen > o->head + sizeof(o->head) ||
		    h->value + h->valuelen > o->head + sizeof(o->head) ||
		    h->namelen == 0)
			abort();
		for (j = 0; j < h->namelen; j++)
			if (!is_tchar((unsigned char)h->name[j]))
				abort();
		for (j = 0; j < h->valuelen; j++)
			if (h->value[j] == '\r' || h->value[j] == '\n' ||
			    h->value[j] == '\0')
				abort();
		if (h->valuelen > 0 && (h->value[0] == ' ' ||
		    h->value[0] == '\t' || h->value[h->valuelen - 1] == ' ' ||
		    h->value[h->valuelen - 1] == '\t'))
			abort();
		/* lookup finds the first field of that name */
		{
			char name[64];
			size_t n;
			const char *v;

			if (h->namelen < sizeof(name)) {
				memcpy(name, h->name, h->namelen);
				name[h->namelen] = '\0';
				v = http_header(&r, name, &n);
				if (v == NULL || v > h->value)
					abort();
			}
		}
		o->hn[i] = h->name;
		o->hnl[i] = h->namelen;
		o->hv[i] = h->value;
		o->hvl[i] = h->valuelen;
	}
	/* a Content-Length body is exactly that long */
	if (!headers_only && r.status >= 200 && r.status != 204 &&
	    r.status != 304) {
		const char *cl = http_header(&r, "Content-Length", &k);

		if (cl != NULL && http_header(&r, "Transfer-Encoding", NULL) ==
		    NULL) {
			unsigned long long v = 0;

			for (i = 0; i < k && cl[i] >= '0' && cl[i] <= '9'; i++)
				v = v * 10 + (unsigned)(cl[i] - '0');
			if (v != r.bodylen)
				abort();
		}
	}
}

static void
compare(void)
{
	size_t i;

	if (A.rc != B.rc)
		abort();
	if (A.rc != HTTP_DONE && A.rc != HTTP_NEED_MORE)
		return;
	if (A.used != B.used)
		abort();
	if (A.rc != HTTP_DONE)
		return;
	if (A.status != B.status || A.minor != B.minor ||
	    A.nheaders != B.nheaders || A.bodylen != B.bodylen ||
	    memcmp(A.body, B.body, A.bodylen) != 0)
		abort();
	for (i = 0; i < A.nheaders; i++)
		if (A.hnl[i] != B.hnl[i] || A.hvl[i] != B.hvl[i] ||
		    memcmp(A.hn[i], B.hn[i], A.hnl[i]) != 0 ||
		    memcmp(A.hv[i], B.hv[i], A.hvl[i]) != 0)
			abort();
}

/* Oracle 2: data as a body, framed two ways, must come back. */
static void
body_roundtrip(const uint8_t *data, size_t size, unsigned seed)
{
	size_t n, at, k;

	if (size > BODYCAP)
		return;
	n = (size_t)snprintf(wire, sizeof(wire),
	    "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", size);
	memcpy(wire + n, data, size);
	parse(&A, wire, n + size, seed | 1, 0, 0);
	if (A.rc != HTTP_DONE || A.bodylen != size || A.used != n + size ||
	    (size > 0 && memcmp(A.body, data, size) != 0))
		abort();

	n = (size_t)snprintf(wire, sizeof(wire),
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (at = 0; at < size; at += k) {
		k = 1 + next(&seed) % 300;
		if (k > size - at)
			k = size - at;
		n += (size_t)snprintf(wire + n, sizeof(wire) - n,
		    next(&seed) & 1 ? "%zx\r\n" : "%zX ; ext=\"v\"\r\n", k);
		memcpy(wire + n, data + at, k);
		n += k;
		memcpy(wire + n, "\r\n", 2);
		n += 2;
	}
	n += (size_t)snprintf(wire + n, sizeof(wire) - n,
	    "0\r\nTrailer-Field: x\r\n\r\nHTTP/1.1");
	parse(&A, wire, n, seed | 1, 0, 0);
	if (A.rc != HTTP_DONE || A.bodylen != size || A.used != n - 8 ||
	    (size > 0 && memcmp(A.body, data, size) != 0))
		abort();
}

/* Oracle 3: the writer cannot be made to write a different request. */
static void
request(const uint8_t *data, size_t size)
{
	static char parts[5][1024], out[8192];
	const char *p = (const char *)data, *end = p + size, *z;
	size_t i, n, len[5], lines, j;

	for (i = 0; i < 5; i++) {
		z = i < 4 ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		n = z ? (size_t)(z - p) : (size_t)(end - p);
		if (n >= sizeof(parts[i]))
			n = sizeof(parts[i]) - 1;
		memcpy(parts[i], p, n);
		parts[i][n] = '\0';
		len[i] = n;
		p = z ? z + 1 : end;
	}
	n = http_request(out, sizeof(out), parts[0], parts[1], parts[2],
	    parts[3], parts[4], len[4]);
	if (n == 0)
		return;
	if (n >= sizeof(out) || out[n] != '\0' ||
	    n != len[0] + len[1] + len[2] + len[3] + len[4] + 22 +
	    (size_t)snprintf(NULL, 0, "Content-Length: %zu\r\n", len[4]))
		abort();
	/* the head ends where the body starts */
	z = strstr(out, "\r\n\r\n");
	if (z == NULL || (size_t)(z + 4 - out) != n - len[4] ||
	    memcmp(out + n - len[4], parts[4], len[4]) != 0)
		abort();
	/* lines: request line, Host, extra's, Content-Length */
	for (lines = 0, j = 0; out + j < z + 2; j++) {
		if (out[j] == '\n')
			lines++;
		if ((out[j] == '\n') != (j > 0 && out[j - 1] == '\r'))
			abort();
	}
	for (j = 0, i = 0; j < len[3]; j++)
		i += parts[3][j] == '\n';
	if (lines != 3 + i)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned seed;
	int mode;

	if (size > MAXIN)
		return 0;
	seed = size > 0 ? data[0] * 2654435761u + 1 : 1;
	for (mode = 0; mode < 2; mode++) {
		parse(&A, (const char *)data, size, 0, mode, 1);
		parse(&B, (const char *)data, size, seed, mode, 1);
		compare();
	}
	body_roundtrip(data, size, seed);
	request(data, size);
	return 0;
}
