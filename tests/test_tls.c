/*
 * test_tls.c - real TLS handshakes against Python's ssl server on
 * 127.0.0.1 (tests/fixtures/tlsserver.py) and Node's https server when
 * node is installed: trusted chains, unknown CA, wrong name, expired,
 * IP-address hosts, suites, alerts, resumption, the blocking helpers,
 * interruption and timeouts, and the words of tls_error.
 *
 * Run from the top of the tree (tests/run does): the fixtures are read
 * from tests/fixtures/, made by tests/fixtures/make.sh.
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
#include "../ca.h"
#include "../net.h"
#include "../tls.h"

#define FIX "tests/fixtures/"
#define FIX "tests/fixtures/"

static void
today(char *buf, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(buf, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}



/* ------------------------------------------------------------------ */
/* TLS against Python's ssl module                                    */

static const char *const server_names[] = {
	"ec", "rsa", "chain", "wrongname", "expired", "untrusted",
	"selfsigned", "chacha", "aes128", "aes256", "cbconly", "tls13only"
};
#define NSERVERS (sizeof(server_names) / sizeof(server_names[0]))
static char server_port[NSERVERS][16];
static pid_t server_pid = -1, node_pid = -1;
static int server_in = -1, node_in = -1;
static char node_port[16];
static struct ca_anchors ca;
static struct tls t;       /* zeroed: as zoomws keeps its own */

/*
 * Start argv[0] with a pipe on its stdin (closing it stops the server)
 * and read its `NAME PORT` lines until `ready`; *in gets the pipe, the
 * ports go to ports[i] for the names in names[i]. Returns the pid or -1.
 */
