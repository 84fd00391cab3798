/*
 * test_fmt.c - fmt_snprintf against the C library's snprintf: fixed
 * cases for every conversion, flag and length fmt.h names, truncation
 * and the return value, then random formats of that grammar, compared
 * byte for byte; fmt_seconds against snprintf's %.Nf of the same time
 * (and, for a tie, what fmt.h says: away from zero).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <time.h>

#include "t.h"
#include "../fmt.h"

/* Both formatters on the same arguments, into buffers of len bytes:
   the same bytes and the same return value, or a FAIL line naming the
   format. */
static int
same(size_t len, const char *fmt, ...)
{
	char want[256], got[256];
	va_list ap, aq;
	int nw, ng;

	memset(want, 'x', sizeof(want));
	memset(got, 'x', sizeof(got));
	va_start(ap, fmt);
	va_copy(aq, ap);
	nw = vsnprintf(want, len, fmt, ap);
	ng = fmt_vsnprintf(got, len, fmt, aq);
	va_end(aq);
	va_end(ap);
	if (nw != ng || memcmp(want, got, sizeof(want)) != 0) {
		printf("  format \"%s\" len %zu: got %d \"%.*s\", want %d "
		    "\"%.*s\"\n", fmt, len, ng, (int)(len ? len : 1) - 1, got, nw,
		    (int)(len ? len : 1) - 1, want);
		return 0;
	}
	return 1;
}

static void
integers(void)
{
	CHECK(same(64, "%d %d %d %d", 0, 1, -1, 42));
	CHECK(same(64, "%d %d", INT_MAX, INT_MIN));
	CHECK(same(64, "%u %u", 0u, UINT_MAX));
	CHECK(same(64, "%ld %ld %lu", LONG_MAX, LONG_MIN, ULONG_MAX));
	CHECK(same(64, "%lld %lld %llu", LLONG_MAX, LLONG_MIN, ULLONG_MAX));
	CHECK(same(64, "%zu %zu", (size_t)0, SIZE_MAX));
	CHECK(same(64, "%x %X %x %o %o", 0xdeadbeefu, 0xdeadbeefu, 0u, 8u, 0u));
	CHECK(same(64, "%llx %lo", ULLONG_MAX, ULONG_MAX));
	CHECK(same(64, "%i", -7));
	/* width, '-', '0', precision */
	CHECK(same(64, "[%6d|%-6d|%06d|%-06d]", -42, -42, -42, -42));
	CHECK(same(64, "[%02d|%04d|%03ld|%03o|%6lld]", 5, 2026, 7L, 0644u,
	    -12345LL));
	CHECK(same(64, "[%.3d|%.0d|%.0d|%5.3d|%-5.3d|%05.3d]", 7, 0, 1, -7, 7,
	    7));
	CHECK(same(64, "[%*d|%-*d|%*d|%.*d|%.*d]", 5, 1, 5, 2, -5, 3, 4, 4, -1,
	    5));
	CHECK(same(64, "[%1d|%1d]", 12345, -12345));
}

static void
strings_and_chars(void)
{
	static const char data[4] = { 'a', 'b', 'c', 'd' };     /* no NUL */

	CHECK(same(64, "%s|%s|%s", "", "x", "hello"));
	CHECK(same(64, "[%-4s|%4s|%-17s|%17s]", "ok", "FAIL", "token", "x"));
	CHECK(same(64, "[%.2s|%.0s|%.60s|%5.2s|%-5.2s]", "hello", "hello",
	    "hi", "hello", "hello"));
	CHECK(same(64, "[%.*s|%.*s]", 3, "hello", -1, "hello"));
	CHECK(same(64, "[%c%c|%3c|%-3c]", 'a', 'Z', 'x', 'y'));
	CHECK(same(64, "100%% %%d %s%%", "sure"));
	/* a precision reads no further than it says */
	CHECK(same(64, "%.4s|%.*s", data, 2, data));
	/* a string of every byte but NUL */
	{
		char all[256];
		int i;

		for (i = 1; i < 256; i++)
			all[i - 1] = (char)i;
		all[255] = '\0';
		CHECK(same(256, "%s", all));
	}
}

static void
seconds(void)
{
	static const long long ms[] = { 0, 1, 4, 5, 9, 10, 49, 51, 99, 100,
	    999, 1001, 1049, 1051, 12345, 59999, 60000, 86399999,
	    31536000000LL, 31536000040LL, -1, -3260, -59999 };
	char want[64], got[64];
	size_t i;
	int d;

	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		for (d = 0; d <= 3; d++) {
			/* nudged away from zero, so that C rounds a tie
			   (1250 ms to one digit) away from zero too, and
			   nothing else differently */
			snprintf(want, sizeof(want), "%.*f", d,
			    (double)ms[i] / 1000 + (ms[i] < 0 ? -1e-7 : 1e-7));
			CHECK_STR(fmt_seconds(got, sizeof(got), ms[i], d), want);
		}
	/* ties away from zero, where C rounds the binary value */
	CHECK_STR(fmt_seconds(got, sizeof(got), 1250, 1), "1.3");
	CHECK_STR(fmt_seconds(got, sizeof(got), -1250, 1), "-1.3");
	CHECK_STR(fmt_seconds(got, sizeof(got), 1125, 2), "1.13");
	CHECK_STR(fmt_seconds(got, sizeof(got), 2500, 0), "3");
	CHECK_STR(fmt_seconds(got, sizeof(got), 20, 2), "0.02");
	CHECK_STR(fmt_seconds(got, sizeof(got), 25, 1), "0.0");
	CHECK_STR(fmt_seconds(got, sizeof(got), 50, 1), "0.1");
	/* decimals outside 0 to 3 are taken as the nearest */
	CHECK_STR(fmt_seconds(got, sizeof(got), 1234, 9), "1.234");
	CHECK_STR(fmt_seconds(got, sizeof(got), 1234, -1), "1");
	/* the extremes, and a buffer too small: cut, NUL-terminated */
	CHECK_STR(fmt_seconds(got, sizeof(got), LLONG_MAX, 3),
	    "9223372036854775.807");
	CHECK_STR(fmt_seconds(got, sizeof(got), LLONG_MIN, 3),
	    "-9223372036854775.808");
	CHECK_STR(fmt_seconds(got, 4, 12345, 3), "12.");
}

