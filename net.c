/*
 * net.c - sockets and TLS: connect with a deadline, trust anchors from
 * PEM, and the BearSSL client engine pumped without blocking.
 *
 * The engine owns no socket: net_tls_pump moves its record bytes to and
 * from the descriptor (sendrec/recvrec), the caller takes application
 * bytes in place (recvapp/sendapp). The waits poll the socket and the
 * caller's wakefd, so a signal ends any of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

#ifdef ZOOMWS_BUILTIN_CA
#include "ca_builtin.h"     /* static const char zoomws_builtin_ca[] */
#endif

/* The only cipher suites offered: forward secret AEAD, TLS 1.2. */
static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
};

static const char *const system_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",           /* Debian, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",             /* Fedora, RHEL */
	"/etc/ssl/ca-bundle.pem",                       /* openSUSE */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",                            /* OpenBSD, macOS */
	"/usr/local/share/certs/ca-root-nss.crt",       /* FreeBSD */
	"/etc/ssl/certs/ca-bundle.crt",
	NULL
};

int64_t
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
net_random(void *buf, size_t len)
{
	static br_hmac_drbg_context drbg;
	static int seeded;

	if (!seeded) {
		br_prng_seeder seeder = br_prng_seeder_system(NULL);

		br_hmac_drbg_init(&drbg, &br_sha256_vtable, "zoomws", 6);
		if (seeder == 0 || !seeder(&drbg.vtable))
			abort();
		seeded = 1;
	}
	br_hmac_drbg_generate(&drbg, buf, len);
}

/* ------------------------------------------------------------------ */
/* TCP                                                                */

/* Wait for events on fd or for wakefd, until deadline. NET_OK when fd
   is ready. */
static int
wait_fd(int fd, short events, int64_t deadline, int wakefd)
{
	struct pollfd pfd[2];
	int64_t left;
	int n;

	for (;;) {
		if ((left = deadline - net_now_ms()) <= 0)
			return NET_ERR_TIMEOUT;
		pfd[0].fd = fd;
		pfd[0].events = events;
		pfd[0].revents = 0;
		pfd[1].fd = wakefd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		n = poll(pfd, 2, left > 60000 ? 60000 : (int)left);
		if (n < 0 && errno != EINTR)
			return NET_ERR_IO;
		if (n <= 0)
			continue;
		if (pfd[1].revents)
			return NET_ERR_INTR;
		if (pfd[0].revents)
			return NET_OK;
	}
}

int
net_connect(const char *host, const char *port, int64_t deadline, int wakefd,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char addr[64];
	int fd, rc, soerr, left = 0, one = 1;
	socklen_t sl;
	int64_t now, slice;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host,
		    gai_strerror(rc));
		return NET_ERR_DNS;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		left++;
	snprintf(err, errlen, "%s port %s: no address", host, port);
	rc = NET_ERR_CONNECT;
	for (ai = res; ai != NULL; ai = ai->ai_next, left--) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr),
		    NULL, 0, NI_NUMERICHOST) != 0)
			strcpy(addr, "?");
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			snprintf(err, errlen, "%s (%s) port %s: socket: %s", host,
			    addr, port, strerror(errno));
			continue;
		}
		/* Each remaining address gets its share of the time left. */
		now = net_now_ms();
		slice = (deadline - now) / left;
		if (slice < 1000 && deadline - now > 1000)
			slice = 1000;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			rc = NET_OK;
		else if (errno != EINPROGRESS) {
			snprintf(err, errlen, "%s (%s) port %s: %s", host, addr,
			    port, strerror(errno));
			close(fd);
			rc = NET_ERR_CONNECT;
			continue;
		} else {
			rc = wait_fd(fd, POLLOUT, now + slice < deadline ?
			    now + slice : deadline, wakefd);
			if (rc == NET_OK) {
				sl = sizeof(soerr);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &sl) == -1)
					soerr = errno;
				if (soerr != 0) {
					snprintf(err, errlen, "%s (%s) port %s: %s",
					    host, addr, port, strerror(soerr));
					rc = NET_ERR_CONNECT;
				}
			} else
				snprintf(err, errlen, "%s (%s) port %s: %s", host,
				    addr, port, rc == NET_ERR_INTR ? "interrupted" :
				    rc == NET_ERR_TIMEOUT ? "connect timed out" :
				    strerror(errno));
		}
		if (rc == NET_OK) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			freeaddrinfo(res);
			return fd;
		}
		close(fd);
		if (rc == NET_ERR_INTR)
			break;
		if (rc == NET_ERR_TIMEOUT && net_now_ms() >= deadline)
			break;
		rc = NET_ERR_CONNECT;
	}
	freeaddrinfo(res);
	return rc == NET_ERR_TIMEOUT || rc == NET_ERR_INTR ? rc : NET_ERR_CONNECT;
}

