/*
 * tls.c - BearSSL's client engine over a non-blocking socket: the
 * profile zoomws offers, the X.509 wrapper, the pump, the blocking
 * helpers of the synchronous steps, and the words an operator needs
 * when a handshake fails.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "net.h"
#include "tls.h"
#include "x509.h"

/*
 * The only cipher suites offered, in order of preference: TLS 1.2,
 * ECDHE (forward secrecy) with an AEAD, for RSA and ECDSA certificates.
 * AES-128-GCM first (fast with AES-NI, and every server has it), then
 * ChaCha20-Poly1305, then AES-256-GCM for servers that insist on it.
 */
static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
};


static struct tls_x509 *
chain_of(const br_x509_class *const *ctx)
{
	return (struct tls_x509 *)(void *)(uintptr_t)ctx;
}

static void
chain_start(const br_x509_class **ctx, const char *server_name)
{
	struct tls_x509 *x = chain_of(ctx);

	x->ncerts = 0;
	x->dnlen = 0;
	x->eelen = 0;
	x->eetrunc = 0;
	x->ee_ok = 0;
	/* For an address, the chain is verified without a name, and the
	   address is checked against the iPAddress names at the end. */
	x->minimal.vtable->start_chain(&x->minimal.vtable,
	    x->iplen ? NULL : server_name);
}

static void
chain_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_x509 *x = chain_of(ctx);

	x->minimal.vtable->start_cert(&x->minimal.vtable, length);
}

static void
chain_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_x509 *x = chain_of(ctx);

	if (x->ncerts == 0) {
		if (len > sizeof(x->ee) - x->eelen)
			x->eetrunc = 1;
		else {
			memcpy(x->ee + x->eelen, buf, len);
			x->eelen += len;
		}
	}
	x->minimal.vtable->append(&x->minimal.vtable, buf, len);
}

static void
chain_end_cert(const br_x509_class **ctx)
{
	struct tls_x509 *x = chain_of(ctx);
	const char *part;
	struct x509_cert c;
	int rc;

	/* The server's own certificate, for reports: its subject and
	   dates, also when its key is one an anchor could not have. */
	if (x->ncerts == 0 && !x->eetrunc) {
		rc = x509_cert_parse(x->ee, x->eelen, &c, &part);
		if (c.dn.p != NULL) {
			x->dnlen = (size_t)(c.dn.end - c.dn.p);
			if (x->dnlen > sizeof(x->dn))
				x->dnlen = sizeof(x->dn);
			memcpy(x->dn, c.dn.p, x->dnlen);
		}
		if (rc != X509_BAD && c.notafter != 0) {
			x->ee_ok = 1;
			x->notbefore_days = c.notbefore;
			x->notafter_days = c.notafter;
		}
	}
	x->ncerts++;
	x->minimal.vtable->end_cert(&x->minimal.vtable);
}

static unsigned
chain_end(const br_x509_class **ctx)
{
	struct tls_x509 *x = chain_of(ctx);
	unsigned err = x->minimal.vtable->end_chain(&x->minimal.vtable);

	if (err == 0 && x->iplen && (x->eetrunc ||
	    !x509_has_ip(x->ee, x->eelen, x->ip, x->iplen)))
		return BR_ERR_X509_BAD_SERVER_NAME;
	return err;
}

static const br_x509_pkey *
chain_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_x509 *x = chain_of(ctx);

	return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
}

static const br_x509_class chain_vtable = {
	sizeof(struct tls_x509),
	chain_start,
	chain_start_cert,
	chain_append,
	chain_end_cert,
	chain_end,
	chain_get_pkey
};

/* ------------------------------------------------------------------ */
/* TLS                                                                */

/*
 * ChaCha20 and Poly1305, one implementation each, chosen at compile time
 * by BearSSL's own rules (inner.h): br_ssl_engine_set_default_chapol()
 * links a portable fallback next to the fast code that never runs where
 * the fast code exists. SSE2 is part of the x86-64 ABI; a compiler with
 * a 128-bit integer gives the 64x64->128 multiply. The fast getters
 * return 0 only for a BearSSL built otherwise: then no connection is
 * made (NET_ERR_CONFIG) rather than one that would fail on that suite.
 */
