/*
 * json.c - strict RFC 8259 JSON: a streaming lexer, and field lookup,
 * string decoding and compaction on top of it.
 *
 * The lexer is one switch over its state, a byte at a time, with fast
 * loops where bytes come in runs: plain string text (eight bytes at a
 * time), complete escapes and UTF-8 sequences inside a string, digits,
 * whitespace. The container stack is a bit per level. Its outputs are a
 * "sink": the compacted bytes (every byte but the whitespace outside
 * strings, copied in runs), tokens, or neither (validation).
 */
#include <limits.h>
#include <string.h>

#include "ascii.h"
#include "json.h"

/* Tokens json_fields takes from the lexer at a time. */
#define JSON_FIELD_TOKS 32

enum state {
	S_VALUE = 0,    /* a value must come (top level, after ':' or ',') */
	S_VALUE_OR_END, /* after '[': a value or ']' */
	S_KEY_OR_END,   /* after '{': a member name or '}' */
	S_KEY,          /* after ',' in an object: a member name */
	S_COLON,        /* after a member name */
	S_AFTER,        /* after a value: ',', a closer, or the end */
	S_STRING,       /* in a string (value or member name) */
	S_ESC,          /* after a backslash */
	S_UHEX,         /* in the four digits of \u */
	S_NUM_MINUS,    /* "-" */
	S_NUM_ZERO,     /* "0" or "-0" */
	S_NUM_INT,      /* "[-]1..." */
	S_NUM_DOT,      /* "...." */
	S_NUM_FRAC,     /* "....5" */
	S_NUM_E,        /* "...e" */
	S_NUM_ESIGN,    /* "...e+" */
	S_NUM_EXP,      /* "...e5" */
	S_LIT           /* in true, false or null */
};

/* Where the lexer's results go. */
struct sink {
	char              *out;         /* compacted bytes, or NULL */
	size_t             cap;
	size_t             o;           /* bytes in out */
	struct json_token *tok;         /* tokens, or NULL */
	size_t             tcap;
	size_t             nt;          /* tokens in tok */
	unsigned           maxdepth;    /* deeper tokens are not reported */
	int                pause;       /* lex() returns after a member name */
};

/* The few helpers of the hot loops are inlined even where the build
   optimizes for size: a call each costs more than they do. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif
/* A loop kept out of a large caller, where it would run short of
   registers. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

#define ONES  ((uint64_t)0x0101010101010101ULL)
#define HIGHS ((uint64_t)0x8080808080808080ULL)
/* The index of the first byte flagged in a word of stop_bytes(), where
   it is cheap to find (-DJSON_PORTABLE tests the code without it). */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(JSON_PORTABLE)
#define FIRST_BYTE(m) ((size_t)__builtin_ctzll(m) >> 3)
#endif

/* RFC 8259 2: the four whitespace bytes. */
HOT int
is_ws(unsigned c)
{
	return c <= ' ' && ((1ULL << ' ' | 1ULL << '\t' | 1ULL << '\n' |
	    1ULL << '\r') >> c & 1);
}

/* A byte a string holds as it is: printable ASCII but '"' and '\\'. */
HOT int
is_plain(unsigned c)
{
	return c - 0x20u < 0x60 && c != '"' && c != '\\';
}

HOT int
is_digit(unsigned c)
{
	return c - '0' < 10;
}

/* Four hex digits at p, or -1. */
static long
hex4(const unsigned char *p)
{
	int a = ascii_hexval(p[0]), b = ascii_hexval(p[1]),
	    c = ascii_hexval(p[2]), d = ascii_hexval(p[3]);

	if ((a | b | c | d) < 0)
		return -1;
	return (long)a << 12 | b << 8 | c << 4 | d;
}

/* RFC 8259 7: the byte each two-character escape stands for; 0 for
   the letters that are no escape. */
static const unsigned char esc_tab[256] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
	['n'] = '\n', ['r'] = '\r', ['t'] = '\t'
};

/*
 * RFC 3629 4: for a lead byte, the number of continuation bytes and the
 * range of the first one, which rules out overlongs (E0 80..9F, F0
 * 80..8F), surrogates (ED A0..BF) and code points past U+10FFFF (F4
 * 90..BF); the others are 80..BF. 0 for a byte that cannot lead.
 */
static unsigned
utf8_lead(unsigned c, unsigned *lo, unsigned *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		return 1;
	if (c >= 0xE0 && c <= 0xEF) {
		if (c == 0xE0)
			*lo = 0xA0;
		else if (c == 0xED)
			*hi = 0x9F;
		return 2;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (c == 0xF0)
			*lo = 0x90;
		else if (c == 0xF4)
			*hi = 0x8F;
		return 3;
	}
	return 0;
}

/* The length of the valid multi-byte UTF-8 sequence at p[0..n), or 0
   when it is invalid or cut off by n. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned lo, hi, need = utf8_lead(p[0], &lo, &hi), k;

	if (need == 0 || n <= need || p[1] < lo || p[1] > hi)
		return 0;
	for (k = 2; k <= need; k++)
		if (p[k] < 0x80 || p[k] > 0xBF)
			return 0;
	return need + 1;
}

/*
 * The bytes of a word that end a run of plain string text: control
 * bytes, '"', '\\' and non-ASCII, as the high bit of each byte of the
 * result. Exact: with the high bits cleared no byte sum carries.
 */
HOT uint64_t
stop_bytes(uint64_t w)
{
	const uint64_t m7 = ONES * 0x7F;
	uint64_t x = w & m7, q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (w | ~(x + ONES * 0x60) | ~(q + m7) | ~(b + m7)) & HIGHS;
}

