/*
 * ca.c - trust anchors from PEM bundles: a line reader that decodes
 * each CERTIFICATE as it comes (x509.c walks the DER), the bundle
 * search order, and the CAs built in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ascii.h"
#include "b64.h"
#include "ca.h"
#include "fmt.h"
#include "x509.h"

#ifdef ZOOMWS_BUILTIN_CA
#include "ca_builtin.h"     /* static const char zoomws_builtin_ca[] */
#endif

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

static void
anchor_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);          /* one block: DN, then key bytes */
}

/* Make p failed with err set from fmt; returns CA_ERR. */
static int
pem_fail(struct ca_pem *p, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	p->state = CA_PEM_FAILED;
	p->rc = CA_ERR;
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
anchor_add(struct ca_anchors *a, const unsigned char *der, size_t len,
    const char **part)
{
	br_x509_trust_anchor *ta, *nt;
	struct x509_cert c;
	unsigned char *blk;
	size_t dnlen, nlen, elen;
	int rc;

	if ((rc = x509_cert_parse(der, len, &c, part)) == X509_UNSUPPORTED) {
		/* A key BearSSL cannot use (Ed25519, DSA...): such a CA
		   could never verify a chain here anyway. */
		a->skipped++;
		return ANCHOR_SKIPPED;
	}
	if (rc != X509_OK)
		return ANCHOR_BAD_DER;
	if (a->n >= CA_MAX_ANCHORS)
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
		    CA_MAX_ANCHORS);
	else
		fmt_snprintf(err, errlen, "out of memory");
}

int
ca_add_der(struct ca_anchors *a, const void *der, size_t len,
    char *err, size_t errlen)
{
	const char *part;
	int rc;

	if ((rc = anchor_add(a, der, len, &part)) >= 0)
		return rc;
	anchor_error(err, errlen, rc, part);
	return CA_ERR;
}

/* The certificate in p->der becomes an anchor of p->a. */
static int
pem_add_cert(struct ca_pem *p, char *err, size_t errlen)
{
	const char *part;
	char why[96], cert[32] = "";
	int rc;

	if ((rc = anchor_add(p->a, p->der, p->derlen, &part)) >= 0) {
		if (rc == ANCHOR_SKIPPED)
			p->skipped++;
		return CA_OK;
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
 * p->linebuf without its CRs (p->linelen > CA_PEM_LINE: it was longer
 * and is neither). RFC 7468 2: "-----BEGIN label-----" opens an object,
 * "-----END label-----" closes it; the END label is not compared with
 * the BEGIN one (section 2 lets a parser ignore it; BearSSL did). Blanks
 * after the closing dashes are allowed (section 3, WSP). Outside an
 * object another line is text; inside a certificate it is an error.
 */
static int
pem_dashes(struct ca_pem *p, char *err, size_t errlen)
{
	static const char begin[] = "-----begin ";
	const char *s = p->linebuf;
	size_t n = p->linelen > CA_PEM_LINE ? 0 : p->linelen;
	int rc;

	while (n > 0 && pem_blank(s[n - 1]))
		n--;
	if (pem_is(s, n, begin, 0)) {
		if (p->state != CA_PEM_OUTSIDE)
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
			p->state = CA_PEM_IN_CERT;
			p->certs++;
			p->derlen = 0;
			b64_dec_init(&p->b64);
			return CA_OK;
		}
		/* A key, a CRL, parameters: not ours. OpenSSL's TRUSTED
		   CERTIFICATE carries trust settings (such as "not for
		   servers") BearSSL cannot honour: left out. */
		if (pem_is(s, n, "trusted certificate", 1)) {
			p->skipped++;
			p->a->skipped++;
		}
		p->state = CA_PEM_IN_OTHER;
		return CA_OK;
	}
	if (pem_is(s, n, "-----end ", 0)) {
		if (p->state == CA_PEM_IN_CERT) {
			if ((rc = b64_dec_final(&p->b64)) != B64_OK)
				return pem_fail(p, err, errlen, "not valid PEM "
				    "at line %zu: %s", p->lineno,
				    b64_strerror(rc));
			if (pem_add_cert(p, err, errlen) != CA_OK)
				return p->rc;
		}
		p->state = CA_PEM_OUTSIDE;
		return CA_OK;
	}
	if (p->state == CA_PEM_IN_CERT)
		return pem_fail(p, err, errlen, "not valid PEM at line %zu: "
		    "neither base64 nor an END line", p->lineno);
	return CA_OK;
}

/* The base64 of a certificate in s[0..n), blanks left out, decoded onto
   p->der as it comes: a base64 line may be of any length. */
static int
pem_base64(struct ca_pem *p, const char *s, size_t n, char *err,
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
			    "than %d bytes", p->certs, X509_MAX_CERT);
		if (rc != B64_OK)
			return pem_fail(p, err, errlen, "not valid PEM at line "
			    "%zu: %s", p->lineno, b64_strerror(rc));
	}
	return CA_OK;
}

/* s[0..n): a piece of the current line, without its newline. */
static int
pem_piece(struct ca_pem *p, const char *s, size_t n, char *err,
    size_t errlen)
{
	size_t i = 0;

	/* The first byte of a line but CRs says what the line is. */
	if (p->line == CA_PEM_LINE_START) {
		while (i < n && s[i] == '\r')
			i++;
		if (i == n)
			return CA_OK;
		if (s[i] == '-') {
			p->line = CA_PEM_LINE_DASHES;
			p->linelen = 0;
		} else if (p->state == CA_PEM_IN_CERT)
			p->line = CA_PEM_LINE_BASE64;
		else
			p->line = CA_PEM_LINE_TEXT;
	}
	switch (p->line) {
	case CA_PEM_LINE_DASHES:
		for (; i < n; i++) {
			if (s[i] == '\r')
				continue;
			if (p->linelen < CA_PEM_LINE)
				p->linebuf[p->linelen] = s[i];
			if (p->linelen <= CA_PEM_LINE)
				p->linelen++;
		}
		return CA_OK;
	case CA_PEM_LINE_BASE64:
		return pem_base64(p, s + i, n - i, err, errlen);
	case CA_PEM_LINE_TEXT:
	case CA_PEM_LINE_START:
	default:
		return CA_OK;
	}
}

