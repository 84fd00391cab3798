/*
 * options.c - the command line: one table of the options, one of those
 * that take a number (seconds, a count, bytes) with their parsers, and
 * the words of --help and of a usage error.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "fmt.h"
#include "log.h"
#include "options.h"
#include "version.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif

static const char usage_text[] =
"usage: zoomws [OPTIONS]\n"
"Zoom WebSocket event subscription to NDJSON on stdout.\n"
"\n"
"Credentials come from the environment or an env file:\n"
"  ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET (or\n"
"  ZOOM_CLIENT_SECRET_FILE), ZOOM_SUBSCRIPTION_ID, ZOOM_WS_URL,\n"
"  ZOOM_OAUTH_URL, SSL_CERT_FILE, HTTPS_PROXY, NO_PROXY\n"
"\n"
"Options:\n"
"  -e, --env-file PATH      env file (default ./.env if present)\n"
"      --subscription ID    subscription id (ZOOM_SUBSCRIPTION_ID)\n"
"      --ws-url URL         WebSocket endpoint (ZOOM_WS_URL)\n"
"      --oauth-url URL      token endpoint (ZOOM_OAUTH_URL)\n"
"      --ca-file PATH       trusted CAs, PEM (SSL_CERT_FILE)\n"
"      --proxy URL          HTTP CONNECT proxy, http:// (HTTPS_PROXY)\n"
"  -E, --event GLOB         only events whose name matches; repeatable\n"
"      --raw                every text message as received, compacted\n"
"      --gaps               after a reconnect, a zoomws.gap line\n"
"  -n, --max-events N       exit 0 after N events\n"
"  -t, --duration SECONDS   exit 0 after this long\n"
"      --heartbeat SECONDS  heartbeat interval (25)\n"
"      --idle-timeout SECONDS  silence that means a dead link, longer\n"
"                           than the heartbeat (3 x heartbeat)\n"
"      --backoff-min SECONDS, --backoff-max SECONDS  reconnect delay:\n"
"                           random between min and a cap that doubles\n"
"                           with each failed attempt, up to max (1, 60)\n"
"      --max-retries N      give up after N failed attempts in a row (0: never)\n"
"      --max-message BYTES  largest message accepted; k, m, g (4m)\n"
"  -o, --output PATH        append events to PATH (0600) instead of stdout;\n"
"                           SIGHUP reopens it\n"
"      --metrics PATH       Prometheus textfile, replaced atomically\n"
"      --dedup SECONDS      drop an event identical to one written in the\n"
"                           last SECONDS (off)\n"
"      --lock PATH          exclusive lock; exit 75 if held\n"
"      --syslog             log to syslog instead of stderr\n"
"      --check              preflight every step, report, exit\n"
"  -v, -q                   more / less logging\n"
"      --version, -h, --help\n"
"\n"
"Exit: 0 stopped; 64 usage; 69 retries used up; 71 out of resources;\n"
"74 output gone; 75 lock held; 77 credentials refused; 78 configuration.\n";

enum {
	OPT_SUB = 256, OPT_WSURL, OPT_OAUTH, OPT_CA, OPT_PROXY, OPT_RAW,
	OPT_GAPS, OPT_HB, OPT_IDLE, OPT_BMIN, OPT_BMAX, OPT_RETRIES, OPT_MAXMSG,
	OPT_LOCK, OPT_SYSLOG, OPT_CHECK, OPT_VERSION, OPT_METRICS, OPT_DEDUP
};

/* The options: long name, short letter (0: none), takes a value. */
static const struct option_spec {
	const char *name;
	char        letter;
	char        value;
	int         id;
} optspec[] = {
	{ "env-file", 'e', 1, 'e' },
	{ "subscription", 0, 1, OPT_SUB },
	{ "ws-url", 0, 1, OPT_WSURL },
	{ "oauth-url", 0, 1, OPT_OAUTH },
	{ "ca-file", 0, 1, OPT_CA },
	{ "proxy", 0, 1, OPT_PROXY },
	{ "event", 'E', 1, 'E' },
	{ "raw", 0, 0, OPT_RAW },
	{ "gaps", 0, 0, OPT_GAPS },
	{ "max-events", 'n', 1, 'n' },
	{ "duration", 't', 1, 't' },
	{ "heartbeat", 0, 1, OPT_HB },
	{ "idle-timeout", 0, 1, OPT_IDLE },
	{ "backoff-min", 0, 1, OPT_BMIN },
	{ "backoff-max", 0, 1, OPT_BMAX },
	{ "max-retries", 0, 1, OPT_RETRIES },
	{ "max-message", 0, 1, OPT_MAXMSG },
	{ "lock", 0, 1, OPT_LOCK },
	{ "output", 'o', 1, 'o' },
	{ "metrics", 0, 1, OPT_METRICS },
	{ "dedup", 0, 1, OPT_DEDUP },
	{ "syslog", 0, 0, OPT_SYSLOG },
	{ "check", 0, 0, OPT_CHECK },
	{ "verbose", 'v', 0, 'v' },
	{ "quiet", 'q', 0, 'q' },
	{ "version", 0, 0, OPT_VERSION },
	{ "help", 'h', 0, 'h' },
};
#define NOPTS (sizeof(optspec) / sizeof(optspec[0]))

