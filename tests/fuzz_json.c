/*
 * fuzz_json.c - the lexer on arbitrary bytes, with oracles:
 *  - fed whole and fed in two pieces (cut from the first byte), the same
 *    verdict and the same compacted output;
 *  - compact(doc) validates iff doc does, and compact(compact(doc)) is
 *    compact(doc);
 *  - compaction removes only whitespace: the non-whitespace bytes of doc
 *    appear in order in the output;
 *  - json_unescape in place equals json_unescape to another buffer, and
 *    a string value's decoding never grows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_lexer lx;
	const char *doc = (const char *)data;
	char *a, *b, *c;
	size_t n, cut, i, j;
	long la, lb, lc;
	int rc;

	if (size > 1 << 16)
		return 0;
	a = malloc(size + 1);
	b = malloc(size + 1);
	c = malloc(size + 1);
	la = json_compact(a, size, doc, size);
	if ((la >= 0) != (json_validate(doc, size) == JSON_OK))
		__builtin_trap();
	cut = size ? data[0] % (size + 1) : 0;
	n = 0;
	json_lexer_init(&lx);
	rc = json_lexer_feed(&lx, doc, cut, b, size, &n);
	if (rc == JSON_OK)
		rc = json_lexer_feed(&lx, doc + cut, size - cut, b, size, &n);
	if (rc == JSON_OK)
		rc = json_lexer_end(&lx);
	lb = rc == JSON_OK ? (long)n : rc;
	if (la != lb || (la >= 0 && memcmp(a, b, (size_t)la) != 0))
		__builtin_trap();
	if (la >= 0) {
		lc = json_compact(c, size, a, (size_t)la);
		if (lc != la || memcmp(a, c, (size_t)la) != 0)
			__builtin_trap();
		for (i = 0, j = 0; i < size; i++)
			if (doc[i] != ' ' && doc[i] != '\t' && doc[i] != '\n' &&
			    doc[i] != '\r') {
				/* outside strings all of these are kept; inside
				   strings whitespace is kept too, so j advances
				   on exact matches only */
				while (j < (size_t)la && a[j] != doc[i])
					j++;
				if (j == (size_t)la)
					__builtin_trap();
				j++;
			}
		if (a[0] == '"') {
			lb = json_unescape(b, size, a, (size_t)la);
			memcpy(c, a, (size_t)la);
			lc = json_unescape(c, (size_t)la, c, (size_t)la);
			if (lb < 0 || lb != lc || lb > la ||
			    memcmp(b, c, (size_t)lb) != 0)
				__builtin_trap();
		}
	}
	free(a);
	free(b);
	free(c);
	return 0;
}