/* Feed s[0..len) line by line: each piece up to a newline, then the
   line's end. */
static int
pem_feed(struct ca_pem *p, const char *s, size_t len, char *err,
    size_t errlen)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		if (pem_piece(p, s, n, err, errlen) != CA_OK)
			return p->rc;
		p->total += n;
		if (nl == NULL)
			break;
		s += n + 1;
		len -= n + 1;
		p->total++;
		if (p->line == CA_PEM_LINE_DASHES &&
		    pem_dashes(p, err, errlen) != CA_OK)
			return p->rc;
		p->line = CA_PEM_LINE_START;
		p->lineno++;
	}
	return CA_OK;
}

void
ca_pem_begin(struct ca_pem *p, struct ca_anchors *a)
{
	p->a = a;
	p->state = CA_PEM_OUTSIDE;
	p->line = CA_PEM_LINE_START;
	p->rc = CA_OK;
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
ca_pem_push(struct ca_pem *p, const void *buf, size_t len, char *err,
    size_t errlen)
{
	if (p->state == CA_PEM_FAILED)
		return p->rc;
	if (len > CA_MAX_PEM - p->total)
		return pem_fail(p, err, errlen, "CA bundle larger than %u bytes",
		    CA_MAX_PEM);
	return pem_feed(p, buf, len, err, errlen);
}

int
ca_pem_end(struct ca_pem *p, char *err, size_t errlen)
{
	struct ca_anchors *a = p->a;

	/* A last newline ends a last line that has none; it is a blank
	   line otherwise. */
	if (p->state != CA_PEM_FAILED &&
	    pem_feed(p, "\n", 1, err, errlen) == CA_OK &&
	    p->state != CA_PEM_OUTSIDE)
		pem_fail(p, err, errlen, "CA bundle ends inside a PEM object "
		    "(truncated?)");
	if (p->state == CA_PEM_FAILED) {
		while (a->n > p->start)
			anchor_free(&a->ta[--a->n]);
		a->skipped -= p->skipped;
		return p->rc;
	}
	return (int)(a->n - p->start);
}

int
ca_from_pem(struct ca_anchors *a, const char *pem, size_t len,
    char *err, size_t errlen)
{
	struct ca_pem *p;
	int rc;

	/* About 17 KiB: on the heap, so callers with small stacks work. */
	if ((p = malloc(sizeof(*p))) == NULL) {
		fmt_snprintf(err, errlen, "out of memory");
		return CA_ERR;
	}
	ca_pem_begin(p, a);
	ca_pem_push(p, pem, len, err, errlen);
	rc = ca_pem_end(p, err, errlen);
	free(p);
	return rc;
}

int
ca_from_file(struct ca_anchors *a, const char *path, char *err,
    size_t errlen)
{
	struct ca_pem *p;
	struct stat st;
	char buf[4096], why[256];
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fmt_snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CA_ERR;
	}
	if (fstat(fd, &st) == -1) {
		fmt_snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return CA_ERR;
	}
	if (S_ISDIR(st.st_mode)) {
		fmt_snprintf(err, errlen, "%s: is a directory, not a PEM file", path);
		close(fd);
		return CA_ERR;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		fmt_snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return CA_ERR;
	}
	ca_pem_begin(p, a);
	rc = CA_OK;
	while (rc == CA_OK) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = pem_fail(p, why, sizeof(why), "read: %s",
			    strerror(errno));
		if (n <= 0)
			break;
		rc = ca_pem_push(p, buf, (size_t)n, why, sizeof(why));
	}
	close(fd);
	rc = ca_pem_end(p, why, sizeof(why));
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
	return rc == 0 ? CA_ERR : rc;
}

int
ca_load(struct ca_anchors *a, const char *ca_file, char *source,
    size_t srclen, char *err, size_t errlen)
{
	int i, rc;

	if (ca_file != NULL && ca_file[0] != '\0') {
		fmt_snprintf(source, srclen, "%s", ca_file);
		return ca_from_file(a, ca_file, err, errlen);
	}
	for (i = 0; system_bundles[i] != NULL; i++) {
		if (access(system_bundles[i], R_OK) != 0)
			continue;
		fmt_snprintf(source, srclen, "%s", system_bundles[i]);
		return ca_from_file(a, system_bundles[i], err, errlen);
	}
#ifdef ZOOMWS_BUILTIN_CA
	fmt_snprintf(source, srclen, "built-in");
	rc = ca_from_pem(a, zoomws_builtin_ca,
	    sizeof(zoomws_builtin_ca) - 1, err, errlen);
	if (rc == 0) {
		fmt_snprintf(err, errlen, "no usable certificate built in");
		rc = CA_ERR;
	}
	return rc;
#else
	(void)rc;
	fmt_snprintf(source, srclen, "nowhere");
	fmt_snprintf(err, errlen, "no CA bundle found (looked for %s and others); "
	    "set SSL_CERT_FILE or --ca-file, or build with make CA_BUNDLE=file",
	    system_bundles[0]);
	return CA_ERR;
#endif
}

void
ca_free(struct ca_anchors *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		anchor_free(&a->ta[i]);
	free(a->ta);
	a->ta = NULL;
	a->n = a->cap = a->skipped = 0;
}

