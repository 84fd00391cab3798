/*
 * test_config.c - the settings as one value (config.c): precedence of
 * command-line options over the environment as captured at start over
 * the env file, an empty value being unset; the env file keeping only
 * zoomws's keys; ./.env left out when it does not load, --env-file
 * strict; the secret file trimmed; the proxy URL checked without ever
 * showing its password; NO_PROXY; config_same_connection; a load that
 * fails leaving the live value untouched; and the option values'
 * parsers, every form accepted and refused with its PARSE_* code.
 *
 * Runs in a temporary directory of its own (its ./.env is the one the
 * tests write), removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "../config.h"
#include "../log.h"

static char dir[64];                    /* the temporary directory */
static struct config c, spare, saved;
static struct options opt;
static struct config_env env;
static char err[512];

/* write text[0..n) to the file name (mode), replacing it */
static void
put(const char *name, const char *text, size_t n, mode_t mode)
{
	int fd;

	unlink(name);
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0);
	CHECK(write(fd, text, n) == (ssize_t)n);
	fchmod(fd, mode);
	close(fd);
}

static void
puts0(const char *name, const char *text)
{
	put(name, text, strlen(text), 0600);
}

/* The environment as captured: key k set to v (NULL: unset). */
static void
env_set(int k, const char *v)
{
	free(env.val[k]);
	env.val[k] = v != NULL ? strdup(v) : NULL;
}

static void
env_clear(void)
{
	int k;

	for (k = 0; k < K_COUNT; k++)
		env_set(k, NULL);
}

/* A fresh start: no options, nothing in the environment. */
static void
reset(void)
{
	memset(&opt, 0, sizeof(opt));
	env_clear();
	unlink(".env");
	err[0] = '\0';
}

/* What stderr receives between capture() and captured(). */
static int saved_stderr = -1;
static char logged[8192];

static void
capture(void)
{
	int fd = open("stderr.log", O_RDWR | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static const char *
captured(void)
{
	ssize_t n;
	int fd;

	dup2(saved_stderr, 2);
	close(saved_stderr);
	fd = open("stderr.log", O_RDONLY);
	n = read(fd, logged, sizeof(logged) - 1);
	logged[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink("stderr.log");
	return logged;
}

static int
has(const char *s, const char *part)
{
	return strstr(s, part) != NULL;
}

static int
load(struct config *into)
{
	return config_load(into, &opt, &env, err, sizeof(err));
}

static const char file_all[] =
    "ZOOM_ACCOUNT_ID=file-account\n"
    "ZOOM_CLIENT_ID=file-id\n"
    "ZOOM_CLIENT_SECRET=file-secret\n"
    "ZOOM_SUBSCRIPTION_ID=file-sub\n"
    "ZOOM_WS_URL=wss://file.example/ws\n"
    "ZOOM_OAUTH_URL=https://file.example/oauth/token\n"
    "SSL_CERT_FILE=/file/ca.pem\n"
    "HTTPS_PROXY=http://file-proxy:3128\n"
    "NO_PROXY=file.example\n";

/* Every key: an option beats the environment, which beats the env file;
   a key set nowhere takes its default. */
static void
precedence(void)
{
	reset();
	puts0("all.env", file_all);
	opt.env_file = "all.env";
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.account_id, "file-account");
	CHECK_STR(c.client_id, "file-id");
	CHECK_STR(c.secret, "file-secret");
	CHECK_STR(c.sub_id, "file-sub");
	CHECK_STR(c.ws_url, "wss://file.example/ws");
	CHECK_STR(c.ws.host, "file.example");
	CHECK_STR(c.oauth_url, "https://file.example/oauth/token");
	CHECK_STR(c.ca_file, "/file/ca.pem");
	CHECK_STR(c.proxy, "http://file-proxy:3128");
	CHECK_STR(c.proxy_from, "HTTPS_PROXY");
	CHECK_STR(c.proxy_url.host, "file-proxy");
	CHECK_STR(c.no_proxy, "file.example");
	CHECK_STR(c.env_file, "all.env");
	CHECK_STR(c.secret_file, "");

	env_set(K_ACCOUNT_ID, "env-account");
	env_set(K_CLIENT_ID, "env-id");
	env_set(K_CLIENT_SECRET, "env-secret");
	env_set(K_SUBSCRIPTION_ID, "env-sub");
	env_set(K_WS_URL, "wss://env.example/ws");
	env_set(K_OAUTH_URL, "https://env.example/oauth/token");
	env_set(K_SSL_CERT_FILE, "/env/ca.pem");
	env_set(K_HTTPS_PROXY, "http://env-proxy:3128");
	env_set(K_NO_PROXY, "env.example");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.account_id, "env-account");
	CHECK_STR(c.client_id, "env-id");
	CHECK_STR(c.secret, "env-secret");
	CHECK_STR(c.sub_id, "env-sub");
	CHECK_STR(c.ws_url, "wss://env.example/ws");
	CHECK_STR(c.oauth_url, "https://env.example/oauth/token");
	CHECK_STR(c.ca_file, "/env/ca.pem");
	CHECK_STR(c.proxy, "http://env-proxy:3128");
	CHECK_STR(c.proxy_from, "HTTPS_PROXY");
	CHECK_STR(c.no_proxy, "env.example");

	opt.sub = "opt-sub";
	opt.ws_url = "wss://opt.example/ws";
	opt.oauth_url = "https://opt.example/oauth/token";
	opt.ca_file = "/opt/ca.pem";
	opt.proxy = "http://opt-proxy:8080";
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.sub_id, "opt-sub");
	CHECK_STR(c.ws_url, "wss://opt.example/ws");
	CHECK_STR(c.oauth_url, "https://opt.example/oauth/token");
	CHECK_STR(c.ca_file, "/opt/ca.pem");
	CHECK_STR(c.proxy, "http://opt-proxy:8080");
	CHECK_STR(c.proxy_from, "--proxy");
	CHECK_STR(c.proxy_url.port, "8080");
	CHECK(c.opt == &opt);

	/* nothing but the three required keys: the defaults */
	reset();
	env_set(K_CLIENT_ID, "id");
	env_set(K_CLIENT_SECRET, "secret");
	env_set(K_SUBSCRIPTION_ID, "sub");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.ws_url, "wss://ws.zoom.us/ws");
	CHECK_STR(c.oauth_url, "https://zoom.us/oauth/token");
	CHECK_STR(c.account_id, "");
	CHECK_STR(c.ca_file, "");
	CHECK_STR(c.proxy, "");
	CHECK(c.proxy_from == NULL);
	CHECK_STR(c.env_file, "");

	/* the lower-case proxy keys, after the upper-case ones */
	env_set(K_https_proxy, "http://lower:1");
	env_set(K_no_proxy, "lower.example");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.proxy, "http://lower:1");
	CHECK_STR(c.proxy_from, "https_proxy");
	CHECK_STR(c.no_proxy, "lower.example");
	env_set(K_HTTPS_PROXY, "http://upper:2");
	env_set(K_NO_PROXY, "upper.example");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.proxy, "http://upper:2");
	CHECK_STR(c.proxy_from, "HTTPS_PROXY");
	CHECK_STR(c.no_proxy, "upper.example");
}

