/*
 * test_retry.c - the reconnect policy: delays within [--backoff-min,
 * cap] with the cap doubling per failure up to --backoff-max, a success
 * starting again at the bottom, --max-retries, and the standby after
 * takeovers (three within ten minutes) with its longer delays.
 */
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "../retry.h"

static struct options opt;

static void
setup(struct retry *r, int64_t min, int64_t max, long retries)
{
	memset(&opt, 0, sizeof(opt));
	opt.backoff_min_ms = min;
	opt.backoff_max_ms = max;
	opt.max_retries = retries;
	retry_init(r, &opt);
}

/* The delay's range over random numbers from 0 to the top. */
static void
range(const struct retry *r, int64_t *lo, int64_t *hi)
{
	*lo = retry_delay(r, 0);
	*hi = retry_delay(r, UINT32_MAX);
}

static void
delays_double_within_min_and_max(void)
{
	struct retry r;
	int64_t lo, hi;
	int i;

	setup(&r, 1000, 60000, 0);
	range(&r, &lo, &hi);
	CHECK(lo == 1000 && hi == 1000);        /* no failure yet */
	retry_outcome(&r, 0, 0, 1);
	range(&r, &lo, &hi);
	CHECK(lo == 1000 && hi == 1000);        /* the first failure */
	retry_outcome(&r, 0, 0, 2);
	range(&r, &lo, &hi);
	CHECK(lo == 1000 && hi == 2000);
	for (i = 0; i < 10; i++)
		retry_outcome(&r, 0, 0, 3);
	range(&r, &lo, &hi);
	CHECK(lo == 1000 && hi == 60000);       /* capped at the maximum */
	CHECK(retry_delay(&r, UINT32_MAX / 2) > 1000 &&
	    retry_delay(&r, UINT32_MAX / 2) < 60000);
	/* a success: the bottom again */
	retry_outcome(&r, 1, 0, 4);
	range(&r, &lo, &hi);
	CHECK(lo == 1000 && hi == 1000);
	CHECK(r.failures == 0);
}

static void
max_retries_counts_failures_in_a_row(void)
{
	struct retry r;

	setup(&r, 10, 100, 3);
	retry_outcome(&r, 0, 0, 1);
	retry_outcome(&r, 0, 0, 2);
	CHECK(!retry_exhausted(&r));
	retry_outcome(&r, 1, 0, 3);             /* a success in between */
	retry_outcome(&r, 0, 0, 4);
	retry_outcome(&r, 0, 0, 5);
	CHECK(!retry_exhausted(&r));
	retry_outcome(&r, 0, 0, 6);
	CHECK(retry_exhausted(&r));
	setup(&r, 10, 100, 0);                  /* 0: never */
	for (int i = 0; i < 100; i++)
		retry_outcome(&r, 0, 0, i);
	CHECK(!retry_exhausted(&r));
}

static void
takeovers_put_zoomws_on_standby(void)
{
	struct retry r;
	int64_t lo, hi;

	setup(&r, 50, 1000, 0);
	/* two takeovers, then one ten minutes later: no standby */
	CHECK(retry_outcome(&r, 1, 1, 1000) == 0);
	CHECK(retry_outcome(&r, 1, 1, 2000) == 0);
	CHECK(retry_outcome(&r, 1, 1, 2000 + RETRY_KICK_SPAN_MS) == 0);
	range(&r, &lo, &hi);
	CHECK(lo == 50 && hi == 50);
	/* three within the span: standby, said once */
	CHECK(retry_outcome(&r, 1, 1, 3000 + RETRY_KICK_SPAN_MS) == 0);
	CHECK(retry_outcome(&r, 1, 1, 4000 + RETRY_KICK_SPAN_MS) == 1);
	range(&r, &lo, &hi);
	CHECK(lo == 500 && hi == 1000);         /* --backoff-max */
	CHECK(retry_outcome(&r, 1, 1, 5000 + RETRY_KICK_SPAN_MS) == 0);
	range(&r, &lo, &hi);
	CHECK(lo == 1000 && hi == 2000);
	for (int i = 0; i < 10; i++)
		retry_outcome(&r, 1, 1, 6000 + RETRY_KICK_SPAN_MS + i);
	range(&r, &lo, &hi);
	CHECK(hi == 1000 * RETRY_STANDBY_MAX && lo == hi / 2);
	/* a success that was not taken over ends the standby */
	CHECK(retry_outcome(&r, 1, 0, 7000 + RETRY_KICK_SPAN_MS) == 0);
	range(&r, &lo, &hi);
	CHECK(lo == 50 && hi == 50);
	/* every standby delay is longer than a takeover takes to be noticed
	   (half of --backoff-max): the holder's connection outlives it */
	CHECK(retry_outcome(&r, 1, 1, 8000 + RETRY_KICK_SPAN_MS) == 1);
	CHECK(retry_delay(&r, 0) >= opt.backoff_max_ms / 2);
}

int
main(void)
{
	t_suite = "retry";
	RUN(delays_double_within_min_and_max);
	RUN(max_retries_counts_failures_in_a_row);
	RUN(takeovers_put_zoomws_on_standby);
	return t_done();
}
