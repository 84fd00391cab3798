/*
 * retry.h - when to try again: the reconnect policy of zoomws, apart
 * from any I/O so that it can be tested.
 *
 * A failed attempt doubles the cap of the delay, from --backoff-min up
 * to --backoff-max, and the delay is random between --backoff-min and
 * the cap (jitter, with the minimum kept a minimum). A success (a
 * subscription that opened and delivered an event, had a heartbeat
 * answered, or stayed open a while: session_healthy) starts again at the
 * bottom. --max-retries counts the failed attempts in a row.
 *
 * Zoom keeps one connection per subscription: a connection that Zoom
 * ends soon after it opened was most likely taken over by another
 * client. RETRY_KICKS of those within RETRY_KICK_SPAN_MS put zoomws on
 * standby: the delay becomes --backoff-max, doubling with each further
 * takeover up to RETRY_STANDBY_MAX times it, so that of two instances
 * one holds the subscription and the other waits.
 */
#ifndef RETRY_H
#define RETRY_H

#include <stdint.h>

#include "config.h"

#define RETRY_KICKS         3
#define RETRY_KICK_SPAN_MS  600000
#define RETRY_STANDBY_MAX   8       /* x --backoff-max, a power of two */

struct retry {
	const struct options *opt;
	int     failures;           /* failed attempts in a row */
	int     refusals;           /* build_connection refusals in a row */
	int64_t kicks[RETRY_KICKS]; /* when the last takeovers were */
	int     nkicks;
	int     standby;            /* takeovers since the standby began */
};

/* retry_init: the policy of opt, nothing failed yet. */
void retry_init(struct retry *r, const struct options *opt);

/*
 * retry_outcome: the attempt ended at now: healthy when it was a
 * success, taken_over when Zoom ended it soon after it opened. Returns 1
 * when this takeover put zoomws on standby for the first time in a row
 * (the caller says so once), else 0.
 */
int retry_outcome(struct retry *r, int healthy, int taken_over, int64_t now);

/* retry_exhausted: are --max-retries failed attempts in a row used up? */
int retry_exhausted(const struct retry *r);

/* retry_delay: the delay before the next attempt in ms, rnd a uniform
   random 32-bit number. */
int64_t retry_delay(const struct retry *r, uint32_t rnd);

#endif
