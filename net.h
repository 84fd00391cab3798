/*
 * net.h - sockets and TLS for zoomws: connect with a deadline, trust
 * anchors from PEM, and a BearSSL client engine driven from a poll()
 * loop. With zoomws.c and proxy.c, the only code that touches a
 * descriptor.
 *
 * Every wait takes a deadline (net_now_ms() time) and a wakefd, the read
 * end of zoomws's signal self-pipe: when it becomes readable the wait
 * ends with NET_ERR_INTR, so a signal interrupts anything promptly. A
 * wakefd of -1 means none.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "b64.h"

enum {
	NET_OK = 0,
	NET_ERR_DNS = -1,       /* the name does not resolve */
	NET_ERR_CONNECT = -2,   /* every address refused or unreachable */
	NET_ERR_TIMEOUT = -3,   /* the deadline passed */
	NET_ERR_INTR = -4,      /* wakefd became readable */
	NET_ERR_CLOSED = -5,    /* the peer closed (close_notify or EOF) */
	NET_ERR_TLS = -6,       /* the engine failed: see net_tls_error */
	NET_ERR_IO = -7,        /* a socket error: see net_tls_error */
	NET_ERR_CONFIG = -8,    /* bad CA bundle, or TLS set-up refused */
	NET_ERR_STALLED = -9    /* the engine waits for the caller to take
	                           received application data first */
};

#define NET_MAX_PEM      (4u << 20)   /* largest CA bundle read */
#define NET_MAX_ANCHORS  1024         /* trust anchors kept */
#define NET_MAX_CERT     16384        /* largest certificate (DER) in a
                                         bundle or sent by the server */
#define NET_MAX_DN       1024         /* subject DN bytes kept for reports */
#define NET_MAX_RSA_BITS 4096         /* BearSSL's RSA limit (BR_MAX_RSA_SIZE,
                                         in its inner.h) */
#define NET_PEM_LINE     160          /* a BEGIN or END line kept whole: a
                                         longer one is text */
#define NET_MAX_HOST     255          /* RFC 1035 2.3.4: a name's length */

/* net_strerror: a short fixed text for a NET_ERR_* code ("timed out"). */
const char *net_strerror(int err);

/* net_now_ms: CLOCK_MONOTONIC in milliseconds; wall-clock jumps do not
   move it. */
int64_t net_now_ms(void);

/*
 * net_random: len bytes from an HMAC-DRBG (SHA-256) seeded once from the
 * system (br_prng_seeder_system), for WebSocket masks, nonces and jitter.
 * Aborts if the system offers no seed: masks must not be predictable.
 * Not thread-safe (zoomws has one thread).
 */
void net_random(void *buf, size_t len);

/*
 * net_addr_str: the numeric form of an IPv4 or IPv6 socket address into
 * buf ("192.0.2.1", "2001:db8::1", "fe80::1%2" with its scope id), "?"
 * for another family. NET_ADDRSTRLEN bytes hold any of them.
 */
#define NET_ADDRSTRLEN   58           /* INET6_ADDRSTRLEN, '%', 10 digits */
struct sockaddr;
void net_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/*
 * net_connect: resolve host (getaddrinfo, AF_UNSPEC: IPv6 and IPv4) and
 * try each address in turn with a non-blocking connect, each getting an
 * equal share of the time left (at least a second when there is that
 * much), until one accepts, the deadline passes or wakefd is readable.
 * The name lookup itself blocks for as long as the system resolver takes.
 * Returns a connected socket (non-blocking, close-on-exec, TCP_NODELAY),
 * owned by the caller, or NET_ERR_DNS, NET_ERR_CONNECT, NET_ERR_TIMEOUT
 * or NET_ERR_INTR with a one-line message in err naming host, port, the
 * last address tried and the system's reason.
 */
int net_connect(const char *host, const char *port, int64_t deadline_ms,
    int wakefd, char *err, size_t errlen);

/*
 * Trust anchors, allocated at start-up (the only allocation of this
 * module: one block per anchor); a zeroed struct is an empty set;
 * released with net_anchors_free. skipped counts the certificates of
 * the bundles read that BearSSL could not use (an Ed25519 or DSA key,
 * an unnamed or unknown curve, an RSA modulus over NET_MAX_RSA_BITS, a
 * version after 3) and the TRUSTED CERTIFICATE objects, whose OpenSSL
 * trust settings BearSSL cannot honour: they are left out, not fatal.
 */
struct net_anchors {
	br_x509_trust_anchor *ta;
	size_t                n;
	size_t                cap;
	size_t                skipped;
};

