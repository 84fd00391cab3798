/*
 * zoomws - Zoom WebSocket event subscription to NDJSON on stdout.
 *
 * The program in one file: configuration, the token fetch, the
 * WebSocket upgrade, and one poll() loop per connection that moves bytes
 * between BearSSL, the frame decoder and stdout. No threads; memory is
 * two lazily touched buffers of --max-message bytes plus fixed TLS
 * buffers, whatever the server sends.
 *
 * Codecs (json.c, ws.c, http.c, b64.c, url.c, envfile.c) do no I/O;
 * net.c owns sockets and TLS; this file owns descriptors 0-2, signals,
 * timers and exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "b64.h"
#include "envfile.h"
#include "fmt.h"
#include "http.h"
#include "json.h"
#include "ca.h"
#include "net.h"
#include "tls.h"
#include "proxy.h"
#include "url.h"
#include "ws.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif

/* sysexits(3) */
enum {
	EX_OK_ = 0,
	EX_USAGE_ = 64,
	EX_UNAVAILABLE_ = 69,
	EX_IOERR_ = 74,
	EX_TEMPFAIL_ = 75,
	EX_NOPERM_ = 77,
	EX_CONFIG_ = 78
};

/* Limits. */
#define MAX_FILTERS      64
#define MAX_TOKEN        4096        /* access token bytes */
#define MAX_SECRET       1024
#define MAX_ENVVARS      256
#define TOKEN_BODY_MAX   65536       /* token endpoint response body */
#define OBUF_SLACK       65536       /* output buffer beyond --max-message */
#define OUT_RESERVE      160         /* per message: newline and a gap line */
#define OUT_SOFT         (256 << 10) /* pending output that stops reading */
#define OUT_BATCH        65536       /* pending output written at once */
#define REFUSALS_FATAL   3           /* build_connection refusals, fresh token */
#define IO_TIMEOUT_MAX   30000       /* ms: connect, handshake, upgrade, token */
#define RETRY_AFTER_MAX  3600        /* s: longest Retry-After honoured */
#define SECONDS_MAX      31536000    /* s: longest time option, a year */

/* ------------------------------------------------------------------ */
/* Logging                                                            */

enum { L_ERROR, L_WARN, L_INFO, L_DEBUG, L_TRACE };
static const char *level_name[] = { "error", "warn", "info", "debug", "trace" };
static int loglevel = L_INFO;
static int use_syslog;
static int check_mode;          /* --check: logs feed the report */
static char last_warning[512];  /* the last warn/error message */
static char last_info[400];     /* the token's lifetime and scopes */

/* Strings that must never reach a log line, scrubbed from each one. */
static const char *secrets[4];

static void
scrub(char *line)
{
	size_t i, n;
	char *p;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		if (secrets[i] == NULL || (n = strlen(secrets[i])) < 4)
			continue;
		while ((p = strstr(line, secrets[i])) != NULL) {
			memcpy(p, "REDACTED", n < 8 ? n : 8);
			if (n > 8)
				memmove(p + 8, p + n, strlen(p + n) + 1);
		}
	}
}

/*
 * syslog_send: msg to the local syslog daemon as syslog(3) would send it
 * after openlog("zoomws", LOG_PID, LOG_DAEMON): one datagram
 * "<PRI>zoomws[PID]: msg" to /dev/log, without the timestamp, which the
 * daemon adds on receipt. The socket is connected at the first line and
 * again, once, when a send fails (the daemon restarted); a line that
 * still cannot go is dropped, as syslog(3) drops it.
 */
static void
syslog_send(int prio, const char *msg)
{
	static const struct sockaddr_un addr = { AF_UNIX, "/dev/log" };
	static int fd = -1;
	char buf[2100];
	int n;

	n = fmt_snprintf(buf, sizeof(buf), "<%d>zoomws[%ld]: %s\n",
	    LOG_DAEMON | prio, (long)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (fd == -1) {
		if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			return;
		(void)connect(fd, (const struct sockaddr *)&addr, sizeof(addr));
	}
	if (send(fd, buf, n, 0) == -1 &&
	    connect(fd, (const struct sockaddr *)&addr, sizeof(addr)) == 0)
		(void)send(fd, buf, n, 0);
}

/*
 * logm: one line to stderr (or syslog): UTC timestamp, level, message.
 * Written with a single write(2) so lines from a dying process are whole.
 */
static void logm(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
logm(int level, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, m;
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG, LOG_DEBUG };

	if (level > loglevel)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = fmt_snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, level_name[level]);
	va_start(ap, fmt);
	m = fmt_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) > sizeof(line) - 2)
		m = sizeof(line) - 2 - n;
	line[n + m] = '\0';
	scrub(line + n);
	/* --check shows the first warning of a step: the cause, not the
	   conclusions drawn from it. */
	if (level <= L_WARN && (!check_mode || last_warning[0] == '\0'))
		fmt_snprintf(last_warning, sizeof(last_warning), "%s", line + n);
	if (check_mode && loglevel < L_DEBUG)
		return;
	if (use_syslog) {
		syslog_send(prio[level], line + n);
		return;
	}
	m = (int)strlen(line);
	line[m++] = '\n';
	(void)!write(2, line, m);
}

/* say: a message to fd (1 or 2) in one write: --help, --version, usage
   errors and the report of --check. Cut at 4 KiB. */
static void say(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(int fd, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0)
		(void)!write(fd, buf, (size_t)n);
}

/* ------------------------------------------------------------------ */
/* Signals: a self-pipe, included in every poll.                      */

static int wakepipe[2] = { -1, -1 };
static volatile sig_atomic_t got_stop, got_usr1, got_hup;

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGINT || sig == SIGTERM)
		got_stop = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	(void)!write(wakepipe[1], "x", 1);
	errno = saved;
}

static void
drain_wakepipe(void)
{
	char buf[64];

	while (read(wakepipe[0], buf, sizeof(buf)) > 0)
		;
}

static void log_counters(void);

/* woken: net_wait saw the self-pipe: act on SIGUSR1 at once, and end
   the wait on a stop. */
static int
woken(short watch_revents)
{
	(void)watch_revents;
	drain_wakepipe();
	if (got_usr1) {
		got_usr1 = 0;
		log_counters();
	}
	return got_stop != 0;
}

