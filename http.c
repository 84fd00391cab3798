/*
 * http.c - HTTP/1.1 responses (RFC 9112) parsed in pieces, and requests.
 *
 * The parser is one byte-driven state machine: the header block is
 * copied into the caller's head buffer until the empty line that ends it
 * (sections 2.1, 2.2), then parsed there in one go (sections 4, 5); the
 * body is framed as section 6.3 says and decoded into the caller's body
 * buffer (section 7.1 for chunked).
 */
#include <string.h>

#include "ascii.h"
#include "http.h"

enum http_state {
	HS_HEAD = 0,        /* inside a line of the head */
	HS_HEAD_CR,         /* CR inside a head line: LF due */
	HS_HEAD_BOL,        /* at the start of a head line */
	HS_HEAD_BOL_CR,     /* CR at the start of a line: LF ends the head */
	HS_HEAD_END,        /* the empty line is in: parse the head */
	HS_BODY_LENGTH,     /* r->remaining bytes of a Content-Length body */
	HS_BODY_CLOSE,      /* body until the connection closes */
	HS_CHUNK_START,     /* first hex digit of a chunk-size due */
	HS_CHUNK_SIZE,      /* more hex digits, or what follows them */
	HS_CHUNK_WS,        /* BWS after the chunk-size */
	HS_CHUNK_EXT,       /* chunk extensions, skipped to the line end */
	HS_CHUNK_LINE_CR,   /* CR after the chunk-size line: LF due */
	HS_CHUNK_DATA,      /* r->remaining bytes of chunk-data */
	HS_CHUNK_DATA_END,  /* CRLF after chunk-data due */
	HS_CHUNK_DATA_CR,   /* CR after chunk-data: LF due */
	HS_TRAILER_BOL,     /* start of a trailer line or the final CRLF */
	HS_TRAILER_BOL_CR,  /* CR at the start of a trailer line: LF due */
	HS_TRAILER_NAME,    /* field name of a trailer line */
	HS_TRAILER_VALUE,   /* rest of a trailer line, skipped */
	HS_TRAILER_CR,      /* CR ending a trailer line: LF due */
	HS_DONE,
	HS_FAILED           /* r->err says why */
};

enum http_framing {
	HF_NONE = 0,        /* no body */
	HF_LENGTH,          /* Content-Length */
	HF_CHUNKED,         /* Transfer-Encoding: chunked */
	HF_CLOSE            /* until the connection closes */
};

