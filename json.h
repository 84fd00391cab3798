/*
 * json.h - strict RFC 8259 JSON for zoomws: a streaming lexer that
 * validates a document fed in pieces and reports its tokens or its
 * compacted bytes, and on top of it the things zoomws does to every
 * event: pick top-level fields, decode a string, compact a document.
 *
 * No allocation, no I/O. Strict: exactly one value with optional
 * surrounding whitespace (space, tab, LF, CR); RFC 8259 section 6
 * numbers only; only the escapes of section 7, \u with four hex digits,
 * UTF-16 surrogates only in high-low pairs; the text valid UTF-8
 * (section 8.1: no overlongs, no encoded surrogates, nothing above
 * U+10FFFF, no truncated sequences); nesting at most JSON_MAX_DEPTH.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64       /* containers inside one another */

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
	JSON_ERR_EMPTY = -10,       /* no value at all */
	JSON_ERR_LENGTH = -11       /* input too long for a long to count */
};

enum json_type {
	JSON_NONE = 0, JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_NUMBER,
	JSON_TRUE, JSON_FALSE, JSON_NULL
};

/*
 * A token of the lexer. The value kinds have the numbers of enum
 * json_type, so (enum json_type)kind is the type of a value token.
 */
enum json_tok {
	JSON_TOK_NONE = 0,
	JSON_TOK_OBJECT = JSON_OBJECT,  /* '{' */
	JSON_TOK_ARRAY = JSON_ARRAY,    /* '[' */
	JSON_TOK_STRING = JSON_STRING,  /* a string value, quotes included */
	JSON_TOK_NUMBER = JSON_NUMBER,
	JSON_TOK_TRUE = JSON_TRUE,
	JSON_TOK_FALSE = JSON_FALSE,
	JSON_TOK_NULL = JSON_NULL,
	JSON_TOK_NAME,                  /* a member name, quotes included */
	JSON_TOK_OBJECT_END,            /* '}' */
	JSON_TOK_ARRAY_END              /* ']' */
};

/*
 * start and end are offsets in the stream (the sum of the lengths of
 * the pieces fed before, plus the offset in the piece). depth counts
 * the containers around the token: 0 for the top-level value and for
 * its brackets, 1 for the members of a top-level object, and so on.
 */
struct json_token {
	enum json_tok kind;
	unsigned      depth;
	size_t        start;            /* its first byte */
	size_t        end;              /* one past its last byte */
};

/*
 * The streaming lexer. Zero it (or json_lexer_init) before the first
 * piece. It keeps everything it needs between pieces: the container
 * stack as one bit per level, a partial UTF-8 sequence, escape, number
 * or literal, and where the token in progress started.
 */
struct json_lexer {
	int       state;                /* enum in json.c; 0 = a value is due */
	int       err;                  /* sticky once failed */
	unsigned  depth;                /* containers open */
	unsigned  outer;                /* levels allowed beyond JSON_MAX_DEPTH
	                                   (0, or 1 for an envelope's own) */
	uint8_t   stack[(JSON_MAX_DEPTH + 8) / 8]; /* bit per level: 1 = object */
	unsigned  need;                 /* UTF-8 continuation bytes due */
	unsigned  lo, hi;               /* the range of the next one */
	unsigned  hex;                  /* \u digits read */
	unsigned  cp;                   /* \u value so far */
	unsigned  high;                 /* a high surrogate waits for its low */
	unsigned  lit;                  /* literal: bytes matched */
	int       kind;                 /* enum json_tok of the token in progress */
	size_t    pos;                  /* stream offset of the next byte */
	size_t    start;                /* stream offset of the token in progress */
};

/* json_lexer_init: the state before the first byte (all zero). */
void json_lexer_init(struct json_lexer *lx);

/*
 * json_lexer_feed: lex the next len bytes of the document. With out !=
 * NULL, the document's bytes minus the whitespace outside strings are
 * appended at out + *outlen, and *outlen is advanced (JSON_ERR_SPACE
 * once they would pass cap). out may point into the input, at or before
 * the first byte of this piece: compaction in place. Returns JSON_OK or
 * the JSON_ERR_* of the first error, which sticks to lx. When the output
 * is too small and the input also invalid, which of the two errors is
 * reported depends on where the pieces were cut.
 */
int json_lexer_feed(struct json_lexer *lx, const char *in, size_t len,
    char *out, size_t cap, size_t *outlen);

/*
 * json_lexer_scan: lex the next len bytes of the document, writing a
 * token to tok[] for each opener, closer, member name and scalar as it
 * completes (a number completes at the byte after it, or at
 * json_lexer_end). *ntok is set to the number written. It stops early
 * while fewer than two of the cap slots are free: returns the bytes
 * consumed (len unless it stopped early; feed the rest again after
 * taking the tokens), or the sticky JSON_ERR_*. The tokens of a document
 * do not depend on how it is cut into pieces. cap >= 2.
 */
