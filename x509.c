/*
 * x509.c - a DER walk over X.509 certificates (RFC 5280 4.1, X.690):
 * what a trust anchor takes from a certificate, and what reports and
 * address checks read from the server's. Spans of the caller's buffer,
 * no allocation, no I/O.
 */
#include <stdint.h>
#include <string.h>

#include <bearssl.h>

#include "x509.h"

/*
 * der_next: take the next element off d: its tag into *tag, its value
 * into *val. One-byte tags and definite lengths of up to 3 bytes (X.690
 * 8.1.2, 8.1.3), which is all a certificate of X509_MAX_CERT bytes uses.
 * Returns 0, or -1 when malformed or past the end.
 */
static int
der_next(struct x509_span *d, unsigned *tag, struct x509_span *val)
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
der_want(struct x509_span *d, unsigned want, struct x509_span *val)
{
	unsigned tag;

	if (der_next(d, &tag, val) != 0 || tag != want)
		return -1;
	return 0;
}

/* Is the value v exactly the n bytes at s (an OID's contents)? */
static int
der_is(const struct x509_span *v, const unsigned char *s, size_t n)
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
der_uint(struct x509_span *d, struct x509_span *v)
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
der_days(unsigned tag, const struct x509_span *t, uint32_t *days)
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
 * Returns X509_OK, X509_UNSUPPORTED for an algorithm, curve or size
 * BearSSL cannot use, or X509_BAD.
 */
static int
cert_key(struct x509_span *spki, struct x509_cert *c)
{
	struct x509_span alg, oid, bits, seq;
	unsigned tag;
	size_t i;

	if (der_want(spki, 0x30, &alg) != 0 ||
	    der_want(&alg, 0x06, &oid) != 0 ||
	    der_want(spki, 0x03, &bits) != 0 || spki->p != spki->end)
		return X509_BAD;
	/* X.690 8.6.2.2: the first byte counts the unused bits of the
	   last one; a key is whole bytes. */
	if (bits.p == bits.end || *bits.p++ != 0)
		return X509_BAD;
	if (der_is(&oid, oid_rsa, sizeof(oid_rsa))) {
		/* RFC 3279 2.3.1: RSAPublicKey ::= SEQUENCE { modulus
		   INTEGER, publicExponent INTEGER }; the parameters are
		   NULL and nothing depends on them. */
		if (der_want(&bits, 0x30, &seq) != 0 || bits.p != bits.end ||
		    der_uint(&seq, &c->n) != 0 || der_uint(&seq, &c->e) != 0 ||
		    seq.p != seq.end)
			return X509_BAD;
		if (c->n.end - c->n.p > X509_MAX_RSA_BITS / 8)
			return X509_UNSUPPORTED;
		c->key_type = BR_KEYTYPE_RSA;
		return X509_OK;
	}
	if (!der_is(&oid, oid_ec, sizeof(oid_ec)))
		return X509_UNSUPPORTED;        /* Ed25519, DSA... */
	/* RFC 5480 2.1.1: the parameters are ECParameters, of which only
	   a namedCurve OID is allowed here; the key is the ECPoint. */
	if (der_next(&alg, &tag, &oid) != 0 || alg.p != alg.end)
		return X509_BAD;
	if (tag != 0x06)
		return X509_UNSUPPORTED;
	for (i = 0; i < sizeof(named_curves) / sizeof(named_curves[0]); i++)
		if (der_is(&oid, named_curves[i].oid, named_curves[i].len))
			break;
	if (i == sizeof(named_curves) / sizeof(named_curves[0]))
		return X509_UNSUPPORTED;
	if (bits.p == bits.end)
		return X509_BAD;
	c->key_type = BR_KEYTYPE_EC;
	c->curve = named_curves[i].curve;
	c->q = bits;
	return X509_OK;
}