static br_chacha20_run
chacha20_impl(void)
{
#if defined(__x86_64__)
	return br_chacha20_sse2_get();
#else
	return &br_chacha20_ct_run;
#endif
}

static br_poly1305_run
poly1305_impl(void)
{
#if defined(__SIZEOF_INT128__)
	return br_poly1305_ctmulq_get();
#else
	return &br_poly1305_ctmul_run;
#endif
}

/*
 * ECDHE and ECDSA on the NIST curves: P-256 by its own code, P-384 and
 * P-521 by BearSSL's generic one. X25519 is left out: every TLS 1.2
 * server offers P-256 for ECDHE (the suites above are all ECDHE; RFC
 * 8422 5.1.1), and its code would be 4 KiB of the binary for the same
 * security.
 */
static const br_ec_impl *
ec_for(int curve)
{
	return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
}

static const unsigned char *
ec_generator(int curve, size_t *len)
{
	return ec_for(curve)->generator(curve, len);
}

static const unsigned char *
ec_order(int curve, size_t *len)
{
	return ec_for(curve)->order(curve, len);
}

static size_t
ec_xoff(int curve, size_t *len)
{
	return ec_for(curve)->xoff(curve, len);
}

static uint32_t
ec_mul(unsigned char *g, size_t glen, const unsigned char *x, size_t xlen,
    int curve)
{
	return ec_for(curve)->mul(g, glen, x, xlen, curve);
}

static size_t
ec_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int curve)
{
	return ec_for(curve)->mulgen(r, x, xlen, curve);
}

static uint32_t
ec_muladd(unsigned char *a, const unsigned char *b, size_t len,
    const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
    int curve)
{
	return ec_for(curve)->muladd(a, b, len, x, xlen, y, ylen, curve);
}

static const br_ec_impl ec_nist = {
	(uint32_t)1 << BR_EC_secp256r1 | (uint32_t)1 << BR_EC_secp384r1 |
	    (uint32_t)1 << BR_EC_secp521r1,
	ec_generator, ec_order, ec_xoff, ec_mul, ec_mulgen, ec_muladd
};

/*
 * engine_init: a client engine with only what zoomws offers: TLS 1.2,
 * the suites above, ECDHE on P-256, P-384 and P-521, RSA and ECDSA
 * signatures, SHA-1 to SHA-512 for certificates.
 * Linking no more than this keeps the binary small (BearSSL's "full"
 * profile adds CBC, CCM, 3DES, RSA key exchange and TLS 1.0/1.1).
 * RSA signatures are checked by the i31 code on every target: the
 * default on 64-bit ones, i62, is 2 KiB more for a public-key operation
 * (e = 65537) that takes 0.3 ms either way, a few times a handshake.
 * Returns 0, or -1 when this BearSSL lacks an implementation chosen.
 */
static int
engine_init(struct tls *t, const struct ca_anchors *a)
{
	static const br_hash_class *const hashes[] = {
		&br_sha1_vtable, &br_sha224_vtable, &br_sha256_vtable,
		&br_sha384_vtable, &br_sha512_vtable
	};
	br_ssl_engine_context *eng = &t->sc.eng;
	br_x509_minimal_context *xc = &t->x509.minimal;
	br_chacha20_run chacha = chacha20_impl();
	br_poly1305_run poly = poly1305_impl();
	size_t i;

	br_ssl_client_zero(&t->sc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_ssl_engine_set_ec(eng, &ec_nist);
	br_ssl_engine_set_rsavrfy(eng, &br_rsa_i31_pkcs1_vrfy);
	br_ssl_engine_set_ecdsa(eng, br_ecdsa_vrfy_asn1_get_default());
	br_x509_minimal_init(xc, &br_sha256_vtable, a->ta, a->n);
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		int id = (int)(hashes[i]->desc >> BR_HASHDESC_ID_OFF &
		    BR_HASHDESC_ID_MASK);

		br_ssl_engine_set_hash(eng, id, hashes[i]);
		br_x509_minimal_set_hash(xc, id, hashes[i]);
	}
	br_x509_minimal_set_rsa(xc, &br_rsa_i31_pkcs1_vrfy);
	br_x509_minimal_set_ecdsa(xc, &ec_nist,
	    br_ecdsa_vrfy_asn1_get_default());
	{
		/* The date from our own 64-bit time_t: a glibc-built
		   libbearssl.a (Debian's armhf) would read it through musl's
		   32-bit time() shim, which fails from 2038-01-19. */
		time_t now = time(NULL);

		br_x509_minimal_set_time(xc, (uint32_t)(now / 86400 + 719528),
		    (uint32_t)(now % 86400));
	}
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable,
	    &br_sslrec_out_chapol_vtable);
	br_ssl_engine_set_chacha20(eng, chacha);
	br_ssl_engine_set_poly1305(eng, poly);
	t->x509.vtable = &chain_vtable;
	br_ssl_engine_set_x509(eng, &t->x509.vtable);
	return chacha != 0 && poly != 0 ? 0 : -1;
}