/* ------------------------------------------------------------------ */
/* Trust anchors                                                      */

struct growbuf {
	unsigned char *p;
	size_t len, cap, max;
	int overflow;
};

static void
growbuf_append(void *ctx, const void *src, size_t len)
{
	struct growbuf *g = ctx;
	unsigned char *np;
	size_t ncap;

	if (g->overflow)
		return;
	if (len > g->max - g->len) {
		g->overflow = 1;
		return;
	}
	if (g->len + len > g->cap) {
		ncap = g->cap ? g->cap : 1024;
		while (ncap < g->len + len)
			ncap *= 2;
		if ((np = realloc(g->p, ncap)) == NULL) {
			g->overflow = 1;
			return;
		}
		g->p = np;
		g->cap = ncap;
	}
	memcpy(g->p + g->len, src, len);
	g->len += len;
}

static void *
memdup(const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p != NULL && len)
		memcpy(p, src, len);
	return p;
}

static void
anchor_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);
	if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
		free(ta->pkey.key.rsa.n);
		free(ta->pkey.key.rsa.e);
	} else
		free(ta->pkey.key.ec.q);
}

/* Add the certificate der[0..len) to a. */
static int
anchor_add(struct net_anchors *a, const unsigned char *der, size_t len,
    char *err, size_t errlen)
{
	br_x509_decoder_context dc;
	struct growbuf dn = { NULL, 0, 0, 65536, 0 };
	const br_x509_pkey *pk;
	br_x509_trust_anchor ta, *nt;
	int e;

	br_x509_decoder_init(&dc, growbuf_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL || dn.overflow) {
		e = br_x509_decoder_last_error(&dc);
		snprintf(err, errlen, "certificate %zu cannot be decoded "
		    "(BearSSL error %d)", a->n + 1, e);
		free(dn.p);
		return NET_ERR_CONFIG;
	}
	if (a->n == NET_MAX_ANCHORS) {
		snprintf(err, errlen, "more than %d certificates", NET_MAX_ANCHORS);
		free(dn.p);
		return NET_ERR_CONFIG;
	}
	memset(&ta, 0, sizeof(ta));
	ta.dn.data = dn.p != NULL ? dn.p : memdup("", 0);
	ta.dn.len = dn.len;
	ta.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta.pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta.pkey.key.rsa.n = memdup(pk->key.rsa.n, pk->key.rsa.nlen);
		ta.pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta.pkey.key.rsa.e = memdup(pk->key.rsa.e, pk->key.rsa.elen);
		ta.pkey.key.rsa.elen = pk->key.rsa.elen;
		e = ta.pkey.key.rsa.n == NULL || ta.pkey.key.rsa.e == NULL;
	} else if (pk->key_type == BR_KEYTYPE_EC) {
		ta.pkey.key.ec.curve = pk->key.ec.curve;
		ta.pkey.key.ec.q = memdup(pk->key.ec.q, pk->key.ec.qlen);
		ta.pkey.key.ec.qlen = pk->key.ec.qlen;
		e = ta.pkey.key.ec.q == NULL;
	} else {
		snprintf(err, errlen, "certificate %zu: unsupported key type",
		    a->n + 1);
		free(ta.dn.data);
		return NET_ERR_CONFIG;
	}
	if (e || ta.dn.data == NULL) {
		anchor_free(&ta);
		snprintf(err, errlen, "out of memory");
		return NET_ERR_CONFIG;
	}
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 16;

		if ((nt = realloc(a->ta, ncap * sizeof(*nt))) == NULL) {
			anchor_free(&ta);
			snprintf(err, errlen, "out of memory");
			return NET_ERR_CONFIG;
		}
		a->ta = nt;
		a->cap = ncap;
	}
	a->ta[a->n++] = ta;
	return NET_OK;
}

