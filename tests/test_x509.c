/*
 * test_x509.c - the pure certificate side: trust anchors from PEM
 * (fixtures, every split point, limits, the load order), the DER walk
 * held to BearSSL's own decoders over the fixtures, the system bundle
 * and built certificates of every kind, the server certificate as the
 * TLS X.509 wrapper reads it, iPAddress names and CommonNames. No
 * network.
 *
 * Run from the top of the tree (tests/run does): the fixtures are read
 * from tests/fixtures/, made by tests/fixtures/make.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "t.h"
#include "../ca.h"
#include "../net.h"
#include "../tls.h"
#include "../x509.h"
#include "anchors.h"

#define FIX "tests/fixtures/"

/* ------------------------------------------------------------------ */
/* helpers                                                            */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n + 1);
	*len = fread(p, 1, (size_t)n, f);
	p[*len] = '\0';
	fclose(f);
	return p;
}

/* Does the DN of anchor ta contain the string s? */
static int
dn_has(const br_x509_trust_anchor *ta, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i + n <= ta->dn.len; i++)
		if (memcmp(ta->dn.data + i, s, n) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* trust anchors                                                      */

static void
anchors_from_fixtures(void)
{
	struct ca_anchors a = { 0 };
	char err[256];

	CHECK(ca_from_file(&a, FIX "ca.pem", err, sizeof(err)) == 1);
	CHECK(a.n == 1);
	CHECK(a.ta[0].flags == BR_X509_TA_CA);
	CHECK(a.ta[0].pkey.key_type == BR_KEYTYPE_RSA);
	CHECK(a.ta[0].pkey.key.rsa.nlen == 256);
	CHECK(a.ta[0].pkey.key.rsa.elen == 3);
	CHECK_MEM(a.ta[0].pkey.key.rsa.e, "\x01\x00\x01", 3);
	CHECK(dn_has(&a.ta[0], "zoomws net test CA"));
	CHECK(a.ta[0].dn.data[0] == 0x30);      /* the whole DER Name */
	/* an EC leaf: an anchor without the CA flag (direct trust) */
	CHECK(ca_from_file(&a, FIX "server.pem", err, sizeof(err)) == 1);
	CHECK(a.n == 2);
	CHECK(a.ta[1].flags == 0);
	CHECK(a.ta[1].pkey.key_type == BR_KEYTYPE_EC);
	CHECK(a.ta[1].pkey.key.ec.curve == BR_EC_secp256r1);
	CHECK(a.ta[1].pkey.key.ec.qlen == 65);
	CHECK(dn_has(&a.ta[1], "localhost"));
	/* an EC intermediate CA, a served chain of two */
	CHECK(ca_from_file(&a, FIX "inter.pem", err, sizeof(err)) == 1);
	CHECK(a.ta[2].flags == BR_X509_TA_CA);
	CHECK(ca_from_file(&a, FIX "chain.pem", err, sizeof(err)) == 2);
	CHECK(a.n == 5);
	CHECK(a.ta[3].flags == 0 && a.ta[4].flags == BR_X509_TA_CA);
	/* a bundle of non-CA certificates */
	CHECK(ca_from_file(&a, FIX "nonca.pem", err, sizeof(err)) == 2);
	CHECK(a.n == 7);
	CHECK(a.ta[5].flags == 0 && a.ta[6].flags == 0);
	CHECK(a.skipped == 0);
	ca_free(&a);
	CHECK(a.n == 0 && a.ta == NULL && a.cap == 0);
}

static void
anchors_skip_other_objects(void)
{
	struct ca_anchors a = { 0 };
	char err[256];
	size_t len;
	char *pem;

	/* text, a CA, a private key, a leaf: the key and text are skipped */
	CHECK(ca_from_file(&a, FIX "mixed.pem", err, sizeof(err)) == 2);
	CHECK(a.n == 2 && a.skipped == 0);
	CHECK(a.ta[0].flags == BR_X509_TA_CA && a.ta[1].flags == 0);
	ca_free(&a);
	/* an Ed25519 certificate: left out and counted, not fatal ... */
	pem = slurp(FIX "ed25519.pem", &len);
	CHECK(pem != NULL);
	CHECK(ca_from_pem(&a, pem, len, err, sizeof(err)) == 0);
	CHECK(a.n == 0 && a.skipped == 1);
	free(pem);
	/* ... but a file holding nothing else is an error that says so */
	CHECK(ca_from_file(&a, FIX "ed25519.pem", err, sizeof(err)) ==
	    CA_ERR);
	CHECK_STR(err, FIX "ed25519.pem: no certificate BearSSL can use (1 left "
	    "out: unsupported key type or TRUSTED CERTIFICATE form)");
	CHECK(a.skipped == 1);
	ca_free(&a);
	/* OpenSSL's TRUSTED CERTIFICATE: trust settings we cannot honour */
	CHECK(ca_from_file(&a, FIX "trusted.pem", err, sizeof(err)) ==
	    CA_ERR);
	CHECK(strstr(err, "1 left out") != NULL);
	/* a lone private key */
	CHECK(ca_from_file(&a, FIX "keyonly.pem", err, sizeof(err)) ==
	    CA_ERR);
	CHECK_STR(err, FIX "keyonly.pem: no certificate in it");
	CHECK(a.n == 0);
	ca_free(&a);
}

static void
anchors_refuse_garbage(void)
{
	struct ca_anchors a = { 0 };
	char err[256];
	size_t calen, glen;
	char *capem, *garbage, *both;

	CHECK(ca_from_file(&a, FIX "garbage.pem", err, sizeof(err)) ==
	    CA_ERR);
	CHECK(strstr(err, FIX "garbage.pem: not valid PEM") == err);
	CHECK(ca_from_file(&a, FIX "notder.pem", err, sizeof(err)) ==
	    CA_ERR);
	CHECK(strstr(err, FIX "notder.pem: certificate 1: not a valid X.509 "
	    "certificate") == err);
	CHECK(ca_from_file(&a, FIX "truncated.pem", err, sizeof(err)) ==
	    CA_ERR);
	CHECK_STR(err, FIX "truncated.pem: CA bundle ends inside a PEM object "
	    "(truncated?)");
	CHECK(ca_from_file(&a, "/nonexistent/ca.pem", err,
	    sizeof(err)) == CA_ERR);
	CHECK_STR(err, "/nonexistent/ca.pem: No such file or directory");
	CHECK(ca_from_file(&a, FIX, err, sizeof(err)) == CA_ERR);
	CHECK(strstr(err, "is a directory") != NULL);
	CHECK(ca_from_file(&a, "/dev/null", err, sizeof(err)) ==
	    CA_ERR);
	CHECK_STR(err, "/dev/null: no certificate in it");
	/* text alone is no error for the PEM reader: zero anchors */
	CHECK(ca_from_pem(&a, "", 0, err, sizeof(err)) == 0);
	CHECK(ca_from_pem(&a, "just text\n", 10, err, sizeof(err)) == 0);
	CHECK(a.n == 0);

	/* a good certificate, then garbage: the bundle is taken whole or
	   not at all, and what was there before stays */
	capem = slurp(FIX "ca.pem", &calen);
	garbage = slurp(FIX "garbage.pem", &glen);
	CHECK(ca_from_pem(&a, capem, calen, err, sizeof(err)) == 1);
	both = malloc(calen + glen);
	memcpy(both, capem, calen);
	memcpy(both + calen, garbage, glen);
	CHECK(ca_from_pem(&a, both, calen + glen, err, sizeof(err)) ==
	    CA_ERR);
	CHECK(a.n == 1);
	CHECK(ca_from_pem(&a, both, calen, err, sizeof(err)) == 1);
	CHECK(a.n == 2);
	free(both);
	free(capem);
	free(garbage);
	ca_free(&a);
}

/* A small bundle: text, a private key, two certificates (EC). */
static char *
small_bundle(size_t *len)
{
	static const char *const parts[] = { FIX "keyonly.pem",
	    FIX "selfsigned.pem", FIX "other-ca.pem" };
	char *all = malloc(4096), *p;
	size_t i, n;

	*len = (size_t)sprintf(all, "# two certificates and a key\n");
	for (i = 0; i < 3; i++) {
		if ((p = slurp(parts[i], &n)) == NULL || *len + n > 4096) {
			free(p);
			free(all);
			return NULL;
		}
		memcpy(all + *len, p, n);
		*len += n;
		free(p);
	}
	return all;
}

/* The same anchors from a bundle fed whole, in two pieces split at
   every byte, byte by byte, with CRLF line ends, without its final
   newline. */
static void
anchors_every_split_point(void)
{
	static struct ca_pem p;
	struct ca_anchors whole = { 0 }, part = { 0 };
	char err[256];
	size_t len, k, i, o;
	char *pem = small_bundle(&len), *crlf;
	int bad = 0;

	CHECK(pem != NULL && len > 1000);
	if (pem == NULL)
		return;
	CHECK(ca_from_pem(&whole, pem, len, err, sizeof(err)) == 2);
	CHECK(whole.ta[0].flags == 0 && whole.ta[1].flags == BR_X509_TA_CA);
	for (k = 0; k <= len; k++) {
		ca_pem_begin(&p, &part);
		CHECK(ca_pem_push(&p, pem, k, err, sizeof(err)) == NET_OK);
		CHECK(ca_pem_push(&p, pem + k, len - k, err, sizeof(err)) ==
		    NET_OK);
		if (ca_pem_end(&p, err, sizeof(err)) != 2 ||
		    !same_anchors(&whole, &part))
			bad++;
		ca_free(&part);
	}
	CHECK(bad == 0);
	ca_pem_begin(&p, &part);
	for (k = 0; k < len; k++)
		CHECK(ca_pem_push(&p, pem + k, 1, err, sizeof(err)) == NET_OK);
	CHECK(ca_pem_end(&p, err, sizeof(err)) == 2);
	CHECK(same_anchors(&whole, &part));
	ca_free(&part);

	crlf = malloc(len * 2);
	for (i = o = 0; i < len; i++) {
		if (pem[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = pem[i];
	}
	for (k = 0, bad = 0; k <= o; k += 5) {
		ca_pem_begin(&p, &part);
		ca_pem_push(&p, crlf, k, err, sizeof(err));
		ca_pem_push(&p, crlf + k, o - k, err, sizeof(err));
		if (ca_pem_end(&p, err, sizeof(err)) != 2 ||
		    !same_anchors(&whole, &part))
			bad++;
		ca_free(&part);
	}
	CHECK(bad == 0);
	/* without the final newline(s), LF and CRLF */
	while (len > 0 && pem[len - 1] == '\n')
		len--;
	CHECK(ca_from_pem(&part, pem, len, err, sizeof(err)) == 2);
	CHECK(same_anchors(&whole, &part));
	ca_free(&part);
	while (o > 0 && (crlf[o - 1] == '\n' || crlf[o - 1] == '\r'))
		o--;
	CHECK(ca_from_pem(&part, crlf, o, err, sizeof(err)) == 2);
	CHECK(same_anchors(&whole, &part));
	ca_free(&part);
	free(crlf);
	free(pem);
	ca_free(&whole);
}

/*
 * text[0..len) as a bundle, whole and then in two pieces split at every
 * byte: the same result each time, the same anchors. Returns the result
 * (the anchors in *a, for the caller to free), or -100 when a split
 * differs.
 */
static int
load_split(struct ca_anchors *a, const char *text, size_t len, char *err,
    size_t errlen)
{
	static struct ca_pem p;
	struct ca_anchors part = { 0 };
	char perr[256];
	size_t k;
	int rc, m, bad = 0;

	rc = ca_from_pem(a, text, len, err, errlen);
	for (k = 0; k <= len; k++) {
		ca_pem_begin(&p, &part);
		ca_pem_push(&p, text, k, perr, sizeof(perr));
		ca_pem_push(&p, text + k, len - k, perr, sizeof(perr));
		m = ca_pem_end(&p, perr, sizeof(perr));
		if (m != rc || !same_anchors(a, &part) ||
		    (rc < 0 && strcmp(perr, err) != 0))
			bad++;
		ca_free(&part);
	}
	return bad ? -100 : rc;
}

/* ca.pem's base64 body, on one line, NUL-terminated (malloc'd). */
static char *
ca_body(void)
{
	size_t len, i, o;
	char *pem = slurp(FIX "ca.pem", &len), *b, *e;

	if (pem == NULL || (b = strstr(pem, "-----\n")) == NULL ||
	    (e = strstr(pem, "-----END")) == NULL)
		return NULL;
	for (b += 6, i = o = 0; b + i < e; i++)
		if (b[i] != '\n')
			pem[o++] = b[i];
	pem[o] = '\0';
	return pem;
}

/* The lines of a PEM bundle as they come: any length (decoded as they
   come, never kept whole), CRs anywhere, blanks, boundaries in either
   case and split over pushes, text that looks like a boundary; and
   every way base64 or a boundary can be wrong, with the line named. */
static void
anchors_pem_lines(void)
{
	static const size_t widths[] = { 1, 3, 61, 64, 76, 1000, 100000 };
	struct ca_anchors ca = { 0 }, a = { 0 };
	char err[256], *body = ca_body(), *t, *s;
	size_t i, k, n, blen;

	CHECK(body != NULL);
	if (body == NULL)
		return;
	blen = strlen(body);
	t = malloc(3 * blen + 4096);
	CHECK(ca_from_file(&ca, FIX "ca.pem", err, sizeof(err)) == 1);

	/* base64 lines of any width, one line of the whole body included,
	   with blanks and CRs within them and CRLF ends */
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		s = t + sprintf(t, "-----BEGIN CERTIFICATE-----\n");
		for (k = 0; k < blen; k += widths[i]) {
			n = blen - k < widths[i] ? blen - k : widths[i];
			memcpy(s, body + k, n);
			s += n;
			s += sprintf(s, i % 2 ? " \t\r\n" : "\n");
		}
		s += sprintf(s, "-----END CERTIFICATE-----\n");
		CHECK(load_split(&a, t, (size_t)(s - t), err, sizeof(err)) == 1);
		CHECK(same_anchors(&a, &ca));
		ca_free(&a);
	}
	/* CRs in odd places: before a boundary, inside one, alone on a
	   line, doubled at a line's end; blank lines around the base64;
	   blanks after the closing dashes */
	s = t + sprintf(t, "\r\r\n\r-----BEG\rIN CERTIF\rICATE-----  \t\r\r\n"
	    "\r\n\n");
	for (k = 0; k < blen; k += 64)
		s += sprintf(s, "%.32s\r%.32s\r\r\n", body + k,
		    k + 32 < blen ? body + k + 32 : "");
	s += sprintf(s, "\n\r\n\r-----END CERTIFICATE-\r----\r\n\r");
	CHECK(load_split(&a, t, (size_t)(s - t), err, sizeof(err)) == 1);
	CHECK(same_anchors(&a, &ca));
	ca_free(&a);
	/* boundaries in lower case, as BearSSL took them; the label
	   X509 CERTIFICATE; an END label that is not the BEGIN one */
	sprintf(t, "-----begin x509 certificate-----\n%s\n-----end cert-----",
	    body);
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == 1);
	CHECK(same_anchors(&a, &ca));
	ca_free(&a);
	/* text that starts like a boundary: dashes, a BEGIN line too long
	   to be one, an END line outside any object; then the certificate */
	s = t + sprintf(t, "-\n---------------\n-----END CERTIFICATE-----\n"
	    "-----BEGIN ");
	memset(s, 'X', CA_PEM_LINE);
	s += CA_PEM_LINE;
	s += sprintf(s, "-----\n-----BEGIN CERTIFICATE-----\n%s\n"
	    "-----END CERTIFICATE-----\n", body);
	CHECK(load_split(&a, t, (size_t)(s - t), err, sizeof(err)) == 1);
	CHECK(same_anchors(&a, &ca));
	ca_free(&a);
	/* another kind of object is skipped unread: RFC 1421 headers in a
	   legacy encrypted key (which BearSSL's decoder refused) */
	sprintf(t, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,00\n\nnot base64 !\n-----END RSA PRIVATE "
	    "KEY-----\n-----BEGIN CERTIFICATE-----\n%s\n-----END "
	    "CERTIFICATE-----\n", body);
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == 1);
	CHECK(same_anchors(&a, &ca));
	ca_free(&a);

	/* base64 that is wrong, each in its own way, and the line that
	   says so: the third, or the fourth, where what is wrong shows */
	static const struct {
		const char *b64;
		int         line;
		const char *why;
	} wrong[] = {
		{ "MII*", 3, "character outside the base64 alphabet" },
		{ "MA=A", 3, "misplaced base64 padding" },
		{ "M===", 3, "misplaced base64 padding" },
		{ "MIB=", 3, "non-zero bits before the base64 padding" },
		{ "MIE=\nMIIB", 4, "data after the base64 padding" },
		{ "MA==\n=", 4, "data after the base64 padding" },
		{ "MII", 4, "base64 input ends inside a quantum" },
		{ "MA=", 4, "base64 input ends inside a quantum" },
		{ "-----BEGIN CERTIFICATE-----", 3,
		  "BEGIN inside an object (its END missing?)" },
		{ "- MII", 3, "neither base64 nor an END line" },
		{ "-----ENDCERTIFICATE-----", 3, "neither base64 nor an END "
		  "line" },
		{ " -----END CERTIFICATE-----", 3,
		  "character outside the base64 alphabet" },
	};
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		char want[128];

		sprintf(t, "text\n-----BEGIN CERTIFICATE-----\n%s\n"
		    "-----END CERTIFICATE-----\n", wrong[i].b64);
		snprintf(want, sizeof(want), "not valid PEM at line %d: %s",
		    wrong[i].line, wrong[i].why);
		CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) ==
		    CA_ERR);
		if (strcmp(err, want) != 0) {
			printf("  %zu: %s\n", i, err);
			CHECK(!"the message");
		}
		CHECK(a.n == 0);
	}
	/* right base64, but no certificate: nothing, or not DER */
	sprintf(t, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == CA_ERR);
	CHECK_STR(err, "certificate 1: not a valid X.509 certificate (bad "
	    "outer SEQUENCE)");
	/* an object without its END, at the end of the bundle */
	sprintf(t, "-----BEGIN CERTIFICATE-----\n%.64s\n", body);
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == CA_ERR);
	CHECK_STR(err, "CA bundle ends inside a PEM object (truncated?)");
	sprintf(t, "-----BEGIN PRIVATE KEY-----\nAAAA");
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == CA_ERR);
	CHECK_STR(err, "CA bundle ends inside a PEM object (truncated?)");
	CHECK(a.n == 0 && a.skipped == 0);
	free(t);
	free(body);
	ca_free(&ca);
}