/* The options that take a number: one table, one parser per kind. */
enum numkind { N_SECONDS, N_COUNT, N_BYTES };
static const struct numopt {
	int          id;
	const char  *name;
	enum numkind kind;
	size_t       off;           /* in struct options */
	long long    min, max;      /* N_COUNT */
	const char  *what;          /* what a number of it is */
} numopts[] = {
	{ 't', "--duration", N_SECONDS, offsetof(struct options, duration_ms),
	  0, 0, "seconds" },
	{ OPT_DEDUP, "--dedup", N_SECONDS, offsetof(struct options, dedup_ms),
	  0, 0, "seconds" },
	{ OPT_HB, "--heartbeat", N_SECONDS, offsetof(struct options,
	  heartbeat_ms), 0, 0, "seconds" },
	{ OPT_IDLE, "--idle-timeout", N_SECONDS, offsetof(struct options,
	  idle_ms), 0, 0, "seconds" },
	{ OPT_BMIN, "--backoff-min", N_SECONDS, offsetof(struct options,
	  backoff_min_ms), 0, 0, "seconds" },
	{ OPT_BMAX, "--backoff-max", N_SECONDS, offsetof(struct options,
	  backoff_max_ms), 0, 0, "seconds" },
	{ 'n', "--max-events", N_COUNT, offsetof(struct options, max_events),
	  1, LLONG_MAX, "events" },
	{ OPT_RETRIES, "--max-retries", N_COUNT, offsetof(struct options,
	  max_retries), 0, INT_MAX, "attempts" },
	{ OPT_MAXMSG, "--max-message", N_BYTES, offsetof(struct options,
	  max_message), 0, 0, "bytes" },
};

/* usage_error: "zoomws: " and the message on stderr; returns 64. */
static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_say(2, "zoomws: %s\ntry 'zoomws --help'\n", msg);
	return OPTIONS_USAGE;
}

/* A number option's value into opt; 0 or OPTIONS_USAGE with a message. */
static int
number_option(const struct numopt *no, const char *arg, struct options *opt)
{
	char *field = (char *)opt + no->off, range[80];
	long long ll = 0;
	int64_t ms = 0;
	size_t bytes = 0;
	int rc;

	if (no->kind == N_SECONDS) {
		rc = config_parse_seconds(arg, &ms);
		fmt_snprintf(range, sizeof(range), rc == PARSE_SMALL ?
		    "at least 0.001" : "at most %d", CONFIG_SECONDS_MAX);
	} else if (no->kind == N_COUNT) {
		rc = config_parse_count(arg, no->min, no->max, &ll);
		fmt_snprintf(range, sizeof(range), "at %s %lld", rc == PARSE_SMALL ?
		    "least" : "most", rc == PARSE_SMALL ? no->min : no->max);
	} else {
		rc = config_parse_bytes(arg, &bytes);
		fmt_snprintf(range, sizeof(range), rc == PARSE_SMALL ?
		    "at least 1k" : "at most 1g");
	}
	if (rc == PARSE_SYNTAX)
		return usage_error("%s: not a %s: %s", no->name, no->kind == N_BYTES ?
		    "number of bytes (digits, then k, m or g)" : no->kind ==
		    N_SECONDS ? "number of seconds (digits, a fraction allowed)" :
		    "whole number", arg);
	if (rc != PARSE_OK)
		return usage_error("%s: too %s: %s (%s %s)", no->name,
		    rc == PARSE_SMALL ? "small" : "large", arg, range, no->what);
	if (no->kind == N_SECONDS)
		memcpy(field, &ms, sizeof(ms));
	else if (no->kind == N_BYTES)
		memcpy(field, &bytes, sizeof(bytes));
	else if (no->off == offsetof(struct options, max_retries)) {
		long l = (long)ll;

		memcpy(field, &l, sizeof(l));
	} else
		memcpy(field, &ll, sizeof(ll));
	return 0;
}

/* The option a long argument names (--name or --name=value): exactly,
   else by a prefix no other option has. NULL after a usage message. */
static const struct option_spec *
long_option(const char *arg, size_t n)
{
	const struct option_spec *hit = NULL;
	size_t i;

	for (i = 0; i < NOPTS; i++) {
		if (strncmp(optspec[i].name, arg, n) != 0)
			continue;
		if (optspec[i].name[n] == '\0')
			return &optspec[i];
		if (hit != NULL) {
			usage_error("ambiguous option --%.*s", (int)n, arg);
			return NULL;
		}
		hit = &optspec[i];
	}
	if (hit == NULL)
		usage_error("unknown option --%.*s", (int)n, arg);
	return hit;
}