static pid_t
spawn_server(char *const argv[], const char *const *names, size_t n,
    char (*ports)[16], int *in)
{
	int ip[2], op[2];
	char buf[1024], name[64], port[16];
	size_t len = 0, i;
	ssize_t r;
	pid_t pid;
	char *line, *nl;

	if (pipe(ip) != 0 || pipe(op) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(ip[0], 0);
		dup2(op[1], 1);
		close(ip[1]);
		close(op[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(ip[0]);
	close(op[1]);
	fcntl(ip[1], F_SETFD, FD_CLOEXEC);
	*in = ip[1];
	while (len < sizeof(buf) - 1 &&
	    (r = read(op[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "ready\n") != NULL)
			break;
	}
	close(op[0]);
	if (strstr(buf, "ready\n") == NULL)
		return -1;
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (sscanf(line, "%63s %15s", name, port) != 2)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(names[i], name) == 0)
				snprintf(ports[i], sizeof(ports[i]), "%s", port);
	}
	return pid;
}

static void
stop_server(pid_t *pid, int *in)
{
	if (*pid <= 0)
		return;
	close(*in);
	waitpid(*pid, NULL, 0);
	*pid = -1;
}

static const char *
port_of(const char *name)
{
	size_t i;

	for (i = 0; i < NSERVERS; i++)
		if (strcmp(server_names[i], name) == 0)
			return server_port[i];
	return "0";
}

/* Connect t to server `name` as host and run the handshake. */
static int
tls_open(const char *name, const char *host, const struct ca_anchors *a)
{
	char err[256];
	int fd, rc;

	fd = net_connect("127.0.0.1", port_of(name), net_now_ms() + 5000,
	    err, sizeof(err));
	if (fd < 0)
		return fd;
	if ((rc = tls_start(&t, fd, host, a)) != NET_OK) {
		close(fd);
		return rc;
	}
	return tls_handshake(&t, net_now_ms() + 5000, NULL);
}

/* Read one line (the server's greeting, an echo) into buf. */
static long
read_line(char *buf, size_t cap)
{
	size_t len = 0;
	long n;

	while (len + 1 < cap) {
		n = tls_read(&t, buf + len, 1, net_now_ms() + 5000);
		if (n < 0)
			return n;
		len += (size_t)n;
		if (buf[len - 1] == '\n')
			break;
	}
	buf[len] = '\0';
	return (long)len;
}

/* The handshake fails with NET_ERR_TLS and tls_error says want. */
static int
fails_with(const char *name, const char *host, const struct ca_anchors *a,
    const char *want)
{
	char err[256];
	int rc = tls_open(name, host, a), ok;

	tls_error(&t, err, sizeof(err));
	ok = rc == NET_ERR_TLS && strcmp(err, want) == 0;
	if (!ok)
		printf("  %s as %s: rc %d, \"%s\"\n", name, host, rc, err);
	CHECK(!tls_handshake_done(&t));
	tls_close(&t);
	return ok;
}

static void
tls_trusted_ec_and_rsa(void)
{
	char line[256], want[256], desc[128], sum[128];

	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(tls_handshake_done(&t));
	CHECK(read_line(line, sizeof(line)) > 0);
	tls_describe(&t, desc, sizeof(desc));
	/* our name of the suite is OpenSSL's, as the server reports it */
	snprintf(want, sizeof(want), "sni=localhost resumed=0 version=TLSv1.2 "
	    "cipher=%s\n", desc + strlen("TLSv1.2 "));
	CHECK_STR(line, want);
	CHECK(strncmp(desc, "TLSv1.2 ECDHE-ECDSA-", 20) == 0);
	tls_peer_summary(&t, sum, sizeof(sum));
	CHECK_STR(sum, "certificate CN=localhost, expires 2126-11-05");
	CHECK(tls_write_all(&t, "ping\n", 5, net_now_ms() + 5000, NULL) ==
	    NET_OK);
	CHECK(read_line(line, sizeof(line)) == 5);
	CHECK_STR(line, "ping\n");
	tls_close(&t);
	CHECK(t.fd == -1);
	CHECK(tls_closed(&t));
	CHECK(tls_events(&t) == 0);
	tls_close(&t);      /* harmless twice */

	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	tls_describe(&t, desc, sizeof(desc));
	CHECK(strncmp(desc, "TLSv1.2 ECDHE-RSA-", 18) == 0);
	snprintf(want, sizeof(want), "sni=localhost resumed=0 version=TLSv1.2 "
	    "cipher=%s\n", desc + strlen("TLSv1.2 "));
	CHECK_STR(line, want);
	tls_close(&t);
}

static void
tls_chain_through_intermediate(void)
{
	char line[256];

	/* the server sends leaf + intermediate; only the root is trusted */
	CHECK(tls_open("chain", "localhost", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strncmp(line, "sni=localhost ", 14) == 0);
	tls_close(&t);
}

static void
tls_address_host(void)
{
	char line[256];

	/* an address is matched against iPAddress names and sent no SNI */
	CHECK(tls_open("ec", "127.0.0.1", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strncmp(line, "sni=- ", 6) == 0);
	tls_close(&t);
	CHECK(fails_with("wrongname", "127.0.0.1", &ca,
	    "certificate does not match host 127.0.0.1"));
	/* the certificate names ::1 too, but not 127.0.0.2 */
	CHECK(fails_with("ec", "127.0.0.2", &ca,
	    "certificate does not match host 127.0.0.2"));
	CHECK(fails_with("ec", "::2", &ca, "certificate does not match host ::2"));
	CHECK(tls_open("ec", "::1", &ca) == NET_OK);
	tls_close(&t);
}

static void
tls_refusals_say_why(void)
{
	char want[256], day[40];

	CHECK(fails_with("untrusted", "localhost", &ca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	CHECK(fails_with("wrongname", "localhost", &ca,
	    "certificate does not match host localhost"));
	CHECK(fails_with("ec", "example.com", &ca,
	    "certificate does not match host example.com"));
	today(day, sizeof(day));
	snprintf(want, sizeof(want), "certificate expired on 2001-01-01 (is "
	    "the system clock right? it says %s)", day);
	CHECK(fails_with("expired", "localhost", &ca, want));
	CHECK(fails_with("cbconly", "localhost", &ca, "TLS alert 40 "
	    "(handshake_failure) from the server: no cipher suite or curve in "
	    "common (zoomws offers TLS 1.2 ECDHE with AES-GCM or "
	    "ChaCha20-Poly1305)"));
	CHECK(fails_with("tls13only", "localhost", &ca, "TLS alert 70 "
	    "(protocol_version) from the server: the server does not accept "
	    "TLS 1.2"));
}

static void
tls_direct_trust(void)
{
	struct ca_anchors nonca = { 0 }, none = { 0 };
	char err[256];
	int fd;

	/* a bundle of non-CA certificates trusts exactly those servers */
	CHECK(ca_from_file(&nonca, FIX "nonca.pem", err,
	    sizeof(err)) == 2);
	CHECK(tls_open("selfsigned", "localhost", &nonca) == NET_OK);
	tls_close(&t);
	CHECK(tls_open("ec", "localhost", &nonca) == NET_OK);
	tls_close(&t);
	CHECK(fails_with("rsa", "localhost", &nonca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	CHECK(fails_with("selfsigned", "localhost", &ca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	ca_free(&nonca);
	/* no anchors at all: refused before a byte is sent */
	fd = net_connect("127.0.0.1", port_of("ec"), net_now_ms() + 5000,
	    err, sizeof(err));
	CHECK(fd >= 0);
	CHECK(tls_start(&t, fd, "localhost", &none) == NET_ERR_CONFIG);
	CHECK(tls_start(&t, fd, "", &ca) == NET_ERR_CONFIG);
	{
		char longname[300];

		memset(longname, 'a', 256);
		longname[256] = '\0';
		CHECK(tls_start(&t, fd, longname, &ca) == NET_ERR_CONFIG);
		longname[255] = '\0';
		CHECK(tls_start(&t, fd, longname, &ca) == NET_OK);
	}
	tls_close(&t);
	CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
}

static void
tls_suites(void)
{
	char desc[128], line[256];

	CHECK(tls_open("chacha", "localhost", &ca) == NET_OK);
	tls_describe(&t, desc, sizeof(desc));
	CHECK_STR(desc, "TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305");
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strstr(line, " cipher=ECDHE-RSA-CHACHA20-POLY1305\n") != NULL);
	tls_close(&t);
	CHECK(tls_open("aes128", "localhost", &ca) == NET_OK);
	tls_describe(&t, desc, sizeof(desc));
	CHECK_STR(desc, "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256");
	tls_close(&t);
	CHECK(tls_open("aes256", "localhost", &ca) == NET_OK);
	tls_describe(&t, desc, sizeof(desc));
	CHECK_STR(desc, "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384");
	tls_close(&t);
}

static void
tls_resumption(void)
{
	char line[256];

	/* the first handshake with a host is full ... */
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(!tls_resumed(&t));
	tls_close(&t);
	/* ... the next one resumes: both ends say so */
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(tls_resumed(&t));
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strstr(line, " resumed=1 ") != NULL);
	tls_close(&t);
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(tls_resumed(&t));
	tls_close(&t);
	/* another host name is not offered the session */
	CHECK(tls_open("rsa", "127.0.0.1", &ca) == NET_OK);
	CHECK(!tls_resumed(&t));
	CHECK(read_line(line, sizeof(line)) > 0);
	CHECK(strstr(line, " resumed=0 ") != NULL);
	tls_close(&t);
	/* the session is now 127.0.0.1's: localhost starts afresh */
	CHECK(tls_open("rsa", "localhost", &ca) == NET_OK);
	CHECK(!tls_resumed(&t));
	tls_close(&t);
	/* a server that does not know the session: a full handshake */
	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(!tls_resumed(&t));
	tls_close(&t);
	/* a failed handshake forgets the session it offered */
	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(tls_resumed(&t));
	tls_close(&t);
	CHECK(t.have_session);
	CHECK(fails_with("untrusted", "localhost", &ca, "certificate not "
	    "trusted: unknown CA (set --ca-file or SSL_CERT_FILE)"));
	CHECK(!t.have_session);
}

static void
tls_blocking_helpers(void)
{
	static unsigned char out[48000], in[48000];
	char line[256];
	size_t i, got = 0;
	long n;

	CHECK(tls_open("ec", "localhost", &ca) == NET_OK);
	CHECK(read_line(line, sizeof(line)) > 0);
	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	/* more than a record, more than the engine's buffer */
	CHECK(tls_write_all(&t, out, sizeof(out), net_now_ms() + 5000, NULL) == NET_OK);
	while (got < sizeof(in)) {
		n = tls_read(&t, in + got, sizeof(in) - got,
		    net_now_ms() + 5000);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK(got == sizeof(in));
	CHECK_MEM(in, out, sizeof(in));
	CHECK(tls_read(&t, in, 0, net_now_ms() + 5000) == 0);
	/* nothing more comes: the deadline ends the wait */
	{
		int64_t t0 = net_now_ms();

		CHECK(tls_read(&t, in, 1, t0 + 150) == NET_ERR_TIMEOUT);
		CHECK(net_now_ms() - t0 >= 140);
	}
	/* the server echoes "bye\n" and closes with close_notify: the
	   bytes before it are read, then the clean close is seen */
	CHECK(tls_write_all(&t, "bye\n", 4, net_now_ms() + 5000, NULL) ==
	    NET_OK);
	CHECK(read_line(line, sizeof(line)) == 4);
	CHECK_STR(line, "bye\n");
	CHECK(tls_read(&t, in, 1, net_now_ms() + 5000) ==
	    NET_ERR_CLOSED);
	CHECK(tls_closed(&t));
	CHECK(tls_pump(&t, 0) == NET_ERR_CLOSED);
	CHECK(tls_write_all(&t, "x", 1, net_now_ms() + 5000, NULL) ==
	    NET_ERR_CLOSED);
	tls_close(&t);
}

static void
tls_pumped_from_poll(void)
{
	struct pollfd pfd;
	unsigned char *p;
	char got[256];
	size_t len, have = 0;
	int64_t end = net_now_ms() + 5000;
	int state = 0, rc;

	/* the way zoomws drives the engine: events, poll, pump, buffers */
	{
		int fd = net_connect("127.0.0.1", port_of("rsa"), end, got,
		    sizeof(got));

		CHECK(fd >= 0);
		CHECK(tls_start(&t, fd, "localhost", &ca) == NET_OK);
	}
	CHECK(!tls_handshake_done(&t));
	CHECK(tls_events(&t) & POLLOUT);    /* the ClientHello */
	while (state < 2 && net_now_ms() < end) {
		pfd.fd = t.fd;
		pfd.events = tls_events(&t);
		CHECK(pfd.events != 0);
		if (poll(&pfd, 1, 1000) < 0)
			break;
		if ((rc = tls_pump(&t, pfd.revents)) != NET_OK) {
			CHECK(rc == NET_OK);
			break;
		}
		if (state == 0 && tls_handshake_done(&t)) {
			p = tls_send_buf(&t, &len);
			CHECK(p != NULL && len >= 6);
			if (p == NULL)
				break;
			memcpy(p, "hello\n", 6);
			tls_send_ack(&t, 6);
			tls_flush(&t);
			state = 1;
		}
		while ((p = tls_recv_buf(&t, &len)) != NULL && len > 0) {
			if (len > sizeof(got) - 1 - have)
				len = sizeof(got) - 1 - have;
			memcpy(got + have, p, len);
			tls_recv_ack(&t, len);
			have += len;
			got[have] = '\0';
			if (strstr(got, "hello\n") != NULL)
				state = 2;
		}
	}
	CHECK(state == 2);
	CHECK(strncmp(got, "sni=localhost ", 14) == 0);
	tls_close(&t);
}

/* The wake descriptor of the waits: a byte in wake_pipe; stop_now says
   whether woken ends the wait. */
static int wake_pipe[2] = { -1, -1 }, stop_now, woken_calls;

static int
woken(short watch_revents)
{
	char b[16];

	(void)watch_revents;
	woken_calls++;
	while (read(wake_pipe[0], b, sizeof(b)) > 0)
		;
	return stop_now;
}

static void
tls_waits_end_on_stop_and_deadline(void)
{
	char port[16], err[256];
	int lfd = listener(port, sizeof(port)), fd;
	int64_t t0;

	/* a server that accepts TCP and says nothing */
	CHECK(lfd >= 0 && pipe(wake_pipe) == 0);
	fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK);
	net_wake_set(wake_pipe[0], -1, woken);
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, err,
	    sizeof(err));
	CHECK(fd >= 0);
	CHECK(tls_start(&t, fd, "localhost", &ca) == NET_OK);
	t0 = net_now_ms();
	CHECK(tls_handshake(&t, t0 + 150, NULL) == NET_ERR_TIMEOUT);
	CHECK(net_now_ms() - t0 >= 140 && net_now_ms() - t0 < 2000);
	/* a wake-up that is not a stop (SIGUSR1) is handled, and the
	   wait goes on to its deadline */
	stop_now = 0;
	woken_calls = 0;
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	t0 = net_now_ms();
	CHECK(tls_handshake(&t, t0 + 300, NULL) == NET_ERR_TIMEOUT);
	CHECK(net_now_ms() - t0 >= 290);
	CHECK(woken_calls == 1);
	/* a stop ends every wait at once */
	stop_now = 1;
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	t0 = net_now_ms();
	CHECK(tls_handshake(&t, t0 + 5000, NULL) == NET_ERR_INTR);
	CHECK(net_now_ms() - t0 < 1000);
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	CHECK(tls_write_all(&t, "x", 1, t0 + 5000, NULL) == NET_ERR_INTR);
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	CHECK(tls_read(&t, err, 1, t0 + 5000) == NET_ERR_INTR);
	/* a stop also ends a connect */
	CHECK(write(wake_pipe[1], "x", 1) == 1);
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_INTR || fd >= 0);  /* loopback may be instant */
	if (fd >= 0)
		close(fd);
	stop_now = 0;
	net_wake_set(-1, -1, NULL);
	tls_close(&t);
	close(lfd);
	/* the peer closing in the middle of the handshake */
	lfd = listener(port, sizeof(port));
	fd = net_connect("127.0.0.1", port, net_now_ms() + 2000, err,
	    sizeof(err));
	CHECK(fd >= 0);
	CHECK(tls_start(&t, fd, "localhost", &ca) == NET_OK);
	CHECK(tls_pump(&t, POLLOUT) == NET_OK);     /* ClientHello out */
	{
		char hello[4096];
		int afd = accept(lfd, NULL, NULL);

		CHECK(afd >= 0);
		CHECK(read(afd, hello, sizeof(hello)) > 0);
		close(afd);
	}
	CHECK(tls_handshake(&t, net_now_ms() + 2000, NULL) ==
	    NET_ERR_CLOSED);
	CHECK(!tls_handshake_done(&t));
	CHECK_STR(tls_error(&t, err, sizeof(err)), "the server closed the "
	    "connection during the handshake");
	tls_close(&t);
	close(lfd);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
}

/* A side connection's handshake moves while the helpers wait on
   another: both complete, and the side's failure stays its own. */
static void
tls_side_connection_moves(void)
{
	static struct tls side;
	unsigned char *p;
	char err[256];
	int64_t end = net_now_ms() + 5000;
	long n;
	int fd, i;

	fd = net_connect("127.0.0.1", port_of("ec"), end, err, sizeof(err));
	CHECK(fd >= 0 && tls_start(&side, fd, "localhost", &ca) == NET_OK);
	tls_kick(&side);
	fd = net_connect("127.0.0.1", port_of("rsa"), end, err, sizeof(err));
	CHECK(fd >= 0 && tls_start(&t, fd, "localhost", &ca) == NET_OK);
	CHECK(tls_handshake(&t, end, &side) == NET_OK);
	/* echoes on t until the side's handshake is done: only t's waits
	   move it. Until the deadline, not a number of echoes: on a busy
	   machine the side's server may answer after many of them. */
	while (!side.done && net_now_ms() < end) {
		CHECK(tls_write_all(&t, "x\n", 2, end, &side) == NET_OK);
		if ((n = tls_wait_data(&t, &p, end, &side)) <= 0)
			break;
		tls_recv_ack(&t, (size_t)n);
	}
	CHECK(side.done && side.bgerr == 0);
	CHECK(tls_handshake(&side, end, NULL) == NET_OK);
	tls_close(&side);
	tls_close(&t);
	/* a side that fails (wrong name) does not fail the main one */
	fd = net_connect("127.0.0.1", port_of("wrongname"), net_now_ms() + 5000,
	    err, sizeof(err));
	CHECK(fd >= 0 && tls_start(&side, fd, "localhost", &ca) == NET_OK);
	tls_kick(&side);
	fd = net_connect("127.0.0.1", port_of("rsa"), net_now_ms() + 5000, err,
	    sizeof(err));
	CHECK(fd >= 0 && tls_start(&t, fd, "localhost", &ca) == NET_OK);
	end = net_now_ms() + 5000;
	CHECK(tls_handshake(&t, end, &side) == NET_OK);
	for (i = 0; i < 50 && side.bgerr == 0; i++) {
		CHECK(tls_write_all(&t, "x\n", 2, end, &side) == NET_OK);
		if ((n = tls_wait_data(&t, &p, end, &side)) <= 0)
			break;
		tls_recv_ack(&t, (size_t)n);
	}
	CHECK(side.bgerr == NET_ERR_TLS && !side.done);
	tls_close(&side);
	tls_close(&t);
}

static void
tls_zeroed_is_closed(void)
{
	static struct tls z;
	size_t len;
	int stdin_open = fcntl(0, F_GETFD) != -1;

	/* a zeroed struct, never started, is closed: nothing to poll,
	   no data, and closing it leaves descriptor 0 alone */
	CHECK(tls_closed(&z));
	CHECK(tls_events(&z) == 0);
	CHECK(!tls_handshake_done(&z));
	CHECK(tls_recv_buf(&z, &len) == NULL && len == 0);
	CHECK(tls_send_buf(&z, &len) == NULL && len == 0);
	CHECK(tls_pump(&z, 0) == NET_ERR_CLOSED);
	tls_close(&z);
	CHECK((fcntl(0, F_GETFD) != -1) == stdin_open);
}

static void
tls_error_texts(void)
{
	static struct tls e;
	char buf[256];

	/* causes no local server can be made to produce */
	e.sc.eng.err = BR_ERR_RECV_FATAL_ALERT + 112;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)), "TLS alert 112 "
	    "(unrecognized_name) from the server: the server does not serve "
	    "this host name");
	e.sc.eng.err = BR_ERR_SEND_FATAL_ALERT + 42;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)),
	    "TLS alert 42 (bad_certificate) sent to the server");
	e.sc.eng.err = BR_ERR_X509_NOT_CA;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)),
	    "certificate chain has an issuer that is not a CA");
	e.sc.eng.err = BR_ERR_BAD_MAC;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)),
	    "a record failed authentication (corrupted in transit?)");
	e.sc.eng.err = BR_ERR_BAD_HANDSHAKE;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)),
	    "TLS protocol error (BearSSL error 14)");
	e.sc.eng.err = BR_ERR_X509_BAD_TAG_VALUE;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)),
	    "certificate rejected (BearSSL X.509 error 38)");
	e.sc.eng.err = BR_ERR_OK;
	e.io_errno = EPIPE;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)),
	    "socket error: Broken pipe");
	e.io_errno = 0;
	CHECK_STR(tls_error(&e, buf, sizeof(buf)), "no error");
	/* a short buffer is cut, never overrun */
	e.sc.eng.err = BR_ERR_X509_NOT_TRUSTED;
	CHECK_STR(tls_error(&e, buf, 12), "certificate");
}