static void
anchors_limits(void)
{
	static struct ca_pem p;
	struct ca_anchors a = { 0 };
	char err[256], line[65];
	size_t clen, i, n;
	char *cert = slurp(FIX "other-ca.pem", &clen), *big, *s;

	/* CA_MAX_ANCHORS anchors in all are fine, one more is not */
	CHECK(cert != NULL);
	big = malloc(clen * CA_MAX_ANCHORS);
	for (i = 0; i < CA_MAX_ANCHORS; i++)
		memcpy(big + i * clen, cert, clen);
	CHECK(ca_from_pem(&a, big, clen * CA_MAX_ANCHORS, err,
	    sizeof(err)) == CA_MAX_ANCHORS);
	CHECK(ca_from_pem(&a, cert, clen, err, sizeof(err)) ==
	    CA_ERR);
	CHECK_STR(err, "more than 1024 certificates");
	CHECK(a.n == CA_MAX_ANCHORS);
	ca_free(&a);
	free(big);

	/* a certificate object larger than X509_MAX_CERT */
	memset(line, 'Q', 64);
	line[64] = '\n';
	n = (X509_MAX_CERT / 48 + 2) * 65;
	big = malloc(n + 100);
	s = big + sprintf(big, "-----BEGIN CERTIFICATE-----\n");
	for (i = 0; i + 65 <= n; i += 65, s += 65)
		memcpy(s, line, 65);
	s += sprintf(s, "-----END CERTIFICATE-----\n");
	CHECK(ca_from_pem(&a, big, (size_t)(s - big), err,
	    sizeof(err)) == CA_ERR);
	CHECK_STR(err, "certificate 1: larger than 16384 bytes");
	/* the same on one line of some 22 KB, and a DER of exactly
	   X509_MAX_CERT bytes is not too large (it is not DER either) */
	s = big + sprintf(big, "-----BEGIN CERTIFICATE-----\n");
	memset(s, 'Q', n);
	s += n;
	s += sprintf(s, "\n-----END CERTIFICATE-----\n");
	CHECK(ca_from_pem(&a, big, (size_t)(s - big), err,
	    sizeof(err)) == CA_ERR);
	CHECK_STR(err, "certificate 1: larger than 16384 bytes");
	s = big + sprintf(big, "-----BEGIN CERTIFICATE-----\n");
	memset(s, 'Q', X509_MAX_CERT / 3 * 4);
	s += X509_MAX_CERT / 3 * 4;
	s += sprintf(s, "QQ==\n-----END CERTIFICATE-----\n");
	CHECK(ca_from_pem(&a, big, (size_t)(s - big), err,
	    sizeof(err)) == CA_ERR);
	CHECK_STR(err, "certificate 1: not a valid X.509 certificate (bad "
	    "outer SEQUENCE)");
	free(big);

	/* CA_MAX_PEM bytes in all, counted over the pushes; refused
	   before a byte of the piece that would pass it is decoded */
	ca_pem_begin(&p, &a);
	CHECK(ca_pem_push(&p, cert, clen, err, sizeof(err)) == NET_OK);
	CHECK(ca_pem_push(&p, cert, CA_MAX_PEM - clen + 1, err,
	    sizeof(err)) == CA_ERR);
	CHECK_STR(err, "CA bundle larger than 4194304 bytes");
	CHECK(ca_pem_push(&p, cert, clen, err, sizeof(err)) ==
	    CA_ERR);
	CHECK(ca_pem_end(&p, err, sizeof(err)) == CA_ERR);
	CHECK(a.n == 0);
	free(cert);
	ca_free(&a);
}