int
tls_start(struct tls *t, int fd, const char *host,
    const struct ca_anchors *a)
{
	size_t hl = strlen(host);
	int resume;

	if (hl == 0 || hl > TLS_MAX_HOST || a == NULL || a->n == 0)
		return NET_ERR_CONFIG;
	resume = t->have_session && strcmp(t->host, host) == 0;
	if (engine_init(t, a) != 0)
		return NET_ERR_CONFIG;
	if (inet_pton(AF_INET, host, t->x509.ip) == 1)
		t->x509.iplen = 4;
	else if (inet_pton(AF_INET6, host, t->x509.ip) == 1)
		t->x509.iplen = 16;
	else
		t->x509.iplen = 0;
	br_ssl_engine_set_buffer(&t->sc.eng, t->iobuf, sizeof(t->iobuf), 1);
	if (resume)
		br_ssl_engine_set_session_parameters(&t->sc.eng, &t->session);
	else
		t->have_session = 0;
	/* RFC 6066 3: SNI carries host names, never a literal address. The
	   engine also seeds its PRNG from the system here. */
	if (!br_ssl_client_reset(&t->sc, t->x509.iplen ? NULL : host, resume))
		return NET_ERR_CONFIG;
	memcpy(t->host, host, hl + 1);
	t->fd = fd;
	t->open = 1;
	t->io_errno = 0;
	t->eof = 0;
	t->offered = resume;
	t->resumed = 0;
	t->done = 0;
	t->bgerr = 0;
	return NET_OK;
}

/* Note the end of the handshake: keep the session, see if it resumed.
   RFC 5246 7.4.1.3: the server echoes the offered session_id when it
   resumes, and sends a new one (or none) when it does not. */
