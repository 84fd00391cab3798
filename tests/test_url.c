/*
 * test_url.c - URL parsing, formatting, percent-encoding, query lookup
 * and redaction.
 */
#include <stdio.h>

#include "t.h"
#include "../url.h"

static struct url u;

/* parse s and check every field */
static int
parsed(const char *s, const char *scheme, const char *host, const char *port,
    const char *target)
{
	return url_parse(&u, s) == URL_OK && strcmp(u.scheme, scheme) == 0 &&
	    strcmp(u.host, host) == 0 && strcmp(u.port, port) == 0 &&
	    strcmp(u.target, target) == 0;
}

static void
zoom_endpoints(void)
{
	CHECK(parsed("wss://ws.zoom.us/ws?subscriptionId=AbC-12_x",
	    "wss", "ws.zoom.us", "443", "/ws?subscriptionId=AbC-12_x"));
	CHECK(u.user[0] == '\0' && u.pass[0] == '\0');
	CHECK(parsed("https://zoom.us/oauth/token", "https", "zoom.us", "443",
	    "/oauth/token"));
	CHECK(parsed("https://zoomgov.com/oauth/token", "https", "zoomgov.com",
	    "443", "/oauth/token"));
	CHECK(parsed("wss://api.zoom.us/v2/webhooks/events?subscription_id=x",
	    "wss", "api.zoom.us", "443",
	    "/v2/webhooks/events?subscription_id=x"));
	CHECK(parsed("wss://ws.zoom.us", "wss", "ws.zoom.us", "443", "/"));
	CHECK(parsed("wss://ws.zoom.us?x=1", "wss", "ws.zoom.us", "443",
	    "/?x=1"));
	CHECK(parsed("wss://ws.zoom.us/", "wss", "ws.zoom.us", "443", "/"));
}

static void
hosts_and_ports(void)
{
	CHECK(parsed("wss://[::1]:8443/ws?x=1", "wss", "::1", "8443",
	    "/ws?x=1"));
	CHECK(parsed("https://[2001:DB8::A]/", "https", "2001:db8::a", "443",
	    "/"));
	CHECK(parsed("https://[::ffff:192.0.2.1]:1/", "https",
	    "::ffff:192.0.2.1", "1", "/"));
	CHECK(parsed("https://127.0.0.1:65535/t", "https", "127.0.0.1",
	    "65535", "/t"));
	CHECK(parsed("https://WS.Zoom.US:0443/", "https", "ws.zoom.us", "443",
	    "/"));
	CHECK(parsed("https://h:/", "https", "h", "443", "/"));
	CHECK(parsed("https://my_host-1.example.:8080", "https",
	    "my_host-1.example.", "8080", "/"));
	CHECK(parsed("HTTPS://zoom.us/A/b", "https", "zoom.us", "443", "/A/b"));
	CHECK(parsed("WsS://zoom.us/", "wss", "zoom.us", "443", "/"));
}

static void
targets(void)
{
	/* fragments are dropped; the query keeps its encoding */
	CHECK(parsed("wss://h/ws?a=1#frag", "wss", "h", "443", "/ws?a=1"));
	CHECK(parsed("wss://h/ws#frag?x", "wss", "h", "443", "/ws"));
	CHECK(parsed("wss://h#", "wss", "h", "443", "/"));
	CHECK(parsed("wss://h/a%20b/c?q=%2F&r=x:y@z/?w", "wss", "h", "443",
	    "/a%20b/c?q=%2F&r=x:y@z/?w"));
	CHECK(parsed("wss://h/!$&'()*+,;=:@-._~", "wss", "h", "443",
	    "/!$&'()*+,;=:@-._~"));
	CHECK(parsed("wss://h/ws?", "wss", "h", "443", "/ws?"));
	CHECK(parsed("wss://h//x", "wss", "h", "443", "//x"));
}

static void
userinfo(void)
{
	CHECK(parsed("https://user:p%40ss%3Aword@h/x", "https", "h", "443",
	    "/x"));
	CHECK_STR(u.user, "user");
	CHECK_STR(u.pass, "p@ss:word");
	CHECK(parsed("https://only@h/", "https", "h", "443", "/"));
	CHECK_STR(u.user, "only");
	CHECK_STR(u.pass, "");
	CHECK(parsed("https://:pw:more@h/", "https", "h", "443", "/"));
	CHECK_STR(u.user, "");
	CHECK_STR(u.pass, "pw:more");
	CHECK(url_parse(&u, "https://a%00b@h/") == URL_ERR_SYNTAX);
	CHECK(url_parse(&u, "https://a%zzb@h/") == URL_ERR_SYNTAX);
	CHECK(url_parse(&u, "https://a b@h/") == URL_ERR_SYNTAX);
	/* an '@' after the authority is part of the path */
	CHECK(parsed("https://a/b@h/", "https", "a", "443", "/b@h/"));
	CHECK(u.user[0] == '\0');
}

