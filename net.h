/*
 * net.h - sockets and TLS for zoomws: connect with a deadline, trust
 * anchors from PEM, and a BearSSL client engine driven from a poll()
 * loop. With zoomws.c and proxy.c, the only code that touches a
 * descriptor.
 *
 * Every wait takes a deadline (net_now_ms() time) and a wakefd, the read
 * end of zoomws's signal self-pipe: when it becomes readable the wait
 * ends with NET_ERR_INTR, so a signal interrupts anything promptly.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

enum {
	NET_OK = 0,
	NET_ERR_DNS = -1,       /* the name does not resolve */
	NET_ERR_CONNECT = -2,   /* every address refused or unreachable */
	NET_ERR_TIMEOUT = -3,   /* the deadline passed */
	NET_ERR_INTR = -4,      /* wakefd became readable */
	NET_ERR_CLOSED = -5,    /* the peer closed (close_notify or EOF) */
	NET_ERR_TLS = -6,       /* the engine failed: see net_tls_error */
	NET_ERR_IO = -7,        /* a socket error: errno says which */
	NET_ERR_CONFIG = -8     /* bad CA bundle, or TLS set-up refused */
};

#define NET_MAX_PEM      (4u << 20)   /* largest CA bundle read */
#define NET_MAX_ANCHORS  1024         /* trust anchors kept */
#define NET_MAX_DN       1024         /* subject DN bytes kept of a cert */

/* net_now_ms: CLOCK_MONOTONIC in milliseconds; wall-clock jumps do not
   move it. */
int64_t net_now_ms(void);

/*
 * net_random: len bytes from an HMAC-DRBG (SHA-256) seeded once from the
 * system (br_prng_seeder_system), for WebSocket masks, nonces and jitter.
 * Aborts if the system offers no seed: masks must not be predictable.
 */
void net_random(void *buf, size_t len);

/*
 * net_connect: resolve host (IPv6 and IPv4) and try each address in turn
 * with a non-blocking connect, until one accepts or the deadline passes.
 * Returns a connected socket (non-blocking, close-on-exec, TCP_NODELAY)
 * or a NET_ERR_* with a message in err naming host, port and the last
 * address tried.
 */
int net_connect(const char *host, const char *port, int64_t deadline_ms,
    int wakefd, char *err, size_t errlen);

/*
 * Trust anchors. Allocated at start-up (the only allocation of this
 * module); released with net_anchors_free.
 */
struct net_anchors {
	br_x509_trust_anchor *ta;
	size_t                n;
	size_t                cap;
};

/*
 * net_anchors_from_pem: every CERTIFICATE object of the PEM text
 * pem[0..len) added to a as a trust anchor (RSA or EC key; the CA flag
 * as the certificate's Basic Constraints say). Other PEM objects are
 * skipped. Returns the number of anchors added (>= 0) or NET_ERR_CONFIG
 * with a message in err (bad PEM, undecodable certificate, limits).
 */
int net_anchors_from_pem(struct net_anchors *a, const char *pem, size_t len,
    char *err, size_t errlen);

/* net_anchors_from_file: the same for a file (at most NET_MAX_PEM). */
int net_anchors_from_file(struct net_anchors *a, const char *path,
    char *err, size_t errlen);

/*
 * net_anchors_load: the contract's order: ca_file when not NULL (an
 * explicit choice: unreadable or empty is an error), else the first
 * readable system bundle (/etc/ssl/certs/ca-certificates.crt and the
 * other usual paths), else the anchors built into the binary (make
 * CA_BUNDLE=file.pem). source receives the path used or "built-in".
 * Returns the anchor count (> 0) or NET_ERR_CONFIG with err set.
 */
int net_anchors_load(struct net_anchors *a, const char *ca_file,
    char *source, size_t srclen, char *err, size_t errlen);

void net_anchors_free(struct net_anchors *a);

/*
 * The X.509 engine zoomws gives BearSSL: the minimal (verifying) engine,
 * wrapped so that the server's own certificate is also decoded for
 * reports (subject, expiry). Verification is never skipped.
 */
#define NET_MAX_EE_CERT  16384        /* server certificate kept for IP SAN */

