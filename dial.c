/*
 * dial.c - proxy, TCP, TLS, one HTTP exchange, the early connection.
 */
#include <bearssl.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"
#include "fmt.h"
#include "log.h"
#include "net.h"
#include "proxy.h"

int64_t
dial_deadline(const struct config *c)
{
	int64_t t = c->opt->idle_ms < DIAL_IO_MAX_MS ? c->opt->idle_ms :
	    DIAL_IO_MAX_MS;

	return net_now_ms() + (t < 1000 ? 1000 : t);
}

void
dial_host_header(char *dst, size_t cap, const struct url *u)
{
	url_authority(dst, cap, u->host, u->port, 1);
}

/* The DIAL_ERR_* of a net_connect or tunnel failure. */
static int
net_failure(int rc)
{
	switch (rc) {
	case NET_ERR_DNS:
		return DIAL_ERR_DNS;
	case NET_ERR_TIMEOUT:
		return DIAL_ERR_TIMEOUT;
	case NET_ERR_INTR:
		return DIAL_ERR_STOP;
	case NET_ERR_RESOURCE:
		return DIAL_ERR_RESOURCE;
	default:
		return DIAL_ERR_CONNECT;
	}
}

/* The DIAL_ERR_* of a failed handshake or exchange on t. */
static int
tls_failure(const struct tls *t, int rc)
{
	if (rc == NET_ERR_TLS)
		switch (br_ssl_engine_last_error(&t->sc.eng)) {
		case BR_ERR_X509_NOT_TRUSTED:
			return DIAL_ERR_UNTRUSTED;
		case BR_ERR_X509_EXPIRED:
			return DIAL_ERR_EXPIRED;
		case BR_ERR_X509_BAD_SERVER_NAME:
			return DIAL_ERR_NAME;
		default:
			return DIAL_ERR_TLS;
		}
	if (rc == NET_ERR_TIMEOUT)
		return DIAL_ERR_TIMEOUT;
	if (rc == NET_ERR_INTR)
		return DIAL_ERR_STOP;
	return DIAL_ERR_IO;
}

/* Why t failed with rc, in words, into err. */
static const char *
tls_reason(const struct tls *t, int rc, char *err, size_t errlen)
{
	switch (rc) {
	case NET_ERR_TLS:
	case NET_ERR_IO:
		/* the engine's error, or the socket error tls.c kept */
		return tls_error(t, err, errlen);
	case NET_ERR_CLOSED:
		fmt_snprintf(err, errlen, "connection closed by peer");
		return err;
	default:
		fmt_snprintf(err, errlen, "%s", net_strerror(rc));
		return err;
	}
}

/* A TCP connection to u, through the proxy if one applies: the socket,
   or a DIAL_ERR_*. */
static int
connect_to(const struct config *c, const struct url *u, int64_t deadline,
    char *err, size_t errlen)
{
	const struct url *pu = config_proxy_for(c, u->host);
	char why[256];
	int fd, rc;

	if (pu == NULL) {
		fd = net_connect(u->host, u->port, deadline, err, errlen);
		return fd >= 0 ? fd : net_failure(fd);
	}
	logm(L_DEBUG, "through proxy %s:%s (%s)", pu->host, pu->port,
	    c->proxy_from);
	if ((fd = net_connect(pu->host, pu->port, deadline, why,
	    sizeof(why))) < 0) {
		fmt_snprintf(err, errlen, "proxy %.60s:%s: %.180s", pu->host,
		    pu->port, why);
		return net_failure(fd);
	}
	rc = proxy_tunnel(fd, u->host, u->port, pu->user[0] ? pu->user : NULL,
	    pu->pass, deadline, err, errlen);
	if (rc == PROXY_OK)
		return fd;
	close(fd);
	switch (rc) {
	case PROXY_ERR_INTR:
		return DIAL_ERR_STOP;
	case PROXY_ERR_TIMEOUT:
		return DIAL_ERR_TIMEOUT;
	case PROXY_ERR_AUTH:
		return DIAL_ERR_PROXY_AUTH;
	default:
		return DIAL_ERR_PROXY;
	}
}

