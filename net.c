/*
 * net.c - sockets: the one wait, name lookups in a child process, TCP
 * connects with a deadline, clocks and random bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "fmt.h"
#include "net.h"

pid_t _Fork(void);      /* musl 1.2.2, glibc 2.34: unistd.h, _GNU_SOURCE */

const char *
net_strerror(int err)
{
	switch (err) {
	case NET_OK:
		return "no error";
	case NET_ERR_DNS:
		return "name does not resolve";
	case NET_ERR_CONNECT:
		return "connection refused or unreachable";
	case NET_ERR_TIMEOUT:
		return "timed out";
	case NET_ERR_INTR:
		return "interrupted";
	case NET_ERR_CLOSED:
		return "connection closed by peer";
	case NET_ERR_TLS:
		return "TLS failure";
	case NET_ERR_IO:
		return "socket error";
	case NET_ERR_CONFIG:
		return "bad TLS configuration";
	case NET_ERR_STALLED:
		return "received data not taken";
	case NET_ERR_WOKEN:
		return "woken";
	case NET_ERR_RESOURCE:
		return "out of descriptors, processes or memory";
	default:
		return "unknown error";
	}
}

int64_t
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
net_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
net_random(void *buf, size_t len)
{
	static br_hmac_drbg_context drbg;
	static int seeded;

	if (!seeded) {
		br_prng_seeder seeder = br_prng_seeder_system(NULL);

		br_hmac_drbg_init(&drbg, &br_sha256_vtable, "zoomws", 6);
		if (seeder == 0 || !seeder(&drbg.vtable))
			abort();
		seeded = 1;
	}
	br_hmac_drbg_generate(&drbg, buf, len);
}

/* ------------------------------------------------------------------ */
/* The wait                                                           */

static int wake_fd = -1, watch_fd = -1;
static int (*wake_cb)(short);
static int64_t (*tick_due)(void);
static void (*tick_fire)(int64_t);

void
net_wake_set(int wakefd, int watchfd, int (*woken)(short))
{
	wake_fd = wakefd;
	watch_fd = watchfd;
	wake_cb = woken;
}

void
net_tick_set(int64_t (*due)(void), void (*fire)(int64_t now))
{
	tick_due = due;
	tick_fire = fire;
}

int64_t
net_tick(void)
{
	int64_t now, due;

	if (tick_due == NULL)
		return INT64_MAX;
	if ((due = tick_due()) != INT64_MAX && (now = net_now_ms()) >= due) {
		tick_fire(now);
		due = tick_due();
	}
	return due;
}

int
net_wait(struct pollfd *pfd, size_t n, int64_t deadline)
{
	struct pollfd all[NET_POLL_MAX + 2];
	int64_t left, until, due;
	size_t i;
	int r, ready;

	if (n > NET_POLL_MAX) {
		errno = EINVAL;
		return NET_ERR_IO;
	}
	for (;;) {
		/* the periodic work (the watchdog, the metrics file) is
		   done from every wait, at its time */
		due = net_tick();
		until = due < deadline ? due : deadline;
		left = until == INT64_MAX ? INT_MAX : until - net_now_ms();
		if (left < 0)
			left = 0;
		if (n > 0)
			memcpy(all, pfd, n * sizeof(*pfd));
		all[n].fd = wake_fd;
		all[n].events = POLLIN;
		all[n + 1].fd = watch_fd;
		all[n + 1].events = 0;      /* POLLERR, POLLHUP: always */
		for (i = 0; i < n + 2; i++)
			all[i].revents = 0;
		r = poll(all, (nfds_t)n + 2, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			return NET_ERR_IO;
		for (ready = 0, i = 0; i < n; i++)
			if ((pfd[i].revents = all[i].revents) != 0)
				ready++;
		if ((all[n].revents | all[n + 1].revents) != 0 && wake_cb != NULL)
			return wake_cb(all[n + 1].revents) ? NET_ERR_INTR :
			    ready > 0 ? ready : NET_ERR_WOKEN;
		if (ready > 0)
			return ready;
		if (r == 0 && deadline != INT64_MAX && net_now_ms() >= deadline)
			return 0;
	}
}

int
net_wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int rc;

	pfd.fd = fd;
	pfd.events = events;
	while ((rc = net_wait(&pfd, 1, deadline)) == NET_ERR_WOKEN)
		;
	if (rc > 0)
		return NET_OK;
	return rc == 0 ? NET_ERR_TIMEOUT : rc;
}

