/*
 * session.c - one connection: connect, upgrade, the event loop.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>

#include "dedup.h"
#include "dial.h"
#include "fmt.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "notify.h"
#include "session.h"
#include "signals.h"
#include "zoom.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif

#define OUT_RESERVE 160         /* per message: newline and a gap line */

/* What became of a message. */
enum handled { H_DONE, H_BLOCKED, H_REFUSED, H_MAXED, H_UTF8 };

/* The connection's own state, for one session_run. */
struct conn {
	struct session *s;
	enum session_state state;
	/* control frames the engine had no room for yet */
	int      pong_pending;      /* answer to the latest ping */
	unsigned char pong[WS_MAX_CONTROL];
	size_t   ponglen;
	unsigned close_pending;     /* code of our close frame, 0: none */
	int64_t  last_rx;
	int64_t  next_heartbeat;
	int64_t  heartbeat_sent;    /* net_now_ms of the one unanswered */
	int64_t  close_deadline;
	int      maxed;             /* --max-events reached */
	/* a message that waits for room in the output */
	int      pending;
	struct ws_msg msg;
	size_t   pending_ack;
};

int
session_send(struct tls *t, int opcode, const void *payload, size_t len)
{
	unsigned char mask[4], *buf;
	size_t cap, n;

	if ((buf = tls_send_buf(t, &cap)) == NULL || cap < len + 14) {
		tls_pump(t, POLLOUT);
		if ((buf = tls_send_buf(t, &cap)) == NULL)
			return -1;
	}
	net_random(mask, sizeof(mask));
	if ((n = ws_encode(buf, cap, 1, opcode, payload, len, mask)) == 0)
		return -1;
	tls_send_ack(t, n);
	tls_flush(t);
	return 0;
}

/* A close frame with a status code (RFC 6455 5.5.1). */
static int
send_close(struct tls *t, unsigned code)
{
	unsigned char p[2];

	p[0] = (unsigned char)(code >> 8);
	p[1] = (unsigned char)code;
	return session_send(t, WS_OP_CLOSE, p, sizeof(p));
}

/*
 * begin_close: start the closing handshake (RFC 6455 7.1.2): queue our
 * close frame and give the server until linger_ms from now to answer.
 */
static void
begin_close(struct conn *c, unsigned code, int64_t linger_ms)
{
	if (c->state != S_CLOSING) {
		c->s->reached = c->state;
		c->state = S_CLOSING;
		if (send_close(c->s->t, code) < 0)
			c->close_pending = code;
	}
	c->close_deadline = net_now_ms() + linger_ms;
}

/* One line of the output committed; with raw, a message that is not an
   event. */
static void
commit_line(struct session *s, char *dst, size_t n, int event)
{
	dst[n] = '\n';
	out_commit(s->out, n + 1, event);
}

/* The subscription opened: say so, and the window events may have been
   missed in since the last connection. */
static void
opened(struct conn *c, char *dst, size_t used)
{
	struct session *s = c->s;
	char secs[32];
	int64_t wall;
	size_t n;

	c->state = S_SUBSCRIBED;
	s->opened = net_now_ms();
	counters.up = 1;
	logm(L_INFO, "subscription %s open", s->cfg->sub_id);
	notify_status("subscription %s open, %llu event%s written so far",
	    s->cfg->sub_id, counters.events_out, log_plural(counters.events_out));
	if (s->gap_from == 0)
		return;
	wall = net_wall_ms();
	counters.gap_ms += wall - s->gap_from;
	logm(L_INFO, "events between %lld and %lld (%ss) may have been "
	    "missed", (long long)s->gap_from, (long long)wall,
	    fmt_seconds(secs, sizeof(secs), wall - s->gap_from, 1));
	/* the room out_reserve gave the message has OUT_RESERVE to spare */
	if (s->cfg->opt->gaps && (n = zoom_gap_line(dst + used, OUT_RESERVE,
	    s->gap_from, wall)) > 0)
		out_commit(s->out, n, 0);
	s->gap_from = 0;
}

