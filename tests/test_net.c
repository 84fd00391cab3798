/*
 * test_net.c - trust anchors from PEM (fixtures, every split point,
 * limits, the load order), connect errors, and real TLS handshakes
 * against Python's ssl server on 127.0.0.1 (tests/fixtures/tlsserver.py)
 * and Node's https server when node is installed: trusted chains, unknown
 * CA, wrong name, expired, IP-address hosts, suites, alerts, resumption,
 * the blocking helpers, interruption and timeouts.
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
#include "../net.h"
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

static void
today(char *buf, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(buf, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

/* ------------------------------------------------------------------ */
/* trust anchors                                                      */

static void
anchors_from_fixtures(void)
{
	struct net_anchors a = { 0 };
	char err[256];

	CHECK(net_anchors_from_file(&a, FIX "ca.pem", err, sizeof(err)) == 1);
	CHECK(a.n == 1);
	CHECK(a.ta[0].flags == BR_X509_TA_CA);
	CHECK(a.ta[0].pkey.key_type == BR_KEYTYPE_RSA);
	CHECK(a.ta[0].pkey.key.rsa.nlen == 256);
	CHECK(a.ta[0].pkey.key.rsa.elen == 3);
	CHECK_MEM(a.ta[0].pkey.key.rsa.e, "\x01\x00\x01", 3);
	CHECK(dn_has(&a.ta[0], "zoomws net test CA"));
	CHECK(a.ta[0].dn.data[0] == 0x30);      /* the whole DER Name */
	/* an EC leaf: an anchor without the CA flag (direct trust) */
	CHECK(net_anchors_from_file(&a, FIX "server.pem", err, sizeof(err)) == 1);
	CHECK(a.n == 2);
	CHECK(a.ta[1].flags == 0);
	CHECK(a.ta[1].pkey.key_type == BR_KEYTYPE_EC);
	CHECK(a.ta[1].pkey.key.ec.curve == BR_EC_secp256r1);
	CHECK(a.ta[1].pkey.key.ec.qlen == 65);
	CHECK(dn_has(&a.ta[1], "localhost"));
	/* an EC intermediate CA, a served chain of two */
	CHECK(net_anchors_from_file(&a, FIX "inter.pem", err, sizeof(err)) == 1);
	CHECK(a.ta[2].flags == BR_X509_TA_CA);
	CHECK(net_anchors_from_file(&a, FIX "chain.pem", err, sizeof(err)) == 2);
	CHECK(a.n == 5);
	CHECK(a.ta[3].flags == 0 && a.ta[4].flags == BR_X509_TA_CA);
	/* a bundle of non-CA certificates */
	CHECK(net_anchors_from_file(&a, FIX "nonca.pem", err, sizeof(err)) == 2);
	CHECK(a.n == 7);
	CHECK(a.ta[5].flags == 0 && a.ta[6].flags == 0);
	CHECK(a.skipped == 0);
	net_anchors_free(&a);
	CHECK(a.n == 0 && a.ta == NULL && a.cap == 0);
}

