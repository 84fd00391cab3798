/*
 * log.h - zoomws's log: one line per message on stderr (UTC timestamp,
 * level, text) or one datagram to the syslog daemon; secrets registered
 * by name are scrubbed from every line; short redacted previews of
 * untrusted text; the counters and their SIGUSR1 line.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <stdint.h>

/* Levels, most severe first. */
enum { L_ERROR, L_WARN, L_INFO, L_DEBUG, L_TRACE };

#define LOG_NONE (-1)           /* log_init level: nothing at all */

/*
 * log_init: lines at level and more severe are written (LOG_NONE:
 * none); with use_syslog they go to /dev/log instead of stderr, but an
 * error that cannot reach the daemon still goes to stderr.
 */
void log_init(int level, int use_syslog);

/* log_on: would a line at level be written? */
int log_on(int level);

/*
 * logm: one line at level. Written with a single write(2) (or one
 * datagram), so lines from a dying process are whole; cut at 2 KiB;
 * every registered secret in it replaced by REDACTED.
 */
void logm(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * log_secret: from now on, the NUL-terminated text value (kept by
 * pointer, so it must stay valid, and is read at each line) never
 * appears in a log line. name identifies it: a later call with the same
 * name replaces it, and a NULL value forgets it. Values shorter than 4
 * bytes are not looked for. At most LOG_MAX_SECRETS names.
 */
#define LOG_MAX_SECRETS 8
void log_secret(const char *name, const char *value);

/*
 * log_say: the formatted text to fd (1 or 2) in one write, not a log
 * line: --help, --version, usage errors and the report of --check. Cut
 * at 4 KiB.
 */
void log_say(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * log_preview: a short printable excerpt of the untrusted text s[0..n)
 * into buf (cap bytes) for a log line: at most 80 bytes of it, other
 * bytes shown as '.', the rest of a run of more than 24 token-like
 * characters (a token, a JWT) hidden as "[..]", "..." when cut.
 * Returns buf.
 */
const char *log_preview(const void *s, size_t n, char *buf, size_t cap);

/* Why connections ended, for the metrics. */
enum disconnect {
	DISC_SERVER_CLOSE,      /* the server's close frame */
	DISC_LOST,              /* TCP ended without one, or a socket error */
	DISC_IDLE,              /* nothing received for --idle-timeout */
	DISC_PROTOCOL,          /* the server broke RFC 6455 or sent bad UTF-8 */
	DISC_REFUSED,           /* build_connection refused, or the token */
	DISC_TAKEOVER,          /* closed by the server soon after opening:
	                           another client on the subscription */
	DISC_RELOAD,            /* SIGHUP changed what the connection uses */
	DISC_COUNT
};
extern const char *const disconnect_name[DISC_COUNT];

/* What happened so far, for the SIGUSR1 line and the metrics. */
struct counters {
	int64_t            started;     /* net_now_ms at start */
	unsigned long      connects;    /* subscriptions upgraded */
	unsigned long long events_in;   /* events received */
	unsigned long long events_out;  /* events written, whole lines */
	unsigned long long filtered;    /* left out by --event */
	unsigned long long malformed;   /* messages or events not JSON */
	unsigned long long bytes_in;    /* from the servers */
	unsigned long long bytes_out;   /* to the output */
	int64_t            last_event;  /* net_now_ms of the last event
	                                   written, 0: none yet */
	unsigned long long duplicates;  /* dropped by --dedup */
	unsigned long      disconnects[DISC_COUNT];
	int64_t            gap_ms;      /* windows events may have been missed
	                                   in, summed */
	int64_t            heartbeat_rtt;   /* ms of the last round trip,
	                                   -1: none yet */
	int64_t            token_expiry;    /* wall ms, 0: no token */
	int                up;          /* the subscription is open */
};
extern struct counters counters;

/* log_counters: the counters as one info line. */
void log_counters(void);

/* log_plural: "s" unless n is 1, for "1 event", "2 events". */
const char *log_plural(unsigned long long n);

#endif