int
net_anchors_from_pem(struct net_anchors *a, const char *pem, size_t len,
    char *err, size_t errlen)
{
	br_pem_decoder_context pc;
	struct growbuf der = { NULL, 0, 0, 1u << 20, 0 };
	size_t off = 0, n, added = 0;
	int incert = 0, rc = NET_OK, ev, final = 0;
	const char *name;

	if (len > NET_MAX_PEM) {
		snprintf(err, errlen, "CA bundle larger than %u bytes",
		    NET_MAX_PEM);
		return NET_ERR_CONFIG;
	}
	br_pem_decoder_init(&pc);
	/* A final newline lets the decoder see the last END line even
	   when the file lacks one. */
	while (off < len || !final) {
		const char *src = off < len ? pem + off : "\n";
		const char *cr;
		size_t avail = off < len ? len - off : 1;

		/* The decoder wants LF line ends: CRs are skipped. */
		if (off < len && pem[off] == '\r') {
			off++;
			continue;
		}
		if (off < len && (cr = memchr(src, '\r', avail)) != NULL)
			avail = (size_t)(cr - src);

		n = br_pem_decoder_push(&pc, src, avail);
		if (off < len)
			off += n;
		else if (n == 1)
			final = 1;
		ev = br_pem_decoder_event(&pc);
		if (ev == BR_PEM_BEGIN_OBJ) {
			name = br_pem_decoder_name(&pc);
			incert = strcmp(name, "CERTIFICATE") == 0 ||
			    strcmp(name, "X509 CERTIFICATE") == 0 ||
			    strcmp(name, "TRUSTED CERTIFICATE") == 0;
			der.len = 0;
			der.overflow = 0;
			br_pem_decoder_setdest(&pc, incert ? growbuf_append : NULL,
			    &der);
		} else if (ev == BR_PEM_END_OBJ) {
			if (incert) {
				if (der.overflow) {
					snprintf(err, errlen, "certificate too large");
					rc = NET_ERR_CONFIG;
					break;
				}
				if ((rc = anchor_add(a, der.p, der.len, err,
				    errlen)) != NET_OK)
					break;
				added++;
			}
			incert = 0;
		} else if (ev == BR_PEM_ERROR) {
			snprintf(err, errlen, "not a valid PEM file (near byte %zu)",
			    off);
			rc = NET_ERR_CONFIG;
			break;
		} else if (n == 0 && off < len) {
			/* No progress and no event: cannot happen with a sane
			   decoder; refuse rather than loop. */
			snprintf(err, errlen, "PEM decoder stalled");
			rc = NET_ERR_CONFIG;
			break;
		}
	}
	free(der.p);
	return rc == NET_OK ? (int)added : rc;
}

int
net_anchors_from_file(struct net_anchors *a, const char *path, char *err,
    size_t errlen)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NET_ERR_CONFIG;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)NET_MAX_PEM) {
		snprintf(err, errlen, "%s: %s", path, !S_ISREG(st.st_mode) ?
		    "not a regular file" : "too large for a CA bundle");
		close(fd);
		return NET_ERR_CONFIG;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return NET_ERR_CONFIG;
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	rc = net_anchors_from_pem(a, buf, len, err, errlen);
	free(buf);
	if (rc < 0) {
		char inner[200];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "%s: %s", path, inner);
	} else if (rc == 0) {
		snprintf(err, errlen, "%s: no certificate in it", path);
		rc = NET_ERR_CONFIG;
	}
	return rc;
}