static int
signals_init(void)
{
	struct sigaction sa;
	int i;

	if (pipe(wakepipe) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(wakepipe[i], F_SETFL, fcntl(wakepipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(wakepipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	net_wake_set(wakepipe[0], -1, woken);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Configuration                                                      */

struct config {
	const char *env_file;
	int         env_file_given;
	char        client_id[256];
	char        secret[MAX_SECRET];
	char        account_id[256];
	char        sub_id[256];
	char        ws_url[4096];
	char        oauth_url[4096];
	struct url  ws;
	struct url  oauth;
	const char *ca_file;
	const char *proxy;
	const char *filters[MAX_FILTERS];
	int         nfilters;
	int         raw;
	int         gaps;
	long long   max_events;
	int64_t     duration_ms;
	int64_t     heartbeat_ms;
	int64_t     idle_ms;
	int64_t     backoff_min_ms;
	int64_t     backoff_max_ms;
	long        max_retries;
	size_t      max_message;
	const char *lock_path;
	int         check;
};

static struct config cfg;

/* Values read from the env file; the real environment wins over them. */
static struct { char *key, *val; } filevars[MAX_ENVVARS];
static int nfilevars;

static int
filevar_set(void *arg, const char *key, const char *val)
{
	int i;

	(void)arg;
	for (i = 0; i < nfilevars; i++)
		if (strcmp(filevars[i].key, key) == 0) {
			free(filevars[i].val);
			if ((filevars[i].val = strdup(val)) == NULL)
				return -1;
			return 0;
		}
	if (nfilevars == MAX_ENVVARS)
		return -1;
	filevars[nfilevars].key = strdup(key);
	filevars[nfilevars].val = strdup(val);
	if (filevars[nfilevars].key == NULL || filevars[nfilevars].val == NULL)
		return -1;
	nfilevars++;
	return 0;
}

/* cfg_get: the value of key from the real environment, else the env
   file, else NULL. Empty values count as unset. */
static const char *
cfg_get(const char *key)
{
	const char *v;
	int i;

	if ((v = getenv(key)) != NULL && *v != '\0')
		return v;
	for (i = 0; i < nfilevars; i++)
		if (strcmp(filevars[i].key, key) == 0)
			return *filevars[i].val ? filevars[i].val : NULL;
	return NULL;
}

/*
 * load_env_file: parse path into filevars. Returns 0, or EX_CONFIG_ with
 * a log line naming the file and line.
 */
static int
load_env_file(const char *path)
{
	struct envfile ef;
	struct stat st;
	char buf[4096];
	ssize_t n;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		logm(L_ERROR, "env file %s: %s", path, strerror(errno));
		return EX_CONFIG_;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		logm(L_WARN, "env file %s is readable by others (mode %03o); "
		    "it holds the client secret: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 0777), path);
	envfile_init(&ef, filevar_set, NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if ((rc = envfile_feed(&ef, buf, (size_t)n)) != 0)
			break;
	if (n < 0) {
		logm(L_ERROR, "env file %s: %s", path, strerror(errno));
		close(fd);
		return EX_CONFIG_;
	}
	if (rc == 0)
		rc = envfile_end(&ef);
	close(fd);
	explicit_bzero(buf, sizeof(buf));
	if (rc != 0) {
		logm(L_ERROR, "env file %s, line %lu: %s", path,
		    (unsigned long)ef.lineno, envfile_strerror(rc));
		return EX_CONFIG_;
	}
	return 0;
}

/* read_secret_file: the secret from path, one trailing newline dropped. */
static int
read_secret_file(const char *path, char *dst, size_t cap)
{
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		logm(L_ERROR, "ZOOM_CLIENT_SECRET_FILE %s: %s", path,
		    strerror(errno));
		return EX_CONFIG_;
	}
	while ((n = read(fd, dst + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == cap - 1) {
		logm(L_ERROR, "ZOOM_CLIENT_SECRET_FILE %s: %s", path,
		    n < 0 ? strerror(errno) : "too long");
		explicit_bzero(dst, cap);
		return EX_CONFIG_;
	}
	if (len > 0 && dst[len - 1] == '\n')
		len--;
	if (len > 0 && dst[len - 1] == '\r')
		len--;
	dst[len] = '\0';
	if (len == 0 || memchr(dst, '\0', len) != NULL) {
		logm(L_ERROR, "ZOOM_CLIENT_SECRET_FILE %s: %s", path,
		    len == 0 ? "empty" : "holds a NUL byte");
		return EX_CONFIG_;
	}
	return 0;
}

static int
copy_key(char *dst, size_t cap, const char *key, const char *val)
{
	if (strlen(val) >= cap) {
		logm(L_ERROR, "%s is too long (at most %zu bytes)", key, cap - 1);
		return EX_CONFIG_;
	}
	strcpy(dst, val);
	return 0;
}

/* Wipe a variable's value in the process environment so that it does
   not linger in /proc/PID/environ after start-up. */
static void
wipe_env(const char *key)
{
	char *v = getenv(key);

	if (v != NULL)
		explicit_bzero(v, strlen(v));
}

static const char *
url_error_hint(int err)
{
	return err == URL_ERR_INSECURE ?
	    "plain ws:// and http:// are refused: use wss:// or https://" :
	    url_strerror(err);
}

/*
 * config_resolve: keys from flags, environment and env file into cfg,
 * checked. Returns 0 or EX_CONFIG_ after logging the key at fault.
 */
static const char *opt_sub, *opt_ws, *opt_oauth;

static int
config_resolve(int reload)
{
	const char *v;
	char sub_in_url[256];
	long qn;
	int rc;

	while (nfilevars > 0) {
		nfilevars--;
		explicit_bzero(filevars[nfilevars].val, strlen(filevars[nfilevars].val));
		free(filevars[nfilevars].key);
		free(filevars[nfilevars].val);
	}
	if (cfg.env_file != NULL) {
		if ((rc = load_env_file(cfg.env_file)) != 0)
			return rc;
	} else if (access(".env", F_OK) == 0) {
		if ((rc = load_env_file(".env")) != 0)
			return rc;
		cfg.env_file = ".env";
	}

	if ((v = cfg_get("ZOOM_CLIENT_ID")) == NULL) {
		logm(L_ERROR, "ZOOM_CLIENT_ID is not set (environment or env file)");
		return EX_CONFIG_;
	}
	if ((rc = copy_key(cfg.client_id, sizeof(cfg.client_id),
	    "ZOOM_CLIENT_ID", v)) != 0)
		return rc;
	if ((v = cfg_get("ZOOM_CLIENT_SECRET")) != NULL) {
		if ((rc = copy_key(cfg.secret, sizeof(cfg.secret),
		    "ZOOM_CLIENT_SECRET", v)) != 0)
			return rc;
	} else if ((v = cfg_get("ZOOM_CLIENT_SECRET_FILE")) != NULL) {
		if ((rc = read_secret_file(v, cfg.secret, sizeof(cfg.secret))) != 0)
			return rc;
	} else if (!reload || cfg.secret[0] == '\0') {
		/* On reload a secret from the environment, wiped there after
		   start-up, is kept. */
		logm(L_ERROR, "ZOOM_CLIENT_SECRET is not set (nor "
		    "ZOOM_CLIENT_SECRET_FILE)");
		return EX_CONFIG_;
	}
	secrets[0] = cfg.secret;
	if ((v = cfg_get("ZOOM_ACCOUNT_ID")) != NULL &&
	    (rc = copy_key(cfg.account_id, sizeof(cfg.account_id),
	    "ZOOM_ACCOUNT_ID", v)) != 0)
		return rc;

	v = opt_oauth ? opt_oauth : cfg_get("ZOOM_OAUTH_URL");
	if (v == NULL)
		v = "https://zoom.us/oauth/token";
	if ((rc = copy_key(cfg.oauth_url, sizeof(cfg.oauth_url),
	    "ZOOM_OAUTH_URL", v)) != 0)
		return rc;
	if ((rc = url_parse(&cfg.oauth, cfg.oauth_url)) != 0 ||
	    strcmp(cfg.oauth.scheme, "https") != 0) {
		logm(L_ERROR, "ZOOM_OAUTH_URL %s: %s", cfg.oauth_url,
		    rc ? url_error_hint(rc) : "the token endpoint is https://");
		return EX_CONFIG_;
	}

	v = opt_ws ? opt_ws : cfg_get("ZOOM_WS_URL");
	if (v == NULL)
		v = "wss://ws.zoom.us/ws";
	if ((rc = copy_key(cfg.ws_url, sizeof(cfg.ws_url), "ZOOM_WS_URL", v)) != 0)
		return rc;
	if ((rc = url_parse(&cfg.ws, cfg.ws_url)) != 0 ||
	    strcmp(cfg.ws.scheme, "wss") != 0) {
		logm(L_ERROR, "ZOOM_WS_URL %s: %s", cfg.ws_url,
		    rc ? url_error_hint(rc) : "the endpoint is wss://");
		return EX_CONFIG_;
	}
	qn = url_query_get(cfg.ws.target, "subscriptionId", sub_in_url,
	    sizeof(sub_in_url));
	if (qn == -2) {
		logm(L_ERROR, "ZOOM_WS_URL: bad subscriptionId");
		return EX_CONFIG_;
	}
	v = opt_sub ? opt_sub : cfg_get("ZOOM_SUBSCRIPTION_ID");
	if (v != NULL) {
		if ((rc = copy_key(cfg.sub_id, sizeof(cfg.sub_id),
		    "ZOOM_SUBSCRIPTION_ID", v)) != 0)
			return rc;
		if (qn > 0 && strcmp(sub_in_url, v) != 0)
			logm(L_WARN, "ZOOM_SUBSCRIPTION_ID differs from the "
			    "subscriptionId in ZOOM_WS_URL; using %s", v);
	} else if (qn > 0) {
		strcpy(cfg.sub_id, sub_in_url);
	} else {
		logm(L_ERROR, "ZOOM_SUBSCRIPTION_ID is not set, and ZOOM_WS_URL "
		    "carries no subscriptionId");
		return EX_CONFIG_;
	}
	if (cfg.ca_file == NULL)
		cfg.ca_file = cfg_get("SSL_CERT_FILE");
	wipe_env("ZOOM_CLIENT_SECRET");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */

static int64_t
now_ms(void)
{
	return net_now_ms();
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* glob_match: '*' any run, '?' any one byte; everything else literal. */
static int
glob_match(const char *p, const char *s, size_t n)
{
	const char *star = NULL;
	size_t i = 0, mark = 0;

	while (i < n) {
		if (*p == '?' || (*p != '\0' && *p != '*' && *p == s[i])) {
			p++;
			i++;
		} else if (*p == '*') {
			star = p++;
			mark = i;
		} else if (star != NULL) {
			p = star + 1;
			i = ++mark;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* preview: a short printable excerpt of untrusted text for a log line,
   with long token-like runs hidden. */
static const char *
preview(const unsigned char *s, size_t n, char *buf, size_t cap)
{
	size_t i, o = 0, run = 0;

	for (i = 0; i < n && o + 4 < cap && i < 80; i++) {
		unsigned char c = s[i];
		int tok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';

		/* Tokens and JWTs are long runs of these: past 24 bytes the
		   rest of the run is hidden. */
		run = tok ? run + 1 : 0;
		if (run > 24)
			continue;
		buf[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
		if (run == 24)
			memcpy(buf + o - 4, "[..]", 4);
	}
	if (i < n && o + 4 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* Counters (SIGUSR1)                                                 */

static struct {
	int64_t   started;
	unsigned long connects;
	unsigned long long events_in, events_out, filtered, malformed;
	unsigned long long bytes_in, bytes_out;
	int64_t   last_event;
} stats;

static void
log_counters(void)
{
	char age[32];
	int64_t now = now_ms();

	if (stats.last_event)
		fmt_snprintf(age, sizeof(age), "%.1fs",
		    (double)(now - stats.last_event) / 1000);
	else
		strcpy(age, "never");
	logm(L_INFO, "counters: uptime %.1fs, connects %lu, events in %llu, "
	    "out %llu, filtered %llu, malformed %llu, bytes in %llu, "
	    "out %llu, last event %s ago", (double)(now - stats.started) / 1000,
	    stats.connects, stats.events_in, stats.events_out, stats.filtered,
	    stats.malformed, stats.bytes_in, stats.bytes_out, age);
}

static int
sleep_until(int64_t until)
{
	struct pollfd pfd;
	int64_t left;

	for (;;) {
		if (got_stop)
			return -1;
		if (got_hup)
			return 1;
		if (got_usr1) {
			got_usr1 = 0;
			log_counters();
		}
		if ((left = until - now_ms()) <= 0)
			return 0;
		pfd.fd = wakepipe[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) > 0)
			drain_wakepipe();
	}
}

/* ------------------------------------------------------------------ */
/* Output: one buffer of --max-message + slack bytes, lazily touched.  */

static struct {
	char   *buf;
	size_t  cap, head, tail;   /* pending bytes: buf[head..tail) */
	int     nonblock;          /* stdout is a pipe or socket, O_NONBLOCK */
	int     saved_flags;
	int     broken;            /* EPIPE or other write error */
} out;

static int
out_init(size_t max_message)
{
	struct stat st;

	out.cap = max_message + OBUF_SLACK;
	if ((out.buf = malloc(out.cap)) == NULL)
		return -1;
	out.saved_flags = fcntl(1, F_GETFL);
	if (out.saved_flags == -1) {
		logm(L_ERROR, "stdout is closed");
		return EX_IOERR_;
	}
	if (fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		if (fcntl(1, F_SETFL, out.saved_flags | O_NONBLOCK) == 0)
			out.nonblock = 1;
	}
	return 0;
}

static void
out_restore(void)
{
	if (out.nonblock)
		fcntl(1, F_SETFL, out.saved_flags);
}

static size_t
out_pending(void)
{
	return out.tail - out.head;
}

/* out_fits: may n more bytes be queued now? Past OUT_SOFT pending bytes
   the reader is behind: zoomws stops taking messages (back-pressure)
   rather than touch more memory; an empty buffer takes any message. */
static int
out_fits(size_t n)
{
	size_t pend = out_pending();

	return pend == 0 ? n <= out.cap : pend + n <= OUT_SOFT &&
	    pend + n <= out.cap;
}

/* out_reserve: a pointer to at least n free bytes at the tail, moving
   pending bytes to the front if that makes room; NULL when out_fits
   says no. */
static char *
out_reserve(size_t n)
{
	if (out.head == out.tail)
		out.head = out.tail = 0;
	if (!out_fits(n))
		return NULL;
	/* Keep the queue near the front so that only the first pages of
	   the buffer are ever touched: resident memory stays small. */
	if (out.cap - out.tail >= n && (out.head == 0 ||
	    out.tail + n <= 2 * OUT_SOFT))
		return out.buf + out.tail;
	if (out.cap - out_pending() < n)
		return NULL;
	memmove(out.buf, out.buf + out.head, out_pending());
	out.tail -= out.head;
	out.head = 0;
	return out.buf + out.tail;
}

/* out_flush: write what stdout takes without blocking (or, with
   block set, everything until the deadline). Returns 0 or -1 when stdout
   is gone. */
static int
out_flush(int block, int64_t deadline)
{
	ssize_t n;
	struct pollfd pfd;

	while (out_pending() > 0) {
		n = write(1, out.buf + out.head, out_pending());
		if (n > 0) {
			out.head += (size_t)n;
			stats.bytes_out += (unsigned long long)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int64_t left;

			if (!block || (left = deadline - now_ms()) <= 0)
				return 0;
			pfd.fd = 1;
			pfd.events = POLLOUT;
			poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
			continue;
		}
		out.broken = 1;
		return -1;
	}
	out.head = out.tail = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Token                                                              */

static struct {
	char    value[MAX_TOKEN];
	size_t  len;
	int64_t expires;      /* monotonic ms */
	int     fresh;        /* fetched for the attempt under way */
} token;

static struct ca_anchors anchors;
static struct tls tls_oauth, tls_ws;

enum fetch_result { FETCH_OK, FETCH_RETRY, FETCH_REJECTED, FETCH_CONFIG,
    FETCH_STOP };

/* Host header value: host[:port], IPv6 literals in brackets. */
static void
host_header(char *dst, size_t cap, const struct url *u)
{
	int v6 = strchr(u->host, ':') != NULL;

	if (strcmp(u->port, "443") == 0)
		fmt_snprintf(dst, cap, v6 ? "[%s]" : "%s", u->host);
	else
		fmt_snprintf(dst, cap, v6 ? "[%s]:%s" : "%s:%s", u->host, u->port);
}

static const char *
net_reason(struct tls *t, int rc, char *buf, size_t cap)
{
	switch (rc) {
	case NET_ERR_TLS:
		return tls_error(t, buf, cap);
	case NET_ERR_TIMEOUT:
		return "timed out";
	case NET_ERR_CLOSED:
		return "connection closed by peer";
	case NET_ERR_INTR:
		return "interrupted";
	case NET_ERR_IO:
		/* the socket error net.c saved, not a stale errno */
		return tls_error(t, buf, cap);
	default:
		return net_strerror(rc);
	}
}

/*
 * open_tls: TCP connect to u and complete the TLS handshake before the
 * deadline. Returns 0, or -1 after logging why (with what the peer is).
 */
/*
 * proxy_for: the proxy URL for host (--proxy, else HTTPS_PROXY or
 * https_proxy), or NULL when there is none or NO_PROXY names the host.
 */
static const char *
proxy_for(const char *host)
{
	const char *p = cfg.proxy, *np;

	if (p == NULL && (p = cfg_get("HTTPS_PROXY")) == NULL)
		p = cfg_get("https_proxy");
	if (p == NULL)
		return NULL;
	if ((np = cfg_get("NO_PROXY")) == NULL)
		np = cfg_get("no_proxy");
	return proxy_bypass(np, host) ? NULL : p;
}

/*
 * start_tls: TCP connect to u (through the proxy, if one applies) and
 * set up TLS on it; nothing is sent yet. Returns 0, or -1 after logging
 * why at level, naming the peer.
 */
static int
start_tls(struct tls *t, const struct url *u, int64_t deadline,
    const char *what, int level)
{
	char err[256];
	const char *purl;
	struct url pu;
	int fd, rc;

	if ((purl = proxy_for(u->host)) != NULL) {
		if (url_parse_proxy(&pu, purl) != 0) {
			logm(L_ERROR, "proxy URL %s: not http://[user:pass@]host:port",
			    "(redacted)");
			return -1;
		}
		logm(L_DEBUG, "%s: through proxy %s:%s", what, pu.host, pu.port);
		fd = net_connect(pu.host, pu.port, deadline, err, sizeof(err));
		if (fd < 0) {
			char inner[sizeof(err)];

			memcpy(inner, err, sizeof(inner));
			fmt_snprintf(err, sizeof(err), "proxy %.60s:%s: %.180s",
			    pu.host, pu.port, inner);
		}
		if (fd >= 0 && (rc = proxy_tunnel(fd, u->host, u->port,
		    pu.user[0] ? pu.user : NULL, pu.pass, deadline, err,
		    sizeof(err))) != PROXY_OK) {
			close(fd);
			fd = -1;
		}
		explicit_bzero(&pu, sizeof(pu));
	} else
		fd = net_connect(u->host, u->port, deadline, err, sizeof(err));
	if (fd < 0) {
		if (!got_stop)
			logm(level, "%s: %s", what, err);
		return -1;
	}
	if ((rc = tls_start(t, fd, u->host, &anchors)) < 0) {
		close(fd);
		logm(L_ERROR, "%s: TLS set-up failed", what);
		return -1;
	}
	return 0;
}

/* finish_tls: complete the handshake start_tls began, before the
   deadline. Returns 0, or -1 after logging why and closing t. */
static int
finish_tls(struct tls *t, const struct url *u, int64_t deadline,
    const char *what, struct tls *side)
{
	char err[256], desc[128];
	int rc;

	if ((rc = tls_handshake(t, deadline, side)) < 0) {
		if (!got_stop)
			logm(L_WARN, "%s %s:%s: TLS handshake: %s", what, u->host,
			    u->port, net_reason(t, rc, err, sizeof(err)));
		tls_close(t);
		return -1;
	}
	tls_describe(t, desc, sizeof(desc));
	logm(L_DEBUG, "%s %s:%s: %s%s", what, u->host, u->port, desc,
	    tls_resumed(t) ? " (resumed)" : "");
	return 0;
}

/* open_tls: start_tls and finish_tls, failures logged as warnings. */
static int
open_tls(struct tls *t, const struct url *u, int64_t deadline,
    const char *what)
{
	if (start_tls(t, u, deadline, what, L_WARN) < 0)
		return -1;
	return finish_tls(t, u, deadline, what, NULL);
}

/*
 * http_roundtrip: send req on t, parse the response into r, reading from
 * the engine in place; bytes after the response stay in the engine for
 * the caller. Returns HTTP_DONE, or a negative NET_ERR_* / HTTP_ERR_*
 * in *neterr / return value.
 */
static int
http_roundtrip(struct tls *t, const char *req, size_t reqlen,
    struct http_response *r, int64_t deadline, int *neterr, struct tls *side)
{
	unsigned char *p;
	size_t used;
	long n;
	int rc;

	*neterr = 0;
	if ((rc = tls_write_all(t, req, reqlen, deadline, side)) < 0) {
		*neterr = rc;
		return rc;
	}
	for (;;) {
		n = tls_wait_data(t, &p, deadline, side);
		if (n == 0) {
			rc = http_eof(r);
			if (rc != HTTP_DONE)
				*neterr = NET_ERR_CLOSED;
			return rc;
		}
		if (n < 0) {
			*neterr = (int)n;
			return (int)n;
		}
		stats.bytes_in += (unsigned long long)n;
		rc = http_feed(r, (const char *)p, (size_t)n, &used);
		tls_recv_ack(t, used);
		if (rc != HTTP_NEED_MORE)
			return rc;
	}
}

/*
 * The WebSocket connection opened early: while the token is fetched, the
 * endpoint's TCP connect and TLS handshake run too (the token fetch's
 * waits move it as their side connection), so that the upgrade can follow the
 * token at once: the handshake's round trips and the server's signature
 * overlap the token's. ws_early is when it was opened, 0: none. Used
 * only within WS_EARLY_MS; a failure just means a fresh connection. Its
 * TCP connect blocks the token request, so it gets WS_EARLY_CONNECT_MS:
 * an endpoint that does not answer is then waited for only once, by the
 * session, with the whole I/O timeout.
 */
#define WS_EARLY_MS 5000
#define WS_EARLY_CONNECT_MS 2000    /* the token waits for its connect */
static int64_t ws_early;

static int64_t io_deadline(void);

static void
ws_early_open(void)
{
	int64_t deadline = now_ms() + WS_EARLY_CONNECT_MS;

	if (deadline > io_deadline())
		deadline = io_deadline();
	logm(L_INFO, "connecting to %s:%s", cfg.ws.host, cfg.ws.port);
	if (start_tls(&tls_ws, &cfg.ws, deadline, "WebSocket endpoint",
	    L_DEBUG) < 0)
		return;
	ws_early = now_ms();
	tls_kick(&tls_ws);
}

/* ws_early_end: the token fetch is over; close the early connection
   unless it is wanted (keep). */
static void
ws_early_end(int keep)
{
	if (ws_early && !keep) {
		tls_close(&tls_ws);
		ws_early = 0;
	}
}

static int64_t
io_deadline(void)
{
	int64_t t = cfg.idle_ms < IO_TIMEOUT_MAX ? cfg.idle_ms : IO_TIMEOUT_MAX;

	return now_ms() + (t < 1000 ? 1000 : t);
}

/* Parse a JSON number span as a non-negative integer (digits only). */
static long long
span_integer(const char *s, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 15)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * fetch_token: POST the credentials to the token endpoint and keep the
 * access token. *retry_after_ms is set from Retry-After on 429/503.
 */
static enum fetch_result
fetch_token(int64_t *retry_after_ms, int early)
{
	static char req[8192], head[HTTP_MAX_HEAD], body[TOKEN_BODY_MAX];
	char creds[MAX_SECRET + 300], basic[((MAX_SECRET + 300) / 3 + 1) * 4 + 1];
	char form[1024], enc[768], hdrs[((MAX_SECRET + 300) / 3 + 1) * 4 + 256];
	char hosthdr[300], err[256], pv[128];
	struct http_response r;
	struct json_field f[5] = { { "access_token", 0, 0, 0 },
	    { "expires_in", 0, 0, 0 }, { "scope", 0, 0, 0 },
	    { "error", 0, 0, 0 }, { "reason", 0, 0, 0 } };
	size_t reqlen;
	long long expires;
	long tl;
	int rc, neterr;
	enum fetch_result res = FETCH_RETRY;

	*retry_after_ms = 0;
	logm(L_INFO, "requesting access token from %s", cfg.oauth_url);
	if (start_tls(&tls_oauth, &cfg.oauth, io_deadline(), "token endpoint",
	    L_WARN) < 0)
		return got_stop ? FETCH_STOP : FETCH_RETRY;
	if (early) {
		/* Our ClientHello first, then the WebSocket's. */
		tls_kick(&tls_oauth);
		ws_early_open();
	}
	if (finish_tls(&tls_oauth, &cfg.oauth, io_deadline(),
	    "token endpoint", ws_early ? &tls_ws : NULL) < 0)
		return got_stop ? FETCH_STOP : FETCH_RETRY;

	fmt_snprintf(creds, sizeof(creds), "%s:%s", cfg.client_id, cfg.secret);
	b64_encode(basic, sizeof(basic), creds, strlen(creds));
	explicit_bzero(creds, sizeof(creds));
	if (cfg.account_id[0]) {
		url_encode(enc, sizeof(enc), cfg.account_id, strlen(cfg.account_id));
		fmt_snprintf(form, sizeof(form),
		    "grant_type=account_credentials&account_id=%s", enc);
	} else
		strcpy(form, "grant_type=client_credentials");
	fmt_snprintf(hdrs, sizeof(hdrs), "Authorization: Basic %s\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Accept: application/json\r\n"
	    "User-Agent: zoomws/" ZOOMWS_VERSION "\r\n"
	    "Connection: close\r\n", basic);
	secrets[2] = basic;
	host_header(hosthdr, sizeof(hosthdr), &cfg.oauth);
	reqlen = http_request(req, sizeof(req), "POST", cfg.oauth.target,
	    hosthdr, hdrs, form, strlen(form));
	explicit_bzero(hdrs, sizeof(hdrs));
	if (reqlen == 0) {
		logm(L_ERROR, "token request does not fit in %zu bytes", sizeof(req));
		explicit_bzero(basic, sizeof(basic));
		tls_close(&tls_oauth);
		return FETCH_CONFIG;
	}
	http_response_init(&r, head, sizeof(head), body, sizeof(body), 0);
	rc = http_roundtrip(&tls_oauth, req, reqlen, &r, io_deadline(), &neterr,
	    ws_early ? &tls_ws : NULL);
	explicit_bzero(req, sizeof(req));
	explicit_bzero(basic, sizeof(basic));
	secrets[2] = NULL;
	tls_close(&tls_oauth);
	if (got_stop)
		return FETCH_STOP;
	if (rc != HTTP_DONE) {
		logm(L_WARN, "token endpoint: %s", neterr ?
		    net_reason(&tls_oauth, neterr, err, sizeof(err)) :
		    http_strerror(rc));
		return FETCH_RETRY;
	}
	if (r.status != 200) {
		const char *ra;
		size_t ralen;
		long long secs;

		rc = json_fields(r.body, r.bodylen, f, 5);
		logm(L_WARN, "token endpoint answered %d: %s", r.status,
		    preview((const unsigned char *)r.body, r.bodylen, pv, sizeof(pv)));
		if ((ra = http_header(&r, "Retry-After", &ralen)) != NULL &&
		    (secs = span_integer(ra, ralen)) >= 0)
			*retry_after_ms = (secs > RETRY_AFTER_MAX ?
			    RETRY_AFTER_MAX : secs) * 1000;
		if (r.status == 400 || r.status == 401 || r.status == 403) {
			logm(L_ERROR, "credentials rejected by the token endpoint: "
			    "check ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET and "
			    "ZOOM_ACCOUNT_ID (a Server-to-Server OAuth app)");
			res = FETCH_REJECTED;
		} else if (r.status == 404 || r.status == 405) {
			logm(L_ERROR, "no token endpoint at %s: check ZOOM_OAUTH_URL",
			    cfg.oauth_url);
			res = FETCH_CONFIG;
		}
		explicit_bzero(body, sizeof(body));
		return res;
	}
	rc = json_fields(r.body, r.bodylen, f, 5);
	if (rc != 0 || f[0].type != JSON_STRING) {
		logm(L_WARN, "token endpoint: %s", rc ? json_strerror(rc) :
		    "no access_token in the answer");
		explicit_bzero(body, sizeof(body));
		return FETCH_RETRY;
	}
	tl = json_unescape(token.value, sizeof(token.value) - 1,
	    r.body + f[0].start, f[0].end - f[0].start);
	expires = f[1].type == JSON_NUMBER ?
	    span_integer(r.body + f[1].start, f[1].end - f[1].start) : -1;
	if (expires <= 0) {
		logm(L_WARN, "token endpoint: no usable expires_in; assuming 3599 s");
		expires = 3599;
	}
	if (f[2].type == JSON_STRING)
		fmt_snprintf(last_info, sizeof(last_info), "valid %llds, scopes %.*s",
		    expires, (int)(f[2].end - f[2].start - 2 > 300 ? 300 :
		    f[2].end - f[2].start - 2), r.body + f[2].start + 1);
	else
		fmt_snprintf(last_info, sizeof(last_info), "valid %llds", expires);
	explicit_bzero(body, sizeof(body));
	if (tl <= 0 || memchr(token.value, '\0', (size_t)tl) != NULL) {
		logm(L_WARN, "token endpoint: unusable access_token");
		token.len = 0;
		return FETCH_RETRY;
	}
	token.len = (size_t)tl;
	token.value[token.len] = '\0';
	secrets[1] = token.value;
	/* Refetch a little before the end: a tenth of the lifetime, at most
	   a minute. */
	{
		int64_t life = expires * 1000;
		int64_t margin = life / 10 < 60000 ? life / 10 : 60000;

		token.expires = now_ms() + life - margin;
	}
	token.fresh = 1;
	logm(L_INFO, "access token received, %s", last_info);
	return FETCH_OK;
}

static void
token_forget(void)
{
	explicit_bzero(token.value, sizeof(token.value));
	token.len = 0;
	token.expires = 0;
}

/* ------------------------------------------------------------------ */
/* The WebSocket connection                                           */

enum conn_end {
	END_RETRY,        /* reconnect after backoff */
	END_REFUSED,      /* build_connection false: new token, reconnect */
	END_STOP,         /* signal, --duration, --max-events: exit 0 */
	END_OUTPUT        /* stdout gone: exit 74 */
};

static unsigned char *msgbuf;
static struct ws_reader reader;
static long long events_written;
static int64_t run_deadline;        /* --duration, or INT64_MAX */
static int64_t gap_from;            /* wall ms the last link went quiet */
static int last_healthy;            /* the last session answered a heartbeat */

struct conn {
	struct tls *t;
	int      open;             /* build_connection success seen */
	int      healthy;          /* and a heartbeat answered */
	int      closing;          /* we sent close */
	/* control frames the engine had no room for yet */
	int      pong_pending;     /* answer to the latest ping */
	unsigned char pong[WS_MAX_CONTROL];
	size_t   ponglen;
	unsigned close_pending;    /* code of our close frame, 0: none */
	int64_t  last_rx;
	int64_t  next_heartbeat;
	int64_t  close_deadline;
	/* a message that waits for room in the output buffer */
	int      pending;
	struct ws_msg msg;
	size_t   pending_ack;
	char     reason[160];
};

/*
 * ws_send: one masked frame into the engine's send buffer, pushing out
 * what the engine still holds first if it has no room. Returns 0, or -1
 * when there is still no room (the socket is full): the caller keeps the
 * frame and tries again on the next turn of the loop.
 */
static int
ws_send(struct tls *t, int opcode, const void *payload, size_t len)
{
	unsigned char mask[4], *buf;
	size_t cap, n;

	if ((buf = tls_send_buf(t, &cap)) == NULL || cap < len + 14) {
		tls_pump(t, POLLOUT);
		if ((buf = tls_send_buf(t, &cap)) == NULL)
			return -1;
	}
	net_random(mask, sizeof(mask));
	if ((n = ws_encode(buf, cap, 1, opcode, payload, len, mask)) == 0)
		return -1;
	tls_send_ack(t, n);
	tls_flush(t);
	return 0;
}

/* ws_send_close: a close frame with a status code (RFC 6455 5.5.1). */
static int
ws_send_close(struct tls *t, unsigned code)
{
	unsigned char p[2];

	p[0] = (unsigned char)(code >> 8);
	p[1] = (unsigned char)code;
	return ws_send(t, WS_OP_CLOSE, p, sizeof(p));
}

static void
emit_gap(int64_t from, int64_t to)
{
	char line[128], *p;
	int n;

	n = fmt_snprintf(line, sizeof(line),
	    "{\"event\":\"zoomws.gap\",\"payload\":{\"from\":%lld,\"to\":%lld}}\n",
	    (long long)from, (long long)to);
	if ((p = out_reserve((size_t)n)) != NULL) {
		memcpy(p, line, (size_t)n);
		out.tail += (size_t)n;
	}
}

/* Event name of a compacted event for --event: 1 match, 0 not. */
static int
event_wanted(const char *ev, size_t n)
{
	struct json_field f = { "event", 0, 0, 0 };
	char name[256];
	long nl;
	int i;

	if (cfg.nfilters == 0)
		return 1;
	if (json_fields(ev, n, &f, 1) != 0 || f.type != JSON_STRING)
		return 0;
	nl = json_unescape(name, sizeof(name), ev + f.start, f.end - f.start);
	if (nl < 0)
		return 0;
	for (i = 0; i < cfg.nfilters; i++)
		if (glob_match(cfg.filters[i], name, (size_t)nl))
			return 1;
	return 0;
}

enum handled { H_DONE, H_BLOCKED, H_REFUSED, H_MAXED, H_UTF8 };

/* count_written: one more line out; H_MAXED at --max-events. */
static enum handled
count_written(void)
{
	stats.events_out++;
	events_written++;
	stats.last_event = now_ms();
	if (cfg.max_events > 0 && events_written >= cfg.max_events)
		return H_MAXED;
	return H_DONE;
}

/*
 * handle_text: one text message from the server. Events (or, with
 * --raw, every message) go to the output buffer; lifecycle messages
 * drive c; everything else is logged. Returns H_BLOCKED, with nothing
 * changed, when the output buffer lacks room for the message: the
 * caller offers the same message again later; H_UTF8 when it is not
 * UTF-8 (the reader leaves that check here).
 */
static enum handled
handle_text(struct conn *c, unsigned char *data, size_t len)
{
	struct json_field f[3] = { { "module", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "content", 0, 0, 0 } };
	const char *doc = (const char *)data;
	char *dst, *ev, pv[128];
	size_t evlen, rawlen = 0;
	long n;
	int rc, event;

	/* Compacted output is never longer than the message; room for a
	   newline and a gap line besides. */
	if ((dst = out_reserve(len + OUT_RESERVE)) == NULL)
		return H_BLOCKED;
	/* json_envelope checks all of the message but a content string,
	   which it only delimits: an event's is checked as it is decoded,
	   into the output buffer in the same pass (but with --raw); any
	   other's with the whole message just below (with --raw, by the
	   compaction). */
	if ((rc = json_envelope_decode(doc, len, f, 3, 2, cfg.raw ? NULL : dst,
	    out.cap - out.tail, &n)) != 0)
		goto not_json;
	event = f[0].type == JSON_STRING && json_streq(doc + f[0].start,
	    f[0].end - f[0].start, "message");
	if (cfg.raw) {
		n = json_compact(dst, out.cap - out.tail, doc, len);
		if (n < 0) {
			rc = (int)n;
			goto not_json;
		}
		rawlen = (size_t)n;
	} else if (!event && f[2].type == JSON_STRING &&
	    (rc = json_validate(doc, len)) != 0)
		goto not_json;
	if (f[0].type != JSON_STRING) {
		logm(L_INFO, "message without a module: %s",
		    preview(data, len, pv, sizeof(pv)));
		goto raw_out;
	}
	if (event) {
		stats.events_in++;
		ev = (char *)data + f[2].start;
		evlen = f[2].end - f[2].start;
		/* The event, decoded when it is a string, compacted into the
		   output; with --raw the output already holds the envelope,
		   and the event is compacted in place only to check and
		   filter it. */
		if (f[2].type == JSON_STRING) {
			if (cfg.raw)
				n = json_unescape_compact(ev, evlen, ev, evlen);
		} else if (f[2].type == JSON_OBJECT)
			n = json_compact(cfg.raw ? ev : dst, cfg.raw ? evlen :
			    out.cap - out.tail, ev, evlen);
		else {
			rc = 0;
			goto malformed;
		}
		if (n < 0) {
			/* RFC 6455 8.1: the bad part may be the content
			   string, which nothing else checked. With --raw
			   json_compact did, and the event was decoded over
			   the message. */
			if (!cfg.raw && !ws_utf8_valid(data, len))
				return H_UTF8;
			rc = (int)n;
			goto malformed;
		}
		if (!event_wanted(cfg.raw ? ev : dst, (size_t)n)) {
			stats.filtered++;
			return H_DONE;
		}
		if (!cfg.raw)
			rawlen = (size_t)n;
		dst[rawlen] = '\n';
		out.tail += rawlen + 1;
		return count_written();
malformed:
		stats.malformed++;
		logm(L_WARN, "event content is not valid JSON (%s): %s",
		    rc ? json_strerror(rc) : "neither a string nor an object",
		    preview(data + f[2].start, f[2].end - f[2].start, pv,
		    sizeof(pv)));
		return H_DONE;
	}
	if (json_streq(doc + f[0].start, f[0].end - f[0].start,
	    "build_connection")) {
		if (f[1].type != JSON_TRUE) {
			logm(L_WARN, "subscription refused: %s",
			    f[2].type == JSON_STRING ? preview(data + f[2].start,
			    f[2].end - f[2].start, pv, sizeof(pv)) :
			    "(no reason given)");
			if (cfg.raw) {
				dst[rawlen] = '\n';
				out.tail += rawlen + 1;
			}
			return H_REFUSED;
		}
		c->open = 1;
		logm(L_INFO, "subscription %s open", cfg.sub_id);
		if (cfg.raw) {
			dst[rawlen] = '\n';
			out.tail += rawlen + 1;
		}
		if (gap_from) {
			int64_t wall = wall_ms();

			logm(L_INFO, "events between %lld and %lld (%.1fs) may "
			    "have been missed", (long long)gap_from,
			    (long long)wall, (double)(wall - gap_from) / 1000);
			if (cfg.gaps)
				emit_gap(gap_from, wall);
			gap_from = 0;
		}
		return H_DONE;
	}
	if (json_streq(doc + f[0].start, f[0].end - f[0].start, "heartbeat")) {
		logm(L_DEBUG, "heartbeat answered");
		if (c->open)
			c->healthy = 1;
		goto raw_out;
	}
	logm(L_INFO, "message of an unknown module ignored: %s",
	    preview(data, len, pv, sizeof(pv)));
raw_out:
	if (cfg.raw) {
		dst[rawlen] = '\n';
		out.tail += rawlen + 1;
	}
	return H_DONE;
not_json:
	/* RFC 6455 8.1, checked here rather than by the reader
	   (text_later): what json_envelope and then json_unescape_compact,
	   json_validate or json_compact accept is UTF-8. */
	if (!ws_utf8_valid(data, len))
		return H_UTF8;
	stats.malformed++;
	logm(L_WARN, "message that is not JSON (%s): %s", json_strerror(rc),
	    preview(data, len, pv, sizeof(pv)));
	return H_DONE;
}

/*
 * handle_msg: one message or control frame. Returns as handle_text;
 * control frames are answered here.
 */
static enum handled
handle_msg(struct conn *c, struct ws_msg *m)
{
	switch (m->opcode) {
	case WS_OP_TEXT:
		return handle_text(c, m->data, m->len);
	case WS_OP_BINARY:
		logm(L_DEBUG, "binary message of %zu bytes ignored", m->len);
		return H_DONE;
	case WS_OP_PING:
		logm(L_TRACE, "ping (%zu bytes), answering", m->len);
		/* RFC 6455 5.5.3: a pong not sent yet may be replaced by the
		   answer to a later ping. */
		c->pong_pending = 0;
		if (ws_send(c->t, WS_OP_PONG, m->data, m->len) < 0) {
			memcpy(c->pong, m->data, m->len);
			c->ponglen = m->len;
			c->pong_pending = 1;
		}
		return H_DONE;
	case WS_OP_PONG:
		return H_DONE;
	case WS_OP_CLOSE:
		fmt_snprintf(c->reason, sizeof(c->reason), "server closed the "
		    "connection (code %u%s%.*s)", m->close_code,
		    m->len > 2 ? ": " : "", m->len > 2 ? (int)(m->len - 2 > 100 ?
		    100 : m->len - 2) : 0, m->len > 2 ? (char *)m->data + 2 : "");
		if (!c->closing) {
			/* RFC 6455 5.5.1: echo the code back. */
			unsigned code = m->close_code == 1005 ? 1000 : m->close_code;

			if (ws_send_close(c->t, code) < 0)
				c->close_pending = code;
			c->closing = 1;
		}
		return H_DONE;
	}
	return H_DONE;
}

/*
 * upgrade: send the WebSocket upgrade request with the token in the
 * query, check the 101 answer. Returns 0, 1 when the server refused the
 * token at the HTTP level, or -1 after logging.
 */
static int
upgrade(struct tls *t)
{
	static char req[8192], head[HTTP_MAX_HEAD], target[8192];
	char enc[MAX_TOKEN * 3 + 1], subenc[800], key[WS_KEY_LEN + 1];
	char hosthdr[300], hdrs[512], err[256], redacted[512];
	unsigned char nonce[16];
	struct http_response r;
	const char *q, *acc;
	size_t reqlen, acclen, tl;
	int rc, neterr;

	/* The configured target without subscriptionId/access_token, then
	   ours. */
	q = strchr(cfg.ws.target, '?');
	tl = q ? (size_t)(q - cfg.ws.target) : strlen(cfg.ws.target);
	if (tl >= sizeof(target) / 2)
		return -1;
	memcpy(target, cfg.ws.target, tl);
	target[tl] = '\0';
	if (q != NULL) {
		const char *p = q + 1, *e;
		char sep = '?';

		while (*p) {
			e = strchr(p, '&');
			if (e == NULL)
				e = p + strlen(p);
			if (strncmp(p, "subscriptionId=", 15) != 0 &&
			    strncmp(p, "access_token=", 13) != 0 && e > p &&
			    tl + (size_t)(e - p) + 2 < sizeof(target) / 2) {
				target[tl++] = sep;
				memcpy(target + tl, p, (size_t)(e - p));
				tl += (size_t)(e - p);
				sep = '&';
			}
			p = *e ? e + 1 : e;
		}
		target[tl] = '\0';
		q = strchr(target, '?');
	}
	url_encode(subenc, sizeof(subenc), cfg.sub_id, strlen(cfg.sub_id));
	url_encode(enc, sizeof(enc), token.value, token.len);
	fmt_snprintf(target + tl, sizeof(target) - tl, "%csubscriptionId=%s"
	    "&access_token=%s", q ? '&' : '?', subenc, enc);
	secrets[3] = enc;
	net_random(nonce, sizeof(nonce));
	ws_make_key(key, nonce);
	fmt_snprintf(hdrs, sizeof(hdrs), "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "User-Agent: zoomws/" ZOOMWS_VERSION "\r\n", key);
	host_header(hosthdr, sizeof(hosthdr), &cfg.ws);
	reqlen = http_request(req, sizeof(req), "GET", target, hosthdr, hdrs,
	    NULL, 0);
	url_redact(redacted, sizeof(redacted), target);
	logm(L_DEBUG, "GET %s", redacted);
	explicit_bzero(target, sizeof(target));
	explicit_bzero(enc, sizeof(enc));
	if (reqlen == 0) {
		logm(L_ERROR, "upgrade request too long");
		return -1;
	}
	http_response_init(&r, head, sizeof(head), NULL, 0, 1);
	rc = http_roundtrip(t, req, reqlen, &r, io_deadline(), &neterr, NULL);
	explicit_bzero(req, sizeof(req));
	secrets[3] = NULL;
	if (rc != HTTP_DONE) {
		if (!got_stop)
			logm(L_WARN, "WebSocket upgrade: %s", neterr ?
			    net_reason(t, neterr, err, sizeof(err)) :
			    http_strerror(rc));
		return -1;
	}
	if (r.status != 101) {
		logm(L_WARN, "WebSocket upgrade answered %d instead of 101%s",
		    r.status, r.status == 401 || r.status == 403 ?
		    ": access token refused" : r.status == 404 ?
		    ": check ZOOM_WS_URL and the subscription id" : "");
		return r.status == 401 || r.status == 403 ? 1 : -1;
	}
	if (!http_header_has_token(&r, "Upgrade", "websocket") ||
	    !http_header_has_token(&r, "Connection", "upgrade")) {
		logm(L_WARN, "WebSocket upgrade: 101 without Upgrade: websocket "
		    "and Connection: Upgrade");
		return -1;
	}
	acc = http_header(&r, "Sec-WebSocket-Accept", &acclen);
	if (acc == NULL || !ws_accept_ok(key, acc, acclen)) {
		logm(L_WARN, "WebSocket upgrade: wrong Sec-WebSocket-Accept");
		return -1;
	}
	if (http_header(&r, "Sec-WebSocket-Extensions", &acclen) != NULL) {
		logm(L_WARN, "WebSocket upgrade: server chose an extension "
		    "that was not offered");
		return -1;
	}
	return 0;
}

/* Offer a held message again; once taken, ack the bytes it used. */
static enum handled
retry_pending(struct conn *c)
{
	enum handled h = handle_msg(c, &c->msg);

	if (h != H_BLOCKED) {
		c->pending = 0;
		tls_recv_ack(c->t, c->pending_ack);
	}
	return h;
}

/*
 * begin_close: start the closing handshake (RFC 6455 7.1.2): queue our
 * close frame and give the server until the deadline to answer it.
 */
static void
begin_close(struct conn *c, unsigned code, int64_t linger_ms)
{
	if (!c->closing) {
		if (ws_send_close(c->t, code) < 0)
			c->close_pending = code;
		c->closing = 1;
	}
	c->close_deadline = now_ms() + linger_ms;
}

/*
 * drain_tls: push what the engine still has to send (a close frame, a
 * close_notify) before the socket is closed, until the deadline.
 */
static void
drain_tls(struct tls *t, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	short ev;

	while ((ev = tls_events(t)) & POLLOUT) {
		if ((left = deadline - now_ms()) <= 0)
			return;
		pfd.fd = t->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			return;
		if (tls_pump(t, pfd.revents) < 0)
			return;
	}
}

/*
 * session: one WebSocket connection, from the TCP connect through the
 * upgrade and the event stream to its end. Returns why it ended.
 *
 * States: open (events flow, heartbeats go out, the idle timer runs) and
 * closing (our close frame is queued or the server's was answered; what
 * still arrives is handled until the server closes or the deadline).
 */
static enum conn_end
session(void)
{
	static const char hb[] = "{\"module\":\"heartbeat\"}";
	struct conn c;
	struct pollfd pfd[3];
	enum handled h;
	enum conn_end end = END_RETRY;
	char err[256], desc[128];
	int64_t now, wait, until;
	int rc, maxed = 0;

	memset(&c, 0, sizeof(c));
	c.t = &tls_ws;
	if (ws_early && tls_ws.bgerr == 0)
		tls_ws.bgerr = tls_pump(&tls_ws, 0);    /* closed since? */
	if (ws_early && (tls_ws.bgerr != 0 || tls_closed(&tls_ws) ||
	    now_ms() - ws_early > WS_EARLY_MS)) {
		/* failed, closed or stale: a fresh one says why, if it fails */
		tls_close(&tls_ws);
		ws_early = 0;
	}
	if (ws_early) {
		ws_early = 0;
		rc = finish_tls(c.t, &cfg.ws, io_deadline(),
		    "WebSocket endpoint", NULL);
	} else {
		logm(L_INFO, "connecting to %s:%s", cfg.ws.host, cfg.ws.port);
		rc = open_tls(c.t, &cfg.ws, io_deadline(), "WebSocket endpoint");
	}
	if (rc < 0)
		return got_stop ? END_STOP : END_RETRY;
	rc = upgrade(c.t);
	if (rc != 0) {
		tls_close(c.t);
		if (got_stop)
			return END_STOP;
		return rc == 1 ? END_REFUSED : END_RETRY;
	}
	stats.connects++;
	tls_describe(c.t, desc, sizeof(desc));
	logm(L_INFO, "connected to %s:%s (%s%s)", cfg.ws.host, cfg.ws.port,
	    desc, tls_resumed(c.t) ? ", session resumed" : "");
	ws_reader_init(&reader, msgbuf, cfg.max_message);
	reader.text_later = 1;          /* handle_text checks */
	now = now_ms();
	c.last_rx = now;
	c.next_heartbeat = now + cfg.heartbeat_ms;
	strcpy(c.reason, "connection lost");

	for (;;) {
		unsigned char *in;
		size_t len, used;
		struct ws_msg m;

		/* 1. A held message first, then what the engine decrypted. */
		h = c.pending ? retry_pending(&c) : H_DONE;
		while (!c.pending && h != H_REFUSED && h != H_UTF8 &&
		    (in = tls_recv_buf(c.t, &len)) != NULL && len > 0) {
			if (h == H_MAXED) {
				maxed = 1;
				end = END_STOP;
				begin_close(&c, 1000, 500);
			}
			stats.bytes_in += len;
			c.last_rx = now_ms();
			rc = ws_read(&reader, in, len, &used, &m);
			if (rc < 0) {
				fmt_snprintf(c.reason, sizeof(c.reason), "protocol error "
				    "from server: %s", ws_strerror(rc));
				/* RFC 6455 7.1.7: fail the connection. */
				begin_close(&c, ws_close_code(rc), 0);
				goto done;
			}
			if (rc == WS_NEED_MORE || (maxed && m.opcode != WS_OP_CLOSE)) {
				/* Past --max-events nothing more goes out. */
				tls_recv_ack(c.t, used);
				continue;
			}
			h = handle_msg(&c, &m);
			if (h == H_UTF8)
				break;
			if (h == H_BLOCKED) {
				/* Back-pressure: keep the message and its bytes in
				   the engine; reading stops until stdout drains. */
				c.pending = 1;
				c.msg = m;
				c.pending_ack = used;
				break;
			}
			tls_recv_ack(c.t, used);
		}
		if (h == H_UTF8) {
			fmt_snprintf(c.reason, sizeof(c.reason), "protocol "
			    "error from server: %s", ws_strerror(WS_ERR_UTF8));
			begin_close(&c, ws_close_code(WS_ERR_UTF8), 0);
			goto done;
		}
		if (h == H_REFUSED) {
			end = END_REFUSED;
			begin_close(&c, 1000, 0);
			goto done;
		}
		if (h == H_MAXED && !maxed) {
			maxed = 1;
			end = END_STOP;
			begin_close(&c, 1000, 500);
		}
		if (c.closing && c.close_deadline == 0)
			/* The server's close, answered: let it close TCP. */
			c.close_deadline = now_ms() + 1000;

		/* 2. Stdout, without blocking, once a batch is there or a
		   message waits for room (else before the wait, below). */
		if ((out_pending() >= OUT_BATCH || c.pending) &&
		    out_flush(0, 0) < 0) {
			end = END_OUTPUT;
			goto done;
		}
		if (c.pending && out_fits(c.msg.len + OUT_RESERVE))
			continue;

		/* 3. Control frames that found no room, signals, timers. */
		if (c.pong_pending &&
		    ws_send(c.t, WS_OP_PONG, c.pong, c.ponglen) == 0)
			c.pong_pending = 0;
		if (c.close_pending && ws_send_close(c.t, c.close_pending) == 0)
			c.close_pending = 0;
		if (got_usr1) {
			got_usr1 = 0;
			log_counters();
		}
		now = now_ms();
		if ((got_stop || now >= run_deadline) && end != END_STOP) {
			end = END_STOP;
			strcpy(c.reason, "stopping");
			begin_close(&c, 1000, 500);
		}
		if (got_hup && !c.closing) {
			strcpy(c.reason, "SIGHUP: reloading the configuration");
			begin_close(&c, 1000, 500);
		}
		if (c.closing) {
			if (now >= c.close_deadline)
				goto done;
		} else {
			/* Under back-pressure nothing is read: silence then says
			   nothing of the link. */
			if (c.pending)
				c.last_rx = now;
			if (now - c.last_rx >= cfg.idle_ms) {
				fmt_snprintf(c.reason, sizeof(c.reason), "nothing received "
				    "for %.1fs: connection dead",
				    (double)cfg.idle_ms / 1000);
				goto done;
			}
			if (now >= c.next_heartbeat &&
			    ws_send(c.t, WS_OP_TEXT, hb, sizeof(hb) - 1) == 0) {
				logm(L_TRACE, "heartbeat sent");
				c.next_heartbeat += cfg.heartbeat_ms;
				if (c.next_heartbeat <= now)
					c.next_heartbeat = now + cfg.heartbeat_ms;
			}
		}

		/* 4. Wait for the socket, stdout, a signal or the next timer. */
		if (c.closing)
			until = c.close_deadline;
		else {
			until = c.last_rx + cfg.idle_ms;
			if (c.next_heartbeat < until)
				until = c.next_heartbeat;
		}
		if (run_deadline < until)
			until = run_deadline;
		wait = until - now;
		if (wait < 0)
			wait = 0;
		/* Lines are written when the socket has nothing more at hand:
		   under load one write takes many of them. (A held message
		   leaves its bytes in the engine: nothing more is at hand.)
		   The pump may find the peer gone: checked just below. */
		if (out_pending() > 0) {
			if (!c.pending && !tls_closed(c.t)) {
				(void)tls_pump(c.t, 0);
				if ((in = tls_recv_buf(c.t, &len)) != NULL &&
				    len > 0)
					continue;
			}
			if (out_flush(0, 0) < 0) {
				end = END_OUTPUT;
				goto done;
			}
		}
		/* Over once the peer is gone and all it sent is handled; a
		   message held for stdout is written first. */
		if (tls_closed(c.t) && !c.pending &&
		    ((in = tls_recv_buf(c.t, &len)) == NULL || len == 0)) {
			if (!c.closing)
				strcpy(c.reason, "connection closed by server "
				    "without a close frame");
			goto done;
		}
		pfd[0].fd = tls_closed(c.t) ? -1 : c.t->fd;
		pfd[0].events = tls_events(c.t);
		pfd[1].fd = wakepipe[0];
		pfd[1].events = POLLIN;
		pfd[2].fd = out.nonblock && out_pending() ? 1 : -1;
		pfd[2].events = POLLOUT;
		if (poll(pfd, 3, wait > INT_MAX ? INT_MAX : (int)wait) < 0 &&
		    errno != EINTR) {
			fmt_snprintf(c.reason, sizeof(c.reason), "poll: %s",
			    strerror(errno));
			goto done;
		}
		if (pfd[1].revents)
			drain_wakepipe();
		if (pfd[2].revents & POLLERR) {
			out.broken = 1;
			end = END_OUTPUT;
			goto done;
		}
		rc = tls_closed(c.t) ? NET_ERR_CLOSED :
		    tls_pump(c.t, pfd[0].revents);
		if (rc < 0 && !c.pending &&
		    (tls_recv_buf(c.t, &len) == NULL || len == 0)) {
			/* Data decrypted before a failure is still handled
			   above; only then does the connection end. */
			if (rc != NET_ERR_CLOSED)
				fmt_snprintf(c.reason, sizeof(c.reason), "%s",
				    net_reason(c.t, rc, err, sizeof(err)));
			else if (!c.closing)
				strcpy(c.reason, "connection closed by server "
				    "without a close frame");
			goto done;
		}
	}

done:
	if (c.close_pending)
		ws_send_close(c.t, c.close_pending);
	drain_tls(c.t, now_ms() + 300);
	tls_close(c.t);
	/* Events may have been missed since the last byte arrived. */
	if (c.open)
		gap_from = wall_ms() - (now_ms() - c.last_rx);
	if (end != END_STOP && end != END_OUTPUT)
		logm(L_INFO, "disconnected: %s%s", c.reason, c.open ?
		    "; events are missed until the subscription is open again" :
		    "");
	last_healthy = c.healthy;
	return end;
}

/* ------------------------------------------------------------------ */
/* --check: every step once, a line each on stderr                    */

static int64_t step_t0;

static void
step_begin(void)
{
	last_warning[0] = '\0';
	step_t0 = now_ms();
}

/* step_end: print the step's line; on failure a hint. Returns code. */
static int
step_end(const char *name, int code, const char *detail, const char *hint)
{
	say(2, "  %-4s  %-17s %6lld ms  %s\n", code ? "FAIL" : "ok", name,
	    (long long)(now_ms() - step_t0), detail && *detail ? detail :
	    code && last_warning[0] ? last_warning : "");
	if (code && hint)
		say(2, "        hint: %s\n", hint);
	if (code)
		say(2, "check failed at %s (exit %d)\n", name, code);
	return code;
}

/* check_next_text: the next text message of the open connection, in
   place in the engine's buffer (copied to buf). */
static long
check_next_text(struct tls *t, char *buf, size_t cap, int64_t deadline)
{
	unsigned char *in;
	struct ws_msg m;
	size_t used;
	long n;
	int rc;

	for (;;) {
		if ((n = tls_wait_data(t, &in, deadline, NULL)) <= 0)
			return n == 0 ? NET_ERR_CLOSED : n;
		rc = ws_read(&reader, in, (size_t)n, &used, &m);
		if (rc < 0) {
			tls_recv_ack(t, used);
			return NET_ERR_IO;
		}
		if (rc == WS_NEED_MORE) {
			tls_recv_ack(t, used);
			continue;
		}
		if (m.opcode == WS_OP_PING)
			ws_send(t, WS_OP_PONG, m.data, m.len);
		if (m.opcode == WS_OP_CLOSE) {
			tls_recv_ack(t, used);
			return NET_ERR_CLOSED;
		}
		if (m.opcode != WS_OP_TEXT) {
			tls_recv_ack(t, used);
			continue;
		}
		n = m.len < cap - 1 ? (long)m.len : (long)cap - 1;
		memcpy(buf, m.data, (size_t)n);
		buf[n] = '\0';
		tls_recv_ack(t, used);
		return n;
	}
}

/* Does the message text have this module (and success, if asked)? */
static int
module_is(const char *msg, size_t len, const char *module, int *success)
{
	struct json_field f[2] = { { "module", 0, 0, 0 }, { "success", 0, 0, 0 } };

	if (json_fields(msg, len, f, 2) != 0 || f[0].type != JSON_STRING ||
	    !json_streq(msg + f[0].start, f[0].end - f[0].start, module))
		return 0;
	if (success)
		*success = f[1].type == JSON_TRUE;
	return 1;
}

static int
run_check(const char *ca_source)
{
	static char msg[4096];
	char detail[1200], err[256], pv[128], host[NET_ADDRSTRLEN];
	static struct net_addrs addrs;
	const char *purl;
	struct url pu, *target = &cfg.ws;
	int64_t retry, deadline;
	enum fetch_result fr;
	size_t off, i;
	long n;
	int fd, rc, ok;

	if ((purl = proxy_for(cfg.ws.host)) != NULL) {
		if (url_parse_proxy(&pu, purl) != 0)
			return step_end("configuration", EX_CONFIG_, "proxy URL is "
			    "not http://[user:pass@]host:port",
			    "fix --proxy or HTTPS_PROXY");
		target = &pu;
	}
	fmt_snprintf(detail, sizeof(detail), "subscription %s, %s grant, CAs "
	    "from %s (%zu)%s%s%s", cfg.sub_id, cfg.account_id[0] ?
	    "account_credentials" : "client_credentials", ca_source,
	    anchors.n, purl ? ", proxy " : "", purl ? pu.host : "",
	    purl ? "" : "");
	step_end("configuration", 0, detail, NULL);

	step_begin();
	rc = net_resolve(target->host, target->port, &addrs, io_deadline(),
	    err, sizeof(err));
	if (rc != NET_OK) {
		return step_end("DNS", EX_UNAVAILABLE_, err, purl ?
		    "the proxy's name does not resolve: check HTTPS_PROXY" :
		    "the endpoint's name does not resolve: check ZOOM_WS_URL "
		    "and the host's resolver (/etc/resolv.conf); a network that "
		    "only allows a proxy needs HTTPS_PROXY");
	}
	off = (size_t)fmt_snprintf(detail, sizeof(detail), "%s:", target->host);
	for (i = 0; i < addrs.n && off < sizeof(detail) - 64; i++) {
		net_addr_str((struct sockaddr *)&addrs.a[i].sa, host, sizeof(host));
		off += (size_t)fmt_snprintf(detail + off, sizeof(detail) - off, " %s",
		    host);
	}
	step_end("DNS", 0, detail, NULL);

	step_begin();
	fd = net_connect(target->host, target->port, io_deadline(), err,
	    sizeof(err));
	if (fd < 0)
		return step_end("TCP", EX_UNAVAILABLE_, err, purl ?
		    "the proxy does not accept connections: check HTTPS_PROXY" :
		    "the endpoint does not accept connections: a firewall may "
		    "block outbound port 443; set HTTPS_PROXY if traffic must "
		    "go through a proxy");
	close(fd);
	fmt_snprintf(detail, sizeof(detail), "%s:%s", target->host, target->port);
	step_end("TCP", 0, detail, NULL);
	if (purl)
		explicit_bzero(&pu, sizeof(pu));

	step_begin();
	if (open_tls(&tls_ws, &cfg.ws, io_deadline(), "WebSocket endpoint") < 0) {
		const char *hint = strstr(last_warning, "not trusted") ||
		    strstr(last_warning, "unknown CA") ?
		    "the server's certificate chain is not trusted: set --ca-file "
		    "or SSL_CERT_FILE to a bundle that has its CA (a proxy that "
		    "inspects TLS needs its own CA there)" :
		    strstr(last_warning, "expired") || strstr(last_warning,
		    "not yet valid") ?
		    "certificate outside its validity: is the system clock "
		    "right? (date -u; set it with ntp)" :
		    strstr(last_warning, "proxy") ?
		    "the proxy refused the tunnel: check HTTPS_PROXY, its "
		    "credentials and that it allows CONNECT to port 443" :
		    strstr(last_warning, "match") ?
		    "the certificate is for another name: check the host in "
		    "ZOOM_WS_URL" : "check ZOOM_WS_URL and the network";
		return step_end("TLS", EX_UNAVAILABLE_, NULL, hint);
	}
	{
		char desc[128], cert[256];

		tls_describe(&tls_ws, desc, sizeof(desc));
		tls_peer_summary(&tls_ws, cert, sizeof(cert));
		fmt_snprintf(detail, sizeof(detail), "%s; %s", desc, cert);
	}
	tls_close(&tls_ws);
	step_end("TLS", 0, detail, NULL);

	step_begin();
	fr = fetch_token(&retry, 0);
	if (fr != FETCH_OK)
		return step_end("token", fr == FETCH_REJECTED ? EX_NOPERM_ :
		    fr == FETCH_CONFIG ? EX_CONFIG_ : EX_UNAVAILABLE_, NULL,
		    fr == FETCH_REJECTED ? "the token endpoint refused the "
		    "credentials: check ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET; "
		    "they must belong to a Server-to-Server OAuth app, with its "
		    "ZOOM_ACCOUNT_ID" : fr == FETCH_CONFIG ?
		    "check ZOOM_OAUTH_URL" :
		    "the token endpoint did not answer well: check ZOOM_OAUTH_URL "
		    "and the network");
	step_end("token", 0, last_info, NULL);

	step_begin();
	if (open_tls(&tls_ws, &cfg.ws, io_deadline(), "WebSocket endpoint") < 0)
		return step_end("upgrade", EX_UNAVAILABLE_, NULL,
		    "the endpoint went away between two connections");
	rc = upgrade(&tls_ws);
	if (rc != 0) {
		tls_close(&tls_ws);
		return step_end("upgrade", rc == 1 ? EX_NOPERM_ : EX_UNAVAILABLE_,
		    NULL, strstr(last_warning, "404") ?
		    "no WebSocket endpoint there: check ZOOM_WS_URL (copy it from "
		    "the Marketplace)" : "the WebSocket upgrade failed: check "
		    "ZOOM_WS_URL");
	}
	step_end("upgrade", 0, "101 Switching Protocols", NULL);

	step_begin();
	ws_reader_init(&reader, msgbuf, cfg.max_message);
	deadline = io_deadline();
	n = check_next_text(&tls_ws, msg, sizeof(msg), deadline);
	ok = 0;
	if (n < 0 || !module_is(msg, (size_t)n, "build_connection", &ok)) {
		tls_close(&tls_ws);
		return step_end("build_connection", EX_UNAVAILABLE_, n < 0 ?
		    net_reason(&tls_ws, (int)n, err, sizeof(err)) :
		    preview((unsigned char *)msg, (size_t)n, pv, sizeof(pv)),
		    "the server did not open the subscription");
	}
	if (!ok) {
		tls_close(&tls_ws);
		return step_end("build_connection", EX_NOPERM_,
		    preview((unsigned char *)msg, (size_t)n, pv, sizeof(pv)),
		    "the subscription was refused: check ZOOM_SUBSCRIPTION_ID "
		    "(the Marketplace shows it with the endpoint URL) and that "
		    "the token belongs to the app that owns the subscription");
	}
	step_end("build_connection", 0, "success", NULL);

	step_begin();
	ws_send(&tls_ws, WS_OP_TEXT, "{\"module\":\"heartbeat\"}", 22);
	deadline = io_deadline();
	for (;;) {
		n = check_next_text(&tls_ws, msg, sizeof(msg), deadline);
		if (n < 0)
			break;
		if (module_is(msg, (size_t)n, "heartbeat", NULL))
			break;
	}
	ws_send_close(&tls_ws, 1000);
	drain_tls(&tls_ws, now_ms() + 300);
	tls_close(&tls_ws);
	if (n < 0)
		return step_end("heartbeat", EX_UNAVAILABLE_, net_reason(&tls_ws,
		    (int)n, err, sizeof(err)), "no answer to the heartbeat");
	step_end("heartbeat", 0, preview((unsigned char *)msg, (size_t)n, pv,
	    sizeof(pv)), NULL);
	say(2, "check passed\n");
	return 0;
}

/*
 * reload: SIGHUP. Read the env file and the environment again, so that
 * rotated credentials take effect; on any error keep what was running.
 */
static void
reload(void)
{
	static struct config saved;
	const char *env_file = cfg.env_file_given ? cfg.env_file : NULL;

	saved = cfg;
	cfg.env_file = env_file;
	if (config_resolve(1) != 0) {
		logm(L_ERROR, "SIGHUP: configuration not reloaded; the old one "
		    "stays in use");
		cfg = saved;
	} else {
		logm(L_INFO, "SIGHUP: configuration reloaded");
		token_forget();
	}
	explicit_bzero(&saved, sizeof(saved));
}

/* ------------------------------------------------------------------ */

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
"      --proxy URL          HTTP CONNECT proxy (HTTPS_PROXY)\n"
"  -E, --event GLOB         only events whose name matches; repeatable\n"
"      --raw                every text message as received, compacted\n"
"      --gaps               after a reconnect, a zoomws.gap line\n"
"  -n, --max-events N       exit 0 after N events\n"
"  -t, --duration SECONDS   exit 0 after this long\n"
"      --heartbeat SECONDS  heartbeat interval (25)\n"
"      --idle-timeout SECONDS  silence that means a dead link (3 x heartbeat)\n"
"      --backoff-min SECONDS, --backoff-max SECONDS  reconnect delay (1, 60)\n"
"      --max-retries N      give up after N failed attempts in a row (0: never)\n"
"      --max-message BYTES  largest message accepted (4 MiB)\n"
"      --lock PATH          exclusive lock; exit 75 if held\n"
"      --syslog             log to syslog instead of stderr\n"
"      --check              preflight every step, report, exit\n"
"  -v, -q                   more / less logging\n"
"      --version, -h, --help\n"
"\n"
"Exit: 0 stopped; 64 usage; 69 retries used up; 74 stdout gone;\n"
"75 lock held; 77 credentials refused; 78 configuration.\n";

enum {
	OPT_SUB = 256, OPT_WSURL, OPT_OAUTH, OPT_CA, OPT_PROXY, OPT_RAW,
	OPT_GAPS, OPT_HB, OPT_IDLE, OPT_BMIN, OPT_BMAX, OPT_RETRIES, OPT_MAXMSG,
	OPT_LOCK, OPT_SYSLOG, OPT_CHECK, OPT_VERSION
};

static const struct option longopts[] = {
	{ "env-file", required_argument, NULL, 'e' },
	{ "subscription", required_argument, NULL, OPT_SUB },
	{ "ws-url", required_argument, NULL, OPT_WSURL },
	{ "oauth-url", required_argument, NULL, OPT_OAUTH },
	{ "ca-file", required_argument, NULL, OPT_CA },
	{ "proxy", required_argument, NULL, OPT_PROXY },
	{ "event", required_argument, NULL, 'E' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "gaps", no_argument, NULL, OPT_GAPS },
	{ "max-events", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 't' },
	{ "heartbeat", required_argument, NULL, OPT_HB },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "backoff-min", required_argument, NULL, OPT_BMIN },
	{ "backoff-max", required_argument, NULL, OPT_BMAX },
	{ "max-retries", required_argument, NULL, OPT_RETRIES },
	{ "max-message", required_argument, NULL, OPT_MAXMSG },
	{ "lock", required_argument, NULL, OPT_LOCK },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
usage_error(const char *fmt, const char *arg)
{
	char msg[1024];

	fmt_snprintf(msg, sizeof(msg), fmt, arg);
	say(2, "zoomws: %s\ntry 'zoomws --help'\n", msg);
	return EX_USAGE_;
}

/*
 * parse_seconds: a decimal number of seconds, digits with an optional
 * fraction ("25", "0.2", ".5"), into milliseconds rounded to the nearest.
 * Refused: under 1 ms, over SECONDS_MAX s, a sign, an exponent, blanks.
 */
static int
parse_seconds(const char *s, int64_t *ms)
{
	static const int scale[3] = { 100, 10, 1 };
	int64_t v = 0;
	int digits = 0, frac, up = 0, rest = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if ((v = v * 10 + (*s - '0')) > SECONDS_MAX)
			return -1;
	v *= 1000;
	if (*s == '.')
		for (s++, frac = 0; *s >= '0' && *s <= '9'; s++, digits++, frac++) {
			if (frac < 3)
				v += (*s - '0') * scale[frac];
			else {
				up |= frac == 3 && *s >= '5';
				rest |= *s != '0';
			}
		}
	if (*s != '\0' || digits == 0 || v == 0 || v > SECONDS_MAX * 1000LL ||
	    (v == SECONDS_MAX * 1000LL && rest))
		return -1;
	*ms = v + up;
	return 0;
}

static int
parse_count(const char *s, long long *n)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*n = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || *n < 0 ? -1 : 0;
}

/* parse_bytes: N, NK/NKiB, NM/NMiB; 1 KiB to 1 GiB. */
static int
parse_bytes(const char *s, size_t *n)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (strcmp(end, "K") == 0 || strcmp(end, "k") == 0 ||
	    strcmp(end, "KiB") == 0)
		v *= 1024;
	else if (strcmp(end, "M") == 0 || strcmp(end, "MiB") == 0)
		v *= 1024 * 1024;
	else if (*end != '\0')
		return -1;
	if (v < 1024 || v > (1ULL << 30))
		return -1;
	*n = (size_t)v;
	return 0;
}

static int
backoff_delay(int failures)
{
	int64_t cap = cfg.backoff_min_ms;
	unsigned char r[4];
	uint32_t x;
	int i;

	for (i = 0; i < failures && cap < cfg.backoff_max_ms; i++)
		cap *= 2;
	if (cap > cfg.backoff_max_ms)
		cap = cfg.backoff_max_ms;
	net_random(r, sizeof(r));
	x = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
	/* Full jitter: uniform in [0, cap]. */
	return (int)((double)x / 4294967295.0 * (double)cap);
}

static int
finish(int code)
{
	/* Write out what was received: after a signal within the 2 s the
	   contract allows, else all of it however slow the reader. */
	if (out.buf != NULL && out_pending() > 0 && !out.broken)
		out_flush(1, got_stop ? now_ms() + 1500 : INT64_MAX);
	out_restore();
	if (out.broken && code == 0)
		code = EX_IOERR_;
	token_forget();
	explicit_bzero(cfg.secret, sizeof(cfg.secret));
	if (code == EX_IOERR_)
		logm(L_ERROR, "stdout closed or unwritable: exiting");
	logm(L_INFO, "exiting (%d): %llu events written", code,
	    stats.events_out);
	return code;
}

int
main(int argc, char **argv)
{
	int64_t retry_after, until;
	long long ll;
	int ch, rc, failures = 0, refusals = 0, lockfd = -1, idle_given = 0;
	char src[512], err[256];

	/* Descriptors 0-2 must be open before any socket is: a socket that
	   became fd 1 would receive the events. */
	if (fcntl(1, F_GETFD) == -1)
		return EX_IOERR_;
	for (ch = 0; ch <= 2; ch += 2)
		if (fcntl(ch, F_GETFD) == -1 &&
		    open("/dev/null", ch == 0 ? O_RDONLY : O_WRONLY) != ch)
			return EX_UNAVAILABLE_;

	cfg.heartbeat_ms = 25000;
	cfg.backoff_min_ms = 1000;
	cfg.backoff_max_ms = 60000;
	cfg.max_message = 4 << 20;
	cfg.max_events = 0;

	while ((ch = getopt_long(argc, argv, "e:E:n:t:vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			cfg.env_file = optarg;
			cfg.env_file_given = 1;
			break;
		case OPT_SUB:
			opt_sub = optarg;
			break;
		case OPT_WSURL:
			opt_ws = optarg;
			break;
		case OPT_OAUTH:
			opt_oauth = optarg;
			break;
		case OPT_CA:
			cfg.ca_file = optarg;
			break;
		case OPT_PROXY:
			cfg.proxy = optarg;
			break;
		case 'E':
			if (cfg.nfilters == MAX_FILTERS)
				return usage_error("too many --event patterns (%s)",
				    "64 at most");
			if (*optarg == '\0')
				return usage_error("empty --event pattern%s", "");
			cfg.filters[cfg.nfilters++] = optarg;
			break;
		case OPT_RAW:
			cfg.raw = 1;
			break;
		case OPT_GAPS:
			cfg.gaps = 1;
			break;
		case 'n':
			if (parse_count(optarg, &ll) < 0 || ll == 0)
				return usage_error("--max-events: not a positive "
				    "whole number: %s", optarg);
			cfg.max_events = ll;
			break;
		case 't':
			if (parse_seconds(optarg, &cfg.duration_ms) < 0)
				return usage_error("--duration: not a positive number "
				    "of seconds: %s", optarg);
			break;
		case OPT_HB:
			if (parse_seconds(optarg, &cfg.heartbeat_ms) < 0)
				return usage_error("--heartbeat: not a positive number "
				    "of seconds: %s", optarg);
			break;
		case OPT_IDLE:
			if (parse_seconds(optarg, &cfg.idle_ms) < 0)
				return usage_error("--idle-timeout: not a positive "
				    "number of seconds: %s", optarg);
			idle_given = 1;
			break;
		case OPT_BMIN:
			if (parse_seconds(optarg, &cfg.backoff_min_ms) < 0)
				return usage_error("--backoff-min: not a positive "
				    "number of seconds: %s", optarg);
			break;
		case OPT_BMAX:
			if (parse_seconds(optarg, &cfg.backoff_max_ms) < 0)
				return usage_error("--backoff-max: not a positive "
				    "number of seconds: %s", optarg);
			break;
		case OPT_RETRIES:
			if (parse_count(optarg, &ll) < 0 || ll > INT_MAX)
				return usage_error("--max-retries: not a whole "
				    "number: %s", optarg);
			cfg.max_retries = (long)ll;
			break;
		case OPT_MAXMSG:
			if (parse_bytes(optarg, &cfg.max_message) < 0)
				return usage_error("--max-message: between 1024 and "
				    "1G bytes (K and M suffixes): %s", optarg);
			break;
		case OPT_LOCK:
			cfg.lock_path = optarg;
			break;
		case OPT_SYSLOG:
			use_syslog = 1;
			break;
		case OPT_CHECK:
			cfg.check = check_mode = 1;
			break;
		case 'v':
			if (loglevel < L_TRACE)
				loglevel++;
			break;
		case 'q':
			if (loglevel > L_ERROR)
				loglevel--;
			break;
		case OPT_VERSION:
			say(1, "zoomws %s\n", ZOOMWS_VERSION);
			return 0;
		case 'h':
			say(1, "%s", usage_text);
			return 0;
		default:
			say(2, "try 'zoomws --help'\n");
			return EX_USAGE_;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument: %s", argv[optind]);
	if (cfg.backoff_min_ms > cfg.backoff_max_ms)
		return usage_error("--backoff-min is larger than --backoff-max%s", "");
	if (!idle_given)
		cfg.idle_ms = cfg.heartbeat_ms * 3;

	/* No core dumps: memory holds the secret and tokens. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (signals_init() < 0) {
		logm(L_ERROR, "pipe: %s", strerror(errno));
		return EX_UNAVAILABLE_;
	}
	stats.started = now_ms();
	run_deadline = cfg.duration_ms ? stats.started + cfg.duration_ms :
	    INT64_MAX;

	if (check_mode) {
		say(2, "zoomws %s --check\n", ZOOMWS_VERSION);
		step_begin();
	}
	if ((rc = config_resolve(0)) != 0) {
		if (check_mode)
			step_end("configuration", rc, NULL, "a key is missing or "
			    "wrong: see the message; keys come from the environment "
			    "or the env file (--env-file, ./.env)");
		return rc;
	}
	if (ca_load(&anchors, cfg.ca_file, src, sizeof(src), err,
	    sizeof(err)) < 0) {
		logm(L_ERROR, "trusted CAs: %s", err);
		if (check_mode)
			step_end("configuration", EX_CONFIG_, NULL, "no usable CA "
			    "bundle: set --ca-file or SSL_CERT_FILE to a PEM file");
		return EX_CONFIG_;
	}
	logm(L_DEBUG, "trusted CAs from %s (%zu)", src, anchors.n);

	if (cfg.lock_path != NULL) {
		lockfd = open(cfg.lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lockfd == -1) {
			logm(L_ERROR, "--lock %s: %s", cfg.lock_path, strerror(errno));
			return EX_CONFIG_;
		}
		if (flock(lockfd, LOCK_EX | LOCK_NB) == -1) {
			logm(L_ERROR, "--lock %s is held by another instance",
			    cfg.lock_path);
			return EX_TEMPFAIL_;
		}
	}

	if ((msgbuf = malloc(cfg.max_message)) == NULL ||
	    (rc = out_init(cfg.max_message)) != 0) {
		if (rc == EX_IOERR_)
			return EX_IOERR_;
		logm(L_ERROR, "out of memory");
		return EX_UNAVAILABLE_;
	}

	if (cfg.check)
		return finish(run_check(src));

	for (;;) {
		enum conn_end end;
		enum fetch_result fr;

		if (got_stop || now_ms() >= run_deadline)
			return finish(0);
		if (got_hup) {
			got_hup = 0;
			reload();
		}
		retry_after = 0;
		if (token.len == 0 || now_ms() >= token.expires) {
			if (token.len)
				logm(L_INFO, "access token near expiry: fetching a "
				    "new one");
			token_forget();
			/* The WebSocket is opened during the fetch, unless
			   attempts are failing: then one thing at a time. */
			fr = fetch_token(&retry_after, failures == 0);
			ws_early_end(fr == FETCH_OK);
			if (fr == FETCH_STOP)
				return finish(0);
			if (fr == FETCH_REJECTED)
				return finish(EX_NOPERM_);
			if (fr == FETCH_CONFIG)
				return finish(EX_CONFIG_);
			if (fr == FETCH_OK)
				goto connect;
			end = END_RETRY;
			goto retry;
		}
		token.fresh = 0;
connect:
		end = session();
		if (end == END_STOP)
			return finish(0);
		if (end == END_OUTPUT)
			return finish(EX_IOERR_);
		if (events_written && cfg.max_events > 0 &&
		    events_written >= cfg.max_events)
			return finish(0);
		if (end == END_REFUSED) {
			/* Refused with a token fetched for this attempt: count it;
			   with a cached one: fetch a new token and try again. */
			if (token.fresh && ++refusals >= REFUSALS_FATAL) {
				logm(L_ERROR, "subscription refused %d times in a row "
				    "with a fresh token: check ZOOM_SUBSCRIPTION_ID and "
				    "the app's scopes", refusals);
				return finish(EX_NOPERM_);
			}
			token_forget();
		}
retry:
		/* A connection that opened and answered a heartbeat was healthy:
		   the backoff starts again from the bottom. */
		if (last_healthy) {
			failures = 0;
			refusals = 0;
			last_healthy = 0;
		} else
			failures++;
		if (cfg.max_retries > 0 && failures >= cfg.max_retries) {
			logm(L_ERROR, "giving up after %d failed attempts in a row "
			    "(--max-retries)", failures);
			return finish(EX_UNAVAILABLE_);
		}
		{
			int64_t d = backoff_delay(failures > 0 ? failures - 1 : 0);

			if (retry_after > d)
				d = retry_after;
			logm(L_INFO, "reconnecting in %.2fs", (double)d / 1000);
			until = now_ms() + d;
			if (until > run_deadline)
				until = run_deadline;
			if (sleep_until(until) < 0)
				return finish(0);
		}
	}
}
