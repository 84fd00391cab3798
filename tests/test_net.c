/*
 * test_net.c - sockets: connects and the messages that name the peer,
 * address forms, name lookups (an address literal at once, a name in a
 * child process that a stop or the deadline ends), the one wait (the
 * wake descriptor, the watched descriptor, deadlines), clocks and
 * random bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "t.h"
#include "listener.h"
#include "../net.h"

#define FIX "tests/fixtures/"

/* ------------------------------------------------------------------ */
/* TCP                                                                */

static void
connect_ok_sets_flags(void)
{
	char port[16], err[256];
	int lfd = listener(port, sizeof(port)), fd, one = 0;
	socklen_t sl = sizeof(one);

	CHECK(lfd >= 0);
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, err,
	    sizeof(err));
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &sl) == 0);
		CHECK(one == 1);
		close(fd);
	}
	/* a name, tried over every address it has */
	fd = net_connect("localhost", port, net_now_ms() + 2000, err,
	    sizeof(err));
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	close(lfd);
}

static void
connect_errors_name_the_peer(void)
{
	char port[16], err[256], want[256];
	int lfd = listener(port, sizeof(port)), fd;

	/* a port that was just closed: refused, and the message names the
	   host, the address and the port */
	close(lfd);
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_CONNECT);
	snprintf(want, sizeof(want), "127.0.0.1 (127.0.0.1) port %s: "
	    "Connection refused", port);
	CHECK_STR(err, want);
	fd = net_connect("name.invalid", "443", net_now_ms() + 2000, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_DNS);
	CHECK(strstr(err, "cannot resolve name.invalid: ") == err);
	/* a deadline already past */
	fd = net_connect("127.0.0.1", port, net_now_ms() - 1, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_TIMEOUT);
	snprintf(want, sizeof(want), "127.0.0.1 port %s: connect timed out",
	    port);
	CHECK_STR(err, want);
}

static void
addr_str_forms(void)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	char buf[NET_ADDRSTRLEN], small[8];

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.255", &s4.sin_addr);
	net_addr_str((struct sockaddr *)&s4, buf, sizeof(buf));
	CHECK_STR(buf, "192.0.2.255");
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:0:0:1:0:0:1", &s6.sin6_addr);
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8::1:0:0:1");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &s6.sin6_addr);
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "::ffff:192.0.2.1");
	/* the longest form, with the longest scope id, fits */
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	    &s6.sin6_addr);
	s6.sin6_scope_id = 4294967295u;
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295");
	inet_pton(AF_INET6, "fe80::1", &s6.sin6_addr);
	s6.sin6_scope_id = 2;
	net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
	CHECK_STR(buf, "fe80::1%2");
	/* RFC 5952 4.2: the longest run, the first of equal ones (musl's
	   inet_ntop takes the second when the first starts the address),
	   never a single zero group */
	{
		static const char *const forms[][2] = {
			{ "::", "::" }, { "::1", "::1" }, { "1::", "1::" },
			{ "1:0:0:2:0:0:0:3", "1:0:0:2::3" },
			{ "1:0:0:2:0:0:3:4", "1::2:0:0:3:4" },
			{ "1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7" },
			{ "0:0:1:2:3:4:5:0", "::1:2:3:4:5:0" },
			{ "0:0:1:0:0:2:3:4", "::1:0:0:2:3:4" },
			{ "1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0" },
			{ "1:2:3:4:5:6:0:0", "1:2:3:4:5:6::" },
			{ "::ffff:0.0.0.0", "::ffff:0.0.0.0" },
			{ "::c000:201", "::c000:201" },
			{ "ABCD:EF01::", "abcd:ef01::" }
		};
		size_t i;

		s6.sin6_scope_id = 0;
		for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			CHECK(inet_pton(AF_INET6, forms[i][0], &s6.sin6_addr) == 1);
			net_addr_str((struct sockaddr *)&s6, buf, sizeof(buf));
			CHECK_STR(buf, forms[i][1]);
		}
	}
	/* too small a buffer, another family */
	net_addr_str((struct sockaddr *)&s4, small, sizeof(small));
	CHECK_STR(small, "?");
	s4.sin_family = AF_UNIX;
	net_addr_str((struct sockaddr *)&s4, buf, sizeof(buf));
	CHECK_STR(buf, "?");
}

static void
strerror_names_every_code(void)
{
	CHECK_STR(net_strerror(NET_OK), "no error");
	CHECK_STR(net_strerror(NET_ERR_TIMEOUT), "timed out");
	CHECK_STR(net_strerror(NET_ERR_INTR), "interrupted");
	CHECK_STR(net_strerror(NET_ERR_CLOSED), "connection closed by peer");
	CHECK_STR(net_strerror(NET_ERR_STALLED), "received data not taken");
	CHECK_STR(net_strerror(-100), "unknown error");
}

