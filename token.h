/*
 * token.h - the access token: the request to the token endpoint
 * (Server-to-Server OAuth, RFC 6749 4.4 as Zoom runs it), the answer's
 * reading and status policy (a pure function), and the fetch itself.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "ca.h"
#include "config.h"
#include "dial.h"
#include "tls.h"

#define TOKEN_MAX             4096      /* access token bytes */
#define TOKEN_BODY_MAX        65536     /* the answer's body */
#define TOKEN_RETRY_AFTER_MAX 3600      /* s: longest Retry-After honoured */

struct token {
	char      value[TOKEN_MAX];
	size_t    len;              /* 0: none */
	int64_t   expires;          /* net_now_ms to fetch another at */
	int       fresh;            /* fetched for the attempt under way */
	long long lifetime;         /* expires_in, seconds */
	char      scopes[320];      /* as the endpoint listed them */
};

enum token_result {
	TOKEN_OK,
	TOKEN_RETRY,            /* try again later (with backoff) */
	TOKEN_REJECTED,         /* 400/401/403: the credentials (exit 77) */
	TOKEN_CONFIG,           /* 404/405: not a token endpoint (exit 78) */
	TOKEN_STOP,             /* a stop */
	TOKEN_RESOURCE          /* out of descriptors or processes */
};

/*
 * token_request: the POST to c's token endpoint into dst (cap bytes):
 * Authorization: Basic base64(client_id:secret), the grant in an
 * application/x-www-form-urlencoded body (account_credentials with the
 * account id, else client_credentials). Returns its length, 0 when it
 * does not fit. dst holds the secret: the caller wipes it.
 */
size_t token_request(char *dst, size_t cap, const struct config *c);

/*
 * token_parse: the token endpoint's answer (status, body[0..len), the
 * Retry-After header value ra[0..ralen), NULL when none) into t at time
 * now. 200 with an access_token: TOKEN_OK, t filled, refetched a tenth
 * of its lifetime (at most a minute) before it ends; 400, 401, 403:
 * TOKEN_REJECTED; 404, 405: TOKEN_CONFIG; anything else TOKEN_RETRY,
 * with *retry_after_ms from Retry-After in seconds (at most
 * TOKEN_RETRY_AFTER_MAX), else 0. detail gets a one-line account of
 * what was wrong (with a redacted preview of the body). No I/O.
 */
enum token_result token_parse(int status, const char *body, size_t len,
    const char *ra, size_t ralen, int64_t now, struct token *t,
    int64_t *retry_after_ms, char *detail, size_t detaillen);

/*
 * token_fetch: connect to the token endpoint on conn, send the request,
 * read and parse the answer into t. With early not NULL, the WebSocket
 * endpoint's connection is opened on ws meanwhile (dial_early_open) and
 * its handshake moved by this fetch's waits. Returns as token_parse, or
 * TOKEN_RETRY / TOKEN_STOP / TOKEN_RESOURCE for a network failure, with
 * detail saying what failed.
 */
enum token_result token_fetch(struct token *t, const struct config *c,
    const struct ca_anchors *a, struct tls *conn, struct dial_early *early,
    struct tls *ws, int64_t *retry_after_ms, char *detail, size_t detaillen);

/*
 * token_hint: what to check when the token endpoint refused the
 * credentials, naming where the secret came from (ZOOM_CLIENT_SECRET or
 * ZOOM_CLIENT_SECRET_FILE and its path), into buf.
 */
void token_hint(char *buf, size_t cap, const struct config *c);

/* token_forget: wipe t; the next attempt fetches another. */
void token_forget(struct token *t);

#endif