static void
anchors_skip_other_objects(void)
{
	struct net_anchors a = { 0 };
	char err[256];
	size_t len;
	char *pem;

	/* text, a CA, a private key, a leaf: the key and text are skipped */
	CHECK(net_anchors_from_file(&a, FIX "mixed.pem", err, sizeof(err)) == 2);
	CHECK(a.n == 2 && a.skipped == 0);
	CHECK(a.ta[0].flags == BR_X509_TA_CA && a.ta[1].flags == 0);
	net_anchors_free(&a);
	/* an Ed25519 certificate: left out and counted, not fatal ... */
	pem = slurp(FIX "ed25519.pem", &len);
	CHECK(pem != NULL);
	CHECK(net_anchors_from_pem(&a, pem, len, err, sizeof(err)) == 0);
	CHECK(a.n == 0 && a.skipped == 1);
	free(pem);
	/* ... but a file holding nothing else is an error that says so */
	CHECK(net_anchors_from_file(&a, FIX "ed25519.pem", err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK_STR(err, FIX "ed25519.pem: no certificate BearSSL can use (1 left "
	    "out: unsupported key type or TRUSTED CERTIFICATE form)");
	CHECK(a.skipped == 1);
	net_anchors_free(&a);
	/* OpenSSL's TRUSTED CERTIFICATE: trust settings we cannot honour */
	CHECK(net_anchors_from_file(&a, FIX "trusted.pem", err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK(strstr(err, "1 left out") != NULL);
	/* a lone private key */
	CHECK(net_anchors_from_file(&a, FIX "keyonly.pem", err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK_STR(err, FIX "keyonly.pem: no certificate in it");
	CHECK(a.n == 0);
	net_anchors_free(&a);
}

static void
anchors_refuse_garbage(void)
{
	struct net_anchors a = { 0 };
	char err[256];
	size_t calen, glen;
	char *capem, *garbage, *both;

	CHECK(net_anchors_from_file(&a, FIX "garbage.pem", err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK(strstr(err, FIX "garbage.pem: not valid PEM") == err);
	CHECK(net_anchors_from_file(&a, FIX "notder.pem", err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK(strstr(err, FIX "notder.pem: certificate 1: not a valid X.509 "
	    "certificate") == err);
	CHECK(net_anchors_from_file(&a, FIX "truncated.pem", err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK_STR(err, FIX "truncated.pem: CA bundle ends inside a PEM object "
	    "(truncated?)");
	CHECK(net_anchors_from_file(&a, "/nonexistent/ca.pem", err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "/nonexistent/ca.pem: No such file or directory");
	CHECK(net_anchors_from_file(&a, FIX, err, sizeof(err)) == NET_ERR_CONFIG);
	CHECK(strstr(err, "is a directory") != NULL);
	CHECK(net_anchors_from_file(&a, "/dev/null", err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK_STR(err, "/dev/null: no certificate in it");
	/* text alone is no error for the PEM reader: zero anchors */
	CHECK(net_anchors_from_pem(&a, "", 0, err, sizeof(err)) == 0);
	CHECK(net_anchors_from_pem(&a, "just text\n", 10, err, sizeof(err)) == 0);
	CHECK(a.n == 0);

	/* a good certificate, then garbage: the bundle is taken whole or
	   not at all, and what was there before stays */
	capem = slurp(FIX "ca.pem", &calen);
	garbage = slurp(FIX "garbage.pem", &glen);
	CHECK(net_anchors_from_pem(&a, capem, calen, err, sizeof(err)) == 1);
	both = malloc(calen + glen);
	memcpy(both, capem, calen);
	memcpy(both + calen, garbage, glen);
	CHECK(net_anchors_from_pem(&a, both, calen + glen, err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK(a.n == 1);
	CHECK(net_anchors_from_pem(&a, both, calen, err, sizeof(err)) == 1);
	CHECK(a.n == 2);
	free(both);
	free(capem);
	free(garbage);
	net_anchors_free(&a);
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
	static struct net_pem p;
	struct net_anchors whole = { 0 }, part = { 0 };
	char err[256];
	size_t len, k, i, o;
	char *pem = small_bundle(&len), *crlf;
	int bad = 0;

	CHECK(pem != NULL && len > 1000);
	if (pem == NULL)
		return;
	CHECK(net_anchors_from_pem(&whole, pem, len, err, sizeof(err)) == 2);
	CHECK(whole.ta[0].flags == 0 && whole.ta[1].flags == BR_X509_TA_CA);
	for (k = 0; k <= len; k++) {
		net_pem_begin(&p, &part);
		CHECK(net_pem_push(&p, pem, k, err, sizeof(err)) == NET_OK);
		CHECK(net_pem_push(&p, pem + k, len - k, err, sizeof(err)) ==
		    NET_OK);
		if (net_pem_end(&p, err, sizeof(err)) != 2 ||
		    !same_anchors(&whole, &part))
			bad++;
		net_anchors_free(&part);
	}
	CHECK(bad == 0);
	net_pem_begin(&p, &part);
	for (k = 0; k < len; k++)
		CHECK(net_pem_push(&p, pem + k, 1, err, sizeof(err)) == NET_OK);
	CHECK(net_pem_end(&p, err, sizeof(err)) == 2);
	CHECK(same_anchors(&whole, &part));
	net_anchors_free(&part);

	crlf = malloc(len * 2);
	for (i = o = 0; i < len; i++) {
		if (pem[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = pem[i];
	}
	for (k = 0, bad = 0; k <= o; k += 5) {
		net_pem_begin(&p, &part);
		net_pem_push(&p, crlf, k, err, sizeof(err));
		net_pem_push(&p, crlf + k, o - k, err, sizeof(err));
		if (net_pem_end(&p, err, sizeof(err)) != 2 ||
		    !same_anchors(&whole, &part))
			bad++;
		net_anchors_free(&part);
	}
	CHECK(bad == 0);
	/* without the final newline(s), LF and CRLF */
	while (len > 0 && pem[len - 1] == '\n')
		len--;
	CHECK(net_anchors_from_pem(&part, pem, len, err, sizeof(err)) == 2);
	CHECK(same_anchors(&whole, &part));
	net_anchors_free(&part);
	while (o > 0 && (crlf[o - 1] == '\n' || crlf[o - 1] == '\r'))
		o--;
	CHECK(net_anchors_from_pem(&part, crlf, o, err, sizeof(err)) == 2);
	CHECK(same_anchors(&whole, &part));
	net_anchors_free(&part);
	free(crlf);
	free(pem);
	net_anchors_free(&whole);
}

/*
 * text[0..len) as a bundle, whole and then in two pieces split at every
 * byte: the same result each time, the same anchors. Returns the result
 * (the anchors in *a, for the caller to free), or -100 when a split
 * differs.
 */
static int
load_split(struct net_anchors *a, const char *text, size_t len, char *err,
    size_t errlen)
{
	static struct net_pem p;
	struct net_anchors part = { 0 };
	char perr[256];
	size_t k;
	int rc, m, bad = 0;

	rc = net_anchors_from_pem(a, text, len, err, errlen);
	for (k = 0; k <= len; k++) {
		net_pem_begin(&p, &part);
		net_pem_push(&p, text, k, perr, sizeof(perr));
		net_pem_push(&p, text + k, len - k, perr, sizeof(perr));
		m = net_pem_end(&p, perr, sizeof(perr));
		if (m != rc || !same_anchors(a, &part) ||
		    (rc < 0 && strcmp(perr, err) != 0))
			bad++;
		net_anchors_free(&part);
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
	struct net_anchors ca = { 0 }, a = { 0 };
	char err[256], *body = ca_body(), *t, *s;
	size_t i, k, n, blen;

	CHECK(body != NULL);
	if (body == NULL)
		return;
	blen = strlen(body);
	t = malloc(3 * blen + 4096);
	CHECK(net_anchors_from_file(&ca, FIX "ca.pem", err, sizeof(err)) == 1);

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
		net_anchors_free(&a);
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
	net_anchors_free(&a);
	/* boundaries in lower case, as BearSSL took them; the label
	   X509 CERTIFICATE; an END label that is not the BEGIN one */
	sprintf(t, "-----begin x509 certificate-----\n%s\n-----end cert-----",
	    body);
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == 1);
	CHECK(same_anchors(&a, &ca));
	net_anchors_free(&a);
	/* text that starts like a boundary: dashes, a BEGIN line too long
	   to be one, an END line outside any object; then the certificate */
	s = t + sprintf(t, "-\n---------------\n-----END CERTIFICATE-----\n"
	    "-----BEGIN ");
	memset(s, 'X', NET_PEM_LINE);
	s += NET_PEM_LINE;
	s += sprintf(s, "-----\n-----BEGIN CERTIFICATE-----\n%s\n"
	    "-----END CERTIFICATE-----\n", body);
	CHECK(load_split(&a, t, (size_t)(s - t), err, sizeof(err)) == 1);
	CHECK(same_anchors(&a, &ca));
	net_anchors_free(&a);
	/* another kind of object is skipped unread: RFC 1421 headers in a
	   legacy encrypted key (which BearSSL's decoder refused) */
	sprintf(t, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,00\n\nnot base64 !\n-----END RSA PRIVATE "
	    "KEY-----\n-----BEGIN CERTIFICATE-----\n%s\n-----END "
	    "CERTIFICATE-----\n", body);
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == 1);
	CHECK(same_anchors(&a, &ca));
	net_anchors_free(&a);

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
		    NET_ERR_CONFIG);
		if (strcmp(err, want) != 0) {
			printf("  %zu: %s\n", i, err);
			CHECK(!"the message");
		}
		CHECK(a.n == 0);
	}
	/* right base64, but no certificate: nothing, or not DER */
	sprintf(t, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "certificate 1: not a valid X.509 certificate (bad "
	    "outer SEQUENCE)");
	/* an object without its END, at the end of the bundle */
	sprintf(t, "-----BEGIN CERTIFICATE-----\n%.64s\n", body);
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "CA bundle ends inside a PEM object (truncated?)");
	sprintf(t, "-----BEGIN PRIVATE KEY-----\nAAAA");
	CHECK(load_split(&a, t, strlen(t), err, sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "CA bundle ends inside a PEM object (truncated?)");
	CHECK(a.n == 0 && a.skipped == 0);
	free(t);
	free(body);
	net_anchors_free(&ca);
}

static void
anchors_limits(void)
{
	static struct net_pem p;
	struct net_anchors a = { 0 };
	char err[256], line[65];
	size_t clen, i, n;
	char *cert = slurp(FIX "other-ca.pem", &clen), *big, *s;

	/* NET_MAX_ANCHORS anchors in all are fine, one more is not */
	CHECK(cert != NULL);
	big = malloc(clen * NET_MAX_ANCHORS);
	for (i = 0; i < NET_MAX_ANCHORS; i++)
		memcpy(big + i * clen, cert, clen);
	CHECK(net_anchors_from_pem(&a, big, clen * NET_MAX_ANCHORS, err,
	    sizeof(err)) == NET_MAX_ANCHORS);
	CHECK(net_anchors_from_pem(&a, cert, clen, err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK_STR(err, "more than 1024 certificates");
	CHECK(a.n == NET_MAX_ANCHORS);
	net_anchors_free(&a);
	free(big);

	/* a certificate object larger than NET_MAX_CERT */
	memset(line, 'Q', 64);
	line[64] = '\n';
	n = (NET_MAX_CERT / 48 + 2) * 65;
	big = malloc(n + 100);
	s = big + sprintf(big, "-----BEGIN CERTIFICATE-----\n");
	for (i = 0; i + 65 <= n; i += 65, s += 65)
		memcpy(s, line, 65);
	s += sprintf(s, "-----END CERTIFICATE-----\n");
	CHECK(net_anchors_from_pem(&a, big, (size_t)(s - big), err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "certificate 1: larger than 16384 bytes");
	/* the same on one line of some 22 KB, and a DER of exactly
	   NET_MAX_CERT bytes is not too large (it is not DER either) */
	s = big + sprintf(big, "-----BEGIN CERTIFICATE-----\n");
	memset(s, 'Q', n);
	s += n;
	s += sprintf(s, "\n-----END CERTIFICATE-----\n");
	CHECK(net_anchors_from_pem(&a, big, (size_t)(s - big), err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "certificate 1: larger than 16384 bytes");
	s = big + sprintf(big, "-----BEGIN CERTIFICATE-----\n");
	memset(s, 'Q', NET_MAX_CERT / 3 * 4);
	s += NET_MAX_CERT / 3 * 4;
	s += sprintf(s, "QQ==\n-----END CERTIFICATE-----\n");
	CHECK(net_anchors_from_pem(&a, big, (size_t)(s - big), err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "certificate 1: not a valid X.509 certificate (bad "
	    "outer SEQUENCE)");
	free(big);

	/* NET_MAX_PEM bytes in all, counted over the pushes; refused
	   before a byte of the piece that would pass it is decoded */
	net_pem_begin(&p, &a);
	CHECK(net_pem_push(&p, cert, clen, err, sizeof(err)) == NET_OK);
	CHECK(net_pem_push(&p, cert, NET_MAX_PEM - clen + 1, err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "CA bundle larger than 4194304 bytes");
	CHECK(net_pem_push(&p, cert, clen, err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK(net_pem_end(&p, err, sizeof(err)) == NET_ERR_CONFIG);
	CHECK(a.n == 0);
	free(cert);
	net_anchors_free(&a);
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
ref_pem(struct net_anchors *a, const char *pem, size_t len,
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
	struct net_anchors ours = { 0 }, ref = { 0 };
	char err[256];
	int a, b, same;

	a = net_anchors_add_der(&ours, der, len, err, sizeof(err));
	b = ref_anchor(&ref, der, len);
	same = (a < 0 && b < 0) || (a == b && same_anchors(&ours, &ref));
	net_anchors_free(&ours);
	net_anchors_free(&ref);
	return same;
}

/* Every fixture and the system bundle: the anchors are those BearSSL's
   decoders make, byte for byte (DN, key, curve, CA flag, skips), and a
   bundle BearSSL refuses is refused. */
static void
anchors_match_bearssl(void)
{
	static const char sys[] = "/etc/ssl/certs/ca-certificates.crt";
	struct net_anchors ours = { 0 }, ref = { 0 };
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
		a = net_anchors_from_pem(&ours, pem, len, err, sizeof(err));
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
		net_anchors_free(&ours);
		net_anchors_free(&ref);
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
	struct net_anchors a = { 0 };
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
	net_anchors_free(&a);
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
	struct net_anchors a = { 0 };
	unsigned char *der, *cut;
	char err[256];
	size_t f, len, k, i, bad, differ;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		der = fixture_der(files[f], &len);
		CHECK(der != NULL && len > 100);
		if (der == NULL)
			continue;
		CHECK(net_anchors_add_der(&a, der, len, err, sizeof(err)) ==
		    (f < 2 ? 1 : 0));
		for (k = 0, bad = 0; k < len; k++) {
			cut = malloc(k ? k : 1);
			memcpy(cut, der, k);
			if (net_anchors_add_der(&a, cut, k, err, sizeof(err)) !=
			    NET_ERR_CONFIG || strstr(err, "not a valid X.509 "
			    "certificate (bad ") != err)
				bad++;
			free(cut);
		}
		CHECK(bad == 0);
		/* one more byte after it: also refused */
		cut = malloc(len + 1);
		memcpy(cut, der, len);
		cut[len] = 0;
		CHECK(net_anchors_add_der(&a, cut, len + 1, err, sizeof(err)) ==
		    NET_ERR_CONFIG);
		CHECK_STR(err, "not a valid X.509 certificate (bad outer "
		    "SEQUENCE)");
		free(cut);
		for (i = 0, differ = 0; i < len; i++) {
			for (k = 0; k < sizeof(deltas); k++) {
				cut = malloc(len);
				memcpy(cut, der, len);
				cut[i] ^= deltas[k];
				if (!der_matches_bearssl(cut, len) &&
				    net_anchors_add_der(&a, cut, len, err,
				    sizeof(err)) >= 0 &&
				    ref_anchor(&a, cut, len) >= 0)
					differ++;
				free(cut);
			}
		}
		CHECK(differ == 0);
		free(der);
	}
	net_anchors_free(&a);
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

/* One built certificate through net_anchors_add_der, from an exact-size
   copy: the result, and the flags of the anchor when one is added. */
static int
add_built(const struct dw *w, unsigned *flags)
{
	struct net_anchors a = { 0 };
	unsigned char *der = malloc(w->n);
	char err[256];
	int rc;

	memcpy(der, w->b, w->n);
	rc = net_anchors_add_der(&a, der, w->n, err, sizeof(err));
	*flags = rc == 1 ? a.ta[0].flags : 0xFFFF;
	if (rc == 0 && a.skipped != 1)
		rc = -100;
	net_anchors_free(&a);
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
	CHECK(add_built(&cert, &flags) == NET_ERR_CONFIG);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x30\x00\x00", 3);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == NET_ERR_CONFIG);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x01\x01\xFF", 3);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == NET_ERR_CONFIG);
	CHECK(der_matches_bearssl(cert.b, cert.n));
	/* basicConstraints twice (RFC 5280 4.2: at most once), the second
	   without cA: refused (BearSSL's decoder kept the first's cA) */
	exts.n = 0;
	ext_add(&exts, o_bc, sizeof(o_bc), 1, "\x30\x03\x01\x01\xFF", 5);
	ext_add(&exts, o_bc, sizeof(o_bc), 0, "\x30\x00", 2);
	build_cert(&cert, 2, &spki, &exts);
	CHECK(add_built(&cert, &flags) == NET_ERR_CONFIG);

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
	CHECK(add_built(&cert, &flags) == NET_ERR_CONFIG);
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
ee_matches_bearssl(struct net_tls *t, const unsigned char *der, size_t len)
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
	struct net_anchors ca = { 0 }, ref = { 0 };
	struct net_tls t;
	struct dw spki, cert;
	char err[256];
	glob_t g;
	size_t i, j, len, nders, off, n, bad = 0, seen = 0;
	unsigned char *ders;
	char *pem;
	int sv[2];

	memset(&t, 0, sizeof(t));
	CHECK(net_anchors_from_file(&ca, FIX "ca.pem", err, sizeof(err)) == 1);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(net_tls_start(&t, sv[0], "localhost", &ca) == NET_OK);
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
		net_anchors_free(&ref);
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
	net_tls_close(&t);
	close(sv[1]);
	net_anchors_free(&ca);
}

static void
anchors_load_order(void)
{
	struct net_anchors a = { 0 };
	char src[256], err[256];

	setenv("SSL_CERT_FILE", FIX "mixed.pem", 1);
	/* an explicit file wins over SSL_CERT_FILE ... */
	CHECK(net_anchors_load(&a, FIX "server.pem", src, sizeof(src), err,
	    sizeof(err)) == 1);
	CHECK_STR(src, FIX "server.pem");
	net_anchors_free(&a);
	/* ... and is an error when it does not do, with no fallback */
	CHECK(net_anchors_load(&a, "/nonexistent", src, sizeof(src), err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK_STR(err, "/nonexistent: No such file or directory");
	CHECK(net_anchors_load(&a, FIX "keyonly.pem", src, sizeof(src), err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK(a.n == 0);
	/* SSL_CERT_FILE comes next, with the same rule */
	CHECK(net_anchors_load(&a, NULL, src, sizeof(src), err,
	    sizeof(err)) == 2);
	CHECK_STR(src, FIX "mixed.pem");
	net_anchors_free(&a);
	setenv("SSL_CERT_FILE", FIX "garbage.pem", 1);
	CHECK(net_anchors_load(&a, NULL, src, sizeof(src), err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK(strstr(err, FIX "garbage.pem: ") == err);
	/* empty or unset: the system bundle, when this machine has one */
	setenv("SSL_CERT_FILE", "", 1);
	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
		CHECK(net_anchors_load(&a, NULL, src, sizeof(src), err,
		    sizeof(err)) > 10);
		CHECK_STR(src, "/etc/ssl/certs/ca-certificates.crt");
		net_anchors_free(&a);
		unsetenv("SSL_CERT_FILE");
		CHECK(net_anchors_load(&a, NULL, src, sizeof(src), err,
		    sizeof(err)) > 10);
		CHECK_STR(src, "/etc/ssl/certs/ca-certificates.crt");
		net_anchors_free(&a);
	}
	unsetenv("SSL_CERT_FILE");
}

/* ------------------------------------------------------------------ */
/* TCP                                                                */

/* A listening socket on 127.0.0.1 that never accepts; its port. */
static int
listener(char *port, size_t cap)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0 || getsockname(fd, (struct sockaddr *)&sa,
	    &sl) != 0)
		return -1;
	snprintf(port, cap, "%d", ntohs(sa.sin_port));
	return fd;
}

static void
connect_ok_sets_flags(void)
{
	char port[16], err[256];
	int lfd = listener(port, sizeof(port)), fd, one = 0;
	socklen_t sl = sizeof(one);

	CHECK(lfd >= 0);
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &sl) == 0);
		CHECK(one == 1);
		close(fd);
	}
	/* a name, tried over every address it has */
	fd = net_connect("localhost", port, net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	close(lfd);
}

static void
connect_errors_name_the_peer(void)
{
	char port[16], err[256], want[256];
	int lfd = listener(port, sizeof(port)), fd;

	/* a port that was just closed: refused, and the message names the
	   host, the address and the port */
	close(lfd);
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_CONNECT);
	snprintf(want, sizeof(want), "127.0.0.1 (127.0.0.1) port %s: "
	    "Connection refused", port);
	CHECK_STR(err, want);
	fd = net_connect("name.invalid", "443", net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_DNS);
	CHECK(strstr(err, "cannot resolve name.invalid port 443: ") == err);
	/* a deadline already past */
	fd = net_connect("127.0.0.1", port, net_now_ms() - 1, -1, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_TIMEOUT);
	snprintf(want, sizeof(want), "127.0.0.1 port %s: connect timed out",
	    port);
	CHECK_STR(err, want);
}

static void
addr_str_forms(void)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	char buf[NET_ADDRSTRLEN], small[8];

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.255", &s4.sin_addr);
	net_addr_str((struct sockaddr *)&s4, buf, sizeof(buf));
	CHECK_STR(buf, "192.0.2.255");
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:0:0:1:0:0:1", &s6.sin6_addr);
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8::1:0:0:1");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &s6.sin6_addr);
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "::ffff:192.0.2.1");
	/* the longest form, with the longest scope id, fits */
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	    &s6.sin6_addr);
	s6.sin6_scope_id = 4294967295u;
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295");
	inet_pton(AF_INET6, "fe80::1", &s6.sin6_addr);
	s6.sin6_scope_id = 2;
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "fe80::1%2");
	/* RFC 5952 4.2: the longest run, the first of equal ones (musl's
	   inet_ntop takes the second when the first starts the address),
	   never a single zero group */
	{
		static const char *const forms[][2] = {
			{ "::", "::" }, { "::1", "::1" }, { "1::", "1::" },
			{ "1:0:0:2:0:0:0:3", "1:0:0:2::3" },
			{ "1:0:0:2:0:0:3:4", "1::2:0:0:3:4" },
			{ "1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7" },
			{ "0:0:1:2:3:4:5:0", "::1:2:3:4:5:0" },
			{ "0:0:1:0:0:2:3:4", "::1:0:0:2:3:4" },
			{ "1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0" },
			{ "1:2:3:4:5:6:0:0", "1:2:3:4:5:6::" },
			{ "::ffff:0.0.0.0", "::ffff:0.0.0.0" },
			{ "::c000:201", "::c000:201" },
			{ "ABCD:EF01::", "abcd:ef01::" }
		};
		size_t i;

		s6.sin6_scope_id = 0;
		for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			CHECK(inet_pton(AF_INET6, forms[i][0], &s6.sin6_addr) == 1);
			net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
			CHECK_STR(buf, forms[i][1]);
		}
	}
	/* too small a buffer, another family */
	net_addr_str((struct sockaddr *)&s4, small, sizeof(small));
	CHECK_STR(small, "?");
	s4.sin_family = AF_UNIX;
	net_addr_str((struct sockaddr *)&s4, buf, sizeof(buf));
	CHECK_STR(buf, "?");
}

static void
strerror_names_every_code(void)
{
	CHECK_STR(net_strerror(NET_OK), "no error");
	CHECK_STR(net_strerror(NET_ERR_TIMEOUT), "timed out");
	CHECK_STR(net_strerror(NET_ERR_INTR), "interrupted");
	CHECK_STR(net_strerror(NET_ERR_CLOSED), "connection closed by peer");
	CHECK_STR(net_strerror(NET_ERR_STALLED), "received data not taken");
	CHECK_STR(net_strerror(-100), "unknown error");
}

static void
random_differs(void)
{
	unsigned char a[32], b[32], z[32] = { 0 };

	net_random(a, sizeof(a));
	net_random(b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(memcmp(a, z, sizeof(a)) != 0);
}

static void
monotonic_clock_moves(void)
{
	int64_t t0 = net_now_ms();

	usleep(20000);
	CHECK(net_now_ms() - t0 >= 15);
	CHECK(net_now_ms() - t0 < 2000);
}

/* ------------------------------------------------------------------ */
/* TLS against Python's ssl module                                    */

static const char *const server_names[] = {
	"ec", "rsa", "chain", "wrongname", "expired", "untrusted",
	"selfsigned", "chacha", "aes128", "aes256", "cbconly", "tls13only"
};
#define NSERVERS (sizeof(server_names) / sizeof(server_names[0]))
static char server_port[NSERVERS][16];
static pid_t server_pid = -1, node_pid = -1;
static int server_in = -1, node_in = -1;
static char node_port[16];
static struct net_anchors ca;
static struct net_tls t;       /* zeroed: as zoomws keeps its own */

/*
 * Start argv[0] with a pipe on its stdin (closing it stops the server)
 * and read its `NAME PORT` lines until `ready`; *in gets the pipe, the
 * ports go to ports[i] for the names in names[i]. Returns the pid or -1.
 */
static pid_t
spawn_server(char *const argv[], const char *const *names, size_t n,
    char (*ports)[16], int *in)
{
	int ip[2], op[2];
	char buf[1024], name[64], port[16];
	size_t len = 0, i;
	ssize_t r;
	pid_t pid;
	char *line, *nl;

	if (pipe(ip) != 0 || pipe(op) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(ip[0], 0);
		dup2(op[1], 1);
		close(ip[1]);
		close(op[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(ip[0]);
	close(op[1]);
	fcntl(ip[1], F_SETFD, FD_CLOEXEC);
	*in = ip[1];
	while (len < sizeof(buf) - 1 &&
	    (r = read(op[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "ready\n") != NULL)
			break;
	}
	close(op[0]);
	if (strstr(buf, "ready\n") == NULL)
		return -1;
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (sscanf(line, "%63s %15s", name, port) != 2)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(names[i], name) == 0)
				snprintf(ports[i], sizeof(ports[i]), "%s", port);
	}
	return pid;
}

static void
stop_server(pid_t *pid, int *in)
{
	if (*pid <= 0)
		return;
	close(*in);
	waitpid(*pid, NULL, 0);
	*pid = -1;
}

static const char *
port_of(const char *name)
{
	size_t i;

	for (i = 0; i < NSERVERS; i++)
		if (strcmp(server_names[i], name) == 0)
			return server_port[i];
	return "0";
}

/* Connect t to server `name` as host and run the handshake. */
static int
tls_open(const char *name, const char *host, const struct net_anchors *a)
{
	char err[256];
	int fd, rc;

	fd = net_connect("127.0.0.1", port_of(name), net_now_ms() + 5000, -1,
	    err, sizeof(err));
	if (fd < 0)
		return fd;
	if ((rc = net_tls_start(&t, fd, host, a)) != NET_OK) {
		close(fd);
		return rc;
	}
	return net_tls_handshake(&t, net_now_ms() + 5000, -1);
}

/* Read one line (the server's greeting, an echo) into buf. */
static long
read_line(char *buf, size_t cap)
{
	size_t len = 0;
	long n;

	while (len + 1 < cap) {
		n = net_tls_read(&t, buf + len, 1, net_now_ms() + 5000, -1);
		if (n < 0)
			return n;
		len += (size_t)n;
		if (buf[len - 1] == '\n')
			break;
	}
	buf[len] = '\0';
	return (long)len;
}

/* The handshake fails with NET_ERR_TLS and net_tls_error says want. */
static int
fails_with(const char *name, const char *host, const struct net_anchors *a,
    const char *want)
{
	char err[256];
	int rc = tls_open(name, host, a), ok;

	net_tls_error(&t, err, sizeof(err));
	ok = rc == NET_ERR_TLS && strcmp(err, want) == 0;
	if (!ok)
		printf("  %s as %s: rc %d, \"%s\"\n", name, host, rc, err);
	CHECK(!net_tls_handshake_done(&t));
	net_tls_close(&t);
	return ok;
}

static void
tls_trusted_ec_and_rsa(void)
{
	char line[256], want[256], desc[128], sum[128];

	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(net_tls_handshake_done(&t));
	CHECK(read_line(line, sizeof(line)) > 0);
	net_tls_describe(&t, desc, sizeof(desc));
	/* our name of the suite is OpenSSL's, as the server reports it */
	snprintf(want, sizeof(want), "sni=localhost resumed=0 version=TLSv1.2 "
	    "cipher=%s\n", desc + strlen("TLSv1.2 "));
	CHECK_STR(line, want);
	CHECK(strncmp(desc, "TLSv1.2 ECDHE-ECDSA-", 20) == 0);
	net_tls_peer_summary(&t, sum, sizeof(sum));
	CHECK_STR(sum, "certificate CN=localhost, expires 2126-11-05");
	CHECK(net_tls_write_all(&t, "ping\n", 5, net_now_ms() + 5000, -1) ==
	    NET_OK);
	CHECK(read_line(line, sizeof(line)) == 5);
	CHECK_STR(line, "ping\n");
	net_tls_close(&t);
	CHECK(t.fd == -1);
	CHECK(net_tls_closed(&t));
	CHECK(net_tls_events(&t) == 0);
	net_tls_close(&t);      /* harmless twice */

	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	net_tls_describe(&t, desc, sizeof(desc));
	CHECK(strncmp(desc, "TLSv1.2 ECDHE-RSA-", 18) == 0);
	snprintf(want, sizeof(want), "sni=localhost resumed=0 version=TLSv1.2 "
	    "cipher=%s\n", desc + strlen("TLSv1.2 "));
	CHECK_STR(line, want);
	net_tls_close(&t);
}

static void
tls_chain_through_intermediate(void)
{
	char line[256];

	/* the server sends leaf + intermediate; only the root is trusted */
	CHECK(tls_open("chain", "localhost", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strncmp(line, "sni=localhost ", 14) == 0);
	net_tls_close(&t);
}

static void
tls_address_host(void)
{
	char line[256];

	/* an address is matched against iPAddress names and sent no SNI */
	CHECK(tls_open("ec", "127.0.0.1", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strncmp(line, "sni=- ", 6) == 0);
	net_tls_close(&t);
	CHECK(fails_with("wrongname", "127.0.0.1", &ca,
	    "certificate does not match host 127.0.0.1"));
	/* the certificate names ::1 too, but not 127.0.0.2 */
	CHECK(fails_with("ec", "127.0.0.2", &ca,
	    "certificate does not match host 127.0.0.2"));
	CHECK(fails_with("ec", "::2", &ca, "certificate does not match host ::2"));
	CHECK(tls_open("ec", "::1", &ca) == NET_OK);
	net_tls_close(&t);
}

static void
tls_refusals_say_why(void)
{
	char want[256], day[40];

	CHECK(fails_with("untrusted", "localhost", &ca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	CHECK(fails_with("wrongname", "localhost", &ca,
	    "certificate does not match host localhost"));
	CHECK(fails_with("ec", "example.com", &ca,
	    "certificate does not match host example.com"));
	today(day, sizeof(day));
	snprintf(want, sizeof(want), "certificate expired on 2001-01-01 (is "
	    "the system clock right? it says %s)", day);
	CHECK(fails_with("expired", "localhost", &ca, want));
	CHECK(fails_with("cbconly", "localhost", &ca, "TLS alert 40 "
	    "(handshake_failure) from the server: no cipher suite or curve in "
	    "common (zoomws offers TLS 1.2 ECDHE with AES-GCM or "
	    "ChaCha20-Poly1305)"));
	CHECK(fails_with("tls13only", "localhost", &ca, "TLS alert 70 "
	    "(protocol_version) from the server: the server does not accept "
	    "TLS 1.2"));
}

static void
tls_direct_trust(void)
{
	struct net_anchors nonca = { 0 }, none = { 0 };
	char err[256];
	int fd;

	/* a bundle of non-CA certificates trusts exactly those servers */
	CHECK(net_anchors_from_file(&nonca, FIX "nonca.pem", err,
	    sizeof(err)) == 2);
	CHECK(tls_open("selfsigned", "localhost", &nonca) == NET_OK);
	net_tls_close(&t);
	CHECK(tls_open("ec", "localhost", &nonca) == NET_OK);
	net_tls_close(&t);
	CHECK(fails_with("rsa", "localhost", &nonca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	CHECK(fails_with("selfsigned", "localhost", &ca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	net_anchors_free(&nonca);
	/* no anchors at all: refused before a byte is sent */
	fd = net_connect("127.0.0.1", port_of("ec"), net_now_ms() + 5000, -1,
	    err, sizeof(err));
	CHECK(fd >= 0);
	CHECK(net_tls_start(&t, fd, "localhost", &none) == NET_ERR_CONFIG);
	CHECK(net_tls_start(&t, fd, "", &ca) == NET_ERR_CONFIG);
	{
		char longname[300];

		memset(longname, 'a', 256);
		longname[256] = '\0';
		CHECK(net_tls_start(&t, fd, longname, &ca) == NET_ERR_CONFIG);
		longname[255] = '\0';
		CHECK(net_tls_start(&t, fd, longname, &ca) == NET_OK);
	}
	net_tls_close(&t);
	CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
}

static void
tls_suites(void)
{
	char desc[128], line[256];

	CHECK(tls_open("chacha", "localhost", &ca) == NET_OK);
	net_tls_describe(&t, desc, sizeof(desc));
	CHECK_STR(desc, "TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305");
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strstr(line, " cipher=ECDHE-RSA-CHACHA20-POLY1305\n") != NULL);
	net_tls_close(&t);
	CHECK(tls_open("aes128", "localhost", &ca) == NET_OK);
	net_tls_describe(&t, desc, sizeof(desc));
	CHECK_STR(desc, "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256");
	net_tls_close(&t);
	CHECK(tls_open("aes256", "localhost", &ca) == NET_OK);
	net_tls_describe(&t, desc, sizeof(desc));
	CHECK_STR(desc, "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384");
	net_tls_close(&t);
}

static void
tls_resumption(void)
{
	char line[256];

	/* the first handshake with a host is full ... */
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(!net_tls_resumed(&t));
	net_tls_close(&t);
	/* ... the next one resumes: both ends say so */
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(net_tls_resumed(&t));
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strstr(line, " resumed=1 ") != NULL);
	net_tls_close(&t);
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(net_tls_resumed(&t));
	net_tls_close(&t);
	/* another host name is not offered the session */
	CHECK(tls_open("rsa", "127.0.0.1", &ca) == NET_OK);
	CHECK(!net_tls_resumed(&t));
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strstr(line, " resumed=0 ") != NULL);
	net_tls_close(&t);
	/* the session is now 127.0.0.1's: localhost starts afresh */
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(!net_tls_resumed(&t));
	net_tls_close(&t);
	/* a server that does not know the session: a full handshake */
	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(!net_tls_resumed(&t));
	net_tls_close(&t);
	/* a failed handshake forgets the session it offered */
	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(net_tls_resumed(&t));
	net_tls_close(&t);
	CHECK(t.have_session);
	CHECK(fails_with("untrusted", "localhost", &ca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	CHECK(!t.have_session);
}

static void
tls_blocking_helpers(void)
{
	static unsigned char out[48000], in[48000];
	char line[256];
	size_t i, got = 0;
	long n;

	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	/* more than a record, more than the engine's buffer */
	CHECK(net_tls_write_all(&t, out, sizeof(out), net_now_ms() + 5000,
	    -1) == NET_OK);
	while (got < sizeof(in)) {
		n = net_tls_read(&t, in + got, sizeof(in) - got,
		    net_now_ms() + 5000, -1);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK(got == sizeof(in));
	CHECK_MEM(in, out, sizeof(in));
	CHECK(net_tls_read(&t, in, 0, net_now_ms() + 5000, -1) == 0);
	/* nothing more comes: the deadline ends the wait */
	{
		int64_t t0 = net_now_ms();

		CHECK(net_tls_read(&t, in, 1, t0 + 150, -1) == NET_ERR_TIMEOUT);
		CHECK(net_now_ms() - t0 >= 140);
	}
	/* the server echoes "bye\n" and closes with close_notify: the
	   bytes before it are read, then the clean close is seen */
	CHECK(net_tls_write_all(&t, "bye\n", 4, net_now_ms() + 5000, -1) ==
	    NET_OK);
	CHECK(read_line(line, sizeof(line)) == 4);
	CHECK_STR(line, "bye\n");
	CHECK(net_tls_read(&t, in, 1, net_now_ms() + 5000, -1) ==
	    NET_ERR_CLOSED);
	CHECK(net_tls_closed(&t));
	CHECK(net_tls_pump(&t, 0) == NET_ERR_CLOSED);
	CHECK(net_tls_write_all(&t, "x", 1, net_now_ms() + 5000, -1) ==
	    NET_ERR_CLOSED);
	net_tls_close(&t);
}

static void
tls_pumped_from_poll(void)
{
	struct pollfd pfd;
	unsigned char *p;
	char got[256];
	size_t len, have = 0;
	int64_t end = net_now_ms() + 5000;
	int state = 0, rc;

	/* the way zoomws drives the engine: events, poll, pump, buffers */
	{
		int fd = net_connect("127.0.0.1", port_of("rsa"), end, -1, got,
		    sizeof(got));

		CHECK(fd >= 0);
		CHECK(net_tls_start(&t, fd, "localhost", &ca) == NET_OK);
	}
	CHECK(!net_tls_handshake_done(&t));
	CHECK(net_tls_events(&t) & POLLOUT);    /* the ClientHello */
	while (state < 2 && net_now_ms() < end) {
		pfd.fd = t.fd;
		pfd.events = net_tls_events(&t);
		CHECK(pfd.events != 0);
		if (poll(&pfd, 1, 1000) < 0)
			break;
		if ((rc = net_tls_pump(&t, pfd.revents)) != NET_OK) {
			CHECK(rc == NET_OK);
			break;
		}
		if (state == 0 && net_tls_handshake_done(&t)) {
			p = net_tls_send_buf(&t, &len);
			CHECK(p != NULL && len >= 6);
			if (p == NULL)
				break;
			memcpy(p, "hello\n", 6);
			net_tls_send_ack(&t, 6);
			net_tls_flush(&t);
			state = 1;
		}
		while ((p = net_tls_recv_buf(&t, &len)) != NULL && len > 0) {
			if (len > sizeof(got) - 1 - have)
				len = sizeof(got) - 1 - have;
			memcpy(got + have, p, len);
			net_tls_recv_ack(&t, len);
			have += len;
			got[have] = '\0';
			if (strstr(got, "hello\n") != NULL)
				state = 2;
		}
	}
	CHECK(state == 2);
	CHECK(strncmp(got, "sni=localhost ", 14) == 0);
	net_tls_close(&t);
}

static void
tls_waits_end_on_wakefd_and_deadline(void)
{
	char port[16], err[256];
	int lfd = listener(port, sizeof(port)), wp[2], fd;
	int64_t t0;

	/* a server that accepts TCP and says nothing */
	CHECK(lfd >= 0 && pipe(wp) == 0);
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd >= 0);
	CHECK(net_tls_start(&t, fd, "localhost", &ca) == NET_OK);
	t0 = net_now_ms();
	CHECK(net_tls_handshake(&t, t0 + 150, wp[0]) == NET_ERR_TIMEOUT);
	CHECK(net_now_ms() - t0 >= 140 && net_now_ms() - t0 < 2000);
	CHECK(write(wp[1], "x", 1) == 1);
	t0 = net_now_ms();
	CHECK(net_tls_handshake(&t, t0 + 5000, wp[0]) == NET_ERR_INTR);
	CHECK(net_now_ms() - t0 < 1000);
	CHECK(net_tls_write_all(&t, "x", 1, t0 + 5000, wp[0]) == NET_ERR_INTR);
	CHECK(net_tls_read(&t, err, 1, t0 + 5000, wp[0]) == NET_ERR_INTR);
	/* a wake-up also ends a connect */
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, wp[0], err,
	    sizeof(err));
	CHECK(fd == NET_ERR_INTR || fd >= 0);  /* loopback may be instant */
	if (fd >= 0)
		close(fd);
	net_tls_close(&t);
	close(lfd);
	/* the peer closing in the middle of the handshake */
	lfd = listener(port, sizeof(port));
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd >= 0);
	CHECK(net_tls_start(&t, fd, "localhost", &ca) == NET_OK);
	CHECK(net_tls_pump(&t, POLLOUT) == NET_OK);     /* ClientHello out */
	{
		char hello[4096];
		int afd = accept(lfd, NULL, NULL);

		CHECK(afd >= 0);
		CHECK(read(afd, hello, sizeof(hello)) > 0);
		close(afd);
	}
	CHECK(net_tls_handshake(&t, net_now_ms() + 2000, -1) ==
	    NET_ERR_CLOSED);
	CHECK(!net_tls_handshake_done(&t));
	CHECK_STR(net_tls_error(&t, err, sizeof(err)), "the server closed the "
	    "connection during the handshake");
	net_tls_close(&t);
	close(lfd);
	close(wp[0]);
	close(wp[1]);
}

static void
tls_zeroed_is_closed(void)
{
	static struct net_tls z;
	size_t len;
	int stdin_open = fcntl(0, F_GETFD) != -1;

	/* a zeroed struct, never started, is closed: nothing to poll,
	   no data, and closing it leaves descriptor 0 alone */
	CHECK(net_tls_closed(&z));
	CHECK(net_tls_events(&z) == 0);
	CHECK(!net_tls_handshake_done(&z));
	CHECK(net_tls_recv_buf(&z, &len) == NULL && len == 0);
	CHECK(net_tls_send_buf(&z, &len) == NULL && len == 0);
	CHECK(net_tls_pump(&z, 0) == NET_ERR_CLOSED);
	net_tls_close(&z);
	CHECK((fcntl(0, F_GETFD) != -1) == stdin_open);
}

static void
tls_error_texts(void)
{
	static struct net_tls e;
	char buf[256];

	/* causes no local server can be made to produce */
	e.sc.eng.err = BR_ERR_RECV_FATAL_ALERT + 112;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)), "TLS alert 112 "
	    "(unrecognized_name) from the server: the server does not serve "
	    "this host name");
	e.sc.eng.err = BR_ERR_SEND_FATAL_ALERT + 42;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)),
	    "TLS alert 42 (bad_certificate) sent to the server");
	e.sc.eng.err = BR_ERR_X509_NOT_CA;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)),
	    "certificate chain has an issuer that is not a CA");
	e.sc.eng.err = BR_ERR_BAD_MAC;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)),
	    "a record failed authentication (corrupted in transit?)");
	e.sc.eng.err = BR_ERR_BAD_HANDSHAKE;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)),
	    "TLS protocol error (BearSSL error 14)");
	e.sc.eng.err = BR_ERR_X509_BAD_TAG_VALUE;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)),
	    "certificate rejected (BearSSL X.509 error 38)");
	e.sc.eng.err = BR_ERR_OK;
	e.io_errno = EPIPE;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)),
	    "socket error: Broken pipe");
	e.io_errno = 0;
	CHECK_STR(net_tls_error(&e, buf, sizeof(buf)), "no error");
	/* a short buffer is cut, never overrun */
	e.sc.eng.err = BR_ERR_X509_NOT_TRUSTED;
	CHECK_STR(net_tls_error(&e, buf, 12), "certificate");
}

/* ------------------------------------------------------------------ */
/* Node's https server, default settings                              */

static void
tls_node_https_default(void)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n";
	char resp[2048], desc[128], want[256];
	size_t len = 0;
	long n;
	int fd;

	fd = net_connect("127.0.0.1", node_port, net_now_ms() + 5000, -1, resp,
	    sizeof(resp));
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(net_tls_start(&t, fd, "localhost", &ca) == NET_OK);
	CHECK(net_tls_handshake(&t, net_now_ms() + 5000, -1) == NET_OK);
	CHECK(net_tls_write_all(&t, req, sizeof(req) - 1, net_now_ms() + 5000,
	    -1) == NET_OK);
	while (len < sizeof(resp) - 1 && (n = net_tls_read(&t, resp + len,
	    sizeof(resp) - 1 - len, net_now_ms() + 5000, -1)) > 0)
		len += (size_t)n;
	resp[len] = '\0';
	net_tls_describe(&t, desc, sizeof(desc));
	CHECK(strncmp(resp, "HTTP/1.1 200 OK\r\n", 17) == 0);
	/* Node names the suite the IANA way; ours is OpenSSL's */
	CHECK_STR(desc, "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256");
	snprintf(want, sizeof(want), "\r\n\r\nhello from node TLSv1.2 "
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n");
	CHECK(strstr(resp, want) != NULL);
	net_tls_close(&t);
}

int
main(void)
{
	char *py[3 + NSERVERS], *node[4], err[256];
	size_t i;

	t_suite = "net";
	signal(SIGPIPE, SIG_IGN);
	RUN(tls_zeroed_is_closed);
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
	RUN(connect_ok_sets_flags);
	RUN(connect_errors_name_the_peer);
	RUN(addr_str_forms);
	RUN(strerror_names_every_code);
	RUN(random_differs);
	RUN(monotonic_clock_moves);
	RUN(tls_error_texts);

	if (net_anchors_from_file(&ca, FIX "ca.pem", err, sizeof(err)) != 1) {
		printf("FAIL net/tls: %s\n", err);
		return 1;
	}
	py[0] = "python3";
	py[1] = FIX "tlsserver.py";
	for (i = 0; i < NSERVERS; i++)
		py[2 + i] = (char *)server_names[i];
	py[2 + NSERVERS] = NULL;
	server_pid = spawn_server(py, server_names, NSERVERS, server_port,
	    &server_in);
	if (server_pid < 0) {
		printf("FAIL net/tls: cannot start %s\n", py[1]);
		return 1;
	}
	RUN(tls_trusted_ec_and_rsa);
	RUN(tls_chain_through_intermediate);
	RUN(tls_address_host);
	RUN(tls_refusals_say_why);
	RUN(tls_direct_trust);
	RUN(tls_suites);
	RUN(tls_resumption);
	RUN(tls_blocking_helpers);
	RUN(tls_pumped_from_poll);
	RUN(tls_waits_end_on_wakefd_and_deadline);
	stop_server(&server_pid, &server_in);

	node[0] = "node";
	node[1] = FIX "httpsserver.js";
	node[2] = NULL;
	if (system("node --version >/dev/null 2>&1") == 0) {
		static const char *const nn[] = { "node" };

		node_pid = spawn_server(node, nn, 1, &node_port, &node_in);
		if (node_pid < 0)
			printf("FAIL net/node: cannot start %s\n", node[1]);
		else
			RUN(tls_node_https_default);
		stop_server(&node_pid, &node_in);
	} else
		printf("note: node not installed, Node interop not tested\n");
	net_anchors_free(&ca);
	return t_done();
}
