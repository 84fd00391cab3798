/*
 * t.h - the unit-test harness: a dozen lines, no framework.
 *
 * A test is a function `static void name(void)`; main() calls RUN(name)
 * for each and returns t_done(). Every case prints one line, `PASS
 * suite/name` or `FAIL suite/name: file:line: expression`, which
 * tests/run counts. CHECK records a failure and carries on, so one run
 * shows every broken assertion of a case.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static const char *t_suite = "unit";
static int t_passed, t_failed, t_case_failed;
static const char *t_case;

#define CHECK(cond) do { \
	if (!(cond)) { \
		if (!t_case_failed) \
			printf("FAIL %s/%s: %s:%d: %s\n", t_suite, t_case, \
			    __FILE__, __LINE__, #cond); \
		else \
			printf("  also %s:%d: %s\n", __FILE__, __LINE__, \
			    #cond); \
		t_case_failed = 1; \
	} \
} while (0)

/* CHECK_MEM: n bytes at a equal n bytes at b. */
#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)
/* CHECK_STR: a NUL-terminated string equals another. */
#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

#define RUN(fn) do { \
	t_case = #fn; t_case_failed = 0; \
	fn(); \
	if (t_case_failed) t_failed++; \
	else { t_passed++; printf("PASS %s/%s\n", t_suite, t_case); } \
	fflush(stdout); \
} while (0)

static int
t_done(void)
{
	printf("%s: %d passed, %d failed\n", t_suite, t_passed, t_failed);
	return t_failed != 0;
}

#endif
