/*
 * tls.h - a TLS 1.2 client connection for zoomws: BearSSL's engine over
 * a non-blocking socket, pumped from a poll() loop, with the X.509
 * engine wrapped so that the server's certificate is also read for
 * reports and IP-address hosts. The engine owns no socket: tls_pump
 * moves its record bytes to and from the descriptor (sendrec/recvrec),
 * the caller takes application bytes in place (recvapp/sendapp).
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "ca.h"
#include "net.h"
#include "x509.h"

#define TLS_MAX_DN       1024         /* subject DN bytes kept for reports */
#define TLS_MAX_HOST     255          /* RFC 1035 2.3.4: a name's length */

/*
 * The X.509 engine zoomws gives BearSSL: the minimal (verifying) engine,
 * wrapped so that the server's own certificate is also decoded for
 * reports (subject, validity) and, for a host given as an IP address,
 * matched against the certificate's iPAddress names (RFC 6125 6.2.1,
 * RFC 5280 4.2.1.6), which BearSSL does not do. Verification is never
 * skipped.
 */
struct tls_x509 {
	const br_x509_class    *vtable;
	br_x509_minimal_context minimal;
	unsigned                ncerts;
	unsigned char           dn[TLS_MAX_DN];
	size_t                  dnlen;
	unsigned char           ip[16];
	size_t                  iplen;      /* 4, 16, or 0 for a DNS name */
	unsigned char           ee[X509_MAX_CERT];   /* the server's cert */
	size_t                  eelen;
	int                     eetrunc;
	int                     ee_ok;      /* decoded: the dates are known */
	uint32_t                notbefore_days, notafter_days;  /* since
	                                       0000-01-01, as BearSSL counts */
};

/*
 * A TLS 1.2 client connection over a non-blocking socket. Everything is
 * inside the struct (the engine's full-duplex buffer too): no
 * allocation. Zero it before its first tls_start, then reuse it:
 * the session of the last successful handshake is kept across
 * tls_close and offered again by the next tls_start to the same
 * host (resumption, RFC 5246 7.3).
 */
struct tls {
	br_ssl_client_context      sc;
	struct tls_x509            x509;
	unsigned char              iobuf[BR_SSL_BUFSIZE_BIDI];
	int                        fd;          /* -1 once closed */
	int                        open;        /* started, not yet closed */
	int                        io_errno;    /* of the last NET_ERR_IO */
	int                        eof;         /* the peer closed TCP */
	char                       host[TLS_MAX_HOST + 1];
	br_ssl_session_parameters  session;     /* the last one, for host */
	int                        have_session;
	int                        offered;     /* session offered this time */
	int                        resumed;
	int                        done;        /* handshake completed */
	int                        bgerr;       /* what ended its handshake
	                                           as a side connection
	                                           (tls_handshake), 0: nothing */
};

/*
 * tls_start: set up t on the connected socket fd for host: SNI (RFC
 * 6066 3: names only, none for an address) and the name or address the
 * certificate must carry; the chain is verified against a, which must
 * outlive the connection. Offers the previous session with host if t
 * has one. Sends nothing yet: the handshake runs as the engine is
 * pumped. On success t owns fd (tls_close closes it); on failure
 * the caller still does. A previous connection on t must have been
 * closed. Returns NET_OK or NET_ERR_CONFIG (host too long or empty, no
 * anchors, engine refused).
 */
int tls_start(struct tls *t, int fd, const char *host,
    const struct ca_anchors *a);

/* tls_events: the poll events the engine needs on t->fd now
   (POLLIN and/or POLLOUT); 0 when it needs none (closed, or holding
   received application data the caller has not taken). */
short tls_events(const struct tls *t);

/* tls_closed: 1 once the connection is over (closed engine, EOF or
   no socket), else 0. */
int tls_closed(const struct tls *t);

/*
 * tls_pump: move bytes between the socket and the engine as far as
 * possible without blocking (records read into recvrec, sendrec written
 * out). revents is informational: the socket calls say what is ready,
 * so calling it at any time is harmless. Returns NET_OK, NET_ERR_CLOSED
 * when the connection ended cleanly (close_notify or EOF), NET_ERR_TLS
 * when the engine failed, NET_ERR_IO on a socket error; tls_error
 * says why. Application data decrypted before a close stays readable.
 */