void
net_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const unsigned char *a;
	char tmp[NET_ADDRSTRLEN];
	int i, n = 0, run, best = 0, bestlen = 0, groups;

	if (sa->sa_family == AF_INET) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
		n = fmt_snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", a[0], a[1],
		    a[2], a[3]);
	} else if (sa->sa_family == AF_INET6) {
		/* RFC 5952 4: lower-case hex without leading zeros; the
		   longest run of two or more zero groups, the first of equal
		   ones, as "::"; 5: an IPv4-mapped address (RFC 4291
		   2.5.5.2) ends in the dotted IPv4 form. */
		a = s6->sin6_addr.s6_addr;
		groups = memcmp(a, "\0\0\0\0\0\0\0\0\0\0\377\377", 12) == 0 ?
		    6 : 8;
		for (i = 0; i < groups; i += run + 1) {
			for (run = 0; i + run < groups && a[2 * (i + run)] == 0 &&
			    a[2 * (i + run) + 1] == 0; run++)
				;
			if (run > bestlen && run >= 2) {
				best = i;
				bestlen = run;
			}
		}
		for (i = 0; i < groups; i++) {
			if (bestlen > 0 && i == best) {
				n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "::");
				i += bestlen - 1;
			} else
				n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "%s%x",
				    n > 0 && tmp[n - 1] != ':' ? ":" : "",
				    (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
		}
		if (groups == 6)
			n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "%s%u.%u.%u.%u",
			    tmp[n - 1] != ':' ? ":" : "", a[12], a[13], a[14], a[15]);
		if (s6->sin6_scope_id != 0)
			n += fmt_snprintf(tmp + n, sizeof(tmp) - n, "%%%u",
			    (unsigned)s6->sin6_scope_id);
	}
	/* another family, or a buffer too small: no address at all rather
	   than part of one */
	if (n == 0 || (size_t)n >= len)
		fmt_snprintf(buf, len, "?");
	else
		memcpy(buf, tmp, (size_t)n + 1);
}


/* ------------------------------------------------------------------ */
/* Name lookups                                                       */

/* What the lookup child sends back: getaddrinfo's result, whole, in
   one write of less than PIPE_BUF bytes (atomic). */
struct lookup {
	int              gai;           /* getaddrinfo's return */
	int              sys;           /* errno, for EAI_SYSTEM */
	struct net_addrs addrs;
};

/* Copy a getaddrinfo list into out, at most NET_MAX_ADDRS. */
static void
addrs_of(const struct addrinfo *res, struct net_addrs *out)
{
	const struct addrinfo *ai;

	out->n = 0;
	for (ai = res; ai != NULL && out->n < NET_MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out->a[0].sa))
			continue;
		memcpy(&out->a[out->n].sa, ai->ai_addr, ai->ai_addrlen);
		out->a[out->n].len = ai->ai_addrlen;
		out->n++;
	}
}

/* getaddrinfo for TCP, AF_UNSPEC; numeric: an address literal only. */
static int
lookup(const char *host, const char *port, int numeric, struct lookup *lk)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = numeric ? AI_NUMERICHOST | AI_NUMERICSERV :
	    AI_NUMERICSERV;
	lk->addrs.n = 0;
	lk->gai = getaddrinfo(host, port, &hints, &res);
	lk->sys = errno;
	if (lk->gai == 0) {
		addrs_of(res, &lk->addrs);
		freeaddrinfo(res);
	}
	return lk->gai;
}