static void
proxies(void)
{
	CHECK(url_parse_proxy(&u, "http://user:pass@proxy:3128") == URL_OK);
	CHECK_STR(u.scheme, "http");
	CHECK_STR(u.user, "user");
	CHECK_STR(u.pass, "pass");
	CHECK_STR(u.host, "proxy");
	CHECK_STR(u.port, "3128");
	CHECK_STR(u.target, "/");
	CHECK(url_parse_proxy(&u, "HTTP://Proxy.Corp/") == URL_OK);
	CHECK_STR(u.host, "proxy.corp");
	CHECK_STR(u.port, "1080");
	CHECK(url_parse_proxy(&u, "proxy.corp:8080") == URL_OK);
	CHECK_STR(u.host, "proxy.corp");
	CHECK_STR(u.port, "8080");
	CHECK(url_parse_proxy(&u, "us%65r:p%2Fw@[::1]:3128") == URL_OK);
	CHECK_STR(u.user, "user");
	CHECK_STR(u.pass, "p/w");
	CHECK_STR(u.host, "::1");
	CHECK(url_parse_proxy(&u, "https://proxy:443") == URL_ERR_SCHEME);
	CHECK(url_parse_proxy(&u, "socks5://proxy:1080") == URL_ERR_SCHEME);
	CHECK(url_parse_proxy(&u, "http://proxy:3128/path") == URL_ERR_SYNTAX);
	CHECK(url_parse_proxy(&u, "http://proxy:3128/?q") == URL_ERR_SYNTAX);
	CHECK(url_parse_proxy(&u, "http://proxy:99999") == URL_ERR_PORT);
	CHECK(url_parse_proxy(&u, "http://") == URL_ERR_HOST);
	CHECK(url_parse_proxy(&u, "") == URL_ERR_HOST);
	CHECK(url_parse_proxy(&u, "http://u%00@p") == URL_ERR_SYNTAX);
	/* the endpoint parser refuses what the proxy parser takes */
	CHECK(url_parse(&u, "http://user:pass@proxy:3128") == URL_ERR_INSECURE);
	CHECK(url_parse(&u, "proxy.corp:8080") == URL_ERR_SCHEME);
}

static void
errors(void)
{
	static const struct { const char *s; int rc; } v[] = {
		{ "http://zoom.us/oauth/token", URL_ERR_INSECURE },
		{ "HTTP://zoom.us/", URL_ERR_INSECURE },
		{ "ws://ws.zoom.us/ws", URL_ERR_INSECURE },
		{ "ftp://zoom.us/", URL_ERR_SCHEME },
		{ "httpss://zoom.us/", URL_ERR_SCHEME },
		{ "averyveryverylongscheme://zoom.us/", URL_ERR_SCHEME },
		{ "ws.zoom.us/ws", URL_ERR_SCHEME },
		{ "//ws.zoom.us/ws", URL_ERR_SCHEME },
		{ "wss:/ws.zoom.us/ws", URL_ERR_SCHEME },
		{ "wss:ws.zoom.us", URL_ERR_SCHEME },
		{ "", URL_ERR_SCHEME },
		{ "1wss://h/", URL_ERR_SCHEME },
		{ " wss://h/", URL_ERR_SCHEME },
		{ "wss://", URL_ERR_HOST },
		{ "wss:///ws", URL_ERR_HOST },
		{ "wss://:443/ws", URL_ERR_HOST },
		{ "wss://user@/ws", URL_ERR_HOST },
		{ "wss://?x", URL_ERR_HOST },
		{ "wss://h st/", URL_ERR_HOST },
		{ "wss://h%41/", URL_ERR_HOST },
		{ "wss://h\xc3\xa4/", URL_ERR_HOST },
		{ "wss://[::1/", URL_ERR_HOST },
		{ "wss://[]/", URL_ERR_HOST },
		{ "wss://[::g]/", URL_ERR_HOST },
		{ "wss://[1.2.3.4]/", URL_ERR_HOST },
		{ "wss://[fe80::1%25eth0]/", URL_ERR_HOST },
		{ "wss://[v1.x]/", URL_ERR_HOST },
		{ "wss://[::1]x/", URL_ERR_SYNTAX },
		{ "wss://h:0/", URL_ERR_PORT },
		{ "wss://h:65536/", URL_ERR_PORT },
		{ "wss://h:99999999999999999999/", URL_ERR_PORT },
		{ "wss://h:-1/", URL_ERR_PORT },
		{ "wss://h:44a/", URL_ERR_PORT },
		{ "wss://h:443:443/", URL_ERR_PORT },
		{ "wss://[::1]:70000/", URL_ERR_PORT },
		{ "wss://h/a b", URL_ERR_SYNTAX },
		{ "wss://h/a\tb", URL_ERR_SYNTAX },
		{ "wss://h/a\"b", URL_ERR_SYNTAX },
		{ "wss://h/a<b>", URL_ERR_SYNTAX },
		{ "wss://h/a\\b", URL_ERR_SYNTAX },
		{ "wss://h/%", URL_ERR_SYNTAX },
		{ "wss://h/%4", URL_ERR_SYNTAX },
		{ "wss://h/%4g", URL_ERR_SYNTAX },
		{ "wss://h/\xc3\xa4", URL_ERR_SYNTAX },
		{ "wss://h/ws?a=b c", URL_ERR_SYNTAX },
		{ "wss://h/ws?a=%zz", URL_ERR_SYNTAX },
		{ "wss://h/ws?a=[1]", URL_ERR_SYNTAX },
		{ "wss://h/ws#a b", URL_ERR_SYNTAX },
		{ "wss://h/ws#a#b", URL_ERR_SYNTAX },
		{ "wss://h/ws\r\n", URL_ERR_SYNTAX },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = url_parse(&u, v[i].s);

		CHECK(rc == v[i].rc);
		if (rc != v[i].rc)
			printf("  %s: %d\n", v[i].s, rc);
	}
}