/*
 * The run of plain bytes at p[0..n), printable ASCII but '"' and '\\'
 * (the bytes a string holds as they are), a word at a time. Returns 1
 * with *at its end when that was found, else 0 with *at where the bytes
 * left to look at start (fewer than a word, or the word holding the
 * end). With d != NULL each word read goes out to d whole: d lies apart
 * from p, with room for n bytes.
 */
HOT int
word_run(char *d, const unsigned char *p, size_t n, size_t *at)
{
	size_t i = 0;
	uint64_t w, m;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		if (d != NULL)
			memcpy(d + i, &w, 8);
		if ((m = stop_bytes(w)) != 0) {
#ifdef FIRST_BYTE
			*at = i + FIRST_BYTE(m);
			return 1;
#else
			break;
#endif
		}
	}
	*at = i;
	return 0;
}

/* The high bit of each byte of w that equals c. Exact: with the high
   bits cleared no byte sum carries. */
HOT uint64_t
eq_bytes(uint64_t w, unsigned c)
{
	const uint64_t m7 = ONES * 0x7F;
	uint64_t x = w ^ ONES * c;

	return ~(((x & m7) + m7) | x) & HIGHS;
}

/*
 * Where the string literal whose opening quote is just before p ends:
 * the index in p[0..n) of the first quote no backslash escapes, or n.
 * Nothing else is looked at: a backslash hides the byte after it,
 * whatever that is, and the bytes between may be anything.
 *
 * A word at a time. Little-endian, the flag of byte k + 1 is 8 bits
 * above that of byte k, so a word without two backslashes in a row
 * (the usual case: each escape is one) gives the escaped bytes as the
 * backslashes shifted up a byte, plus byte 0 when the word before
 * ended in one. Words with backslashes in a row go a byte at a time;
 * without FIRST_BYTE (big-endian, JSON_PORTABLE) so does every word
 * that holds a quote or a backslash.
 */
static NOINLINE size_t
string_end(const unsigned char *p, size_t n)
{
	const unsigned char *s = p, *e = p + n, *stop;
	uint64_t w, q, b, esc = 0;      /* esc: *s is escaped, as 0x80 */

	for (;;) {
		stop = e;
		for (; e - s >= 8; s += 8) {
			memcpy(&w, s, 8);
			q = eq_bytes(w, '"');
			b = eq_bytes(w, '\\');
#ifdef FIRST_BYTE
			b &= ~esc;      /* an escaped backslash escapes nothing */
			if ((b & b << 8) != 0) {
				stop = s + 8;
				break;
			}
			if ((q &= ~(b << 8 | esc)) != 0)
				return (size_t)(s - p) + FIRST_BYTE(q);
			esc = b >> 56;
#else
			if ((q | b) != 0) {
				stop = s + 8;
				break;
			}
			esc = 0;
#endif
		}
		if (s == e)
			return n;
		for (; s < stop; s++) {
			if (esc)
				esc = 0;
			else if (*s == '\\')
				esc = 0x80;
			else if (*s == '"')
				return (size_t)(s - p);
		}
	}
}

/* The length of the run of plain bytes at p[0..n). */
HOT size_t
plain_run(const unsigned char *p, size_t n)
{
	size_t i;

	if (word_run(NULL, p, n, &i))
		return i;
	while (i < n && is_plain(p[i]))
		i++;
	return i;
}

/*
 * plain_run, copying the run to d, which has room bytes (room >= n). A
 * word goes out whole once it was read, even past the run's end while
 * room allows and d is at least a word behind p (or in another buffer),
 * so that nothing unread is overwritten: d may be p or before it. Returns
 * the run's length.
 */
static size_t
copy_run(char *d, const unsigned char *p, size_t n, size_t room)
{
	size_t i = 0, k;
	uint64_t w, m;

	if ((const unsigned char *)d == p)
		return plain_run(p, n);
	for (; n - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		if ((m = stop_bytes(w)) == 0) {
			memcpy(d + i, &w, 8);
			continue;
		}
#ifdef FIRST_BYTE
		k = FIRST_BYTE(m);
		if (room - i >= 8 && (uintptr_t)p - (uintptr_t)d >= 8) {
			memcpy(d + i, &w, 8);
			return i + k;
		}
		for (k += i; i < k; i++)        /* forwards: d <= p */
			d[i] = (char)p[i];
		return i;
#else
		(void)k;
		(void)room;
		break;
#endif
	}
	for (; i < n && p[i] - 0x20u < 0x60 && p[i] != '"' && p[i] != '\\'; i++)
		d[i] = (char)p[i];
	return i;
}

/* The length of the complete, valid \u escape at p[0..n): 6, or 12 for
   a surrogate pair; 0 when it is invalid or cut off. */
static size_t
u_escape(const unsigned char *p, size_t n)
{
	long cp, lo;

	if (n < 6 || p[1] != 'u' || (cp = hex4(p + 2)) < 0)
		return 0;
	if (cp < 0xD800 || cp > 0xDFFF)
		return 6;
	if (cp > 0xDBFF || n < 12 || p[6] != '\\' || p[7] != 'u' ||
	    (lo = hex4(p + 8)) < 0xDC00 || lo > 0xDFFF)
		return 0;
	return 12;
}

/*
 * The fast path inside a string, nothing pending: from in[i], skip plain
 * bytes and the escapes and UTF-8 sequences that are complete and valid
 * within in[0..len). Returns the index of the first byte the state
 * machine must see: the closing quote, a control byte, something
 * invalid, or a sequence cut by the end of the piece (or len).
 */
HOT size_t
string_fast(const unsigned char *in, size_t i, size_t len)
{
	size_t n;

	for (;;) {
		i += plain_run(in + i, len - i);
		if (i == len)
			return i;
		if (in[i] == '\\') {
			if (i + 1 < len && esc_tab[in[i + 1]] != 0)
				n = 2;
			else
				n = u_escape(in + i, len - i);
		} else if (in[i] >= 0x80)
			n = utf8_seq(in + i, len - i);
		else
			return i;
		if (n == 0)
			return i;
		i += n;
	}
}

