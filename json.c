/*
 * json.c - strict RFC 8259 JSON: a streaming lexer, and field lookup,
 * string decoding and compaction on top of it.
 *
 * The lexer is one switch over its state, a byte at a time, with fast
 * loops where bytes come in runs: plain string text (found by scan.h, a
 * vector or a word at a time), complete escapes and UTF-8 sequences
 * inside a string, digits, whitespace. The container stack is a bit per level. Its outputs are a
 * "sink": the compacted bytes (every byte but the whitespace outside
 * strings, copied in runs), tokens, or neither (validation).
 */
#include <limits.h>
#include <string.h>

#include "ascii.h"
#include "json.h"
#include "scan.h"

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
/* A function kept out of its caller, where it would run short of
   registers. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* RFC 8259 2: the four whitespace bytes. */
HOT int
is_ws(unsigned c)
{
	return c <= ' ' && ((1ULL << ' ' | 1ULL << '\t' | 1ULL << '\n' |
	    1ULL << '\r') >> c & 1);
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
 * Where the string literal whose opening quote is just before p ends:
 * the index in p[0..n) of the first quote no backslash escapes, or n.
 * Nothing else is looked at: a backslash hides the byte after it,
 * whatever that is, and the bytes between may be anything.
 */
static size_t
string_end(const unsigned char *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		i += scan_str(p + i, n - i);
		if (i == n || p[i] == '"')
			return i;
		i += p[i] == '\\' && n - i >= 2 ? 2 : 1;
	}
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
		i += scan_str(in + i, len - i);
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

/* An empty sink: no output, no tokens (memset, without the call). */
HOT void
sink_start(struct sink *k)
{
	k->out = NULL;
	k->cap = k->o = 0;
	k->tok = NULL;
	k->tcap = k->nt = 0;
	k->maxdepth = 0;
	k->pause = 0;
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

/* The state before the first byte, but for the container stack, whose
   bits are written before they are read: json_lexer_init for the
   callers here, which start a lexer for every message. */
HOT void
lexer_start(struct json_lexer *lx)
{
	lx->state = S_VALUE;
	lx->err = 0;
	lx->depth = lx->outer = 0;
	lx->need = lx->lo = lx->hi = lx->hex = lx->cp = lx->high = 0;
	lx->lit = 0;
	lx->kind = 0;
	lx->pos = lx->start = 0;
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

/* Push a container (object: 1, array: 0) on lx's stack: JSON_OK, or
   JSON_ERR_DEPTH. */
HOT int
push(struct json_lexer *lx, int object)
{
	unsigned d = lx->depth;

	if (d == JSON_MAX_DEPTH + lx->outer)
		return JSON_ERR_DEPTH;
	if (d % 8 == 0)                 /* a byte's first level sets it */
		lx->stack[d / 8] = (uint8_t)object;
	else if (object)
		lx->stack[d / 8] |= (uint8_t)(1u << (d % 8));
	else
		lx->stack[d / 8] &= (uint8_t)~(1u << (d % 8));
	lx->depth = d + 1;
	return JSON_OK;
}

/* An opener at stream offset p: push the container. */
static int
open_container(struct json_lexer *lx, struct sink *k, int object, size_t p)
{
	unsigned d = lx->depth;

	if (push(lx, object) != JSON_OK)
		return JSON_ERR_DEPTH;
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

	lexer_start(&lx);
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
		n = scan_str(s + i, lim);
		memmove(dst + o, s + i, n);
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
HOT int
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

/* Bytes the fast path wants ahead of a token before it looks at it: the
   longest form it reads at once is \\uXXXX. */
#define FAST_AHEAD 8

/* Does p start with the two bytes of t? (Read as one word each, in
   memory order: the same on every byte order.) */
HOT int
is2(const unsigned char *p, const char *t)
{
	uint16_t a, b;

	memcpy(&a, p, 2);
	memcpy(&b, t, 2);
	return a == b;
}

/*
 * In an inner string, at p (FAST_AHEAD bytes or more before the end e):
 * the length of a valid UTF-8 sequence, or of an inner escape as the
 * literal has it (\\\" \\\\\\ \\/ \\b \\f \\n \\r \\t, \\uXXXX but
 * surrogates), which it writes to d as the inner document has it, with
 * *dn its length there. 0 for anything else. block: d lies 16 bytes or
 * more behind p (or apart) and 16 bytes follow p, so that 8 bytes may be
 * copied at once.
 */
static size_t
inner_piece(char *d, size_t *dn, const unsigned char *p,
    const unsigned char *e, int block)
{
	size_t n, j, from = 2;
	unsigned c = p[0];
	long cp;

	if (c >= 0x80) {
		if ((n = utf8_seq(p, (size_t)(e - p))) == 0)
			return 0;
		from = 0;
	} else if (c != '\\' || p[1] != '\\')
		return 0;               /* an error or a literal's escape */
	else if ((c = p[2]) == '\\' && (p[3] == '"' || p[3] == '\\')) {
		n = 4;                  /* \\\" \\\\\\: the inner \" \\ */
		from = 3;
	} else if (c == 'u' && (cp = hex4(p + 3)) >= 0 &&
	    (cp < 0xD800 || cp > 0xDFFF))
		n = 7;
	else if (c != '\\' && c != '"' && c != 'u' && esc_tab[c] != 0)
		n = 3;
	else
		return 0;
	j = 0;
	if (from != 0)
		d[j++] = '\\';
	if (block) {
		/* a block behind p, and one ahead: one copy of 8 */
		memcpy(d + j, p + from, 8);
		j += n - from;
	} else
		for (; from < n; from++)
			d[j++] = (char)p[from];
	*dn = j;
	return n;
}

/*
 * The fast path of json_unescape_compact: the inner document's common
 * tokens, taken where they lie in the literal s[*ip..end) and written at
 * dst + *op, which has room for end - *ip bytes (no token comes out
 * longer than its form in the literal). It keeps lx where lex() would
 * have it, and stops at anything else, for decode() and lex() to take:
 * the literal's own escapes, whitespace, surrogates, a number or literal
 * not followed by , } or ], the last FAST_AHEAD bytes before end, every
 * error. Taken here:
 * - in an inner string: runs of plain bytes, found and copied by scan.h,
 *   and what inner_piece() takes;
 * - \" opening or closing an inner string, the brackets, ':' and ',',
 *   and the :\" after a name and the ,\" after a string member as one
 *   step each;
 * - numbers, true, false and null followed by , } or ]: their bytes are
 *   themselves in the literal.
 * Every output byte comes from a literal byte read before it, so dst may
 * be s. Plain text is copied a whole block at a time, past the end of
 * the run (scan_block()), only where that cannot overwrite a byte not
 * read yet: dst lying apart from s, or a block or more behind.
 */
static NOINLINE void
inner_fast(struct json_lexer *lx, const unsigned char *s, size_t *ip,
    size_t end, char *dst, size_t *op)
{
	const unsigned char *p = s + *ip, *e = s + end, *pe;
	uintptr_t pb, lim;
	char *d = dst + *op;
	size_t n, m;
	scan_mask mask;
	unsigned c;
	int name = lx->kind == JSON_TOK_NAME, obj;
	uint32_t w4, kcolon, kcomma;

	if (end - *ip <= FAST_AHEAD)
		return;
	/* \":\ and \",\ as a word in memory order */
	memcpy(&kcolon, "\\\":\\", 4);
	memcpy(&kcomma, "\\\",\\", 4);
	pe = e - FAST_AHEAD;            /* p < pe: the bytes are there */
	/* p <= pb: a block is there with FAST_AHEAD bytes after it, and may
	   be copied whole (dst apart from s, or a block or more behind, as
	   scan_str_copy() wants it); 0 until it may */
	lim = end >= SCAN_BLOCK + FAST_AHEAD ?
	    (uintptr_t)(s + end - SCAN_BLOCK - FAST_AHEAD) : 0;
	pb = (uintptr_t)p - (uintptr_t)d >= SCAN_BLOCK ? lim : 0;
	obj = lx->depth > 0 && top_is_object(lx);
	switch (lx->state) {
	case S_STRING:
		if (lx->need == 0 && !lx->high)
			goto string;
		return;
	case S_COLON:
		goto colon;
	case S_VALUE:
	case S_VALUE_OR_END:
		goto value;
	case S_KEY:
	case S_KEY_OR_END:
		goto key;
	case S_AFTER:
		goto after;
	default:
		return;
	}
string:
	for (;;) {
		/* the run of plain bytes: whole blocks while they fit and
		   cannot overwrite what is still to be read */
		for (; (uintptr_t)p <= pb; p += SCAN_BLOCK, d += SCAN_BLOCK) {
			if ((mask = scan_block(d, p, 1)) != 0) {
				n = scan_first(mask, p);
				p += n;
				d += n;
				goto stop;
			}
		}
		n = scan_str(p, (size_t)(e - p));
		memmove(d, p, n);
		p += n;
		d += n;
		if (p >= pe)
			goto out_string;
		if ((uintptr_t)p - (uintptr_t)d >= SCAN_BLOCK)
			pb = lim;
stop:
		/* p < pe: a stop byte found in a block lies FAST_AHEAD or
		   more before e, by pb's margin */
		/* \" closes the inner string; the :\" after a name and the
		   ,\" after a member's string open the next one */
		memcpy(&w4, p, 4);
		if (w4 == (name ? kcolon : kcomma) && p[4] == '"' &&
		    (name || obj)) {
			d[0] = '"';
			d[1] = (char)p[2];
			d[2] = '"';
			d += 3;
			p += 5;
			name = !name;
			continue;
		}
		if (is2(p, "\\\""))
			break;
		c = p[0];
		if (c >= 0xC2 && c <= 0xDF && (p[1] & 0xC0) == 0x80) {
			d[0] = (char)c;         /* two-byte UTF-8 */
			d[1] = (char)p[1];
			d += 2;
			p += 2;
			continue;
		}
		if ((n = inner_piece(d, &m, p, e, SCAN_BLOCK >= 16 &&
		    (uintptr_t)p <= pb)) == 0)
			goto out_string;
		p += n;
		d += m;
	}
	*d++ = '"';
	p += 2;
	if (!name)
		goto after;
colon:
	if (p >= pe || p[0] != ':') {
		lx->state = S_COLON;
		goto out;
	}
	*d++ = ':';
	p++;
	lx->state = S_VALUE;
value:
	/* lx->state is S_VALUE, or S_VALUE_OR_END after '[' */
	if (p >= pe)
		goto out;
	if (is2(p, "\\\"")) {
		name = 0;
		goto open_string;
	}
	c = p[0];
	if (c == '{' || c == '[')
		goto open;
	if (c == ']' && lx->state == S_VALUE_OR_END)
		goto close;
	if (c - '1' < 9) {
		/* an integer, the usual number */
		for (m = 1; m < (size_t)(e - p) && is_digit(p[m]); m++)
			;
		if (m < (size_t)(e - p) && (p[m] == ',' || p[m] == '}' ||
		    p[m] == ']')) {
			if (m <= SCAN_BLOCK && (uintptr_t)p <= pb) {
				/* a block behind (pb): one copy of it */
				memcpy(d, p, SCAN_BLOCK);
				p += m;
				d += m;
			} else
				while (m-- > 0)
					*d++ = (char)*p++;
			goto after;
		}
	}
	if ((c != '-' && !is_digit(c) && c != 't' && c != 'f' && c != 'n') ||
	    (n = scalar_len(p, (size_t)(e - p))) == 0)
		goto out;
	while (n-- > 0)
		*d++ = (char)*p++;
after:
	lx->state = S_AFTER;
	if (p >= pe || lx->depth == 0)
		goto out;
	c = p[0];
	if (c == '}' || c == ']')
		goto close;
	if (c != ',')
		goto out;
	*d++ = ',';
	p++;
	if (!obj) {
		lx->state = S_VALUE;
		goto value;
	}
	lx->state = S_KEY;
key:
	/* lx->state is S_KEY, or S_KEY_OR_END after '{' */
	if (p >= pe)
		goto out;
	if (is2(p, "\\\"")) {
		name = 1;
		goto open_string;
	}
	c = p[0];
	if (c == '}' && lx->state == S_KEY_OR_END)
		goto close;
	goto out;
open_string:
	*d++ = '"';
	p += 2;
	goto string;
open:
	if (push(lx, c == '{') != JSON_OK)
		goto out;               /* too deep: lex() reports it */
	obj = c == '{';
	*d++ = (char)c;
	p++;
	if (!obj) {
		lx->state = S_VALUE_OR_END;
		goto value;
	}
	lx->state = S_KEY_OR_END;
	goto key;
close:
	if (lx->depth == 0 || obj != (c == '}'))
		goto out;               /* lex() reports it */
	lx->depth--;
	obj = lx->depth > 0 && top_is_object(lx);
	*d++ = (char)c;
	p++;
	goto after;
out_string:
	lx->state = S_STRING;
	lx->kind = name ? JSON_TOK_NAME : JSON_TOK_STRING;
out:
	*ip = (size_t)(p - s);
	*op = (size_t)(d - dst);
}

/*
 * json_unescape_compact walks the literal once: inner_fast() takes the
 * common tokens where they lie, with no check of output room, whenever
 * the room left is at least the literal left; anything else is decoded a
 * few bytes at a time into a small buffer and fed to lex(), which
 * decides. Every output byte comes from at least one literal byte read
 * before it, so dst may be src.
 *
 * With litlen (open: src[0..len) is a literal and what follows it), the
 * literal's end is found on the way: inner_fast() never takes a quote
 * that no backslash escapes, so it reaches decode(), which stops there;
 * *litlen is then the literal's length.
 */
static long
unescape_compact(char *dst, size_t cap, const char *src, size_t len,
    size_t *litlen)
{
	const unsigned char *s = (const unsigned char *)src;
	struct json_lexer lx;
	struct sink k;
	unsigned char u[16];
	size_t i = 1, end, o = 0;
	long r;
	int rc;

	if (len > LONG_MAX)
		return JSON_ERR_LENGTH;
	if (litlen != NULL ? len < 2 || src[0] != '"' : !quoted(src, len))
		return JSON_ERR_SYNTAX;
	lexer_start(&lx);
	sink_start(&k);
	k.out = dst;
	k.cap = cap;
	end = litlen != NULL ? len : len - 1;
	while (i < end) {
		if (cap - o >= end - i) {
			inner_fast(&lx, s, &i, end, dst, &o);
			if (i == end || (litlen != NULL && s[i] == '"'))
				break;
		}
		if ((r = decode(s, &i, end, (char *)u, sizeof(u),
		    litlen != NULL)) < 0)
			return r;
		k.o = o;
		if ((r = lex(&lx, u, (size_t)r, &k)) < 0)
			return r;
		o = k.o;
		if (litlen != NULL && i < end && s[i] == '"')
			break;                  /* the literal's end */
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

long
json_unescape_compact(char *dst, size_t cap, const char *src, size_t len)
{
	return unescape_compact(dst, cap, src, len, NULL);
}

/*
 * Is the literal p[0..len) (quoted) the plain text s as it is? 1 or 0;
 * -1 when only decoding can tell (the literal holds an escape, UTF-8 or
 * an error where it differs from s, or s holds such bytes). plain: the
 * literal is known to hold plain text only.
 */
HOT int
plain_eq(const char *p, size_t len, const char *s, int plain)
{
	size_t n = len - 2, j;

	if (plain)                      /* no NUL in p: it stops at s's */
		for (j = 0; j < n && p[1 + j] == s[j]; j++)
			;
	else                            /* NUL is a stop byte too */
		for (j = 0; j < n && p[1 + j] == s[j] &&
		    !scan_is_stop((unsigned char)s[j]); j++)
			;
	if (j < n)
		return scan_is_stop((unsigned char)p[1 + j]) ? -1 : 0;
	return s[j] == '\0';           /* nothing decodes longer */
}

/* json_streq of a literal that is not plain text: decoded a piece at a
   time and compared. */
static NOINLINE int
streq_decoded(const char *src, size_t len, const char *s)
{
	char buf[64];
	size_t n = strlen(s), at = 0, i = 1;
	long m;

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

int
json_streq(const char *src, size_t len, const char *s)
{
	int r;

	if (!quoted(src, len))
		return 0;
	if ((r = plain_eq(src, len, s, 0)) >= 0)
		return r;
	return streq_decoded(src, len, s);
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

/* What json_envelope_decode knows as it walks the top-level members. */
struct walk {
	struct json_field *f;
	size_t  nf;
	size_t  lazy;           /* the field only delimited (or decoded) */
	size_t  left;           /* fields not found yet */
	size_t  cur;            /* the field whose value comes next, or nf */
	size_t  open;           /* the field whose container is open, or nf */
	char   *dst;            /* where the lazy string is decoded, or NULL */
	size_t  cap;
	long   *dlen;
};

/* The member name p[0..len) (quotes included, plain: known to hold
   plain text only) came: the field that takes its value, or nf. The
   first field with that key takes the first member of that name. */
HOT size_t
name_field(const struct walk *w, const char *p, size_t len, int plain)
{
	const char *key;
	size_t i;
	int r;

	for (i = 0; i < w->nf; i++) {
		key = w->f[i].key;
		if (len > 2 && p[1] != key[0] && (plain ||
		    !scan_is_stop((unsigned char)p[1])))
			continue;               /* the usual miss, at once */
		if ((r = plain_eq(p, len, key, plain)) > 0 ||
		    (r < 0 && streq_decoded(p, len, key)))
			return w->f[i].type == JSON_NONE ? i : w->nf;
	}
	return w->nf;
}

/* The value of field w->cur is doc[start..end), of type t: taken. */
static void
take_value(struct walk *w, enum json_type t, size_t start, size_t end)
{
	if (w->cur < w->nf) {
		w->f[w->cur].type = t;
		w->f[w->cur].start = start;
		w->f[w->cur].end = end;
		w->left--;
		w->cur = w->nf;
	}
}

/*
 * The leading members of an envelope in its common, compact form, before
 * lex() takes the rest: '{', then members whose name is plain text (no
 * escape, printable ASCII), with no whitespace around ':' and ',', and
 * whose value is a plain string, {} or [], or the lazy member's string,
 * delimited by skim_value(). Stops at anything else. Returns the offset where
 * lex() goes on, with lx where lex() would have it there and w->cur set
 * when a value is due; 0, lx untouched, when doc does not start with
 * '{'; JSON_ERR_TRUNCATED when the lazy string has no end.
 */
static long
members_fast(const char *doc, size_t len, struct json_lexer *lx,
    struct walk *w)
{
	const unsigned char *d = (const unsigned char *)doc;
	size_t at = 1, i, end;
	long v;

	if (len < 2 || d[0] != '{')
		return 0;
	(void)push(lx, 1);
	lx->state = S_KEY_OR_END;
	while (at < len && d[at] == '"') {
		i = at + 1 + scan_str(d + at + 1, len - at - 1);
		if (i == len || d[i] != '"')
			break;
		w->cur = name_field(w, doc + at, i + 1 - at, 1);
		at = i + 1;
		lx->state = S_COLON;
		if (w->cur < w->nf && w->cur == w->lazy) {
			if ((v = skim_value(doc, len, at, &end, w->dst, w->cap,
			    w->dlen)) < 0) {
				if (v == JSON_ERR_TRUNCATED)
					return v;
				break;
			}
			w->lazy = w->nf;        /* found: no more stops */
			take_value(w, JSON_STRING, (size_t)v, end);
			at = end;
		} else {
			if (at == len || d[at] != ':')
				break;
			lx->state = S_VALUE;
			if (len - ++at < 2)
				break;
			if (is2(d + at, "{}") || is2(d + at, "[]")) {
				/* empty: the envelope's "header":{} */
				take_value(w, d[at] == '{' ? JSON_OBJECT :
				    JSON_ARRAY, at, at + 2);
				at += 2;
			} else {
				if (d[at] != '"')
					break;
				i = at + 1 + scan_str(d + at + 1, len - at - 1);
				if (i == len || d[i] != '"')
					break;
				take_value(w, JSON_STRING, at, i + 1);
				at = i + 1;
			}
		}
		lx->state = S_AFTER;
		if (at == len || (d[at] != ',' && d[at] != '}'))
			break;
		if (d[at++] == '}') {
			lx->depth = 0;
			break;
		}
		lx->state = S_KEY;
	}
	lx->pos = at;
	return (long)at;
}

/* The tokens lex() gave: fields filled. */
static void
take_tokens(struct walk *w, const struct json_token *t, size_t nt,
    const char *doc, struct sink *k)
{
	const struct json_token *tk;
	size_t j;

	for (j = 0; j < nt; j++) {
		tk = &t[j];
		if (tk->depth == 0) {
			if (tk->kind != JSON_TOK_OBJECT &&
			    tk->kind != JSON_TOK_OBJECT_END)
				k->tok = NULL;  /* not an object */
		} else if (tk->kind == JSON_TOK_NAME) {
			w->cur = name_field(w, doc + tk->start,
			    tk->end - tk->start, 0);
			if (w->cur < w->nf && w->cur == w->lazy)
				k->pause = 0;   /* no more stops */
		} else if (tk->kind == JSON_TOK_OBJECT_END ||
		    tk->kind == JSON_TOK_ARRAY_END) {
			if (w->open < w->nf) {
				w->f[w->open].end = tk->end;
				w->open = w->nf;
				w->left--;
			}
		} else if (w->cur < w->nf) {
			w->f[w->cur].type = (enum json_type)tk->kind;
			w->f[w->cur].start = tk->start;
			w->f[w->cur].end = tk->end;
			if (tk->kind == JSON_TOK_OBJECT ||
			    tk->kind == JSON_TOK_ARRAY)
				w->open = w->cur;
			else
				w->left--;
			w->cur = w->nf;
		}
	}
}

int
json_envelope_decode(const char *doc, size_t len, struct json_field *f,
    size_t nf, size_t lazy, char *dst, size_t cap, long *dlen)
{
	struct json_lexer lx;
	struct json_token t[JSON_FIELD_TOKS];
	struct sink k;
	struct walk w;
	size_t at, i, j, end;
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
		if (f[i].key[0] == f[lazy].key[0] &&
		    strcmp(f[i].key, f[lazy].key) == 0)
			lazy = i;
	w.f = f;
	w.nf = nf;
	w.lazy = lazy < nf ? lazy : nf;
	w.left = w.cur = w.open = nf;
	w.dst = dst;
	w.cap = cap;
	w.dlen = dlen;
	lexer_start(&lx);
	/* The envelope's level does not count against its event's. */
	lx.outer = lazy < nf;
	sink_start(&k);
	if (nf > 0) {
		/* Only the members of a top-level object matter. */
		k.tok = t;
		k.maxdepth = 1;
		if ((n = members_fast(doc, len, &lx, &w)) < 0) {
			rc = (int)n;
			goto fail;
		}
		at = (size_t)n;
		/* Until the lazy member's name, stop at each name. */
		k.pause = w.lazy < nf;
	} else
		at = 0;
	/* all of it taken by members_fast, the usual case */
	if (at == len && lx.depth == 0 && lx.state == S_AFTER)
		goto done;
	for (;;) {
		k.nt = 0;
		k.tcap = JSON_FIELD_TOKS;
		if (w.left == 0)
			k.tok = NULL;           /* all found: only validate */
		n = lex(&lx, (const unsigned char *)doc + at, len - at, &k);
		if (n < 0) {
			rc = (int)n;
			goto fail;
		}
		at += (size_t)n;
		take_tokens(&w, t, k.nt, doc, &k);
		/* Just past the lazy member's name (the lexer stopped there,
		   paused or out of slots): a string value is taken as
		   skim_value() delimits it, and the lexer goes on after it,
		   as if it had read it. */
		if (w.cur < nf && w.cur == w.lazy && lx.state == S_COLON) {
			n = skim_value(doc, len, at, &end, dst, cap, dlen);
			if (n == JSON_ERR_TRUNCATED) {
				rc = (int)n;
				goto fail;
			}
			if (n >= 0) {
				take_value(&w, JSON_STRING, (size_t)n, end);
				lx.state = S_AFTER;
				lx.pos = at = end;
			}
		}
		if (at == len)
			break;
	}
	if ((rc = json_lexer_end(&lx, NULL)) != JSON_OK)
		goto fail;
done:
	/* Fields that repeat an earlier key share its result. */
	for (i = 1; i < nf; i++)
		for (j = 0; j < i && f[i].type == JSON_NONE; j++)
			if (f[j].type != JSON_NONE &&
			    f[i].key[0] == f[j].key[0] &&
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