/* ------------------------------------------------------------------ */
/* the reference: BearSSL's own PEM and X.509 decoders                */

/*
 * ref_pem: every certificate of pem[0..len) through BearSSL's PEM
 * decoder and ref_anchor into a, as zoomws read bundles before it had
 * its own reader and DER walk. *ders receives the certificates' DER,
 * one after the other, *nders their count, for the caller to free.
 * Returns the anchors added, or -1 where BearSSL fails (all or nothing
 * is not modelled: the caller compares failure only).
 */
static int
ref_pem(struct ca_anchors *a, const char *pem, size_t len,
    unsigned char **ders, size_t *nders)
{
	br_pem_decoder_context pc;
	size_t off = 0, n, derlen = 0, cap = 0;
	int in = 0, rc, added = 0, tail = 0;
	unsigned char *der = NULL;

	*ders = NULL;
	*nders = 0;
	br_pem_decoder_init(&pc);
	while (off < len || !tail) {
		/* a final newline ends a last line without one */
		if (off < len) {
			n = br_pem_decoder_push(&pc, pem + off, len - off);
			off += n;
		} else {
			br_pem_decoder_push(&pc, "\n", 1);
			tail = 1;
		}
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			in = 1;
			ref_len = 0;
			if (strcmp(br_pem_decoder_name(&pc), "CERTIFICATE") == 0 ||
			    strcmp(br_pem_decoder_name(&pc),
			    "X509 CERTIFICATE") == 0) {
				in = 2;
				br_pem_decoder_setdest(&pc, ref_append, NULL);
			} else {
				if (strcmp(br_pem_decoder_name(&pc),
				    "TRUSTED CERTIFICATE") == 0)
					a->skipped++;
				br_pem_decoder_setdest(&pc, NULL, NULL);
			}
			break;
		case BR_PEM_END_OBJ:
			if (in == 2) {
				if (ref_len > cap - derlen) {
					cap = (cap + ref_len) * 2;
					der = realloc(der, cap);
				}
				memcpy(der + derlen, ref_buf, ref_len);
				derlen += ref_len;
				++*nders;
				*ders = der;
				if ((rc = ref_anchor(a, der + derlen - ref_len,
				    ref_len)) < 0)
					return -1;
				added += rc;
			}
			in = 0;
			break;
		case BR_PEM_ERROR:
			return -1;
		}
	}
	return in ? -1 : added;
}

