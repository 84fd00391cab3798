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
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ascii.h"
#include "b64.h"
#include "fmt.h"
#include "net.h"

#ifdef ZOOMWS_BUILTIN_CA
#include "ca_builtin.h"     /* static const char zoomws_builtin_ca[] */
#endif

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

/* Where the usual systems keep their CA bundle (PEM). */
static const char *const system_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",           /* Debian, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",             /* Fedora, RHEL */
	"/etc/ssl/ca-bundle.pem",                       /* openSUSE */
	"/etc/ssl/cert.pem",                            /* OpenBSD, macOS */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/usr/local/share/certs/ca-root-nss.crt",       /* FreeBSD */
	"/etc/ssl/certs/ca-bundle.crt",
	"/usr/share/ssl/certs/ca-bundle.crt",
	NULL
};

const char *
net_strerror(int err)
{
	switch (err) {
	case NET_OK:
		return "no error";
	case NET_ERR_DNS:
		return "name does not resolve";
	case NET_ERR_CONNECT:
		return "connection refused or unreachable";
	case NET_ERR_TIMEOUT:
		return "timed out";
	case NET_ERR_INTR:
		return "interrupted";
	case NET_ERR_CLOSED:
		return "connection closed by peer";
	case NET_ERR_TLS:
		return "TLS failure";
	case NET_ERR_IO:
		return "socket error";
	case NET_ERR_CONFIG:
		return "bad TLS configuration";
	case NET_ERR_STALLED:
		return "received data not taken";
	default:
		return "unknown error";
	}
}

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

/* The connection whose handshake every wait also moves (NULL: none). */
static struct net_tls *background;

static short
background_events(void)
{
	struct net_tls *t = background;

	if (t == NULL || t->bgerr != 0 || t->done)
		return 0;
	return net_tls_events(t);
}

static void
background_pump(short revents)
{
	int rc;

	if ((rc = net_tls_pump(background, revents)) != NET_OK)
		background->bgerr = rc;
}

void
net_tls_background(struct net_tls *t)
{
	background = t;
	if (t != NULL)
		net_tls_kick(t);
}

int
net_poll(struct pollfd *pfd, size_t n, int timeout)
{
	struct pollfd all[NET_POLL_MAX + 1];
	short ev = background_events();
	int r;

	if (ev == 0 || n > NET_POLL_MAX)
		return poll(pfd, (nfds_t)n, timeout);
	memcpy(all, pfd, n * sizeof(*pfd));
	all[n].fd = background->fd;
	all[n].events = ev;
	all[n].revents = 0;
	r = poll(all, (nfds_t)n + 1, timeout);
	memcpy(pfd, all, n * sizeof(*pfd));
	if (r > 0 && all[n].revents != 0) {
		r--;
		background_pump(all[n].revents);
	}
	return r;
}

/* Wait for events on fd or for wakefd (-1: none), until deadline.
   NET_OK when fd is ready (or in error: the next call on it says),
   else NET_ERR_TIMEOUT, NET_ERR_INTR, or NET_ERR_IO with errno set. */
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
		n = net_poll(pfd, 2, left > 60000 ? 60000 : (int)left);
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

void
net_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const unsigned char *a;
	char tmp[NET_ADDRSTRLEN];
	int i, n = 0, run, best = 0, bestlen = 0, groups;

	if (sa->sa_family == AF_INET) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
		n = fmt_snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", a[0], a[1],
		    a[2], a[3]);
	} else if (sa->sa_family == AF_INET6) {
		/* RFC 5952 4: lower-case hex without leading zeros; the
		   longest run of two or more zero groups, the first of equal
		   ones, as "::"; 5: an IPv4-mapped address (RFC 4291
		   2.5.5.2) ends in the dotted IPv4 form. */
		a = s6->sin6_addr.s6_addr;
		groups = memcmp(a, "\0\0\0\0\0\0\0\0\0\0\377\377", 12) == 0 ?
		    6 : 8;
		for (i = 0; i < groups; i += run + 1) {
			for (run = 0; i + run < groups && a[2 * (i + run)] == 0 &&
			    a[2 * (i + run) + 1] == 0; run++)
				;
			if (run > bestlen && run >= 2) {
				best = i;
				bestlen = run;
			}
		}
		for (i = 0; i < groups; i++) {
			if (bestlen > 0 && i == best) {
				n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "::");
				i += bestlen - 1;
			} else
				n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "%s%x",
				    n > 0 && tmp[n - 1] != ':' ? ":" : "",
				    (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
		}
		if (groups == 6)
			n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "%s%u.%u.%u.%u",
			    tmp[n - 1] != ':' ? ":" : "", a[12], a[13], a[14], a[15]);
		if (s6->sin6_scope_id != 0)
			n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "%%%u",
			    (unsigned)s6->sin6_scope_id);
	}
	/* another family, or a buffer too small: no address at all rather
	   than part of one */
	if (n == 0 || (size_t)n >= len)
		fmt_snprintf(buf, len, "?");
	else
		memcpy(buf, tmp, (size_t)n + 1);
}

/* One non-blocking connect to ai, waited on until until. Returns the
   socket or a NET_ERR_*, with err set on failure. */
static int
connect_one(const struct addrinfo *ai, const char *host, const char *port,
    int64_t until, int wakefd, char *err, size_t errlen)
{
	char addr[NET_ADDRSTRLEN];
	socklen_t sl;
	int fd, rc, soerr, one = 1;

	net_addr_str(ai->ai_addr, addr, sizeof(addr));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1) {
		fmt_snprintf(err, errlen, "%s (%s) port %s: socket: %s", host, addr,
		    port, strerror(errno));
		return NET_ERR_CONNECT;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS) {
			soerr = errno;
			goto fail;
		}
		if ((rc = wait_fd(fd, POLLOUT, until, wakefd)) != NET_OK) {
			fmt_snprintf(err, errlen, "%s (%s) port %s: %s", host, addr,
			    port, rc == NET_ERR_INTR ? "interrupted" :
			    rc == NET_ERR_TIMEOUT ? "connect timed out" :
			    strerror(errno));
			close(fd);
			return rc == NET_ERR_IO ? NET_ERR_CONNECT : rc;
		}
		sl = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			soerr = errno;
		if (soerr != 0)
			goto fail;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	fmt_snprintf(err, errlen, "%s (%s) port %s: %s", host, addr, port,
	    strerror(soerr));
	close(fd);
	return NET_ERR_CONNECT;
}

