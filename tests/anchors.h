/*
 * anchors.h - for the tests of the trust anchors (test_x509.c and
 * fuzz_pem.c): two anchor sets compared, and the anchor BearSSL's own
 * X.509 decoder makes of a certificate, the reference zoomws's DER walk
 * is held to. Include after ca.h.
 */
#ifndef ANCHORS_H
#define ANCHORS_H

#include <stdlib.h>
#include <string.h>

/* Two anchor sets hold the same anchors, in the same order. */
static int
same_anchors(const struct ca_anchors *a, const struct ca_anchors *b)
{
	size_t i;

	if (a->n != b->n || a->skipped != b->skipped)
		return 0;
	for (i = 0; i < a->n; i++) {
		const br_x509_trust_anchor *x = &a->ta[i], *y = &b->ta[i];

		if (x->flags != y->flags || x->dn.len != y->dn.len ||
		    memcmp(x->dn.data, y->dn.data, x->dn.len) != 0 ||
		    x->pkey.key_type != y->pkey.key_type)
			return 0;
		if (x->pkey.key_type == BR_KEYTYPE_RSA ? (x->pkey.key.rsa.nlen !=
		    y->pkey.key.rsa.nlen || x->pkey.key.rsa.elen !=
		    y->pkey.key.rsa.elen || memcmp(x->pkey.key.rsa.n,
		    y->pkey.key.rsa.n, x->pkey.key.rsa.nlen) != 0 ||
		    memcmp(x->pkey.key.rsa.e, y->pkey.key.rsa.e,
		    x->pkey.key.rsa.elen) != 0) : (x->pkey.key.ec.curve !=
		    y->pkey.key.ec.curve || x->pkey.key.ec.qlen !=
		    y->pkey.key.ec.qlen || memcmp(x->pkey.key.ec.q,
		    y->pkey.key.ec.q, x->pkey.key.ec.qlen) != 0))
			return 0;
	}
	return 1;
}

static unsigned char ref_buf[X509_MAX_CERT];
static size_t ref_len;

static void
ref_append(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (len > sizeof(ref_buf) - ref_len)
		len = sizeof(ref_buf) - ref_len;
	memcpy(ref_buf + ref_len, buf, len);
	ref_len += len;
}

/*
 * ref_anchor: the anchor br_x509_decoder makes of der[0..len), added to
 * a in the layout ca.c uses (one block, DN first), so that
 * ca_free releases it. Returns 1, 0 for a key BearSSL does not
 * support (a->skipped counts it), -1 when BearSSL refuses the DER.
 */
static int
ref_anchor(struct ca_anchors *a, const unsigned char *der, size_t len)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	br_x509_trust_anchor *ta;
	unsigned char *blk;
	size_t klen;

	ref_len = 0;
	br_x509_decoder_init(&dc, ref_append, NULL);
	br_x509_decoder_push(&dc, der, len);
	if ((pk = br_x509_decoder_get_pkey(&dc)) == NULL) {
		if (br_x509_decoder_last_error(&dc) != BR_ERR_X509_UNSUPPORTED)
			return -1;
		a->skipped++;
		return 0;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->ta = realloc(a->ta, a->cap * sizeof(*a->ta));
	}
	ta = &a->ta[a->n++];
	memset(ta, 0, sizeof(*ta));
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	klen = pk->key_type == BR_KEYTYPE_RSA ?
	    pk->key.rsa.nlen + pk->key.rsa.elen : pk->key.ec.qlen;
	blk = malloc(ref_len + klen + 1);
	ta->dn.data = memcpy(blk, ref_buf, ref_len);
	ta->dn.len = ref_len;
	blk += ref_len;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = memcpy(blk, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = memcpy(blk + pk->key.rsa.nlen,
		    pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = memcpy(blk, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	return 1;
}

#endif
