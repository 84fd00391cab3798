/*
 * test_token.c - the token endpoint's side (token.c) without a network:
 * token_request's exact bytes (Basic authorization of id:secret, the
 * grant in a form body, the Host header), and token_parse, the status
 * policy and the reading of the answer: the token, its lifetime and
 * scopes, the refetch margin, Retry-After.
 */
#include <stdint.h>
#include <stdlib.h>

#include "t.h"
#include "../b64.h"
#include "../config.h"
#include "../log.h"
#include "../token.h"
#include "../url.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif

#define HEAD_END \
	"Content-Type: application/x-www-form-urlencoded\r\n" \
	"Accept: application/json\r\n" \
	"User-Agent: zoomws/" ZOOMWS_VERSION "\r\n" \
	"Connection: close\r\n"

static struct config c;
static struct token t;
static char req[8192], detail[512];

/* c with these credentials and token endpoint. */
static void
setup(const char *id, const char *secret, const char *account,
    const char *oauth)
{
	memset(&c, 0, sizeof(c));
	snprintf(c.client_id, sizeof(c.client_id), "%s", id);
	snprintf(c.secret, sizeof(c.secret), "%s", secret);
	snprintf(c.account_id, sizeof(c.account_id), "%s", account);
	snprintf(c.oauth_url, sizeof(c.oauth_url), "%s", oauth);
	CHECK(url_parse(&c.oauth, oauth) == URL_OK);
}

/* The request, byte for byte: the grant in the body, never in the
   query; the Host header without the default port. */
static void
request_bytes(void)
{
	static const struct {
		const char *id, *secret, *account, *oauth, *want;
	} cases[] = {
		{ "AbCdEf", "s3cr3t", "acct", "https://zoom.us/oauth/token",
		  "POST /oauth/token HTTP/1.1\r\n"
		  "Host: zoom.us\r\n"
		  "Authorization: Basic QWJDZEVmOnMzY3IzdA==\r\n" HEAD_END
		  "Content-Length: 46\r\n\r\n"
		  "grant_type=account_credentials&account_id=acct" },
		{ "AbCdEf", "s3cr3t", "Acct-1_x.y~z/+= &",
		  "https://zoom.us:443/oauth/token",
		  "POST /oauth/token HTTP/1.1\r\n"
		  "Host: zoom.us\r\n"
		  "Authorization: Basic QWJDZEVmOnMzY3IzdA==\r\n" HEAD_END
		  "Content-Length: 69\r\n\r\n"
		  "grant_type=account_credentials&account_id="
		  "Acct-1_x.y~z%2F%2B%3D%20%26" },
		{ "client", "secret", "", "https://zoomgov.com/oauth/token",
		  "POST /oauth/token HTTP/1.1\r\n"
		  "Host: zoomgov.com\r\n"
		  "Authorization: Basic Y2xpZW50OnNlY3JldA==\r\n" HEAD_END
		  "Content-Length: 29\r\n\r\n"
		  "grant_type=client_credentials" },
		{ "id", "p:a=s+s/w\xc3\xa9", "", "https://127.0.0.1:8443/t?x=1",
		  "POST /t?x=1 HTTP/1.1\r\n"
		  "Host: 127.0.0.1:8443\r\n"
		  "Authorization: Basic aWQ6cDphPXMrcy93w6k=\r\n" HEAD_END
		  "Content-Length: 29\r\n\r\n"
		  "grant_type=client_credentials" },
		{ "client", "secret", "", "https://[::1]:8443/oauth/token",
		  "POST /oauth/token HTTP/1.1\r\n"
		  "Host: [::1]:8443\r\n"
		  "Authorization: Basic Y2xpZW50OnNlY3JldA==\r\n" HEAD_END
		  "Content-Length: 29\r\n\r\n"
		  "grant_type=client_credentials" },
	};
	size_t i, n, cap;
	char *buf;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(cases[i].id, cases[i].secret, cases[i].account,
		    cases[i].oauth);
		n = strlen(cases[i].want);
		CHECK(token_request(req, sizeof(req), &c) == n);
		CHECK_STR(req, cases[i].want);
		/* exactly its length and a NUL, else nothing */
		for (cap = n - 2; cap <= n + 1; cap++) {
			buf = malloc(cap);
			CHECK(token_request(buf, cap, &c) == (cap == n + 1 ? n : 0));
			free(buf);
		}
		if (t_case_failed) {
			printf("  case %zu:\n%s\n", i, req);
			return;
		}
	}
}