int
net_connect(const char *host, const char *port, int64_t deadline, int wakefd,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	int64_t now, slice;
	int rc, left = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fmt_snprintf(err, errlen, "cannot resolve %s port %s: %s", host, port,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return NET_ERR_DNS;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		left++;
	fmt_snprintf(err, errlen, "%s port %s: no address", host, port);
	rc = NET_ERR_CONNECT;
	for (ai = res; ai != NULL; ai = ai->ai_next, left--) {
		/* Each address left gets its share of the time left, so one
		   that drops packets does not use up the others' time. */
		now = net_now_ms();
		if (now >= deadline) {
			fmt_snprintf(err, errlen, "%s port %s: connect timed out", host,
			    port);
			rc = NET_ERR_TIMEOUT;
			break;
		}
		slice = (deadline - now) / left;
		if (slice < 1000)
			slice = deadline - now < 1000 ? deadline - now : 1000;
		rc = connect_one(ai, host, port, now + slice, wakefd, err, errlen);
		if (rc >= 0 || rc == NET_ERR_INTR)
			break;
	}
	freeaddrinfo(res);
	if (rc == NET_ERR_TIMEOUT && net_now_ms() < deadline)
		rc = NET_ERR_CONNECT;       /* only a slice ran out */
	return rc;
}

/* ------------------------------------------------------------------ */
/* DER (X.690) and the parts of X.509 (RFC 5280 4.1) that zoomws reads */

/* A span of DER bytes [p, end). */
struct der {
	const unsigned char *p, *end;
};

/*
 * der_next: take the next element off d: its tag into *tag, its value
 * into *val. One-byte tags and definite lengths of up to 3 bytes (X.690
 * 8.1.2, 8.1.3), which is all a certificate of NET_MAX_CERT bytes uses.
 * Returns 0, or -1 when malformed or past the end.
 */
static int
der_next(struct der *d, unsigned *tag, struct der *val)
{
	size_t len, k;

	if (d->end - d->p < 2)
		return -1;
	*tag = *d->p++;
	if ((*tag & 0x1F) == 0x1F)
		return -1;
	len = *d->p++;
	if (len & 0x80) {
		k = len & 0x7F;
		if (k == 0 || k > 3 || (size_t)(d->end - d->p) < k)
			return -1;
		for (len = 0; k > 0; k--)
			len = len << 8 | *d->p++;
	}
	if (len > (size_t)(d->end - d->p))
		return -1;
	val->p = d->p;
	val->end = d->p + len;
	d->p += len;
	return 0;
}

/* der_want: der_next for an element that must have tag want. */
static int
der_want(struct der *d, unsigned want, struct der *val)
{
	unsigned tag;

	if (der_next(d, &tag, val) != 0 || tag != want)
		return -1;
	return 0;
}

/* Is the value v exactly the n bytes at s (an OID's contents)? */
static int
der_is(const struct der *v, const unsigned char *s, size_t n)
{
	return (size_t)(v->end - v->p) == n && memcmp(v->p, s, n) == 0;
}

/*
 * der_uint: take an INTEGER off d that must be positive (X.690 8.3: at
 * least one byte, two's complement, so a set top bit is negative) and
 * not zero; *v is its magnitude, the leading zero bytes left out, as
 * BearSSL wants a key's numbers. Returns 0 or -1.
 */
static int
der_uint(struct der *d, struct der *v)
{
	if (der_want(d, 0x02, v) != 0 || v->p == v->end || (*v->p & 0x80))
		return -1;
	while (v->p < v->end && *v->p == 0)
		v->p++;
	return v->p < v->end ? 0 : -1;
}

/* The OIDs, as their contents octets (X.690 8.19). */
static const unsigned char oid_rsa[] = {        /* 1.2.840.113549.1.1.1 */
	0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01 };
static const unsigned char oid_ec[] = {         /* 1.2.840.10045.2.1 */
	0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
static const unsigned char oid_bc[] = {         /* 2.5.29.19 */
	0x55, 0x1D, 0x13 };
static const struct {
	unsigned char oid[8];
	unsigned char len;
	unsigned char curve;
} named_curves[] = {                             /* RFC 5480 2.1.1.1 */
	{ { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 }, 8,
	  BR_EC_secp256r1 },                     /* 1.2.840.10045.3.1.7 */
	{ { 0x2B, 0x81, 0x04, 0x00, 0x22 }, 5, BR_EC_secp384r1 },
	                                         /* 1.3.132.0.34 */
	{ { 0x2B, 0x81, 0x04, 0x00, 0x23 }, 5, BR_EC_secp521r1 }
	                                         /* 1.3.132.0.35 */
};

/* What a trust anchor takes from a certificate: spans of its DER. */
struct cert {
	struct der dn;          /* subject Name, tag and length included */
	int        key_type;    /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	struct der n, e;        /* RSA: modulus and exponent, unsigned */
	struct der q;           /* EC: the point */
	int        curve;       /* EC: BR_EC_* */
	int        ca;          /* Basic Constraints: cA */
	uint32_t   notbefore;   /* validity, in days since 0000-01-01 */
	uint32_t   notafter;
};

/* cert_parse's results. */
enum { CERT_OK = 0, CERT_UNSUPPORTED = 1, CERT_BAD = -1 };

/* Two digits at s as a number, or -1. */
static int
two_digits(const unsigned char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + s[1] - '0';
}

/*
 * der_days: the Time t (tag tag) as a day count since 0000-01-01 of the
 * proleptic Gregorian calendar, the count BearSSL's X.509 code uses, into
 * *days. RFC 5280 4.1.2.5: UTCTime YYMMDDHHMMSSZ, YY of 50 and over in
 * the 1900s, the rest in the 2000s; GeneralizedTime YYYYMMDDHHMMSSZ,
 * where fractional seconds are skipped (5280 forbids them, BearSSL
 * took them). Returns 0, or -1 when malformed.
 */
static int
der_days(unsigned tag, const struct der *t, uint32_t *days)
{
	/* days before each month in a common year */
	static const unsigned short before[12] = { 0, 31, 59, 90, 120, 151,
	    181, 212, 243, 273, 304, 334 };
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31,
	    31, 30, 31, 30, 31 };
	const unsigned char *p = t->p;
	size_t len = (size_t)(t->end - t->p), n = tag == 0x18 ? 4 : 2, i;
	int f[7], y, m, leap;

	/* the digits: year (2 or 4), month, day, hour, minute, second */
	if ((tag != 0x17 && tag != 0x18) || len < n + 11)
		return -1;
	for (i = 0; i < n / 2 + 5; i++)
		if ((f[i] = two_digits(p + 2 * i)) < 0)
			return -1;
	p += n + 10;
	if (*p == '.' && tag == 0x18)
		for (p++; p < t->end && *p >= '0' && *p <= '9'; p++)
			;
	if (p != t->end - 1 || *p != 'Z')
		return -1;
	if (tag == 0x18) {
		y = f[0] * 100 + f[1];
		memmove(f, f + 1, 6 * sizeof(f[0]));
	} else
		y = f[0] < 50 ? 2000 + f[0] : 1900 + f[0];
	m = f[1];
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || f[2] < 1 || f[2] > mdays[m - 1] ||
	    (m == 2 && f[2] == 29 && !leap) || f[3] > 23 || f[4] > 59 ||
	    f[5] > 60)
		return -1;
	/* 365 a year, and a leap day for each year before y divisible by
	   4 but not by 100 unless by 400 (year 0 was one) */
	*days = (uint32_t)(365 * y + (y + 3) / 4 - (y + 99) / 100 +
	    (y + 399) / 400 + before[m - 1] + (leap && m > 2) + f[2] - 1);
	return 0;
}

