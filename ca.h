/*
 * ca.h - trust anchors for zoomws: a PEM bundle (RFC 7468) read into
 * BearSSL's br_x509_trust_anchor set, from a file in blocks or from text,
 * in the order the contract gives (--ca-file / SSL_CERT_FILE, the
 * system bundle, the CAs built in with make CA_BUNDLE=...).
 *
 * The only allocation of the network side, at start-up and on reload:
 * one block per anchor.
 */
#ifndef CA_H
#define CA_H

#include <stddef.h>

#include <bearssl.h>

#include "b64.h"
#include "x509.h"

enum {
	CA_OK = 0,
	CA_ERR = -1             /* a message in err says why */
};

#define CA_MAX_PEM      (4u << 20)   /* largest CA bundle read */
#define CA_MAX_ANCHORS  1024         /* trust anchors kept */
#define CA_PEM_LINE     160          /* a BEGIN or END line kept whole: a
                                        longer one is text */

/*
 * Trust anchors, allocated at start-up (the only allocation of this
 * module: one block per anchor); a zeroed struct is an empty set;
 * released with ca_free. skipped counts the certificates of
 * the bundles read that BearSSL could not use (an Ed25519 or DSA key,
 * an unnamed or unknown curve, an RSA modulus over X509_MAX_RSA_BITS, a
 * version after 3) and the TRUSTED CERTIFICATE objects, whose OpenSSL
 * trust settings BearSSL cannot honour: they are left out, not fatal.
 */
struct ca_anchors {
	br_x509_trust_anchor *ta;
	size_t                n;
	size_t                cap;
	size_t                skipped;
};

/*
 * ca_add_der: the X.509 certificate der[0..len) (RFC 5280 4.1,
 * DER) added to a as a trust anchor: its subject Name as the anchor's
 * DN (the encoded SEQUENCE, tag and length included), its RSA or EC
 * (P-256, P-384, P-521) public key, and BR_X509_TA_CA when its Basic
 * Constraints say cA (a non-CA anchor trusts exactly that certificate).
 * Reads only der[0..len); the signature is not checked (an anchor is
 * trusted by being named). Returns 1 when added, 0 when its version or
 * key is one BearSSL cannot use (a->skipped counts it; what follows is
 * then not read), or CA_ERR with a message in err (malformed
 * DER, more than CA_MAX_ANCHORS anchors, out of memory). Allocates.
 */
int ca_add_der(struct ca_anchors *a, const void *der, size_t len,
    char *err, size_t errlen);

/*
 * A streaming reader of a PEM bundle (RFC 7468) into anchors, for input
 * that comes in pieces (a file read in blocks); ca_from_pem and
 * _from_file use it. Line by line, a line possibly split over pushes:
 * outside an object every line is text but a BEGIN line; inside a
 * CERTIFICATE (or X509 CERTIFICATE) the lines are base64, decoded as
 * they come, up to the END line; inside another kind of object (a key, a
 * TRUSTED CERTIFICATE) the lines are skipped up to the END line. FAILED
 * is sticky. Carriage returns are ignored, so CRLF files read like LF
 * ones; spaces and tabs within base64 lines too.
 */
enum ca_pem_state { CA_PEM_OUTSIDE, CA_PEM_IN_CERT, CA_PEM_IN_OTHER,
    CA_PEM_FAILED };

/* Where the reader is in the current line: at its start (nothing but
   CRs seen), in text skipped to the newline, in a line starting with a
   dash (a BEGIN or END line: kept, up to CA_PEM_LINE bytes), in a
   base64 line of a certificate (decoded byte by byte). */
enum ca_pem_line { CA_PEM_LINE_START, CA_PEM_LINE_TEXT,
    CA_PEM_LINE_DASHES, CA_PEM_LINE_BASE64 };

struct ca_pem {
	struct ca_anchors *a;
	enum ca_pem_state  state;
	enum ca_pem_line   line;
	int                 rc;         /* error, once FAILED */
	size_t              start;      /* a->n when the bundle began */
	size_t              total;      /* bytes pushed */
	size_t              lineno;     /* of the current line, from 1 */
	size_t              certs;      /* CERTIFICATE objects seen */
	size_t              skipped;
	size_t              linelen;    /* bytes of a dashes line seen */
	char                linebuf[CA_PEM_LINE];
	struct b64_dec      b64;        /* the current certificate's */
	size_t              derlen;
	unsigned char       der[X509_MAX_CERT];
};

/* ca_pem_begin: start reading a bundle into a (which may already hold
   anchors: the new ones are added). p is the caller's (some 17 KiB). */
void ca_pem_begin(struct ca_pem *p, struct ca_anchors *a);

/*
 * ca_pem_push: the next len bytes of the bundle, split anywhere.
 * Returns CA_OK, or CA_ERR with a message in err (invalid PEM
 * or base64, a certificate that does not decode, more than
 * CA_MAX_ANCHORS anchors or CA_MAX_PEM bytes); after an error, later
 * pushes do nothing and return it again.
 */
int ca_pem_push(struct ca_pem *p, const void *buf, size_t len, char *err,
    size_t errlen);

/*
 * ca_pem_end: the bundle is complete. Returns the number of anchors it
 * added (>= 0), or CA_ERR with err set if it failed or ends
 * inside an object; on failure the anchors it added are removed again,
 * so a bundle is taken whole or not at all. Call it once after
 * ca_pem_begin, error or not.
 */
int ca_pem_end(struct ca_pem *p, char *err, size_t errlen);

/*
 * ca_from_pem: every CERTIFICATE in the PEM text pem[0..len)
 * added to a as a trust anchor (RSA or EC key; the CA flag as the
 * certificate's Basic Constraints say: a non-CA anchor trusts exactly
 * that server certificate). Other PEM objects and text between objects
 * are skipped. Returns the number of anchors added (>= 0), or
 * CA_ERR with a message in err. Allocates (start-up only).
 */
int ca_from_pem(struct ca_anchors *a, const char *pem, size_t len,
    char *err, size_t errlen);

/*
 * ca_from_file: the same for the file at path, read in blocks
 * (at most CA_MAX_PEM bytes). A file without a usable certificate is an
 * error here: the caller named it. Returns the count (> 0) or
 * CA_ERR with err naming the path.
 */
int ca_from_file(struct ca_anchors *a, const char *path,
    char *err, size_t errlen);

/*
 * ca_load: trust anchors in the contract's order: ca_file when not NULL
 * nor empty (--ca-file, else SSL_CERT_FILE, as the configuration
 * resolved them), else the first readable system bundle
 * (/etc/ssl/certs/ca-certificates.crt and the other usual paths), else
 * the anchors compiled in with `make CA_BUNDLE=file.pem`
 * (ZOOMWS_BUILTIN_CA, ca_builtin.h defining the PEM string
 * zoomws_builtin_ca). A file named by the caller that is unreadable or
 * holds no usable certificate is an error, not a reason to look
 * further. source receives the path used, or "built-in". Returns the
 * anchor count (> 0) or CA_ERR with err set.
 */
int ca_load(struct ca_anchors *a, const char *ca_file,
    char *source, size_t srclen, char *err, size_t errlen);

/* ca_free: release every anchor; a is an empty set again. */
void ca_free(struct ca_anchors *a);

#endif