/* ours and BearSSL's anchors of the certificate der[0..len): the
   results (1, 0 or an error) agree and so do the anchors. */
static int
der_matches_bearssl(const unsigned char *der, size_t len)
{
	struct ca_anchors ours = { 0 }, ref = { 0 };
	char err[256];
	int a, b, same;

	a = ca_add_der(&ours, der, len, err, sizeof(err));
	b = ref_anchor(&ref, der, len);
	same = (a < 0 && b < 0) || (a == b && same_anchors(&ours, &ref));
	ca_free(&ours);
	ca_free(&ref);
	return same;
}

/* Every fixture and the system bundle: the anchors are those BearSSL's
   decoders make, byte for byte (DN, key, curve, CA flag, skips), and a
   bundle BearSSL refuses is refused. */
static void
anchors_match_bearssl(void)
{
	static const char sys[] = "/etc/ssl/certs/ca-certificates.crt";
	struct ca_anchors ours = { 0 }, ref = { 0 };
	char err[256];
	glob_t g;
	size_t i, len, nders, total = 0;
	unsigned char *ders;
	char *pem;
	int a, b;

	CHECK(glob(FIX "*.pem", 0, NULL, &g) == 0 && g.gl_pathc >= 15);
	CHECK(glob(sys, GLOB_APPEND, NULL, &g) == 0 || access(sys, R_OK) != 0);
	for (i = 0; i < g.gl_pathc; i++) {
		pem = slurp(g.gl_pathv[i], &len);
		CHECK(pem != NULL);
		a = ca_from_pem(&ours, pem, len, err, sizeof(err));
		b = ref_pem(&ref, pem, len, &ders, &nders);
		if ((a < 0) != (b < 0) || (a >= 0 && (a != b ||
		    !same_anchors(&ours, &ref)))) {
			printf("  %s: zoomws %d, BearSSL %d\n", g.gl_pathv[i],
			    a, b);
			CHECK(!"the anchors differ from BearSSL's");
		}
		if (b >= 0)
			total += nders;
		free(ders);
		free(pem);
		ca_free(&ours);
		ca_free(&ref);
	}
	CHECK(total >= 20);
	if (access(sys, R_OK) == 0)
		CHECK(total >= 100);
	globfree(&g);
}

