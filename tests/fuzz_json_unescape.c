/*
 * fuzz_json_unescape.c - string decoding on arbitrary literal bodies:
 * the input, quoted, goes to json_unescape, with oracles:
 *  - a reference decoder written differently (code points, not byte
 *    ranges) agrees on success and on every output byte;
 *  - json_unescape succeeds iff json_validate accepts the literal;
 *  - in place equals apart; the exact length is room enough, one byte
 *    less is JSON_ERR_SPACE and nothing is written past cap;
 *  - json_streq matches the output and not a changed copy;
 *  - json_unescape_compact equals json_compact of the decoded text (the
 *    same bytes, or the same error when the literal itself is fine),
 *    also in place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLIT (1 << 16)

static char src[MAXLIT + 2], out[MAXLIT + 8], ref[MAXLIT + 8],
    buf[MAXLIT + 8], cmp[MAXLIT + 8], str[MAXLIT + 8];

static long
hex4(const unsigned char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= p[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t
put(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The reference: decode body s[0..n) to o; length or -1. */
static long
ref_decode(const unsigned char *s, size_t n, char *o)
{
	size_t i = 0, w = 0, len, k;
	unsigned long cp, min;
	long lo;

	while (i < n) {
		unsigned c = s[i];

		if (c == '"' || c < 0x20)
			return -1;
		if (c == '\\') {
			if (i + 1 >= n)
				return -1;
			switch (s[i + 1]) {
			case '"': o[w++] = '"'; i += 2; continue;
			case '\\': o[w++] = '\\'; i += 2; continue;
			case '/': o[w++] = '/'; i += 2; continue;
			case 'b': o[w++] = '\b'; i += 2; continue;
			case 'f': o[w++] = '\f'; i += 2; continue;
			case 'n': o[w++] = '\n'; i += 2; continue;
			case 'r': o[w++] = '\r'; i += 2; continue;
			case 't': o[w++] = '\t'; i += 2; continue;
			case 'u': break;
			default: return -1;
			}
			if (i + 6 > n || (lo = hex4(s + i + 2)) < 0)
				return -1;
			cp = (unsigned long)lo;
			i += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' ||
				    (lo = hex4(s + i + 2)) < 0 || lo < 0xDC00 ||
				    lo > 0xDFFF)
					return -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				    ((unsigned long)lo - 0xDC00);
				i += 6;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF)
				return -1;
			w += put(o + w, cp);
			continue;
		}
		if (c < 0x80) {
			o[w++] = (char)c;
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			len = 2;
			min = 0x80;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			min = 0x800;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			min = 0x10000;
			cp = c & 0x07;
		} else
			return -1;
		if (i + len > n)
			return -1;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		memcpy(o + w, s + i, len);
		w += len;
		i += len;
	}
	return (long)w;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size + 2;
	long r, rr, l2, l3, uc;

	if (size > MAXLIT)
		return 0;
	src[0] = '"';
	memcpy(src + 1, data, size);
	src[size + 1] = '"';

	r = json_unescape(out, sizeof(out), src, n);
	rr = ref_decode(data, size, ref);
	if ((r >= 0) != (rr >= 0) || (r >= 0 && (r != rr ||
	    memcmp(out, ref, (size_t)r) != 0)))
		__builtin_trap();
	if ((json_validate(src, n) == JSON_OK) != (r >= 0))
		__builtin_trap();

	/* in place */
	memcpy(buf, src, n);
	l2 = json_unescape(buf, n, buf, n);
	if (l2 != r || (r >= 0 && memcmp(buf, out, (size_t)r) != 0))
		__builtin_trap();

	if (r >= 0) {
		/* exact room, one byte less */
		memset(buf, 'Z', (size_t)r + 1);
		if (json_unescape(buf, (size_t)r, src, n) != r ||
		    memcmp(buf, out, (size_t)r) != 0 || buf[r] != 'Z')
			__builtin_trap();
		if (r > 0) {
			memset(buf, 'Z', (size_t)r);
			if (json_unescape(buf, (size_t)r - 1, src, n) !=
			    JSON_ERR_SPACE || buf[r - 1] != 'Z')
				__builtin_trap();
		}
		/* json_streq */
		if (memchr(out, '\0', (size_t)r) == NULL) {
			memcpy(str, out, (size_t)r);
			str[r] = '\0';
			if (!json_streq(src, n, str))
				__builtin_trap();
			if (r > 0) {
				str[r - 1] ^= 1;
				if (str[r - 1] != '\0' && json_streq(src, n, str))
					__builtin_trap();
				str[r - 1] ^= 1;
			}
			str[r] = 'x';
			str[r + 1] = '\0';
			if (json_streq(src, n, str))
				__builtin_trap();
		}
	} else if (json_streq(src, n, ""))
		__builtin_trap();

	/* one pass equals two */
	uc = json_unescape_compact(cmp, sizeof(cmp), src, n);
	if (r < 0) {
		if (uc >= 0)
			__builtin_trap();
	} else {
		l3 = json_compact(buf, sizeof(buf), out, (size_t)r);
		if (uc != l3 || (uc >= 0 && memcmp(cmp, buf, (size_t)uc) != 0))
			__builtin_trap();
	}
	memcpy(buf, src, n);
	l2 = json_unescape_compact(buf, n, buf, n);
	if (l2 != uc || (uc >= 0 && memcmp(buf, cmp, (size_t)uc) != 0))
		__builtin_trap();
	return 0;
}