/* ------------------------------------------------------------------ */
/* Node's https server, default settings                              */

static void
tls_node_https_default(void)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n";
	char resp[2048], desc[128], want[256];
	size_t len = 0;
	long n;
	int fd;

	fd = net_connect("127.0.0.1", node_port, net_now_ms() + 5000, resp,
	    sizeof(resp));
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(tls_start(&t, fd, "localhost", &ca) == NET_OK);
	CHECK(tls_handshake(&t, net_now_ms() + 5000, NULL) == NET_OK);
	CHECK(tls_write_all(&t, req, sizeof(req) - 1, net_now_ms() + 5000, NULL) == NET_OK);
	while (len < sizeof(resp) - 1 && (n = tls_read(&t, resp + len,
	    sizeof(resp) - 1 - len, net_now_ms() + 5000)) > 0)
		len += (size_t)n;
	resp[len] = '\0';
	tls_describe(&t, desc, sizeof(desc));
	CHECK(strncmp(resp, "HTTP/1.1 200 OK\r\n", 17) == 0);
	/* Node names the suite the IANA way; ours is OpenSSL's */
	CHECK_STR(desc, "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256");
	snprintf(want, sizeof(want), "\r\n\r\nhello from node TLSv1.2 "
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n");
	CHECK(strstr(resp, want) != NULL);
	tls_close(&t);
}