/*
 * net_anchors_add_der: the X.509 certificate der[0..len) (RFC 5280 4.1,
 * DER) added to a as a trust anchor: its subject Name as the anchor's
 * DN (the encoded SEQUENCE, tag and length included), its RSA or EC
 * (P-256, P-384, P-521) public key, and BR_X509_TA_CA when its Basic
 * Constraints say cA (a non-CA anchor trusts exactly that certificate).
 * Reads only der[0..len); the signature is not checked (an anchor is
 * trusted by being named). Returns 1 when added, 0 when its version or
 * key is one BearSSL cannot use (a->skipped counts it; what follows is
 * then not read), or NET_ERR_CONFIG with a message in err (malformed
 * DER, more than NET_MAX_ANCHORS anchors, out of memory). Allocates.
 */
int net_anchors_add_der(struct net_anchors *a, const void *der, size_t len,
    char *err, size_t errlen);

/*
 * A streaming reader of a PEM bundle (RFC 7468) into anchors, for input
 * that comes in pieces (a file read in blocks); net_anchors_from_pem and
 * _from_file use it. Line by line, a line possibly split over pushes:
 * outside an object every line is text but a BEGIN line; inside a
 * CERTIFICATE (or X509 CERTIFICATE) the lines are base64, decoded as
 * they come, up to the END line; inside another kind of object (a key, a
 * TRUSTED CERTIFICATE) the lines are skipped up to the END line. FAILED
 * is sticky. Carriage returns are ignored, so CRLF files read like LF
 * ones; spaces and tabs within base64 lines too.
 */
enum net_pem_state { NET_PEM_OUTSIDE, NET_PEM_IN_CERT, NET_PEM_IN_OTHER,
    NET_PEM_FAILED };

/* Where the reader is in the current line: at its start (nothing but
   CRs seen), in text skipped to the newline, in a line starting with a
   dash (a BEGIN or END line: kept, up to NET_PEM_LINE bytes), in a
   base64 line of a certificate (decoded byte by byte). */
enum net_pem_line { NET_PEM_LINE_START, NET_PEM_LINE_TEXT,
    NET_PEM_LINE_DASHES, NET_PEM_LINE_BASE64 };

struct net_pem {
	struct net_anchors *a;
	enum net_pem_state  state;
	enum net_pem_line   line;
	int                 rc;         /* error, once FAILED */
	size_t              start;      /* a->n when the bundle began */
	size_t              total;      /* bytes pushed */
	size_t              lineno;     /* of the current line, from 1 */
	size_t              certs;      /* CERTIFICATE objects seen */
	size_t              skipped;
	size_t              linelen;    /* bytes of a dashes line seen */
	char                linebuf[NET_PEM_LINE];
	struct b64_dec      b64;        /* the current certificate's */
	size_t              derlen;
	unsigned char       der[NET_MAX_CERT];
};

/* net_pem_begin: start reading a bundle into a (which may already hold
   anchors: the new ones are added). p is the caller's (some 17 KiB). */
void net_pem_begin(struct net_pem *p, struct net_anchors *a);

/*
 * net_pem_push: the next len bytes of the bundle, split anywhere.
 * Returns NET_OK, or NET_ERR_CONFIG with a message in err (invalid PEM
 * or base64, a certificate that does not decode, more than
 * NET_MAX_ANCHORS anchors or NET_MAX_PEM bytes); after an error, later
 * pushes do nothing and return it again.
 */
int net_pem_push(struct net_pem *p, const void *buf, size_t len, char *err,
    size_t errlen);

/*
 * net_pem_end: the bundle is complete. Returns the number of anchors it
 * added (>= 0), or NET_ERR_CONFIG with err set if it failed or ends
 * inside an object; on failure the anchors it added are removed again,
 * so a bundle is taken whole or not at all. Call it once after
 * net_pem_begin, error or not.
 */
int net_pem_end(struct net_pem *p, char *err, size_t errlen);

/*
 * net_anchors_from_pem: every CERTIFICATE in the PEM text pem[0..len)
 * added to a as a trust anchor (RSA or EC key; the CA flag as the
 * certificate's Basic Constraints say: a non-CA anchor trusts exactly
 * that server certificate). Other PEM objects and text between objects
 * are skipped. Returns the number of anchors added (>= 0), or
 * NET_ERR_CONFIG with a message in err. Allocates (start-up only).
 */
int net_anchors_from_pem(struct net_anchors *a, const char *pem, size_t len,
    char *err, size_t errlen);

/*
 * net_anchors_from_file: the same for the file at path, read in blocks
 * (at most NET_MAX_PEM bytes). A file without a usable certificate is an
 * error here: the caller named it. Returns the count (> 0) or
 * NET_ERR_CONFIG with err naming the path.
 */
