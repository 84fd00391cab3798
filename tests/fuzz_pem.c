/*
 * fuzz_pem.c - arbitrary bytes as a CA bundle: no crash, no leak, and
 * the anchors loaded from the whole input equal those loaded when the
 * same input is loaded again (the decoder keeps no state across calls).
 */
#include <stdint.h>
#include <string.h>

#include "../net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_anchors a = { 0 }, b = { 0 };
	char err[256];
	int n, m;
	size_t i;

	n = net_anchors_from_pem(&a, (const char *)data, size, err, sizeof(err));
	m = net_anchors_from_pem(&b, (const char *)data, size, err, sizeof(err));
	if (n != m || a.n != b.n)
		__builtin_trap();
	for (i = 0; i < a.n; i++)
		if (a.ta[i].dn.len != b.ta[i].dn.len ||
		    memcmp(a.ta[i].dn.data, b.ta[i].dn.data, a.ta[i].dn.len) != 0 ||
		    a.ta[i].flags != b.ta[i].flags)
			__builtin_trap();
	net_anchors_free(&a);
	net_anchors_free(&b);
	return 0;
}
