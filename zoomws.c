/*
 * zoomws - Zoom WebSocket event subscription to NDJSON on stdout.
 *
 * The program: the loop of token, session and backoff, reload, and the
 * one place where an outcome becomes an exit code. Its parts each have a
 * file: options.c (the command line), config.c (settings), log.c,
 * signals.c, out.c (the output), dial.c (proxy, TCP, TLS), token.c,
 * zoom.c (Zoom's envelope), session.c (one connection), retry.c (when to
 * try again), check.c (--check), notify.c, metrics.c and dedup.c; the
 * codecs below them (http.c, ws.c, json.c, b64.c, url.c, envfile.c,
 * x509.c) do no I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ca.h"
#include "check.h"
#include "config.h"
#include "dedup.h"
#include "dial.h"
#include "fmt.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "notify.h"
#include "options.h"
#include "out.h"
#include "retry.h"
#include "session.h"
#include "signals.h"
#include "tls.h"
#include "token.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif
#ifndef ZOOMWS_CPU
#if defined(__x86_64__)
#define ZOOMWS_CPU "x86_64"
#elif defined(__aarch64__)
#define ZOOMWS_CPU "aarch64"
#elif defined(__arm__)
#define ZOOMWS_CPU "arm"
#elif defined(__s390x__)
#define ZOOMWS_CPU "s390x"
#else
#define ZOOMWS_CPU "unknown"
#endif
#endif

/* sysexits(3) */
enum {
	EX_OK_ = 0,
	EX_USAGE_ = 64,
	EX_UNAVAILABLE_ = 69,
	EX_OSERR_ = 71,
	EX_IOERR_ = 74,
	EX_TEMPFAIL_ = 75,
	EX_NOPERM_ = 77,
	EX_CONFIG_ = 78
};

#define OUT_SLACK        65536      /* output buffer beyond --max-message */
#define REFUSALS_FATAL   3          /* build_connection refusals, fresh token */
#define GRACE_MS         1500       /* output written after SIGTERM */

/* ------------------------------------------------------------------ */
/* The run                                                            */

/* What the run works with, kept across connections. */
struct run {
	struct options     opt;
	struct config_env  env;
	struct config      cfg[2];
	struct config     *live, *spare;
	struct ca_anchors  anchors;
	char               ca_source[512];
	struct out         out;
	struct token       token;
	struct tls         tls_oauth, tls_ws;
	struct dial_early  early;
	struct session     s;
	struct retry       retry;
	int                ready;       /* READY=1 sent */
};

static struct run run;

/* The woken callback of every wait: SIGUSR1's line at once; a stop, or
   the output's reader gone, ends the wait. */
static int
woken(short watch_revents)
{
	sig_drain();
	if (sig_take_usr1())
		log_counters();
	if (watch_revents & (POLLERR | POLLHUP | POLLNVAL))
		out_gone(&run.out);
	return sig_stopping() || out_failed(&run.out);
}

/* The exit code of a failed configuration load. */
static int
config_exit(int rc)
{
	return rc == CONFIG_ERR_RESOURCE ? EX_OSERR_ : EX_CONFIG_;
}

/* The trust anchors of a new --ca-file or SSL_CERT_FILE, in place of
   the old ones; 0, or -1 when they do not load (nothing changed). */
static int
reload_anchors(const struct config *c)
{
	struct ca_anchors na = { 0 };
	char src[sizeof(run.ca_source)], err[256];

	if (ca_load(&na, c->ca_file, src, sizeof(src), err, sizeof(err)) < 0) {
		logm(L_ERROR, "SIGHUP: trusted CAs: %s", err);
		ca_free(&na);
		return -1;
	}
	ca_free(&run.anchors);
	run.anchors = na;
	memcpy(run.ca_source, src, sizeof(src));
	return 0;
}

/*
 * reload: SIGHUP. The --output file opened anew (logrotate moved it
 * away); the env file read again, with the environment as it was at
 * start, into the spare value, which replaces the live one only when it
 * loads whole (a rejected reload changes nothing). Returns 1 when the
 * open connection may stay (nothing it depends on changed: a rotated
 * secret is used at the next token fetch), 0 to reconnect.
 */