/* An event: filtered, written, counted. */
static enum handled
event(struct conn *c, const struct zoom_msg *m, char *dst)
{
	struct session *s = c->s;
	const struct options *opt = s->cfg->opt;

	counters.events_in++;
	s->events++;
	if (c->state == S_SUBSCRIBED)
		c->state = S_HEALTHY;
	if (opt->nfilters > 0 && !zoom_event_wanted(m->event, m->event_len,
	    opt->filters, opt->nfilters)) {
		counters.filtered++;
		return H_DONE;
	}
	if (opt->dedup_ms > 0 &&
	    dedup_seen(m->event, m->event_len, net_now_ms())) {
		counters.duplicates++;
		return H_DONE;
	}
	commit_line(s, dst, m->out_len, 1);
	s->queued++;
	return opt->max_events > 0 && s->queued >= opt->max_events ?
	    H_MAXED : H_DONE;
}

/*
 * text: one text message from the server. Events (or, with --raw,
 * every message) go to the output; lifecycle messages move the state;
 * everything else is logged. H_BLOCKED, with nothing changed, when the
 * output lacks room: the caller offers the same message again later.
 */
static enum handled
text(struct conn *c, unsigned char *data, size_t len)
{
	struct session *s = c->s;
	int raw = s->cfg->opt->raw;
	struct zoom_msg m;
	char *dst, pv[128];

	if ((dst = out_reserve(s->out, len + OUT_RESERVE)) == NULL ||
	    ((raw || s->cfg->opt->gaps) && out_others_full(s->out)))
		return H_BLOCKED;
	switch (zoom_read((char *)data, len, raw, dst, out_room(s->out), &m)) {
	case ZOOM_NOT_UTF8:
		return H_UTF8;
	case ZOOM_NOT_JSON:
		counters.malformed++;
		logm(L_WARN, "message that is not JSON (%s): %s",
		    zoom_strerror(m.err), log_preview(data, len, pv, sizeof(pv)));
		return H_DONE;
	case ZOOM_BAD_EVENT:
		counters.events_in++;
		counters.malformed++;
		logm(L_WARN, "event content is %s (%s): %s", m.err ==
		    ZOOM_ERR_NOT_OBJECT ? "not a JSON object" : "not valid JSON",
		    zoom_strerror(m.err), log_preview(data + m.content,
		    m.content_len, pv, sizeof(pv)));
		return H_DONE;
	case ZOOM_EVENT:
		return event(c, &m, dst);
	case ZOOM_OPENED:
		if (raw)
			commit_line(s, dst, m.out_len, 0);
		opened(c, dst, raw ? m.out_len + 1 : 0);
		return H_DONE;
	case ZOOM_REFUSED:
		logm(L_WARN, "subscription refused: %s", m.content_len ?
		    log_preview(data + m.content, m.content_len, pv, sizeof(pv)) :
		    "(no reason given)");
		if (raw)
			commit_line(s, dst, m.out_len, 0);
		return H_REFUSED;
	case ZOOM_HEARTBEAT:
		logm(L_DEBUG, "heartbeat answered");
		if (c->heartbeat_sent != 0)
			counters.heartbeat_rtt = net_now_ms() - c->heartbeat_sent;
		c->heartbeat_sent = 0;
		if (c->state == S_SUBSCRIBED)
			c->state = S_HEALTHY;
		break;
	case ZOOM_OTHER:
		logm(L_INFO, "%s: %s", m.no_module ? "message without a module" :
		    "message of an unknown module ignored",
		    log_preview(data, len, pv, sizeof(pv)));
		break;
	}
	if (raw)
		commit_line(s, dst, m.out_len, 0);
	return H_DONE;
}

/*
 * control: a control frame, answered as RFC 6455 5.5 says: a ping gets
 * a pong with its payload, a pong not sent yet being replaced by the
 * answer to a later ping (5.5.3); a close is echoed with its code (5.5.1,
 * 1005 as 1000) unless ours went first, and the connection is closing.
 */
