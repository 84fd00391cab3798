/*
 * json.c - strict RFC 8259 JSON: a streaming lexer, and field lookup,
 * string decoding and compaction on top of it.
 *
 * The lexer is one switch over the byte and its state; the container
 * stack is a bit per level. It copies every byte but the whitespace
 * outside strings to an optional output, which is all compaction is.
 */
#include <string.h>

#include "json.h"

enum {
	S_VALUE,        /* a value must come (top level, after ':' or ',') */
	S_VALUE_OR_END, /* after '[': a value or ']' */
	S_KEY_OR_END,   /* after '{': a member name or '}' */
	S_KEY,          /* after ',' in an object: a member name */
	S_COLON,        /* after a member name */
	S_AFTER,        /* after a value: ',', a closer, or the end */
	S_STRING,
	S_ESC,          /* after a backslash */
	S_UHEX,         /* in the four digits of \u */
	S_NUM_MINUS,    /* "-" */
	S_NUM_ZERO,     /* "0" or "-0" */
	S_NUM_INT,      /* "[-]1..." */
	S_NUM_DOT,      /* "...." */
	S_NUM_FRAC,     /* "...5" */
	S_NUM_E,        /* "...e" */
	S_NUM_ESIGN,    /* "...e+" */
	S_NUM_EXP,      /* "...e5" */
	S_LIT           /* in true, false or null */
};

static int
is_ws(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

void
json_lexer_init(struct json_lexer *lx)
{
	memset(lx, 0, sizeof(*lx));
	lx->state = S_VALUE;
}

static int
top_is_object(const struct json_lexer *lx)
{
	unsigned d = lx->depth - 1;

	return (lx->stack[d / 8] >> (d % 8)) & 1;
}

static int
push(struct json_lexer *lx, int object)
{
	unsigned d = lx->depth;

	if (d == JSON_MAX_DEPTH)
		return JSON_ERR_DEPTH;
	if (object)
		lx->stack[d / 8] |= (uint8_t)(1u << (d % 8));
	else
		lx->stack[d / 8] &= (uint8_t)~(1u << (d % 8));
	lx->depth++;
	return JSON_OK;
}

/* A value ended: after it comes ',', a closer, or (top level) the end. */
static void
end_value(struct json_lexer *lx)
{
	lx->tokens++;
	lx->state = S_AFTER;
}

/* The first byte of a value. */
static int
begin_value(struct json_lexer *lx, unsigned c)
{
	switch (c) {
	case '{':
		lx->state = S_KEY_OR_END;
		return push(lx, 1);
	case '[':
		lx->state = S_VALUE_OR_END;
		return push(lx, 0);
	case '"':
		lx->state = S_STRING;
		lx->key = 0;
		return JSON_OK;
	case '-':
		lx->state = S_NUM_MINUS;
		return JSON_OK;
	case '0':
		lx->state = S_NUM_ZERO;
		return JSON_OK;
	case 't':
		lx->littext = "true";
		break;
	case 'f':
		lx->littext = "false";
		break;
	case 'n':
		lx->littext = "null";
		break;
	default:
		if (c >= '1' && c <= '9') {
			lx->state = S_NUM_INT;
			return JSON_OK;
		}
		return JSON_ERR_SYNTAX;
	}
	lx->state = S_LIT;
	lx->lit = 1;
	return JSON_OK;
}

/* A byte inside a string, outside escapes (RFC 8259 7, 8.1). */
static int
string_byte(struct json_lexer *lx, unsigned c)
{
	if (lx->need > 0) {
		if (c < lx->lo || c > lx->hi)
			return JSON_ERR_UTF8;
		lx->need--;
		lx->lo = 0x80;
		lx->hi = 0xBF;
		return JSON_OK;
	}
	if (lx->high && c != '\\')
		return JSON_ERR_ESCAPE;     /* a high surrogate alone */
	if (c == '"') {
		if (lx->key) {
			lx->tokens++;
			lx->state = S_COLON;
		} else
			end_value(lx);
		return JSON_OK;
	}
	if (c == '\\') {
		lx->state = S_ESC;
		return JSON_OK;
	}
	if (c < 0x20)
		return JSON_ERR_CONTROL;
	if (c < 0x80)
		return JSON_OK;
	/* UTF-8 lead bytes, with the range of the next byte that rules out
	   overlongs, surrogates and code points past U+10FFFF. */
	lx->lo = 0x80;
	lx->hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		lx->need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		lx->need = 2;
		if (c == 0xE0)
			lx->lo = 0xA0;
		else if (c == 0xED)
			lx->hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		lx->need = 3;
		if (c == 0xF0)
			lx->lo = 0x90;
		else if (c == 0xF4)
			lx->hi = 0x8F;
	} else
		return JSON_ERR_UTF8;
	return JSON_OK;
}