/* The child: look up, write the answer, exit. It ignores the signals
   zoomws handles (the parent kills it when it no longer waits) and
   dies with the parent. */
static void
lookup_child(int wfd, const char *host, const char *port)
{
	static struct lookup lk;
	struct sigaction sa;
	size_t off = 0;
	ssize_t w;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	lookup(host, port, 0, &lk);
	while (off < sizeof(lk) && ((w = write(wfd, (char *)&lk + off,
	    sizeof(lk) - off)) > 0 || (w < 0 && errno == EINTR)))
		if (w > 0)
			off += (size_t)w;
	_exit(0);
}

/* Read the child's answer from fd into lk until it is whole, EOF, the
   deadline or a stop. NET_OK, NET_ERR_TIMEOUT, NET_ERR_INTR or
   NET_ERR_IO (the child died without an answer). */
static int
lookup_read(int fd, struct lookup *lk, int64_t deadline)
{
	size_t got = 0;
	ssize_t r;
	int rc;

	while (got < sizeof(*lk)) {
		if ((rc = net_wait_fd(fd, POLLIN, deadline)) != NET_OK)
			return rc;
		r = read(fd, (char *)lk + got, sizeof(*lk) - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return NET_ERR_IO;
		got += (size_t)r;
	}
	return NET_OK;
}

/* The message for a failed lookup of host into err. */
static int
lookup_error(const struct lookup *lk, const char *host, char *err,
    size_t errlen)
{
	switch (lk->gai) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
		fmt_snprintf(err, errlen, "cannot resolve %s: no such name", host);
		return NET_ERR_DNS;
	case EAI_AGAIN:
		fmt_snprintf(err, errlen, "cannot resolve %s: no answer from the "
		    "DNS server (see the nameserver lines of /etc/resolv.conf)",
		    host);
		return NET_ERR_DNS;
	case EAI_MEMORY:
		fmt_snprintf(err, errlen, "cannot resolve %s: out of memory", host);
		return NET_ERR_RESOURCE;
	case EAI_SYSTEM:
		fmt_snprintf(err, errlen, "cannot resolve %s: %s", host,
		    strerror(lk->sys));
		return lk->sys == EMFILE || lk->sys == ENFILE ||
		    lk->sys == ENOMEM ? NET_ERR_RESOURCE : NET_ERR_DNS;
	default:
		fmt_snprintf(err, errlen, "cannot resolve %s: %s", host,
		    gai_strerror(lk->gai));
		return NET_ERR_DNS;
	}
}

int
net_resolve(const char *host, const char *port, struct net_addrs *out,
    int64_t deadline, char *err, size_t errlen)
{
	static struct lookup lk;
	int p[2], rc, status;
	pid_t pid;

	out->n = 0;
	if (lookup(host, port, 1, &lk) == 0) {
		*out = lk.addrs;
		return NET_OK;
	}
	if (pipe(p) == -1) {
		fmt_snprintf(err, errlen, "cannot resolve %s: pipe: %s", host,
		    strerror(errno));
		return NET_ERR_RESOURCE;
	}
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	/* _Fork: fork(2) without the atfork handlers, which a program of
	   one thread has no use for (libc's own take 1.5 KiB). */
	if ((pid = _Fork()) == -1) {
		fmt_snprintf(err, errlen, "cannot resolve %s: fork: %s", host,
		    strerror(errno));
		close(p[0]);
		close(p[1]);
		return NET_ERR_RESOURCE;
	}
	if (pid == 0) {
		close(p[0]);
		lookup_child(p[1], host, port);
	}
	close(p[1]);
	rc = lookup_read(p[0], &lk, deadline);
	close(p[0]);
	if (rc != NET_OK)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (rc == NET_ERR_TIMEOUT) {
		fmt_snprintf(err, errlen, "cannot resolve %s: no answer from the "
		    "DNS server in time (see the nameserver lines of "
		    "/etc/resolv.conf)", host);
		return NET_ERR_TIMEOUT;
	}
	if (rc == NET_ERR_INTR) {
		fmt_snprintf(err, errlen, "cannot resolve %s: interrupted", host);
		return rc;
	}
	if (rc != NET_OK) {
		fmt_snprintf(err, errlen, "cannot resolve %s: the lookup ended "
		    "without an answer", host);
		return NET_ERR_DNS;
	}
	if (lk.gai != 0)
		return lookup_error(&lk, host, err, errlen);
	if (lk.addrs.n == 0) {
		fmt_snprintf(err, errlen, "cannot resolve %s: no address", host);
		return NET_ERR_DNS;
	}
	*out = lk.addrs;
	return NET_OK;
}