/*
 * cert_key: the SubjectPublicKeyInfo spki (RFC 5280 4.1.2.7) into c:
 * SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }.
 * Returns CERT_OK, CERT_UNSUPPORTED for an algorithm, curve or size
 * BearSSL cannot use, or CERT_BAD.
 */
static int
cert_key(struct der *spki, struct cert *c)
{
	struct der alg, oid, bits, seq;
	unsigned tag;
	size_t i;

	if (der_want(spki, 0x30, &alg) != 0 ||
	    der_want(&alg, 0x06, &oid) != 0 ||
	    der_want(spki, 0x03, &bits) != 0 || spki->p != spki->end)
		return CERT_BAD;
	/* X.690 8.6.2.2: the first byte counts the unused bits of the
	   last one; a key is whole bytes. */
	if (bits.p == bits.end || *bits.p++ != 0)
		return CERT_BAD;
	if (der_is(&oid, oid_rsa, sizeof(oid_rsa))) {
		/* RFC 3279 2.3.1: RSAPublicKey ::= SEQUENCE { modulus
		   INTEGER, publicExponent INTEGER }; the parameters are
		   NULL and nothing depends on them. */
		if (der_want(&bits, 0x30, &seq) != 0 || bits.p != bits.end ||
		    der_uint(&seq, &c->n) != 0 || der_uint(&seq, &c->e) != 0 ||
		    seq.p != seq.end)
			return CERT_BAD;
		if (c->n.end - c->n.p > NET_MAX_RSA_BITS / 8)
			return CERT_UNSUPPORTED;
		c->key_type = BR_KEYTYPE_RSA;
		return CERT_OK;
	}
	if (!der_is(&oid, oid_ec, sizeof(oid_ec)))
		return CERT_UNSUPPORTED;        /* Ed25519, DSA... */
	/* RFC 5480 2.1.1: the parameters are ECParameters, of which only
	   a namedCurve OID is allowed here; the key is the ECPoint. */
	if (der_next(&alg, &tag, &oid) != 0 || alg.p != alg.end)
		return CERT_BAD;
	if (tag != 0x06)
		return CERT_UNSUPPORTED;
	for (i = 0; i < sizeof(named_curves) / sizeof(named_curves[0]); i++)
		if (der_is(&oid, named_curves[i].oid, named_curves[i].len))
			break;
	if (i == sizeof(named_curves) / sizeof(named_curves[0]))
		return CERT_UNSUPPORTED;
	if (bits.p == bits.end)
		return CERT_BAD;
	c->key_type = BR_KEYTYPE_EC;
	c->curve = named_curves[i].curve;
	c->q = bits;
	return CERT_OK;
}

/*
 * cert_extensions: the extensions v ([3] EXPLICIT, RFC 5280 4.1.2.9):
 * SEQUENCE OF Extension { extnID OID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING }; of them only basicConstraints is read (4.2.1.9:
 * SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
 * OPTIONAL }), for c->ca. Returns 0, or -1 when malformed (a second
 * basicConstraints included).
 */
static int
cert_extensions(struct der *v, struct cert *c)
{
	struct der exts, ext, oid, val, bc, f;
	unsigned tag;
	int seen = 0;

	if (der_want(v, 0x30, &exts) != 0 || v->p != v->end)
		return -1;
	while (exts.p < exts.end) {
		if (der_want(&exts, 0x30, &ext) != 0 ||
		    der_want(&ext, 0x06, &oid) != 0 ||
		    der_next(&ext, &tag, &val) != 0)
			return -1;
		if (tag == 0x01 && (val.end - val.p != 1 ||
		    der_next(&ext, &tag, &val) != 0))
			return -1;
		if (tag != 0x04 || ext.p != ext.end)
			return -1;
		if (!der_is(&oid, oid_bc, sizeof(oid_bc)))
			continue;
		/* 4.2: an extension appears at most once; which of two
		   would say whether this is a CA? */
		if (seen++ || der_want(&val, 0x30, &bc) != 0 ||
		    val.p != val.end)
			return -1;
		if (bc.p < bc.end && *bc.p == 0x01) {
			/* X.690 8.2.2: any byte but 0 is TRUE (DER writes
			   FF); a FALSE written out, though not DER, is met. */
			if (der_next(&bc, &tag, &f) != 0 || f.end - f.p != 1)
				return -1;
			c->ca = *f.p != 0;
		}
	}
	return 0;
}