static void
limits(void)
{
	static char s[8192];
	size_t n;

	/* a 255-byte host fits, 256 does not */
	n = (size_t)snprintf(s, sizeof(s), "wss://");
	memset(s + n, 'a', 255);
	strcpy(s + n + 255, "/x");
	CHECK(url_parse(&u, s) == URL_OK);
	CHECK(strlen(u.host) == 255);
	memset(s + n, 'a', 256);
	strcpy(s + n + 256, "/x");
	CHECK(url_parse(&u, s) == URL_ERR_TOO_LONG);

	/* a 4095-byte target fits, 4096 does not */
	n = (size_t)snprintf(s, sizeof(s), "wss://h/");
	memset(s + n, 'p', 4094);
	s[n + 4094] = '\0';
	CHECK(url_parse(&u, s) == URL_OK);
	CHECK(strlen(u.target) == 4095);
	strcpy(s + n + 4094, "#fragment-not-counted");
	CHECK(url_parse(&u, s) == URL_OK);
	strcpy(s + n + 4094, "q");
	CHECK(url_parse(&u, s) == URL_ERR_TOO_LONG);
	/* the "/" added before a bare query counts too */
	n = (size_t)snprintf(s, sizeof(s), "wss://h?");
	memset(s + n, 'q', 4093);
	s[n + 4093] = '\0';
	CHECK(url_parse(&u, s) == URL_OK);
	CHECK(strlen(u.target) == 4095 && u.target[0] == '/');
	strcpy(s + n + 4093, "q");
	CHECK(url_parse(&u, s) == URL_ERR_TOO_LONG);

	/* user and pass: 255 decoded bytes each */
	n = (size_t)snprintf(s, sizeof(s), "http://");
	memset(s + n, 'u', 255);
	n += 255;
	n += (size_t)snprintf(s + n, sizeof(s) - n, ":");
	memset(s + n, 'p', 251);
	n += 251;
	snprintf(s + n, sizeof(s) - n, "%%41@proxy:1");
	CHECK(url_parse_proxy(&u, s) == URL_OK);
	CHECK(strlen(u.user) == 255 && strlen(u.pass) == 252);
	snprintf(s + n, sizeof(s) - n, "%%41%%42%%43%%44@proxy:1");
	CHECK(url_parse_proxy(&u, s) == URL_OK);
	CHECK(strlen(u.pass) == 255);
	snprintf(s + n, sizeof(s) - n, "%%41%%42%%43%%44%%45@proxy:1");
	CHECK(url_parse_proxy(&u, s) == URL_ERR_TOO_LONG);
	n = (size_t)snprintf(s, sizeof(s), "http://");
	memset(s + n, 'u', 256);
	snprintf(s + n + 256, sizeof(s) - n - 256, "@proxy:1");
	CHECK(url_parse_proxy(&u, s) == URL_ERR_TOO_LONG);
}