int
main(void)
{
	char *py[3 + NSERVERS], *node[4], err[256];
	size_t i;

	t_suite = "tls";
	signal(SIGPIPE, SIG_IGN);
	RUN(tls_zeroed_is_closed);
	RUN(tls_error_texts);

	if (ca_from_file(&ca, FIX "ca.pem", err, sizeof(err)) != 1) {
		printf("FAIL tls/anchors: %s\n", err);
		return 1;
	}
	py[0] = "python3";
	py[1] = FIX "tlsserver.py";
	for (i = 0; i < NSERVERS; i++)
		py[2 + i] = (char *)server_names[i];
	py[2 + NSERVERS] = NULL;
	server_pid = spawn_server(py, server_names, NSERVERS, server_port,
	    &server_in);
	if (server_pid < 0) {
		printf("FAIL tls/server: cannot start %s\n", py[1]);
		return 1;
	}
	RUN(tls_trusted_ec_and_rsa);
	RUN(tls_chain_through_intermediate);
	RUN(tls_address_host);
	RUN(tls_refusals_say_why);
	RUN(tls_direct_trust);
	RUN(tls_suites);
	RUN(tls_resumption);
	RUN(tls_blocking_helpers);
	RUN(tls_pumped_from_poll);
	RUN(tls_waits_end_on_stop_and_deadline);
	RUN(tls_side_connection_moves);
	stop_server(&server_pid, &server_in);

	node[0] = "node";
	node[1] = FIX "httpsserver.js";
	node[2] = NULL;
	if (system("node --version >/dev/null 2>&1") == 0) {
		static const char *const nn[] = { "node" };

		node_pid = spawn_server(node, nn, 1, &node_port, &node_in);
		if (node_pid < 0)
			printf("FAIL tls/node: cannot start %s\n", node[1]);
		else
			RUN(tls_node_https_default);
		stop_server(&node_pid, &node_in);
	} else
		printf("note: node not installed, Node interop not tested\n");
	ca_free(&ca);
	return t_done();
}
