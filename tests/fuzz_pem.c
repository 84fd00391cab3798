/*
 * fuzz_pem.c - arbitrary bytes as a CA bundle into net_anchors_from_pem
 * and the streaming reader under it. No crash, no leak (LeakSanitizer),
 * and three oracles:
 *  - split: the input pushed in two pieces, at a point chosen by the
 *    input, and (for short inputs) byte by byte, gives the same result
 *    and the same anchors as pushed whole;
 *  - count: a result n >= 0 is the number of anchors added;
 *  - all or nothing: a failed bundle leaves no anchor and no skip count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_anchors(const struct net_anchors *a, const struct net_anchors *b)
{
	size_t i;

	if (a->n != b->n || a->skipped != b->skipped)
		return 0;
	for (i = 0; i < a->n; i++) {
		const br_x509_trust_anchor *x = &a->ta[i], *y = &b->ta[i];
		const br_x509_pkey *k = &x->pkey, *l = &y->pkey;

		if (x->flags != y->flags || x->dn.len != y->dn.len ||
		    memcmp(x->dn.data, y->dn.data, x->dn.len) != 0 ||
		    k->key_type != l->key_type)
			return 0;
		if (k->key_type == BR_KEYTYPE_RSA) {
			if (k->key.rsa.nlen != l->key.rsa.nlen ||
			    k->key.rsa.elen != l->key.rsa.elen ||
			    memcmp(k->key.rsa.n, l->key.rsa.n, k->key.rsa.nlen) ||
			    memcmp(k->key.rsa.e, l->key.rsa.e, k->key.rsa.elen))
				return 0;
		} else if (k->key.ec.curve != l->key.ec.curve ||
		    k->key.ec.qlen != l->key.ec.qlen ||
		    memcmp(k->key.ec.q, l->key.ec.q, k->key.ec.qlen) != 0)
			return 0;
	}
	return 1;
}

/* Check the oracles on one result: rc from a load into an empty set. */
static void
check_result(int rc, const struct net_anchors *a)
{
	if (rc >= 0 && (size_t)rc != a->n)
		__builtin_trap();
	if (rc < 0 && (rc != NET_ERR_CONFIG || a->n != 0 || a->skipped != 0))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct net_pem p;
	struct net_anchors whole = { 0 }, part = { 0 };
	char err[256];
	size_t k, i;
	int n, m;

	n = net_anchors_from_pem(&whole, (const char *)data, size, err,
	    sizeof(err));
	check_result(n, &whole);

	k = size >= 2 ? (size_t)(data[0] | data[1] << 8) % (size + 1) : 0;
	net_pem_begin(&p, &part);
	net_pem_push(&p, data, k, err, sizeof(err));
	net_pem_push(&p, data + k, size - k, err, sizeof(err));
	m = net_pem_end(&p, err, sizeof(err));
	check_result(m, &part);
	if (m != n || !same_anchors(&whole, &part))
		__builtin_trap();
	net_anchors_free(&part);

	if (size <= 512) {
		net_pem_begin(&p, &part);
		for (i = 0; i < size; i++)
			net_pem_push(&p, data + i, 1, err, sizeof(err));
		m = net_pem_end(&p, err, sizeof(err));
		if (m != n || !same_anchors(&whole, &part))
			__builtin_trap();
		net_anchors_free(&part);
	}
	net_anchors_free(&whole);
	return 0;
}
