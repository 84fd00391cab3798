/*
 * test_alloc.c - alloc.c, the product's malloc, built as the product is:
 * static, with musl, this file's calls and libc's own going to it.
 * Blocks of every size class and past them keep their bytes and their
 * alignment, freed blocks are reused and not handed out twice, calloc
 * zeroes recycled memory and refuses an overflowing product, realloc
 * keeps the contents, a reload-like pattern does not grow the memory,
 * a double free or a foreign pointer traps, and getaddrinfo works on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"

static uint32_t rng = 12345;

static uint32_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7);
}

static int
holds(const unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed * 31 + i * 7))
			return 0;
	return 1;
}

/* What the process has mapped, in KiB, from /proc/self/maps: the
   allocator's arenas and large blocks among the rest. Resident memory
   (statm) would do natively, but qemu-user reports its own there, while
   it shows the guest's mappings in maps. */
static long
mapped_kib(void)
{
	static char buf[32768];
	unsigned long lo, hi;
	long kib = 0;
	size_t got = 0;
	ssize_t n;
	char *p, *e;
	int fd;

	if ((fd = open("/proc/self/maps", O_RDONLY)) == -1)
		return -1;
	while (got < sizeof(buf) - 1 &&
	    (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got == 0 || got == sizeof(buf) - 1)
		return -1;
	buf[got] = '\0';
	for (p = buf; *p != '\0'; p = e + 1) {
		lo = strtoul(p, &e, 16);
		if (*e != '-')
			return -1;
		hi = strtoul(e + 1, &e, 16);
		kib += (long)((hi - lo) / 1024);
		if ((e = strchr(e, '\n')) == NULL)
			break;
	}
	return kib;
}

static void
every_size_keeps_its_bytes_and_alignment(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 31, 32, 48, 100,
	    111, 112, 113, 240, 496, 1000, 1008, 1009, 2000, 2032, 2033, 4096,
	    65536, 1u << 20 };
	unsigned char *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = malloc(sizes[i]);
		CHECK(p[i] != NULL);
		CHECK(((uintptr_t)p[i] & 15) == 0);
		fill(p[i], sizes[i], (unsigned)i);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CHECK(holds(p[i], sizes[i], (unsigned)i));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		free(p[i]);
	free(NULL);
}

/* Many blocks live at once, freed and allocated in random order: no two
   live blocks overlap (each keeps its own pattern). */
static void
random_churn_never_overlaps(void)
{
	enum { N = 600 };
	static unsigned char *p[N];
	static size_t len[N];
	static unsigned seed[N];
	int round, i, bad = 0;

	for (round = 0; round < 20000; round++) {
		i = (int)(next() % N);
		if (p[i] != NULL) {
			if (!holds(p[i], len[i], seed[i]))
				bad++;
			free(p[i]);
			p[i] = NULL;
			continue;
		}
		len[i] = next() % 4 == 0 ? next() % 9000 : next() % 700;
		seed[i] = next();
		if ((p[i] = malloc(len[i])) == NULL) {
			bad++;
			continue;
		}
		fill(p[i], len[i], seed[i]);
	}
	for (i = 0; i < N; i++) {
		if (p[i] != NULL && !holds(p[i], len[i], seed[i]))
			bad++;
		free(p[i]);
		p[i] = NULL;
	}
	CHECK(bad == 0);
}

static void
freed_blocks_are_reused(void)
{
	void *a = malloc(100), *b;

	free(a);
	b = malloc(90);          /* the same class */
	CHECK(b == a);
	free(b);
}