/* The DER of the first certificate in the PEM file path (malloc'd). */
static unsigned char *
fixture_der(const char *path, size_t *len)
{
	struct ca_anchors a = { 0 };
	unsigned char *ders = NULL;
	size_t n, nders = 0;
	char *pem = slurp(path, &n);

	*len = 0;
	if (pem != NULL && ref_pem(&a, pem, n, &ders, &nders) >= 0 &&
	    nders > 0)
		/* the first certificate's own length, from its header */
		*len = ders[1] == 0x82 ? (size_t)(ders[2] << 8 | ders[3]) + 4 :
		    ders[1] == 0x81 ? (size_t)ders[2] + 3 : (size_t)ders[1] + 2;
	else {
		free(ders);
		ders = NULL;
	}
	ca_free(&a);
	free(pem);
	return ders;
}

/* A real certificate cut at every length, and with bytes changed: cut,
   it is refused (from an exact-size copy: ASan sees any read past the
   end); changed, no crash, and where both accept it, the anchor is
   BearSSL's. */
static void
anchors_der_damaged(void)
{
	static const char *const files[] = { FIX "ca.pem", FIX "server.pem",
	    FIX "ed25519.pem" };
	static const unsigned char deltas[] = { 0x01, 0x80, 0xFF };
	struct ca_anchors a = { 0 };
	unsigned char *der, *cut;
	char err[256];
	size_t f, len, k, i, bad, differ;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		der = fixture_der(files[f], &len);
		CHECK(der != NULL && len > 100);
		if (der == NULL)
			continue;
		CHECK(ca_add_der(&a, der, len, err, sizeof(err)) ==
		    (f < 2 ? 1 : 0));
		for (k = 0, bad = 0; k < len; k++) {
			cut = malloc(k ? k : 1);
			memcpy(cut, der, k);
			if (ca_add_der(&a, cut, k, err, sizeof(err)) !=
			    CA_ERR || strstr(err, "not a valid X.509 "
			    "certificate (bad ") != err)
				bad++;
			free(cut);
		}
		CHECK(bad == 0);
		/* one more byte after it: also refused */
		cut = malloc(len + 1);
		memcpy(cut, der, len);
		cut[len] = 0;
		CHECK(ca_add_der(&a, cut, len + 1, err, sizeof(err)) ==
		    CA_ERR);
		CHECK_STR(err, "not a valid X.509 certificate (bad outer "
		    "SEQUENCE)");
		free(cut);
		for (i = 0, differ = 0; i < len; i++) {
			for (k = 0; k < sizeof(deltas); k++) {
				cut = malloc(len);
				memcpy(cut, der, len);
				cut[i] ^= deltas[k];
				if (!der_matches_bearssl(cut, len) &&
				    ca_add_der(&a, cut, len, err,
				    sizeof(err)) >= 0 &&
				    ref_anchor(&a, cut, len) >= 0)
					differ++;
				free(cut);
			}
		}
		CHECK(differ == 0);
		free(der);
	}
	ca_free(&a);
}

/* A DER writer for the certificates built below. */
struct dw {
	unsigned char b[2048];
	size_t        n;
};

static void
dw_raw(struct dw *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* An element: tag, length (X.690 8.1.3, short or long form), value. */
static void
dw_tlv(struct dw *w, unsigned tag, const void *v, size_t n)
{
	w->b[w->n++] = (unsigned char)tag;
	if (n >= 0x100) {
		w->b[w->n++] = 0x82;
		w->b[w->n++] = (unsigned char)(n >> 8);
	} else if (n >= 0x80)
		w->b[w->n++] = 0x81;
	w->b[w->n++] = (unsigned char)n;
	dw_raw(w, v, n);
}

/* dw_tlv with w's own content as the value. */
static void
dw_wrap(struct dw *w, unsigned tag)
{
	struct dw v = *w;

	w->n = 0;
	dw_tlv(w, tag, v.b, v.n);
}

static const unsigned char o_ec[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 2, 1 };
static const unsigned char o_p256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 3, 1, 7 };
static const unsigned char o_p384[] = { 0x2B, 0x81, 0x04, 0x00, 0x22 };
static const unsigned char o_p521[] = { 0x2B, 0x81, 0x04, 0x00, 0x23 };
static const unsigned char o_k256[] = { 0x2B, 0x81, 0x04, 0x00, 0x0A };
static const unsigned char o_rsa[] = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D,
    1, 1, 1 };
static const unsigned char o_ed25519[] = { 0x2B, 0x65, 0x70 };
static const unsigned char o_bc[] = { 0x55, 0x1D, 0x13 };
static const unsigned char o_ku[] = { 0x55, 0x1D, 0x0F };

/* A SubjectPublicKeyInfo: EC on curve (NULL: none), qlen point bytes. */
static void
spki_ec(struct dw *w, const unsigned char *curve, size_t clen, size_t qlen)
{
	struct dw alg = { .n = 0 }, key = { .n = 0 };
	size_t i;

	dw_tlv(&alg, 0x06, o_ec, sizeof(o_ec));
	if (curve != NULL)
		dw_tlv(&alg, 0x06, curve, clen);
	else
		dw_tlv(&alg, 0x05, "", 0);      /* implicitCurve: NULL */
	key.b[key.n++] = 0;
	key.b[key.n++] = 4;
	for (i = 1; i < qlen; i++)
		key.b[key.n++] = (unsigned char)(i * 7);
	w->n = 0;
	dw_tlv(w, 0x30, alg.b, alg.n);
	dw_tlv(w, 0x03, key.b, key.n);
	dw_wrap(w, 0x30);
}

/* An RSA SubjectPublicKeyInfo: an nbytes modulus with zeros before it
   (lead), exponent 65537. */