/* An empty value is unset wherever it is: in the environment (as
   captured) the env file's value is used; in the env file the key is
   missing. */
static void
empty_is_unset(void)
{
	reset();
	puts0("e.env", "ZOOM_CLIENT_ID=file-id\nZOOM_CLIENT_SECRET=s\n"
	    "ZOOM_SUBSCRIPTION_ID=sub\nZOOM_ACCOUNT_ID=\n"
	    "HTTPS_PROXY=http://file-proxy:1\n");
	opt.env_file = "e.env";
	setenv("ZOOM_CLIENT_ID", "", 1);
	setenv("HTTPS_PROXY", "", 1);
	setenv("ZOOM_ACCOUNT_ID", "", 1);
	CHECK(config_env_capture(&env) == CONFIG_OK);
	CHECK(env.val[K_CLIENT_ID] == NULL && env.val[K_HTTPS_PROXY] == NULL &&
	    env.val[K_ACCOUNT_ID] == NULL);
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.client_id, "file-id");
	CHECK_STR(c.proxy, "http://file-proxy:1");
	CHECK_STR(c.account_id, "");            /* client_credentials */
	unsetenv("ZOOM_CLIENT_ID");
	unsetenv("HTTPS_PROXY");
	unsetenv("ZOOM_ACCOUNT_ID");

	/* empty in the file, unset in the environment: missing */
	puts0("e.env", "ZOOM_CLIENT_ID=\nZOOM_CLIENT_SECRET=s\n"
	    "ZOOM_SUBSCRIPTION_ID=sub\n");
	env_clear();
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_CLIENT_ID is not set"));
	puts0("e.env", "ZOOM_CLIENT_ID=id\nZOOM_CLIENT_SECRET=''\n"
	    "ZOOM_SUBSCRIPTION_ID=sub\n");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_CLIENT_SECRET is not set"));
	puts0("e.env", "ZOOM_CLIENT_ID=id\nZOOM_CLIENT_SECRET=s\n"
	    "ZOOM_SUBSCRIPTION_ID=\"\"\n");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_SUBSCRIPTION_ID is not set"));
}

/* The env file may hold any number of other keys: they are read past,
   kept nowhere, and never put into the environment. */
