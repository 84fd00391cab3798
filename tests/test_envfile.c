/*
 * test_envfile.c - the env file reader: every form of line, every
 * error with its line number, and every way of cutting the file into
 * pieces giving the same calls.
 */
#include <stdio.h>

#include "t.h"
#include "../envfile.h"

/* What the callback saw: "LINE:KEY=VALUE\n" for each call. */
struct record {
	struct envfile *e;
	char   text[40000];
	size_t len;
	int    stop_at;         /* return nonzero on this call (1-based) */
	int    calls;
};

static int
record_cb(void *arg, const char *key, const char *value)
{
	struct record *r = arg;

	r->calls++;
	r->len += (size_t)snprintf(r->text + r->len, sizeof(r->text) - r->len,
	    "%lu:%s=%s\n", r->e->lineno, key, value);
	return r->calls == r->stop_at;
}

static struct envfile ef;
static struct record whole, split;

/* Feed f[0..n) cut at cuts[0..ncuts), then end; returns the result. */
static int
run(struct record *r, const char *f, size_t n, const size_t *cuts,
    size_t ncuts, int stop_at)
{
	size_t at = 0, i;
	int rc = ENVFILE_OK;

	memset(r, 0, sizeof(*r));
	r->e = &ef;
	r->stop_at = stop_at;
	envfile_init(&ef, record_cb, r);
	for (i = 0; i <= ncuts && rc == ENVFILE_OK; i++) {
		size_t end = i < ncuts ? cuts[i] : n;

		rc = envfile_feed(&ef, f + at, end - at);
		at = end;
	}
	if (rc == ENVFILE_OK)
		rc = envfile_end(&ef);
	return rc;
}

/*
 * Parse f[0..n) whole, split at every point, and byte by byte; all must
 * give want_rc at want_line with the calls in want. Returns 1 when so.
 */
static int
parse_every_way(const char *f, size_t n, int stop_at, int want_rc,
    unsigned long want_line, const char *want)
{
	static size_t cuts[ENVFILE_MAX_LINE * 3];
	size_t i;
	int rc, ok = 1;

	rc = run(&whole, f, n, NULL, 0, stop_at);
	if (rc != want_rc || (rc != ENVFILE_OK && ef.lineno != want_line) ||
	    strcmp(whole.text, want) != 0) {
		printf("  whole: rc %d line %lu calls:\n%s", rc, ef.lineno,
		    whole.text);
		return 0;
	}
	for (i = 0; i <= n && ok; i++) {
		cuts[0] = i;
		rc = run(&split, f, n, cuts, 1, stop_at);
		ok = rc == want_rc && (rc == ENVFILE_OK || ef.lineno == want_line)
		    && strcmp(split.text, want) == 0;
		if (!ok)
			printf("  split at %zu: rc %d\n", i, rc);
	}
	if (n > sizeof(cuts) / sizeof(cuts[0]))
		return 0;
	for (i = 0; i < n; i++)
		cuts[i] = i + 1;
	rc = run(&split, f, n, cuts, n, stop_at);
	if (rc != want_rc || (rc != ENVFILE_OK && ef.lineno != want_line) ||
	    strcmp(split.text, want) != 0) {
		printf("  byte by byte: rc %d\n", rc);
		ok = 0;
	}
	return ok;
}

#define OK(f, want) CHECK(parse_every_way(f, strlen(f), 0, ENVFILE_OK, 0, want))
#define ERR(f, rc, line, want) \
	CHECK(parse_every_way(f, strlen(f), 0, rc, line, want))

static void
plain_lines(void)
{
	OK("", "");
	OK("A=1\n", "1:A=1\n");
	OK("A=1\nb_2=two\n_=x\n", "1:A=1\n2:b_2=two\n3:_=x\n");
	OK("A=\n", "1:A=\n");
	OK("URL=wss://ws.zoom.us/ws?subscriptionId=a&x=1==\n",
	    "1:URL=wss://ws.zoom.us/ws?subscriptionId=a&x=1==\n");
	/* a key may come twice: both are reported, in order */
	OK("A=1\nA=2\n", "1:A=1\n2:A=2\n");
}

static void
comments_and_blanks(void)
{
	OK("# a comment\n\n   \n\t# indented = comment\nA=1\n#B=2\n",
	    "5:A=1\n");
	OK("#\n#'unterminated\nA=1", "3:A=1\n");
}