/* RFC 9110 5.6.2: tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 9110 5.5: field-vchar or SP / HTAB (obs-text included). */
static int
is_field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* a[0..n) equals the NUL-terminated b, ASCII case-insensitively. */
static int
eq_nocase(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] == '\0' || ascii_lower((unsigned char)a[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return 0;
	return b[n] == '\0';
}

/* Trim OWS from both ends of s[0..*n). */
static const char *
trim_ows(const char *s, size_t *n)
{
	while (*n > 0 && is_ows((unsigned char)s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_ows((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

void
http_response_init(struct http_response *r, char *head, size_t headcap,
    char *body, size_t bodycap, int headers_only)
{
	memset(r, 0, sizeof(*r));
	r->head = head;
	r->headcap = headcap < HTTP_MAX_HEAD ? headcap : HTTP_MAX_HEAD;
	r->body = body;
	r->bodycap = body != NULL ? bodycap : 0;
	r->headers_only = headers_only;
	r->state = HS_HEAD;
	r->framing = HF_NONE;
}

/*
 * The next line of the head in [*p, end): its start and length without
 * the CRLF or LF, *p moved past it. The scanner has checked that every
 * CR is followed by LF and that the head ends with an empty line.
 */
static const char *
next_line(const char **p, const char *end, size_t *n)
{
	const char *s = *p, *lf = memchr(s, '\n', (size_t)(end - s));

	*p = lf + 1;
	*n = (size_t)(lf - s);
	if (*n > 0 && s[*n - 1] == '\r')
		(*n)--;
	return s;
}

/*
 * RFC 9112 4: status-line = HTTP-version SP status-code SP
 * [ reason-phrase ]. A missing SP before an empty reason is accepted.
 */
static int
parse_status_line(struct http_response *r, const char *s, size_t n)
{
	size_t i;

	/* RFC 9112 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, and the
	   scanner has already seen "HTTP/1.". */
	if (n < 8 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9')
		return HTTP_ERR_VERSION;
	r->minor = s[7] - '0';
	/* RFC 9110 15: a three-digit status code; 100..999 here. */
	if (n < 12 || s[8] != ' ' || s[9] < '1' || s[9] > '9' ||
	    s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9')
		return HTTP_ERR_SYNTAX;
	r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (n == 12) {
		r->reason = s + 12;
		r->reasonlen = 0;
		return 0;
	}
	if (s[12] != ' ')
		return HTTP_ERR_SYNTAX;
	/* reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) */
	for (i = 13; i < n; i++)
		if (!is_field_char((unsigned char)s[i]))
			return HTTP_ERR_SYNTAX;
	r->reason = s + 13;
	r->reasonlen = n - 13;
	return 0;
}

/* RFC 9112 5: field-line = field-name ":" OWS field-value OWS. */
static int
parse_field_line(struct http_response *r, const char *s, size_t n)
{
	struct http_header *h;
	const char *colon, *v;
	size_t i, vn;

	/* RFC 9112 5.2: obs-fold is deprecated; it is refused here. */
	if (is_ows((unsigned char)s[0]))
		return HTTP_ERR_FOLD;
	if ((colon = memchr(s, ':', n)) == NULL || colon == s)
		return HTTP_ERR_SYNTAX;
	/* RFC 9112 5.1: no whitespace between the name and the colon: the
	   name must be a token. */
	for (i = 0; s + i < colon; i++)
		if (!is_tchar((unsigned char)s[i]))
			return HTTP_ERR_SYNTAX;
	vn = n - (size_t)(colon + 1 - s);
	v = trim_ows(colon + 1, &vn);
	/* RFC 9110 5.5: CR, LF, NUL and other controls are invalid. */
	for (i = 0; i < vn; i++)
		if (!is_field_char((unsigned char)v[i]))
			return HTTP_ERR_SYNTAX;
	if (r->nheaders == HTTP_MAX_HEADERS)
		return HTTP_ERR_TOO_MANY_HEADERS;
	h = &r->headers[r->nheaders++];
	h->name = s;
	h->namelen = (size_t)(colon - s);
	h->value = v;
	h->valuelen = vn;
	return 0;
}

/*
 * Content-Length (RFC 9110 8.6): 1*DIGIT. Several fields or a list of
 * identical values are accepted as one; values that differ are not.
 * Returns 0 with *len set, 1 when there is none, or an error.
 */
static int
content_length(const struct http_response *r, uint64_t *len)
{
	const struct http_header *h;
	uint64_t v;
	size_t i, j;
	int seen = 0;

	for (i = 0; i < r->nheaders; i++) {
		h = &r->headers[i];
		if (!eq_nocase(h->name, h->namelen, "Content-Length"))
			continue;
		j = 0;
		do {
			while (j < h->valuelen && is_ows((unsigned char)h->value[j]))
				j++;
			if (j == h->valuelen || h->value[j] < '0' ||
			    h->value[j] > '9')
				return HTTP_ERR_CONTENT_LENGTH;
			v = 0;
			for (; j < h->valuelen && h->value[j] >= '0' &&
			    h->value[j] <= '9'; j++) {
				if (v > (UINT64_MAX - 9) / 10)
					return HTTP_ERR_CONTENT_LENGTH;
				v = v * 10 + (uint64_t)(h->value[j] - '0');
			}
			while (j < h->valuelen && is_ows((unsigned char)h->value[j]))
				j++;
			if (j < h->valuelen && h->value[j] != ',')
				return HTTP_ERR_CONTENT_LENGTH;
			if (seen && v != *len)
				return HTTP_ERR_CONTENT_LENGTH;
			*len = v;
			seen = 1;
		} while (j++ < h->valuelen);
	}
	return seen ? 0 : 1;
}

/*
 * list_next: the next element of the comma-separated field value
 * v[0..n) (RFC 9110 5.6.1) from *at: *e[0..*elen), blanks around it
 * trimmed (an empty element comes out empty). Returns 1, or 0 once the
 * value is used up.
 */
static int
list_next(const char *v, size_t n, size_t *at, const char **e, size_t *elen)
{
	size_t k;

	if (*at > n)
		return 0;
	for (k = *at; k < n && v[k] != ','; k++)
		;
	*elen = k - *at;
	*e = trim_ows(v + *at, elen);
	*at = k + 1;
	return 1;
}

/*
 * Transfer-Encoding (RFC 9112 6.1, 7): every field together must list
 * exactly one coding, chunked: this client asks for no other (it sends
 * no TE) and cannot undo one. Returns 0 for chunked, 1 when there is no
 * Transfer-Encoding field, or an error.
 */
static int
transfer_encoding(const struct http_response *r)
{
	const struct http_header *h;
	const char *e;
	size_t i, at, n;
	int present = 0, codings = 0;

	for (i = 0; i < r->nheaders; i++) {
		h = &r->headers[i];
		if (!eq_nocase(h->name, h->namelen, "Transfer-Encoding"))
			continue;
		present = 1;
		for (at = 0; list_next(h->value, h->valuelen, &at, &e, &n); ) {
			if (n == 0)
				continue;       /* RFC 9110 5.6.1: empty element */
			if (!eq_nocase(e, n, "chunked") || ++codings > 1)
				return HTTP_ERR_TRANSFER_ENCODING;
		}
	}
	if (!present)
		return 1;
	return codings == 1 ? 0 : HTTP_ERR_TRANSFER_ENCODING;
}

/*
 * The head is complete in r->head[0..headlen): parse it and choose how
 * the body is framed (RFC 9112 6.3). Sets r->state; returns 0 or an
 * error.
 */
static int
head_done(struct http_response *r)
{
	const char *p = r->head, *end = r->head + r->headlen, *s;
	uint64_t len = 0;
	size_t n;
	int rc, te, cl;

	r->nheaders = 0;
	s = next_line(&p, end, &n);
	if ((rc = parse_status_line(r, s, n)) != 0)
		return rc;
	for (;;) {
		s = next_line(&p, end, &n);
		if (n == 0)
			break;
		if ((rc = parse_field_line(r, s, n)) != 0)
			return rc;
	}

	if (r->headers_only) {
		r->state = HS_DONE;
		return 0;
	}
	/* RFC 9110 15.2: interim responses precede the final one. */
	if (r->status < 200 && r->status != 101) {
		if (++r->ninterim > HTTP_MAX_INTERIM)
			return HTTP_ERR_INTERIM;
		r->headlen = 0;
		r->nheaders = 0;
		r->state = HS_HEAD;
		return 0;
	}
	/* RFC 9112 6.3 rules 1 (HEAD is headers_only) and 2 (CONNECT is
	   the caller's: headers_only as well). */
	if (r->status < 200 || r->status == 204 || r->status == 304) {
		r->state = HS_DONE;
		return 0;
	}
	if ((te = transfer_encoding(r)) < 0)
		return te;
	if ((cl = content_length(r, &len)) < 0)
		return cl;
	if (te == 0) {
		/* RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means broken
		   framing; with Content-Length, a possible smuggling attempt
		   (6.3 rule 3): both refused. */
		if (r->minor == 0)
			return HTTP_ERR_TRANSFER_ENCODING;
		if (cl == 0)
			return HTTP_ERR_CONTENT_LENGTH;
		r->framing = HF_CHUNKED;
		r->linelen = 0;
		r->state = HS_CHUNK_START;
		return 0;
	}
	if (cl == 0) {
		if (len > r->bodycap)
			return HTTP_ERR_BODY_TOO_LARGE;
		r->framing = HF_LENGTH;
		r->remaining = len;
		r->state = len == 0 ? HS_DONE : HS_BODY_LENGTH;
		return 0;
	}
	/* RFC 9112 6.3 rule 8 */
	r->framing = HF_CLOSE;
	r->state = HS_BODY_CLOSE;
	return 0;
}

/* The head scanner's state after byte c; a CR has been checked to be
   followed by LF. RFC 9112 2.2: lines end in CRLF or a bare LF. */
static int
head_next(int state, unsigned char c)
{
	switch (state) {
	case HS_HEAD:
		return c == '\r' ? HS_HEAD_CR : c == '\n' ? HS_HEAD_BOL : HS_HEAD;
	case HS_HEAD_CR:
		return HS_HEAD_BOL;
	case HS_HEAD_BOL:
		return c == '\r' ? HS_HEAD_BOL_CR : c == '\n' ? HS_HEAD_END :
		    HS_HEAD;
	default:    /* HS_HEAD_BOL_CR */
		return HS_HEAD_END;
	}
}

/* Copy up to n bytes of body from in; returns how many were taken. */
static size_t
take_body(struct http_response *r, const char *in, size_t n)
{
	if (n > r->remaining)
		n = (size_t)r->remaining;
	memcpy(r->body + r->bodylen, in, n);
	r->bodylen += n;
	r->remaining -= n;
	return n;
}

/* The chunk-size line has ended (RFC 9112 7.1). */
static void
chunk_line_end(struct http_response *r)
{
	r->linelen = 0;
	r->state = r->remaining == 0 ? HS_TRAILER_BOL : HS_CHUNK_DATA;
}

int
http_feed(struct http_response *r, const char *in, size_t len, size_t *used)
{
	size_t i = 0, n;
	unsigned char c;
	int rc = 0, v;

	*used = 0;
	if (r->state == HS_FAILED)
		return r->err;
	while (i < len && r->state != HS_DONE) {
		c = (unsigned char)in[i];
		if (r->state >= HS_TRAILER_BOL && r->state <= HS_TRAILER_CR &&
		    ++r->linelen > HTTP_MAX_TRAILER) {
			rc = HTTP_ERR_HEAD_TOO_LARGE;
			goto fail;
		}
		switch (r->state) {
		case HS_HEAD:
		case HS_HEAD_CR:
		case HS_HEAD_BOL:
		case HS_HEAD_BOL_CR:
			if (r->headlen == r->headcap) {
				rc = HTTP_ERR_HEAD_TOO_LARGE;
				goto fail;
			}
			/* Fail at once on what is not an HTTP/1.x response. */
			if (r->headlen < 7 && c != (unsigned char)"HTTP/1."[r->headlen]) {
				rc = HTTP_ERR_VERSION;
				goto fail;
			}
			/* RFC 9112 2.2: lines end in CRLF or a bare LF; a bare
			   CR is an error. */
			if ((r->state == HS_HEAD_CR || r->state == HS_HEAD_BOL_CR) &&
			    c != '\n') {
				rc = HTTP_ERR_SYNTAX;
				goto fail;
			}
			r->head[r->headlen++] = (char)c;
			i++;
			if ((r->state = head_next(r->state, c)) != HS_HEAD_END)
				break;
			/* an empty line: the head is complete */
			if ((rc = head_done(r)) != 0)
				goto fail;
			break;
		case HS_BODY_LENGTH:
			i += take_body(r, in + i, len - i);
			if (r->remaining == 0)
				r->state = HS_DONE;
			break;
		case HS_BODY_CLOSE:
			n = len - i;
			if (n > r->bodycap - r->bodylen) {
				rc = HTTP_ERR_BODY_TOO_LARGE;
				goto fail;
			}
			memcpy(r->body + r->bodylen, in + i, n);
			r->bodylen += n;
			i += n;
			break;
		case HS_CHUNK_START:
			/* RFC 9112 7.1: chunk-size = 1*HEXDIG */
			if ((v = ascii_hexval(c)) < 0) {
				rc = HTTP_ERR_CHUNK;
				goto fail;
			}
			r->remaining = (uint64_t)v;
			if (r->remaining > r->bodycap - r->bodylen) {
				rc = HTTP_ERR_BODY_TOO_LARGE;
				goto fail;
			}
			r->linelen = 1;
			r->state = HS_CHUNK_SIZE;
			i++;
			break;
		case HS_CHUNK_SIZE:
		case HS_CHUNK_WS:
		case HS_CHUNK_EXT:
			if (c == '\r') {
				r->state = HS_CHUNK_LINE_CR;
			} else if (c == '\n') {
				chunk_line_end(r);
			} else if (++r->linelen > HTTP_MAX_CHUNK_LINE) {
				rc = HTTP_ERR_CHUNK;
				goto fail;
			} else if (r->state == HS_CHUNK_EXT) {
				/* chunk-ext is skipped; no controls in it */
				if (c < 0x20 ? c != '\t' : c == 0x7f) {
					rc = HTTP_ERR_CHUNK;
					goto fail;
				}
			} else if (c == ';') {
				r->state = HS_CHUNK_EXT;
			} else if (is_ows(c)) {
				r->state = HS_CHUNK_WS;    /* BWS before ';' */
			} else if (r->state == HS_CHUNK_SIZE &&
			    (v = ascii_hexval(c)) >= 0) {
				if (r->remaining > (UINT64_MAX >> 4)) {
					rc = HTTP_ERR_CHUNK;
					goto fail;
				}
				r->remaining = r->remaining << 4 | (uint64_t)v;
				/* known too large as soon as a digit says so */
				if (r->remaining > r->bodycap - r->bodylen) {
					rc = HTTP_ERR_BODY_TOO_LARGE;
					goto fail;
				}
			} else {
				rc = HTTP_ERR_CHUNK;
				goto fail;
			}
			i++;
			break;
		case HS_CHUNK_LINE_CR:
			if (c != '\n') {
				rc = HTTP_ERR_CHUNK;
				goto fail;
			}
			i++;
			chunk_line_end(r);
			break;
		case HS_CHUNK_DATA:
			i += take_body(r, in + i, len - i);
			if (r->remaining == 0)
				r->state = HS_CHUNK_DATA_END;
			break;
		case HS_CHUNK_DATA_END:
		case HS_CHUNK_DATA_CR:
			/* RFC 9112 7.1: chunk = chunk-size ... chunk-data CRLF */
			if (c == '\r' && r->state == HS_CHUNK_DATA_END) {
				r->state = HS_CHUNK_DATA_CR;
			} else if (c == '\n') {
				r->state = HS_CHUNK_START;
				r->linelen = 0;
			} else {
				rc = HTTP_ERR_CHUNK;
				goto fail;
			}
			i++;
			break;
		/* RFC 9112 7.1.2: trailer fields are read and dropped; the
		   count of their bytes is kept in the loop's head. */
		case HS_TRAILER_BOL:
			if (c == '\r')
				r->state = HS_TRAILER_BOL_CR;
			else if (c == '\n')
				r->state = HS_DONE;
			else if (is_tchar(c))
				r->state = HS_TRAILER_NAME;
			else {
				rc = is_ows(c) ? HTTP_ERR_FOLD : HTTP_ERR_SYNTAX;
				goto fail;
			}
			i++;
			break;
		case HS_TRAILER_BOL_CR:
			if (c != '\n') {
				rc = HTTP_ERR_SYNTAX;
				goto fail;
			}
			r->state = HS_DONE;
			i++;
			break;
		case HS_TRAILER_NAME:
			if (c == ':')
				r->state = HS_TRAILER_VALUE;
			else if (!is_tchar(c)) {
				rc = HTTP_ERR_SYNTAX;
				goto fail;
			}
			i++;
			break;
		case HS_TRAILER_VALUE:
			if (c == '\r')
				r->state = HS_TRAILER_CR;
			else if (c == '\n')
				r->state = HS_TRAILER_BOL;
			else if (!is_field_char(c)) {
				rc = HTTP_ERR_SYNTAX;
				goto fail;
			}
			i++;
			break;
		case HS_TRAILER_CR:
			if (c != '\n') {
				rc = HTTP_ERR_SYNTAX;
				goto fail;
			}
			r->state = HS_TRAILER_BOL;
			i++;
			break;
		default:
			rc = HTTP_ERR_SYNTAX;   /* unreachable */
			goto fail;
		}
	}
	*used = i;
	return r->state == HS_DONE ? HTTP_DONE : HTTP_NEED_MORE;
fail:
	r->state = HS_FAILED;
	r->err = rc;
	*used = i;
	return rc;
}

int
http_eof(struct http_response *r)
{
	switch (r->state) {
	case HS_DONE:
		return HTTP_DONE;
	case HS_FAILED:
		return r->err;
	case HS_BODY_CLOSE:
		r->state = HS_DONE;
		return HTTP_DONE;
	default:
		r->state = HS_FAILED;
		r->err = HTTP_ERR_TRUNCATED;
		return HTTP_ERR_TRUNCATED;
	}
}

const char *
http_header(const struct http_response *r, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (eq_nocase(r->headers[i].name, r->headers[i].namelen, name)) {
			if (len != NULL)
				*len = r->headers[i].valuelen;
			return r->headers[i].value;
		}
	return NULL;
}

int
http_header_has_token(const struct http_response *r, const char *name,
    const char *tok)
{
	const struct http_header *h;
	const char *e;
	size_t i, at, n;

	for (i = 0; i < r->nheaders; i++) {
		h = &r->headers[i];
		if (!eq_nocase(h->name, h->namelen, name))
			continue;
		for (at = 0; list_next(h->value, h->valuelen, &at, &e, &n); )
			if (n > 0 && eq_nocase(e, n, tok))
				return 1;
	}
	return 0;
}

/* s is non-empty and every byte is visible ASCII (0x21..0x7e). */
static int
visible_ascii(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* extra is "" or whole CRLF-terminated lines that cannot end the head
   early, fold or smuggle a bare CR or LF. */
static int
extra_ok(const char *s)
{
	const char *bol = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r') {
			if (s[1] != '\n' || s == bol)
				return 0;
			s++;
			bol = s + 1;
		} else if (s == bol && is_ows(c)) {
			return 0;
		} else if (!is_field_char(c)) {
			return 0;   /* a bare LF or another control */
		}
	}
	return s == bol;
}

/* Append n bytes of src at dst[*o], cap checked by the caller. */
static void
put(char *dst, size_t *o, const char *src, size_t n)
{
	memcpy(dst + *o, src, n);
	*o += n;
}

size_t
http_request(char *dst, size_t cap, const char *method, const char *target,
    const char *host, const char *extra, const char *body, size_t bodylen)
{
	char num[24];
	size_t need, nlen = 0, o = 0, i;
	size_t ml, tl, hl, el, v;

	if (cap > 0)
		dst[0] = '\0';
	if (*method == '\0' || !visible_ascii(target) || !visible_ascii(host) ||
	    !extra_ok(extra))
		return 0;
	for (i = 0; method[i]; i++)
		if (!is_tchar((unsigned char)method[i]))
			return 0;
	ml = strlen(method);
	tl = strlen(target);
	hl = strlen(host);
	el = strlen(extra);
	/* the decimal digits of bodylen, reversed */
	v = bodylen;
	do {
		num[nlen++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	/* "M T HTTP/1.1\r\n" "Host: H\r\n" extra "\r\n" + NUL. The four
	   strings are in memory, so their sum cannot overflow; each is below
	   cap, so adding the constants cannot either. */
	need = ml + tl + hl + el;
	if (ml >= cap || tl >= cap || hl >= cap || el >= cap || need >= cap)
		return 0;
	need += sizeof(" HTTP/1.1\r\n") - 1 + 1 + sizeof("Host: \r\n") - 1 +
	    2 + 1;
	if (body != NULL) {
		need += sizeof("Content-Length: \r\n") - 1 + nlen;
		if (bodylen >= cap || need >= cap || bodylen > cap - need)
			return 0;
		need += bodylen;
	}
	if (need > cap)
		return 0;
	put(dst, &o, method, ml);
	put(dst, &o, " ", 1);
	put(dst, &o, target, tl);
	put(dst, &o, " HTTP/1.1\r\nHost: ", sizeof(" HTTP/1.1\r\nHost: ") - 1);
	put(dst, &o, host, hl);
	put(dst, &o, "\r\n", 2);
	put(dst, &o, extra, el);
	if (body != NULL) {
		put(dst, &o, "Content-Length: ", sizeof("Content-Length: ") - 1);
		while (nlen > 0)
			dst[o++] = num[--nlen];
		put(dst, &o, "\r\n", 2);
	}
	put(dst, &o, "\r\n", 2);
	if (body != NULL && bodylen > 0)
		put(dst, &o, body, bodylen);
	dst[o] = '\0';
	return o;
}

const char *
http_strerror(int err)
{
	switch (err) {
	case HTTP_NEED_MORE:
		return "incomplete response";
	case HTTP_DONE:
		return "complete response";
	case HTTP_ERR_SYNTAX:
		return "malformed HTTP response";
	case HTTP_ERR_VERSION:
		return "not an HTTP/1.x response";
	case HTTP_ERR_FOLD:
		return "folded header line (obs-fold) in HTTP response";
	case HTTP_ERR_HEAD_TOO_LARGE:
		return "HTTP header block or trailer section too large";
	case HTTP_ERR_TOO_MANY_HEADERS:
		return "too many HTTP header fields";
	case HTTP_ERR_CONTENT_LENGTH:
		return "bad or conflicting Content-Length";
	case HTTP_ERR_TRANSFER_ENCODING:
		return "unsupported Transfer-Encoding";
	case HTTP_ERR_CHUNK:
		return "bad chunked encoding";
	case HTTP_ERR_BODY_TOO_LARGE:
		return "HTTP response body too large";
	case HTTP_ERR_INTERIM:
		return "too many interim (1xx) HTTP responses";
	case HTTP_ERR_TRUNCATED:
		return "connection closed before the HTTP response was complete";
	default:
		return "unknown HTTP error";
	}
}