static void
env_file_keeps_only_our_keys(void)
{
	static char text[65536];
	size_t n = 0;
	int i;

	reset();
	for (i = 0; i < 600; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "OTHER_KEY_%d=value %d\n", i, i);
		if (i == 300)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "export ZOOM_CLIENT_ID='our id'\n"
			    "ZOOM_CLIENT_SECRET=\"our secret\"\n"
			    "PATH=/nowhere\nZOOM_SUBSCRIPTION_ID=our-sub\n");
	}
	put("many.env", text, n, 0600);
	opt.env_file = "many.env";
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.client_id, "our id");
	CHECK_STR(c.secret, "our secret");
	CHECK_STR(c.sub_id, "our-sub");
	CHECK(getenv("OTHER_KEY_1") == NULL);
	CHECK(getenv("PATH") == NULL || strcmp(getenv("PATH"), "/nowhere") != 0);
}

/* ./.env, when no --env-file names a file: used when it loads, left out
   (with a warning, and said in a later error) when it does not parse or
   is not a file; the same file named by --env-file is an error.
   --env-file /dev/null loads (nothing); a missing one is an error. */
static void
implicit_env_file(void)
{
	const char *l;

	reset();
	env_set(K_CLIENT_SECRET, "s");
	env_set(K_SUBSCRIPTION_ID, "sub");
	puts0(".env", "ZOOM_CLIENT_ID=from-dotenv\n");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.client_id, "from-dotenv");
	CHECK_STR(c.env_file, ".env");

	/* a line that does not parse, after one that does: all left out */
	puts0(".env", "ZOOM_CLIENT_ID=from-dotenv\nconst x = 1;\n");
	env_set(K_CLIENT_ID, "from-env");
	capture();
	CHECK(load(&c) == CONFIG_OK);
	l = captured();
	CHECK(has(l, "warn") && has(l, "ignored") && has(l, "line 2"));
	CHECK_STR(c.client_id, "from-env");
	CHECK_STR(c.env_file, "");
	env_set(K_CLIENT_ID, NULL);
	capture();
	CHECK(load(&c) == CONFIG_ERR);
	captured();
	CHECK(has(err, "ZOOM_CLIENT_ID is not set"));
	CHECK(has(err, "./.env was ignored") && has(err, "line 2"));

	/* the same file named: strict */
	opt.env_file = ".env";
	env_set(K_CLIENT_ID, "from-env");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "env file .env, line 2"));

	/* a directory */
	opt.env_file = NULL;
	unlink(".env");
	CHECK(mkdir(".env", 0700) == 0);
	capture();
	CHECK(load(&c) == CONFIG_OK);
	l = captured();
	CHECK(has(l, "is a directory") && has(l, "ignored"));
	CHECK_STR(c.env_file, "");
	opt.env_file = ".env";
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "env file .env: is a directory"));
	rmdir(".env");

	opt.env_file = "/dev/null";
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.env_file, "/dev/null");
	CHECK_STR(c.client_id, "from-env");

	opt.env_file = "missing.env";
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "missing.env") && has(err, strerror(ENOENT)));

	/* readable by others: a warning, and loaded */
	put("open.env", "ZOOM_CLIENT_ID=x\n", 17, 0644);
	opt.env_file = "open.env";
	capture();
	CHECK(load(&c) == CONFIG_OK);
	l = captured();
	CHECK(has(l, "readable by others") && has(l, "chmod 600 open.env"));
}

/* The secret file: one trailing newline is the file's end; more blanks,
   a CR, more newlines and a UTF-8 byte order mark are removed with a
   warning; empty, a NUL or too long is an error; where it came from is
   kept in secret_file; ZOOM_CLIENT_SECRET wins over it. */
static void
secret_file(void)
{
	static const struct {
		const char *text;
		size_t      len;
		int         warned;
	} ok[] = {
		{ "s3cret", 6, 0 },
		{ "s3cret\n", 7, 0 },
		{ "s3cret\r\n", 8, 1 },
		{ "s3cret \t\n", 9, 1 },
		{ "s3cret\n\n\n", 9, 1 },
		{ "s3cret ", 7, 1 },
		{ "\xEF\xBB\xBFs3cret\n", 10, 1 },
		{ "\xEF\xBB\xBFs3cret \r\n", 12, 1 },
	};
	static char big[1100];
	const char *l;
	size_t i;

	reset();
	env_set(K_CLIENT_ID, "id");
	env_set(K_SUBSCRIPTION_ID, "sub");
	env_set(K_CLIENT_SECRET_FILE, "secret.txt");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		put("secret.txt", ok[i].text, ok[i].len, 0600);
		capture();
		CHECK(load(&c) == CONFIG_OK);
		l = captured();
		CHECK_STR(c.secret, "s3cret");
		CHECK_STR(c.secret_file, "secret.txt");
		CHECK(has(l, "removed") == ok[i].warned);
		if (ok[i].text[0] == '\xEF')
			CHECK(has(l, "byte order mark"));
	}
	/* inner blanks are the secret's */
	put("secret.txt", " s3 cret\n", 9, 0600);
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.secret, " s3 cret");

	put("secret.txt", "", 0, 0600);
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_CLIENT_SECRET_FILE secret.txt: empty"));
	capture();
	put("secret.txt", " \r\n\n", 4, 0600);
	CHECK(load(&c) == CONFIG_ERR);
	captured();
	CHECK(has(err, "empty"));
	put("secret.txt", "s3\0cret\n", 8, 0600);
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "NUL"));
	/* at most CONFIG_MAX_SECRET - 2 bytes of file */
	memset(big, 'x', sizeof(big));
	put("secret.txt", big, CONFIG_MAX_SECRET - 2, 0600);
	CHECK(load(&c) == CONFIG_OK);
	CHECK(strlen(c.secret) == CONFIG_MAX_SECRET - 2);
	put("secret.txt", big, CONFIG_MAX_SECRET - 1, 0600);
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "too long"));
	CHECK(c.secret[0] == '\0');
	unlink("secret.txt");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_CLIENT_SECRET_FILE secret.txt") &&
	    has(err, strerror(ENOENT)));

	/* ZOOM_CLIENT_SECRET first */
	env_set(K_CLIENT_SECRET, "plain");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.secret, "plain");
	CHECK_STR(c.secret_file, "");
}