static void
export_prefix(void)
{
	OK("export A=1\nexport\tB=2\nexport   C=3\n",
	    "1:A=1\n2:B=2\n3:C=3\n");
	/* "export" as (part of) a key */
	OK("exportC=3\nexport=4\nexport_x=5\n",
	    "1:exportC=3\n2:export=4\n3:export_x=5\n");
	ERR("export\n", ENVFILE_ERR_NO_EQUALS, 1, "");
	ERR("export FOO\n", ENVFILE_ERR_NO_EQUALS, 1, "");
	ERR("export =1\n", ENVFILE_ERR_KEY, 1, "");
	ERR("export export A=1\n", ENVFILE_ERR_KEY, 1, "");
}

static void
whitespace(void)
{
	OK("  A  =  hello world  \n", "1:A=hello world\n");
	OK("\tA\t=\tx\ty\t\n", "1:A=x\ty\n");
	OK("A=   \n", "1:A=\n");
}

static void
quotes(void)
{
	OK("A='x y # z'\n", "1:A=x y # z\n");
	OK("A=\"x y # z\"\n", "1:A=x y # z\n");
	OK("A=''\nB=\"\"\n", "1:A=\n2:B=\n");
	OK("A='  padded  '\n", "1:A=  padded  \n");
	/* double quotes: \" and \\ only */
	OK("A=\"a\\\"b\\\\c\"\n", "1:A=a\"b\\c\n");
	OK("A=\"a\\nb\\tc\\$d\"\n", "1:A=a\\nb\\tc\\$d\n");
	OK("A=\"ends in backslash\\\\\"\n", "1:A=ends in backslash\\\n");
	OK("A=\"it's\"\nB='say \"hi\"'\n", "1:A=it's\n2:B=say \"hi\"\n");
	/* single quotes: nothing is an escape */
	OK("A='a\\'\n", "1:A=a\\\n");
	OK("A='a\\\"b'\n", "1:A=a\\\"b\n");
	/* after the closing quote: blanks and a comment */
	OK("A='x'   \nB=\"y\"\t# c\nC='z'#c\n", "1:A=x\n2:B=y\n3:C=z\n");
	/* a secret with every special character */
	OK("S='p@ss w0rd!#$%^&*()=\"\\`'\n", "1:S=p@ss w0rd!#$%^&*()=\"\\`\n");
}

static void
unquoted_values(void)
{
	OK("A=foo # comment\nB=foo#bar\nC= # only a comment\nD=#x\n"
	    "E=a\t#tab comment\n",
	    "1:A=foo\n2:B=foo#bar\n3:C=\n4:D=#x\n5:E=a\n");
	ERR("A=a\"b'c\nB=x'\nC=\"\"x\n", ENVFILE_ERR_TRAILING, 3,
	    "1:A=a\"b'c\n2:B=x'\n");
	/* nothing is ever expanded */
	OK("A=$HOME\nB=${HOME}\nC=\"$HOME\"\nD=`id`\nE=$(id)\n",
	    "1:A=$HOME\n2:B=${HOME}\n3:C=$HOME\n4:D=`id`\n5:E=$(id)\n");
	OK("A=\xc3\xa4\xe2\x82\xac\n", "1:A=\xc3\xa4\xe2\x82\xac\n");
}

static void
line_ends(void)
{
	OK("A=1\r\nB='2'\r\nC=\"3\" # c\r\n\r\n# x\r\n",
	    "1:A=1\n2:B=2\n3:C=3\n");
	/* a last line without a newline, with and without CR */
	OK("A=1\nB=2", "1:A=1\n2:B=2\n");
	OK("A=1\r\nB=2\r", "1:A=1\n2:B=2\n");
	OK("A=1\n\r", "1:A=1\n");
	/* only the CR before the LF goes: one inside a value stays */
	OK("A=x\ry\n", "1:A=x\ry\n");
	OK("A='x\r'\r\n", "1:A=x\r\n");
}