struct net_x509 {
	const br_x509_class    *vtable;
	br_x509_minimal_context minimal;
	br_x509_decoder_context decoder;    /* of the first certificate */
	unsigned                ncerts;
	unsigned char           dn[NET_MAX_DN];
	size_t                  dnlen;
	/* An IP-literal host is matched against the certificate's
	   iPAddress names (RFC 5280 4.2.1.6), which BearSSL does not do. */
	unsigned char           ip[16];
	size_t                  iplen;      /* 4, 16, or 0 for a DNS name */
	unsigned char           ee[NET_MAX_EE_CERT];
	size_t                  eelen;
	int                     eetrunc;
};

/*
 * A TLS 1.2 client connection over a non-blocking socket. Everything is
 * inside the struct (the engine's full-duplex buffer too): no allocation.
 * The session of the last successful handshake is kept and offered
 * again by the next net_tls_start to the same host (resumption).
 */
struct net_tls {
	br_ssl_client_context      sc;
	struct net_x509            x509;
	unsigned char              iobuf[BR_SSL_BUFSIZE_BIDI];
	int                        fd;
	int                        io_errno;    /* of the last NET_ERR_IO */
	int                        eof;
	char                       host[256];
	br_ssl_session_parameters  session;     /* the last one, for host */
	int                        have_session;
	int                        offered;     /* session offered this time */
	int                        resumed;
	int                        done;        /* handshake completed */
};

/*
 * net_tls_start: set up t on the connected socket fd for host (SNI and
 * the name checked against the certificate), resuming the previous
 * session with that host if there is one. t takes fd: net_tls_close
 * closes it. Returns NET_OK or NET_ERR_CONFIG.
 */
int net_tls_start(struct net_tls *t, int fd, const char *host,
    const struct net_anchors *a);

/* net_tls_events: the poll events the engine needs on t->fd now
   (POLLIN and/or POLLOUT); 0 when it needs none (closed, or holding
   application data the caller has not taken). */
short net_tls_events(const struct net_tls *t);

/* net_tls_closed: 1 once the connection is over (closed engine, EOF or
   no socket). */
int net_tls_closed(const struct net_tls *t);

/*
 * net_tls_pump: move bytes between the socket and the engine as far as
 * possible without blocking. Harmless to call at any time. Returns
 * NET_OK, NET_ERR_CLOSED when the connection ended cleanly, NET_ERR_TLS
 * when the engine failed, NET_ERR_IO on a socket error.
 */
int net_tls_pump(struct net_tls *t, short revents);

/* Application data, in place in the engine's buffer (BearSSL's
   recvapp/sendapp). A NULL return means none / no room now. */
unsigned char *net_tls_recv_buf(struct net_tls *t, size_t *len);
void net_tls_recv_ack(struct net_tls *t, size_t n);
unsigned char *net_tls_send_buf(struct net_tls *t, size_t *len);
void net_tls_send_ack(struct net_tls *t, size_t n);
void net_tls_flush(struct net_tls *t);

/* net_tls_handshake: drive t until the handshake completes. NET_OK or a
   NET_ERR_*. */
int net_tls_handshake(struct net_tls *t, int64_t deadline_ms, int wakefd);

/* net_tls_write_all: queue buf and drive t until it is all on the wire.
   NET_OK or a NET_ERR_*. */
int net_tls_write_all(struct net_tls *t, const void *buf, size_t len,
    int64_t deadline_ms, int wakefd);

/* net_tls_close: send close_notify if the engine can, best effort and
   without blocking, then close the socket. */
void net_tls_close(struct net_tls *t);

/*
 * net_tls_error: a one-line cause of the engine's failure as an
 * operator needs it (unknown CA, name mismatch, expired or not yet valid
 * with today's date, an alert from the peer...). Returns buf.
 */
const char *net_tls_error(const struct net_tls *t, char *buf, size_t cap);

/* net_tls_describe: "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256". */
void net_tls_describe(const struct net_tls *t, char *buf, size_t cap);

/* net_tls_resumed: 1 when the last handshake resumed a session. */
int net_tls_resumed(const struct net_tls *t);

/* net_tls_peer_summary: "certificate CN=ws.zoom.us, expires 2027-01-31"
   for the server's own certificate of the last handshake. */
void net_tls_peer_summary(const struct net_tls *t, char *buf, size_t cap);

#endif