/* Append in[from..to) to the sink's output, if it has one. */
static int
flush(struct sink *k, const unsigned char *in, size_t from, size_t to)
{
	size_t n = to - from;

	if (k->out == NULL || n == 0)
		return JSON_OK;
	if (n > k->cap - k->o)
		return JSON_ERR_SPACE;
	if (k->out + k->o != (const char *)in + from)
		memmove(k->out + k->o, in + from, n);
	k->o += n;
	return JSON_OK;
}

static inline void
emit(struct sink *k, int kind, unsigned depth, size_t start, size_t end)
{
	struct json_token *t;

	if (k->tok == NULL || depth > k->maxdepth)
		return;
	t = &k->tok[k->nt++];
	t->kind = (enum json_tok)kind;
	t->depth = depth;
	t->start = start;
	t->end = end;
	/* No room left: lex() stops before the next byte, for its caller
	   to look at the name (json_envelope). */
	if (kind == JSON_TOK_NAME && k->pause)
		k->tcap = k->nt;
}

void
json_lexer_init(struct json_lexer *lx)
{
	memset(lx, 0, sizeof(*lx));
	lx->state = S_VALUE;
}

/* Is the innermost open container an object? (Inlined: it runs at
   every comma.) */
HOT int
top_is_object(const struct json_lexer *lx)
{
	unsigned d = lx->depth - 1;

	return (lx->stack[d / 8] >> (d % 8)) & 1;
}

/* An opener at stream offset p: push the container. */
static int
open_container(struct json_lexer *lx, struct sink *k, int object, size_t p)
{
	unsigned d = lx->depth;

	if (d == JSON_MAX_DEPTH + lx->outer)
		return JSON_ERR_DEPTH;
	if (object)
		lx->stack[d / 8] |= (uint8_t)(1u << (d % 8));
	else
		lx->stack[d / 8] &= (uint8_t)~(1u << (d % 8));
	lx->depth++;
	emit(k, object ? JSON_TOK_OBJECT : JSON_TOK_ARRAY, d, p, p + 1);
	lx->state = object ? S_KEY_OR_END : S_VALUE_OR_END;
	return JSON_OK;
}

/* A closer at stream offset p: it must match the open container. */
static int
close_container(struct json_lexer *lx, struct sink *k, int object, size_t p)
{
	if (lx->depth == 0 || top_is_object(lx) != object)
		return JSON_ERR_SYNTAX;
	lx->depth--;
	emit(k, object ? JSON_TOK_OBJECT_END : JSON_TOK_ARRAY_END, lx->depth,
	    p, p + 1);
	lx->state = S_AFTER;
	return JSON_OK;
}

static const char *
lit_text(int kind)
{
	return kind == JSON_TOK_TRUE ? "true" : kind == JSON_TOK_FALSE ?
	    "false" : "null";
}

/* The first byte of a value (RFC 8259 3), at stream offset p. */
static int
begin_value(struct json_lexer *lx, struct sink *k, unsigned c, size_t p)
{
	lx->start = p;
	switch (c) {
	case '{':
		return open_container(lx, k, 1, p);
	case '[':
		return open_container(lx, k, 0, p);
	case '"':
		lx->state = S_STRING;
		lx->kind = JSON_TOK_STRING;
		return JSON_OK;
	case '-':
		lx->state = S_NUM_MINUS;
		lx->kind = JSON_TOK_NUMBER;
		return JSON_OK;
	case '0':
		lx->state = S_NUM_ZERO;
		lx->kind = JSON_TOK_NUMBER;
		return JSON_OK;
	case 't':
		lx->kind = JSON_TOK_TRUE;
		break;
	case 'f':
		lx->kind = JSON_TOK_FALSE;
		break;
	case 'n':
		lx->kind = JSON_TOK_NULL;
		break;
	default:
		if (c >= '1' && c <= '9') {
			lx->state = S_NUM_INT;
			lx->kind = JSON_TOK_NUMBER;
			return JSON_OK;
		}
		return JSON_ERR_SYNTAX;
	}
	lx->state = S_LIT;
	lx->lit = 1;
	return JSON_OK;
}

/* A byte in a string outside escapes, the slow way (RFC 8259 7, 8.1). */
static int
string_byte(struct json_lexer *lx, struct sink *k, unsigned c, size_t p)
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
		emit(k, lx->kind, lx->depth, lx->start, p + 1);
		lx->state = lx->kind == JSON_TOK_NAME ? S_COLON : S_AFTER;
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
	if ((lx->need = utf8_lead(c, &lx->lo, &lx->hi)) == 0)
		return JSON_ERR_UTF8;
	return JSON_OK;
}

/*
 * The lexer: consume in[0..len) into sink k. Returns the bytes consumed
 * (fewer than len only when k's token slots ran short) or a JSON_ERR_*,
 * which sticks to lx.
 */
static long
lex(struct json_lexer *lx, const unsigned char *in, size_t len,
    struct sink *k)
{
	size_t i = 0, run = 0, base = lx->pos;
	unsigned c;
	int rc = JSON_OK, v;