static void
control(struct conn *c, const struct ws_msg *m)
{
	struct session *s = c->s;
	unsigned code;

	switch (m->opcode) {
	case WS_OP_PING:
		logm(L_TRACE, "ping (%zu bytes), answering", m->len);
		c->pong_pending = 0;
		if (session_send(s->t, WS_OP_PONG, m->data, m->len) < 0) {
			memcpy(c->pong, m->data, m->len);
			c->ponglen = m->len;
			c->pong_pending = 1;
		}
		break;
	case WS_OP_CLOSE:
		fmt_snprintf(s->reason, sizeof(s->reason), "server closed the "
		    "connection (code %u%s%.*s)", m->close_code,
		    m->len > 2 ? ": " : "", m->len > 2 ? (int)(m->len - 2 > 100 ?
		    100 : m->len - 2) : 0, m->len > 2 ? (char *)m->data + 2 : "");
		if (c->state != S_CLOSING) {
			s->why = DISC_SERVER_CLOSE;
			code = m->close_code == 1005 ? 1000 : m->close_code;
			s->reached = c->state;
			c->state = S_CLOSING;
			if (send_close(s->t, code) < 0)
				c->close_pending = code;
		}
		break;
	default:
		break;
	}
}

/* One message or control frame. */
static enum handled
message(struct conn *c, struct ws_msg *m)
{
	switch (m->opcode) {
	case WS_OP_TEXT:
		return text(c, m->data, m->len);
	case WS_OP_BINARY:
		logm(L_DEBUG, "binary message of %zu bytes ignored", m->len);
		return H_DONE;
	default:
		control(c, m);
		return H_DONE;
	}
}

/* The frames' and messages' failure: fail the connection (RFC 6455
   7.1.7) with the code the error calls for. */
static void
protocol_error(struct conn *c, int err)
{
	struct session *s = c->s;

	fmt_snprintf(s->reason, sizeof(s->reason), "protocol error from "
	    "server: %s", ws_strerror(err));
	s->why = DISC_PROTOCOL;
	if (err == WS_ERR_TOO_BIG)
		logm(L_WARN, "a message of %llu bytes or more is over "
		    "--max-message (%zu bytes): raise --max-message to take it",
		    (unsigned long long)s->reader.msglen + s->reader.frame.len,
		    s->cfg->opt->max_message);
	begin_close(c, ws_close_code(err), 0);
}

/*
 * take_input: a held message first, then what the engine decrypted,
 * frame by frame. Returns the last message's fate; with H_BLOCKED the
 * message is held (its bytes stay in the engine: reading stops until
 * the output drains). -1: the connection failed.
 */
static int
take_input(struct conn *c)
{
	struct session *s = c->s;
	enum handled h = H_DONE;
	unsigned char *in;
	size_t len, used;
	struct ws_msg m;
	int rc, timed = 0;

	if (c->pending && (h = message(c, &c->msg)) != H_BLOCKED) {
		c->pending = 0;
		tls_recv_ack(s->t, c->pending_ack);
	}
	while (!c->pending && h != H_REFUSED && h != H_UTF8 &&
	    (in = tls_recv_buf(s->t, &len)) != NULL && len > 0) {
		if (h == H_MAXED && !c->maxed) {
			c->maxed = 1;
			begin_close(c, 1000, 500);
		}
		counters.bytes_in += len;
		if (!timed) {           /* once for what is at hand */
			c->last_rx = net_now_ms();
			timed = 1;
		}
		if ((rc = ws_read(&s->reader, in, len, &used, &m)) < 0) {
			protocol_error(c, rc);
			return -1;
		}
		if (rc == WS_NEED_MORE || (c->maxed && m.opcode != WS_OP_CLOSE)) {
			/* Past --max-events nothing more goes out. */
			tls_recv_ack(s->t, used);
			continue;
		}
		if ((h = message(c, &m)) == H_UTF8)
			break;
		if (h == H_BLOCKED) {
			c->pending = 1;
			c->msg = m;
			c->pending_ack = used;
			break;
		}
		tls_recv_ack(s->t, used);
	}
	return h;
}