static void
random_differs(void)
{
	unsigned char a[32], b[32], z[32] = { 0 };

	net_random(a, sizeof(a));
	net_random(b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(memcmp(a, z, sizeof(a)) != 0);
}

static void
monotonic_clock_moves(void)
{
	int64_t t0 = net_now_ms();

	usleep(20000);
	CHECK(net_now_ms() - t0 >= 15);
	CHECK(net_now_ms() - t0 < 2000);
}

/* The wake descriptor: woken ends a wait when stop_now is set. */
static int wake_pipe[2] = { -1, -1 }, stop_now, woken_calls;
static short watch_seen;

static int
woken(short watch_revents)
{
	char b[16];

	woken_calls++;
	watch_seen |= watch_revents;
	while (read(wake_pipe[0], b, sizeof(b)) > 0)
		;
	return stop_now || watch_revents != 0;
}

static void
wait_wakes_and_watches(void)
{
	struct pollfd pfd;
	int out[2], p[2];
	int64_t t0;

	CHECK(pipe(wake_pipe) == 0 && pipe(out) == 0 && pipe(p) == 0);
	fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK);
	net_wake_set(wake_pipe[0], out[1], woken);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	/* the deadline */
	t0 = net_now_ms();
	CHECK(net_wait(&pfd, 1, t0 + 100) == 0);
	CHECK(net_now_ms() - t0 >= 95);
	/* ready */
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(net_wait(&pfd, 1, net_now_ms() + 1000) == 1);
	CHECK(pfd.revents & POLLIN);
	CHECK(read(p[0], &t0, 1) == 1);
	/* woken, not a stop: the caller looks again */
	stop_now = 0;
	woken_calls = 0;
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	CHECK(net_wait(&pfd, 1, net_now_ms() + 1000) == NET_ERR_WOKEN);
	CHECK(woken_calls == 1);
	CHECK(net_wait_fd(p[0], POLLIN, net_now_ms() + 50) == NET_ERR_TIMEOUT);
	/* a stop */
	stop_now = 1;
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	CHECK(net_wait_fd(p[0], POLLIN, net_now_ms() + 1000) == NET_ERR_INTR);
	stop_now = 0;
	/* the watched descriptor: its reader goes away, which ends any
	   wait at once however far its deadline */
	close(out[0]);
	t0 = net_now_ms();
	CHECK(net_wait(&pfd, 1, INT64_MAX) == NET_ERR_INTR);
	CHECK(net_now_ms() - t0 < 1000);
	CHECK(watch_seen & POLLERR);
	/* no descriptor of one's own: a sleep that a stop ends */
	net_wake_set(wake_pipe[0], -1, woken);
	stop_now = 1;
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	CHECK(net_wait(NULL, 0, net_now_ms() + 5000) == NET_ERR_INTR);
	stop_now = 0;
	net_wake_set(-1, -1, NULL);
	close(out[1]);
	close(p[0]);
	close(p[1]);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
}

static void
resolve_literals_and_names(void)
{
	struct net_addrs as;
	char err[256], a[NET_ADDRSTRLEN];
	int status;

	/* an address literal, at once, without a child */
	CHECK(net_resolve("127.0.0.1", "443", &as, net_now_ms() + 1000, err,
	    sizeof(err)) == NET_OK);
	CHECK(as.n == 1);
	net_addr_str((struct sockaddr *)&as.a[0].sa, a, sizeof(a));
	CHECK_STR(a, "127.0.0.1");
	CHECK(net_resolve("::1", "80", &as, net_now_ms() + 1000, err,
	    sizeof(err)) == NET_OK);
	CHECK(as.n == 1 && as.a[0].sa.ss_family == AF_INET6);
	/* a name, through the child; the child is reaped */
	CHECK(net_resolve("localhost", "443", &as, net_now_ms() + 5000, err,
	    sizeof(err)) == NET_OK);
	CHECK(as.n >= 1);
	CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
	/* a deadline already past: the child is killed and reaped */
	CHECK(net_resolve("localhost", "443", &as, net_now_ms() - 1, err,
	    sizeof(err)) == NET_ERR_TIMEOUT);
	CHECK(strstr(err, "cannot resolve localhost: no answer from the DNS "
	    "server in time") == err);
	CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
	/* a name that does not exist (RFC 6761 6.4: .invalid) */
	CHECK(net_resolve("name.invalid", "443", &as, net_now_ms() + 10000, err,
	    sizeof(err)) == NET_ERR_DNS);
	CHECK(strstr(err, "cannot resolve name.invalid: ") == err);
}

int
main(void)
{
	t_suite = "net";
	signal(SIGPIPE, SIG_IGN);
	RUN(connect_ok_sets_flags);
	RUN(connect_errors_name_the_peer);
	RUN(addr_str_forms);
	RUN(strerror_names_every_code);
	RUN(random_differs);
	RUN(monotonic_clock_moves);
	RUN(wait_wakes_and_watches);
	RUN(resolve_literals_and_names);
	return t_done();
}