	if (lx->err)
		return lx->err;
	if (len > LONG_MAX)
		return JSON_ERR_LENGTH;
	while (i < len) {
		if (k->tok != NULL && k->tcap - k->nt < 2)
			break;
		c = in[i];
		switch (lx->state) {
		case S_VALUE:
			if (is_ws(c))
				goto space;
			rc = begin_value(lx, k, c, base + i);
			break;
		case S_VALUE_OR_END:
			if (is_ws(c))
				goto space;
			if (c == ']')
				rc = close_container(lx, k, 0, base + i);
			else
				rc = begin_value(lx, k, c, base + i);
			break;
		case S_KEY_OR_END:
		case S_KEY:
			if (is_ws(c))
				goto space;
			if (c == '"') {
				lx->state = S_STRING;
				lx->kind = JSON_TOK_NAME;
				lx->start = base + i;
			} else if (c == '}' && lx->state == S_KEY_OR_END)
				rc = close_container(lx, k, 1, base + i);
			else
				rc = JSON_ERR_SYNTAX;
			break;
		case S_COLON:
			if (is_ws(c))
				goto space;
			if (c == ':')
				lx->state = S_VALUE;
			else
				rc = JSON_ERR_SYNTAX;
			break;
		case S_AFTER:
			if (is_ws(c))
				goto space;
			if (lx->depth == 0)
				rc = JSON_ERR_TRAILING;
			else if (c == ',')
				lx->state = top_is_object(lx) ? S_KEY : S_VALUE;
			else if (c == '}' || c == ']')
				rc = close_container(lx, k, c == '}', base + i);
			else
				rc = JSON_ERR_SYNTAX;
			break;
		case S_STRING:
			if (lx->need == 0 && !lx->high) {
				i = string_fast(in, i, len);
				if (i == len)
					continue;
				c = in[i];
			}
			rc = string_byte(lx, k, c, base + i);
			break;
		case S_ESC:
			if (c == 'u') {
				lx->state = S_UHEX;
				lx->hex = 0;
				lx->cp = 0;
			} else if (lx->high || esc_tab[c] == 0)
				rc = JSON_ERR_ESCAPE;
			else
				lx->state = S_STRING;
			break;
		case S_UHEX:
			if ((v = ascii_hexval(c)) < 0) {
				rc = JSON_ERR_ESCAPE;
				break;
			}
			lx->cp = lx->cp << 4 | (unsigned)v;
			if (++lx->hex < 4)
				break;
			lx->state = S_STRING;
			/* RFC 8259 7: a pair is a high surrogate, then a low */
			if (lx->high) {
				if (lx->cp < 0xDC00 || lx->cp > 0xDFFF)
					rc = JSON_ERR_ESCAPE;
				lx->high = 0;
			} else if (lx->cp >= 0xD800 && lx->cp <= 0xDBFF)
				lx->high = 1;
			else if (lx->cp >= 0xDC00 && lx->cp <= 0xDFFF)
				rc = JSON_ERR_ESCAPE;
			break;
		case S_NUM_MINUS:
			/* RFC 8259 6: int = zero / ( digit1-9 *DIGIT ) */
			if (c == '0')
				lx->state = S_NUM_ZERO;
			else if (c >= '1' && c <= '9')
				lx->state = S_NUM_INT;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_INT:
		case S_NUM_FRAC:
		case S_NUM_EXP:
			while (i < len && is_digit(in[i]))
				i++;
			if (i == len)
				continue;
			c = in[i];
			/* FALLTHROUGH */
		case S_NUM_ZERO:
			/* a digit after a lone zero falls to the error */
			if (c == '.' && (lx->state == S_NUM_ZERO ||
			    lx->state == S_NUM_INT))
				lx->state = S_NUM_DOT;
			else if ((c == 'e' || c == 'E') &&
			    lx->state != S_NUM_EXP)
				lx->state = S_NUM_E;
			else if (is_ws(c) || c == ',' || c == ']' || c == '}') {
				/* the number ended before c: c again */
				emit(k, JSON_TOK_NUMBER, lx->depth, lx->start,
				    base + i);
				lx->state = S_AFTER;
				continue;
			} else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_DOT:
			if (is_digit(c))
				lx->state = S_NUM_FRAC;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_E:
			if (c == '+' || c == '-')
				lx->state = S_NUM_ESIGN;
			else if (is_digit(c))
				lx->state = S_NUM_EXP;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_NUM_ESIGN:
			if (is_digit(c))
				lx->state = S_NUM_EXP;
			else
				rc = JSON_ERR_NUMBER;
			break;
		case S_LIT: {
			const char *t = lit_text(lx->kind);

			if (c != (unsigned char)t[lx->lit]) {
				rc = JSON_ERR_SYNTAX;
				break;
			}
			if (t[++lx->lit] == '\0') {
				emit(k, lx->kind, lx->depth, lx->start,
				    base + i + 1);
				lx->state = S_AFTER;
			}
			break;
		}
		default:
			rc = JSON_ERR_SYNTAX;
		}
		if (rc != JSON_OK)
			goto fail;
		i++;
		continue;
space:
		/* whitespace outside strings: left out of the output */
		if ((rc = flush(k, in, run, i)) != JSON_OK)
			goto fail;
		while (++i < len && is_ws(in[i]))
			;
		run = i;
	}
	if ((rc = flush(k, in, run, i)) != JSON_OK)
		goto fail;
	lx->pos = base + i;
	return (long)i;
fail:
	lx->err = rc;
	return rc;
}

int
json_lexer_feed(struct json_lexer *lx, const char *in, size_t len,
    char *out, size_t cap, size_t *outlen)
{
	struct sink k;
	long n;

	memset(&k, 0, sizeof(k));
	if (out != NULL && outlen != NULL) {
		if (*outlen > cap)
			return lx->err = JSON_ERR_SPACE;
		k.out = out;
		k.cap = cap;
		k.o = *outlen;
	}
	n = lex(lx, (const unsigned char *)in, len, &k);
	if (k.out != NULL)
		*outlen = k.o;
	return n < 0 ? (int)n : JSON_OK;
}

