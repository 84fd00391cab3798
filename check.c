/*
 * check.c - --check, a step at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "check.h"
#include "dial.h"
#include "fmt.h"
#include "json.h"
#include "log.h"
#include "net.h"
#include "session.h"
#include "ws.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif

enum { EX_OK_ = 0, EX_UNAVAILABLE_ = 69, EX_NOPERM_ = 77, EX_CONFIG_ = 78 };

static int64_t step_t0;

/* The step's line; on failure a hint and the verdict. Returns code. */
static int
step(const char *name, int code, const char *detail, const char *hint)
{
	log_say(2, "  %-4s  %-17s %6lld ms  %s\n", code ? "FAIL" : "ok", name,
	    (long long)(net_now_ms() - step_t0), detail);
	if (code && hint != NULL)
		log_say(2, "        hint: %s\n", hint);
	if (code)
		log_say(2, "check failed at %s (exit %d)\n", name, code);
	step_t0 = net_now_ms();
	return code;
}

void
check_begin(void)
{
	log_say(2, "zoomws %s --check\n", ZOOMWS_VERSION);
	step_t0 = net_now_ms();
}

int
check_config_failed(int code, const char *err)
{
	return step("configuration", code, err, code == EX_CONFIG_ ?
	    "a key is missing or wrong: keys come from the environment or the "
	    "env file (--env-file, ./.env); CAs from --ca-file or "
	    "SSL_CERT_FILE" : "the system is short of descriptors or memory");
}

/* Where the steps connect to first: the proxy, or the endpoint. */
static const struct url *
first_hop(const struct check *k)
{
	const struct url *pu = config_proxy_for(k->cfg, k->cfg->ws.host);

	return pu != NULL ? pu : &k->cfg->ws;
}

static int
step_config(struct check *k)
{
	const struct config *c = k->cfg;
	char detail[600];

	fmt_snprintf(detail, sizeof(detail), "subscription %s, %s grant, CAs "
	    "from %s (%zu)%s%s%s%s", c->sub_id, c->account_id[0] ?
	    "account_credentials" : "client_credentials", k->ca_source,
	    k->anchors->n, first_hop(k) != &c->ws ? ", proxy " : "",
	    first_hop(k) != &c->ws ? first_hop(k)->host : "",
	    first_hop(k) != &c->ws ? " from " : "",
	    first_hop(k) != &c->ws ? c->proxy_from : "");
	return step("configuration", 0, detail, NULL);
}

static int
step_dns(struct check *k)
{
	static struct net_addrs as;
	const struct url *u = first_hop(k);
	char detail[1200], host[NET_ADDRSTRLEN], hint[200];
	size_t off, i;

	if (net_resolve(u->host, u->port, &as, dial_deadline(k->cfg), detail,
	    sizeof(detail)) != NET_OK) {
		if (u != &k->cfg->ws)
			fmt_snprintf(hint, sizeof(hint), "the proxy's name does not "
			    "resolve: check %s", k->cfg->proxy_from);
		return step("DNS", EX_UNAVAILABLE_, detail, u != &k->cfg->ws ? hint :
		    "the endpoint's name does not resolve: check ZOOM_WS_URL "
		    "and the host's resolver (/etc/resolv.conf); a network that "
		    "only allows a proxy needs HTTPS_PROXY");
	}
	off = (size_t)fmt_snprintf(detail, sizeof(detail), "%s:", u->host);
	for (i = 0; i < as.n && off < sizeof(detail) - 64; i++) {
		net_addr_str((struct sockaddr *)&as.a[i].sa, host, sizeof(host));
		off += (size_t)fmt_snprintf(detail + off, sizeof(detail) - off,
		    " %s", host);
	}
	return step("DNS", 0, detail, NULL);
}

static int
step_tcp(struct check *k)
{
	const struct url *u = first_hop(k);
	char detail[300];
	int fd;

	if ((fd = net_connect(u->host, u->port, dial_deadline(k->cfg), detail,
	    sizeof(detail))) < 0)
		return step("TCP", EX_UNAVAILABLE_, detail, u != &k->cfg->ws ?
		    "the proxy does not accept connections: check HTTPS_PROXY" :
		    "the endpoint does not accept connections: a firewall may "
		    "block outbound port 443; set HTTPS_PROXY if traffic must "
		    "go through a proxy");
	close(fd);
	fmt_snprintf(detail, sizeof(detail), "%s:%s", u->host, u->port);
	return step("TCP", 0, detail, NULL);
}