/*
 * cert_parse: the certificate buf[0..len) (RFC 5280 4.1) into c, as
 * spans of buf. The structure is checked down to the elements read;
 * what is only skipped (the issuer, the signature) must be well framed.
 * Returns CERT_OK,
 * CERT_UNSUPPORTED (a version after 3, or a key BearSSL cannot use: the
 * rest is then not read), or CERT_BAD with *part naming what is
 * malformed.
 */
static int
cert_parse(const unsigned char *buf, size_t len, struct cert *c,
    const char **part)
{
	struct der d = { buf, buf + len }, crt, tbs, v, f;
	const unsigned char *at;
	unsigned tag, last;
	int rc;

	memset(c, 0, sizeof(*c));
	/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
	   signatureValue }, and nothing after it */
	*part = "outer SEQUENCE";
	if (der_want(&d, 0x30, &crt) != 0 || d.p != d.end)
		return CERT_BAD;
	*part = "tbsCertificate";
	if (der_want(&crt, 0x30, &tbs) != 0 || der_next(&tbs, &tag, &v) != 0)
		return CERT_BAD;
	/* 4.1.2.1: version [0] EXPLICIT INTEGER, v1 (0) when absent,
	   v3 (2) the last there is */
	if (tag == 0xA0) {
		*part = "version";
		if (der_want(&v, 0x02, &f) != 0 || v.p != v.end ||
		    f.p == f.end)
			return CERT_BAD;
		if (f.end - f.p != 1 || *f.p > 2)
			return CERT_UNSUPPORTED;
		*part = "tbsCertificate";
		if (der_next(&tbs, &tag, &v) != 0)
			return CERT_BAD;
	}
	/* serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name */
	if (tag != 0x02 || der_want(&tbs, 0x30, &v) != 0 ||
	    der_want(&tbs, 0x30, &v) != 0)
		return CERT_BAD;
	/* 4.1.2.5: validity SEQUENCE { notBefore Time, notAfter Time },
	   Time ::= CHOICE { UTCTime, GeneralizedTime } */
	*part = "validity";
	if (der_want(&tbs, 0x30, &v) != 0 || der_next(&v, &tag, &f) != 0 ||
	    der_days(tag, &f, &c->notbefore) != 0 ||
	    der_next(&v, &tag, &f) != 0 ||
	    der_days(tag, &f, &c->notafter) != 0 || v.p != v.end)
		return CERT_BAD;
	*part = "subject";
	at = tbs.p;
	if (der_want(&tbs, 0x30, &v) != 0)
		return CERT_BAD;
	c->dn.p = at;
	c->dn.end = v.end;
	*part = "subjectPublicKeyInfo";
	if (der_want(&tbs, 0x30, &v) != 0 ||
	    (rc = cert_key(&v, c)) == CERT_BAD)
		return CERT_BAD;
	if (rc == CERT_UNSUPPORTED)
		return rc;
	/* issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each
	   optional, in that order */
	*part = "extensions";
	for (last = 0; tbs.p < tbs.end; last = tag & 0x1F) {
		if (der_next(&tbs, &tag, &v) != 0 || (tag & 0xC0) != 0x80 ||
		    (tag & 0x1F) <= last || (tag & 0x1F) > 3)
			return CERT_BAD;
		if ((tag & 0x1F) == 3 &&
		    (tag != 0xA3 || cert_extensions(&v, c) != 0))
			return CERT_BAD;
	}
	/* signatureAlgorithm, signatureValue BIT STRING of whole bytes */
	*part = "signature";
	if (der_want(&crt, 0x30, &v) != 0 || der_want(&crt, 0x03, &v) != 0 ||
	    v.p == v.end || *v.p != 0 || crt.p != crt.end)
		return CERT_BAD;
	return CERT_OK;
}

/* ------------------------------------------------------------------ */
/* Trust anchors                                                      */

static void
anchor_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);          /* one block: DN, then key bytes */
}

/* Make p failed with err set from fmt; returns NET_ERR_CONFIG. */
static int
pem_fail(struct net_pem *p, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	p->state = NET_PEM_FAILED;
	p->rc = NET_ERR_CONFIG;
	return p->rc;
}

/* anchor_add's results: an anchor added or skipped, or why not. */
enum { ANCHOR_ADDED = 1, ANCHOR_SKIPPED = 0, ANCHOR_BAD_DER = -1,
    ANCHOR_TOO_MANY = -2, ANCHOR_NO_MEMORY = -3 };

/*
 * anchor_add: the certificate der[0..len) as an anchor of a, its DN and
 * key bytes copied into one block. Returns an ANCHOR_* (for
 * ANCHOR_BAD_DER, *part names what is malformed).
 */
static int
anchor_add(struct net_anchors *a, const unsigned char *der, size_t len,
    const char **part)
{
	br_x509_trust_anchor *ta, *nt;
	struct cert c;
	unsigned char *blk;
	size_t dnlen, nlen, elen;
	int rc;

	if ((rc = cert_parse(der, len, &c, part)) == CERT_UNSUPPORTED) {
		/* A key BearSSL cannot use (Ed25519, DSA...): such a CA
		   could never verify a chain here anyway. */
		a->skipped++;
		return ANCHOR_SKIPPED;
	}
	if (rc != CERT_OK)
		return ANCHOR_BAD_DER;
	if (a->n >= NET_MAX_ANCHORS)
		return ANCHOR_TOO_MANY;
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 64;

		if ((nt = realloc(a->ta, ncap * sizeof(*nt))) == NULL)
			return ANCHOR_NO_MEMORY;
		a->ta = nt;
		a->cap = ncap;
	}
	dnlen = (size_t)(c.dn.end - c.dn.p);
	if (c.key_type == BR_KEYTYPE_RSA) {
		nlen = (size_t)(c.n.end - c.n.p);
		elen = (size_t)(c.e.end - c.e.p);
	} else {
		nlen = (size_t)(c.q.end - c.q.p);
		elen = 0;
	}
	if ((blk = malloc(dnlen + nlen + elen + 1)) == NULL)
		return ANCHOR_NO_MEMORY;
	ta = &a->ta[a->n++];
	memset(ta, 0, sizeof(*ta));
	ta->flags = c.ca ? BR_X509_TA_CA : 0;
	ta->dn.data = memcpy(blk, c.dn.p, dnlen);
	ta->dn.len = dnlen;
	blk += dnlen;
	ta->pkey.key_type = (unsigned char)c.key_type;
	if (c.key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = memcpy(blk, c.n.p, nlen);
		ta->pkey.key.rsa.nlen = nlen;
		ta->pkey.key.rsa.e = memcpy(blk + nlen, c.e.p, elen);
		ta->pkey.key.rsa.elen = elen;
	} else {
		ta->pkey.key.ec.curve = c.curve;
		ta->pkey.key.ec.q = memcpy(blk, c.q.p, nlen);
		ta->pkey.key.ec.qlen = nlen;
	}
	return ANCHOR_ADDED;
}