int
net_anchors_load(struct net_anchors *a, const char *ca_file, char *source,
    size_t srclen, char *err, size_t errlen)
{
	int i, rc;

	if (ca_file != NULL) {
		snprintf(source, srclen, "%s", ca_file);
		return net_anchors_from_file(a, ca_file, err, errlen);
	}
	for (i = 0; system_bundles[i] != NULL; i++) {
		if (access(system_bundles[i], R_OK) != 0)
			continue;
		snprintf(source, srclen, "%s", system_bundles[i]);
		return net_anchors_from_file(a, system_bundles[i], err, errlen);
	}
#ifdef ZOOMWS_BUILTIN_CA
	snprintf(source, srclen, "built-in");
	rc = net_anchors_from_pem(a, zoomws_builtin_ca,
	    sizeof(zoomws_builtin_ca) - 1, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "no built-in certificate");
		rc = NET_ERR_CONFIG;
	}
	return rc;
#else
	(void)rc;
	snprintf(source, srclen, "nowhere");
	snprintf(err, errlen, "no CA bundle found (looked for %s and others); "
	    "set SSL_CERT_FILE or --ca-file, or build with make CA_BUNDLE=file",
	    system_bundles[0]);
	return NET_ERR_CONFIG;
#endif
}

void
net_anchors_free(struct net_anchors *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		anchor_free(&a->ta[i]);
	free(a->ta);
	a->ta = NULL;
	a->n = a->cap = 0;
}

/* ------------------------------------------------------------------ */
/* The X.509 wrapper: verify with the minimal engine, and decode the  */
/* server's own certificate on the side for reports.                  */

static struct net_x509 *
x509_of(const br_x509_class *const *ctx)
{
	return (struct net_x509 *)(void *)(uintptr_t)ctx;
}

static void
x509_dn(void *ctx, const void *buf, size_t len)
{
	struct net_x509 *x = ctx;

	if (len > sizeof(x->dn) - x->dnlen)
		len = sizeof(x->dn) - x->dnlen;
	memcpy(x->dn + x->dnlen, buf, len);
	x->dnlen += len;
}

static void
x509_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct net_x509 *x = x509_of(ctx);

	x->ncerts = 0;
	x->dnlen = 0;
	x->eelen = 0;
	x->eetrunc = 0;
	/* For an address, the chain is verified without a name, and the
	   address is checked against the iPAddress names at the end. */
	x->minimal.vtable->start_chain(&x->minimal.vtable,
	    x->iplen ? NULL : server_name);
}

/* Read a DER length at *p (< end); -1 when malformed or too long. */
static long
der_len(const unsigned char **p, const unsigned char *end)
{
	long n = 0;
	unsigned k;

	if (*p >= end)
		return -1;
	if (**p < 0x80)
		return *(*p)++;
	k = *(*p)++ & 0x7F;
	if (k == 0 || k > 3 || (size_t)(end - *p) < k)
		return -1;
	while (k--)
		n = n << 8 | *(*p)++;
	return n <= end - *p ? n : -1;
}

/*
 * ee_has_ip: does the certificate der[0..len) list the address ip in
 * its subjectAltName (OID 2.5.29.17) as an iPAddress ([7])? The
 * extension is found by its OID, then parsed: OCTET STRING holding a
 * SEQUENCE of GeneralName.
 */
