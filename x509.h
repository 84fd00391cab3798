/*
 * x509.h - the parts of an X.509 certificate (RFC 5280 4.1, DER as X.690
 * says) that zoomws reads: for a trust anchor its subject and key, for
 * the server's certificate its dates, its CommonName and its iPAddress
 * names. A walk over the caller's bytes: no I/O, no allocation, every
 * length checked against the element around it before it is used.
 *
 * Verification is not done here: BearSSL's minimal X.509 engine does
 * it (tls.c); these walks serve trust anchors (ca.c) and reports.
 */
#ifndef X509_H
#define X509_H

#include <stddef.h>
#include <stdint.h>

#define X509_MAX_CERT     16384   /* largest certificate (DER) read: in a
                                     bundle or sent by the server */
#define X509_MAX_RSA_BITS 4096    /* BearSSL's RSA limit (BR_MAX_RSA_SIZE,
                                     in its inner.h) */

/* A span of bytes [p, end) in the caller's buffer. */
struct x509_span {
	const unsigned char *p, *end;
};

/* What a certificate tells: spans of its DER. */
struct x509_cert {
	struct x509_span dn;        /* subject Name, tag and length included */
	int              key_type;  /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	struct x509_span n, e;      /* RSA: modulus and exponent, unsigned */
	struct x509_span q;         /* EC: the point */
	int              curve;     /* EC: BR_EC_* */
	int              ca;        /* Basic Constraints: cA */
	uint32_t         notbefore; /* validity, in days since 0000-01-01 */
	uint32_t         notafter;  /* (BearSSL's count) */
};

/* x509_cert_parse's results. */
enum { X509_OK = 0, X509_UNSUPPORTED = 1, X509_BAD = -1 };

/*
 * x509_cert_parse: the certificate buf[0..len) into c, as spans of buf.
 * The structure is checked down to the elements read; what is only
 * skipped (the issuer, the signature) must be well framed. Returns
 * X509_OK; X509_UNSUPPORTED for a version after 3 or a key BearSSL
 * cannot use (Ed25519, DSA, an unnamed or unknown curve, RSA over
 * X509_MAX_RSA_BITS): the rest is then not read, but c->dn and the dates
 * are set; or X509_BAD with *part naming what is malformed ("validity",
 * "extensions", ...). Reads only buf[0..len).
 */
int x509_cert_parse(const unsigned char *buf, size_t len,
    struct x509_cert *c, const char **part);

/*
 * x509_has_ip: does the certificate der[0..len) name the address ip
 * (iplen 4 or 16 bytes) as an iPAddress of its subjectAltName (RFC 5280
 * 4.2.1.6)? 1 or 0; 0 also for anything malformed on the way.
 */
int x509_has_ip(const unsigned char *der, size_t len, const unsigned char *ip,
    size_t iplen);

/*
 * x509_common_name: the CommonName (OID 2.5.4.3, RFC 5280 4.1.2.4) of the
 * DER-encoded Name dn[0..len) into buf (cap > 0 bytes, NUL-terminated,
 * cut to fit): printable ASCII kept, other bytes shown as '?'. "?" when
 * there is none or the Name is malformed.
 */
void x509_common_name(const unsigned char *dn, size_t len, char *buf,
    size_t cap);

#endif
