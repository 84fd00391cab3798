/*
 * metrics.c - the counters as a Prometheus textfile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "metrics.h"
#include "net.h"

static const char *metrics_path;
static const char *build_version, *build_cpu;
static struct counters written;     /* as of the last write */
static int64_t last_write;          /* net_now_ms, 0: never */
static int failed;                  /* the last write failed: said once */

void
metrics_init(const char *path, const char *version, const char *cpu)
{
	metrics_path = path;
	build_version = version;
	build_cpu = cpu;
	last_write = 0;
}

int64_t
metrics_due(void)
{
	if (metrics_path == NULL)
		return INT64_MAX;
	if (last_write != 0 && memcmp(&written, &counters, sizeof(written)) == 0)
		return INT64_MAX;
	return last_write == 0 ? 0 : last_write + METRICS_MIN_MS;
}

/* Append one formatted piece at buf + *o; 0 when it does not fit. */
static int put(char *buf, size_t cap, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
put(char *buf, size_t cap, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf + *o, cap - *o, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *o)
		return 0;
	*o += (size_t)n;
	return 1;
}

/* The HELP and TYPE lines of a metric. */
static int
head(char *buf, size_t cap, size_t *o, const char *name, const char *type,
    const char *help)
{
	return put(buf, cap, o, "# HELP zoomws_%s %s\n# TYPE zoomws_%s %s\n",
	    name, help, name, type);
}

/* A metric without labels: its HELP, TYPE and value. */
static int
one(char *buf, size_t cap, size_t *o, const char *name, const char *type,
    const char *help, unsigned long long v)
{
	return head(buf, cap, o, name, type, help) &&
	    put(buf, cap, o, "zoomws_%s %llu\n", name, v);
}

/* A time in seconds with milliseconds, or the sample left out (-1). */
static int
seconds(char *buf, size_t cap, size_t *o, const char *name, const char *help,
    int64_t ms)
{
	if (!head(buf, cap, o, name, "gauge", help))
		return 0;
	if (ms < 0)
		return 1;
	return put(buf, cap, o, "zoomws_%s %lld.%03d\n", name,
	    (long long)(ms / 1000), (int)(ms % 1000));
}

size_t
metrics_format(char *buf, size_t cap, int64_t now_wall, int64_t now)
{
	const struct counters *c = &counters;
	size_t o = 0;
	int i, ok;

	ok = head(buf, cap, &o, "build_info", "gauge", "The build of zoomws: "
	    "its version and target CPU.") &&
	    put(buf, cap, &o, "zoomws_build_info{version=\"%s\",cpu=\"%s\"} 1\n",
	    build_version, build_cpu) &&
	    one(buf, cap, &o, "up", "gauge", "1 while the subscription is "
	    "open, else 0.", (unsigned long long)c->up) &&
	    seconds(buf, cap, &o, "start_time_seconds", "When zoomws started, "
	    "in seconds since the epoch.", now_wall - (now - c->started)) &&
	    one(buf, cap, &o, "connects_total", "counter", "WebSocket "
	    "connections upgraded.", c->connects) &&
	    head(buf, cap, &o, "disconnects_total", "counter", "Connections "
	    "that ended, by reason.");
	for (i = 0; ok && i < DISC_COUNT; i++)
		ok = put(buf, cap, &o, "zoomws_disconnects_total{reason=\"%s\"} "
		    "%lu\n", disconnect_name[i], c->disconnects[i]);
	ok = ok && one(buf, cap, &o, "events_received_total", "counter",
	    "Events received.", c->events_in) &&
	    one(buf, cap, &o, "events_written_total", "counter", "Events "
	    "written to the output, whole lines.", c->events_out) &&
	    one(buf, cap, &o, "events_filtered_total", "counter", "Events left "
	    "out by --event.", c->filtered) &&
	    one(buf, cap, &o, "events_malformed_total", "counter", "Messages "
	    "or events that were not JSON, or not an object.", c->malformed) &&
	    one(buf, cap, &o, "events_duplicate_total", "counter", "Events "
	    "dropped by --dedup.", c->duplicates) &&
	    one(buf, cap, &o, "received_bytes_total", "counter", "Bytes "
	    "received from Zoom, after TLS.", c->bytes_in) &&
	    one(buf, cap, &o, "written_bytes_total", "counter", "Bytes written "
	    "to the output.", c->bytes_out) &&
	    seconds(buf, cap, &o, "last_event_timestamp_seconds", "When the "
	    "last event was written, in seconds since the epoch.",
	    c->last_event ? now_wall - (now - c->last_event) : -1) &&
	    seconds(buf, cap, &o, "heartbeat_rtt_seconds", "The last heartbeat's "
	    "round trip, in seconds.", c->heartbeat_rtt) &&
	    seconds(buf, cap, &o, "token_expiry_timestamp_seconds", "When the "
	    "access token expires, in seconds since the epoch.",
	    c->token_expiry ? c->token_expiry : -1);
	ok = ok && head(buf, cap, &o, "gap_seconds_total", "counter", "Time "
	    "in which events may have been missed (no subscription open), "
	    "summed.") && put(buf, cap, &o, "zoomws_gap_seconds_total %lld.%03d"
	    "\n", (long long)(c->gap_ms / 1000), (int)(c->gap_ms % 1000));
	return ok ? o : 0;
}

int
metrics_write(void)
{
	static char buf[6144];
	char tmp[4200];
	size_t n;
	int fd, e;

	if (metrics_path == NULL)
		return 0;
	last_write = net_now_ms();
	written = counters;
	if ((n = metrics_format(buf, sizeof(buf), net_wall_ms(), last_write)) ==
	    0 || (size_t)fmt_snprintf(tmp, sizeof(tmp), "%s.tmp", metrics_path) >=
	    sizeof(tmp)) {
		errno = ENOSPC;
		return -1;
	}
	/* Written whole under another name, then renamed over the file: a
	   reader sees the old file or the new one (rename(2)). */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1)
		goto fail;
	if (write(fd, buf, n) != (ssize_t)n) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e ? e : EIO;
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, metrics_path) == -1) {
		e = errno;
		unlink(tmp);
		errno = e;
		goto fail;
	}
	failed = 0;
	return 0;
fail:
	if (!failed)
		logm(L_WARN, "--metrics %s: %s", metrics_path, strerror(errno));
	failed = 1;
	return -1;
}
