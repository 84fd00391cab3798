/*
 * jsontool.c - json.c for tests/check_json_diff.py: reads documents
 * from stdin, each as "<length>\n<bytes>", and writes one line for each:
 *
 *   <compact> <compact-hex> <unescape> <unescape-hex> <fields>
 *
 * <compact> is json_compact's result (a length or a negative error) and
 * <compact-hex> its output in hex ("-" if none); <unescape> and
 * <unescape-hex> the same for json_unescape of the compacted document
 * when it is a string (else "x -"); <fields> is, for a valid top-level
 * object, json_fields asked for the first JSON_TOOL_KEYS distinct member
 * names without NUL: "keyhex:type:start:end" joined by ',' ("-" if
 * none). Not part of zoomws.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"

#define JSON_TOOL_MAX   (1 << 20)
#define JSON_TOOL_KEYS  16

static char doc[JSON_TOOL_MAX], out[JSON_TOOL_MAX], dec[JSON_TOOL_MAX];
static char keys[JSON_TOOL_KEYS][JSON_TOOL_MAX / JSON_TOOL_KEYS];
static struct json_token tok[JSON_TOOL_MAX + 1];

static void
hex(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		putchar('-');
	for (i = 0; i < n; i++)
		printf("%02x", (unsigned char)p[i]);
}

/* The tokens of valid doc[0..len); their number. */
static size_t
tokens(size_t len)
{
	struct json_lexer lx;
	struct json_token last;
	size_t at = 0, nt, n = 0;
	long r;

	json_lexer_init(&lx);
	while (at < len) {
		r = json_lexer_scan(&lx, doc + at, len - at, tok + n,
		    JSON_TOOL_MAX + 1 - n, &nt);
		n += nt;
		if (r <= 0)
			break;
		at += (size_t)r;
	}
	if (json_lexer_end(&lx, &last) == JSON_OK && last.kind != JSON_TOK_NONE)
		tok[n++] = last;
	return n;
}

static void
fields(size_t len)
{
	struct json_field f[JSON_TOOL_KEYS];
	size_t n = tokens(len), i, k, nk = 0;
	long kl;
	int rc;

	if (n == 0 || tok[0].kind != JSON_TOK_OBJECT) {
		putchar('-');
		return;
	}
	for (i = 0; i < n && nk < JSON_TOOL_KEYS; i++) {
		if (tok[i].kind != JSON_TOK_NAME || tok[i].depth != 1)
			continue;
		kl = json_unescape(keys[nk], sizeof(keys[0]) - 1,
		    doc + tok[i].start, tok[i].end - tok[i].start);
		if (kl < 0 || memchr(keys[nk], '\0', (size_t)kl) != NULL)
			continue;
		keys[nk][kl] = '\0';
		for (k = 0; k < nk; k++)
			if (strcmp(keys[k], keys[nk]) == 0)
				break;
		if (k == nk)
			f[nk].key = keys[nk], nk++;
	}
	if (nk == 0) {
		putchar('-');
		return;
	}
	if ((rc = json_fields(doc, len, f, nk)) != JSON_OK) {
		printf("error%d", rc);
		return;
	}
	for (k = 0; k < nk; k++) {
		if (k)
			putchar(',');
		hex(f[k].key, strlen(f[k].key));
		printf(":%d:%zu:%zu", (int)f[k].type, f[k].start, f[k].end);
	}
}

int
main(void)
{
	size_t len;
	long c, u;

	while (scanf("%zu", &len) == 1 && getchar() == '\n') {
		if (len > JSON_TOOL_MAX || fread(doc, 1, len, stdin) != len) {
			fprintf(stderr, "jsontool: bad record\n");
			return 2;
		}
		c = json_compact(out, sizeof(out), doc, len);
		printf("%ld ", c);
		if (c > 0)
			hex(out, (size_t)c);
		else
			putchar('-');
		if (c > 0 && out[0] == '"') {
			u = json_unescape(dec, sizeof(dec), out, (size_t)c);
			printf(" %ld ", u);
			if (u > 0)
				hex(dec, (size_t)u);
			else
				putchar('-');
		} else
			printf(" x -");
		putchar(' ');
		if (c >= 0)
			fields(len);
		else
			putchar('-');
		putchar('\n');
	}
	return 0;
}