static void
byte_order_mark(void)
{
	OK("\xef\xbb\xbf" "A=1\nB=2\n", "1:A=1\n2:B=2\n");
	OK("\xef\xbb\xbf", "");
	OK("\xef\xbb\xbf# comment\nA=1\n", "2:A=1\n");
	/* only at the very start */
	ERR("A=1\n\xef\xbb\xbf" "B=2\n", ENVFILE_ERR_KEY, 2, "1:A=1\n");
	ERR("\xef\xbb" "A=1\n", ENVFILE_ERR_KEY, 1, "");
}

static void
zoom_env_file(void)
{
	static const char f[] =
	    "# zoomws credentials\n"
	    "export ZOOM_ACCOUNT_ID=AbCdEfGh_12\n"
	    "ZOOM_CLIENT_ID=\"xYz123AbC\"\n"
	    "ZOOM_CLIENT_SECRET='s3cr3t$with#hash'\n"
	    "ZOOM_SUBSCRIPTION_ID=  sub-42   # from the Marketplace\n"
	    "ZOOM_WS_URL=wss://ws.zoom.us/ws?subscriptionId=sub-42\n"
	    "HTTPS_PROXY=http://user:p%40ss@proxy:3128\n";

	OK(f, "2:ZOOM_ACCOUNT_ID=AbCdEfGh_12\n"
	    "3:ZOOM_CLIENT_ID=xYz123AbC\n"
	    "4:ZOOM_CLIENT_SECRET=s3cr3t$with#hash\n"
	    "5:ZOOM_SUBSCRIPTION_ID=sub-42\n"
	    "6:ZOOM_WS_URL=wss://ws.zoom.us/ws?subscriptionId=sub-42\n"
	    "7:HTTPS_PROXY=http://user:p%40ss@proxy:3128\n");
}

static void
errors_name_their_line(void)
{
	ERR("A=1\nnoequals\n", ENVFILE_ERR_NO_EQUALS, 2, "1:A=1\n");
	ERR("A=1\n\n# c\nJUST_A_KEY", ENVFILE_ERR_NO_EQUALS, 4, "1:A=1\n");
	ERR("A=1\n\n1A=2\n", ENVFILE_ERR_KEY, 3, "1:A=1\n");
	ERR("A-B=1\n", ENVFILE_ERR_KEY, 1, "");
	ERR("=1\n", ENVFILE_ERR_KEY, 1, "");
	ERR("A B=1\n", ENVFILE_ERR_KEY, 1, "");
	ERR("A.B=1\n", ENVFILE_ERR_KEY, 1, "");
	ERR("\xc3\x84=1\n", ENVFILE_ERR_KEY, 1, "");
	ERR("$A=1\n", ENVFILE_ERR_KEY, 1, "");
	ERR("A=1\nB='abc\nC=3\n", ENVFILE_ERR_QUOTE, 2, "1:A=1\n");
	ERR("A=\"abc\\\"\n", ENVFILE_ERR_QUOTE, 1, "");
	ERR("A=\"multi\nline\"\n", ENVFILE_ERR_QUOTE, 1, "");
	ERR("A=1\nB='x", ENVFILE_ERR_QUOTE, 2, "1:A=1\n");
	ERR("A='x'y\n", ENVFILE_ERR_TRAILING, 1, "");
	ERR("A=\"x\" y\n", ENVFILE_ERR_TRAILING, 1, "");
	ERR("A='x''y'\n", ENVFILE_ERR_TRAILING, 1, "");
}

static void
nul_byte(void)
{
	static const char f[] = "A=1\nB=x\0y\nC=3\n";
	static const char g[] = "A=1\n# comment \0\n";

	CHECK(parse_every_way(f, sizeof(f) - 1, 0, ENVFILE_ERR_NUL, 2,
	    "1:A=1\n"));
	CHECK(parse_every_way(g, sizeof(g) - 1, 0, ENVFILE_ERR_NUL, 2,
	    "1:A=1\n"));
	CHECK(parse_every_way("\0", 1, 0, ENVFILE_ERR_NUL, 1, ""));
}