/* Is c the end of a number? Then the number is a value that ended. */
static int
number_ends(unsigned c)
{
	return is_ws(c) || c == ',' || c == ']' || c == '}';
}

int
json_lexer_feed(struct json_lexer *lx, const char *in, size_t len,
    char *out, size_t cap, size_t *outlen)
{
	size_t i, o = outlen ? *outlen : 0;
	unsigned c;
	int rc, keep, v;

	if (lx->err)
		return lx->err;
	for (i = 0; i < len; i++) {
		/* Fast path: a run of plain ASCII inside a string. */
		if (lx->state == S_STRING && lx->need == 0 && !lx->high) {
			size_t j = i;

			while (j < len) {
				c = (unsigned char)in[j];
				if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
					break;
				j++;
			}
			if (j > i) {
				if (out != NULL) {
					if (j - i > cap - o) {
						rc = JSON_ERR_SPACE;
						goto fail;
					}
					memmove(out + o, in + i, j - i);
					o += j - i;
				}
				i = j;
				if (i == len)
					break;
			}
		}
		c = (unsigned char)in[i];
		keep = 1;
		rc = JSON_OK;
again:
		switch (lx->state) {
		case S_VALUE:
			if (is_ws(c))
				keep = 0;
			else
				rc = begin_value(lx, c);
			break;
		case S_VALUE_OR_END:
			if (is_ws(c))
				keep = 0;
			else if (c == ']') {
				lx->depth--;
				end_value(lx);
			} else
				rc = begin_value(lx, c);
			break;
		case S_KEY_OR_END:
		case S_KEY:
			if (is_ws(c))
				keep = 0;
			else if (c == '"') {
				lx->state = S_STRING;
				lx->key = 1;
			} else if (c == '}' && lx->state == S_KEY_OR_END) {
				lx->depth--;
				end_value(lx);
			} else
				rc = JSON_ERR_SYNTAX;
			break;
		case S_COLON:
			if (is_ws(c))
				keep = 0;
			else if (c == ':')
				lx->state = S_VALUE;
			else
				rc = JSON_ERR_SYNTAX;
			break;
		case S_AFTER:
			if (is_ws(c))
				keep = 0;
			else if (lx->depth == 0)
				rc = JSON_ERR_TRAILING;
			else if (c == ',')
				lx->state = top_is_object(lx) ? S_KEY : S_VALUE;
			else if (c == (top_is_object(lx) ? '}' : ']')) {
				lx->depth--;
				end_value(lx);
			} else
				rc = JSON_ERR_SYNTAX;
			break;
		case S_STRING:
			rc = string_byte(lx, c);
			break;
		case S_ESC:
			if (lx->high && c != 'u') {
				rc = JSON_ERR_ESCAPE;
				break;
			}
			switch (c) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				lx->state = S_STRING;
				break;
			case 'u':
				lx->state = S_UHEX;
				lx->hex = 0;
				lx->cp = 0;
				break;
			default:
				rc = JSON_ERR_ESCAPE;
			}
			break;
		case S_UHEX:
			if ((v = hexval(c)) < 0) {
				rc = JSON_ERR_ESCAPE;
				break;
			}
			lx->cp = lx->cp << 4 | (unsigned)v;
			if (++lx->hex < 4)
				break;
			lx->state = S_STRING;
			if (lx->high) {
				/* RFC 8259 7: a pair, high then low */
				if (lx->cp < 0xDC00 || lx->cp > 0xDFFF)
					rc = JSON_ERR_ESCAPE;
				lx->high = 0;
			} else if (lx->cp >= 0xD800 && lx->cp <= 0xDBFF)
				lx->high = 1;
			else if (lx->cp >= 0xDC00 && lx->cp <= 0xDFFF)
				rc = JSON_ERR_ESCAPE;
			break;
		case S_NUM_MINUS:
			if (c == '0')
				lx->state = S_NUM_ZERO;
			else if (c >= '1' && c <= '9')
				lx->state = S_NUM_INT;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_ZERO:
		case S_NUM_INT:
			if (c >= '0' && c <= '9') {
				if (lx->state == S_NUM_ZERO)
					rc = JSON_ERR_NUMBER;   /* no leading zeros */
			} else if (c == '.')
				lx->state = S_NUM_DOT;
			else if (c == 'e' || c == 'E')
				lx->state = S_NUM_E;
			else if (number_ends(c)) {
				end_value(lx);
				goto again;
			} else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_DOT:
			if (c >= '0' && c <= '9')
				lx->state = S_NUM_FRAC;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_FRAC:
			if (c >= '0' && c <= '9')
				;
			else if (c == 'e' || c == 'E')
				lx->state = S_NUM_E;
			else if (number_ends(c)) {
				end_value(lx);
				goto again;
			} else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_E:
			if (c == '+' || c == '-')
				lx->state = S_NUM_ESIGN;
			else if (c >= '0' && c <= '9')
				lx->state = S_NUM_EXP;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_ESIGN:
			if (c >= '0' && c <= '9')
				lx->state = S_NUM_EXP;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_EXP:
			if (c >= '0' && c <= '9')
				;
			else if (number_ends(c)) {
				end_value(lx);
				goto again;
			} else
				rc = JSON_ERR_NUMBER;
			break;
		case S_LIT:
			if ((unsigned char)lx->littext[lx->lit] != c) {
				rc = JSON_ERR_SYNTAX;
				break;
			}
			if (lx->littext[++lx->lit] == '\0')
				end_value(lx);
			break;
		default:
			rc = JSON_ERR_SYNTAX;
		}
		if (rc != JSON_OK)
			goto fail;
		if (keep && out != NULL) {
			if (o >= cap) {
				rc = JSON_ERR_SPACE;
				goto fail;
			}
			out[o++] = (char)c;
		}
	}
	if (outlen)
		*outlen = o;
	return JSON_OK;