int net_anchors_from_file(struct net_anchors *a, const char *path,
    char *err, size_t errlen);

/*
 * net_anchors_load: trust anchors in the contract's order: ca_file when
 * not NULL (--ca-file), else $SSL_CERT_FILE when set and not empty, else
 * the first readable system bundle (/etc/ssl/certs/ca-certificates.crt
 * and the other usual paths), else the anchors compiled in with
 * `make CA_BUNDLE=file.pem` (ZOOMWS_BUILTIN_CA, ca_builtin.h defining
 * the PEM string zoomws_builtin_ca). A file named by the caller or the
 * environment that is unreadable or holds no usable certificate is an
 * error, not a reason to look further. source receives the path used,
 * or "built-in". Returns the anchor count (> 0) or NET_ERR_CONFIG with
 * err set.
 */
int net_anchors_load(struct net_anchors *a, const char *ca_file,
    char *source, size_t srclen, char *err, size_t errlen);

/* net_anchors_free: release every anchor; a is an empty set again. */
void net_anchors_free(struct net_anchors *a);

/*
 * The X.509 engine zoomws gives BearSSL: the minimal (verifying) engine,
 * wrapped so that the server's own certificate is also decoded for
 * reports (subject, validity) and, for a host given as an IP address,
 * matched against the certificate's iPAddress names (RFC 6125 6.2.1,
 * RFC 5280 4.2.1.6), which BearSSL does not do. Verification is never
 * skipped.
 */
struct net_x509 {
	const br_x509_class    *vtable;
	br_x509_minimal_context minimal;
	unsigned                ncerts;
	unsigned char           dn[NET_MAX_DN];
	size_t                  dnlen;
	unsigned char           ip[16];
	size_t                  iplen;      /* 4, 16, or 0 for a DNS name */
	unsigned char           ee[NET_MAX_CERT];   /* the server's cert */
	size_t                  eelen;
	int                     eetrunc;
	int                     ee_ok;      /* decoded: the dates are known */
	uint32_t                notbefore_days, notafter_days;  /* since
	                                       0000-01-01, as BearSSL counts */
};

/*
 * A TLS 1.2 client connection over a non-blocking socket. Everything is
 * inside the struct (the engine's full-duplex buffer too): no
 * allocation. Zero it before its first net_tls_start, then reuse it:
 * the session of the last successful handshake is kept across
 * net_tls_close and offered again by the next net_tls_start to the same
 * host (resumption, RFC 5246 7.3).
 */
struct net_tls {
	br_ssl_client_context      sc;
	struct net_x509            x509;
	unsigned char              iobuf[BR_SSL_BUFSIZE_BIDI];
	int                        fd;          /* -1 once closed */
	int                        open;        /* started, not yet closed */
	int                        io_errno;    /* of the last NET_ERR_IO */
	int                        eof;         /* the peer closed TCP */
	char                       host[NET_MAX_HOST + 1];
	br_ssl_session_parameters  session;     /* the last one, for host */
	int                        have_session;
	int                        offered;     /* session offered this time */
	int                        resumed;
	int                        done;        /* handshake completed */
	int                        bgerr;       /* what ended it in the
	                                           background, 0: nothing */
};

/*
 * net_tls_start: set up t on the connected socket fd for host: SNI (RFC
 * 6066 3: names only, none for an address) and the name or address the
 * certificate must carry; the chain is verified against a, which must
 * outlive the connection. Offers the previous session with host if t
 * has one. Sends nothing yet: the handshake runs as the engine is
 * pumped. On success t owns fd (net_tls_close closes it); on failure
 * the caller still does. A previous connection on t must have been
 * closed. Returns NET_OK or NET_ERR_CONFIG (host too long or empty, no
 * anchors, engine refused).
 */
int net_tls_start(struct net_tls *t, int fd, const char *host,
    const struct net_anchors *a);

/* net_tls_events: the poll events the engine needs on t->fd now
   (POLLIN and/or POLLOUT); 0 when it needs none (closed, or holding
   received application data the caller has not taken). */
short net_tls_events(const struct net_tls *t);

/* net_tls_closed: 1 once the connection is over (closed engine, EOF or
   no socket), else 0. */
int net_tls_closed(const struct net_tls *t);

/*
 * net_tls_pump: move bytes between the socket and the engine as far as
 * possible without blocking (records read into recvrec, sendrec written
 * out). revents is informational: the socket calls say what is ready,
 * so calling it at any time is harmless. Returns NET_OK, NET_ERR_CLOSED
 * when the connection ended cleanly (close_notify or EOF), NET_ERR_TLS
 * when the engine failed, NET_ERR_IO on a socket error; net_tls_error
 * says why. Application data decrypted before a close stays readable.
 */
