/*
 * json.h - strict RFC 8259 JSON for zoomws: a streaming lexer that
 * validates (and optionally compacts) a document fed in pieces, and on
 * top of it the three things zoomws does to every event: pick top-level
 * fields, decode a string, compact a document.
 *
 * No allocation, no I/O. Strict: one value with optional surrounding
 * whitespace (space, tab, LF, CR); RFC 8259 numbers only; only the
 * escapes of section 7, \u with four hex digits, surrogates in pairs;
 * the text valid UTF-8 (no overlongs, no encoded surrogates, nothing
 * above U+10FFFF); nesting at most JSON_MAX_DEPTH.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

enum {
	JSON_OK = 0,
	JSON_ERR_SYNTAX = -1,       /* a byte that cannot be there */
	JSON_ERR_DEPTH = -2,        /* nesting over JSON_MAX_DEPTH */
	JSON_ERR_UTF8 = -3,         /* invalid UTF-8 */
	JSON_ERR_ESCAPE = -4,       /* bad escape or lone surrogate */
	JSON_ERR_CONTROL = -5,      /* raw control character in a string */
	JSON_ERR_NUMBER = -6,       /* malformed number */
	JSON_ERR_TRUNCATED = -7,    /* the document ended early */
	JSON_ERR_TRAILING = -8,     /* something after the value */
	JSON_ERR_SPACE = -9,        /* the output buffer is too small */
	JSON_ERR_EMPTY = -10        /* no value at all */
};

enum json_type {
	JSON_NONE = 0, JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_NUMBER,
	JSON_TRUE, JSON_FALSE, JSON_NULL
};

/*
 * The streaming lexer. Zero it (or json_lexer_init) before the first
 * piece. It keeps everything it needs between pieces: the container
 * stack as bits, a partial UTF-8 sequence, escape, number or literal.
 */
struct json_lexer {
	int       state;                    /* enum in json.c */
	int       err;                      /* sticky once failed */
	unsigned  depth;
	uint8_t   stack[JSON_MAX_DEPTH / 8];/* 1 bit per level: 1 = object */
	unsigned  need;                     /* UTF-8 continuation bytes due */
	uint8_t   lo, hi;                   /* range of the next one */
	unsigned  hex;                      /* \u digits read */
	unsigned  cp;                       /* \u value so far */
	unsigned  high;                     /* pending high surrogate */
	unsigned  lit;                      /* literal: index in its text */
	const char *littext;
	int       key;                      /* the string is a member name */
	size_t    tokens;                   /* values and names completed */
};

void json_lexer_init(struct json_lexer *lx);

/*
 * json_lexer_feed: the next len bytes of the document. With out != NULL,
 * the document's bytes minus whitespace outside strings are appended
 * there (*outlen counts them; cap bounds them: JSON_ERR_SPACE past it);
 * out may point into the input at or before the current position (in
 * place). Returns JSON_OK or the (sticky) JSON_ERR_*.
 */
int json_lexer_feed(struct json_lexer *lx, const char *in, size_t len,
    char *out, size_t cap, size_t *outlen);

/* json_lexer_end: the document is complete. JSON_OK, or
   JSON_ERR_TRUNCATED / JSON_ERR_EMPTY / the error seen before. */
int json_lexer_end(struct json_lexer *lx);

/* json_validate: the whole document at once. */
int json_validate(const char *doc, size_t len);

/*
 * A top-level member wanted by json_fields: the caller sets key; type,
 * start and end are filled (JSON_NONE when absent; end one past the
 * value; a string's span includes its quotes).
 */
struct json_field {
	const char     *key;
	enum json_type  type;
	size_t          start;
	size_t          end;
};

/*
 * json_fields: validate doc strictly; when its top level is an object,
 * fill each field whose key equals a member name (names compared after
 * decoding; the first occurrence wins). Returns JSON_OK or a JSON_ERR_*.
 */
int json_fields(const char *doc, size_t len, struct json_field *f, size_t nf);

/*
 * json_unescape: decode the string literal src[0..len) (quotes
 * included) to UTF-8 in dst. dst may equal src: decoding never writes
 * ahead of reading. Returns the decoded length (which may include NUL
 * bytes from \u0000) or a JSON_ERR_*.
 */
long json_unescape(char *dst, size_t cap, const char *src, size_t len);

/*
 * json_compact: validate src strictly and write it to dst without the
 * whitespace outside strings, every other byte unchanged. dst may equal
 * src. Returns the output length or a JSON_ERR_*.
 */
long json_compact(char *dst, size_t cap, const char *src, size_t len);

/* json_streq: does the string literal src[0..len) decode to s? */
int json_streq(const char *src, size_t len, const char *s);

const char *json_strerror(int err);

#endif