static void
check_done(struct tls *t)
{
	br_ssl_session_parameters p;

	if (t->done || !(br_ssl_engine_current_state(&t->sc.eng) &
	    (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
		return;
	t->done = 1;
	br_ssl_engine_get_session_parameters(&t->sc.eng, &p);
	t->resumed = t->offered && p.session_id_len > 0 &&
	    p.session_id_len == t->session.session_id_len &&
	    memcmp(p.session_id, t->session.session_id, p.session_id_len) == 0;
	t->session = p;
	t->have_session = p.session_id_len > 0;
}

short
tls_events(const struct tls *t)
{
	unsigned st = br_ssl_engine_current_state(&t->sc.eng);
	short ev = 0;

	if ((st & BR_SSL_CLOSED) || t->eof || !t->open)
		return 0;
	if (st & BR_SSL_SENDREC)
		ev |= POLLOUT;
	if (st & BR_SSL_RECVREC)
		ev |= POLLIN;
	return ev;
}

int
tls_closed(const struct tls *t)
{
	return !t->open || t->eof ||
	    (br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_CLOSED) != 0;
}

int
tls_handshake_done(const struct tls *t)
{
	return t->done;
}

/* The engine has closed: a clean close or a failure. A handshake that
   failed forgets the session it offered, lest it be offered forever. */
static int
engine_ended(struct tls *t)
{
	if (br_ssl_engine_last_error(&t->sc.eng) == BR_ERR_OK)
		return NET_ERR_CLOSED;
	if (!t->done)
		t->have_session = 0;
	return NET_ERR_TLS;
}

int
tls_pump(struct tls *t, short revents)
{
	unsigned char *buf;
	unsigned st;
	size_t len;
	ssize_t n;
	int progress;

	(void)revents;
	for (;;) {
		if (!t->open || t->eof)
			return NET_ERR_CLOSED;
		st = br_ssl_engine_current_state(&t->sc.eng);
		if (st & BR_SSL_CLOSED)
			return engine_ended(t);
		progress = 0;
		if (st & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(&t->sc.eng, &len);
			n = send(t->fd, buf, len, MSG_NOSIGNAL);
			if (n > 0) {
				br_ssl_engine_sendrec_ack(&t->sc.eng, (size_t)n);
				progress = 1;
			} else if (n < 0 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR) {
				t->io_errno = errno;
				return NET_ERR_IO;
			}
		}
		if (st & BR_SSL_RECVREC) {
			buf = br_ssl_engine_recvrec_buf(&t->sc.eng, &len);
			n = recv(t->fd, buf, len, 0);
			if (n > 0) {
				br_ssl_engine_recvrec_ack(&t->sc.eng, (size_t)n);
				progress = 1;
			} else if (n == 0) {
				t->eof = 1;
				check_done(t);
				return NET_ERR_CLOSED;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				t->io_errno = errno;
				return NET_ERR_IO;
			}
		}
		check_done(t);
		if (!progress)
			return NET_OK;
	}
}

void
tls_kick(struct tls *t)
{
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if (!t->open || t->eof || !(br_ssl_engine_current_state(&t->sc.eng) &
	    BR_SSL_SENDREC))
		return;
	buf = br_ssl_engine_sendrec_buf(&t->sc.eng, &len);
	if ((n = send(t->fd, buf, len, MSG_NOSIGNAL)) > 0)
		br_ssl_engine_sendrec_ack(&t->sc.eng, (size_t)n);
}

unsigned char *
tls_recv_buf(struct tls *t, size_t *len)
{
	*len = 0;
	if (!t->open)
		return NULL;
	return br_ssl_engine_recvapp_buf(&t->sc.eng, len);
}

void
tls_recv_ack(struct tls *t, size_t n)
{
	if (n > 0)
		br_ssl_engine_recvapp_ack(&t->sc.eng, n);
}

unsigned char *
tls_send_buf(struct tls *t, size_t *len)
{
	*len = 0;
	if (!t->open)
		return NULL;
	return br_ssl_engine_sendapp_buf(&t->sc.eng, len);
}

void
tls_send_ack(struct tls *t, size_t n)
{
	if (n > 0)
		br_ssl_engine_sendapp_ack(&t->sc.eng, n);
}

void
tls_flush(struct tls *t)
{
	br_ssl_engine_flush(&t->sc.eng, 0);
}

/* side_pump: move the side connection's handshake on; a failure ends
   that and is kept in side->bgerr. */
static void
side_pump(struct tls *side, short revents)
{
	int rc;

	if ((rc = tls_pump(side, revents)) != NET_OK)
		side->bgerr = rc;
}

/* Does side still have a handshake to move, and on what events? */
static short
side_events(const struct tls *side)
{
	if (side == NULL || !side->open || side->done || side->bgerr != 0)
		return 0;
	return tls_events(side);
}

/* tls_step: wait until the engine can move bytes (or side's can), then
   move them. NET_OK when something moved, else why not. */
static int
tls_step(struct tls *t, int64_t deadline, struct tls *side)
{
	struct pollfd pfd[2];
	short ev = tls_events(t);
	size_t n = 1;
	int rc;

	if (ev == 0)
		return tls_closed(t) ? tls_pump(t, 0) : NET_ERR_STALLED;
	pfd[0].fd = t->fd;
	pfd[0].events = ev;
	if ((pfd[1].events = side_events(side)) != 0) {
		pfd[1].fd = side->fd;
		n = 2;
	}
	while ((rc = net_wait(pfd, n, deadline)) == NET_ERR_WOKEN)
		;
	if (rc == 0)
		return NET_ERR_TIMEOUT;
	if (rc < 0) {
		if (rc == NET_ERR_IO)
			t->io_errno = errno;
		return rc;
	}
	if (n == 2 && pfd[1].revents != 0)
		side_pump(side, pfd[1].revents);
	return pfd[0].revents != 0 ? tls_pump(t, pfd[0].revents) : NET_OK;
}

int
tls_handshake(struct tls *t, int64_t deadline, struct tls *side)
{
	int rc;

	for (;;) {
		check_done(t);
		if (t->done)
			return NET_OK;
		if ((rc = tls_step(t, deadline, side)) != NET_OK)
			return rc;
	}
}

int
tls_write_all(struct tls *t, const void *buf, size_t len,
    int64_t deadline, struct tls *side)
{
	const unsigned char *p = buf;
	unsigned char *dst;
	size_t room;
	int rc;

	for (;;) {
		if (len > 0 && (dst = tls_send_buf(t, &room)) != NULL &&
		    room > 0) {
			if (room > len)
				room = len;
			memcpy(dst, p, room);
			tls_send_ack(t, room);
			p += room;
			len -= room;
			if (len == 0)
				tls_flush(t);
			continue;
		}
		if (len == 0 && !(br_ssl_engine_current_state(&t->sc.eng) &
		    BR_SSL_SENDREC))
			return NET_OK;
		if ((rc = tls_step(t, deadline, side)) != NET_OK)
			return rc;
	}
}

long
tls_wait_data(struct tls *t, unsigned char **p, int64_t deadline,
    struct tls *side)
{
	size_t len;
	int rc;

	for (;;) {
		if ((*p = tls_recv_buf(t, &len)) != NULL && len > 0)
			return (long)len;
		/* Data decrypted before a close or a failure still counts:
		   the top of the loop takes it first. */
		if ((rc = tls_step(t, deadline, side)) != NET_OK &&
		    ((*p = tls_recv_buf(t, &len)) == NULL || len == 0))
			return rc == NET_ERR_CLOSED ? 0 : rc;
	}
}

long
tls_read(struct tls *t, void *buf, size_t cap, int64_t deadline)
{
	unsigned char *p;
	long n;

	if (cap == 0)
		return 0;
	if ((n = tls_wait_data(t, &p, deadline, NULL)) <= 0)
		return n == 0 ? NET_ERR_CLOSED : n;
	if ((size_t)n > cap)
		n = (long)cap;
	memcpy(buf, p, (size_t)n);
	tls_recv_ack(t, (size_t)n);
	return n;
}

void
tls_drain(struct tls *t, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;

	while (t->open && (tls_events(t) & POLLOUT)) {
		if ((left = deadline - net_now_ms()) <= 0)
			return;
		pfd.fd = t->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 &&
		    errno != EINTR)
			return;
		if (tls_pump(t, pfd.revents) < 0)
			return;
	}
}

void
tls_close(struct tls *t)
{
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if (!t->open)
		return;
	if (!(br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_CLOSED)) {
		/* Unread data goes first: BearSSL 0.6 would otherwise hold
		   it, and its input buffer, forever once closing (fixed
		   upstream in 2020). */
		if ((buf = br_ssl_engine_recvapp_buf(&t->sc.eng, &len)) != NULL)
			br_ssl_engine_recvapp_ack(&t->sc.eng, len);
		/* RFC 5246 7.2.1: close_notify; one non-blocking attempt. */
		br_ssl_engine_close(&t->sc.eng);
		while (br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(&t->sc.eng, &len);
			n = send(t->fd, buf, len, MSG_NOSIGNAL);
			if (n <= 0)
				break;
			br_ssl_engine_sendrec_ack(&t->sc.eng, (size_t)n);
		}
	}
	close(t->fd);
	t->fd = -1;
	t->open = 0;
}

/* Days since 0000-01-01 (BearSSL's count) to "YYYY-MM-DD". */
static void
date_of_days(uint32_t days, char *buf, size_t cap)
{
	int y, m, d;

	fmt_civil((long long)days - 719528, &y, &m, &d);
	fmt_snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

/* The name of a TLS alert (RFC 5246 7.2, RFC 6066 9, RFC 8446 6). */
static const char *
alert_name(int a)
{
	static const struct {
		unsigned char code;
		char          name[24];
	} alerts[] = {
		{ 0, "close_notify" }, { 10, "unexpected_message" },
		{ 20, "bad_record_mac" }, { 22, "record_overflow" },
		{ 40, "handshake_failure" }, { 42, "bad_certificate" },
		{ 43, "unsupported_certificate" }, { 44, "certificate_revoked" },
		{ 45, "certificate_expired" }, { 46, "certificate_unknown" },
		{ 47, "illegal_parameter" }, { 48, "unknown_ca" },
		{ 49, "access_denied" }, { 50, "decode_error" },
		{ 51, "decrypt_error" }, { 70, "protocol_version" },
		{ 71, "insufficient_security" }, { 80, "internal_error" },
		{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
		{ 100, "no_renegotiation" }, { 109, "missing_extension" },
		{ 110, "unsupported_extension" }, { 112, "unrecognized_name" },
		{ 116, "certificate_required" }, { 120, "no_application_protocol" }
	};
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].code == a)
			return alerts[i].name;
	return "unknown alert";
}

/* What an alert from the server most likely means for zoomws. */
static const char *
alert_hint(int a)
{
	switch (a) {
	case 40:
		return ": no cipher suite or curve in common (zoomws offers "
		    "TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305)";
	case 70:
		return ": the server does not accept TLS 1.2";
	case 71:
		return ": the server wants stronger parameters";
	case 112:
		return ": the server does not serve this host name";
	default:
		return "";
	}
}

/* The cause of an expired-or-not-yet-valid chain, with dates. */
static void
expired_reason(const struct tls *t, char *buf, size_t cap)
{
	time_t now = time(NULL);
	uint32_t today = (uint32_t)(now / 86400 + 719528);
	char date[40], clock[40];

	date_of_days(today, clock, sizeof(clock));
	if (t->x509.ee_ok && today > t->x509.notafter_days) {
		date_of_days(t->x509.notafter_days, date, sizeof(date));
		fmt_snprintf(buf, cap, "certificate expired on %s (is the system "
		    "clock right? it says %s)", date, clock);
	} else if (t->x509.ee_ok && today < t->x509.notbefore_days) {
		date_of_days(t->x509.notbefore_days, date, sizeof(date));
		fmt_snprintf(buf, cap, "certificate not yet valid: from %s (is "
		    "the system clock right? it says %s)", date, clock);
	} else
		fmt_snprintf(buf, cap, "certificate expired or not yet valid (is "
		    "the system clock right? it says %s)", clock);
}

const char *
tls_error(const struct tls *t, char *buf, size_t cap)
{
	int e = br_ssl_engine_last_error(&t->sc.eng);
	const char *s = NULL;

	switch (e) {
	case BR_ERR_OK:
	case BR_ERR_IO:
		if (t->io_errno != 0)
			fmt_snprintf(buf, cap, "socket error: %s",
			    strerror(t->io_errno));
		else if (t->eof && !t->done)
			s = "the server closed the connection during the "
			    "handshake";
		else if (t->eof)
			s = "the server closed the connection";
		else
			s = e == BR_ERR_IO ? "I/O error" : "no error";
		break;
	case BR_ERR_X509_NOT_TRUSTED:
		s = "certificate not trusted: unknown CA (set --ca-file or "
		    "SSL_CERT_FILE)";
		break;
	case BR_ERR_X509_BAD_SERVER_NAME:
		fmt_snprintf(buf, cap, "certificate does not match host %s",
		    t->host);
		break;
	case BR_ERR_X509_EXPIRED:
		expired_reason(t, buf, cap);
		break;
	case BR_ERR_X509_TIME_UNKNOWN:
		s = "cannot check the certificate's dates: no usable system time";
		break;
	case BR_ERR_X509_NOT_CA:
		s = "certificate chain has an issuer that is not a CA";
		break;
	case BR_ERR_X509_BAD_SIGNATURE:
		s = "certificate signature does not verify";
		break;
	case BR_ERR_X509_WEAK_PUBLIC_KEY:
		s = "certificate key too weak";
		break;
	case BR_ERR_X509_EMPTY_CHAIN:
		s = "the server sent no certificate";
		break;
	case BR_ERR_X509_DN_MISMATCH:
		s = "certificate chain out of order or incomplete";
		break;
	case BR_ERR_X509_CRITICAL_EXTENSION:
		s = "certificate has a critical extension BearSSL does not know";
		break;
	case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
	case BR_ERR_WRONG_KEY_USAGE:
		s = "certificate key usage forbids TLS server authentication";
		break;
	case BR_ERR_X509_LIMIT_EXCEEDED:
		s = "certificate chain too long or too large";
		break;
	case BR_ERR_X509_UNSUPPORTED:
	case BR_ERR_X509_WRONG_KEY_TYPE:
		s = "certificate uses a key or algorithm BearSSL does not support";
		break;
	case BR_ERR_UNSUPPORTED_VERSION:
	case BR_ERR_BAD_VERSION:
		s = "the server does not speak TLS 1.2";
		break;
	case BR_ERR_BAD_CIPHER_SUITE:
		s = "the server chose a cipher suite zoomws did not offer";
		break;
	case BR_ERR_INVALID_ALGORITHM:
		s = "the server chose a curve or signature algorithm zoomws "
		    "did not offer";
		break;
	case BR_ERR_BAD_SIGNATURE:
		s = "the server's key exchange signature does not verify";
		break;
	case BR_ERR_BAD_MAC:
		s = "a record failed authentication (corrupted in transit?)";
		break;
	case BR_ERR_NO_RANDOM:
		s = "no system entropy to seed TLS";
		break;
	default:
		if (e >= BR_ERR_SEND_FATAL_ALERT)
			fmt_snprintf(buf, cap, "TLS alert %d (%s) sent to the server",
			    e - BR_ERR_SEND_FATAL_ALERT,
			    alert_name(e - BR_ERR_SEND_FATAL_ALERT));
		else if (e >= BR_ERR_RECV_FATAL_ALERT)
			fmt_snprintf(buf, cap, "TLS alert %d (%s) from the server%s",
			    e - BR_ERR_RECV_FATAL_ALERT,
			    alert_name(e - BR_ERR_RECV_FATAL_ALERT),
			    alert_hint(e - BR_ERR_RECV_FATAL_ALERT));
		else if (e >= BR_ERR_X509_OK)
			fmt_snprintf(buf, cap, "certificate rejected (BearSSL X.509 "
			    "error %d)", e);
		else
			fmt_snprintf(buf, cap, "TLS protocol error (BearSSL error %d)",
			    e);
	}
	if (s != NULL)
		fmt_snprintf(buf, cap, "%s", s);
	return buf;
}

void
tls_describe(const struct tls *t, char *buf, size_t cap)
{
	br_ssl_session_parameters p;
	const char *name;

	br_ssl_engine_get_session_parameters(&t->sc.eng, &p);
	switch (p.cipher_suite) {
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
		name = "ECDHE-ECDSA-AES128-GCM-SHA256";
		break;
	case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
		name = "ECDHE-RSA-AES128-GCM-SHA256";
		break;
	case BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
		name = "ECDHE-ECDSA-AES256-GCM-SHA384";
		break;
	case BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
		name = "ECDHE-RSA-AES256-GCM-SHA384";
		break;
	case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
		name = "ECDHE-ECDSA-CHACHA20-POLY1305";
		break;
	case BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
		name = "ECDHE-RSA-CHACHA20-POLY1305";
		break;
	default:
		name = "no cipher suite";
	}
	fmt_snprintf(buf, cap, "%s %s", p.version == BR_TLS12 ? "TLSv1.2" :
	    "TLS?", name);
}

int
tls_resumed(const struct tls *t)
{
	return t->resumed;
}

void
tls_peer_summary(const struct tls *t, char *buf, size_t cap)
{
	char cn[128], after[40];

	x509_common_name(t->x509.dn, t->x509.dnlen, cn, sizeof(cn));
	if (t->x509.ee_ok)
		date_of_days(t->x509.notafter_days, after, sizeof(after));
	else
		fmt_snprintf(after, sizeof(after), "?");
	fmt_snprintf(buf, cap, "certificate CN=%s, expires %s", cn, after);
}