static void
format_roundtrip(void)
{
	static const char *in[] = {
		"wss://ws.zoom.us/ws?subscriptionId=x",
		"wss://[::1]:8443/ws?x=1",
		"https://a%20b:c%3Ad@H:1/",
		"https://:only-pass@h/",
	};
	char out[5000];
	struct url a, b;
	size_t i, n;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		CHECK(url_parse(&a, in[i]) == URL_OK);
		n = url_format(out, sizeof(out), &a);
		CHECK(n == strlen(out) && n > 0);
		CHECK(url_parse(&b, out) == URL_OK);
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
	CHECK(url_parse(&a, "wss://[::1]:8443/ws?x=1") == URL_OK);
	CHECK(url_format(out, sizeof(out), &a) == 23);
	CHECK_STR(out, "wss://[::1]:8443/ws?x=1");
	CHECK(url_parse(&a, "https://a%20b:c%3Ad@H/") == URL_OK);
	url_format(out, sizeof(out), &a);
	CHECK_STR(out, "https://a%20b:c%3Ad@h:443/");
	CHECK(url_parse_proxy(&a, "u@proxy") == URL_OK);
	url_format(out, sizeof(out), &a);
	CHECK_STR(out, "http://u@proxy:1080/");
	/* too small: exactly length + 1 is needed */
	CHECK(url_parse(&a, "wss://h/x") == URL_OK);
	CHECK(url_format(out, 14, &a) == 13);
	CHECK_STR(out, "wss://h:443/x");
	CHECK(url_format(out, 13, &a) == 0);
	CHECK(out[0] == '\0');
	CHECK(url_format(out, 0, &a) == 0);
}

static void
encode(void)
{
	char out[64];

	CHECK(url_encode(out, sizeof(out), "AZaz09-._~", 10) == 10);
	CHECK_STR(out, "AZaz09-._~");
	CHECK(url_encode(out, sizeof(out), "a b+c/d=e&f", 11) == 21);
	CHECK_STR(out, "a%20b%2Bc%2Fd%3De%26f");
	CHECK(url_encode(out, sizeof(out), "\0\xff\x80%", 4) == 12);
	CHECK_STR(out, "%00%FF%80%25");
	CHECK(url_encode(out, sizeof(out), "", 0) == 0);
	CHECK_STR(out, "");
	/* a JWT-like token with base64url characters stays as it is */
	CHECK(url_encode(out, sizeof(out), "eyJ0.eyJ1-_x", 12) == 12);
	/* size: the NUL needs room */
	CHECK(url_encode(out, 4, "abc", 3) == 3);
	CHECK(url_encode(out, 3, "abc", 3) == (size_t)-1);
	CHECK(out[0] == '\0');
	CHECK(url_encode(out, 4, "a b", 3) == (size_t)-1);
	CHECK(url_encode(out, 6, "a b", 3) == 5);
	CHECK(url_encode(out, 5, "a b", 3) == (size_t)-1);
	CHECK(url_encode(out, 0, "", 0) == (size_t)-1);
}