/*
 * timers: control frames that found no room, signals, the idle timer
 * and the heartbeat. Returns -1 when the connection is over, else 0.
 */
static int
timers(struct conn *c, enum session_end *end)
{
	static const char hb[] = "{\"module\":\"heartbeat\"}";
	struct session *s = c->s;
	const struct options *opt = s->cfg->opt;
	char secs[32];
	int64_t now;

	if (c->pong_pending &&
	    session_send(s->t, WS_OP_PONG, c->pong, c->ponglen) == 0)
		c->pong_pending = 0;
	if (c->close_pending && send_close(s->t, c->close_pending) == 0)
		c->close_pending = 0;
	/* the watchdog and the metrics file, also when no wait comes */
	(void)net_tick();
	now = net_now_ms();
	if ((sig_stopping() || now >= s->deadline) && *end != END_STOP) {
		*end = END_STOP;
		strcpy(s->reason, "stopping");
		begin_close(c, 1000, 500);
	}
	if (c->state != S_CLOSING && sig_take_hup() &&
	    (s->reload == NULL || !s->reload(s->reload_arg))) {
		*end = END_RELOAD;
		s->why = DISC_RELOAD;
		strcpy(s->reason, "SIGHUP: the configuration changed");
		begin_close(c, 1000, 500);
	}
	if (c->state == S_CLOSING)
		return now >= c->close_deadline ? -1 : 0;
	/* Under back-pressure nothing is read: silence then says nothing
	   of the link. */
	if (c->pending)
		c->last_rx = now;
	if (now - c->last_rx >= opt->idle_ms) {
		fmt_snprintf(s->reason, sizeof(s->reason), "nothing received for "
		    "%ss: connection dead",
		    fmt_seconds(secs, sizeof(secs), opt->idle_ms, 1));
		s->why = DISC_IDLE;
		return -1;
	}
	if (now >= c->next_heartbeat &&
	    session_send(s->t, WS_OP_TEXT, hb, sizeof(hb) - 1) == 0) {
		logm(L_TRACE, "heartbeat sent");
		if (c->heartbeat_sent == 0)
			c->heartbeat_sent = now;
		c->next_heartbeat += opt->heartbeat_ms;
		if (c->next_heartbeat <= now)
			c->next_heartbeat = now + opt->heartbeat_ms;
	}
	return 0;
}

/* The next time something is due: the closing deadline, else the idle
   timeout or the heartbeat; --duration; a line waiting for the pipe. */
static int64_t
next_due(const struct conn *c)
{
	const struct session *s = c->s;
	int64_t until;

	if (c->state == S_CLOSING)
		until = c->close_deadline;
	else {
		until = c->last_rx + s->cfg->opt->idle_ms;
		if (c->next_heartbeat < until)
			until = c->next_heartbeat;
	}
	if (s->deadline < until)
		until = s->deadline;
	if (out_retry_at(s->out) < until)
		until = out_retry_at(s->out);
	return until;
}

/*
 * wait_and_pump: write the output when the socket has nothing more at
 * hand (under load one write takes many lines), then wait for the
 * socket, the output, a signal or the next timer, and move the engine.
 * Returns 1 to go round again, 0 when the connection is over (s->reason
 * says why), -1 when the output failed.
 */
