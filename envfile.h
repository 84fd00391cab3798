/*
 * envfile.h - the env file of zoomws (KEY=VALUE lines), read in pieces.
 *
 * The format, line by line (LF or CRLF line ends):
 *   - blank lines and lines whose first non-blank character is '#' are
 *     skipped;
 *   - otherwise: [export SP] KEY [blanks] "=" [blanks] VALUE, blanks being
 *     spaces and tabs, KEY matching [A-Za-z_][A-Za-z0-9_]*;
 *   - VALUE is either
 *       'single-quoted', taken as it is;
 *       "double-quoted", where \" is " and \\ is \ (any other backslash
 *       stays as it is);
 *       or unquoted: up to the end of the line or to a '#' that follows
 *       a blank (a comment), blanks trimmed at both ends;
 *     after a closing quote only blanks and a comment may follow;
 *   - nothing is ever expanded: "$VAR" is those four characters.
 * A UTF-8 byte order mark at the very start is skipped. Errors: a line
 * without '=', a bad key, an unterminated quote, text after a closing
 * quote, a NUL byte, a line of ENVFILE_MAX_LINE bytes or more (its LF
 * not counted).
 *
 * No I/O, no allocation: the line buffer is inside struct envfile.
 */
#ifndef ENVFILE_H
#define ENVFILE_H

#include <stddef.h>

#define ENVFILE_MAX_LINE 8192   /* a line's bytes before its LF, + 1 */

enum {
	ENVFILE_OK = 0,
	ENVFILE_ERR_NO_EQUALS = -1, /* a line that is not KEY=VALUE */
	ENVFILE_ERR_KEY = -2,       /* KEY not [A-Za-z_][A-Za-z0-9_]* */
	ENVFILE_ERR_QUOTE = -3,     /* a quote not closed on its line */
	ENVFILE_ERR_TRAILING = -4,  /* text after the closing quote */
	ENVFILE_ERR_NUL = -5,       /* a NUL byte */
	ENVFILE_ERR_TOO_LONG = -6,  /* a line of ENVFILE_MAX_LINE or more */
	ENVFILE_ERR_CALLBACK = -7   /* the callback asked to stop */
};

/*
 * Called once per KEY=VALUE line, in file order (a key may come twice):
 * key and value are NUL-terminated and valid only during the call.
 * Nonzero stops the parse with ENVFILE_ERR_CALLBACK.
 */
typedef int (*envfile_cb)(void *arg, const char *key, const char *value);

struct envfile {
	envfile_cb    cb;
	void         *arg;
	unsigned long lineno;       /* the line being read; of an error */
	size_t        len;          /* bytes in line */
	int           state;        /* enum envfile_state in envfile.c */
	int           err;          /* the error, once failed */
	char          line[ENVFILE_MAX_LINE];
};

/* envfile_init: prepare e to read a file from its start, calling cb with
   arg for each variable. */
void envfile_init(struct envfile *e, envfile_cb cb, void *arg);

/*
 * envfile_feed: read the next buf[0..len) bytes of the file; any split
 * gives the same calls. Each complete line is parsed at once and cb
 * called. Returns ENVFILE_OK or an ENVFILE_ERR_*, with e->lineno the
 * line at fault; once failed, e keeps returning that error.
 */
int envfile_feed(struct envfile *e, const char *buf, size_t len);

/*
 * envfile_end: the file is over: parse a last line without a newline,
 * if there is one. Returns ENVFILE_OK or an ENVFILE_ERR_* as envfile_feed
 * does; calling it again does nothing more.
 */
int envfile_end(struct envfile *e);

/* envfile_strerror: a short English description of an ENVFILE_ERR_*. */
const char *envfile_strerror(int err);

#endif