/* A proxy URL that can never work is refused, naming where it came from
   and its scheme, never its password; one from the env file too. */
static void
proxy_validation(void)
{
	static const struct {
		int         key;            /* -1: --proxy */
		const char *url;
		const char *says[2];
	} bad[] = {
		{ K_HTTPS_PROXY, "socks5://user:pw-XYZZY@proxy:1080",
		  { "HTTPS_PROXY names a socks5:// proxy", "HTTP CONNECT" } },
		{ K_https_proxy, "https://user:pw-XYZZY@proxy:443",
		  { "https_proxy names a https:// proxy", "HTTP CONNECT" } },
		{ -1, "SOCKS5H://user:pw-XYZZY@proxy",
		  { "--proxy names a SOCKS5H:// proxy", "HTTP CONNECT" } },
		{ K_HTTPS_PROXY, "averyveryverylongscheme://u:pw-XYZZY@proxy",
		  { "HTTPS_PROXY is not a proxy URL", "" } },
		{ K_HTTPS_PROXY, "http://user:pw-XYZZY@proxy:99999",
		  { "HTTPS_PROXY is not a proxy URL", "port" } },
		{ K_HTTPS_PROXY, "http://user:pw-XYZZY@",
		  { "HTTPS_PROXY is not a proxy URL", "host" } },
		{ -1, "user:pw-XYZZY@proxy:x",
		  { "--proxy is not a proxy URL", "" } },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset();
		env_set(K_CLIENT_ID, "id");
		env_set(K_CLIENT_SECRET, "s");
		env_set(K_SUBSCRIPTION_ID, "sub");
		if (bad[i].key < 0)
			opt.proxy = bad[i].url;
		else
			env_set(bad[i].key, bad[i].url);
		CHECK(load(&c) == CONFIG_ERR);
		CHECK(has(err, bad[i].says[0]) && has(err, bad[i].says[1]));
		CHECK(!has(err, "XYZZY"));
		if (t_case_failed)
			printf("  case %zu: %s\n", i, err);
	}

	/* good ones, with the password kept for the tunnel */
	reset();
	env_set(K_CLIENT_ID, "id");
	env_set(K_CLIENT_SECRET, "s");
	env_set(K_SUBSCRIPTION_ID, "sub");
	env_set(K_HTTPS_PROXY, "http://user:p%40ss@proxy.example:3128/");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.proxy_url.user, "user");
	CHECK_STR(c.proxy_url.pass, "p@ss");
	CHECK_STR(c.proxy_url.host, "proxy.example");
	CHECK_STR(c.proxy_url.port, "3128");
	env_set(K_HTTPS_PROXY, "proxy.example");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.proxy_url.port, "1080");
	/* --proxy '' overrides the environment with no proxy at all */
	opt.proxy = "";
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.proxy, "");
	CHECK(config_proxy_for(&c, "ws.zoom.us") == NULL);

	/* from the env file */
	reset();
	puts0("p.env", "ZOOM_CLIENT_ID=id\nZOOM_CLIENT_SECRET=s\n"
	    "ZOOM_SUBSCRIPTION_ID=sub\nhttps_proxy=ftp://u:pw-XYZZY@h\n");
	opt.env_file = "p.env";
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "https_proxy names a ftp:// proxy"));
	CHECK(!has(err, "XYZZY"));
}

/* config_proxy_for: the proxy, unless there is none or NO_PROXY (else
   no_proxy) names the host. */
