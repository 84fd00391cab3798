/*
 * session.h - one WebSocket connection to the subscription: the upgrade,
 * then the event layer over ws.c's frame reader (RFC 6455 5.5: pongs,
 * the latest-ping rule, the closing handshake), Zoom's messages through
 * zoom.c, events into the output queue, heartbeats and the idle timer,
 * back-pressure, until the connection ends.
 *
 * A connection is in one state at a time:
 *
 *   UPGRADED --build_connection ok--> SUBSCRIBED --event, heartbeat
 *      |                                 |         answer or time--> HEALTHY
 *      +------------ any end ------------+----------------------------+
 *                                        v
 *                                     CLOSING --server closes or deadline--> over
 *
 * CLOSING: our close frame is queued, or the server's was answered;
 * what still arrives is handled until the server closes TCP or the
 * closing deadline passes.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "ca.h"
#include "config.h"
#include "log.h"
#include "out.h"
#include "tls.h"
#include "token.h"
#include "ws.h"

/* A subscription open this long counts as a success even without an
   event or a heartbeat answer. */
#define SESSION_HEALTHY_MS 10000

/* A subscription the server ends within this long of opening (at most,
   or half of --backoff-max) was most likely taken over by another
   client: Zoom keeps one connection per subscription, the newest. */
#define SESSION_TAKEOVER_MAX_MS 30000

enum session_state {
	S_UPGRADED,     /* 101 received, build_connection awaited */
	S_SUBSCRIBED,   /* build_connection success: events flow */
	S_HEALTHY,      /* and an event or a heartbeat answer came */
	S_CLOSING       /* the closing handshake runs */
};

enum session_end {
	END_RETRY,      /* reconnect after backoff */
	END_REFUSED,    /* subscription or token refused: new token, retry */
	END_RELOAD,     /* SIGHUP: reload, then reconnect at once */
	END_STOP,       /* signal, --duration, --max-events: exit 0 */
	END_OUTPUT      /* the output failed: exit 74 */
};

/* What a session works with; the caller's, kept across sessions. */
struct session {
	const struct config     *cfg;
	const struct ca_anchors *anchors;
	struct tls              *t;         /* the WebSocket connection */
	int                      early;     /* t was opened during the token
	                                       fetch (dial_early_take) */
	struct token            *token;
	struct out              *out;
	unsigned char           *msgbuf;    /* --max-message bytes */
	struct ws_reader         reader;
	int64_t                  deadline;  /* --duration, INT64_MAX: none */
	long long                queued;    /* events queued, for -n */
	int64_t                  gap_from;  /* wall ms events may have been
	                                       missed from, 0: none */
	/*
	 * Called on SIGHUP while the connection is open: reload the
	 * configuration; 1 keeps the connection, 0 closes it (END_RELOAD).
	 */
	int                    (*reload)(void *arg);
	void                    *reload_arg;
	/* the outcome of the last session_run */
	enum session_state       reached;   /* the last state before CLOSING */
	enum disconnect          why;       /* why it ended (log.h) */
	int64_t                  opened;    /* net_now_ms of build_connection */
	int64_t                  ended;
	unsigned long long       events;    /* events received */
	char                     reason[200];
};

/*
 * session_run: connect (or finish the early connection's handshake),
 * upgrade, and run the connection until it ends. Logs the connection's
 * life at info (connected, subscription open, disconnected and why).
 * Returns why it ended; s->reached, s->opened, s->events and s->reason
 * say how far it got.
 */
enum session_end session_run(struct session *s);

/* session_takeover_ms: how soon after opening an end by the server
   counts as a takeover (DISC_TAKEOVER): half of --backoff-max, at most
   SESSION_TAKEOVER_MAX_MS; shorter than any standby delay. */
int64_t session_takeover_ms(const struct options *opt);

/* session_healthy: did the last session count as a success (opened and
   delivered an event, answered a heartbeat, or stayed open past
   SESSION_HEALTHY_MS)? */
int session_healthy(const struct session *s);

/*
 * session_upgrade: the WebSocket upgrade on the open connection t (RFC
 * 6455 4.1): GET with the token in the query, checked 101 answer
 * (Upgrade, Connection, Sec-WebSocket-Accept; no extension or
 * subprotocol the client did not ask for). *status gets the answer's
 * status (0: none). Returns 0, 1 when the server refused the token (401,
 * 403), or a DIAL_ERR_* / -1 with err saying why ("WebSocket upgrade
 * ...").
 */
int session_upgrade(struct tls *t, const struct config *c,
    const struct token *tok, int *status, char *err, size_t errlen);

/* session_send: one masked frame on t (RFC 6455 5.3); 0, or -1 when the
   engine has no room now (the caller keeps the frame for later). */
int session_send(struct tls *t, int opcode, const void *payload, size_t len);

#endif
