/*
 * log.c - log lines to stderr or syslog, scrubbed of secrets; previews;
 * the counters.
 */
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "net.h"

struct counters counters = { .heartbeat_rtt = -1 };

const char *const disconnect_name[DISC_COUNT] = {
	"server_close", "connection_lost", "idle_timeout", "protocol_error",
	"refused", "takeover", "reload"
};

static const char *const level_name[] = { "error", "warn", "info", "debug",
    "trace" };
static int log_level = L_INFO;
static int log_syslog;

/* The secrets, by name. */
static struct {
	const char *name;
	const char *value;
} secrets[LOG_MAX_SECRETS];

void
log_init(int level, int use_syslog)
{
	log_level = level;
	log_syslog = use_syslog;
}

int
log_on(int level)
{
	return level <= log_level;
}

void
log_secret(const char *name, const char *value)
{
	size_t i, free_slot = LOG_MAX_SECRETS;

	for (i = 0; i < LOG_MAX_SECRETS; i++) {
		if (secrets[i].name != NULL && strcmp(secrets[i].name, name) == 0) {
			secrets[i].value = value;
			if (value == NULL)
				secrets[i].name = NULL;
			return;
		}
		if (secrets[i].name == NULL && free_slot == LOG_MAX_SECRETS)
			free_slot = i;
	}
	if (value != NULL && free_slot < LOG_MAX_SECRETS) {
		secrets[free_slot].name = name;
		secrets[free_slot].value = value;
	}
}

/* find: where the n bytes of s first stand in the string line, or NULL
   (a plain search: secrets are short, lines at most 2 KiB). */
static char *
find(char *line, const char *s, size_t n)
{
	for (; (line = strchr(line, s[0])) != NULL; line++)
		if (strncmp(line, s, n) == 0)
			return line;
	return NULL;
}

/* scrub: every registered secret in line replaced by REDACTED. */
static void
scrub(char *line)
{
	size_t i, n;
	char *p;

	for (i = 0; i < LOG_MAX_SECRETS; i++) {
		if (secrets[i].value == NULL || (n = strlen(secrets[i].value)) < 4)
			continue;
		while ((p = find(line, secrets[i].value, n)) != NULL) {
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
 * again, once, when a send fails (the daemon restarted). Returns 0, or
 * -1 when the line could not go.
 */
static int
syslog_send(int prio, const char *msg)
{
	static const struct sockaddr_un addr = { AF_UNIX, "/dev/log" };
	static int fd = -1;
	char buf[2100];
	int n;

	n = fmt_snprintf(buf, sizeof(buf), "<%d>zoomws[%ld]: %s\n",
	    LOG_DAEMON | prio, (long)getpid(), msg);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (fd == -1) {
		if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			return -1;
		(void)connect(fd, (const struct sockaddr *)&addr, sizeof(addr));
	}
	if (send(fd, buf, n, 0) != -1)
		return 0;
	if (connect(fd, (const struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    send(fd, buf, n, 0) != -1)
		return 0;
	return -1;
}

void
logm(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG, LOG_DEBUG };
	char line[2048];
	int64_t ms = net_wall_ms(), secs = ms / 1000;
	va_list ap;
	int n, m, y, mo, d;

	if (level > log_level)
		return;
	fmt_civil(secs / 86400, &y, &mo, &d);
	n = fmt_snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s ", y, mo, d,
	    (int)(secs % 86400 / 3600), (int)(secs % 3600 / 60), (int)(secs % 60),
	    (int)(ms % 1000), level_name[level]);
	va_start(ap, fmt);
	m = fmt_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) > sizeof(line) - 2)
		m = sizeof(line) - 2 - n;
	line[n + m] = '\0';
	scrub(line + n);
	/* An error that cannot reach the syslog daemon is not lost: it
	   goes to stderr as well. */
	if (log_syslog && (syslog_send(prio[level], line + n) == 0 ||
	    level > L_ERROR))
		return;
	m = (int)strlen(line);
	line[m++] = '\n';
	(void)!write(2, line, m);
}

void
log_say(int fd, const char *fmt, ...)
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

const char *
log_preview(const void *text, size_t n, char *buf, size_t cap)
{
	const unsigned char *s = text;
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

const char *
log_plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

void
log_counters(void)
{
	char age[32], up[32];
	int64_t now = net_now_ms();

	if (counters.last_event) {
		fmt_seconds(age, sizeof(age) - 5, now - counters.last_event, 1);
		strcat(age, "s ago");
	} else
		strcpy(age, "never");
	logm(L_INFO, "counters: uptime %ss, connects %lu, events in %llu, "
	    "out %llu, filtered %llu, malformed %llu, bytes in %llu, "
	    "out %llu, last event %s",
	    fmt_seconds(up, sizeof(up), now - counters.started, 1),
	    counters.connects, counters.events_in, counters.events_out,
	    counters.filtered, counters.malformed, counters.bytes_in,
	    counters.bytes_out, age);
}