fail:
	if (outlen)
		*outlen = o;
	lx->err = rc;
	return rc;
}

int
json_lexer_end(struct json_lexer *lx)
{
	if (lx->err)
		return lx->err;
	switch (lx->state) {
	case S_NUM_ZERO:
	case S_NUM_INT:
	case S_NUM_FRAC:
	case S_NUM_EXP:
		end_value(lx);
		break;
	case S_VALUE:
		if (lx->depth == 0 && lx->tokens == 0)
			return lx->err = JSON_ERR_EMPTY;
		break;
	default:
		break;
	}
	if (lx->state != S_AFTER || lx->depth != 0)
		return lx->err = JSON_ERR_TRUNCATED;
	return JSON_OK;
}

int
json_validate(const char *doc, size_t len)
{
	struct json_lexer lx;
	int rc;

	json_lexer_init(&lx);
	if ((rc = json_lexer_feed(&lx, doc, len, NULL, 0, NULL)) != JSON_OK)
		return rc;
	return json_lexer_end(&lx);
}

long
json_compact(char *dst, size_t cap, const char *src, size_t len)
{
	struct json_lexer lx;
	size_t n = 0;
	int rc;

	json_lexer_init(&lx);
	if ((rc = json_lexer_feed(&lx, src, len, dst, cap, &n)) != JSON_OK)
		return rc;
	if ((rc = json_lexer_end(&lx)) != JSON_OK)
		return rc;
	return (long)n;
}