long
json_lexer_scan(struct json_lexer *lx, const char *in, size_t len,
    struct json_token *tok, size_t cap, size_t *ntok)
{
	struct sink k;
	long n;

	*ntok = 0;
	if (cap < 2)
		return JSON_ERR_SPACE;
	memset(&k, 0, sizeof(k));
	k.tok = tok;
	k.tcap = cap;
	k.maxdepth = UINT_MAX;
	n = lex(lx, (const unsigned char *)in, len, &k);
	*ntok = k.nt;
	return n;
}

int
json_lexer_end(struct json_lexer *lx, struct json_token *last)
{
	if (last != NULL)
		memset(last, 0, sizeof(*last));
	if (lx->err)
		return lx->err;
	switch (lx->state) {
	case S_NUM_ZERO:
	case S_NUM_INT:
	case S_NUM_FRAC:
	case S_NUM_EXP:
		if (lx->depth != 0)
			break;
		if (last != NULL) {
			last->kind = JSON_TOK_NUMBER;
			last->start = lx->start;
			last->end = lx->pos;
		}
		lx->state = S_AFTER;
		break;
	case S_VALUE:
		if (lx->depth == 0)
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
	long n = json_compact(NULL, 0, doc, len);

	return n < 0 ? (int)n : JSON_OK;
}

long
json_compact(char *dst, size_t cap, const char *src, size_t len)
{
	struct json_lexer lx;
	struct sink k;
	long n;
	int rc;

	json_lexer_init(&lx);
	memset(&k, 0, sizeof(k));
	k.out = dst;
	k.cap = cap;
	if ((n = lex(&lx, (const unsigned char *)src, len, &k)) < 0)
		return n;
	if ((rc = json_lexer_end(&lx, NULL)) != JSON_OK)
		return rc;
	return (long)k.o;
}

/* Encode code point cp (at most U+10FFFF) as UTF-8 at p; its length. */
static size_t
utf8_put(unsigned char *p, unsigned long cp)
{
	if (cp < 0x80) {
		p[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (unsigned char)(0xC0 | cp >> 6);
		p[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (unsigned char)(0xE0 | cp >> 12);
		p[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		p[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (unsigned char)(0xF0 | cp >> 18);
	p[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	p[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	p[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decode the inside of a string literal, s[*ip..end), into dst[0..cap)
 * until end, or until the next piece does not fit; with quote_ends, also
 * until a quote no backslash escapes (the literal's end, left unread).
 * Advances *ip past what was decoded; returns the bytes written or a
 * JSON_ERR_*. Every
 * input form is at least as long as its output, so dst may be s + *ip
 * or before it.
 */
static long
decode(const unsigned char *s, size_t *ip, size_t end, char *dst,
    size_t cap, int quote_ends)
{
	size_t i = *ip, o = 0, n, adv, room, lim;
	unsigned char u[4];
	unsigned long cp, lo;
	long h;

	while (i < end) {
		room = cap - o;
		lim = end - i < room ? end - i : room;
		n = copy_run(dst + o, s + i, lim, room);
		o += n;
		i += n;
		if (i == end || n == lim)
			break;                  /* done, or out of room */
		if (s[i] >= 0x80) {
			if ((n = utf8_seq(s + i, end - i)) == 0)
				return JSON_ERR_UTF8;
			if (n > cap - o)
				break;
			memmove(dst + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		if (s[i] == '"' && quote_ends)
			break;
		if (s[i] != '\\')
			return s[i] == '"' ? JSON_ERR_SYNTAX : JSON_ERR_CONTROL;
		/* RFC 8259 7: escapes */
		if (end - i < 2)
			return JSON_ERR_TRUNCATED;   /* the quote is escaped */
		if (esc_tab[s[i + 1]] != 0) {
			dst[o++] = (char)esc_tab[s[i + 1]];
			i += 2;
			continue;
		}
		if (s[i + 1] != 'u' || end - i < 6 ||
		    (h = hex4(s + i + 2)) < 0)
			return JSON_ERR_ESCAPE;
		cp = (unsigned long)h;
		adv = 6;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return JSON_ERR_ESCAPE;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - i < 12 || s[i + 6] != '\\' ||
			    s[i + 7] != 'u' || (h = hex4(s + i + 8)) < 0xDC00 ||
			    h > 0xDFFF)
				return JSON_ERR_ESCAPE;
			lo = (unsigned long)h;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			adv = 12;
		}
		n = utf8_put(u, cp);
		if (n > cap - o)
			break;
		memcpy(dst + o, u, n);
		o += n;
		i += adv;
	}
	*ip = i;
	return (long)o;
}

/* src[0..len) is quoted: 1 or 0. */
static int
quoted(const char *src, size_t len)
{
	return len >= 2 && src[0] == '"' && src[len - 1] == '"';
}

long
json_unescape(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i = 1;
	long n;

	if (len > LONG_MAX)
		return JSON_ERR_LENGTH;
	if (!quoted(src, len))
		return JSON_ERR_SYNTAX;
	n = decode((const unsigned char *)src, &i, len - 1, dst, cap, 0);
	if (n >= 0 && i < len - 1)
		return JSON_ERR_SPACE;
	return n;
}

/* A byte of a number or a literal (true, false, null). */
static int
scalar_byte(unsigned c)
{
	return is_digit(c) || (c | 0x20) - 'a' < 26 || c == '.' || c == '+' ||
	    c == '-';
}

/* A byte that may end a scalar inside a container. */
HOT int
is_scalar_end(unsigned c)
{
	return c == ',' || c == '}' || c == ']';
}

/* The digits at p[i..n): the index past them. */
HOT size_t
digits(const unsigned char *p, size_t i, size_t n)
{
	while (i < n && is_digit(p[i]))
		i++;
	return i;
}

/*
 * The length of the number (RFC 8259 6) or true, false or null at
 * p[0..n) when ',', '}' or ']' follows it there, else 0: anything else
 * (an error, whitespace, an escape, the end) is left to the lexer.
 */
static size_t
scalar_len(const unsigned char *p, size_t n)
{
	const char *t;
	size_t i = 0;

	if (p[0] == 't' || p[0] == 'f' || p[0] == 'n') {
		t = lit_text(p[0] == 't' ? JSON_TOK_TRUE : p[0] == 'f' ?
		    JSON_TOK_FALSE : JSON_TOK_NULL);
		for (i = 1; t[i] != '\0'; i++)
			if (i == n || p[i] != (unsigned char)t[i])
				return 0;
		return i < n && is_scalar_end(p[i]) ? i : 0;
	}
	if (p[i] == '-')
		i++;
	if (i < n && p[i] == '0')
		i++;
	else if (i < n && p[i] >= '1' && p[i] <= '9')
		i = digits(p, i + 1, n);
	else
		return 0;
	if (i < n && p[i] == '.') {
		if (++i == n || !is_digit(p[i]))
			return 0;
		i = digits(p, i + 1, n);
	}
	if (i < n && (p[i] | 0x20) == 'e') {
		if (++i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i == n || !is_digit(p[i]))
			return 0;
		i = digits(p, i + 1, n);
	}
	return i < n && is_scalar_end(p[i]) ? i : 0;
}

/*
 * At p[0..n), p[0] and p[1] both '\\': the literal's form of an escape
 * of the inner document. Its length in the literal when it is one that
 * stands alone and is valid (\\" \\\\ \\/ \\b \\f \\n \\r \\t, \\uXXXX
 * but surrogates), else 0: those are left to the lexer.
 */
static size_t
inner_escape(const unsigned char *p, size_t n)
{
	long cp;

	if (n >= 4 && p[2] == '\\' && (p[3] == '"' || p[3] == '\\'))
		return 4;
	if (p[2] != '\\' && p[2] != '"' && p[2] != 'u' && esc_tab[p[2]] != 0)
		return 3;
	if (p[2] == 'u' && n >= 7 && (cp = hex4(p + 3)) >= 0 &&
	    (cp < 0xD800 || cp > 0xDFFF))
		return 7;
	return 0;
}

/*
 * Copy the run of plain bytes at p[0..n) to d, which has room bytes;
 * stop at room. Returns the run's length. apart: d lies apart from p,
 * so a word may go out whole once read, past the run's end.
 */
HOT size_t
string_run(char *d, size_t room, const unsigned char *p, size_t n,
    int apart)
{
	size_t i;

	if (n > room)
		n = room;
	i = 0;
	if (apart && word_run(d, p, n, &i))
		return i;
	for (; i < n && is_plain(p[i]); i++)
		d[i] = (char)p[i];
	return i;
}

/*
 * json_unescape_compact walks the literal once, switching on the inner
 * document's lexer state:
 * - inside an inner string, a run of plain literal bytes decodes to
 *   itself and is plain for the inner lexer too: copied, a word at a
 *   time when dst lies apart; so are a valid UTF-8 sequence and the
 *   common escapes of the inner document;
 * - \" opens or closes an inner string; ':' ',' and the brackets move
 *   the inner lexer where lex() would, and the :\" or ,\" that usually
 *   follows a closing \" is taken with it; numbers and true, false and
 *   null, whose bytes are themselves in the literal, are copied when
 *   scalar_len() finds them whole and followed by , } or ], else go to
 *   lex() where they lie;
 * - anything else (whitespace, other escapes, the rarer inner escapes,
 *   errors) is decoded a few bytes at a time into a small buffer and
 *   fed to lex(), which decides.
 * Every output byte comes from at least one literal byte read before
 * it, so dst may be src.
 *
 * With litlen (open: src[0..len) is a literal and what follows it), the
 * literal's end is found on the way: none of the cases above takes a
 * quote that no backslash escapes, so it reaches decode(), which stops
 * there; *litlen is then the literal's length.
 */
#define PUT(c) do {                                     \
	if (o == cap)                                   \
		return JSON_ERR_SPACE;                  \
	dst[o++] = (char)(c);                           \
} while (0)

static long
unescape_compact(char *dst, size_t cap, const char *src, size_t len,
    size_t *litlen)
{
	const unsigned char *s = (const unsigned char *)src;
	struct json_lexer lx;
	struct sink k;
	unsigned char u[16];
	size_t i = 1, end, n, o = 0, j;
	unsigned c;
	long r;
	int rc, apart;

	if (len > LONG_MAX)
		return JSON_ERR_LENGTH;
	if (litlen != NULL ? len < 2 || src[0] != '"' : !quoted(src, len))
		return JSON_ERR_SYNTAX;
	json_lexer_init(&lx);
	memset(&k, 0, sizeof(k));
	k.out = dst;
	k.cap = cap;
	apart = (uintptr_t)dst + cap <= (uintptr_t)src ||
	    (uintptr_t)src + len <= (uintptr_t)dst;
	end = litlen != NULL ? len : len - 1;
	while (i < end) {
		c = s[i];
		switch (lx.state) {
		case S_STRING:
			if (lx.need != 0 || lx.high)
				break;
			n = string_run(dst + o, cap - o, s + i, end - i, apart);
			o += n;
			i += n;
			if (i == end)
				continue;
			c = s[i];
			if (c == '\\' && end - i >= 2 && s[i + 1] == '"') {
				PUT('"');
				i += 2;
				/* the commonest next two tokens, without two
				   trips round the loop: :" after a name, ," after
				   a string value in a container */
				if (end - i >= 3 && s[i + 1] == '\\' &&
				    s[i + 2] == '"' && (lx.kind == JSON_TOK_NAME ?
				    s[i] == ':' : s[i] == ',' && lx.depth > 0)) {
					PUT(s[i]);
					PUT('"');
					i += 3;
					lx.kind = lx.kind == JSON_TOK_NAME ||
					    !top_is_object(&lx) ? JSON_TOK_STRING :
					    JSON_TOK_NAME;
					continue;
				}
				lx.state = lx.kind == JSON_TOK_NAME ? S_COLON :
				    S_AFTER;
				continue;
			}
			if (c >= 0x80)
				n = utf8_seq(s + i, end - i);
			else if (c == '\\' && end - i > 2 && s[i + 1] == '\\')
				n = inner_escape(s + i, end - i);
			else if (o == cap && is_plain(c))
				return JSON_ERR_SPACE;
			else
				n = 0;
			if (n == 0)
				break;
			/* as the literal has it, but for its own escapes */
			for (j = 0; j < n; j++) {
				if (s[i + j] == '\\')
					j++;
				PUT(s[i + j]);
			}
			i += n;
			continue;
		case S_COLON:
			if (c != ':')
				break;
			lx.state = S_VALUE;
			PUT(c);
			i++;
			continue;
		case S_VALUE:
		case S_VALUE_OR_END:
			if (c == '\\' && end - i >= 2 && s[i + 1] == '"') {
				lx.kind = JSON_TOK_STRING;
				goto open;
			}
			if (c == '{' || c == '[') {
				if ((rc = open_container(&lx, &k, c == '{', 0)) !=
				    JSON_OK)
					return rc;
				PUT(c);
				i++;
				continue;
			}
			if (c == ']' && lx.state == S_VALUE_OR_END)
				goto close;
			if (c != '-' && !is_digit(c) && c != 't' && c != 'f' &&
			    c != 'n')
				break;
			/* a number or true, false, null: its bytes are
			   themselves in the literal. Valid and followed by
			   , } or ] (the usual case), copied as they are;
			   else lexed where they lie. */
			if ((n = scalar_len(s + i, end - i)) != 0) {
				if (n > cap - o)
					return JSON_ERR_SPACE;
				for (j = 0; j < n; j++)    /* dst + o <= s + i */
					dst[o + j] = (char)s[i + j];
				o += n;
				i += n;
				lx.state = S_AFTER;
				continue;
			}
			for (n = 1; n < end - i && scalar_byte(s[i + n]); n++)
				;
			k.o = o;
			if ((r = lex(&lx, s + i, n, &k)) < 0)
				return r;
			o = k.o;
			i += n;
			continue;
		case S_KEY_OR_END:
		case S_KEY:
			if (c == '\\' && end - i >= 2 && s[i + 1] == '"') {
				lx.kind = JSON_TOK_NAME;
				goto open;
			}
			if (c == '}' && lx.state == S_KEY_OR_END)
				goto close;
			break;
		case S_AFTER:
			if (lx.depth == 0)
				break;
			if (c == ',') {
				lx.state = top_is_object(&lx) ? S_KEY : S_VALUE;
				PUT(c);
				i++;
				continue;
			}
			if (c == '}' || c == ']')
				goto close;
			break;
		case S_NUM_ZERO:
		case S_NUM_INT:
		case S_NUM_FRAC:
		case S_NUM_EXP:
			if (c != ',' && c != '}' && c != ']')
				break;
			lx.state = S_AFTER;     /* the number ends before c */
			continue;
		}
		/* the rest, a few decoded bytes at a time */
		if ((r = decode(s, &i, end, (char *)u, sizeof(u),
		    litlen != NULL)) < 0)
			return r;
		k.o = o;
		if ((r = lex(&lx, u, (size_t)r, &k)) < 0)
			return r;
		o = k.o;
		if (litlen != NULL && i < end && s[i] == '"')
			break;                  /* the literal's end */
		continue;
open:
		lx.state = S_STRING;
		PUT('"');
		i += 2;
		continue;
close:
		if ((rc = close_container(&lx, &k, c == '}', 0)) != JSON_OK)
			return rc;
		PUT(c);
		i++;
	}
	if (litlen != NULL) {
		if (i == end)
			return JSON_ERR_TRUNCATED;  /* no quote closes it */
		*litlen = i + 1;
	}
	if ((rc = json_lexer_end(&lx, NULL)) != JSON_OK)
		return rc;
	return (long)o;
}

#undef PUT

long
json_unescape_compact(char *dst, size_t cap, const char *src, size_t len)
{
	return unescape_compact(dst, cap, src, len, NULL);
}

int
json_streq(const char *src, size_t len, const char *s)
{
	char buf[64];
	size_t n = strlen(s), at = 0, i = 1;
	long m;

	if (!quoted(src, len))
		return 0;
	while (i < len - 1) {
		m = decode((const unsigned char *)src, &i, len - 1, buf,
		    sizeof(buf), 0);
		if (m < 0 || (size_t)m > n - at ||
		    memcmp(buf, s + at, (size_t)m) != 0)
			return 0;
		at += (size_t)m;
	}
	return at == n;
}

/* Does the member name p[0..len) of a valid document equal key? */
static int
name_eq(const char *p, size_t len, const char *key)
{
	size_t n = len - 2, i;

	for (i = 0; i < n; i++) {
		if (p[1 + i] == '\\')
			return json_streq(p, len, key);
		if (p[1 + i] != key[i])
			return 0;
	}
	return key[n] == '\0';
}

/*
 * After the member name that ended at doc[at]: when a string value
 * follows (the ':' and whitespace on either side are checked here), the
 * offset of its opening quote and, at *end, one past its closing quote,
 * found by string_end() alone, or with dst != NULL by decoding the
 * string with unescape_compact() into dst[0..cap) (*dlen: its result),
 * string_end() only when that fails before the end. -1 when something
 * else follows, for the lexer to judge; JSON_ERR_TRUNCATED when no
 * quote closes the string.
 */
static long
skim_value(const char *doc, size_t len, size_t at, size_t *end, char *dst,
    size_t cap, long *dlen)
{
	const unsigned char *d = (const unsigned char *)doc;
	size_t i = at, e, ll = 0;

	while (i < len && is_ws(d[i]))
		i++;
	if (i == len || d[i] != ':')
		return -1;
	while (++i < len && is_ws(d[i]))
		;
	if (i == len || d[i] != '"')
		return -1;
	if (dst != NULL)
		*dlen = unescape_compact(dst, cap, doc + i, len - i, &ll);
	e = ll != 0 ? i + ll - 1 : i + 1 + string_end(d + i + 1, len - i - 1);
	if (e == len)
		return JSON_ERR_TRUNCATED;
	*end = e + 1;
	return (long)i;
}

int
json_envelope_decode(const char *doc, size_t len, struct json_field *f,
    size_t nf, size_t lazy, char *dst, size_t cap, long *dlen)
{
	struct json_lexer lx;
	struct json_token t[JSON_FIELD_TOKS], *tk;
	struct sink k;
	size_t at = 0, i, j, left = nf, cur = nf, open = nf, end;
	long n;
	int rc;

	if (dlen != NULL)
		*dlen = JSON_ERR_EMPTY;         /* nothing decoded */

	for (i = 0; i < nf; i++) {
		f[i].type = JSON_NONE;
		f[i].start = f[i].end = 0;
	}
	/* Of fields with the same key the first is the one filled. */
	for (i = 0; i < lazy && lazy < nf; i++)
		if (strcmp(f[i].key, f[lazy].key) == 0)
			lazy = i;
	json_lexer_init(&lx);
	/* The envelope's level does not count against its event's. */
	lx.outer = lazy < nf;
	memset(&k, 0, sizeof(k));
	if (nf > 0) {
		/* Only the members of a top-level object matter. */
		k.tok = t;
		k.maxdepth = 1;
		/* Until the lazy member's name, stop at each name. */
		k.pause = lazy < nf;
	}
	do {
		k.nt = 0;
		k.tcap = JSON_FIELD_TOKS;
		n = lex(&lx, (const unsigned char *)doc + at, len - at, &k);
		if (n < 0) {
			rc = (int)n;
			goto fail;
		}
		at += (size_t)n;
		for (j = 0; j < k.nt; j++) {
			tk = &t[j];
			if (tk->depth == 0) {
				if (tk->kind != JSON_TOK_OBJECT &&
				    tk->kind != JSON_TOK_OBJECT_END)
					k.tok = NULL;   /* not an object */
			} else if (tk->kind == JSON_TOK_NAME) {
				/* The first field with that key takes the
				   first member of that name. */
				cur = nf;
				for (i = 0; i < nf; i++)
					if (name_eq(doc + tk->start,
					    tk->end - tk->start, f[i].key)) {
						if (f[i].type == JSON_NONE)
							cur = i;
						break;
					}
				if (cur == lazy)
					k.pause = 0;    /* no more stops */
			} else if (tk->kind == JSON_TOK_OBJECT_END ||
			    tk->kind == JSON_TOK_ARRAY_END) {
				if (open < nf) {
					f[open].end = tk->end;
					open = nf;
					left--;
				}
			} else if (cur < nf) {
				f[cur].type = (enum json_type)tk->kind;
				f[cur].start = tk->start;
				f[cur].end = tk->end;
				if (tk->kind == JSON_TOK_OBJECT ||
				    tk->kind == JSON_TOK_ARRAY)
					open = cur;
				else
					left--;
				cur = nf;
			}
		}
		/* Just past the lazy member's name (the lexer stopped there,
		   paused or out of slots): a string value is taken as
		   string_end() delimits it, and the lexer goes on after it,
		   as if it had read it. */
		if (cur < nf && cur == lazy && lx.state == S_COLON) {
			n = skim_value(doc, len, at, &end, dst, cap, dlen);
			if (n == JSON_ERR_TRUNCATED) {
				rc = (int)n;
				goto fail;
			}
			if (n >= 0) {
				f[lazy].type = JSON_STRING;
				f[lazy].start = (size_t)n;
				f[lazy].end = end;
				left--;
				cur = nf;
				lx.state = S_AFTER;
				lx.pos = at = end;
			}
		}
		if (left == 0)
			k.tok = NULL;           /* all found: only validate */
	} while (at < len);
	if ((rc = json_lexer_end(&lx, NULL)) != JSON_OK)
		goto fail;
	/* Fields that repeat an earlier key share its result. */
	for (i = 1; i < nf; i++)
		for (j = 0; j < i && f[i].type == JSON_NONE; j++)
			if (f[j].type != JSON_NONE &&
			    strcmp(f[i].key, f[j].key) == 0) {
				f[i].type = f[j].type;
				f[i].start = f[j].start;
				f[i].end = f[j].end;
			}
	return JSON_OK;
fail:
	for (i = 0; i < nf; i++) {
		f[i].type = JSON_NONE;
		f[i].start = f[i].end = 0;
	}
	return rc;
}

int
json_envelope(const char *doc, size_t len, struct json_field *f, size_t nf,
    size_t lazy)
{
	return json_envelope_decode(doc, len, f, nf, lazy, NULL, 0, NULL);
}

int
json_fields(const char *doc, size_t len, struct json_field *f, size_t nf)
{
	return json_envelope(doc, len, f, nf, nf);
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
	case JSON_ERR_LENGTH: return "input too long";
	}
	return "JSON error";
}