/* The longest credentials the configuration holds still make a whole
   request, whose Authorization decodes back to id:secret. */
static void
request_longest(void)
{
	static char id[256], secret[CONFIG_MAX_SECRET], account[256];
	static char creds[sizeof(id) + sizeof(secret)], dec[sizeof(creds)];
	const char *a, *e;
	size_t n, dl;

	memset(id, 'i', sizeof(id) - 1);
	memset(secret, 's', sizeof(secret) - 1);
	memset(account, '/', sizeof(account) - 1);
	setup(id, secret, account, "https://zoom.us/oauth/token");
	CHECK(strlen(c.secret) == CONFIG_MAX_SECRET - 1);
	CHECK((n = token_request(req, sizeof(req), &c)) > 0);
	CHECK(strlen(req) == n);
	CHECK((a = strstr(req, "Authorization: Basic ")) != NULL);
	if (a == NULL)
		return;
	a += 21;
	CHECK((e = strstr(a, "\r\n")) != NULL);
	CHECK(b64_decode(dec, sizeof(dec), &dl, a, (size_t)(e - a)) == 0);
	snprintf(creds, sizeof(creds), "%s:%s", id, secret);
	CHECK(dl == strlen(creds) && memcmp(dec, creds, dl) == 0);
	/* the account id, every byte percent-encoded, ends the body */
	CHECK(n > 765 && memcmp(req + n - 765, "%2F%2F%2F", 9) == 0);
	CHECK(memcmp(req + n - 765 - 11, "account_id=", 11) == 0);
}

/* A 200 answer: the token decoded, its lifetime and scopes; fetched
   again a tenth of its lifetime, at most a minute, before it ends. */
static void
parse_ok(void)
{
	static const char body[] = "{\"access_token\":\"eyJhbGciOiJIUzUxMiJ9."
	    "eyJ2ZXIiOjl9.x-y_z\",\"token_type\":\"bearer\",\"expires_in\":3599,"
	    "\"scope\":\"marketplace:read:list_event_subscriptions user:read\","
	    "\"api_url\":\"https://api.zoom.us\"}";
	const char *body2;
	int64_t ra = -1;

	memset(&t, 0, sizeof(t));
	CHECK(token_parse(200, body, strlen(body), "120", 3, 1000000, &t, &ra,
	    detail, sizeof(detail)) == TOKEN_OK);
	CHECK_STR(t.value, "eyJhbGciOiJIUzUxMiJ9.eyJ2ZXIiOjl9.x-y_z");
	CHECK(t.len == strlen(t.value));
	CHECK(t.lifetime == 3599);
	CHECK(t.expires == 1000000 + 3599000 - 60000);
	CHECK(t.fresh == 1);
	CHECK_STR(t.scopes, "marketplace:read:list_event_subscriptions "
	    "user:read");
	CHECK(ra == 0);
	CHECK_STR(detail, "");

	/* escapes in the token; no scope */
	body2 = "{\"expires_in\":60,\"access_token\":\"a\\/b\\u0041\\\"c\"}";
	CHECK(token_parse(200, body2, strlen(body2), NULL, 0, 0, &t, &ra,
	    detail, sizeof(detail)) == TOKEN_OK);
	CHECK_STR(t.value, "a/bA\"c");
	CHECK(t.len == 6);
	CHECK_STR(t.scopes, "");
	CHECK_STR(detail, "");
}

/* The refetch margin: a tenth of the lifetime, at most a minute; a
   missing or unusable expires_in is taken as 3599 s, with a detail. */