static int
ee_has_ip(const unsigned char *der, size_t len, const unsigned char *ip,
    size_t iplen)
{
	static const unsigned char oid[] = { 0x06, 0x03, 0x55, 0x1D, 0x11 };
	const unsigned char *p, *end = der + len, *q, *qend;
	long n;
	size_t i;

	for (i = 0; i + sizeof(oid) < len; i++) {
		if (memcmp(der + i, oid, sizeof(oid)) != 0)
			continue;
		p = der + i + sizeof(oid);
		if (p + 3 <= end && p[0] == 0x01 && p[1] == 0x01)
			p += 3;                 /* critical BOOLEAN */
		if (p >= end || *p++ != 0x04 || (n = der_len(&p, end)) < 0)
			continue;
		q = p;
		qend = p + n;
		if (q >= qend || *q++ != 0x30 || (n = der_len(&q, qend)) < 0)
			continue;
		qend = q + n;
		while (q < qend) {
			unsigned char tag = *q++;

			if ((n = der_len(&q, qend)) < 0)
				break;
			if (tag == 0x87 && (size_t)n == iplen &&
			    memcmp(q, ip, iplen) == 0)
				return 1;
			q += n;
		}
	}
	return 0;
}

static void
x509_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct net_x509 *x = x509_of(ctx);

	if (x->ncerts == 0)
		br_x509_decoder_init(&x->decoder, x509_dn, x);
	x->minimal.vtable->start_cert(&x->minimal.vtable, length);
}

static void
x509_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct net_x509 *x = x509_of(ctx);

	if (x->ncerts == 0) {
		br_x509_decoder_push(&x->decoder, buf, len);
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
x509_end_cert(const br_x509_class **ctx)
{
	struct net_x509 *x = x509_of(ctx);

	x->ncerts++;
	x->minimal.vtable->end_cert(&x->minimal.vtable);
}

static unsigned
x509_end_chain(const br_x509_class **ctx)
{
	struct net_x509 *x = x509_of(ctx);
	unsigned err = x->minimal.vtable->end_chain(&x->minimal.vtable);

	if (err == 0 && x->iplen && (x->eetrunc ||
	    !ee_has_ip(x->ee, x->eelen, x->ip, x->iplen)))
		return BR_ERR_X509_BAD_SERVER_NAME;
	return err;
}

static const br_x509_pkey *
x509_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct net_x509 *x = x509_of(ctx);

	return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
}

static const br_x509_class x509_vtable = {
	sizeof(struct net_x509),
	x509_start_chain,
	x509_start_cert,
	x509_append,
	x509_end_cert,
	x509_end_chain,
	x509_get_pkey
};

/* ------------------------------------------------------------------ */
/* TLS                                                                */

/*
 * engine_init: a client engine with only what zoomws offers: TLS 1.2,
 * the suites above, ECDHE on the usual curves, RSA and ECDSA signatures,
 * SHA-1 to SHA-512 for certificates. Linking no more than this keeps
 * the binary small (BearSSL's "full" profile adds CBC, CCM, 3DES, RSA
 * key exchange and TLS 1.0/1.1).
 */
