/*
 * fuzz_pem.c - arbitrary bytes as a CA bundle into ca_from_pem
 * and the streaming reader under it. No crash, no leak (LeakSanitizer),
 * and three oracles:
 *  - split: the input pushed in two pieces, at a point chosen by the
 *    input, and (for short inputs) byte by byte, gives the same result
 *    and the same anchors as pushed whole;
 *  - count: a result n >= 0 is the number of anchors added;
 *  - all or nothing: a failed bundle leaves no anchor and no skip count.
 * Then the same bytes as the DER of one certificate, straight into the
 * DER walk (ca_add_der), from libFuzzer's own buffer of exactly
 * that size, so that ASan sees a read past its end; where BearSSL's
 * X.509 decoder accepts the certificate too, the anchors are the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../ca.h"
#include "anchors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check the oracles on one result: rc from a load into an empty set. */
static void
check_result(int rc, const struct ca_anchors *a)
{
	if (rc >= 0 && (size_t)rc != a->n)
		__builtin_trap();
	if (rc < 0 && (rc != CA_ERR || a->n != 0 || a->skipped != 0))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ca_pem p;
	struct ca_anchors whole = { 0 }, part = { 0 };
	char err[256];
	size_t k, i;
	int n, m;

	n = ca_from_pem(&whole, (const char *)data, size, err,
	    sizeof(err));
	check_result(n, &whole);

	k = size >= 2 ? (size_t)(data[0] | data[1] << 8) % (size + 1) : 0;
	ca_pem_begin(&p, &part);
	ca_pem_push(&p, data, k, err, sizeof(err));
	ca_pem_push(&p, data + k, size - k, err, sizeof(err));
	m = ca_pem_end(&p, err, sizeof(err));
	check_result(m, &part);
	if (m != n || !same_anchors(&whole, &part))
		__builtin_trap();
	ca_free(&part);

	if (size <= 512) {
		ca_pem_begin(&p, &part);
		for (i = 0; i < size; i++)
			ca_pem_push(&p, data + i, 1, err, sizeof(err));
		m = ca_pem_end(&p, err, sizeof(err));
		if (m != n || !same_anchors(&whole, &part))
			__builtin_trap();
		ca_free(&part);
	}
	ca_free(&whole);

	n = ca_add_der(&whole, data, size, err, sizeof(err));
	check_result(n, &whole);
	if (n == 1 && ref_anchor(&part, data, size) == 1 &&
	    !same_anchors(&whole, &part))
		__builtin_trap();
	ca_free(&part);
	ca_free(&whole);
	return 0;
}