static void
spki_rsa(struct dw *w, size_t nbytes, size_t lead)
{
	struct dw alg = { .n = 0 }, ints = { .n = 0 }, n = { .n = 0 },
	    key = { .n = 0 };
	size_t i;

	dw_tlv(&alg, 0x06, o_rsa, sizeof(o_rsa));
	dw_tlv(&alg, 0x05, "", 0);
	for (i = 0; i < lead; i++)
		n.b[n.n++] = 0;
	for (i = 0; i < nbytes; i++)
		n.b[n.n++] = (unsigned char)(0xC1 + i);
	dw_tlv(&ints, 0x02, n.b, n.n);
	dw_tlv(&ints, 0x02, "\x00\x01\x00\x01", 4);
	dw_wrap(&ints, 0x30);
	key.b[key.n++] = 0;
	dw_raw(&key, ints.b, ints.n);
	w->n = 0;
	dw_tlv(w, 0x30, alg.b, alg.n);
	dw_tlv(w, 0x03, key.b, key.n);
	dw_wrap(w, 0x30);
}

/* An extension: extnID oid, critical when crit, extnValue val. */
static void
ext_add(struct dw *w, const unsigned char *oid, size_t olen, int crit,
    const void *val, size_t vlen)
{
	struct dw e = { .n = 0 };

	dw_tlv(&e, 0x06, oid, olen);
	if (crit)
		dw_tlv(&e, 0x01, "\xFF", 1);
	dw_tlv(&e, 0x04, val, vlen);
	dw_tlv(w, 0x30, e.b, e.n);
}

/*
 * build_cert_at: a certificate into w (RFC 5280 4.1) with version ver
 * (-1: the field left out, v1), valid from one time to another (13
 * characters: UTCTime, else GeneralizedTime), the SubjectPublicKeyInfo
 * spki and the extensions exts (the Extension elements; NULL: no [3]
 * field). The signature is made up: an anchor's is never checked.
 */
static void
build_cert_at(struct dw *w, int ver, const char *from, const char *until,
    const struct dw *spki, const struct dw *exts)
{
	static const unsigned char name[] = { 0x30, 0x0F, 0x31, 0x0D, 0x30,
	    0x0B, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x04, 't', 'e', 's',
	    't' };
	static const unsigned char alg[] = { 0x30, 0x0A, 0x06, 0x08, 0x2A,
	    0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02 };
	struct dw tbs = { .n = 0 }, v = { .n = 0 };

	if (ver >= 0) {
		dw_tlv(&v, 0x02, &(unsigned char){ (unsigned char)ver }, 1);
		dw_tlv(&tbs, 0xA0, v.b, v.n);
	}
	dw_tlv(&tbs, 0x02, "\x01", 1);
	dw_raw(&tbs, alg, sizeof(alg));
	dw_raw(&tbs, name, sizeof(name));
	v.n = 0;
	dw_tlv(&v, strlen(from) == 13 ? 0x17 : 0x18, from, strlen(from));
	dw_tlv(&v, strlen(until) == 13 ? 0x17 : 0x18, until, strlen(until));
	dw_tlv(&tbs, 0x30, v.b, v.n);
	dw_raw(&tbs, name, sizeof(name));
	dw_raw(&tbs, spki->b, spki->n);
	if (exts != NULL) {
		v = *exts;
		dw_wrap(&v, 0x30);
		dw_tlv(&tbs, 0xA3, v.b, v.n);
	}
	w->n = 0;
	dw_tlv(w, 0x30, tbs.b, tbs.n);
	dw_raw(w, alg, sizeof(alg));
	dw_tlv(w, 0x03, "\x00\x30\x00", 3);
	dw_wrap(w, 0x30);
}

/* build_cert_at valid from 2025 to the end of 2099. */
static void
build_cert(struct dw *w, int ver, const struct dw *spki,
    const struct dw *exts)
{
	build_cert_at(w, ver, "250101000000Z", "20991231235959Z", spki, exts);
}

/* One built certificate through ca_add_der, from an exact-size
   copy: the result, and the flags of the anchor when one is added. */
static int
add_built(const struct dw *w, unsigned *flags)
{
	struct ca_anchors a = { 0 };
	unsigned char *der = malloc(w->n);
	char err[256];
	int rc;

	memcpy(der, w->b, w->n);
	rc = ca_add_der(&a, der, w->n, err, sizeof(err));
	*flags = rc == 1 ? a.ta[0].flags : 0xFFFF;
	if (rc == 0 && a.skipped != 1)
		rc = -100;
	ca_free(&a);
	free(der);
	return rc;
}

/* Certificates built for each case the DER walk distinguishes: the CA
   flag as basicConstraints say, keys of every kind, what is skipped;
   and BearSSL's decoder agrees. */
static void
anchors_der_cases(void)
{
	static const struct {
		const char *bc;         /* basicConstraints value, NULL: none */
		size_t      bclen;
		unsigned    flags;
	} bcs[] = {
		{ "\x30\x03\x01\x01\xFF", 5, BR_X509_TA_CA },
		{ "\x30\x06\x01\x01\xFF\x02\x01\x00", 8, BR_X509_TA_CA },
		{ "\x30\x03\x01\x01\x01", 5, BR_X509_TA_CA },  /* BER TRUE */
		{ "\x30\x03\x01\x01\x00", 5, 0 },     /* cA FALSE written out */
		{ "\x30\x00", 2, 0 },                 /* cA left at FALSE */
		{ "\x30\x03\x02\x01\x00", 5, 0 },     /* a pathLen alone */
		{ NULL, 0, 0 }                        /* no basicConstraints */
	};
	struct dw spki, exts, cert;
	unsigned flags;
	size_t i;

	spki_ec(&spki, o_p256, sizeof(o_p256), 65);
	for (i = 0; i < sizeof(bcs) / sizeof(bcs[0]); i++) {
		exts.n = 0;
		ext_add(&exts, o_ku, sizeof(o_ku), 1, "\x03\x02\x01\x06", 4);
		if (bcs[i].bc != NULL)
			ext_add(&exts, o_bc, sizeof(o_bc), i % 2, bcs[i].bc,
			    bcs[i].bclen);
		build_cert(&cert, 2, &spki, &exts);
		CHECK(add_built(&cert, &flags) == 1 && flags == bcs[i].flags);
		CHECK(der_matches_bearssl(cert.b, cert.n));
	}
	/* a v1 certificate (no version, no extensions), a v3 one without
	   extensions, one with an empty list: not CAs */
	build_cert(&cert, -1, &spki, NULL);
	CHECK(add_built(&cert, &flags) == 1 && flags == 0);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	build_cert(&cert, 2, &spki, NULL);
	CHECK(add_built(&cert, &flags) == 1 && flags == 0);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	exts.n = 0;
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 1 && flags == 0);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	/* a version after v3: skipped */
	build_cert(&cert, 3, &spki, NULL);
	CHECK(add_built(&cert, &flags) == 0);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	/* malformed basicConstraints: a BOOLEAN of two bytes, trailing
	   bytes after the SEQUENCE, not a SEQUENCE */
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x30\x04\x01\x02\xFF\xFF", 6);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == CA_ERR);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x30\x00\x00", 3);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == CA_ERR);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x01\x01\xFF", 3);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == CA_ERR);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	/* basicConstraints twice (RFC 5280 4.2: at most once), the second
	   without cA: refused (BearSSL's decoder kept the first's cA) */
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x30\x03\x01\x01\xFF", 5);
	ext_add(&exts, o_bc, sizeof(o_bc), 0, "\x30\x00", 2);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == CA_ERR);

	/* keys: the other curves, RSA (leading zeros left out, up to
	   4096 bits), then what is skipped */
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x30\x03\x01\x01\xFF", 5);
	spki_ec(&spki, o_p384, sizeof(o_p384), 97);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 1);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	spki_ec(&spki, o_p521, sizeof(o_p521), 133);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 1);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	spki_rsa(&spki, 256, 1);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 1 && flags == BR_X509_TA_CA);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	spki_rsa(&spki, 512, 3);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 1);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	spki_ec(&spki, o_k256, sizeof(o_k256), 65);     /* secp256k1 */
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 0);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	spki_ec(&spki, NULL, 0, 65);                    /* no named curve */
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 0);
	spki.n = 0;
	dw_tlv(&spki, 0x06, o_ed25519, sizeof(o_ed25519));
	dw_wrap(&spki, 0x30);
	dw_tlv(&spki, 0x03, "\x00" "0123456789abcdef0123456789abcdef", 33);
	dw_wrap(&spki, 0x30);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 0);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	/* RSA over 4096 bits: BearSSL's decoder refuses it (its key buffer
	   is 520 bytes), zoomws skips it, as a key BearSSL cannot use */
	spki_rsa(&spki, 1024, 1);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == 0);
	/* RSA with a negative modulus: refused */
	spki_rsa(&spki, 256, 0);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == CA_ERR);
	CHECK(der_matches_bearssl(cert.b, cert.n));
}