static void
no_proxy(void)
{
	reset();
	env_set(K_CLIENT_ID, "id");
	env_set(K_CLIENT_SECRET, "s");
	env_set(K_SUBSCRIPTION_ID, "sub");
	CHECK(load(&c) == CONFIG_OK);
	CHECK(config_proxy_for(&c, "ws.zoom.us") == NULL);
	env_set(K_HTTPS_PROXY, "http://proxy:3128");
	CHECK(load(&c) == CONFIG_OK);
	CHECK(config_proxy_for(&c, "ws.zoom.us") == &c.proxy_url);
	env_set(K_no_proxy, "localhost, .zoom.us");
	CHECK(load(&c) == CONFIG_OK);
	CHECK(config_proxy_for(&c, "ws.zoom.us") == NULL);
	CHECK(config_proxy_for(&c, "zoom.us") == NULL);
	CHECK(config_proxy_for(&c, "zoomgov.com") == &c.proxy_url);
	env_set(K_NO_PROXY, "zoomgov.com");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.no_proxy, "zoomgov.com");
	CHECK(config_proxy_for(&c, "zoomgov.com") == NULL);
	CHECK(config_proxy_for(&c, "ws.zoom.us") == &c.proxy_url);
	env_set(K_NO_PROXY, "*");
	CHECK(load(&c) == CONFIG_OK);
	CHECK(config_proxy_for(&c, "ws.zoom.us") == NULL);
}

/* config_same_connection: every key a connection depends on changes the
   answer; a rotated secret does not. */
static void
same_connection(void)
{
	static const struct {
		int         key;
		const char *val;
	} change[] = {
		{ K_SUBSCRIPTION_ID, "other" },
		{ K_WS_URL, "wss://other.example/ws" },
		{ K_OAUTH_URL, "https://other.example/token" },
		{ K_SSL_CERT_FILE, "/other.pem" },
		{ K_HTTPS_PROXY, "http://other:1" },
		{ K_NO_PROXY, "other.example" },
		{ K_CLIENT_ID, "other" },
		{ K_ACCOUNT_ID, "other" },
	};
	size_t i;

	for (i = 0; i < sizeof(change) / sizeof(change[0]); i++) {
		reset();
		env_set(K_CLIENT_ID, "id");
		env_set(K_CLIENT_SECRET, "s");
		env_set(K_SUBSCRIPTION_ID, "sub");
		env_set(K_ACCOUNT_ID, "acct");
		env_set(K_HTTPS_PROXY, "http://proxy:1");
		env_set(K_NO_PROXY, "example.com");
		CHECK(load(&c) == CONFIG_OK);
		env_set(K_CLIENT_SECRET, "rotated");
		CHECK(load(&spare) == CONFIG_OK);
		CHECK(config_same_connection(&c, &spare));
		CHECK(config_same_connection(&spare, &c));
		env_set(change[i].key, change[i].val);
		CHECK(load(&spare) == CONFIG_OK);
		CHECK(!config_same_connection(&c, &spare));
		CHECK(!config_same_connection(&spare, &c));
		if (t_case_failed) {
			printf("  key %d\n", change[i].key);
			return;
		}
	}
}

/* A reload: a load into a spare value that fails leaves the live value
   byte for byte as it was; the environment as captured at start (the
   secret since wiped from the real environment) still wins over the
   env file at every later load. */
static void
reload_atomic(void)
{
	static const char *broken[] = {
		"ZOOM_CLIENT_ID=id\nHTTPS_PROXY=socks5://p:1\n",
		"ZOOM_CLIENT_ID=id\nZOOM_WS_URL=ws://plain.example/ws\n",
		"ZOOM_CLIENT_ID=id\nZOOM_OAUTH_URL=https://\n",
		"ZOOM_CLIENT_ID=id\nnot a line\n",
		"ZOOM_SUBSCRIPTION_ID=\n",
	};
	size_t i;

	reset();
	setenv("ZOOM_CLIENT_SECRET", "env-secret", 1);
	setenv("ZOOM_SUBSCRIPTION_ID", "env-sub", 1);
	CHECK(config_env_capture(&env) == CONFIG_OK);
	CHECK(getenv("ZOOM_CLIENT_SECRET") != NULL &&
	    getenv("ZOOM_CLIENT_SECRET")[0] == '\0');
	CHECK_STR(env.val[K_CLIENT_SECRET], "env-secret");
	unsetenv("ZOOM_SUBSCRIPTION_ID");
	unsetenv("ZOOM_CLIENT_SECRET");

	puts0("r.env", "ZOOM_CLIENT_ID=id\nZOOM_CLIENT_SECRET=file-secret\n"
	    "HTTPS_PROXY=http://proxy:3128\nZOOM_CA=x\n");
	opt.env_file = "r.env";
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.secret, "env-secret");
	CHECK_STR(c.proxy, "http://proxy:3128");
	memcpy(&saved, &c, sizeof(c));

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		puts0("r.env", broken[i]);
		CHECK(load(&spare) != CONFIG_OK);
		CHECK(memcmp(&saved, &c, sizeof(c)) == 0);
		CHECK(config_proxy_for(&c, "ws.zoom.us") == &c.proxy_url);
		if (t_case_failed) {
			printf("  case %zu: %s\n", i, err);
			return;
		}
	}
	opt.env_file = "gone.env";
	CHECK(load(&spare) == CONFIG_ERR);
	CHECK(memcmp(&saved, &c, sizeof(c)) == 0);

	/* a good reload, twice: the captured secret, the file's new proxy */
	opt.env_file = "r.env";
	puts0("r.env", "ZOOM_CLIENT_ID=id2\nZOOM_CLIENT_SECRET=file-secret\n"
	    "HTTPS_PROXY=http://proxy2:3128\n");
	CHECK(load(&spare) == CONFIG_OK);
	CHECK(load(&spare) == CONFIG_OK);
	CHECK_STR(spare.secret, "env-secret");
	CHECK_STR(spare.client_id, "id2");
	CHECK_STR(spare.sub_id, "env-sub");
	CHECK_STR(spare.proxy, "http://proxy2:3128");
	CHECK(!config_same_connection(&c, &spare));
	CHECK(memcmp(&saved, &c, sizeof(c)) == 0);

	/* config_wipe clears the secrets */
	config_wipe(&spare);
	CHECK(spare.secret[0] == '\0' && spare.proxy[0] == '\0');
}