/* Encode code point cp as UTF-8 at p; returns the length. */
static size_t
utf8_put(char *p, unsigned cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xC0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xE0 | cp >> 12);
		p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		p[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | cp >> 18);
	p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	p[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Four hex digits at s, or -1. */
static long
hex4(const char *s)
{
	long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = hexval((unsigned char)s[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

long
json_unescape(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i, o = 0, n;
	char tmp[4];
	unsigned c;
	long cp, lo;

	if (len < 2 || src[0] != '"' || src[len - 1] != '"')
		return JSON_ERR_SYNTAX;
	/* Reading is always ahead of writing: each input form is at least
	   as long as its UTF-8 output. */
	for (i = 1; i < len - 1; ) {
		c = (unsigned char)src[i];
		if (c != '\\') {
			if (c < 0x20 || c == '"')
				return c == '"' ? JSON_ERR_SYNTAX : JSON_ERR_CONTROL;
			if (o >= cap)
				return JSON_ERR_SPACE;
			dst[o++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 >= len - 1)
			return JSON_ERR_ESCAPE;
		c = (unsigned char)src[i + 1];
		switch (c) {
		case '"': case '\\': case '/':
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (i + 6 > len - 1 || (cp = hex4(src + i + 2)) < 0)
				return JSON_ERR_ESCAPE;
			i += 6;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return JSON_ERR_ESCAPE;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (i + 6 > len - 1 || src[i] != '\\' ||
				    src[i + 1] != 'u' ||
				    (lo = hex4(src + i + 2)) < 0xDC00 || lo > 0xDFFF)
					return JSON_ERR_ESCAPE;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 6;
			}
			n = utf8_put(tmp, (unsigned)cp);
			if (n > cap - o)
				return JSON_ERR_SPACE;
			memcpy(dst + o, tmp, n);
			o += n;
			continue;
		default:
			return JSON_ERR_ESCAPE;
		}
		if (o >= cap)
			return JSON_ERR_SPACE;
		dst[o++] = (char)c;
		i += 2;
	}
	return (long)o;
}

int
json_streq(const char *src, size_t len, const char *s)
{
	char buf[512];
	size_t n = strlen(s);
	long m;

	if (len >= 2 && memchr(src, '\\', len) == NULL)
		return src[0] == '"' && len - 2 == n &&
		    memcmp(src + 1, s, n) == 0;
	m = json_unescape(buf, sizeof(buf), src, len);
	return m >= 0 && (size_t)m == n && memcmp(buf, s, n) == 0;
}

/* In a valid document: one past the string literal starting at p. */
static size_t
skip_string(const char *d, size_t p)
{
	for (p++; d[p] != '"'; p++)
		if (d[p] == '\\')
			p++;
	return p + 1;
}

/* In a valid document: one past the value starting at p. */
static size_t
skip_value(const char *d, size_t len, size_t p)
{
	unsigned depth = 0;

	if (d[p] == '"')
		return skip_string(d, p);
	if (d[p] != '{' && d[p] != '[') {
		while (p < len && !number_ends((unsigned char)d[p]))
			p++;
		return p;
	}
	for (; p < len; ) {
		if (d[p] == '"') {
			p = skip_string(d, p);
			continue;
		}
		if (d[p] == '{' || d[p] == '[')
			depth++;
		else if ((d[p] == '}' || d[p] == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return p;
}

static enum json_type
type_of(char c)
{
	switch (c) {
	case '{': return JSON_OBJECT;
	case '[': return JSON_ARRAY;
	case '"': return JSON_STRING;
	case 't': return JSON_TRUE;
	case 'f': return JSON_FALSE;
	case 'n': return JSON_NULL;
	default: return JSON_NUMBER;
	}
}

int
json_fields(const char *doc, size_t len, struct json_field *f, size_t nf)
{
	size_t p = 0, k0, k1, v0, v1, i;
	int rc;

	for (i = 0; i < nf; i++) {
		f[i].type = JSON_NONE;
		f[i].start = f[i].end = 0;
	}
	if ((rc = json_validate(doc, len)) != JSON_OK)
		return rc;
	/* Valid from here on: the walk needs no checks. */
	while (is_ws((unsigned char)doc[p]))
		p++;
	if (doc[p] != '{')
		return JSON_OK;
	p++;
	for (;;) {
		while (is_ws((unsigned char)doc[p]))
			p++;
		if (doc[p] == '}')
			break;
		k0 = p;
		k1 = p = skip_string(doc, p);
		while (doc[p] != ':')
			p++;
		p++;
		while (is_ws((unsigned char)doc[p]))
			p++;
		v0 = p;
		v1 = p = skip_value(doc, len, p);
		for (i = 0; i < nf; i++)
			if (f[i].type == JSON_NONE &&
			    json_streq(doc + k0, k1 - k0, f[i].key)) {
				f[i].type = type_of(doc[v0]);
				f[i].start = v0;
				f[i].end = v1;
			}
		while (is_ws((unsigned char)doc[p]))
			p++;
		if (doc[p] != ',')
			break;
		p++;
	}
	return JSON_OK;
}

const char *
json_strerror(int err)
{
	switch (err) {
	case JSON_OK: return "ok";
	case JSON_ERR_SYNTAX: return "syntax error";
	case JSON_ERR_DEPTH: return "nested too deep";
	case JSON_ERR_UTF8: return "invalid UTF-8";
	case JSON_ERR_ESCAPE: return "bad escape or lone surrogate";
	case JSON_ERR_CONTROL: return "control character in a string";
	case JSON_ERR_NUMBER: return "malformed number";
	case JSON_ERR_TRUNCATED: return "truncated";
	case JSON_ERR_TRAILING: return "data after the value";
	case JSON_ERR_SPACE: return "output buffer too small";
	case JSON_ERR_EMPTY: return "empty document";
	}
	return "JSON error";
}