int net_tls_pump(struct net_tls *t, short revents);

/* net_tls_kick: one non-blocking send of what the engine holds for the
   socket (after net_tls_start: the ClientHello), reading nothing; what
   does not go now goes with the next pump. */
void net_tls_kick(struct net_tls *t);

/* net_tls_handshake_done: 1 once the handshake has completed and
   application data can flow, else 0. */
int net_tls_handshake_done(const struct net_tls *t);

/*
 * Application data, in place in the engine's buffer (BearSSL's
 * recvapp/sendapp): net_tls_recv_buf returns the received bytes
 * (*len of them) and net_tls_recv_ack(n) consumes n of them;
 * net_tls_send_buf returns room for *len bytes to send and
 * net_tls_send_ack(n) commits n, which leave once a record is full or
 * net_tls_flush is called. A NULL return means none / no room now. The
 * pointers are valid until the next call on t.
 */
unsigned char *net_tls_recv_buf(struct net_tls *t, size_t *len);
void net_tls_recv_ack(struct net_tls *t, size_t n);
unsigned char *net_tls_send_buf(struct net_tls *t, size_t *len);
void net_tls_send_ack(struct net_tls *t, size_t n);
void net_tls_flush(struct net_tls *t);

/*
 * Blocking helpers for the synchronous steps (token request, WebSocket
 * upgrade): each polls t->fd and wakefd until done, the deadline or a
 * wake-up, and returns NET_OK / a count, or NET_ERR_TIMEOUT,
 * NET_ERR_INTR, NET_ERR_CLOSED, NET_ERR_TLS, NET_ERR_IO or
 * NET_ERR_STALLED.
 *
 * net_tls_handshake: until the handshake completes.
 * net_tls_write_all: until all of buf[0..len) is on the wire.
 * net_tls_read: until at least one byte of application data is there;
 *   copies up to cap bytes into buf and returns how many (0 if cap is 0);
 *   NET_ERR_CLOSED when the peer closed with nothing left to read.
 */
int net_tls_handshake(struct net_tls *t, int64_t deadline_ms, int wakefd);
int net_tls_write_all(struct net_tls *t, const void *buf, size_t len,
    int64_t deadline_ms, int wakefd);
long net_tls_read(struct net_tls *t, void *buf, size_t cap,
    int64_t deadline_ms, int wakefd);

/*
 * net_tls_background: a connection whose handshake moves forward while
 * the caller waits on another one (NULL: none). Every wait of this
 * module, of proxy.c and of callers using net_poll then also watches
 * t's socket and pumps t until its handshake is done; a failure of t
 * ends that and is kept in t->bgerr (net_tls_start clears it), never
 * reported by the wait itself. Sends what t has ready at once (its
 * ClientHello). zoomws runs the WebSocket endpoint's handshake this way
 * while it fetches the token.
 */
void net_tls_background(struct net_tls *t);

/*
 * net_poll: poll(2) on pfd[0..n), and on the background connection's
 * socket when its handshake waits for it, pumping it when it is ready.
 * Returns what poll does, counting only pfd's entries. n at most
 * NET_POLL_MAX (more: no background then).
 */
#define NET_POLL_MAX 4
struct pollfd;
int net_poll(struct pollfd *pfd, size_t n, int timeout);

/* net_tls_close: send close_notify if the engine can, one non-blocking
   attempt, then close the socket. t keeps its session for the next
   net_tls_start. Harmless on a closed t, or a zeroed one never
   started. */
void net_tls_close(struct net_tls *t);

/*
 * net_tls_error: a one-line cause of the connection's failure as an
 * operator needs it: unknown CA, a name mismatch, expired or not yet
 * valid with today's date, an alert from the server by name, no common
 * cipher suite or version, a socket error with its errno text. Returns
 * buf.
 */
const char *net_tls_error(const struct net_tls *t, char *buf, size_t cap);

/* net_tls_describe: the negotiated version and suite in OpenSSL's
   names, "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256". */
void net_tls_describe(const struct net_tls *t, char *buf, size_t cap);

/* net_tls_resumed: 1 when the last handshake resumed a session. */
int net_tls_resumed(const struct net_tls *t);

/* net_tls_peer_summary: "certificate CN=ws.zoom.us, expires 2027-01-31"
   for the server's own certificate of the last handshake ("?" for a
   part not known). */
void net_tls_peer_summary(const struct net_tls *t, char *buf, size_t cap);

#endif