/*
 * next_option: the next option of argv, from argv[*i] (and *pos inside a
 * group of short options: -vq, -n5): its id, with *val its value (NULL
 * for a flag); 0 when no option is left (*i then the first operand: "--"
 * ends the options); -1 after a usage message. Long options: --name,
 * --name=value, --name value, and unique prefixes of names.
 */
static int
next_option(char **argv, int *i, int *pos, const char **val)
{
	const struct option_spec *o = NULL;
	const char *a = argv[*i], *eq;
	size_t k;

	*val = NULL;
	if (*pos == 0) {
		if (a == NULL || a[0] != '-' || a[1] == '\0')
			return 0;
		if (strcmp(a, "--") == 0) {
			++*i;
			return 0;
		}
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			k = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
			if ((o = long_option(a + 2, k)) == NULL)
				return -1;
			++*i;
			if (!o->value && eq != NULL)
				return usage_error("option --%s takes no value",
				    o->name), -1;
			if (o->value && (*val = eq != NULL ? eq + 1 : argv[(*i)++]) ==
			    NULL)
				return usage_error("option --%s needs a value",
				    o->name), -1;
			return o->id;
		}
		*pos = 1;
	}
	for (k = 0; k < NOPTS && optspec[k].letter != a[*pos]; k++)
		;
	if (k == NOPTS || a[*pos] == '\0') {
		return usage_error("unknown option -%c", a[*pos]), -1;
	}
	o = &optspec[k];
	if (a[++*pos] == '\0' || o->value) {
		++*i;
		if (o->value && (*val = a[*pos] != '\0' ? a + *pos : argv[(*i)++]) ==
		    NULL)
			return usage_error("option -%c needs a value", o->letter),
			    -1;
		*pos = 0;
	}
	return o->id;
}


int
options_parse(char **argv, struct options *opt)
{
	const char *arg;
	size_t k;
	int ch, rc, i = 1, pos = 0, idle_given = 0;

	opt->heartbeat_ms = 25000;
	opt->backoff_min_ms = 1000;
	opt->backoff_max_ms = 60000;
	opt->max_message = 4 << 20;
	opt->level = L_INFO;
	while ((ch = next_option(argv, &i, &pos, &arg)) > 0) {
		for (k = 0; k < sizeof(numopts) / sizeof(numopts[0]); k++)
			if (numopts[k].id == ch)
				break;
		if (k < sizeof(numopts) / sizeof(numopts[0])) {
			if ((rc = number_option(&numopts[k], arg, opt)) != 0)
				return rc;
			idle_given |= ch == OPT_IDLE;
			continue;
		}
		switch (ch) {
		case 'e': opt->env_file = arg; break;
		case OPT_SUB: opt->sub = arg; break;
		case OPT_WSURL: opt->ws_url = arg; break;
		case OPT_OAUTH: opt->oauth_url = arg; break;
		case OPT_CA: opt->ca_file = arg; break;
		case OPT_PROXY: opt->proxy = arg; break;
		case OPT_RAW: opt->raw = 1; break;
		case OPT_GAPS: opt->gaps = 1; break;
		case OPT_LOCK: opt->lock_path = arg; break;
		case 'o': opt->output = arg; break;
		case OPT_METRICS: opt->metrics = arg; break;
		case OPT_SYSLOG: opt->use_syslog = 1; break;
		case OPT_CHECK: opt->check = 1; break;
		case 'v':
			if (opt->level < L_TRACE)
				opt->level++;
			break;
		case 'q':
			if (opt->level > L_ERROR)
				opt->level--;
			break;
		case 'E':
			if (opt->nfilters == CONFIG_MAX_FILTERS)
				return usage_error("too many --event patterns (64 at "
				    "most)");
			if (*arg == '\0')
				return usage_error("empty --event pattern");
			opt->filters[opt->nfilters++] = arg;
			break;
		case OPT_VERSION:
			log_say(1, "%s", version_text());
			return -1;
		case 'h':
			log_say(1, "%s", usage_text);
			return -1;
		}
	}
	if (ch < 0)
		return OPTIONS_USAGE;
	if (argv[i] != NULL)
		return usage_error("unexpected argument: %s", argv[i]);
	if (opt->backoff_min_ms > opt->backoff_max_ms)
		return usage_error("--backoff-min is larger than --backoff-max");
	if (!idle_given)
		opt->idle_ms = opt->heartbeat_ms * 3;
	else if (opt->idle_ms <= opt->heartbeat_ms) {
		char a[32], b[32];

		return usage_error("--idle-timeout (%s s) must be longer than "
		    "--heartbeat (%s s): every heartbeat answer would come too "
		    "late", fmt_seconds(a, sizeof(a), opt->idle_ms, 3),
		    fmt_seconds(b, sizeof(b), opt->heartbeat_ms, 3));
	}
	return 0;
}