/* The message for anchor_add's failure rc into err. */
static void
anchor_error(char *err, size_t errlen, int rc, const char *part)
{
	if (rc == ANCHOR_BAD_DER)
		fmt_snprintf(err, errlen, "not a valid X.509 certificate (bad "
		    "%s)", part);
	else if (rc == ANCHOR_TOO_MANY)
		fmt_snprintf(err, errlen, "more than %d certificates",
		    NET_MAX_ANCHORS);
	else
		fmt_snprintf(err, errlen, "out of memory");
}

int
net_anchors_add_der(struct net_anchors *a, const void *der, size_t len,
    char *err, size_t errlen)
{
	const char *part;
	int rc;

	if ((rc = anchor_add(a, der, len, &part)) >= 0)
		return rc;
	anchor_error(err, errlen, rc, part);
	return NET_ERR_CONFIG;
}

/* The certificate in p->der becomes an anchor of p->a. */
static int
pem_add_cert(struct net_pem *p, char *err, size_t errlen)
{
	const char *part;
	char why[96], cert[32] = "";
	int rc;

	if ((rc = anchor_add(p->a, p->der, p->derlen, &part)) >= 0) {
		if (rc == ANCHOR_SKIPPED)
			p->skipped++;
		return NET_OK;
	}
	if (rc == ANCHOR_BAD_DER)
		fmt_snprintf(cert, sizeof(cert), "certificate %zu: ", p->certs);
	anchor_error(why, sizeof(why), rc, part);
	return pem_fail(p, err, errlen, "%s%s", cert, why);
}

/* Bytes that may stand between the base64 characters of a line: RFC
   7468 3 allows spaces and tabs (WSP); a CR is left out anywhere, so
   CRLF files read like LF ones. */
static int
pem_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Does s[0..n) start with w (lower case), ignoring ASCII case? With
   exact, is it w? Boundaries and labels are read without regard to
   case, as BearSSL's decoder read them before. */
static int
pem_is(const char *s, size_t n, const char *w, int exact)
{
	size_t i;

	for (i = 0; w[i] != '\0'; i++)
		if (i == n || ascii_lower((unsigned char)s[i]) != w[i])
			return 0;
	return !exact || i == n;
}

/*
 * pem_dashes: act on a whole line that starts with a dash, kept in
 * p->linebuf without its CRs (p->linelen > NET_PEM_LINE: it was longer
 * and is neither). RFC 7468 2: "-----BEGIN label-----" opens an object,
 * "-----END label-----" closes it; the END label is not compared with
 * the BEGIN one (section 2 lets a parser ignore it; BearSSL did). Blanks
 * after the closing dashes are allowed (section 3, WSP). Outside an
 * object another line is text; inside a certificate it is an error.
 */
static int
pem_dashes(struct net_pem *p, char *err, size_t errlen)
{
	static const char begin[] = "-----begin ";
	const char *s = p->linebuf;
	size_t n = p->linelen > NET_PEM_LINE ? 0 : p->linelen;
	int rc;

	while (n > 0 && pem_blank(s[n - 1]))
		n--;
	if (pem_is(s, n, begin, 0)) {
		if (p->state != NET_PEM_OUTSIDE)
			return pem_fail(p, err, errlen, "not valid PEM at line "
			    "%zu: BEGIN inside an object (its END missing?)",
			    p->lineno);
		s += sizeof(begin) - 1;
		n -= sizeof(begin) - 1;
		while (n > 0 && s[n - 1] == '-')
			n--;
		/* RFC 7468 5.1: a certificate; "X509 CERTIFICATE" is
		   what older OpenSSL wrote. */
		if (pem_is(s, n, "certificate", 1) ||
		    pem_is(s, n, "x509 certificate", 1)) {
			p->state = NET_PEM_IN_CERT;
			p->certs++;
			p->derlen = 0;
			b64_dec_init(&p->b64);
			return NET_OK;
		}
		/* A key, a CRL, parameters: not ours. OpenSSL's TRUSTED
		   CERTIFICATE carries trust settings (such as "not for
		   servers") BearSSL cannot honour: left out. */
		if (pem_is(s, n, "trusted certificate", 1)) {
			p->skipped++;
			p->a->skipped++;
		}
		p->state = NET_PEM_IN_OTHER;
		return NET_OK;
	}
	if (pem_is(s, n, "-----end ", 0)) {
		if (p->state == NET_PEM_IN_CERT) {
			if ((rc = b64_dec_final(&p->b64)) != B64_OK)
				return pem_fail(p, err, errlen, "not valid PEM "
				    "at line %zu: %s", p->lineno,
				    b64_strerror(rc));
			if (pem_add_cert(p, err, errlen) != NET_OK)
				return p->rc;
		}
		p->state = NET_PEM_OUTSIDE;
		return NET_OK;
	}
	if (p->state == NET_PEM_IN_CERT)
		return pem_fail(p, err, errlen, "not valid PEM at line %zu: "
		    "neither base64 nor an END line", p->lineno);
	return NET_OK;
}