static void
parse_lifetime(void)
{
	static const struct {
		const char *expires;        /* NULL: none */
		long long   life;
		int64_t     at;             /* expires at, from 0 */
		int         said;
	} cases[] = {
		{ "3599", 3599, 3599000 - 60000, 0 },
		{ "1", 1, 900, 0 },
		{ "10", 10, 9000, 0 },
		{ "599", 599, 599000 - 59900, 0 },
		{ "600", 600, 540000, 0 },
		{ "601", 601, 601000 - 60000, 0 },
		{ "86400", 86400, 86400000 - 60000, 0 },
		{ "999999999999999", 999999999999999LL,
		  999999999999999000LL - 60000, 0 },
		{ NULL, 3599, 3599000 - 60000, 1 },
		{ "0", 3599, 3599000 - 60000, 1 },
		{ "-5", 3599, 3599000 - 60000, 1 },
		{ "1.5", 3599, 3599000 - 60000, 1 },
		{ "1e3", 3599, 3599000 - 60000, 1 },
		{ "\"3600\"", 3599, 3599000 - 60000, 1 },
		{ "null", 3599, 3599000 - 60000, 1 },
		{ "1000000000000000", 3599, 3599000 - 60000, 1 },
	};
	char body[256];
	int64_t ra;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].expires != NULL)
			snprintf(body, sizeof(body), "{\"access_token\":\"tok\","
			    "\"expires_in\":%s}", cases[i].expires);
		else
			snprintf(body, sizeof(body), "{\"access_token\":\"tok\"}");
		memset(&t, 0, sizeof(t));
		CHECK(token_parse(200, body, strlen(body), NULL, 0, 0, &t, &ra,
		    detail, sizeof(detail)) == TOKEN_OK);
		CHECK(t.lifetime == cases[i].life);
		CHECK(t.expires == cases[i].at);
		CHECK((strstr(detail, "assuming 3599 s") != NULL) ==
		    cases[i].said);
		if (t_case_failed) {
			printf("  case %zu: %lld, %lld, \"%s\"\n", i, t.lifetime,
			    (long long)t.expires, detail);
			return;
		}
	}
}

/* A 200 answer without a usable token: try again later, the reason in
   detail; a token that cannot be used is wiped. */
static void
parse_no_token(void)
{
	static const struct {
		const char *body, *says;
	} cases[] = {
		{ "{\"expires_in\":3599}", "no access_token" },
		{ "{\"access_token\":42}", "no access_token" },
		{ "{\"access_token\":null}", "no access_token" },
		{ "{\"access_token\":[\"tok\"]}", "no access_token" },
		{ "{\"x\":{\"access_token\":\"tok\"}}", "no access_token" },
		{ "[\"access_token\"]", "no access_token" },
		{ "{\"access_token\":\"\"}", "unusable access_token" },
		{ "{\"access_token\":\"a\\u0000b\"}", "unusable access_token" },
		{ "{\"access_token\":\"tok\"", "token endpoint: " },
		{ "<html>Bad Gateway</html>", "token endpoint: " },
		{ "", "token endpoint: " },
		{ "{\"access_token\":\"\xff\"}", "token endpoint: " },
	};
	int64_t ra;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&t, 0, sizeof(t));
		strcpy(t.value, "old");
		t.len = 3;
		CHECK(token_parse(200, cases[i].body, strlen(cases[i].body), NULL,
		    0, 0, &t, &ra, detail, sizeof(detail)) == TOKEN_RETRY);
		CHECK(strstr(detail, cases[i].says) != NULL);
		CHECK(t.fresh == 0);
		/* wiped, or left as it was: never half a token */
		CHECK((t.len == 0 && t.value[0] == '\0') ||
		    (t.len == 3 && strcmp(t.value, "old") == 0));
		if (t_case_failed) {
			printf("  case %zu: \"%s\"\n", i, detail);
			return;
		}
	}
}

/* The longest token that fits, and one byte more. */
static void
parse_long_token(void)
{
	static char body[TOKEN_MAX + 64];
	int64_t ra;
	size_t n;

	for (n = TOKEN_MAX - 1; n <= TOKEN_MAX; n++) {
		strcpy(body, "{\"access_token\":\"");
		memset(body + 17, 'x', n);
		strcpy(body + 17 + n, "\"}");
		memset(&t, 0, sizeof(t));
		CHECK(token_parse(200, body, strlen(body), NULL, 0, 0, &t, &ra,
		    detail, sizeof(detail)) == (n < TOKEN_MAX ? TOKEN_OK :
		    TOKEN_RETRY));
		CHECK(t.len == (n < TOKEN_MAX ? n : 0));
	}
}

/* The status policy: 400, 401, 403 reject the credentials; 404, 405 say
   this is not a token endpoint; anything else is tried again, after
   Retry-After when it is a number of seconds (at most
   TOKEN_RETRY_AFTER_MAX), an HTTP-date being ignored. */