static int
reload(void *arg)
{
	char err[512];
	struct config *t;
	int rc, same;

	(void)arg;
	notify_reloading();
	if (run.opt.output != NULL &&
	    out_reopen(&run.out, run.opt.output, err, sizeof(err)) != OUT_OK)
		logm(L_ERROR, "SIGHUP: %s", err);
	if ((rc = config_load(run.spare, &run.opt, &run.env, err,
	    sizeof(err))) != CONFIG_OK || (strcmp(run.spare->ca_file,
	    run.live->ca_file) != 0 && reload_anchors(run.spare) != 0)) {
		if (rc != CONFIG_OK)
			logm(L_ERROR, "SIGHUP: configuration not reloaded: %s; the "
			    "old one stays in use", err);
		else
			logm(L_ERROR, "SIGHUP: configuration not reloaded; the old "
			    "one stays in use");
		config_wipe(run.spare);
		notify_send("READY=1");
		return 1;
	}
	same = config_same_connection(run.live, run.spare);
	t = run.live;
	run.live = run.spare;
	run.spare = t;
	log_secret("client secret", run.live->secret);
	config_wipe(run.spare);
	run.s.cfg = run.live;
	if (same)
		logm(L_INFO, "SIGHUP: configuration reloaded; the connection "
		    "stays, as nothing it uses changed");
	else {
		logm(L_INFO, "SIGHUP: configuration reloaded; reconnecting with it");
		token_forget(&run.token);
	}
	notify_send("READY=1");
	return same;
}

/* The periodic work of every wait: the watchdog and the metrics file. */
static int64_t
tick_due(void)
{
	int64_t w = notify_watchdog_due(), m = metrics_due();

	return w < m ? w : m;
}

static void
tick_fire(int64_t now)
{
	notify_watchdog(now);
	if (metrics_due() <= now)
		(void)metrics_write();
}

/* Log why the output failed. */
static void
output_failed(void)
{
	const struct out *o = &run.out;

	if (o->err == EPIPE)
		logm(L_ERROR, "%s: its reader went away (%s): exiting", o->name,
		    strerror(o->err));
	else
		logm(L_ERROR, "%s: %s%s: exiting", o->name, strerror(o->err),
		    o->undone ? "; the line cut short was taken back out, so "
		    "the file ends with a whole line" : "");
	if (out_cut(o))
		logm(L_WARN, "%s ends in the middle of a line", o->name);
}

/*
 * finish: write out what was received (after a stop, within the grace
 * period; at --max-events or --duration, all of it however slow the
 * reader, unless a stop comes), say what was and was not written, and
 * return the exit code.
 */
static int
finish(int code)
{
	struct out *o = &run.out;
	unsigned long long left;
	int rc;

	notify_send("STOPPING=1");
	if (o->buf != NULL && out_pending(o) > 0 && !out_failed(o)) {
		rc = out_drain(o, sig_stopping() ? net_now_ms() + GRACE_MS :
		    INT64_MAX);
		if (rc == NET_ERR_INTR && !out_failed(o))
			out_drain(o, net_now_ms() + GRACE_MS);
	}
	if (out_failed(o)) {
		output_failed();
		code = code == EX_OK_ ? EX_IOERR_ : code;
	}
	left = o->buf != NULL ? o->lines - o->nothers : 0;
	if (left > 0 && !out_failed(o))
		logm(L_WARN, "%llu event%s received but not written: %s took no "
		    "more%s", left, log_plural(left), o->name, out_cut(o) ?
		    " (it ends in the middle of a line)" : " within the grace "
		    "period");
	out_close(o);
	counters.up = 0;
	(void)metrics_write();
	token_forget(&run.token);
	config_wipe(run.live);
	logm(L_INFO, "exiting (%d): %llu event%s written%s", code,
	    counters.events_out, log_plural(counters.events_out),
	    left > 0 ? ", some not" : "");
	return code;
}

/* The token for the next attempt: 0 to connect, -1 to retry after
   backoff, -2 on a stop, else an exit code. */
static int
get_token(int64_t *retry_after)
{
	struct token *t = &run.token;
	char detail[512], hint[300];
	enum token_result tr;

	*retry_after = 0;
	run.s.early = 0;
	if (t->len != 0 && net_now_ms() < t->expires) {
		t->fresh = 0;
		return 0;
	}
	if (t->len != 0)
		logm(L_INFO, "access token near expiry: fetching a new one");
	token_forget(t);
	/* The WebSocket opens during the fetch, unless attempts are
	   failing: then one thing at a time. */
	tr = token_fetch(t, run.live, &run.anchors, &run.tls_oauth,
	    run.retry.failures == 0 ? &run.early : NULL, &run.tls_ws,
	    retry_after, detail, sizeof(detail));
	if (tr == TOKEN_OK && run.retry.failures == 0)
		run.s.early = dial_early_take(&run.early);
	else if (run.retry.failures == 0)
		dial_early_drop(&run.early);
	switch (tr) {
	case TOKEN_OK:
		if (detail[0] != '\0')
			logm(L_WARN, "%s", detail);
		logm(L_INFO, "access token received, valid %llds%s%s", t->lifetime,
		    t->scopes[0] ? ", scopes " : "", t->scopes);
		log_secret("access token", t->value);
		counters.token_expiry = net_wall_ms() + t->lifetime * 1000;
		return 0;
	case TOKEN_STOP:
		return -2;
	case TOKEN_REJECTED:
		logm(L_WARN, "%s", detail);
		token_hint(hint, sizeof(hint), run.live);
		logm(L_ERROR, "credentials rejected by the token endpoint: %s",
		    hint);
		return EX_NOPERM_;
	case TOKEN_CONFIG:
		logm(L_WARN, "%s", detail);
		logm(L_ERROR, "no token endpoint at %s: check ZOOM_OAUTH_URL",
		    run.live->oauth_url);
		return EX_CONFIG_;
	case TOKEN_RESOURCE:
		logm(L_ERROR, "%s", detail);
		return EX_OSERR_;
	default:
		logm(L_WARN, "%s", detail);
		return -1;
	}
}