static void
truncation_and_return(void)
{
	char buf[8];
	size_t len;

	for (len = 0; len <= 8; len++) {
		CHECK(same(len, "%s", "abcdefghij"));
		CHECK(same(len, "%d-%d", 12345, -678));
		CHECK(same(len, "ab%5sz", "c"));
	}
	CHECK(fmt_snprintf(NULL, 0, "%s%d", "abc", 12) == 5);
	memset(buf, 'x', sizeof(buf));
	CHECK(fmt_snprintf(buf, 1, "abc") == 3);
	CHECK(buf[0] == '\0' && buf[1] == 'x');
	/* what fmt.h does not convert is copied as written (a format the
	   compiler does not see: it would refuse it) */
	{
		char odd[8];

		strcpy(odd, "%q|%");
		fmt_snprintf(buf, sizeof(buf), odd, 0);
		CHECK_STR(buf, "%q|%");
	}
}

/* A random format of fmt.h's grammar and arguments for it, both
   formatters on it. */
static int
random_case(unsigned *seed)
{
	static const char *const lens[] = { "", "l", "ll", "z" };
	char fmt[64];
	const char *len;
	char conv;
	int n = 0, w, p, lw;
	long long v;

#define RND(m) (((*seed = *seed * 1103515245u + 12345u) >> 8) % (m))
	conv = "diuxXocs"[RND(8)];
	fmt[n++] = '[';
	fmt[n++] = '%';
	if (RND(3) == 0)
		fmt[n++] = '-';
	if (RND(3) == 0 && conv != 's' && conv != 'c')
		fmt[n++] = '0';
	if ((w = (int)RND(16) - 4) > 0)
		n += sprintf(fmt + n, "%d", w);
	if (conv != 'c' && (p = (int)RND(14) - 4) >= 0)
		n += sprintf(fmt + n, ".%d", p);
	lw = (int)RND(4);
	len = strchr("diuxXo", conv) ? lens[lw] : "";
	n += sprintf(fmt + n, "%s%c]", len, conv);
	v = (long long)((unsigned long long)RND(1u << 24) << 40);
	v ^= (long long)((unsigned long long)RND(1u << 24) << 20);
	v ^= (long long)RND(1u << 24);
	if (RND(4) == 0)
		v = (long long)RND(200) - 100;
	switch (conv) {
	case 'c':
		return same(64, fmt, (int)(RND(94) + 33));
	case 's':
		return same(64, fmt, &"zoomws"[RND(7)]);
	}
	if (strchr("di", conv))
		switch (lw) {
		case 1: return same(64, fmt, (long)v);
		case 2: return same(64, fmt, v);
		case 3: return same(64, fmt, (size_t)v);
		default: return same(64, fmt, (int)v);
		}
	switch (lw) {
	case 1: return same(64, fmt, (unsigned long)v);
	case 2: return same(64, fmt, (unsigned long long)v);
	case 3: return same(64, fmt, (size_t)v);
	default: return same(64, fmt, (unsigned)v);
	}
#undef RND
}

static void
random_formats(void)
{
	unsigned seed = 2026;
	int i;

	for (i = 0; i < 200000; i++)
		if (!random_case(&seed)) {
			CHECK(!"a random format differs");
			break;
		}
}

/* fmt_civil against gmtime_r, a day at a time over 1600 years around
   the epoch (leap centuries included) and at the ends of time_t. */
static void
civil_dates(void)
{
	static const long long far[] = { -719468, -719469, 2932896,
	    106751991167LL, -106751991167LL };
	long long day;
	struct tm tm;
	time_t secs;
	size_t i;
	int y, m, d, bad = 0;

	for (day = -400 * 366; day < 1200 * 366 && bad < 5; day++) {
		secs = (time_t)day * 86400;
		gmtime_r(&secs, &tm);
		fmt_civil(day, &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 ||
		    d != tm.tm_mday) {
			printf("  day %lld: %d-%d-%d\n", day, y, m, d);
			bad++;
		}
	}
	CHECK(bad == 0);
	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		secs = (time_t)far[i] * 86400;
		if (gmtime_r(&secs, &tm) == NULL)
			continue;
		fmt_civil(far[i], &y, &m, &d);
		CHECK(y == tm.tm_year + 1900 && m == tm.tm_mon + 1 &&
		    d == tm.tm_mday);
	}
	fmt_civil(0, &y, &m, &d);
	CHECK(y == 1970 && m == 1 && d == 1);
	fmt_civil(11016, &y, &m, &d);           /* 2000-02-29 */
	CHECK(y == 2000 && m == 2 && d == 29);
}

int
main(void)
{
	t_suite = "fmt";
	RUN(integers);
	RUN(strings_and_chars);
	RUN(seconds);
	RUN(truncation_and_return);
	RUN(random_formats);
	RUN(civil_dates);
	return t_done();
}