static void
engine_init(struct net_tls *t, const struct net_anchors *a)
{
	static const br_hash_class *const hashes[] = {
		&br_sha1_vtable, &br_sha224_vtable, &br_sha256_vtable,
		&br_sha384_vtable, &br_sha512_vtable
	};
	br_ssl_engine_context *eng = &t->sc.eng;
	br_x509_minimal_context *xc = &t->x509.minimal;
	size_t i;

	br_ssl_client_zero(&t->sc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_ssl_engine_set_ec(eng, br_ec_get_default());
	br_ssl_engine_set_rsavrfy(eng, br_rsa_pkcs1_vrfy_get_default());
	br_ssl_engine_set_ecdsa(eng, br_ecdsa_vrfy_asn1_get_default());
	br_x509_minimal_init(xc, &br_sha256_vtable, a->ta, a->n);
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		int id = (int)(hashes[i]->desc >> BR_HASHDESC_ID_OFF &
		    BR_HASHDESC_ID_MASK);

		br_ssl_engine_set_hash(eng, id, hashes[i]);
		br_x509_minimal_set_hash(xc, id, hashes[i]);
	}
	br_x509_minimal_set_rsa(xc, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(xc, br_ec_get_default(),
	    br_ecdsa_vrfy_asn1_get_default());
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	t->x509.vtable = &x509_vtable;
	br_ssl_engine_set_x509(eng, &t->x509.vtable);
}

int
net_tls_start(struct net_tls *t, int fd, const char *host,
    const struct net_anchors *a)
{
	int resume;

	if (strlen(host) >= sizeof(t->host))
		return NET_ERR_CONFIG;
	resume = t->have_session && strcmp(t->host, host) == 0;
	engine_init(t, a);
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
	if (!br_ssl_client_reset(&t->sc, host, resume))
		return NET_ERR_CONFIG;
	strcpy(t->host, host);
	t->fd = fd;
	t->io_errno = 0;
	t->eof = 0;
	t->offered = resume;
	t->resumed = 0;
	t->done = 0;
	return NET_OK;
}

/* Note the end of the handshake: keep the session, see if it resumed. */
static void
check_done(struct net_tls *t)
{
	br_ssl_session_parameters p;
	unsigned st;

	if (t->done)
		return;
	st = br_ssl_engine_current_state(&t->sc.eng);
	if (!(st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
		return;
	t->done = 1;
	br_ssl_engine_get_session_parameters(&t->sc.eng, &p);
	t->resumed = t->offered && p.session_id_len > 0 &&
	    p.session_id_len == t->session.session_id_len &&
	    memcmp(p.session_id, t->session.session_id, p.session_id_len) == 0;
	t->session = p;
	t->have_session = p.session_id_len > 0;
}

static int
engine_closed(struct net_tls *t)
{
	return (br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_CLOSED) != 0;
}

short
net_tls_events(const struct net_tls *t)
{
	unsigned st = br_ssl_engine_current_state(&t->sc.eng);
	short ev = 0;

	if ((st & BR_SSL_CLOSED) || t->eof || t->fd < 0)
		return 0;
	if (st & BR_SSL_SENDREC)
		ev |= POLLOUT;
	if (st & BR_SSL_RECVREC)
		ev |= POLLIN;
	return ev;
}

int
net_tls_closed(const struct net_tls *t)
{
	return t->fd < 0 || t->eof ||
	    (br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_CLOSED);
}

int
net_tls_pump(struct net_tls *t, short revents)
{
	unsigned char *buf;
	unsigned st;
	size_t len;
	ssize_t n;
	int progress;

	(void)revents;
	for (;;) {
		if (t->fd < 0)
			return NET_ERR_CLOSED;
		st = br_ssl_engine_current_state(&t->sc.eng);
		if (st & BR_SSL_CLOSED)
			return br_ssl_engine_last_error(&t->sc.eng) == BR_ERR_OK ?
			    NET_ERR_CLOSED : NET_ERR_TLS;
		if (t->eof)
			return NET_ERR_CLOSED;
		progress = 0;
		if (st & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(&t->sc.eng, &len);
			n = send(t->fd, buf, len, MSG_NOSIGNAL);
			if (n > 0) {
				br_ssl_engine_sendrec_ack(&t->sc.eng, (size_t)n);
				progress = 1;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
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
			} else if (errno != EAGAIN && errno != EINTR) {
				t->io_errno = errno;
				return NET_ERR_IO;
			}
		}
		check_done(t);
		if (!progress)
			return NET_OK;
	}
}

unsigned char *
net_tls_recv_buf(struct net_tls *t, size_t *len)
{
	*len = 0;
	if (t->fd < 0)
		return NULL;
	return br_ssl_engine_recvapp_buf(&t->sc.eng, len);
}

void
net_tls_recv_ack(struct net_tls *t, size_t n)
{
	if (n > 0)
		br_ssl_engine_recvapp_ack(&t->sc.eng, n);
}

unsigned char *
net_tls_send_buf(struct net_tls *t, size_t *len)
{
	*len = 0;
	if (t->fd < 0)
		return NULL;
	return br_ssl_engine_sendapp_buf(&t->sc.eng, len);
}

void
net_tls_send_ack(struct net_tls *t, size_t n)
{
	br_ssl_engine_sendapp_ack(&t->sc.eng, n);
}

void
net_tls_flush(struct net_tls *t)
{
	br_ssl_engine_flush(&t->sc.eng, 0);
}

/* Wait until the engine can move bytes, then move them. */
static int
tls_step(struct net_tls *t, int64_t deadline, int wakefd)
{
	short ev = net_tls_events(t);
	int rc;

	if (ev == 0)
		return net_tls_pump(t, 0);
	if ((rc = wait_fd(t->fd, ev, deadline, wakefd)) != NET_OK) {
		if (rc == NET_ERR_IO)
			t->io_errno = errno;
		return rc;
	}
	return net_tls_pump(t, ev);
}

int
net_tls_handshake(struct net_tls *t, int64_t deadline, int wakefd)
{
	int rc;

	for (;;) {
		check_done(t);
		if (t->done)
			return NET_OK;
		if (engine_closed(t))
			return NET_ERR_TLS;
		if ((rc = tls_step(t, deadline, wakefd)) != NET_OK)
			return rc == NET_ERR_CLOSED && engine_closed(t) &&
			    br_ssl_engine_last_error(&t->sc.eng) != BR_ERR_OK ?
			    NET_ERR_TLS : rc;
	}
}

int
net_tls_write_all(struct net_tls *t, const void *buf, size_t len,
    int64_t deadline, int wakefd)
{
	const unsigned char *p = buf;
	unsigned char *dst;
	size_t room;
	int rc;

	for (;;) {
		if (len > 0 && (dst = net_tls_send_buf(t, &room)) != NULL &&
		    room > 0) {
			if (room > len)
				room = len;
			memcpy(dst, p, room);
			net_tls_send_ack(t, room);
			p += room;
			len -= room;
			if (len == 0)
				net_tls_flush(t);
			continue;
		}
		if (len == 0 && !(br_ssl_engine_current_state(&t->sc.eng) &
		    BR_SSL_SENDREC))
			return NET_OK;
		if ((rc = tls_step(t, deadline, wakefd)) != NET_OK)
			return rc;
	}
}

void
net_tls_close(struct net_tls *t)
{
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if (t->fd < 0)
		return;
	if (!engine_closed(t)) {
		br_ssl_engine_close(&t->sc.eng);
		/* One non-blocking attempt to send the close_notify. */
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
}

/* Days since 0000-01-01 (BearSSL's count) to "YYYY-MM-DD". */
static void
date_of_days(uint32_t days, char *buf, size_t cap)
{
	time_t secs = ((time_t)days - 719528) * 86400;
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL)
		snprintf(buf, cap, "?");
	else
		snprintf(buf, cap, "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
}

const char *
net_tls_error(const struct net_tls *t, char *buf, size_t cap)
{
	int e = br_ssl_engine_last_error(&t->sc.eng);
	char today[40];
	time_t now = time(NULL);
	struct tm tm;

	if (t->io_errno != 0 && (e == BR_ERR_OK || e == BR_ERR_IO)) {
		snprintf(buf, cap, "%s", strerror(t->io_errno));
		return buf;
	}
	gmtime_r(&now, &tm);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	switch (e) {
	case BR_ERR_OK:
		snprintf(buf, cap, "connection closed during the handshake");
		break;
	case BR_ERR_X509_NOT_TRUSTED:
		snprintf(buf, cap, "certificate not trusted: unknown CA (set "
		    "--ca-file or SSL_CERT_FILE)");
		break;
	case BR_ERR_X509_BAD_SERVER_NAME:
		snprintf(buf, cap, "certificate does not match host %s", t->host);
		break;
	case BR_ERR_X509_EXPIRED:
		snprintf(buf, cap, "certificate expired or not yet valid (is "
		    "the system clock right? it says %s)", today);
		break;
	case BR_ERR_X509_TIME_UNKNOWN:
		snprintf(buf, cap, "cannot check the certificate's dates: no "
		    "usable system time");
		break;
	case BR_ERR_X509_NOT_CA:
		snprintf(buf, cap, "certificate chain has a non-CA issuer");
		break;
	case BR_ERR_X509_BAD_SIGNATURE:
		snprintf(buf, cap, "certificate signature does not verify");
		break;
	case BR_ERR_X509_WEAK_PUBLIC_KEY:
		snprintf(buf, cap, "certificate key too weak");
		break;
	case BR_ERR_X509_EMPTY_CHAIN:
		snprintf(buf, cap, "server sent no certificate");
		break;
	case BR_ERR_BAD_VERSION:
		snprintf(buf, cap, "server does not speak TLS 1.2");
		break;
	case BR_ERR_BAD_CIPHER_SUITE:
		snprintf(buf, cap, "no cipher suite in common (ECDHE with "
		    "AES-GCM or ChaCha20 required)");
		break;
	case BR_ERR_IO:
		snprintf(buf, cap, "I/O error");
		break;
	default:
		if (e >= BR_ERR_SEND_FATAL_ALERT)
			snprintf(buf, cap, "TLS alert %d sent to the server",
			    e - BR_ERR_SEND_FATAL_ALERT);
		else if (e >= BR_ERR_RECV_FATAL_ALERT)
			snprintf(buf, cap, "TLS alert %d from the server%s",
			    e - BR_ERR_RECV_FATAL_ALERT,
			    e - BR_ERR_RECV_FATAL_ALERT == 40 ? " (handshake "
			    "failure)" : e - BR_ERR_RECV_FATAL_ALERT == 70 ?
			    " (protocol version)" : "");
		else if (e >= BR_ERR_X509_OK)
			snprintf(buf, cap, "certificate rejected (BearSSL X.509 "
			    "error %d)", e);
		else
			snprintf(buf, cap, "TLS failure (BearSSL error %d)", e);
	}
	return buf;
}

void
net_tls_describe(const struct net_tls *t, char *buf, size_t cap)
{
	const char *name;

	switch (t->sc.eng.session.cipher_suite) {
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
		name = "unknown suite";
	}
	snprintf(buf, cap, "%s %s", br_ssl_engine_get_version(&t->sc.eng) ==
	    BR_TLS12 ? "TLSv1.2" : "TLS?", name);
}

int
net_tls_resumed(const struct net_tls *t)
{
	return t->resumed;
}

/* The CommonName of a DER-encoded DN (OID 2.5.4.3), if one is there. */
static void
dn_common_name(const unsigned char *dn, size_t len, char *buf, size_t cap)
{
	size_t i, n, j;

	snprintf(buf, cap, "?");
	for (i = 0; i + 7 <= len; i++) {
		if (dn[i] != 0x06 || dn[i + 1] != 0x03 || dn[i + 2] != 0x55 ||
		    dn[i + 3] != 0x04 || dn[i + 4] != 0x03)
			continue;
		/* then a string: tag, short length, bytes */
		n = dn[i + 6];
		if (n >= 0x80 || i + 7 + n > len)
			return;
		for (j = 0; j < n && j + 1 < cap; j++) {
			unsigned char c = dn[i + 7 + j];

			buf[j] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		buf[j] = '\0';
		return;
	}
}

void
net_tls_peer_summary(const struct net_tls *t, char *buf, size_t cap)
{
	char cn[128], after[40];

	dn_common_name(t->x509.dn, t->x509.dnlen, cn, sizeof(cn));
	date_of_days(t->x509.decoder.notafter_days, after, sizeof(after));
	snprintf(buf, cap, "certificate CN=%s, expires %s", cn, after);
}