int
dial_start(struct tls *t, const struct config *c, const struct url *u,
    const struct ca_anchors *a, int64_t deadline, char *err, size_t errlen)
{
	int fd;

	if ((fd = connect_to(c, u, deadline, err, errlen)) < 0)
		return fd;
	if (tls_start(t, fd, u->host, a) != NET_OK) {
		close(fd);
		fmt_snprintf(err, errlen, "%s:%s: TLS set-up failed", u->host,
		    u->port);
		return DIAL_ERR_SETUP;
	}
	return DIAL_OK;
}

int
dial_finish(struct tls *t, const struct url *u, int64_t deadline,
    struct tls *side, char *err, size_t errlen)
{
	char why[256], desc[128];
	int rc;

	if ((rc = tls_handshake(t, deadline, side)) != NET_OK) {
		fmt_snprintf(err, errlen, "%s:%s: TLS handshake: %s", u->host,
		    u->port, tls_reason(t, rc, why, sizeof(why)));
		rc = tls_failure(t, rc);
		tls_close(t);
		return rc;
	}
	if (log_on(L_DEBUG)) {
		tls_describe(t, desc, sizeof(desc));
		logm(L_DEBUG, "%s:%s: %s%s", u->host, u->port, desc,
		    tls_resumed(t) ? " (resumed)" : "");
	}
	return DIAL_OK;
}

int
dial_open(struct tls *t, const struct config *c, const struct url *u,
    const struct ca_anchors *a, int64_t deadline, char *err, size_t errlen)
{
	int rc;

	if ((rc = dial_start(t, c, u, a, deadline, err, errlen)) != DIAL_OK)
		return rc;
	return dial_finish(t, u, deadline, NULL, err, errlen);
}

int
dial_exchange(struct tls *t, const char *req, size_t len,
    struct http_response *r, int64_t deadline, struct tls *side, char *err,
    size_t errlen)
{
	unsigned char *p;
	size_t used;
	long n;
	int rc;

	if ((rc = tls_write_all(t, req, len, deadline, side)) != NET_OK) {
		tls_reason(t, rc, err, errlen);
		return tls_failure(t, rc);
	}
	for (;;) {
		if ((n = tls_wait_data(t, &p, deadline, side)) == 0) {
			if ((rc = http_eof(r)) == HTTP_DONE)
				return DIAL_OK;
			fmt_snprintf(err, errlen, "connection closed by peer");
			return DIAL_ERR_IO;
		}
		if (n < 0) {
			tls_reason(t, (int)n, err, errlen);
			return tls_failure(t, (int)n);
		}
		counters.bytes_in += (unsigned long long)n;
		rc = http_feed(r, (const char *)p, (size_t)n, &used);
		tls_recv_ack(t, used);
		if (rc == HTTP_DONE)
			return DIAL_OK;
		if (rc != HTTP_NEED_MORE) {
			fmt_snprintf(err, errlen, "%s", http_strerror(rc));
			return DIAL_ERR_HTTP;
		}
	}
}

void
dial_early_open(struct dial_early *e, struct tls *t, const struct config *c,
    const struct ca_anchors *a, int64_t deadline)
{
	char err[256];
	int64_t until = net_now_ms() + DIAL_EARLY_CONNECT_MS;

	e->t = t;
	e->opened = 0;
	logm(L_INFO, "connecting to %s:%s", c->ws.host, c->ws.port);
	if (dial_start(t, c, &c->ws, a, until < deadline ? until : deadline,
	    err, sizeof(err)) != DIAL_OK) {
		logm(L_DEBUG, "WebSocket endpoint: %s", err);
		return;
	}
	e->opened = net_now_ms();
	tls_kick(t);
}

int
dial_early_take(struct dial_early *e)
{
	struct tls *t = e->t;

	if (e->opened == 0)
		return 0;
	if (t->bgerr == 0)
		t->bgerr = tls_pump(t, 0);      /* closed since? */
	if (t->bgerr != 0 || tls_closed(t) ||
	    net_now_ms() - e->opened > DIAL_EARLY_MS) {
		/* failed, closed or stale: a fresh one says why, if it fails */
		tls_close(t);
		e->opened = 0;
		return 0;
	}
	e->opened = 0;
	return 1;
}

void
dial_early_drop(struct dial_early *e)
{
	if (e->opened != 0) {
		tls_close(e->t);
		e->opened = 0;
	}
}