long json_lexer_scan(struct json_lexer *lx, const char *in, size_t len,
    struct json_token *tok, size_t cap, size_t *ntok);

/*
 * json_lexer_end: the document is complete. Returns JSON_OK, or
 * JSON_ERR_TRUNCATED / JSON_ERR_EMPTY / the error seen before. With
 * last != NULL, *last receives the token the end completes (a number
 * that is the whole document) or kind JSON_TOK_NONE.
 */
int json_lexer_end(struct json_lexer *lx, struct json_token *last);

/* json_validate: is doc[0..len) one strict JSON document? JSON_OK or
   a JSON_ERR_*. */
int json_validate(const char *doc, size_t len);

/*
 * A top-level member wanted by json_fields: the caller sets key (the
 * member name as decoded text); type, start and end are filled
 * (JSON_NONE when absent; start..end the raw value in doc, a string's
 * span includes its quotes).
 */
struct json_field {
	const char     *key;
	enum json_type  type;
	size_t          start;
	size_t          end;
};

/*
 * json_fields: validate doc strictly; when its top level is an object,
 * fill each field whose key equals a member name of that object (names
 * compared after decoding; members of nested objects never match). Of
 * duplicate names the first occurrence wins. Returns JSON_OK or a
 * JSON_ERR_* (then every field is JSON_NONE). A top level that is not an
 * object is valid, every field JSON_NONE. Keys are not copied.
 */
int json_fields(const char *doc, size_t len, struct json_field *f, size_t nf);

/*
 * json_envelope: json_fields, but the value of one member is only
 * delimited: when the first top-level member named f[lazy].key has a
 * string value, its end is the first quote that no backslash escapes,
 * and nothing between its quotes is checked (escapes, control
 * characters, UTF-8). The caller must check them, as json_unescape and
 * json_unescape_compact do, before it takes doc for valid JSON or for
 * UTF-8. Everything else in doc, later members of that name too, is
 * checked as json_fields does, and the fields are those json_fields
 * gives whenever it accepts doc. lazy >= nf: json_fields exactly.
 * With lazy < nf, doc may nest one level deeper than JSON_MAX_DEPTH: the
 * envelope's own, so that an event carried as an object may nest as
 * deep as one carried in a string. For an envelope whose "content" holds a whole event, to spare that
 * text a pass of the lexer before the one that decodes it.
 */
int json_envelope(const char *doc, size_t len, struct json_field *f,
    size_t nf, size_t lazy);

/*
 * json_envelope_decode: json_envelope, delimiting that string by
 * decoding it: *dlen is what json_unescape_compact(dst, cap, literal)
 * returns for it (the event decoded and compacted into dst, or its
 * JSON_ERR_*), without a separate pass to find its end first; when the
 * decoding fails before the end, the end is found as json_envelope does.
 * *dlen is JSON_ERR_EMPTY when no such string was decoded. Whatever
 * json_envelope_decode returns, dst[0..cap) may have been written; it
 * must lie apart from doc.
 */
int json_envelope_decode(const char *doc, size_t len, struct json_field *f,
    size_t nf, size_t lazy, char *dst, size_t cap, long *dlen);

/*
 * json_unescape: decode the string literal src[0..len) (quotes
 * included) to UTF-8 in dst[0..cap). dst may equal src: decoding never
 * writes ahead of reading. Returns the decoded length (the text may
 * hold NUL bytes, from \u0000) or a JSON_ERR_*: JSON_ERR_SPACE when cap
 * is too small, JSON_ERR_SYNTAX when src is not quoted or holds a bare
 * quote, and the lexer's errors for escapes, controls and UTF-8. Bytes
 * of dst past the decoded length (below cap) may change.
 */
long json_unescape(char *dst, size_t cap, const char *src, size_t len);

/*
 * json_compact: validate src strictly and write it to dst[0..cap)
 * without the whitespace outside strings, every other byte unchanged.
 * dst may equal src. Returns the output length or a JSON_ERR_*.
 */
long json_compact(char *dst, size_t cap, const char *src, size_t len);

/*
 * json_unescape_compact: json_compact of the text the string literal
 * src[0..len) decodes to (an event inside an envelope's "content"), in
 * one pass, without the decoded text ever being stored. dst may equal
 * src or lie apart from it; bytes of dst past the output length (below
 * cap) may change. Returns the output length, or a JSON_ERR_*: of the
 * decoded document as json_compact would give it when the literal is
 * valid, else some error of the literal's.
 */
long json_unescape_compact(char *dst, size_t cap, const char *src,
    size_t len);

/*
 * json_streq: does the string literal src[0..len) decode (as
 * json_unescape would, successfully) to the NUL-terminated s? 1 or 0.
 */
int json_streq(const char *src, size_t len, const char *s);

/* json_strerror: a short text for a JSON_ERR_* (static storage). */
const char *json_strerror(int err);

#endif
