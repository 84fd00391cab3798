/*
 * http.h - the client side of HTTP/1.1 (RFC 9110, RFC 9112): a response
 * parser fed in pieces and a request writer.
 *
 * No I/O, no allocation: the caller owns the buffer for the header block
 * and the buffer for the body; header names and values point into the
 * first, the decoded body lies in the second.
 *
 * Line endings: CRLF, and, as RFC 9112 section 2.2 allows a recipient, a
 * bare LF (the CR before it is optional) in the status line, the header
 * block, chunk-size lines, after chunk data and in trailers. A CR that is
 * not followed by LF is an error.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEAD      16384  /* status line + header block, bytes */
#define HTTP_MAX_HEADERS   64     /* header fields in one response */
#define HTTP_MAX_CHUNK_LINE 4096  /* chunk-size line, extensions included */
#define HTTP_MAX_TRAILER   8192   /* trailer section, bytes (skipped) */
#define HTTP_MAX_INTERIM   8      /* 1xx responses skipped before the final */

enum {
	HTTP_NEED_MORE = 0,
	HTTP_DONE = 1,
	HTTP_ERR_SYNTAX = -1,           /* malformed status line or field */
	HTTP_ERR_VERSION = -2,          /* not an HTTP/1.x response */
	HTTP_ERR_FOLD = -3,             /* obs-fold (continuation line) */
	HTTP_ERR_HEAD_TOO_LARGE = -4,   /* header block over the limit */
	HTTP_ERR_TOO_MANY_HEADERS = -5, /* over HTTP_MAX_HEADERS fields */
	HTTP_ERR_CONTENT_LENGTH = -6,   /* bad, conflicting or with T-E */
	HTTP_ERR_TRANSFER_ENCODING = -7,/* a coding other than chunked */
	HTTP_ERR_CHUNK = -8,            /* bad chunk size or chunk framing */
	HTTP_ERR_BODY_TOO_LARGE = -9,   /* body longer than the buffer */
	HTTP_ERR_INTERIM = -10,         /* over HTTP_MAX_INTERIM 1xx */
	HTTP_ERR_TRUNCATED = -11        /* connection closed mid-message */
};

struct http_header {
	const char *name;
	size_t      namelen;
	const char *value;          /* OWS trimmed; not NUL-terminated */
	size_t      valuelen;
};

/*
 * A response being parsed. Set up with http_response_init; the fields
 * above the line are the results, valid once http_feed has returned
 * HTTP_DONE (status and headers already once the header block is
 * complete). The fields below are the parser's.
 */
struct http_response {
	int                status;      /* 100..999 */
	int                minor;       /* HTTP/1.minor */
	const char        *reason;      /* reason phrase, may be empty */
	size_t             reasonlen;
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t             nheaders;
	char              *body;        /* the decoded body, in the caller's */
	size_t             bodylen;     /* buffer */
	/* ---- parser state ---- */
	char              *head;        /* the caller's header buffer */
	size_t             headcap;     /* min(its size, HTTP_MAX_HEAD) */
	size_t             headlen;     /* bytes of the head so far */
	size_t             bodycap;
	int                headers_only;
	int                state;       /* enum http_state in http.c */
	int                framing;     /* enum http_framing in http.c */
	int                err;         /* the error, once failed */
	uint64_t           remaining;   /* of the body or of a chunk */
	size_t             linelen;     /* chunk-size line or trailer bytes */
	unsigned           ninterim;    /* 1xx responses skipped */
};

/*
 * http_response_init: prepare r for a response. head (headcap bytes) is
 * where the parser copies the status line and the header block, so that
 * the header pointers stay valid across pieces; the usable part is at
 * most HTTP_MAX_HEAD bytes. body (bodycap bytes; NULL and 0 when no body
 * is wanted) receives the decoded body. headers_only: stop right after
 * the header block, leaving whatever follows it unread: for a 101
 * upgrade, an answer to CONNECT or to HEAD. Without it, responses with
 * status 1xx other than 101 are interim (RFC 9110 15.2): they are
 * skipped and the parser reads the next response; 101, 204 and 304
 * have no body (RFC 9112 6.3). Both buffers must outlive r's use.
 */
void http_response_init(struct http_response *r, char *head, size_t headcap,
    char *body, size_t bodycap, int headers_only);

/*
 * http_feed: parse the next in[0..len) bytes of the response; any split
 * of the input gives the same result. *used is set to the bytes
 * consumed: all of len while more is needed, up to the end of the
 * message (or of the header block in headers_only mode) when done; the
 * bytes after it are the caller's. On error, the bytes before the one at
 * which the fault was found (the whole head when the head is at fault):
 * for diagnostics. Returns HTTP_NEED_MORE, HTTP_DONE or
 * an HTTP_ERR_* code; once done or failed, r keeps returning that,
 * consuming nothing. The message framing follows RFC 9112 6.3:
 * Transfer-Encoding: chunked, else Content-Length, else until close (see
 * http_eof). A body that cannot fit in the body buffer fails with
 * HTTP_ERR_BODY_TOO_LARGE as soon as its length is known.
 */
int http_feed(struct http_response *r, const char *in, size_t len,
    size_t *used);

/*
 * http_eof: tell r that the peer closed the connection. Returns
 * HTTP_DONE when the message was complete or its body runs until close
 * (RFC 9112 6.3 rule 8), the error r failed with if it did, else
 * HTTP_ERR_TRUNCATED.
 */
int http_eof(struct http_response *r);

/*
 * http_header: the value of the first header field called name
 * (compared case-insensitively, RFC 9110 5.1), with its length in *len
 * (may be NULL); the value points into the head buffer and is not
 * NUL-terminated. NULL when there is no such field.
 */
const char *http_header(const struct http_response *r, const char *name,
    size_t *len);

/*
 * http_header_has_token: 1 when the comma-separated list formed by every
 * field called name (RFC 9110 5.3, 5.6.1) has an element equal to tok,
 * case-insensitively (e.g. Connection: keep-alive, Upgrade), else 0.
 */
int http_header_has_token(const struct http_response *r, const char *name,
    const char *tok);

/*
 * http_request: write to dst (cap bytes) the request
 *   METHOD SP target SP "HTTP/1.1" CRLF "Host: " host CRLF
 *   extra  "Content-Length: " bodylen CRLF (only when body != NULL)
 *   CRLF body
 * and a NUL after it (not counted). extra is "" or whole header lines,
 * each ending in CRLF. Returns the bytes written without the NUL, or 0
 * when cap is too small (it needs the length + 1), or when the request
 * would not be what was asked for: method not a token (RFC 9110 9.1),
 * target or host empty or holding a space, a control character or a
 * byte over 0x7e, extra holding anything but whole, non-empty,
 * CRLF-terminated lines of visible characters, spaces and tabs, or
 * starting with a space or a tab (obs-fold). So no header or request
 * can be injected through the arguments.
 */
size_t http_request(char *dst, size_t cap, const char *method,
    const char *target, const char *host, const char *extra,
    const char *body, size_t bodylen);

/* http_strerror: a short English description of an HTTP_ERR_* code. */
const char *http_strerror(int err);

#endif