/* ------------------------------------------------------------------ */
/* TCP                                                                */

/* One non-blocking connect to address i of as, waited on until until.
   Returns the socket or a NET_ERR_*, with err set on failure. */
static int
connect_one(const struct net_addrs *as, size_t i, const char *host,
    const char *port, int64_t until, char *err, size_t errlen)
{
	const struct sockaddr *sa = (const struct sockaddr *)&as->a[i].sa;
	char addr[NET_ADDRSTRLEN];
	socklen_t sl;
	int fd, rc, soerr, one = 1;

	net_addr_str(sa, addr, sizeof(addr));
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		soerr = errno;
		fmt_snprintf(err, errlen, "%s (%s) port %s: socket: %s", host, addr,
		    port, strerror(soerr));
		return soerr == EMFILE || soerr == ENFILE || soerr == ENOBUFS ||
		    soerr == ENOMEM ? NET_ERR_RESOURCE : NET_ERR_CONNECT;
	}
	if (connect(fd, sa, as->a[i].len) == -1) {
		if (errno != EINPROGRESS) {
			soerr = errno;
			goto fail;
		}
		if ((rc = net_wait_fd(fd, POLLOUT, until)) != NET_OK) {
			fmt_snprintf(err, errlen, "%s (%s) port %s: %s", host, addr,
			    port, rc == NET_ERR_INTR ? "interrupted" :
			    rc == NET_ERR_TIMEOUT ? "connect timed out" :
			    strerror(errno));
			close(fd);
			return rc == NET_ERR_IO ? NET_ERR_CONNECT : rc;
		}
		sl = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			soerr = errno;
		if (soerr != 0)
			goto fail;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	fmt_snprintf(err, errlen, "%s (%s) port %s: %s", host, addr, port,
	    strerror(soerr));
	close(fd);
	return NET_ERR_CONNECT;
}

int
net_connect(const char *host, const char *port, int64_t deadline,
    char *err, size_t errlen)
{
	static struct net_addrs as;
	int64_t now, slice;
	size_t i;
	int rc;

	if ((rc = net_resolve(host, port, &as, deadline, err, errlen)) !=
	    NET_OK)
		return rc;
	fmt_snprintf(err, errlen, "%s port %s: no address", host, port);
	rc = NET_ERR_CONNECT;
	for (i = 0; i < as.n; i++) {
		/* Each address left gets its share of the time left, so one
		   that drops packets does not use up the others' time. */
		now = net_now_ms();
		if (now >= deadline) {
			fmt_snprintf(err, errlen, "%s port %s: connect timed out", host,
			    port);
			rc = NET_ERR_TIMEOUT;
			break;
		}
		slice = (deadline - now) / (int64_t)(as.n - i);
		if (slice < 1000)
			slice = deadline - now < 1000 ? deadline - now : 1000;
		rc = connect_one(&as, i, host, port, now + slice, err, errlen);
		if (rc >= 0 || rc == NET_ERR_INTR || rc == NET_ERR_RESOURCE)
			break;
	}
	if (rc == NET_ERR_TIMEOUT && net_now_ms() < deadline)
		rc = NET_ERR_CONNECT;       /* only a slice ran out */
	return rc;
}
