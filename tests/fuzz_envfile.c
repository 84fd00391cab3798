/*
 * fuzz_envfile.c - libFuzzer target for the env file reader.
 *
 * Oracles:
 * 1. The input fed whole and fed in pieces (sizes from a generator
 *    seeded by the first byte) gives the same calls, result and line.
 * 2. Every call has a key matching [A-Za-z_][A-Za-z0-9_]* and a value
 *    without NUL or LF, and comes from a line at or before the error.
 * 3. The input as a value (when it has no NUL or LF), written
 *    double-quoted with \" and \\ escaped, and single-quoted when it has
 *    no ', reads back byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../envfile.h"

#define MAXIN (ENVFILE_MAX_LINE * 3)

struct record {
	struct envfile *e;
	char   text[MAXIN * 2 + 4096];
	size_t len;
	int    calls;
};

static struct envfile ef;
static struct record A, B;
static char file[MAXIN * 2 + 64];

static int
record_cb(void *arg, const char *key, const char *value)
{
	struct record *r = arg;
	size_t i, kl = strlen(key), vl = strlen(value);

	if (kl == 0 || !((key[0] >= 'A' && key[0] <= 'Z') ||
	    (key[0] >= 'a' && key[0] <= 'z') || key[0] == '_'))
		abort();
	for (i = 0; i < kl; i++)
		if (!((key[i] >= 'A' && key[i] <= 'Z') ||
		    (key[i] >= 'a' && key[i] <= 'z') ||
		    (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
			abort();
	if (memchr(value, '\n', vl) != NULL || kl + vl >= ENVFILE_MAX_LINE)
		abort();
	r->calls++;
	if (r->len + kl + vl + 32 > sizeof(r->text))
		abort();
	r->len += (size_t)snprintf(r->text + r->len, sizeof(r->text) - r->len,
	    "%lu:%s=%s\n", r->e->lineno, key, value);
	/* stop at the 50th call, to cover the callback's error */
	return r->calls == 50;
}

static int
run(struct record *r, const char *f, size_t n, unsigned seed,
    unsigned long *line)
{
	size_t at = 0, k;
	int rc = ENVFILE_OK;

	r->len = 0;
	r->text[0] = '\0';
	r->calls = 0;
	r->e = &ef;
	envfile_init(&ef, record_cb, r);
	while (rc == ENVFILE_OK && at < n) {
		if (seed == 0) {
			k = n - at;
		} else {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 16) % 23;
			if (k > n - at)
				k = n - at;
		}
		rc = envfile_feed(&ef, f + at, k);
		at += k;
	}
	if (rc == ENVFILE_OK)
		rc = envfile_end(&ef);
	*line = ef.lineno;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	unsigned long la, lb;
	size_t i, n;
	int ra, rb;

	if (size > MAXIN)
		return 0;

	/* 1, 2 */
	ra = run(&A, d, size, 0, &la);
	rb = run(&B, d, size, size > 0 ? data[0] * 2654435761u + 1 : 1, &lb);
	if (ra != rb || (ra != ENVFILE_OK && la != lb) || A.len != B.len ||
	    strcmp(A.text, B.text) != 0)
		abort();
	if (ra < ENVFILE_ERR_CALLBACK || ra > ENVFILE_OK)
		abort();

	/* 3 */
	if (memchr(d, '\0', size) != NULL || memchr(d, '\n', size) != NULL ||
	    size > ENVFILE_MAX_LINE / 2 - 16)
		return 0;
	n = (size_t)snprintf(file, sizeof(file), "# value\r\nexport KEY_1 = \"");
	for (i = 0; i < size; i++) {
		if (d[i] == '"' || d[i] == '\\')
			file[n++] = '\\';
		file[n++] = d[i];
	}
	n += (size_t)snprintf(file + n, sizeof(file) - n, "\" # c\r\n");
	ra = run(&A, file, n, 7, &la);
	if (ra != ENVFILE_OK || A.calls != 1 ||
	    strncmp(A.text, "2:KEY_1=", 8) != 0 || A.len != size + 9 ||
	    memcmp(A.text + 8, d, size) != 0)
		abort();
	if (memchr(d, '\'', size) == NULL) {
		n = (size_t)snprintf(file, sizeof(file), "K='%.*s'", (int)size, d);
		ra = run(&A, file, n, 0, &la);
		if (ra != ENVFILE_OK || A.calls != 1 || A.len != size + 5 ||
		    memcmp(A.text + 4, d, size) != 0)
			abort();
	}
	return 0;
}