/*
 * The server's certificate as net.c's X.509 wrapper reads it for its
 * reports, driven through the engine's vtable as a handshake would (on
 * t, started on a socket nobody reads): its subject and dates are those
 * BearSSL's decoder finds, wherever that decodes it. Returns 1 when they
 * agree.
 */
static int
ee_matches_bearssl(struct tls *t, const unsigned char *der, size_t len)
{
	const br_x509_class **vt = &t->x509.vtable;
	br_x509_decoder_context dc;

	(*vt)->start_chain(vt, "localhost");
	(*vt)->start_cert(vt, (uint32_t)len);
	(*vt)->append(vt, der, len);
	(*vt)->end_cert(vt);
	ref_len = 0;
	br_x509_decoder_init(&dc, ref_append, NULL);
	br_x509_decoder_push(&dc, der, len);
	if (br_x509_decoder_last_error(&dc) != 0)
		return 1;
	return t->x509.ee_ok && t->x509.notbefore_days == dc.notbefore_days &&
	    t->x509.notafter_days == dc.notafter_days &&
	    t->x509.dnlen == ref_len &&
	    memcmp(t->x509.dn, ref_buf, ref_len) == 0;
}

/* Every certificate of the fixtures and of the system bundle, and
   certificates built with dates of every form, as the server's. */
static void
ee_dates_and_subject(void)
{
	static const char sys[] = "/etc/ssl/certs/ca-certificates.crt";
	static const struct {
		const char *from, *until;
		int         ok;         /* dates that are right */
	} dates[] = {
		{ "000101000000Z", "491231235959Z", 1 },
		{ "500101000000Z", "991231235960Z", 1 },    /* a leap second */
		{ "20000229000000Z", "24000229120000Z", 1 },
		{ "20240229000000Z", "20241231235959.999Z", 1 },
		{ "00010101000000Z", "99991231235959Z", 1 },
		{ "20230229000000Z", "20991231235959Z", 0 },
		{ "21000229000000Z", "20991231235959Z", 0 },
		{ "20241301000000Z", "20991231235959Z", 0 },
		{ "20240100000000Z", "20991231235959Z", 0 },
		{ "20240101240000Z", "20991231235959Z", 0 },
		{ "240101000000", "20991231235959Z", 0 },
		{ "240101000000+", "20991231235959Z", 0 },
		{ "2024010100000Z", "20991231235959Z", 0 },
		{ "240101000000.5Z", "20991231235959Z", 0 },
		{ "20240101000000Z", "2099123123595aZ", 0 },
	};
	struct ca_anchors ca = { 0 }, ref = { 0 };
	struct tls t;
	struct dw spki, cert;
	char err[256];
	glob_t g;
	size_t i, j, len, nders, off, n, bad = 0, seen = 0;
	unsigned char *ders;
	char *pem;
	int sv[2];

	memset(&t, 0, sizeof(t));
	CHECK(ca_from_file(&ca, FIX "ca.pem", err, sizeof(err)) == 1);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(tls_start(&t, sv[0], "localhost", &ca) == NET_OK);
	CHECK(glob(FIX "*.pem", 0, NULL, &g) == 0);
	CHECK(glob(sys, GLOB_APPEND, NULL, &g) == 0 || access(sys, R_OK) != 0);
	for (i = 0; i < g.gl_pathc; i++) {
		pem = slurp(g.gl_pathv[i], &len);
		ders = NULL;
		nders = 0;
		/* BearSSL's decoders take all of them, or skip their key
		   (so the headers are right: each one's length from its
		   own, one after the other) */
		if (ref_pem(&ref, pem, len, &ders, &nders) < 0)
			nders = 0;
		ca_free(&ref);
		for (j = off = 0; j < nders; j++, off += n) {
			n = ders[off + 1] == 0x82 ? (size_t)(ders[off + 2] << 8 |
			    ders[off + 3]) + 4 : ders[off + 1] == 0x81 ?
			    (size_t)ders[off + 2] + 3 : (size_t)ders[off + 1] + 2;
			bad += !ee_matches_bearssl(&t, ders + off, n);
			seen += t.x509.ee_ok;
		}
		free(ders);
		free(pem);
	}
	globfree(&g);
	CHECK(bad == 0);
	CHECK(seen >= 20);
	spki_ec(&spki, o_p256, sizeof(o_p256), 65);
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		build_cert_at(&cert, 2, dates[i].from, dates[i].until, &spki,
		    NULL);
		if (!ee_matches_bearssl(&t, cert.b, cert.n) ||
		    t.x509.ee_ok != dates[i].ok ||
		    !der_matches_bearssl(cert.b, cert.n)) {
			printf("  %s %s\n", dates[i].from, dates[i].until);
			CHECK(!"the dates");
		}
	}
	/* 2000-01-01 is day 730485 (1970-01-01, 719528, plus 10957) */
	build_cert_at(&cert, 2, "000101000000Z", "20000101000000Z", &spki,
	    NULL);
	CHECK(ee_matches_bearssl(&t, cert.b, cert.n));
	CHECK(t.x509.notbefore_days == 730485 &&
	    t.x509.notafter_days == 730485);
	tls_close(&t);
	close(sv[1]);
	ca_free(&ca);
}