/* The wait before the next attempt; 0, or 1 when a stop ends it. */
static int
pause_before_retry(int64_t retry_after)
{
	unsigned char r[4];
	char secs[32];
	int64_t d, until;
	int rc;

	net_random(r, sizeof(r));
	d = retry_delay(&run.retry, (uint32_t)r[0] << 24 |
	    (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3]);

	if (retry_after > d)
		d = retry_after;
	logm(L_INFO, "reconnecting in %ss", fmt_seconds(secs, sizeof(secs), d,
	    2));
	notify_status("reconnecting in %s s: %s",
	    fmt_seconds(secs, sizeof(secs), d, 1),
	    run.s.reason[0] ? run.s.reason : "the token was not received");
	until = net_now_ms() + d;
	if (until > run.s.deadline)
		until = run.s.deadline;
	while ((rc = net_wait(NULL, 0, until)) == NET_ERR_WOKEN &&
	    !sig_hup_pending())
		;
	return rc == NET_ERR_INTR;
}

/* One attempt: token, session. Returns an exit code, or -1 to go on
   (after backoff when *pause). */
static int
attempt(int *pause, int64_t *retry_after)
{
	struct session *s = &run.s;
	int rc, healthy = 0;
	enum session_end end = END_RETRY;

	*pause = 1;
	if (!run.ready) {
		/* configured, and the first attempt starts */
		notify_send("READY=1\nSTATUS=connecting to %s", run.live->ws.host);
		run.ready = 1;
	}
	if ((rc = get_token(retry_after)) == 0) {
		end = session_run(s);
		healthy = session_healthy(s);
		if (end == END_STOP)
			return EX_OK_;
		if (end == END_OUTPUT)
			return EX_IOERR_;
		if (run.opt.max_events > 0 && s->queued >= run.opt.max_events)
			return EX_OK_;
		if (end == END_RELOAD) {
			*pause = 0;
			return -1;
		}
		if (end == END_REFUSED) {
			/* Refused with a token fetched for this attempt: count
			   it; with a cached one: fetch another and try again. */
			if (run.token.fresh &&
			    ++run.retry.refusals >= REFUSALS_FATAL) {
				logm(L_ERROR, "subscription refused %d times in a row "
				    "with a fresh token: check ZOOM_SUBSCRIPTION_ID and "
				    "the app's scopes", run.retry.refusals);
				return EX_NOPERM_;
			}
			token_forget(&run.token);
		}
	} else if (rc == -2)
		return EX_OK_;
	else if (rc > 0)
		return rc;
	if (retry_outcome(&run.retry, healthy, s->why == DISC_TAKEOVER &&
	    rc == 0, net_now_ms()))
		logm(L_WARN, "Zoom closed the connection to subscription %s %d "
		    "times soon after it opened: another client is probably "
		    "connected to the same subscription (Zoom keeps only the "
		    "newest connection); waiting longer between attempts",
		    run.live->sub_id, RETRY_KICKS);
	if (retry_exhausted(&run.retry)) {
		logm(L_ERROR, "giving up after %d failed attempt%s in a row "
		    "(--max-retries)", run.retry.failures,
		    log_plural(run.retry.failures));
		return EX_UNAVAILABLE_;
	}
	return -1;
}

/* The loop of attempts, until an exit code. */
static int
serve(void)
{
	int64_t retry_after = 0;
	int rc, pause;

	for (;;) {
		if (sig_stopping() || net_now_ms() >= run.s.deadline)
			return EX_OK_;
		if (out_failed(&run.out))
			return EX_IOERR_;
		if (sig_take_hup())
			reload(NULL);
		if ((rc = attempt(&pause, &retry_after)) >= 0)
			return out_failed(&run.out) ? EX_IOERR_ : rc;
		if (pause && pause_before_retry(retry_after))
			return out_failed(&run.out) ? EX_IOERR_ : EX_OK_;
	}
}

/* --lock: held for the life of the process; the file is opened read-only
   (flock needs no more), so a lock file of root's still serves. */
