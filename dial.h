/*
 * dial.h - reaching an endpoint of zoomws's: through the configured
 * proxy (HTTP CONNECT), TCP, then TLS; one HTTP exchange over it; and
 * the WebSocket endpoint's connection opened early, while the token is
 * fetched.
 *
 * Errors are values: a DIAL_ERR_* that says what kind of failure it was
 * (--check picks its hint from it) and a one-line detail in the
 * caller's buffer naming the peer. Nothing here logs but at debug.
 */
#ifndef DIAL_H
#define DIAL_H

#include <stddef.h>
#include <stdint.h>

#include "ca.h"
#include "config.h"
#include "http.h"
#include "tls.h"
#include "url.h"

enum {
	DIAL_OK = 0,
	DIAL_ERR_DNS = -1,          /* a name does not resolve */
	DIAL_ERR_CONNECT = -2,      /* refused or unreachable */
	DIAL_ERR_TIMEOUT = -3,      /* the deadline passed */
	DIAL_ERR_STOP = -4,         /* a stop (signal, output gone) */
	DIAL_ERR_PROXY = -5,        /* the proxy refused or broke the tunnel */
	DIAL_ERR_PROXY_AUTH = -6,   /* the proxy wants other credentials */
	DIAL_ERR_UNTRUSTED = -7,    /* the certificate chain is not trusted */
	DIAL_ERR_EXPIRED = -8,      /* a certificate outside its dates */
	DIAL_ERR_NAME = -9,         /* the certificate is for another name */
	DIAL_ERR_TLS = -10,         /* another TLS failure */
	DIAL_ERR_IO = -11,          /* a socket error, or the peer closed */
	DIAL_ERR_HTTP = -12,        /* the answer is not HTTP, or too large */
	DIAL_ERR_RESOURCE = -13,    /* out of descriptors or processes */
	DIAL_ERR_SETUP = -14        /* the request does not fit, TLS set-up */
};

/* The early connection: the WebSocket endpoint's TCP connect gets this
   long, as the token request waits for it; a connection older than
   DIAL_EARLY_MS when the token is there is not used. */
#define DIAL_EARLY_CONNECT_MS 2000
#define DIAL_EARLY_MS         5000

/* The I/O deadline of each step (connect, handshake, exchange): the
   idle timeout, at least a second and at most DIAL_IO_MAX_MS. */
#define DIAL_IO_MAX_MS        30000
int64_t dial_deadline(const struct config *c);

/*
 * dial_start: connect t to u (through the proxy config_proxy_for names)
 * and set up TLS on it, sending nothing yet. Returns DIAL_OK, or a
 * DIAL_ERR_* with err saying why, naming the peer (or the proxy).
 */
int dial_start(struct tls *t, const struct config *c, const struct url *u,
    const struct ca_anchors *a, int64_t deadline, char *err, size_t errlen);

/*
 * dial_finish: complete the handshake dial_start began, moving side's
 * handshake too while waiting (NULL: none). On failure t is closed.
 * Returns DIAL_OK or a DIAL_ERR_* with err ("TLS handshake: ...").
 */
int dial_finish(struct tls *t, const struct url *u, int64_t deadline,
    struct tls *side, char *err, size_t errlen);

/* dial_open: dial_start, then dial_finish without a side connection. */
int dial_open(struct tls *t, const struct config *c, const struct url *u,
    const struct ca_anchors *a, int64_t deadline, char *err, size_t errlen);

/*
 * dial_exchange: send req[0..len) on t and parse the answer into r,
 * reading in place from the engine; bytes after the answer stay in the
 * engine (the WebSocket's first frames). Returns DIAL_OK when r is
 * complete, else a DIAL_ERR_* with err.
 */
int dial_exchange(struct tls *t, const char *req, size_t len,
    struct http_response *r, int64_t deadline, struct tls *side, char *err,
    size_t errlen);

/*
 * The early connection: dial_early_open starts the WebSocket endpoint's
 * connection (TCP within DIAL_EARLY_CONNECT_MS, its ClientHello sent) on
 * t and notes when; a failure only means no early connection. The token
 * fetch's waits move its handshake (as their side connection).
 * dial_early_take: whether the early connection is there and usable for
 * the session (not failed, closed or older than DIAL_EARLY_MS); one that
 * is not is closed. dial_early_drop: close it unless it is wanted.
 */
struct dial_early {
	struct tls *t;
	int64_t     opened;         /* net_now_ms, 0: none */
};
void dial_early_open(struct dial_early *e, struct tls *t,
    const struct config *c, const struct ca_anchors *a, int64_t deadline);
int dial_early_take(struct dial_early *e);
void dial_early_drop(struct dial_early *e);

/* dial_host_header: u's Host header value, host[:port] (RFC 9110 7.2). */
void dial_host_header(char *dst, size_t cap, const struct url *u);

#endif
