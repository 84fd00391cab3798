/*
 * config.h - zoomws's settings as one value: the command line (parsed
 * once, never changed), the environment as it was at start, and the
 * env file, resolved into a struct config that owns its strings. A
 * reload builds a new value and swaps it in only when it loads whole.
 *
 * Precedence, for every key: a command-line option, then the real
 * environment, then the env file (--env-file PATH, else ./.env when it
 * exists). An empty value counts as unset.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "url.h"

#define CONFIG_MAX_FILTERS 64
#define CONFIG_MAX_SECRET  1024

enum {
	CONFIG_OK = 0,
	CONFIG_ERR = -1,            /* bad or missing configuration */
	CONFIG_ERR_RESOURCE = -2    /* out of descriptors or memory */
};

/* The command line, as zoomws.c parsed it. Strings point into argv. */
struct options {
	const char *env_file;       /* -e, NULL: ./.env when present */
	const char *sub, *ws_url, *oauth_url, *ca_file, *proxy;
	const char *filters[CONFIG_MAX_FILTERS];
	int         nfilters;
	int         raw, gaps, check, use_syslog, level;
	long long   max_events;     /* 0: unlimited */
	int64_t     duration_ms;    /* 0: unlimited */
	int64_t     heartbeat_ms, idle_ms, backoff_min_ms, backoff_max_ms;
	long        max_retries;    /* 0: never give up */
	size_t      max_message;
	const char *lock_path;
	const char *output;         /* -o: a file instead of stdout */
	const char *metrics;        /* --metrics: the Prometheus textfile */
	int64_t     dedup_ms;       /* --dedup: 0 off */
};

/* The keys zoomws reads from the environment and the env file. */
enum config_key {
	K_ACCOUNT_ID, K_CLIENT_ID, K_CLIENT_SECRET, K_CLIENT_SECRET_FILE,
	K_SUBSCRIPTION_ID, K_WS_URL, K_OAUTH_URL, K_SSL_CERT_FILE,
	K_HTTPS_PROXY, K_https_proxy, K_NO_PROXY, K_no_proxy, K_COUNT
};

/*
 * The environment as it was at start: zoomws wipes the client secret
 * from its own environment (/proc/PID/environ), and a reload must still
 * see it, as the environment of a running process cannot change.
 */
struct config_env {
	char *val[K_COUNT];         /* owned copies; NULL: unset or empty */
};

struct config {
	const struct options *opt;
	char        client_id[256];
	char        secret[CONFIG_MAX_SECRET];
	char        account_id[256];
	char        sub_id[256];
	char        ws_url[4096];
	char        oauth_url[4096];
	struct url  ws, oauth;
	char        ca_file[4096];      /* "": the system bundle */
	char        proxy[2048];        /* "": none */
	const char *proxy_from;         /* "--proxy", "HTTPS_PROXY", ... */
	struct url  proxy_url;
	char        no_proxy[2048];
	char        env_file[4096];     /* the env file read, "" none */
	char        secret_file[4096];  /* where the secret came from, ""
	                                   when not from a file */
};

/*
 * config_env_capture: keep the keys' values from the real environment,
 * then wipe ZOOM_CLIENT_SECRET's value there so that it does not linger
 * in /proc/PID/environ. Returns CONFIG_OK or CONFIG_ERR_RESOURCE.
 */
int config_env_capture(struct config_env *e);

/*
 * config_load: resolve every key into c from opt, env and the env file,
 * and check them: the client id and secret present, the URLs https://
 * and wss://, a subscription id, a proxy URL that is http://. Warnings
 * (a world-readable env file, an implicit ./.env that does not parse
 * and is ignored, a secret file trimmed) are logged. Returns CONFIG_OK,
 * or CONFIG_ERR / CONFIG_ERR_RESOURCE with err naming the key or file at
 * fault; c is then in an unspecified state (load into a spare value).
 */
int config_load(struct config *c, const struct options *opt,
    const struct config_env *env, char *err, size_t errlen);

/* config_wipe: clear the secrets of c (before it is dropped). */
void config_wipe(struct config *c);

/*
 * config_same_connection: would a connection opened under a still do
 * under b? The subscription, the endpoints, the proxy, the CAs, the
 * client id and the account id must be the same (a rotated secret is
 * not: it is used at the next token fetch).
 */
int config_same_connection(const struct config *a, const struct config *b);

/* config_proxy_for: the proxy to reach host through (NULL: none, or
   NO_PROXY names host). */
const struct url *config_proxy_for(const struct config *c, const char *host);

/* The option values' parsers: PARSE_OK, or why the text is refused. */
enum { PARSE_OK = 0, PARSE_SYNTAX = -1, PARSE_SMALL = -2, PARSE_LARGE = -3 };

#define CONFIG_SECONDS_MAX 31536000     /* s: a year, the longest time */

/*
 * config_parse_seconds: a plain decimal number of seconds, digits with
 * an optional fraction ("25", "0.25", ".5"), into milliseconds, rounded
 * half up. A sign, an exponent, blanks or anything else: PARSE_SYNTAX;
 * under 1 ms (before rounding): PARSE_SMALL; over CONFIG_SECONDS_MAX:
 * PARSE_LARGE.
 */
int config_parse_seconds(const char *s, int64_t *ms);

/* config_parse_count: a whole decimal number from min to max (digits
   only) into *n. */
int config_parse_count(const char *s, long long min, long long max,
    long long *n);

/*
 * config_parse_bytes: a whole number of bytes, optionally followed by k,
 * m or g (either case, KiB-style "iB" allowed after it) for 1024, 1024^2,
 * 1024^3; from 1 KiB to 1 GiB.
 */
#define CONFIG_BYTES_MIN 1024
#define CONFIG_BYTES_MAX (1ULL << 30)
int config_parse_bytes(const char *s, size_t *n);

#endif