/* config_env_capture: the keys' values copied (an empty one as unset),
   the secret wiped in the real environment; a second capture replaces
   the first. */
static void
env_capture(void)
{
	int k;

	reset();
	for (k = 0; k < K_COUNT; k++)
		CHECK(env.val[k] == NULL);
	setenv("ZOOM_CLIENT_ID", "captured-id", 1);
	setenv("ZOOM_CLIENT_SECRET", "captured-secret", 1);
	setenv("no_proxy", "", 1);
	CHECK(config_env_capture(&env) == CONFIG_OK);
	CHECK_STR(env.val[K_CLIENT_ID], "captured-id");
	CHECK_STR(env.val[K_CLIENT_SECRET], "captured-secret");
	CHECK(env.val[K_no_proxy] == NULL);
	CHECK(env.val[K_WS_URL] == NULL);
	CHECK_STR(getenv("ZOOM_CLIENT_ID"), "captured-id");
	CHECK(getenv("ZOOM_CLIENT_SECRET")[0] == '\0');
	/* the wiped value reads as empty: a second capture has no secret */
	setenv("ZOOM_CLIENT_ID", "second-id", 1);
	CHECK(config_env_capture(&env) == CONFIG_OK);
	CHECK_STR(env.val[K_CLIENT_ID], "second-id");
	CHECK(env.val[K_CLIENT_SECRET] == NULL);
	unsetenv("ZOOM_CLIENT_ID");
	unsetenv("ZOOM_CLIENT_SECRET");
	unsetenv("no_proxy");
}

/* The endpoints: https:// and wss:// only, each error naming its key;
   the subscription id from ZOOM_WS_URL when not set apart. */
static void
endpoints(void)
{
	reset();
	env_set(K_CLIENT_ID, "id");
	env_set(K_CLIENT_SECRET, "s");
	env_set(K_WS_URL, "wss://ws.zoom.us/ws?subscriptionId=in-url");
	CHECK(load(&c) == CONFIG_OK);
	CHECK_STR(c.sub_id, "in-url");
	env_set(K_SUBSCRIPTION_ID, "apart");
	capture();
	CHECK(load(&c) == CONFIG_OK);
	CHECK(has(captured(), "differs"));
	CHECK_STR(c.sub_id, "apart");
	env_set(K_WS_URL, "ws://ws.zoom.us/ws");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_WS_URL ws://ws.zoom.us/ws: plain ws://"));
	env_set(K_WS_URL, "https://ws.zoom.us/ws");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_WS_URL") && has(err, "is wss://"));
	env_set(K_WS_URL, NULL);
	env_set(K_OAUTH_URL, "wss://zoom.us/oauth/token");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_OAUTH_URL") && has(err, "is https://"));
	opt.oauth_url = "http://zoom.us/oauth/token";
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_OAUTH_URL") && has(err, "plain"));
	opt.oauth_url = NULL;
	env_set(K_OAUTH_URL, NULL);
	env_set(K_SUBSCRIPTION_ID, NULL);
	env_set(K_WS_URL, "wss://ws.zoom.us/ws?subscriptionId=%00");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "bad subscriptionId"));
	env_set(K_WS_URL, "wss://ws.zoom.us/ws?other=1");
	CHECK(load(&c) == CONFIG_ERR);
	CHECK(has(err, "ZOOM_SUBSCRIPTION_ID is not set"));
}

/* config_parse_seconds: digits with an optional fraction, to ms rounded
   half up; under 1 ms before rounding is small, over a year large. */
