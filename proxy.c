/*
 * proxy.c - HTTP CONNECT tunnels and NO_PROXY matching.
 *
 * The tunnel is the one place outside net.c that talks to a socket: it
 * writes the CONNECT request and reads the proxy's answer with the
 * HTTP parser, peeking first so that not one byte past the answer is
 * taken from the socket (TLS starts right after it).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "b64.h"
#include "fmt.h"
#include "http.h"
#include "net.h"
#include "proxy.h"
#include "url.h"

/* Is host (length n) an IPv4 or IPv6 address literal? */
static int
is_address(const char *host, size_t n)
{
	size_t i;

	if (memchr(host, ':', n) != NULL)
		return 1;
	for (i = 0; i < n; i++)
		if ((host[i] < '0' || host[i] > '9') && host[i] != '.')
			return 0;
	return n > 0;
}

/* Does host end with the suffix s (length n) at a label boundary? */
static int
suffix_match(const char *host, size_t hl, const char *s, size_t n)
{
	if (n == 0 || n > hl)
		return 0;
	if (strncasecmp(host + hl - n, s, n) != 0)
		return 0;
	return n == hl || host[hl - n - 1] == '.';
}

int
proxy_bypass(const char *no_proxy, const char *host)
{
	const char *p, *e;
	size_t hl, n;

	if (no_proxy == NULL || host == NULL)
		return 0;
	hl = strlen(host);
	/* A trailing dot on the host does not change the name. */
	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	for (p = no_proxy; *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && *p == '*')
			return 1;
		/* "[::1]" names the address ::1 */
		if (n >= 2 && *p == '[' && p[n - 1] == ']') {
			p++;
			n -= 2;
		}
		if (n > 0 && *p == '.') {
			p++;
			n--;
		}
		if (n > 0 && p[n - 1] == '.')
			n--;
		/* Addresses match only themselves. */
		if (is_address(host, hl) ? n == hl &&
		    strncasecmp(host, p, n) == 0 : suffix_match(host, hl, p, n))
			return 1;
	}
	return 0;
}

const char *
proxy_strerror(int err)
{
	switch (err) {
	case PROXY_OK:
		return "ok";
	case PROXY_ERR_IO:
		return "connection to the proxy failed";
	case PROXY_ERR_TIMEOUT:
		return "proxy did not answer in time";
	case PROXY_ERR_INTR:
		return "interrupted";
	case PROXY_ERR_REFUSED:
		return "proxy refused CONNECT";
	case PROXY_ERR_AUTH:
		return "proxy wants credentials (407): put user:pass in the proxy URL";
	case PROXY_ERR_SYNTAX:
		return "proxy answer is not HTTP";
	case PROXY_ERR_TOO_LONG:
		return "CONNECT request too long";
	}
	return "proxy error";
}

/* Wait for ev on fd (net_wait_fd); PROXY_OK, _TIMEOUT, _INTR or _IO. */
static int
wait_fd(int fd, short ev, int64_t deadline)
{
	switch (net_wait_fd(fd, ev, deadline)) {
	case NET_OK:
		return PROXY_OK;
	case NET_ERR_TIMEOUT:
		return PROXY_ERR_TIMEOUT;
	case NET_ERR_INTR:
		return PROXY_ERR_INTR;
	default:
		return PROXY_ERR_IO;
	}
}

int
proxy_tunnel(int fd, const char *host, const char *port, const char *user,
    const char *pass, int64_t deadline, char *err, size_t errlen)
{
	char req[2048], authority[300], extra[1024], cred[512], b64[700];
	char head[PROXY_MAX_HEAD], buf[1024];
	struct http_response r;
	size_t len, off, used;
	ssize_t n;
	int rc;

	url_authority(authority, sizeof(authority), host, port, 0);
	extra[0] = '\0';
	if (user != NULL) {
		if ((size_t)fmt_snprintf(cred, sizeof(cred), "%s:%s", user,
		    pass ? pass : "") >= sizeof(cred) ||
		    b64_encode(b64, sizeof(b64), cred, strlen(cred)) == 0) {
			fmt_snprintf(err, errlen, "%s", proxy_strerror(PROXY_ERR_TOO_LONG));
			return PROXY_ERR_TOO_LONG;
		}
		fmt_snprintf(extra, sizeof(extra), "Proxy-Authorization: Basic %s\r\n",
		    b64);
		memset(cred, 0, sizeof(cred));
		memset(b64, 0, sizeof(b64));
	}
	len = http_request(req, sizeof(req), "CONNECT", authority, authority,
	    extra, NULL, 0);
	memset(extra, 0, sizeof(extra));
	if (len == 0) {
		fmt_snprintf(err, errlen, "%s", proxy_strerror(PROXY_ERR_TOO_LONG));
		return PROXY_ERR_TOO_LONG;
	}
	for (off = 0; off < len; ) {
		n = write(fd, req + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN &&
		    (rc = wait_fd(fd, POLLOUT, deadline)) == PROXY_OK)
			continue;
		memset(req, 0, sizeof(req));
		fmt_snprintf(err, errlen, "proxy: %s", n < 0 && errno != EAGAIN ?
		    strerror(errno) : proxy_strerror(rc));
		return n < 0 && errno != EAGAIN ? PROXY_ERR_IO : rc;
	}
	memset(req, 0, sizeof(req));

	/* RFC 9110 9.3.6: a 2xx answer to CONNECT has no content; the
	   tunnel starts right after the header block. */
	http_response_init(&r, head, sizeof(head), NULL, 0, 1);
	for (;;) {
		if ((rc = wait_fd(fd, POLLIN, deadline)) != PROXY_OK) {
			fmt_snprintf(err, errlen, "proxy: %s", proxy_strerror(rc));
			return rc;
		}
		n = recv(fd, buf, sizeof(buf), MSG_PEEK);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			fmt_snprintf(err, errlen, "proxy closed the connection%s%s",
			    n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			return PROXY_ERR_IO;
		}
		rc = http_feed(&r, buf, (size_t)n, &used);
		/* Take from the socket exactly what the parser used. */
		if (used > 0 && recv(fd, buf, used, 0) != (ssize_t)used) {
			fmt_snprintf(err, errlen, "proxy: read failed");
			return PROXY_ERR_IO;
		}
		if (rc == HTTP_NEED_MORE)
			continue;
		if (rc != HTTP_DONE) {
			fmt_snprintf(err, errlen, "proxy: %s", http_strerror(rc));
			return PROXY_ERR_SYNTAX;
		}
		break;
	}
	/* 407 (RFC 9110 15.5.8); some proxies answer bad credentials 401. */
	if (r.status == 407 || r.status == 401) {
		fmt_snprintf(err, errlen, "%s", proxy_strerror(PROXY_ERR_AUTH));
		return PROXY_ERR_AUTH;
	}
	if (r.status < 200 || r.status > 299) {
		fmt_snprintf(err, errlen, "proxy refused CONNECT %s: HTTP %d", authority,
		    r.status);
		return PROXY_ERR_REFUSED;
	}
	return PROXY_OK;
}