/* The base64 of a certificate in s[0..n), blanks left out, decoded onto
   p->der as it comes: a base64 line may be of any length. */
static int
pem_base64(struct net_pem *p, const char *s, size_t n, char *err,
    size_t errlen)
{
	size_t i = 0, run, w;
	int rc;

	while (i < n) {
		if (pem_blank(s[i])) {
			i++;
			continue;
		}
		for (run = i; i < n && !pem_blank(s[i]); i++)
			;
		rc = b64_dec_update(&p->b64, p->der + p->derlen,
		    sizeof(p->der) - p->derlen, &w, s + run, i - run);
		p->derlen += w;
		if (rc == B64_ERR_SPACE)
			return pem_fail(p, err, errlen, "certificate %zu: larger "
			    "than %d bytes", p->certs, NET_MAX_CERT);
		if (rc != B64_OK)
			return pem_fail(p, err, errlen, "not valid PEM at line "
			    "%zu: %s", p->lineno, b64_strerror(rc));
	}
	return NET_OK;
}

/* s[0..n): a piece of the current line, without its newline. */
static int
pem_piece(struct net_pem *p, const char *s, size_t n, char *err,
    size_t errlen)
{
	size_t i = 0;

	/* The first byte of a line but CRs says what the line is. */
	if (p->line == NET_PEM_LINE_START) {
		while (i < n && s[i] == '\r')
			i++;
		if (i == n)
			return NET_OK;
		if (s[i] == '-') {
			p->line = NET_PEM_LINE_DASHES;
			p->linelen = 0;
		} else if (p->state == NET_PEM_IN_CERT)
			p->line = NET_PEM_LINE_BASE64;
		else
			p->line = NET_PEM_LINE_TEXT;
	}
	switch (p->line) {
	case NET_PEM_LINE_DASHES:
		for (; i < n; i++) {
			if (s[i] == '\r')
				continue;
			if (p->linelen < NET_PEM_LINE)
				p->linebuf[p->linelen] = s[i];
			if (p->linelen <= NET_PEM_LINE)
				p->linelen++;
		}
		return NET_OK;
	case NET_PEM_LINE_BASE64:
		return pem_base64(p, s + i, n - i, err, errlen);
	case NET_PEM_LINE_TEXT:
	case NET_PEM_LINE_START:
	default:
		return NET_OK;
	}
}

/* Feed s[0..len) line by line: each piece up to a newline, then the
   line's end. */
static int
pem_feed(struct net_pem *p, const char *s, size_t len, char *err,
    size_t errlen)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		if (pem_piece(p, s, n, err, errlen) != NET_OK)
			return p->rc;
		p->total += n;
		if (nl == NULL)
			break;
		s += n + 1;
		len -= n + 1;
		p->total++;
		if (p->line == NET_PEM_LINE_DASHES &&
		    pem_dashes(p, err, errlen) != NET_OK)
			return p->rc;
		p->line = NET_PEM_LINE_START;
		p->lineno++;
	}
	return NET_OK;
}

void
net_pem_begin(struct net_pem *p, struct net_anchors *a)
{
	p->a = a;
	p->state = NET_PEM_OUTSIDE;
	p->line = NET_PEM_LINE_START;
	p->rc = NET_OK;
	p->start = a->n;
	p->total = 0;
	p->lineno = 1;
	p->certs = 0;
	p->skipped = 0;
	p->linelen = 0;
	b64_dec_init(&p->b64);
	p->derlen = 0;
}

int
net_pem_push(struct net_pem *p, const void *buf, size_t len, char *err,
    size_t errlen)
{
	if (p->state == NET_PEM_FAILED)
		return p->rc;
	if (len > NET_MAX_PEM - p->total)
		return pem_fail(p, err, errlen, "CA bundle larger than %u bytes",
		    NET_MAX_PEM);
	return pem_feed(p, buf, len, err, errlen);
}

int
net_pem_end(struct net_pem *p, char *err, size_t errlen)
{
	struct net_anchors *a = p->a;

	/* A last newline ends a last line that has none; it is a blank
	   line otherwise. */
	if (p->state != NET_PEM_FAILED &&
	    pem_feed(p, "\n", 1, err, errlen) == NET_OK &&
	    p->state != NET_PEM_OUTSIDE)
		pem_fail(p, err, errlen, "CA bundle ends inside a PEM object "
		    "(truncated?)");
	if (p->state == NET_PEM_FAILED) {
		while (a->n > p->start)
			anchor_free(&a->ta[--a->n]);
		a->skipped -= p->skipped;
		return p->rc;
	}
	return (int)(a->n - p->start);
}

int
net_anchors_from_pem(struct net_anchors *a, const char *pem, size_t len,
    char *err, size_t errlen)
{
	struct net_pem *p;
	int rc;

	/* About 17 KiB: on the heap, so callers with small stacks work. */
	if ((p = malloc(sizeof(*p))) == NULL) {
		fmt_snprintf(err, errlen, "out of memory");
		return NET_ERR_CONFIG;
	}
	net_pem_begin(p, a);
	net_pem_push(p, pem, len, err, errlen);
	rc = net_pem_end(p, err, errlen);
	free(p);
	return rc;
}

int
net_anchors_from_file(struct net_anchors *a, const char *path, char *err,
    size_t errlen)
{
	struct net_pem *p;
	struct stat st;
	char buf[4096], why[256];
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fmt_snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NET_ERR_CONFIG;
	}
	if (fstat(fd, &st) == -1) {
		fmt_snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NET_ERR_CONFIG;
	}
	if (S_ISDIR(st.st_mode)) {
		fmt_snprintf(err, errlen, "%s: is a directory, not a PEM file", path);
		close(fd);
		return NET_ERR_CONFIG;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		fmt_snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NET_ERR_CONFIG;
	}
	net_pem_begin(p, a);
	rc = NET_OK;
	while (rc == NET_OK) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = pem_fail(p, why, sizeof(why), "read: %s",
			    strerror(errno));
		if (n <= 0)
			break;
		rc = net_pem_push(p, buf, (size_t)n, why, sizeof(why));
	}
	close(fd);
	rc = net_pem_end(p, why, sizeof(why));
	if (rc == 0)
		a->skipped -= p->skipped;     /* an error changes nothing */
	if (rc == 0 && p->skipped > 0)
		fmt_snprintf(err, errlen, "%s: no certificate BearSSL can use (%zu "
		    "left out: unsupported key type or TRUSTED CERTIFICATE "
		    "form)", path, p->skipped);
	else if (rc == 0)
		fmt_snprintf(err, errlen, "%s: no certificate in it", path);
	else if (rc < 0)
		fmt_snprintf(err, errlen, "%s: %s", path, why);
	free(p);
	return rc == 0 ? NET_ERR_CONFIG : rc;
}