static int
wait_and_pump(struct conn *c)
{
	struct session *s = c->s;
	struct pollfd pfd[2];
	unsigned char *in;
	size_t len;
	char err[256];
	int rc;

	/* A held message leaves its bytes in the engine: nothing more is
	   at hand then. The pump may find the peer gone: see below. */
	if (out_pending(s->out) > 0) {
		if (!c->pending && !tls_closed(s->t)) {
			(void)tls_pump(s->t, 0);
			if ((in = tls_recv_buf(s->t, &len)) != NULL && len > 0)
				return 1;
		}
		if (out_flush(s->out) != OUT_OK)
			return -1;
		/* the flush made room for the held message: take it now,
		   not after a wait that nothing may end before a timer */
		if (c->pending && out_fits(s->out, c->msg.len + OUT_RESERVE))
			return 1;
	}
	/* Over once the peer is gone and all it sent is handled; a message
	   held for the output is written first. */
	if (tls_closed(s->t) && !c->pending &&
	    ((in = tls_recv_buf(s->t, &len)) == NULL || len == 0)) {
		if (c->state != S_CLOSING) {
			strcpy(s->reason, "connection closed by server without a "
			    "close frame");
			s->why = DISC_LOST;
		}
		return 0;
	}
	pfd[0].fd = tls_closed(s->t) ? -1 : s->t->fd;
	pfd[0].events = tls_events(s->t);
	pfd[1].fd = s->out->fd;
	pfd[1].events = out_events(s->out);
	rc = net_wait(pfd, pfd[1].events ? 2 : 1, next_due(c));
	if (rc == NET_ERR_IO) {
		fmt_snprintf(s->reason, sizeof(s->reason), "poll: %s",
		    strerror(errno));
		return 0;
	}
	if (out_failed(s->out))
		return -1;
	rc = tls_closed(s->t) ? NET_ERR_CLOSED : tls_pump(s->t,
	    rc > 0 ? pfd[0].revents : 0);
	if (rc < 0 && !c->pending &&
	    (tls_recv_buf(s->t, &len) == NULL || len == 0)) {
		/* Data decrypted before a failure is still handled first;
		   only then does the connection end. */
		if (rc != NET_ERR_CLOSED) {
			fmt_snprintf(s->reason, sizeof(s->reason), "%s",
			    tls_error(s->t, err, sizeof(err)));
			s->why = DISC_LOST;
		} else if (c->state != S_CLOSING) {
			strcpy(s->reason, "connection closed by server without a "
			    "close frame");
			s->why = DISC_LOST;
		}
		return 0;
	}
	return 1;
}

/*
 * loop: the connection, from the upgrade to its end. Returns why it
 * ended.
 */
static enum session_end
loop(struct conn *c)
{
	struct session *s = c->s;
	enum session_end end = END_RETRY;
	int h, w;

	for (;;) {
		h = take_input(c);
		if (h < 0)
			return end;
		if (h == H_UTF8) {
			protocol_error(c, WS_ERR_UTF8);
			return end;
		}
		if (h == H_REFUSED) {
			s->why = DISC_REFUSED;
			begin_close(c, 1000, 0);
			return END_REFUSED;
		}
		if (h == H_MAXED && !c->maxed) {
			c->maxed = 1;
			begin_close(c, 1000, 500);
		}
		if (c->maxed)
			end = END_STOP;
		if (c->state == S_CLOSING && c->close_deadline == 0)
			/* The server's close, answered: let it close TCP. */
			c->close_deadline = net_now_ms() + 1000;
		/* The output, without blocking, once a batch is there or a
		   message waits for room (else when nothing is at hand). */
		if ((out_pending(s->out) >= OUT_BATCH || c->pending) &&
		    out_flush(s->out) != OUT_OK)
			return END_OUTPUT;
		if (c->pending && out_fits(s->out, c->msg.len + OUT_RESERVE))
			continue;
		if (timers(c, &end) < 0)
			return end;
		if ((w = wait_and_pump(c)) <= 0)
			return w < 0 ? END_OUTPUT : end;
	}
}