/* The hint for a failed TLS step, from its DIAL_ERR_*. */
static const char *
tls_hint(int rc)
{
	switch (rc) {
	case DIAL_ERR_UNTRUSTED:
		return "the server's certificate chain is not trusted: set "
		    "--ca-file or SSL_CERT_FILE to a bundle that has its CA (a "
		    "proxy that inspects TLS needs its own CA there)";
	case DIAL_ERR_EXPIRED:
		return "certificate outside its validity: is the system clock "
		    "right? (date -u; set it with ntp)";
	case DIAL_ERR_PROXY:
	case DIAL_ERR_PROXY_AUTH:
		return "the proxy refused the tunnel: check HTTPS_PROXY, its "
		    "credentials and that it allows CONNECT to port 443";
	case DIAL_ERR_NAME:
		return "the certificate is for another name: check the host in "
		    "ZOOM_WS_URL";
	default:
		return "check ZOOM_WS_URL and the network";
	}
}

static int
step_tls(struct check *k)
{
	char detail[600], err[300], desc[128], cert[256];
	int rc;

	if ((rc = dial_open(k->t, k->cfg, &k->cfg->ws, k->anchors,
	    dial_deadline(k->cfg), err, sizeof(err))) != DIAL_OK)
		return step("TLS", EX_UNAVAILABLE_, err, tls_hint(rc));
	tls_describe(k->t, desc, sizeof(desc));
	tls_peer_summary(k->t, cert, sizeof(cert));
	tls_close(k->t);
	fmt_snprintf(detail, sizeof(detail), "%s; %s", desc, cert);
	return step("TLS", 0, detail, NULL);
}

static int
step_token(struct check *k)
{
	static struct tls conn;
	char detail[400], hint[300];
	int64_t retry;

	switch (token_fetch(k->token, k->cfg, k->anchors, &conn, NULL, NULL,
	    &retry, detail, sizeof(detail))) {
	case TOKEN_OK:
		fmt_snprintf(detail, sizeof(detail), "valid %llds%s%s",
		    k->token->lifetime, k->token->scopes[0] ? ", scopes " : "",
		    k->token->scopes);
		return step("token", 0, detail, NULL);
	case TOKEN_REJECTED:
		token_hint(hint, sizeof(hint), k->cfg);
		return step("token", EX_NOPERM_, detail, hint);
	case TOKEN_CONFIG:
		return step("token", EX_CONFIG_, detail, "check ZOOM_OAUTH_URL");
	default:
		return step("token", EX_UNAVAILABLE_, detail, "the token endpoint "
		    "did not answer well: check ZOOM_OAUTH_URL and the network");
	}
}

/*
 * step_lock: Zoom keeps one connection per subscription, and the steps
 * that follow open one. A running instance holding --lock would be
 * disconnected: stop here (1). Without --lock, say that the check takes
 * the subscription over for a moment (0).
 */