static int
take_lock(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		logm(L_ERROR, "--lock %s: %s", path, strerror(errno));
		return errno == EMFILE || errno == ENFILE ? EX_OSERR_ : EX_CONFIG_;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		/* the normal case of a cron line: not an error */
		logm(L_INFO, "--lock %s is held by another instance: exiting",
		    path);
		return EX_TEMPFAIL_;
	}
	return 0;
}

/* Descriptors 0 and 2 open before any other is (a socket that became fd
   2 would get the log); fd 1 too, with --check, which writes nothing to
   stdout. Returns 0, or -1 when /dev/null cannot be opened. */
static int
standard_fds(int check)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if ((fd != 1 || check) && fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	return 0;
}

/* The buffers --max-message sets could not be had. */
static int
no_memory(void)
{
	logm(L_ERROR, "out of memory: --max-message %zu reserves twice that (a "
	    "message buffer and the output's) as address space: lower "
	    "--max-message, or raise the limit (ulimit -v)", run.opt.max_message);
	return EX_OSERR_;
}

/* The configuration, the CAs, the lock, the output, the buffers: 0 or
   an exit code. */
static int
setup(void)
{
	const struct options *o = &run.opt;
	char err[512];
	int rc;

	if (config_env_capture(&run.env) != CONFIG_OK) {
		logm(L_ERROR, "out of memory");
		return EX_OSERR_;
	}
	run.live = &run.cfg[0];
	run.spare = &run.cfg[1];
	if ((rc = config_load(run.live, o, &run.env, err, sizeof(err))) !=
	    CONFIG_OK) {
		logm(L_ERROR, "%s", err);
		return o->check ? check_config_failed(config_exit(rc), err) :
		    config_exit(rc);
	}
	log_secret("client secret", run.live->secret);
	if (ca_load(&run.anchors, run.live->ca_file, run.ca_source,
	    sizeof(run.ca_source), err, sizeof(err)) < 0) {
		logm(L_ERROR, "trusted CAs: %s", err);
		return o->check ? check_config_failed(EX_CONFIG_, err) : EX_CONFIG_;
	}
	logm(L_DEBUG, "trusted CAs from %s (%zu)", run.ca_source,
	    run.anchors.n);
	if (o->check)
		return 0;
	if (o->lock_path != NULL && (rc = take_lock(o->lock_path)) != 0)
		return rc;
	if ((rc = out_open(&run.out, o->output, o->max_message + OUT_SLACK, err,
	    sizeof(err))) != OUT_OK) {
		if (rc == OUT_ERR_NOMEM)
			return no_memory();
		logm(L_ERROR, "%s", err);
		return rc == OUT_ERR_NOMEM ? EX_OSERR_ : rc == OUT_ERR_OPEN &&
		    (errno == EMFILE || errno == ENFILE) ? EX_OSERR_ : EX_IOERR_;
	}
	metrics_init(o->metrics, ZOOMWS_VERSION, ZOOMWS_CPU);
	dedup_init(o->dedup_ms);
	return 0;
}

int
main(int argc, char **argv)
{
	struct options *o = &run.opt;
	struct check k;
	int rc, sigfd;

	(void)argc;
	if ((rc = options_parse(argv, o)) != 0)
		return rc < 0 ? EX_OK_ : rc;
	log_init(o->check && o->level < L_DEBUG ? LOG_NONE : o->level,
	    o->use_syslog);
	if (!o->check && fcntl(1, F_GETFD) == -1) {
		/* before any file is opened: it would become stdout */
		logm(L_ERROR, "stdout is closed: events have nowhere to go");
		return EX_IOERR_;
	}
	if (standard_fds(o->check) < 0)
		return EX_OSERR_;
	/* No core dumps: memory holds the secret and tokens. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if ((sigfd = sig_init()) < 0) {
		logm(L_ERROR, "pipe: %s", strerror(errno));
		return EX_OSERR_;
	}
	counters.started = net_now_ms();
	run.s.deadline = o->duration_ms ? counters.started + o->duration_ms :
	    INT64_MAX;
	if (o->check)
		check_begin();
	if ((rc = setup()) != 0)
		return rc;
	net_wake_set(sigfd, o->check ? -1 : run.out.fd, woken);
	notify_init();
	net_tick_set(tick_due, tick_fire);
	if ((run.s.msgbuf = malloc(o->max_message)) == NULL)
		return o->check ? no_memory() : finish(no_memory());
	if (o->check) {
		k.cfg = run.live;
		k.anchors = &run.anchors;
		k.ca_source = run.ca_source;
		k.t = &run.tls_ws;
		k.token = &run.token;
		k.msgbuf = run.s.msgbuf;
		return check_run(&k);
	}
	run.s.cfg = run.live;
	run.s.anchors = &run.anchors;
	run.s.t = &run.tls_ws;
	run.s.token = &run.token;
	run.s.out = &run.out;
	run.s.reload = reload;
	retry_init(&run.retry, o);
	return finish(serve());
}
