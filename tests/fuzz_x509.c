/*
 * fuzz_x509.c - the certificate walks that read what a server sends
 * (x509.c): the server's certificate is parsed for its dates and
 * subject, searched for an iPAddress name, and its subject's CommonName
 * read for reports. Arbitrary bytes, from libFuzzer's own buffer of
 * exactly that size (ASan sees any read past it); oracles:
 *  - every span x509_cert_parse returns lies inside the input, a DN
 *    starts with a SEQUENCE, dates come with X509_OK or
 *    X509_UNSUPPORTED only, and a key is RSA or EC with its parts set;
 *  - x509_has_ip answers 0 or 1, the same for a copy of the input, and
 *    never 1 for an address whose bytes the input does not hold;
 *  - x509_common_name writes a NUL-terminated printable string within
 *    the buffer it is given, at every buffer size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "../x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
inside(const struct x509_span *s, const uint8_t *data, size_t size)
{
	if (s->p == NULL && s->end == NULL)
		return 1;
	return s->p >= data && s->end <= data + size && s->p <= s->end;
}

static void
check_name(const uint8_t *dn, size_t len)
{
	char buf[64];
	size_t cap, i;

	for (cap = 1; cap <= sizeof(buf); cap += 7) {
		memset(buf, 'Z', sizeof(buf));
		x509_common_name(dn, len, buf, cap);
		for (i = 0; i < cap && buf[i] != '\0'; i++)
			if (buf[i] < 0x20 || buf[i] >= 0x7f)
				__builtin_trap();
		if (i == cap)
			__builtin_trap();
		for (i = cap; i < sizeof(buf); i++)
			if (buf[i] != 'Z')
				__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_cert c;
	const char *part = NULL;
	unsigned char ip[16];
	uint8_t *copy;
	int rc, r1, r2;

	rc = x509_cert_parse(data, size, &c, &part);
	if (rc != X509_OK && rc != X509_UNSUPPORTED && rc != X509_BAD)
		__builtin_trap();
	if (!inside(&c.dn, data, size) || !inside(&c.n, data, size) ||
	    !inside(&c.e, data, size) || !inside(&c.q, data, size))
		__builtin_trap();
	if (rc == X509_BAD && part == NULL)
		__builtin_trap();
	if (rc == X509_OK) {
		if (c.dn.p == NULL || *c.dn.p != 0x30)
			__builtin_trap();
		if (c.key_type == BR_KEYTYPE_RSA ? c.n.p == c.n.end ||
		    c.e.p == c.e.end : c.key_type != BR_KEYTYPE_EC ||
		    c.q.p == c.q.end)
			__builtin_trap();
	}
	if (c.dn.p != NULL)
		check_name(c.dn.p, (size_t)(c.dn.end - c.dn.p));
	check_name(data, size);

	/* an address taken from the input, and one it cannot hold */
	memset(ip, 0, sizeof(ip));
	memcpy(ip, data, size < 16 ? size : 16);
	r1 = x509_has_ip(data, size, ip, 4);
	r2 = x509_has_ip(data, size, ip, 16);
	if ((r1 != 0 && r1 != 1) || (r2 != 0 && r2 != 1))
		__builtin_trap();
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (x509_has_ip(copy, size, ip, 4) != r1)
		__builtin_trap();
	free(copy);
	if (size < 4 && r1)
		__builtin_trap();
	return 0;
}
