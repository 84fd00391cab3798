/*
 * net.h - sockets for zoomws: name lookups that a signal can cut short,
 * connects with a deadline, the one wait every module uses, clocks and
 * random bytes. With tls.c, proxy.c and out.c the only code that waits
 * on a descriptor.
 *
 * Every wait goes through net_wait: besides the caller's descriptors it
 * watches the wake descriptor (the read end of the signal self-pipe)
 * and, for errors only, the watched descriptor (stdout, whose reader
 * may go away), both set once with net_wake_set. When either fires, the
 * woken callback runs; it says whether the wait must end (a stop: the
 * wait returns NET_ERR_INTR) or may go on.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum {
	NET_OK = 0,
	NET_ERR_DNS = -1,       /* the name does not resolve */
	NET_ERR_CONNECT = -2,   /* every address refused or unreachable */
	NET_ERR_TIMEOUT = -3,   /* the deadline passed */
	NET_ERR_INTR = -4,      /* the woken callback said stop */
	NET_ERR_CLOSED = -5,    /* the peer closed (close_notify or EOF) */
	NET_ERR_TLS = -6,       /* the engine failed: see tls_error */
	NET_ERR_IO = -7,        /* a socket error: see tls_error */
	NET_ERR_CONFIG = -8,    /* TLS set-up refused */
	NET_ERR_STALLED = -9,   /* the engine waits for the caller to take
	                           received application data first */
	NET_ERR_WOKEN = -10,    /* net_wait: woken, not stopped: look again */
	NET_ERR_RESOURCE = -11  /* out of descriptors, processes or memory */
};

#define NET_MAX_ADDRS    16           /* addresses of a name tried */
#define NET_POLL_MAX     4            /* descriptors of one net_wait */

/* net_strerror: a short fixed text for a NET_ERR_* code ("timed out"). */
const char *net_strerror(int err);

/* net_now_ms: CLOCK_MONOTONIC in milliseconds; wall-clock jumps do not
   move it. Every timer of zoomws runs on it. */
int64_t net_now_ms(void);

/* net_wall_ms: the wall clock (CLOCK_REALTIME) in milliseconds since
   the epoch, for what is shown to people: gap windows, timestamps. */
int64_t net_wall_ms(void);

/*
 * net_random: len bytes from an HMAC-DRBG (SHA-256) seeded once from the
 * system (br_prng_seeder_system), for WebSocket masks, nonces and jitter.
 * Aborts if the system offers no seed: masks must not be predictable.
 * Not thread-safe (zoomws has one thread).
 */
void net_random(void *buf, size_t len);

/*
 * net_wake_set: from now on every net_wait also polls wakefd (-1: none)
 * for input and watchfd (-1: none) for POLLERR/POLLHUP, and calls
 * woken(revents of watchfd) when either fires. woken drains wakefd,
 * does what it can at once (log a line of counters), and returns
 * nonzero when the wait must end with NET_ERR_INTR, which it must do
 * when watch_revents is not 0 (an error stays: the next wait would see
 * it again). woken may be NULL only with both descriptors -1.
 */
void net_wake_set(int wakefd, int watchfd, int (*woken)(short watch_revents));

/*
 * net_tick_set: periodic work done from every wait: due() says when it
 * is next due (net_now_ms time, INT64_MAX: never), fire(now) does it.
 * net_wait never sleeps past it. net_tick: fire it if it is due (for a
 * loop that may not wait for a long time); returns when it is next due.
 */
void net_tick_set(int64_t (*due)(void), void (*fire)(int64_t now));
int64_t net_tick(void);

/*
 * net_wait: poll(2) on pfd[0..n) (n <= NET_POLL_MAX; an fd of -1 is
 * skipped, as poll does) and on the wake and watched descriptors, until
 * an entry of pfd has events, the deadline (net_now_ms time; INT64_MAX:
 * none) or a wake-up. Returns the number of entries of pfd with
 * revents (> 0), 0 when the deadline passed, NET_ERR_WOKEN when woken
 * and woken said go on (a caller that waits for something of its own
 * calls again), NET_ERR_INTR when woken said stop, NET_ERR_IO with
 * errno when poll failed. EINTR is not an error: the self-pipe then
 * holds the signal's byte.
 */
struct pollfd;
int net_wait(struct pollfd *pfd, size_t n, int64_t deadline);

/* net_wait_fd: net_wait on one descriptor until it is ready (NET_OK;
   also when it is in error: the next call on it says), the deadline
   (NET_ERR_TIMEOUT) or a stop (NET_ERR_INTR); NET_ERR_IO with errno. */
int net_wait_fd(int fd, short events, int64_t deadline);

/*
 * net_addr_str: the numeric form of an IPv4 or IPv6 socket address into
 * buf ("192.0.2.1", "2001:db8::1", "fe80::1%2" with its scope id), "?"
 * for another family. NET_ADDRSTRLEN bytes hold any of them.
 */
#define NET_ADDRSTRLEN   58           /* INET6_ADDRSTRLEN, '%', 10 digits */
void net_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/* The addresses a name resolves to, in the resolver's order. */
struct net_addrs {
	size_t n;
	struct {
		struct sockaddr_storage sa;
		socklen_t               len;
	} a[NET_MAX_ADDRS];
};

/*
 * net_resolve: the TCP addresses of host and port (numeric port), IPv6
 * and IPv4 (getaddrinfo, AF_UNSPEC), into *out. An address literal is
 * taken at once; a name is looked up by a child process, so that the
 * lookup ends at the deadline or at a stop (net_wait) however long the
 * system resolver would wait for its servers: the child is then killed.
 * Returns NET_OK, NET_ERR_DNS (with err saying whether the name does not
 * exist or the servers did not answer: "no answer from the DNS server"),
 * NET_ERR_TIMEOUT, NET_ERR_INTR or NET_ERR_RESOURCE (no process or
 * descriptor for the lookup), with a one-line message in err naming host.
 */
int net_resolve(const char *host, const char *port, struct net_addrs *out,
    int64_t deadline, char *err, size_t errlen);

/*
 * net_connect: net_resolve, then a non-blocking connect to each address
 * in turn, each getting an equal share of the time left (at least a
 * second when there is that much), until one accepts, the deadline
 * passes or a stop. Returns a connected socket (non-blocking,
 * close-on-exec, TCP_NODELAY), owned by the caller, or NET_ERR_DNS,
 * NET_ERR_CONNECT, NET_ERR_TIMEOUT, NET_ERR_INTR or NET_ERR_RESOURCE
 * with a one-line message in err naming host, port, the last address
 * tried and the system's reason.
 */
int net_connect(const char *host, const char *port, int64_t deadline_ms,
    char *err, size_t errlen);

#endif