static void
anchors_load_order(void)
{
	struct ca_anchors a = { 0 };
	char src[256], err[256];

	/* a file named (--ca-file, else SSL_CERT_FILE) is used ... */
	CHECK(ca_load(&a, FIX "server.pem", src, sizeof(src), err,
	    sizeof(err)) == 1);
	CHECK_STR(src, FIX "server.pem");
	ca_free(&a);
	CHECK(ca_load(&a, FIX "mixed.pem", src, sizeof(src), err,
	    sizeof(err)) == 2);
	ca_free(&a);
	/* ... and is an error when it does not do, with no fallback */
	CHECK(ca_load(&a, "/nonexistent", src, sizeof(src), err,
	    sizeof(err)) == CA_ERR);
	CHECK_STR(err, "/nonexistent: No such file or directory");
	CHECK(ca_load(&a, FIX "keyonly.pem", src, sizeof(src), err,
	    sizeof(err)) == CA_ERR);
	CHECK(a.n == 0);
	CHECK(ca_load(&a, FIX "garbage.pem", src, sizeof(src), err,
	    sizeof(err)) == CA_ERR);
	CHECK(strstr(err, FIX "garbage.pem: ") == err);
	/* none or empty: the system bundle, when this machine has one */
	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
		CHECK(ca_load(&a, "", src, sizeof(src), err, sizeof(err)) > 10);
		CHECK_STR(src, "/etc/ssl/certs/ca-certificates.crt");
		ca_free(&a);
		CHECK(ca_load(&a, NULL, src, sizeof(src), err,
		    sizeof(err)) > 10);
		CHECK_STR(src, "/etc/ssl/certs/ca-certificates.crt");
		ca_free(&a);
	}
}

/* A subjectAltName of names n[0..k) (each a GeneralName: tag, bytes). */
static void
san_ext(struct dw *exts, const unsigned char (*tags), const char *const *v,
    const size_t *vl, size_t k)
{
	static const unsigned char o_san[] = { 0x55, 0x1D, 0x11 };
	struct dw names = { .n = 0 };
	size_t i;

	for (i = 0; i < k; i++)
		dw_tlv(&names, tags[i], v[i], vl[i]);
	dw_wrap(&names, 0x30);
	ext_add(exts, o_san, sizeof(o_san), 0, names.b, names.n);
}

/* x509_has_ip over built certificates: the iPAddress names of the
   subjectAltName, and nothing else, match; whatever is cut or malformed
   answers no, from an exact-size copy (ASan sees any read past it). */
static void
x509_ip_names(void)
{
	static const unsigned char tags[] = { 0x82, 0x87, 0x87 };
	static const char *const v[] = { "127.0.0.1", "\x7F\x00\x00\x01",
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01" };
	static const size_t vl[] = { 9, 4, 16 };
	static const unsigned char v4[4] = { 127, 0, 0, 1 };
	static const unsigned char v4b[4] = { 127, 0, 0, 2 };
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct dw spki = { .n = 0 }, exts = { .n = 0 }, cert;
	unsigned char *der;
	size_t k;

	spki_ec(&spki, o_p256, sizeof(o_p256), 65);
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x30\x00", 2);
	san_ext(&exts, tags, v, vl, 3);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(x509_has_ip(cert.b, cert.n, v4, 4));
	CHECK(x509_has_ip(cert.b, cert.n, v6, 16));
	CHECK(!x509_has_ip(cert.b, cert.n, v4b, 4));
	/* the dNSName "127.0.0.1" is not an address */
	exts.n = 0;
	san_ext(&exts, tags, v, vl, 1);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(!x509_has_ip(cert.b, cert.n, v4, 4));
	/* no extensions at all */
	build_cert(&cert, 2, &spki, NULL);
	CHECK(!x509_has_ip(cert.b, cert.n, v4, 4));
	/* every cut of the first certificate answers no */
	exts.n = 0;
	san_ext(&exts, tags, v, vl, 3);
	build_cert(&cert, 2, &spki, &exts);
	for (k = 0; k < cert.n; k++) {
		der = malloc(k ? k : 1);
		memcpy(der, cert.b, k);
		if (x509_has_ip(der, k, v4, 4)) {
			printf("  cut at %zu\n", k);
			CHECK(!"a cut certificate names the address");
		}
		free(der);
	}
}

/* x509_common_name: the CN of a Name, printable, cut to the buffer. */
static void
x509_common_names(void)
{
	/* SEQUENCE { SET { SEQUENCE { O "Org" } } SET { SEQUENCE { CN
	   "ws.zoom.us" } } } */
	static const unsigned char dn[] = { 0x30, 0x26, 0x31, 0x0C, 0x30, 0x0A,
	    0x06, 0x03, 0x55, 0x04, 0x0A, 0x0C, 0x03, 'O', 'r', 'g', 0x31,
	    0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x0D, 'w',
	    's', '.', 'z', 'o', 'o', 'm', '.', 'u', 's', 0x01, '\xC3', '\xA9' };
	char buf[64];
	size_t k;

	x509_common_name(dn, sizeof(dn), buf, sizeof(buf));
	CHECK_STR(buf, "ws.zoom.us???");
	x509_common_name(dn, sizeof(dn), buf, 6);
	CHECK_STR(buf, "ws.zo");
	x509_common_name(dn, sizeof(dn), buf, 1);
	CHECK_STR(buf, "");
	/* cut anywhere: no CN or the whole one, never a read past it */
	for (k = 0; k < sizeof(dn); k++) {
		unsigned char *d = malloc(k ? k : 1);

		memcpy(d, dn, k);
		x509_common_name(d, k, buf, sizeof(buf));
		CHECK(strcmp(buf, "?") == 0);
		free(d);
	}
}

int
main(void)
{
	t_suite = "x509";
	RUN(anchors_from_fixtures);
	RUN(anchors_skip_other_objects);
	RUN(anchors_refuse_garbage);
	RUN(anchors_every_split_point);
	RUN(anchors_pem_lines);
	RUN(anchors_limits);
	RUN(anchors_load_order);
	RUN(anchors_match_bearssl);
	RUN(anchors_der_damaged);
	RUN(anchors_der_cases);
	RUN(ee_dates_and_subject);
	RUN(x509_ip_names);
	RUN(x509_common_names);
	return t_done();
}