int
net_anchors_load(struct net_anchors *a, const char *ca_file, char *source,
    size_t srclen, char *err, size_t errlen)
{
	const char *env = getenv("SSL_CERT_FILE");
	int i, rc;

	if (ca_file == NULL && env != NULL && env[0] != '\0')
		ca_file = env;
	if (ca_file != NULL) {
		fmt_snprintf(source, srclen, "%s", ca_file);
		return net_anchors_from_file(a, ca_file, err, errlen);
	}
	for (i = 0; system_bundles[i] != NULL; i++) {
		if (access(system_bundles[i], R_OK) != 0)
			continue;
		fmt_snprintf(source, srclen, "%s", system_bundles[i]);
		return net_anchors_from_file(a, system_bundles[i], err, errlen);
	}
#ifdef ZOOMWS_BUILTIN_CA
	fmt_snprintf(source, srclen, "built-in");
	rc = net_anchors_from_pem(a, zoomws_builtin_ca,
	    sizeof(zoomws_builtin_ca) - 1, err, errlen);
	if (rc == 0) {
		fmt_snprintf(err, errlen, "no usable certificate built in");
		rc = NET_ERR_CONFIG;
	}
	return rc;
#else
	(void)rc;
	fmt_snprintf(source, srclen, "nowhere");
	fmt_snprintf(err, errlen, "no CA bundle found (looked for %s and others); "
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
	a->n = a->cap = a->skipped = 0;
}

/* ------------------------------------------------------------------ */
/* The X.509 wrapper: verify with the minimal engine, decode the      */
/* server's own certificate on the side, and match an IP address.     */

/*
 * ee_has_ip: does the certificate der[0..len) carry the address ip
 * (iplen 4 or 16 bytes) as an iPAddress in its subjectAltName? RFC 5280
 * 4.1 and 4.2.1.6: Certificate SEQUENCE > tbsCertificate SEQUENCE >
 * extensions [3] > SEQUENCE OF Extension { extnID OID, critical BOOLEAN
 * OPTIONAL, extnValue OCTET STRING } whose value, for 2.5.29.17, is a
 * SEQUENCE OF GeneralName, iPAddress being [7] IMPLICIT OCTET STRING.
 */
static int
ee_has_ip(const unsigned char *der, size_t len, const unsigned char *ip,
    size_t iplen)
{
	static const unsigned char san_oid[] = { 0x55, 0x1D, 0x11 };
	struct der d = { der, der + len }, cert, tbs, v, exts, ext, f, names;
	unsigned tag;

	if (der_next(&d, &tag, &cert) != 0 || tag != 0x30 ||
	    der_next(&cert, &tag, &tbs) != 0 || tag != 0x30)
		return 0;
	do {
		if (der_next(&tbs, &tag, &v) != 0)
			return 0;       /* no extensions */
	} while (tag != 0xA3);
	if (der_next(&v, &tag, &exts) != 0 || tag != 0x30)
		return 0;
	while (exts.p < exts.end) {
		if (der_next(&exts, &tag, &ext) != 0 || tag != 0x30 ||
		    der_next(&ext, &tag, &f) != 0 || tag != 0x06)
			return 0;
		if ((size_t)(f.end - f.p) != sizeof(san_oid) ||
		    memcmp(f.p, san_oid, sizeof(san_oid)) != 0)
			continue;
		if (der_next(&ext, &tag, &f) != 0)
			return 0;
		if (tag == 0x01 && der_next(&ext, &tag, &f) != 0)
			return 0;
		if (tag != 0x04 || der_next(&f, &tag, &names) != 0 ||
		    tag != 0x30)
			return 0;
		while (names.p < names.end) {
			if (der_next(&names, &tag, &v) != 0)
				return 0;
			if (tag == 0x87 && (size_t)(v.end - v.p) == iplen &&
			    memcmp(v.p, ip, iplen) == 0)
				return 1;
		}
		return 0;       /* RFC 5280 4.2: one extension of a kind */
	}
	return 0;
}

static struct net_x509 *
x509_of(const br_x509_class *const *ctx)
{
	return (struct net_x509 *)(void *)(uintptr_t)ctx;
}

static void
x509_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct net_x509 *x = x509_of(ctx);

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
x509_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct net_x509 *x = x509_of(ctx);

	x->minimal.vtable->start_cert(&x->minimal.vtable, length);
}

static void
x509_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct net_x509 *x = x509_of(ctx);

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
x509_end_cert(const br_x509_class **ctx)
{
	struct net_x509 *x = x509_of(ctx);
	const char *part;
	struct cert c;
	int rc;

	/* The server's own certificate, for reports: its subject and
	   dates, also when its key is one an anchor could not have. */
	if (x->ncerts == 0 && !x->eetrunc) {
		rc = cert_parse(x->ee, x->eelen, &c, &part);
		if (c.dn.p != NULL) {
			x->dnlen = (size_t)(c.dn.end - c.dn.p);
			if (x->dnlen > sizeof(x->dn))
				x->dnlen = sizeof(x->dn);
			memcpy(x->dn, c.dn.p, x->dnlen);
		}
		if (rc != CERT_BAD && c.notafter != 0) {
			x->ee_ok = 1;
			x->notbefore_days = c.notbefore;
			x->notafter_days = c.notafter;
		}
	}
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
 * engine_init: a client engine with only what zoomws offers: TLS 1.2,
 * the suites above, ECDHE on BearSSL's curves (X25519, P-256, P-384,
 * P-521), RSA and ECDSA signatures, SHA-1 to SHA-512 for certificates.
 * Linking no more than this keeps the binary small (BearSSL's "full"
 * profile adds CBC, CCM, 3DES, RSA key exchange and TLS 1.0/1.1).
 * RSA signatures are checked by the i31 code on every target: the
 * default on 64-bit ones, i62, is 2 KiB more for a public-key operation
 * (e = 65537) that takes 0.3 ms either way, a few times a handshake.
 * Returns 0, or -1 when this BearSSL lacks an implementation chosen.
 */
