/*
 * notify.c - sd_notify(3)'s protocol in a few datagrams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "net.h"
#include "notify.h"

static int fd = -1;
static struct sockaddr_un addr;
static socklen_t addrlen;
static int64_t watchdog_ms;     /* half of $WATCHDOG_USEC, 0: none */
static int64_t watchdog_next;
static char last_status[256];

void
notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET"), *usec, *pid;
	size_t n;

	if (path == NULL || (n = strlen(path)) < 2 ||
	    n >= sizeof(addr.sun_path) || (path[0] != '/' && path[0] != '@'))
		return;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, n);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';        /* an abstract name */
	addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (path[0] == '/'));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	/* The watchdog is ours when $WATCHDOG_PID is unset or names us (a
	   wrapper that execs zoomws passes it on). */
	usec = getenv("WATCHDOG_USEC");
	pid = getenv("WATCHDOG_PID");
	if (usec != NULL && (pid == NULL || atol(pid) == (long)getpid()) &&
	    atoll(usec) > 0) {
		watchdog_ms = atoll(usec) / 2000;
		if (watchdog_ms < 1)
			watchdog_ms = 1;
		watchdog_next = net_now_ms();
	}
}

static void
send_text(const char *msg, size_t n)
{
	if (fd == -1)
		return;
	(void)sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&addr,
	    addrlen);
}

void
notify_send(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	if (fd == -1)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0)
		send_text(msg, (size_t)n < sizeof(msg) ? (size_t)n :
		    sizeof(msg) - 1);
}

void
notify_status(const char *fmt, ...)
{
	char status[sizeof(last_status)];
	va_list ap;

	if (fd == -1)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	if (strcmp(status, last_status) == 0)
		return;
	memcpy(last_status, status, sizeof(status));
	notify_send("STATUS=%s", status);
}

void
notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
}

int64_t
notify_watchdog_due(void)
{
	return watchdog_ms > 0 ? watchdog_next : INT64_MAX;
}

void
notify_watchdog(int64_t now)
{
	if (watchdog_ms <= 0 || now < watchdog_next)
		return;
	send_text("WATCHDOG=1", 10);
	watchdog_next = now + watchdog_ms;
}
