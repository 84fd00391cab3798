/*
 * notify.h - the service manager's notification protocol, spoken
 * directly (no libsystemd): one datagram of "KEY=VALUE" lines to the
 * AF_UNIX socket $NOTIFY_SOCKET names (a path, or an abstract name
 * written with a leading '@'). Without $NOTIFY_SOCKET every call does
 * nothing.
 *
 * What zoomws says: READY=1 once configured and the first attempt
 * starts; STATUS= one line at each change of state; RELOADING=1 with
 * MONOTONIC_USEC= before a reload and READY=1 after; STOPPING=1 on the
 * way out; WATCHDOG=1 every half of $WATCHDOG_USEC, from every wait, when
 * $WATCHDOG_PID is unset or names this process.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>

/* notify_init: read the environment ($NOTIFY_SOCKET, $WATCHDOG_USEC,
   $WATCHDOG_PID) and open the socket. */
void notify_init(void);

/* notify_send: the formatted lines in one datagram (no-op without a
   socket). */
void notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* notify_status: STATUS= with this text, sent only when it changed. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* notify_reloading: RELOADING=1 and MONOTONIC_USEC= now. */
void notify_reloading(void);

/* The watchdog: when the next WATCHDOG=1 is due (net_now_ms time,
   INT64_MAX: no watchdog), and sending it at now. */
int64_t notify_watchdog_due(void);
void notify_watchdog(int64_t now);

#endif