int tls_pump(struct tls *t, short revents);

/* tls_kick: one non-blocking send of what the engine holds for the
   socket (after tls_start: the ClientHello), reading nothing; what
   does not go now goes with the next pump. */
void tls_kick(struct tls *t);

/* tls_handshake_done: 1 once the handshake has completed and
   application data can flow, else 0. */
int tls_handshake_done(const struct tls *t);

/*
 * Application data, in place in the engine's buffer (BearSSL's
 * recvapp/sendapp): tls_recv_buf returns the received bytes
 * (*len of them) and tls_recv_ack(n) consumes n of them;
 * tls_send_buf returns room for *len bytes to send and
 * tls_send_ack(n) commits n, which leave once a record is full or
 * tls_flush is called. A NULL return means none / no room now. The
 * pointers are valid until the next call on t.
 */
unsigned char *tls_recv_buf(struct tls *t, size_t *len);
void tls_recv_ack(struct tls *t, size_t n);
unsigned char *tls_send_buf(struct tls *t, size_t *len);
void tls_send_ack(struct tls *t, size_t n);
void tls_flush(struct tls *t);

/*
 * Blocking helpers for the synchronous steps (token request, WebSocket
 * upgrade): each waits (net_wait: signals and the watched descriptor
 * end it with NET_ERR_INTR) on t->fd until done or the deadline, and
 * returns NET_OK / a count, or NET_ERR_TIMEOUT, NET_ERR_INTR,
 * NET_ERR_CLOSED, NET_ERR_TLS, NET_ERR_IO or NET_ERR_STALLED.
 *
 * side, when not NULL, is another connection whose handshake moves
 * forward while the helper waits on t (zoomws opens the WebSocket
 * endpoint's connection this way while it fetches the token): its
 * socket is watched and pumped until its handshake is done; a failure
 * of side ends that and is kept in side->bgerr (tls_start clears it),
 * never reported by the helper.
 *
 * tls_handshake: until the handshake completes.
 * tls_write_all: until all of buf[0..len) is on the wire.
 * tls_read: until at least one byte of application data is there;
 *   copies up to cap bytes into buf and returns how many (0 if cap is 0);
 *   NET_ERR_CLOSED when the peer closed with nothing left to read.
 * tls_wait_data: until application data is there, in place: *p and the
 *   count (> 0) returned, taken with tls_recv_ack; 0 when the peer
 *   closed with nothing left to read.
 */
int tls_handshake(struct tls *t, int64_t deadline_ms, struct tls *side);
int tls_write_all(struct tls *t, const void *buf, size_t len,
    int64_t deadline_ms, struct tls *side);
long tls_read(struct tls *t, void *buf, size_t cap, int64_t deadline_ms);
long tls_wait_data(struct tls *t, unsigned char **p, int64_t deadline_ms,
    struct tls *side);

/*
 * tls_drain: push what the engine still has to send (a close frame, a
 * close_notify) until the deadline, before the socket is closed. Waits
 * on nothing but t->fd: it ends at the deadline whatever happens.
 */
void tls_drain(struct tls *t, int64_t deadline_ms);

/* tls_close: send close_notify if the engine can, one non-blocking
   attempt, then close the socket. t keeps its session for the next
   tls_start. Harmless on a closed t, or a zeroed one never
   started. */
void tls_close(struct tls *t);

/*
 * tls_error: a one-line cause of the connection's failure as an
 * operator needs it: unknown CA, a name mismatch, expired or not yet
 * valid with today's date, an alert from the server by name, no common
 * cipher suite or version, a socket error with its errno text. Returns
 * buf.
 */
const char *tls_error(const struct tls *t, char *buf, size_t cap);

/* tls_describe: the negotiated version and suite in OpenSSL's
   names, "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256". */
void tls_describe(const struct tls *t, char *buf, size_t cap);

/* tls_resumed: 1 when the last handshake resumed a session. */
int tls_resumed(const struct tls *t);

/* tls_peer_summary: "certificate CN=ws.zoom.us, expires 2027-01-31"
   for the server's own certificate of the last handshake ("?" for a
   part not known). */
void tls_peer_summary(const struct tls *t, char *buf, size_t cap);

#endif