/*
 * ext_next: take the next Extension off the SEQUENCE OF exts (RFC 5280
 * 4.1: Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT
 * FALSE, extnValue OCTET STRING }): its OID into *oid, the contents of
 * its OCTET STRING into *value. Returns 1 when one was taken, 0 at the
 * end of exts, -1 when malformed. The one walk over extensions, for
 * basicConstraints and for subjectAltName.
 */
static int
ext_next(struct x509_span *exts, struct x509_span *oid,
    struct x509_span *value)
{
	struct x509_span ext;
	unsigned tag;

	if (exts->p == exts->end)
		return 0;
	if (der_want(exts, 0x30, &ext) != 0 || der_want(&ext, 0x06, oid) != 0 ||
	    der_next(&ext, &tag, value) != 0)
		return -1;
	if (tag == 0x01 && (value->end - value->p != 1 ||
	    der_next(&ext, &tag, value) != 0))
		return -1;
	if (tag != 0x04 || ext.p != ext.end)
		return -1;
	return 1;
}

/*
 * cert_extensions: the extensions v ([3] EXPLICIT, RFC 5280 4.1.2.9);
 * of them only basicConstraints is read (4.2.1.9: SEQUENCE { cA BOOLEAN
 * DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }), for c->ca.
 * Returns 0, or -1 when malformed (a second basicConstraints included).
 */
static int
cert_extensions(struct x509_span *v, struct x509_cert *c)
{
	struct x509_span exts, oid, val, bc, f;
	unsigned tag;
	int rc, seen = 0;

	if (der_want(v, 0x30, &exts) != 0 || v->p != v->end)
		return -1;
	while ((rc = ext_next(&exts, &oid, &val)) > 0) {
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
	return rc;
}

/*
 * x509_cert_parse: the certificate buf[0..len) (RFC 5280 4.1) into c, as
 * spans of buf. The structure is checked down to the elements read;
 * what is only skipped (the issuer, the signature) must be well framed.
 * Returns X509_OK,
 * X509_UNSUPPORTED (a version after 3, or a key BearSSL cannot use: the
 * rest is then not read), or X509_BAD with *part naming what is
 * malformed.
 */
int
x509_cert_parse(const unsigned char *buf, size_t len, struct x509_cert *c,
    const char **part)
{
	struct x509_span d = { buf, buf + len }, crt, tbs, v, f;
	const unsigned char *at;
	unsigned tag, last;
	int rc;

	memset(c, 0, sizeof(*c));
	/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
	   signatureValue }, and nothing after it */
	*part = "outer SEQUENCE";
	if (der_want(&d, 0x30, &crt) != 0 || d.p != d.end)
		return X509_BAD;
	*part = "tbsCertificate";
	if (der_want(&crt, 0x30, &tbs) != 0 || der_next(&tbs, &tag, &v) != 0)
		return X509_BAD;
	/* 4.1.2.1: version [0] EXPLICIT INTEGER, v1 (0) when absent,
	   v3 (2) the last there is */
	if (tag == 0xA0) {
		*part = "version";
		if (der_want(&v, 0x02, &f) != 0 || v.p != v.end ||
		    f.p == f.end)
			return X509_BAD;
		if (f.end - f.p != 1 || *f.p > 2)
			return X509_UNSUPPORTED;
		*part = "tbsCertificate";
		if (der_next(&tbs, &tag, &v) != 0)
			return X509_BAD;
	}
	/* serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name */
	if (tag != 0x02 || der_want(&tbs, 0x30, &v) != 0 ||
	    der_want(&tbs, 0x30, &v) != 0)
		return X509_BAD;
	/* 4.1.2.5: validity SEQUENCE { notBefore Time, notAfter Time },
	   Time ::= CHOICE { UTCTime, GeneralizedTime } */
	*part = "validity";
	if (der_want(&tbs, 0x30, &v) != 0 || der_next(&v, &tag, &f) != 0 ||
	    der_days(tag, &f, &c->notbefore) != 0 ||
	    der_next(&v, &tag, &f) != 0 ||
	    der_days(tag, &f, &c->notafter) != 0 || v.p != v.end)
		return X509_BAD;
	*part = "subject";
	at = tbs.p;
	if (der_want(&tbs, 0x30, &v) != 0)
		return X509_BAD;
	c->dn.p = at;
	c->dn.end = v.end;
	*part = "subjectPublicKeyInfo";
	if (der_want(&tbs, 0x30, &v) != 0 ||
	    (rc = cert_key(&v, c)) == X509_BAD)
		return X509_BAD;
	if (rc == X509_UNSUPPORTED)
		return rc;
	/* issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each
	   optional, in that order */
	*part = "extensions";
	for (last = 0; tbs.p < tbs.end; last = tag & 0x1F) {
		if (der_next(&tbs, &tag, &v) != 0 || (tag & 0xC0) != 0x80 ||
		    (tag & 0x1F) <= last || (tag & 0x1F) > 3)
			return X509_BAD;
		if ((tag & 0x1F) == 3 &&
		    (tag != 0xA3 || cert_extensions(&v, c) != 0))
			return X509_BAD;
	}
	/* signatureAlgorithm, signatureValue BIT STRING of whole bytes */
	*part = "signature";
	if (der_want(&crt, 0x30, &v) != 0 || der_want(&crt, 0x03, &v) != 0 ||
	    v.p == v.end || *v.p != 0 || crt.p != crt.end)
		return X509_BAD;
	return X509_OK;
}