static void
query_get(void)
{
	char out[16];

	CHECK(url_query_get("/ws?subscriptionId=AbC_1-2", "subscriptionId",
	    out, sizeof(out)) == 7);
	CHECK_STR(out, "AbC_1-2");
	CHECK(url_query_get("/ws?a=1&subscriptionId=x%2By+z&b", "subscriptionId",
	    out, sizeof(out)) == 5);
	CHECK_STR(out, "x+y+z");
	CHECK(url_query_get("/ws?a=1&b", "b", out, sizeof(out)) == 0);
	CHECK_STR(out, "");
	CHECK(url_query_get("/ws?a=1&b=", "b", out, sizeof(out)) == 0);
	CHECK(url_query_get("/ws?a=1&a=2", "a", out, sizeof(out)) == 1);
	CHECK_STR(out, "1");
	CHECK(url_query_get("/ws?%61=enc", "a", out, sizeof(out)) == 3);
	CHECK_STR(out, "enc");
	CHECK(url_query_get("/ws?a=x=y", "a", out, sizeof(out)) == 3);
	CHECK_STR(out, "x=y");
	/* absent */
	CHECK(url_query_get("/ws", "a", out, sizeof(out)) == -1);
	CHECK(url_query_get("/ws?", "a", out, sizeof(out)) == -1);
	CHECK(url_query_get("/ws?ab=1&A=2&a", "a", out, sizeof(out)) == 0);
	CHECK(url_query_get("/ws?ab=1&A=2", "a", out, sizeof(out)) == -1);
	CHECK(url_query_get("/ws?b=1#a=2", "a", out, sizeof(out)) == -1);
	CHECK(url_query_get("/ws#?a=2", "a", out, sizeof(out)) == -1);
	CHECK(url_query_get("/a=1?b=2", "a", out, sizeof(out)) == -1);
	CHECK(url_query_get("/ws?a=1#x", "a", out, sizeof(out)) == 1);
	/* too long, bad encoding, NUL */
	CHECK(url_query_get("/ws?a=123456789012345", "a", out, 16) == 15);
	CHECK(url_query_get("/ws?a=1234567890123456", "a", out, 16) == -2);
	CHECK(out[0] == '\0');
	CHECK(url_query_get("/ws?a=%4", "a", out, sizeof(out)) == -2);
	CHECK(url_query_get("/ws?a=%zz", "a", out, sizeof(out)) == -2);
	CHECK(url_query_get("/ws?a=x%00", "a", out, sizeof(out)) == -2);
	CHECK(url_query_get("/ws?a=x", "a", out, 0) == -2);
	CHECK(url_query_get("/ws?a", "a", out, 0) == -2);
	/* a bad escape in another name does not match nor fail */
	CHECK(url_query_get("/ws?%zz=1&a=2", "a", out, sizeof(out)) == 1);
	CHECK_STR(out, "2");
}

static void
redact(void)
{
	char out[128];

	url_redact(out, sizeof(out),
	    "/ws?subscriptionId=abc&access_token=eyJ0.secret");
	CHECK_STR(out, "/ws?subscriptionId=abc&access_token=REDACTED");
	url_redact(out, sizeof(out), "wss://ws.zoom.us/ws?access_token=s1&x=1"
	    "&ACCESS_TOKEN=s2&access_token=#frag");
	CHECK_STR(out, "wss://ws.zoom.us/ws?access_token=REDACTED&x=1"
	    "&ACCESS_TOKEN=REDACTED&access_token=REDACTED#frag");
	url_redact(out, sizeof(out), "http://user:secret@proxy:3128/");
	CHECK_STR(out, "http://user:REDACTED@proxy:3128/");
	url_redact(out, sizeof(out), "http://user:s:e@c@proxy:3128");
	CHECK_STR(out, "http://user:REDACTED@proxy:3128");
	url_redact(out, sizeof(out), "http://user@proxy/?access_token=x");
	CHECK_STR(out, "http://user@proxy/?access_token=REDACTED");
	/* not a parameter name, or not in the query: left alone */
	url_redact(out, sizeof(out), "/ws?my_access_token=x&access_tokens=y");
	CHECK_STR(out, "/ws?my_access_token=x&access_tokens=y");
	url_redact(out, sizeof(out), "/access_token=x/y#?access_token=z");
	CHECK_STR(out, "/access_token=x/y#?access_token=z");
	url_redact(out, sizeof(out), "/p/a:b@c?x");
	CHECK_STR(out, "/p/a:b@c?x");
	/* truncation never shows the secret */
	url_redact(out, 40, "/ws?subscriptionId=abc&access_token=eyJ0.secret");
	CHECK_STR(out, "/ws?subscriptionId=abc&access_token=RED");
	url_redact(out, 10, "http://u:secret@h/");
	CHECK_STR(out, "http://u:");
	url_redact(out, 1, "/x");
	CHECK_STR(out, "");
	out[0] = 'x';
	url_redact(out, 0, "/x");
	CHECK(out[0] == 'x');
}

static void
strerror_names_every_code(void)
{
	int e;

	for (e = URL_ERR_TOO_LONG; e <= URL_OK; e++)
		CHECK(strcmp(url_strerror(e), url_strerror(-100)) != 0);
	CHECK(strstr(url_strerror(URL_ERR_INSECURE), "refused") != NULL);
	CHECK(strstr(url_strerror(URL_ERR_INSECURE), "ws://") != NULL);
}

int
main(void)
{
	t_suite = "url";
	RUN(zoom_endpoints);
	RUN(hosts_and_ports);
	RUN(targets);
	RUN(userinfo);
	RUN(proxies);
	RUN(errors);
	RUN(limits);
	RUN(format_roundtrip);
	RUN(encode);
	RUN(query_get);
	RUN(redact);
	RUN(strerror_names_every_code);
	return t_done();
}