static void
parse_seconds(void)
{
	static const struct {
		const char *s;
		int         rc;
		int64_t     ms;
	} cases[] = {
		{ "25", PARSE_OK, 25000 }, { "0.25", PARSE_OK, 250 },
		{ ".5", PARSE_OK, 500 }, { "5.", PARSE_OK, 5000 },
		{ "0.001", PARSE_OK, 1 }, { ".001", PARSE_OK, 1 },
		{ "0.0014", PARSE_OK, 1 }, { "0.0015", PARSE_OK, 2 },
		{ "0.00149999", PARSE_OK, 1 }, { "1.9995", PARSE_OK, 2000 },
		{ "1.99949", PARSE_OK, 1999 }, { "007", PARSE_OK, 7000 },
		{ "0.1000000000000000000009", PARSE_OK, 100 },
		{ "31536000", PARSE_OK, 31536000000LL },
		{ "31536000.000", PARSE_OK, 31536000000LL },
		{ "31535999.9995", PARSE_OK, 31536000000LL },
		{ "000000000000000000000000031536000", PARSE_OK, 31536000000LL },
		{ "0", PARSE_SMALL, 0 }, { "0.0", PARSE_SMALL, 0 },
		{ "0.0009", PARSE_SMALL, 0 }, { "0.0005", PARSE_SMALL, 0 },
		{ ".000999999", PARSE_SMALL, 0 }, { "00.000", PARSE_SMALL, 0 },
		{ "31536000.0001", PARSE_LARGE, 0 },
		{ "31536000.001", PARSE_LARGE, 0 },
		{ "31536001", PARSE_LARGE, 0 },
		{ "99999999999999999999999999", PARSE_LARGE, 0 },
		{ "", PARSE_SYNTAX, 0 }, { ".", PARSE_SYNTAX, 0 },
		{ "-1", PARSE_SYNTAX, 0 }, { "+1", PARSE_SYNTAX, 0 },
		{ "1e3", PARSE_SYNTAX, 0 }, { " 1", PARSE_SYNTAX, 0 },
		{ "1 ", PARSE_SYNTAX, 0 }, { "1s", PARSE_SYNTAX, 0 },
		{ "1.2.3", PARSE_SYNTAX, 0 }, { "1,5", PARSE_SYNTAX, 0 },
		{ "0x10", PARSE_SYNTAX, 0 }, { "inf", PARSE_SYNTAX, 0 },
		{ "nan", PARSE_SYNTAX, 0 }, { "..5", PARSE_SYNTAX, 0 },
		{ "99999999999999999999x", PARSE_SYNTAX, 0 },
		{ "-0", PARSE_SYNTAX, 0 },
	};
	size_t i;
	int64_t ms;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = -7;
		rc = config_parse_seconds(cases[i].s, &ms);
		CHECK(rc == cases[i].rc);
		CHECK(ms == (rc == PARSE_OK ? cases[i].ms : -7));
		if (rc != cases[i].rc || ms != (rc == PARSE_OK ? cases[i].ms : -7))
			printf("  \"%s\": %d, %lld\n", cases[i].s, rc, (long long)ms);
	}
}

/* config_parse_count: digits only, from min to max, without overflow at
   any length. */
static void
parse_count(void)
{
	static const struct {
		const char *s;
		long long   min, max;
		int         rc;
		long long   n;
	} cases[] = {
		{ "0", 0, 10, PARSE_OK, 0 }, { "10", 0, 10, PARSE_OK, 10 },
		{ "007", 0, 10, PARSE_OK, 7 }, { "1", 1, 1, PARSE_OK, 1 },
		{ "0", 1, 10, PARSE_SMALL, 0 }, { "11", 0, 10, PARSE_LARGE, 0 },
		{ "2147483647", 0, 2147483647, PARSE_OK, 2147483647 },
		{ "2147483648", 0, 2147483647, PARSE_LARGE, 0 },
		{ "9223372036854775807", 1, LLONG_MAX, PARSE_OK, LLONG_MAX },
		{ "9223372036854775808", 1, LLONG_MAX, PARSE_LARGE, 0 },
		{ "18446744073709551617", 1, LLONG_MAX, PARSE_LARGE, 0 },
		{ "99999999999999999999", 1, LLONG_MAX, PARSE_LARGE, 0 },
		{ "92233720368547758070", 1, LLONG_MAX, PARSE_LARGE, 0 },
		{ "0000000000000000000000001", 1, LLONG_MAX, PARSE_OK, 1 },
		{ "9", 0, 5, PARSE_LARGE, 0 }, { "5", 0, 5, PARSE_OK, 5 },
		{ "", 0, 10, PARSE_SYNTAX, 0 }, { "-1", 0, 10, PARSE_SYNTAX, 0 },
		{ "+1", 0, 10, PARSE_SYNTAX, 0 }, { "1 ", 0, 10, PARSE_SYNTAX, 0 },
		{ " 1", 0, 10, PARSE_SYNTAX, 0 }, { "1.0", 0, 10, PARSE_SYNTAX, 0 },
		{ "1e1", 0, 10, PARSE_SYNTAX, 0 }, { "0x1", 0, 10, PARSE_SYNTAX, 0 },
		{ "99999999999999999999999x", 0, 10, PARSE_SYNTAX, 0 },
	};
	size_t i;
	long long n;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = -7;
		rc = config_parse_count(cases[i].s, cases[i].min, cases[i].max, &n);
		CHECK(rc == cases[i].rc);
		CHECK(n == (rc == PARSE_OK ? cases[i].n : -7));
		if (rc != cases[i].rc || n != (rc == PARSE_OK ? cases[i].n : -7))
			printf("  \"%s\": %d, %lld\n", cases[i].s, rc, n);
	}
}

