/*
 * proxy.h - HTTP CONNECT tunnels (RFC 9110 9.3.6) for the token and the
 * WebSocket connections, and the NO_PROXY rules as curl reads them.
 */
#ifndef PROXY_H
#define PROXY_H

#include <stddef.h>
#include <stdint.h>

#define PROXY_MAX_HEAD 8192     /* the proxy's answer to CONNECT */

enum {
	PROXY_OK = 0,
	PROXY_ERR_IO = -1,          /* socket error or early close */
	PROXY_ERR_TIMEOUT = -2,
	PROXY_ERR_INTR = -3,        /* a stop (net_wait) */
	PROXY_ERR_REFUSED = -4,     /* CONNECT answered other than 2xx */
	PROXY_ERR_AUTH = -5,        /* 407: credentials wanted or refused */
	PROXY_ERR_SYNTAX = -6,      /* not an HTTP answer */
	PROXY_ERR_TOO_LONG = -7     /* request would not fit */
};

/*
 * proxy_bypass: 1 when host must be reached directly under no_proxy (a
 * comma-separated list: "*" for every host; a name or ".name" matches
 * that name and every name below it; an address matches itself;
 * case-insensitive; blanks around entries ignored), else 0. A NULL or
 * empty no_proxy bypasses nothing.
 */
int proxy_bypass(const char *no_proxy, const char *host);

/*
 * proxy_tunnel: on fd, a connected socket to the proxy, ask for a tunnel
 * to host:port and read the answer, until deadline_ms (net_now_ms time)
 * or a stop (net_wait). user/pass (NULL for none) go into
 * Proxy-Authorization: Basic. Reads no byte past the proxy's header
 * block, so TLS can start on fd at once. Returns PROXY_OK or a
 * PROXY_ERR_*, with a one-line cause in err.
 */
int proxy_tunnel(int fd, const char *host, const char *port,
    const char *user, const char *pass, int64_t deadline_ms, char *err,
    size_t errlen);

const char *proxy_strerror(int err);

#endif