static int
engine_init(struct net_tls *t, const struct net_anchors *a)
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
	br_ssl_engine_set_ec(eng, br_ec_get_default());
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
	br_x509_minimal_set_ecdsa(xc, br_ec_get_default(),
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
	t->x509.vtable = &x509_vtable;
	br_ssl_engine_set_x509(eng, &t->x509.vtable);
	return chacha != 0 && poly != 0 ? 0 : -1;
}

int
net_tls_start(struct net_tls *t, int fd, const char *host,
    const struct net_anchors *a)
{
	size_t hl = strlen(host);
	int resume;

	if (hl == 0 || hl > NET_MAX_HOST || a == NULL || a->n == 0)
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
check_done(struct net_tls *t)
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
net_tls_events(const struct net_tls *t)
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
net_tls_closed(const struct net_tls *t)
{
	return !t->open || t->eof ||
	    (br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_CLOSED) != 0;
}

int
net_tls_handshake_done(const struct net_tls *t)
{
	return t->done;
}

/* The engine has closed: a clean close or a failure. A handshake that
   failed forgets the session it offered, lest it be offered forever. */
static int
engine_ended(struct net_tls *t)
{
	if (br_ssl_engine_last_error(&t->sc.eng) == BR_ERR_OK)
		return NET_ERR_CLOSED;
	if (!t->done)
		t->have_session = 0;
	return NET_ERR_TLS;
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
net_tls_kick(struct net_tls *t)
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
net_tls_recv_buf(struct net_tls *t, size_t *len)
{
	*len = 0;
	if (!t->open)
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
	if (!t->open)
		return NULL;
	return br_ssl_engine_sendapp_buf(&t->sc.eng, len);
}

void
net_tls_send_ack(struct net_tls *t, size_t n)
{
	if (n > 0)
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
		return net_tls_closed(t) ? net_tls_pump(t, 0) : NET_ERR_STALLED;
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
		if ((rc = tls_step(t, deadline, wakefd)) != NET_OK)
			return rc;
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

long
net_tls_read(struct net_tls *t, void *buf, size_t cap, int64_t deadline,
    int wakefd)
{
	unsigned char *p;
	size_t len;
	int rc;

	if (cap == 0)
		return 0;
	for (;;) {
		if ((p = net_tls_recv_buf(t, &len)) != NULL && len > 0) {
			if (len > cap)
				len = cap;
			memcpy(buf, p, len);
			net_tls_recv_ack(t, len);
			return (long)len;
		}
		if ((rc = tls_step(t, deadline, wakefd)) != NET_OK &&
		    ((p = net_tls_recv_buf(t, &len)) == NULL || len == 0))
			return rc;
	}
}

void
net_tls_close(struct net_tls *t)
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
	time_t secs = ((time_t)days - 719528) * 86400;
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL)
		fmt_snprintf(buf, cap, "?");
	else
		fmt_snprintf(buf, cap, "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
}

/* The name of a TLS alert (RFC 5246 7.2, RFC 6066 9, RFC 8446 6). */
static const char *
alert_name(int a)
{
	switch (a) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 22: return "record_overflow";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 100: return "no_renegotiation";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 112: return "unrecognized_name";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	default: return "unknown alert";
	}
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
expired_reason(const struct net_tls *t, char *buf, size_t cap)
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
net_tls_error(const struct net_tls *t, char *buf, size_t cap)
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
net_tls_describe(const struct net_tls *t, char *buf, size_t cap)
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
net_tls_resumed(const struct net_tls *t)
{
	return t->resumed;
}

/* The CommonName (OID 2.5.4.3, RFC 5280 4.1.2.4) of a DER-encoded DN:
   SEQUENCE OF SET OF SEQUENCE { OID, string }; printable ASCII kept,
   other bytes shown as '?'. "?" when there is none. */
static void
dn_common_name(const unsigned char *dn, size_t len, char *buf, size_t cap)
{
	static const unsigned char cn_oid[] = { 0x55, 0x04, 0x03 };
	struct der d = { dn, dn + len }, rdns, set, atv, oid, val;
	unsigned tag;
	size_t j;

	fmt_snprintf(buf, cap, "?");
	if (der_next(&d, &tag, &rdns) != 0 || tag != 0x30)
		return;
	while (der_next(&rdns, &tag, &set) == 0 && tag == 0x31) {
		while (der_next(&set, &tag, &atv) == 0 && tag == 0x30) {
			if (der_next(&atv, &tag, &oid) != 0 || tag != 0x06 ||
			    der_next(&atv, &tag, &val) != 0)
				return;
			if ((size_t)(oid.end - oid.p) != sizeof(cn_oid) ||
			    memcmp(oid.p, cn_oid, sizeof(cn_oid)) != 0)
				continue;
			for (j = 0; val.p + j < val.end && j + 1 < cap; j++)
				buf[j] = val.p[j] >= 0x20 && val.p[j] < 0x7f ?
				    (char)val.p[j] : '?';
			buf[j] = '\0';
			return;
		}
	}
}

void
net_tls_peer_summary(const struct net_tls *t, char *buf, size_t cap)
{
	char cn[128], after[40];

	dn_common_name(t->x509.dn, t->x509.dnlen, cn, sizeof(cn));
	if (t->x509.ee_ok)
		date_of_days(t->x509.notafter_days, after, sizeof(after));
	else
		fmt_snprintf(after, sizeof(after), "?");
	fmt_snprintf(buf, cap, "certificate CN=%s, expires %s", cn, after);
}