static void
long_lines(void)
{
	static char f[ENVFILE_MAX_LINE * 2 + 64];
	static char want[ENVFILE_MAX_LINE * 2];
	size_t n;

	/* ENVFILE_MAX_LINE - 1 bytes before the LF fit */
	memcpy(f, "A=", 2);
	memset(f + 2, 'v', ENVFILE_MAX_LINE - 3);
	n = ENVFILE_MAX_LINE - 1;
	memcpy(f + n, "\nB=2\n", 5);
	n += 5;
	snprintf(want, sizeof(want), "1:%.*s\n2:B=2\n", ENVFILE_MAX_LINE - 1, f);
	CHECK(parse_every_way(f, n, 0, ENVFILE_OK, 0, want));
	/* and at the end of the file, without LF */
	snprintf(want, sizeof(want), "1:%.*s\n", ENVFILE_MAX_LINE - 1, f);
	CHECK(parse_every_way(f, ENVFILE_MAX_LINE - 1, 0, ENVFILE_OK, 0, want));
	/* one more is too long, on its line */
	memcpy(f, "B=2\nA=", 6);
	memset(f + 6, 'v', ENVFILE_MAX_LINE - 2);
	n = 4 + ENVFILE_MAX_LINE;
	memcpy(f + n, "\n", 1);
	n += 1;
	CHECK(parse_every_way(f, n, 0, ENVFILE_ERR_TOO_LONG, 2, "1:B=2\n"));
	/* with CRLF, the CR counts */
	memset(f + 6, 'v', ENVFILE_MAX_LINE - 4);
	memcpy(f + 4 + ENVFILE_MAX_LINE - 2, "\r\n", 2);
	n = 4 + ENVFILE_MAX_LINE;
	snprintf(want, sizeof(want), "1:B=2\n2:%.*s\n", ENVFILE_MAX_LINE - 2,
	    f + 4);
	CHECK(parse_every_way(f, n, 0, ENVFILE_OK, 0, want));
	memcpy(f + 4 + ENVFILE_MAX_LINE - 1, "\r\n", 2);
	n = 4 + ENVFILE_MAX_LINE + 1;
	CHECK(parse_every_way(f, n, 0, ENVFILE_ERR_TOO_LONG, 2, "1:B=2\n"));
	/* comment lines are held to it as well */
	f[0] = '#';
	memset(f + 1, 'c', ENVFILE_MAX_LINE);
	f[ENVFILE_MAX_LINE + 1] = '\n';
	CHECK(parse_every_way(f, ENVFILE_MAX_LINE + 2, 0, ENVFILE_ERR_TOO_LONG,
	    1, ""));
}

static void
callback_stops(void)
{
	struct record r;
	int rc;

	CHECK(parse_every_way("A=1\nB=2\nC=3\n", 12, 2, ENVFILE_ERR_CALLBACK, 2,
	    "1:A=1\n2:B=2\n"));
	/* the error sticks; nothing more is called */
	memset(&r, 0, sizeof(r));
	r.e = &ef;
	r.stop_at = 1;
	envfile_init(&ef, record_cb, &r);
	rc = envfile_feed(&ef, "A=1\nB=2\n", 8);
	CHECK(rc == ENVFILE_ERR_CALLBACK);
	CHECK(envfile_feed(&ef, "C=3\n", 4) == ENVFILE_ERR_CALLBACK);
	CHECK(envfile_end(&ef) == ENVFILE_ERR_CALLBACK);
	CHECK(r.calls == 1);
	CHECK(ef.lineno == 1);
	/* end twice: the last line is reported once */
	memset(&r, 0, sizeof(r));
	r.e = &ef;
	envfile_init(&ef, record_cb, &r);
	CHECK(envfile_feed(&ef, "A=1", 3) == ENVFILE_OK);
	CHECK(r.calls == 0);
	CHECK(envfile_end(&ef) == ENVFILE_OK);
	CHECK(envfile_end(&ef) == ENVFILE_OK);
	CHECK(r.calls == 1);
}

static void
strerror_names_every_code(void)
{
	int e;

	for (e = ENVFILE_ERR_CALLBACK; e <= ENVFILE_OK; e++)
		CHECK(strcmp(envfile_strerror(e), envfile_strerror(-100)) != 0);
}

int
main(void)
{
	t_suite = "envfile";
	RUN(plain_lines);
	RUN(comments_and_blanks);
	RUN(export_prefix);
	RUN(whitespace);
	RUN(quotes);
	RUN(unquoted_values);
	RUN(line_ends);
	RUN(byte_order_mark);
	RUN(zoom_env_file);
	RUN(errors_name_their_line);
	RUN(nul_byte);
	RUN(long_lines);
	RUN(callback_stops);
	RUN(strerror_names_every_code);
	return t_done();
}