/* config_parse_bytes: digits, then k, m or g in either case, "iB" (or
   "ib") allowed after the letter; from 1 KiB to 1 GiB. */
static void
parse_bytes(void)
{
	static const struct {
		const char *s;
		int         rc;
		size_t      n;
	} cases[] = {
		{ "1024", PARSE_OK, 1024 }, { "1k", PARSE_OK, 1024 },
		{ "1K", PARSE_OK, 1024 }, { "1KiB", PARSE_OK, 1024 },
		{ "1kib", PARSE_OK, 1024 }, { "1kiB", PARSE_OK, 1024 },
		{ "4m", PARSE_OK, 4u << 20 }, { "4M", PARSE_OK, 4u << 20 },
		{ "4MiB", PARSE_OK, 4u << 20 }, { "1g", PARSE_OK, 1u << 30 },
		{ "1G", PARSE_OK, 1u << 30 }, { "1GiB", PARSE_OK, 1u << 30 },
		{ "1024m", PARSE_OK, 1u << 30 }, { "1048576k", PARSE_OK, 1u << 30 },
		{ "1073741824", PARSE_OK, 1u << 30 }, { "0001k", PARSE_OK, 1024 },
		{ "65536", PARSE_OK, 65536 },
		{ "1023", PARSE_SMALL, 0 }, { "0", PARSE_SMALL, 0 },
		{ "0k", PARSE_SMALL, 0 }, { "0g", PARSE_SMALL, 0 },
		{ "1073741825", PARSE_LARGE, 0 }, { "2g", PARSE_LARGE, 0 },
		{ "1025m", PARSE_LARGE, 0 }, { "1048577k", PARSE_LARGE, 0 },
		{ "99999999999999999999999", PARSE_LARGE, 0 },
		{ "99999999999999999999999k", PARSE_LARGE, 0 },
		{ "", PARSE_SYNTAX, 0 }, { "k", PARSE_SYNTAX, 0 },
		{ "KiB", PARSE_SYNTAX, 0 }, { "1 k", PARSE_SYNTAX, 0 },
		{ "1k ", PARSE_SYNTAX, 0 }, { "1.5m", PARSE_SYNTAX, 0 },
		{ "-1k", PARSE_SYNTAX, 0 }, { "+1k", PARSE_SYNTAX, 0 },
		{ "1kB", PARSE_SYNTAX, 0 }, { "1KB", PARSE_SYNTAX, 0 },
		{ "1KIB", PARSE_SYNTAX, 0 }, { "1b", PARSE_SYNTAX, 0 },
		{ "1t", PARSE_SYNTAX, 0 }, { "1iB", PARSE_SYNTAX, 0 },
		{ "1024iB", PARSE_SYNTAX, 0 }, { "1kk", PARSE_SYNTAX, 0 },
		{ "1KiBx", PARSE_SYNTAX, 0 }, { "1e3", PARSE_SYNTAX, 0 },
		{ "99999999999999999999999x", PARSE_SYNTAX, 0 },
	};
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 7;
		rc = config_parse_bytes(cases[i].s, &n);
		CHECK(rc == cases[i].rc);
		CHECK(n == (rc == PARSE_OK ? cases[i].n : 7));
		if (rc != cases[i].rc || n != (rc == PARSE_OK ? cases[i].n : 7))
			printf("  \"%s\": %d, %zu\n", cases[i].s, rc, n);
	}
}

int
main(void)
{
	char cmd[128];

	t_suite = "config";
	strcpy(dir, "/tmp/zoomws-test-config-XXXXXX");
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	/* nothing from the environment this runs in */
	unsetenv("ZOOM_ACCOUNT_ID");
	unsetenv("ZOOM_CLIENT_ID");
	unsetenv("ZOOM_CLIENT_SECRET");
	unsetenv("ZOOM_CLIENT_SECRET_FILE");
	unsetenv("ZOOM_SUBSCRIPTION_ID");
	unsetenv("ZOOM_WS_URL");
	unsetenv("ZOOM_OAUTH_URL");
	unsetenv("SSL_CERT_FILE");
	unsetenv("HTTPS_PROXY");
	unsetenv("https_proxy");
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	log_init(L_WARN, 0);
	RUN(precedence);
	RUN(empty_is_unset);
	RUN(env_file_keeps_only_our_keys);
	RUN(implicit_env_file);
	RUN(secret_file);
	RUN(proxy_validation);
	RUN(no_proxy);
	RUN(same_connection);
	RUN(reload_atomic);
	RUN(env_capture);
	RUN(endpoints);
	RUN(parse_seconds);
	RUN(parse_count);
	RUN(parse_bytes);
	reset();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (chdir("/") != 0 || system(cmd) != 0)
		perror(cmd);
	return t_done();
}
