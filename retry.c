/*
 * retry.c - the reconnect policy.
 */
#include <string.h>

#include "retry.h"

void
retry_init(struct retry *r, const struct options *opt)
{
	memset(r, 0, sizeof(*r));
	r->opt = opt;
}

int
retry_outcome(struct retry *r, int healthy, int taken_over, int64_t now)
{
	int i, recent = 0;

	if (healthy) {
		r->failures = 0;
		r->refusals = 0;
	} else
		r->failures++;
	if (!taken_over) {
		if (healthy)
			r->standby = 0;
		return 0;
	}
	r->kicks[r->nkicks++ % RETRY_KICKS] = now;
	for (i = 0; i < RETRY_KICKS && i < r->nkicks; i++)
		recent += now - r->kicks[i] < RETRY_KICK_SPAN_MS;
	if (recent < RETRY_KICKS)
		return 0;
	return ++r->standby == 1;
}

int
retry_exhausted(const struct retry *r)
{
	return r->opt->max_retries > 0 && r->failures >= r->opt->max_retries;
}

int64_t
retry_delay(const struct retry *r, uint32_t rnd)
{
	const struct options *o = r->opt;
	int64_t low = o->backoff_min_ms, cap = low;
	uint64_t span;
	int i;

	for (i = 1; i < r->failures && cap < o->backoff_max_ms; i++)
		cap *= 2;
	if (cap > o->backoff_max_ms)
		cap = o->backoff_max_ms;
	if (r->standby > 0) {
		/* on standby: --backoff-max, doubling, at most
		   RETRY_STANDBY_MAX times it; from half of that up */
		for (cap = o->backoff_max_ms, i = 1; i < r->standby &&
		    cap < o->backoff_max_ms * RETRY_STANDBY_MAX; i++)
			cap *= 2;
		low = cap / 2;
	}
	/* low + (cap - low) * rnd / (2^32 - 1), split so that no product
	   passes 64 bits: span = q (2^32 - 1) + r gives q rnd + r rnd /
	   (2^32 - 1) exactly */
	span = (uint64_t)(cap - low);
	return low + (int64_t)(span / UINT32_MAX * rnd +
	    span % UINT32_MAX * rnd / UINT32_MAX);
}