static int
step_lock(struct check *k)
{
	const char *path = k->cfg->opt->lock_path;
	char detail[300];
	int fd;

	if (path == NULL) {
		log_say(2, "  warn  the next steps take the subscription over for "
		    "a moment: Zoom keeps one connection per subscription, so an "
		    "instance running on it is disconnected (with --lock PATH, "
		    "--check stops here when that instance holds it)\n");
		return 0;
	}
	if ((fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		fmt_snprintf(detail, sizeof(detail), "--lock %s: %s", path,
		    strerror(errno));
		return step("lock", EX_CONFIG_, detail, "the lock file cannot be "
		    "opened: check its directory");
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		fmt_snprintf(detail, sizeof(detail), "--lock %s is held: an "
		    "instance is running on the subscription", path);
		step("lock", 0, detail, NULL);
		log_say(2, "  skip  upgrade, build_connection, heartbeat: Zoom "
		    "keeps one connection per subscription, and the check's "
		    "would disconnect the running instance\n");
		return 1;
	}
	/* held for the rest of the check: nothing starts meanwhile */
	fmt_snprintf(detail, sizeof(detail), "--lock %s is free", path);
	step("lock", 0, detail, NULL);
	return 0;
}

static int
step_upgrade(struct check *k)
{
	char err[300];
	int rc, status;

	if ((rc = dial_open(k->t, k->cfg, &k->cfg->ws, k->anchors,
	    dial_deadline(k->cfg), err, sizeof(err))) != DIAL_OK)
		return step("upgrade", EX_UNAVAILABLE_, err, "the endpoint went "
		    "away between two connections");
	if ((rc = session_upgrade(k->t, k->cfg, k->token, &status, err,
	    sizeof(err))) != 0) {
		tls_close(k->t);
		return step("upgrade", rc == 1 ? EX_NOPERM_ : EX_UNAVAILABLE_, err,
		    rc == 1 ? "the endpoint refused the access token: it must "
		    "belong to the app that owns the subscription" :
		    status == 404 ? "no WebSocket endpoint there: check "
		    "ZOOM_WS_URL (copy it from the Marketplace)" :
		    "the WebSocket upgrade failed: check ZOOM_WS_URL");
	}
	return step("upgrade", 0, "101 Switching Protocols", NULL);
}

/* The next text message of the open connection, copied into buf (cap
   bytes, NUL-terminated); pings answered. Its length, or a NET_ERR_*. */
static long
next_text(struct check *k, struct ws_reader *rd, char *buf, size_t cap)
{
	int64_t deadline = dial_deadline(k->cfg);
	unsigned char *in;
	struct ws_msg m;
	size_t used;
	long n;
	int rc;

	for (;;) {
		if ((n = tls_wait_data(k->t, &in, deadline, NULL)) <= 0)
			return n == 0 ? NET_ERR_CLOSED : n;
		rc = ws_read(rd, in, (size_t)n, &used, &m);
		if (rc < 0 || rc == WS_NEED_MORE || m.opcode != WS_OP_TEXT) {
			if (rc == WS_MSG && m.opcode == WS_OP_PING)
				session_send(k->t, WS_OP_PONG, m.data, m.len);
			tls_recv_ack(k->t, used);
			if (rc < 0)
				return NET_ERR_IO;
			if (rc == WS_MSG && m.opcode == WS_OP_CLOSE)
				return NET_ERR_CLOSED;
			continue;
		}
		n = m.len < cap - 1 ? (long)m.len : (long)cap - 1;
		memcpy(buf, m.data, (size_t)n);
		buf[n] = '\0';
		tls_recv_ack(k->t, used);
		return n;
	}
}

/* Does the message have this module (and success, when asked)? */
static int
module_is(const char *msg, size_t len, const char *module, int *success)
{
	struct json_field f[2] = { { "module", 0, 0, 0 }, { "success", 0, 0, 0 } };

	if (json_fields(msg, len, f, 2) != 0 || f[0].type != JSON_STRING ||
	    !json_streq(msg + f[0].start, f[0].end - f[0].start, module))
		return 0;
	if (success != NULL)
		*success = f[1].type == JSON_TRUE;
	return 1;
}

/* build_connection, then one heartbeat round trip. */
static int
steps_subscription(struct check *k)
{
	static struct ws_reader rd;
	static char msg[4096];
	char pv[128];
	long n;
	int ok = 0, code;

	ws_reader_init(&rd, k->msgbuf, k->cfg->opt->max_message);
	n = next_text(k, &rd, msg, sizeof(msg));
	if (n < 0 || !module_is(msg, (size_t)n, "build_connection", &ok)) {
		tls_close(k->t);
		return step("build_connection", EX_UNAVAILABLE_, n < 0 ?
		    net_strerror((int)n) : log_preview(msg, (size_t)n, pv,
		    sizeof(pv)), "the server did not open the subscription");
	}
	if (!ok) {
		tls_close(k->t);
		return step("build_connection", EX_NOPERM_, log_preview(msg,
		    (size_t)n, pv, sizeof(pv)), "the subscription was refused: "
		    "check ZOOM_SUBSCRIPTION_ID (the Marketplace shows it with the "
		    "endpoint URL) and that the token belongs to the app that "
		    "owns the subscription");
	}
	step("build_connection", 0, "success", NULL);
	session_send(k->t, WS_OP_TEXT, "{\"module\":\"heartbeat\"}", 22);
	while ((n = next_text(k, &rd, msg, sizeof(msg))) >= 0 &&
	    !module_is(msg, (size_t)n, "heartbeat", NULL))
		;
	session_send(k->t, WS_OP_CLOSE, "\x03\xE8", 2);
	tls_drain(k->t, net_now_ms() + 300);
	tls_close(k->t);
	code = n < 0 ? EX_UNAVAILABLE_ : 0;
	return step("heartbeat", code, n < 0 ? net_strerror((int)n) :
	    log_preview(msg, (size_t)n, pv, sizeof(pv)),
	    "no answer to the heartbeat");
}

int
check_run(struct check *k)
{
	int rc;

	if ((rc = step_config(k)) != 0 || (rc = step_dns(k)) != 0 ||
	    (rc = step_tcp(k)) != 0 || (rc = step_tls(k)) != 0 ||
	    (rc = step_token(k)) != 0)
		return rc;
	if ((rc = step_lock(k)) != 0) {
		if (rc > 1)
			return rc;
		log_say(2, "check passed up to the upgrade\n");
		return 0;
	}
	if ((rc = step_upgrade(k)) != 0 || (rc = steps_subscription(k)) != 0)
		return rc;
	log_say(2, "check passed\n");
	return 0;
}