static void
parse_status(void)
{
	static const struct {
		int               status;
		const char       *ra;
		enum token_result want;
		int64_t           after;
	} cases[] = {
		{ 400, NULL, TOKEN_REJECTED, 0 },
		{ 401, NULL, TOKEN_REJECTED, 0 },
		{ 403, NULL, TOKEN_REJECTED, 0 },
		{ 404, NULL, TOKEN_CONFIG, 0 },
		{ 405, NULL, TOKEN_CONFIG, 0 },
		{ 402, NULL, TOKEN_RETRY, 0 },
		{ 406, NULL, TOKEN_RETRY, 0 },
		{ 500, NULL, TOKEN_RETRY, 0 },
		{ 502, NULL, TOKEN_RETRY, 0 },
		{ 201, NULL, TOKEN_RETRY, 0 },
		{ 301, NULL, TOKEN_RETRY, 0 },
		{ 429, "120", TOKEN_RETRY, 120000 },
		{ 503, "1", TOKEN_RETRY, 1000 },
		{ 503, "0", TOKEN_RETRY, 0 },
		{ 429, "3600", TOKEN_RETRY, 3600000 },
		{ 429, "3601", TOKEN_RETRY, 3600000 },
		{ 429, "86400", TOKEN_RETRY, 3600000 },
		{ 429, "999999999999999", TOKEN_RETRY, 3600000 },
		{ 429, "9999999999999999", TOKEN_RETRY, 0 },
		{ 503, "Wed, 21 Oct 2015 07:28:00 GMT", TOKEN_RETRY, 0 },
		{ 429, "-1", TOKEN_RETRY, 0 },
		{ 429, "1.5", TOKEN_RETRY, 0 },
		{ 429, "", TOKEN_RETRY, 0 },
		{ 429, "12x", TOKEN_RETRY, 0 },
	};
	static const char body[] = "{\"reason\":\"Invalid client_id or "
	    "client_secret\",\"error\":\"invalid_client\"}";
	char want[128];
	int64_t ra;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&t, 0, sizeof(t));
		ra = -1;
		CHECK(token_parse(cases[i].status, body, strlen(body), cases[i].ra,
		    cases[i].ra != NULL ? strlen(cases[i].ra) : 0, 0, &t, &ra,
		    detail, sizeof(detail)) == cases[i].want);
		CHECK(ra == cases[i].after);
		snprintf(want, sizeof(want), "token endpoint answered %d: {\"reason\"",
		    cases[i].status);
		CHECK(strncmp(detail, want, strlen(want)) == 0);
		CHECK(strstr(detail, "invalid_client") != NULL);
		CHECK(t.len == 0 && t.fresh == 0);
		if (t_case_failed) {
			printf("  case %zu: %lld \"%s\"\n", i, (long long)ra, detail);
			return;
		}
	}
	/* a Retry-After value is read to its length, not to a NUL */
	CHECK(token_parse(503, "", 0, "12345", 2, 0, &t, &ra, detail,
	    sizeof(detail)) == TOKEN_RETRY);
	CHECK(ra == 12000);
}

/* token_hint names where the secret came from; token_forget wipes. */
static void
hint_and_forget(void)
{
	char hint[512];
	int64_t ra;

	memset(&c, 0, sizeof(c));
	token_hint(hint, sizeof(hint), &c);
	CHECK(strstr(hint, "ZOOM_CLIENT_SECRET and") != NULL);
	strcpy(c.secret_file, "/run/secrets/zoom");
	token_hint(hint, sizeof(hint), &c);
	CHECK(strstr(hint, "ZOOM_CLIENT_SECRET_FILE (/run/secrets/zoom)") !=
	    NULL);

	CHECK(token_parse(200, "{\"access_token\":\"secret-token\"}", 31, NULL,
	    0, 5, &t, &ra, detail, sizeof(detail)) == TOKEN_OK);
	token_forget(&t);
	CHECK(t.len == 0 && t.expires == 0 && t.fresh == 0);
	CHECK(memchr(t.value, 's', sizeof(t.value)) == NULL);
}

int
main(void)
{
	t_suite = "token";
	log_init(LOG_NONE, 0);
	RUN(request_bytes);
	RUN(request_longest);
	RUN(parse_ok);
	RUN(parse_lifetime);
	RUN(parse_no_token);
	RUN(parse_long_token);
	RUN(parse_status);
	RUN(hint_and_forget);
	return t_done();
}