/*
 * tbs_extensions: the extensions of the certificate der[0..len) into
 * *exts (the SEQUENCE OF Extension inside [3]). Returns 0, or -1 when
 * it has none or is malformed on the way.
 */
static int
tbs_extensions(const unsigned char *der, size_t len, struct x509_span *exts)
{
	struct x509_span d = { der, der + len }, cert, tbs, v;
	unsigned tag;

	if (der_want(&d, 0x30, &cert) != 0 || der_want(&cert, 0x30, &tbs) != 0)
		return -1;
	do {
		if (der_next(&tbs, &tag, &v) != 0)
			return -1;      /* no extensions */
	} while (tag != 0xA3);
	return der_want(&v, 0x30, exts);
}

int
x509_has_ip(const unsigned char *der, size_t len, const unsigned char *ip,
    size_t iplen)
{
	static const unsigned char oid_san[] = { 0x55, 0x1D, 0x11 };
	struct x509_span exts, oid, val, names, v;
	unsigned tag;

	if (tbs_extensions(der, len, &exts) != 0)
		return 0;
	while (ext_next(&exts, &oid, &val) > 0) {
		if (!der_is(&oid, oid_san, sizeof(oid_san)))
			continue;
		/* SEQUENCE OF GeneralName; iPAddress is [7] IMPLICIT
		   OCTET STRING */
		if (der_want(&val, 0x30, &names) != 0)
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

void
x509_common_name(const unsigned char *dn, size_t len, char *buf, size_t cap)
{
	static const unsigned char oid_cn[] = { 0x55, 0x04, 0x03 };
	struct x509_span d = { dn, dn + len }, rdns, set, atv, oid, val;
	unsigned tag;
	size_t j;

	if (cap == 0)
		return;
	buf[0] = '?';
	buf[cap > 1] = '\0';
	/* Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF
	   AttributeTypeAndValue ::= SEQUENCE { OID, value }) */
	if (der_want(&d, 0x30, &rdns) != 0)
		return;
	while (der_want(&rdns, 0x31, &set) == 0) {
		while (der_want(&set, 0x30, &atv) == 0) {
			if (der_want(&atv, 0x06, &oid) != 0 ||
			    der_next(&atv, &tag, &val) != 0)
				return;
			if (!der_is(&oid, oid_cn, sizeof(oid_cn)))
				continue;
			for (j = 0; val.p + j < val.end && j + 1 < cap; j++)
				buf[j] = val.p[j] >= 0x20 && val.p[j] < 0x7f ?
				    (char)val.p[j] : '?';
			buf[j] = '\0';
			return;
		}
	}
}
