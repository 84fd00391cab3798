/*
 * envfile.c - KEY=VALUE env files, read in pieces (format in envfile.h).
 *
 * Bytes are gathered into e->line until a LF; the complete line is then
 * parsed in place (unescaping only ever shortens it) and handed to the
 * callback. Nothing is expanded, ever: a value is the bytes of the file.
 */
#include <string.h>

#include "envfile.h"

enum envfile_state {
	ES_READING = 0,     /* gathering a line */
	ES_FAILED           /* e->err says why */
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_key_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
is_key_char(char c)
{
	return is_key_start(c) || (c >= '0' && c <= '9');
}

static char *
skip_blanks(char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

void
envfile_init(struct envfile *e, envfile_cb cb, void *arg)
{
	e->cb = cb;
	e->arg = arg;
	e->lineno = 1;
	e->len = 0;
	e->state = ES_READING;
	e->err = ENVFILE_OK;
	e->line[0] = '\0';
}

/*
 * A quoted value starting at the opening quote q: unquote it in place and
 * NUL-terminate it. Returns the byte after the closing quote, or NULL
 * when there is none on the line.
 */
static char *
unquote(char *q)
{
	char *r = q + 1, *w = q + 1;

	if (*q == '\'') {
		/* single quotes: the bytes as they are */
		if ((r = strchr(r, '\'')) == NULL)
			return NULL;
		*r = '\0';
		return r + 1;
	}
	/* double quotes: \" and \\ are escapes, nothing else is */
	for (;;) {
		if (*r == '\0')
			return NULL;
		if (*r == '"')
			break;
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r++;
	}
	*w = '\0';
	return r + 1;
}

/* Parse the complete line e->line[0..len) and call back. */
static int
parse_line(struct envfile *e)
{
	char *p = e->line, *key, *keyend, *value, *end;

	/* CRLF files: the CR belongs to the line end */
	if (e->len > 0 && e->line[e->len - 1] == '\r')
		e->len--;
	e->line[e->len] = '\0';
	/* a UTF-8 byte order mark, as some editors write */
	if (e->lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	p = skip_blanks(p);
	if (*p == '\0' || *p == '#')
		return ENVFILE_OK;
	if (strncmp(p, "export", 6) == 0 && is_blank(p[6]))
		p = skip_blanks(p + 6);

	key = p;
	if (!is_key_start(*p))
		goto bad_key;
	while (is_key_char(*p))
		p++;
	keyend = p;
	p = skip_blanks(p);
	if (*p != '=')
		goto bad_key;
	p = skip_blanks(p + 1);
	*keyend = '\0';

	if (*p == '\'' || *p == '"') {
		value = p + 1;
		if ((p = unquote(p)) == NULL)
			return ENVFILE_ERR_QUOTE;
		p = skip_blanks(p);
		if (*p != '\0' && *p != '#')
			return ENVFILE_ERR_TRAILING;
	} else {
		/* unquoted: a '#' after a blank starts a comment (p[-1] is
		   the '=' or a blank) */
		value = p;
		for (end = p; *end != '\0'; end++)
			if (*end == '#' && is_blank(end[-1]))
				break;
		while (end > value && is_blank(end[-1]))
			end--;
		*end = '\0';
	}
	if (e->cb(e->arg, key, value) != 0)
		return ENVFILE_ERR_CALLBACK;
	return ENVFILE_OK;

bad_key:
	return strchr(key, '=') != NULL ? ENVFILE_ERR_KEY :
	    ENVFILE_ERR_NO_EQUALS;
}

static int
fail(struct envfile *e, int err)
{
	e->state = ES_FAILED;
	e->err = err;
	return err;
}

int
envfile_feed(struct envfile *e, const char *buf, size_t len)
{
	size_t i;
	int rc;

	if (e->state == ES_FAILED)
		return e->err;
	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			if ((rc = parse_line(e)) != ENVFILE_OK)
				return fail(e, rc);
			e->lineno++;
			e->len = 0;
		} else if (c == '\0') {
			return fail(e, ENVFILE_ERR_NUL);
		} else if (e->len == ENVFILE_MAX_LINE - 1) {
			return fail(e, ENVFILE_ERR_TOO_LONG);
		} else {
			e->line[e->len++] = c;
		}
	}
	return ENVFILE_OK;
}

int
envfile_end(struct envfile *e)
{
	int rc;

	if (e->state == ES_FAILED)
		return e->err;
	if (e->len > 0 && (rc = parse_line(e)) != ENVFILE_OK)
		return fail(e, rc);
	e->len = 0;
	return ENVFILE_OK;
}

const char *
envfile_strerror(int err)
{
	switch (err) {
	case ENVFILE_OK:
		return "no error";
	case ENVFILE_ERR_NO_EQUALS:
		return "not a KEY=VALUE line";
	case ENVFILE_ERR_KEY:
		return "bad key (letters, digits and '_', not starting with "
		    "a digit)";
	case ENVFILE_ERR_QUOTE:
		return "quote not closed on its line";
	case ENVFILE_ERR_TRAILING:
		return "text after the closing quote";
	case ENVFILE_ERR_NUL:
		return "NUL byte in the file";
	case ENVFILE_ERR_TOO_LONG:
		return "line too long";
	case ENVFILE_ERR_CALLBACK:
		return "stopped by the caller (too many keys or out of memory)";
	default:
		return "unknown env file error";
	}
}