int
session_upgrade(struct tls *t, const struct config *cfg,
    const struct token *tok, int *status, char *err, size_t errlen)
{
	static char req[8192], head[HTTP_MAX_HEAD], target[8192];
	char key[WS_KEY_LEN + 1], host[300], hdrs[512], redacted[512];
	char why[256];
	unsigned char nonce[16];
	struct http_response r;
	const char *acc;
	size_t reqlen, acclen;
	int rc;

	*status = 0;
	if (zoom_upgrade_target(target, sizeof(target), cfg->ws.target,
	    cfg->sub_id, tok->value, tok->len) == 0) {
		fmt_snprintf(err, errlen, "WebSocket upgrade: request too long");
		return DIAL_ERR_SETUP;
	}
	net_random(nonce, sizeof(nonce));
	ws_make_key(key, nonce);
	fmt_snprintf(hdrs, sizeof(hdrs), "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "User-Agent: zoomws/" ZOOMWS_VERSION "\r\n", key);
	dial_host_header(host, sizeof(host), &cfg->ws);
	reqlen = http_request(req, sizeof(req), "GET", target, host, hdrs,
	    NULL, 0);
	url_redact(redacted, sizeof(redacted), target);
	logm(L_DEBUG, "GET %s", redacted);
	explicit_bzero(target, sizeof(target));
	if (reqlen == 0) {
		fmt_snprintf(err, errlen, "WebSocket upgrade: request too long");
		return DIAL_ERR_SETUP;
	}
	http_response_init(&r, head, sizeof(head), NULL, 0, 1);
	rc = dial_exchange(t, req, reqlen, &r, dial_deadline(cfg), NULL, why,
	    sizeof(why));
	explicit_bzero(req, sizeof(req));
	if (rc != DIAL_OK) {
		fmt_snprintf(err, errlen, "WebSocket upgrade: %s", why);
		return rc;
	}
	*status = r.status;
	if (r.status != 101) {
		fmt_snprintf(err, errlen, "WebSocket upgrade answered %d instead of "
		    "101%s", r.status,
		    r.status == 401 || r.status == 403 ? ": access token refused" :
		    r.status == 404 ? ": check ZOOM_WS_URL and the subscription id" :
		    "");
		return r.status == 401 || r.status == 403 ? 1 : -1;
	}
	/* RFC 6455 4.1: the client fails the connection on an answer
	   without these, or naming an extension or a subprotocol it did
	   not ask for (it asks for none). */
	if (!http_header_has_token(&r, "Upgrade", "websocket") ||
	    !http_header_has_token(&r, "Connection", "upgrade")) {
		fmt_snprintf(err, errlen, "WebSocket upgrade: 101 without Upgrade: "
		    "websocket and Connection: Upgrade");
		return -1;
	}
	acc = http_header(&r, "Sec-WebSocket-Accept", &acclen);
	if (acc == NULL || !ws_accept_ok(key, acc, acclen)) {
		fmt_snprintf(err, errlen, "WebSocket upgrade: wrong "
		    "Sec-WebSocket-Accept");
		return -1;
	}
	if (http_header(&r, "Sec-WebSocket-Extensions", &acclen) != NULL) {
		fmt_snprintf(err, errlen, "WebSocket upgrade: server chose an "
		    "extension that was not offered");
		return -1;
	}
	if (http_header(&r, "Sec-WebSocket-Protocol", &acclen) != NULL) {
		fmt_snprintf(err, errlen, "WebSocket upgrade: server chose a "
		    "subprotocol that was not asked for");
		return -1;
	}
	return 0;
}

/*
 * connect_ws: the WebSocket endpoint's TLS connection (finishing the
 * early one, or a fresh one) and the upgrade. Returns -1 (failed:
 * s->reason), 0, or 1 when the token was refused.
 */
static int
connect_ws(struct session *s)
{
	const struct config *cfg = s->cfg;
	char err[256], desc[128];
	int rc = DIAL_OK, status;

	/* The early connection's handshake may have failed, or the server
	   dropped it, after dial_early_take looked (an alert on its way):
	   not this attempt's failure, as it would not be had it come
	   sooner; a fresh connection's failure is. A timeout is not tried
	   twice. */
	if (s->early) {
		rc = dial_finish(s->t, &cfg->ws, dial_deadline(cfg), NULL, err,
		    sizeof(err));
		if (rc != DIAL_OK && rc != DIAL_ERR_STOP &&
		    rc != DIAL_ERR_TIMEOUT && rc != DIAL_ERR_RESOURCE) {
			logm(L_DEBUG, "WebSocket endpoint, opened early: %s",
			    err);
			tls_close(s->t);
			s->early = 0;
		} else if (rc != DIAL_OK)
			fmt_snprintf(s->reason, sizeof(s->reason),
			    "WebSocket endpoint %s", err);
	}
	if (!s->early) {
		logm(L_INFO, "connecting to %s:%s", cfg->ws.host, cfg->ws.port);
		if ((rc = dial_start(s->t, cfg, &cfg->ws, s->anchors,
		    dial_deadline(cfg), err, sizeof(err))) != DIAL_OK)
			fmt_snprintf(s->reason, sizeof(s->reason), "WebSocket "
			    "endpoint: %s", err);
		else if ((rc = dial_finish(s->t, &cfg->ws, dial_deadline(cfg),
		    NULL, err, sizeof(err))) != DIAL_OK)
			fmt_snprintf(s->reason, sizeof(s->reason),
			    "WebSocket endpoint %s", err);
	}
	if (rc != DIAL_OK)
		return rc == DIAL_ERR_STOP ? -2 : -1;
	if ((rc = session_upgrade(s->t, cfg, s->token, &status, s->reason,
	    sizeof(s->reason))) != 0) {
		tls_close(s->t);
		return rc == 1 ? 1 : rc == DIAL_ERR_STOP ? -2 : -1;
	}
	counters.connects++;
	tls_describe(s->t, desc, sizeof(desc));
	logm(L_INFO, "connected to %s:%s (%s%s)", cfg->ws.host, cfg->ws.port,
	    desc, tls_resumed(s->t) ? ", session resumed" : "");
	return 0;
}

enum session_end
session_run(struct session *s)
{
	struct conn c;
	enum session_end end;
	int rc;

	memset(&c, 0, sizeof(c));
	c.s = s;
	s->reached = S_UPGRADED;
	s->why = DISC_LOST;
	s->opened = 0;
	s->events = 0;
	s->reason[0] = '\0';
	if ((rc = connect_ws(s)) != 0) {
		s->ended = net_now_ms();
		if (rc == -2 || sig_stopping())
			return END_STOP;
		logm(L_WARN, "%s", s->reason);
		s->why = rc == 1 ? DISC_REFUSED : DISC_LOST;
		return rc == 1 ? END_REFUSED : END_RETRY;
	}
	ws_reader_init(&s->reader, s->msgbuf, s->cfg->opt->max_message);
	s->reader.text_later = 1;          /* zoom_read checks */
	c.state = S_UPGRADED;
	c.last_rx = net_now_ms();
	c.next_heartbeat = c.last_rx + s->cfg->opt->heartbeat_ms;
	strcpy(s->reason, "connection lost");
	end = loop(&c);
	if (c.state != S_CLOSING)
		s->reached = c.state;
	if (c.close_pending)
		send_close(s->t, c.close_pending);
	tls_drain(s->t, net_now_ms() + 300);
	tls_close(s->t);
	s->ended = net_now_ms();
	counters.up = 0;
	/* Events may have been missed since the last byte arrived. */
	if (s->reached >= S_SUBSCRIBED)
		s->gap_from = net_wall_ms() - (s->ended - c.last_rx);
	if (end != END_STOP && end != END_OUTPUT) {
		/* Zoom keeps the newest connection of a subscription: one it
		   ends soon after it opened was most likely taken over. */
		if ((s->why == DISC_SERVER_CLOSE || s->why == DISC_LOST) &&
		    s->reached >= S_SUBSCRIBED &&
		    s->ended - s->opened < session_takeover_ms(s->cfg->opt))
			s->why = DISC_TAKEOVER;
		counters.disconnects[s->why]++;
		logm(L_INFO, "disconnected: %s%s", s->reason,
		    s->reached >= S_SUBSCRIBED ? "; events are missed until "
		    "the subscription is open again" : "");
	}
	return end;
}

int64_t
session_takeover_ms(const struct options *opt)
{
	int64_t w = opt->backoff_max_ms / 2;

	return w < SESSION_TAKEOVER_MAX_MS ? w : SESSION_TAKEOVER_MAX_MS;
}

int
session_healthy(const struct session *s)
{
	return s->reached == S_HEALTHY || (s->reached == S_SUBSCRIBED &&
	    s->ended - s->opened >= SESSION_HEALTHY_MS);
}