static void
calloc_zeroes_and_refuses_overflow(void)
{
	volatile size_t half = SIZE_MAX / 2, huge = SIZE_MAX - 8;
	unsigned char *p, *q;
	size_t i;
	int nonzero = 0;

	p = malloc(300);
	memset(p, 0xAB, 300);
	free(p);
	q = calloc(3, 100);      /* the recycled block */
	CHECK(q == p);
	for (i = 0; i < 300; i++)
		nonzero |= q[i];
	CHECK(nonzero == 0);
	free(q);
	q = calloc(1, 100000);
	CHECK(q != NULL);
	for (i = 0; i < 100000; i++)
		nonzero |= q[i];
	CHECK(nonzero == 0);
	free(q);
	errno = 0;
	CHECK(calloc(half, 3) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(malloc(huge) == NULL && errno == ENOMEM);
	CHECK(calloc(0, huge) != NULL);
}

static void
realloc_keeps_the_contents(void)
{
	unsigned char *p = NULL, *q;
	size_t n = 0, m;
	int ok = 1;

	/* grown as ca.c grows its anchor array: doubling, small to large */
	for (m = 24; m <= 300000; m *= 2) {
		q = realloc(p, m);
		if (q == NULL) {
			ok = 0;
			break;
		}
		if (n > 0 && !holds(q, n, 7))
			ok = 0;
		p = q;
		n = m;
		fill(p, n, 7);
	}
	CHECK(ok);
	q = realloc(p, 10);      /* shrinking keeps the first bytes */
	CHECK(q != NULL && holds(q, 10, 7));
	free(q);
	q = realloc(NULL, 40);
	CHECK(q != NULL);
	free(q);
}

/* A CA reload, over and over: a new set allocated before the old is
   freed. The memory settles at two sets: no new mapping after the
   first rounds. */
static void
reloads_do_not_grow_memory(void)
{
	enum { CERTS = 150 };
	void *set[2][CERTS], *arr[2];
	long before = 0, after;
	int r, i, cur = 0;

	memset(set, 0, sizeof(set));
	memset(arr, 0, sizeof(arr));
	for (r = 0; r < 300; r++) {
		int nxt = !cur;

		arr[nxt] = NULL;
		for (i = 0; i < CERTS; i++) {
			size_t n = 120 + (size_t)(i * 37 % 600);

			if (i % 16 == 0)
				arr[nxt] = realloc(arr[nxt],
				    (size_t)(i + 16) * 48);
			set[nxt][i] = malloc(n);
			memset(set[nxt][i], i, n);
		}
		for (i = 0; i < CERTS; i++)
			free(set[cur][i]);
		free(arr[cur]);
		cur = nxt;
		if (r == 10)
			before = mapped_kib();
	}
	after = mapped_kib();
	CHECK(before > 0 && after > 0);
	CHECK(after == before);
	for (i = 0; i < CERTS; i++)
		free(set[cur][i]);
	free(arr[cur]);
}

/* fn in a child: it must die of a trap (or, for a block already
   unmapped, of the fault reading its header). The trap's signal is the
   CPU's: SIGILL on x86-64, SIGTRAP on the ARMs and MIPS, SIGILL or SIGFPE
   on s390x (qemu-user reports its trap instruction as SIGFPE). */
static int
traps(void (*fn)(void))
{
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		fn();
		_exit(0);
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) &&
	    (WTERMSIG(st) == SIGILL || WTERMSIG(st) == SIGTRAP ||
	    WTERMSIG(st) == SIGFPE || WTERMSIG(st) == SIGSEGV);
}

/* The misuses go through volatile pointers: the compiler sees neither
   the double free nor an allocation it could leave out. */
static void
double_free_small(void)
{
	void *volatile p = malloc(50);

	free(p);
	free(p);
}

static void
double_free_large(void)
{
	void *volatile p = malloc(50000);

	free(p);
	free(p);
}

static void
free_foreign(void)
{
	static long not_malloced[8];
	void *volatile p = &not_malloced[4];

	free(p);
}

static void
realloc_freed(void)
{
	void *volatile p = malloc(50);

	free(p);
	p = realloc(p, 100);
}

static void
header_overwritten(void)
{
	unsigned char *volatile a = malloc(1500);
	unsigned char *volatile b = malloc(1500);
	volatile unsigned char *w;
	int i;

	/* two neighbours in the 2 KiB class, then a write past the first
	   over the header of the second */
	for (i = 0; i < 4096 && b != a + 2048; i++) {
		a = b;
		b = malloc(1500);
	}
	if (b != a + 2048)
		_exit(0);
	for (w = a, i = 0; i < 2048; i++)      /* stores it cannot drop */
		w[i] = 'x';
	free(b);
}

static void
misuse_traps(void)
{
	CHECK(traps(double_free_small));
	CHECK(traps(double_free_large));
	CHECK(traps(free_foreign));
	CHECK(traps(realloc_freed));
	CHECK(traps(header_overwritten));
}

static void
getaddrinfo_allocates_from_it(void)
{
	struct addrinfo hints, *res = NULL;
	int i;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	for (i = 0; i < 100; i++) {
		CHECK(getaddrinfo("127.0.0.1", "443", &hints, &res) == 0);
		if (res == NULL)
			break;
		CHECK(res->ai_family == AF_INET);
		freeaddrinfo(res);
		res = NULL;
	}
	CHECK(getaddrinfo("localhost", "443", &hints, &res) == 0);
	if (res != NULL)
		freeaddrinfo(res);
}

int
main(void)
{
	t_suite = "alloc";
	RUN(every_size_keeps_its_bytes_and_alignment);
	RUN(random_churn_never_overlaps);
	RUN(freed_blocks_are_reused);
	RUN(calloc_zeroes_and_refuses_overflow);
	RUN(realloc_keeps_the_contents);
	RUN(reloads_do_not_grow_memory);
	RUN(misuse_traps);
	RUN(getaddrinfo_allocates_from_it);
	return t_done();
}
