/*
 * alloc.c - malloc, calloc, realloc and free for a program that
 * allocates little, linked into the static binary in place of musl's.
 *
 * What zoomws allocates: a few buffers at start (the message buffer, the
 * output queue, the --dedup table), the CA anchors at start and again on
 * each reload that changes the bundle, a dozen strings of configuration,
 * and, in the lookup child, getaddrinfo's answer. musl's general-purpose
 * allocator is some 8 KiB of the binary for that; this is well under
 * one.
 *
 * A block of up to SMALL_MAX bytes comes from a size class (a power of
 * two, header included), carved from ARENA-byte mappings and kept on its
 * class's free list once freed: a reload asks for the same sizes again,
 * so the free lists stay as small as the most ever held at once. A larger
 * block is a mapping of its own, unmapped when freed. Memory is only ever
 * resident once written to.
 *
 * Each block starts with a header that names its class (or mapping
 * length) and a tag derived from its address; free() and realloc() trap
 * on a pointer without a live block's tag (a double free, a pointer
 * that malloc did not return, a header overwritten by the block before
 * it) instead of corrupting a free list.
 *
 * Not thread-safe: zoomws has one thread (the lookup child is a process).
 * The tests' glibc and ASan builds keep their own malloc; tests/test_alloc
 * is built static with musl and this file, as the product is.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HDR        16u                  /* keeps blocks 16-byte aligned */
#define MIN_SHIFT  5                    /* smallest class: 32 bytes */
#define CLASSES    7                    /* 32 ... 2048 bytes */
#define SMALL_MAX  ((1u << (MIN_SHIFT + CLASSES - 1)) - HDR)
#define ARENA      (64u << 10)
#define LIVE       0x5a6f6f6d77734c76u  /* tags: address ^ one of these */
#define FREED      0x5a6f6f6d77734672u

struct hdr {
	size_t size;            /* class index, or the mapping's length */
	uint64_t tag;           /* LIVE or FREED ^ the header's address */
};

static void *free_list[CLASSES];
static unsigned char *arena, *arena_end;

void *malloc(size_t);
void *calloc(size_t, size_t);
void *realloc(void *, size_t);
void free(void *);

static uint64_t
tag(const struct hdr *h, uint64_t kind)
{
	return (uint64_t)(uintptr_t)h ^ kind;
}

/* The class of a request of n bytes (n <= SMALL_MAX). */
static unsigned
class_of(size_t n)
{
	unsigned c = 0;

	while (((size_t)1 << (MIN_SHIFT + c)) < n + HDR)
		c++;
	return c;
}

static void *
map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* A block of class c: from its free list, else carved from the arena
   (the rest of a spent arena is left unused, never written). */
static struct hdr *
small_block(unsigned c)
{
	size_t len = (size_t)1 << (MIN_SHIFT + c);
	struct hdr *h;

	if (free_list[c] != NULL) {
		h = (struct hdr *)free_list[c] - 1;
		if (h->tag != tag(h, FREED))
			__builtin_trap();
		memcpy(&free_list[c], h + 1, sizeof(void *));
		return h;
	}
	if (arena == NULL || (size_t)(arena_end - arena) < len) {
		if ((arena = map(ARENA)) == NULL)
			return NULL;
		arena_end = arena + ARENA;
	}
	h = (struct hdr *)(void *)arena;
	arena += len;
	h->size = c;
	return h;
}

void *
malloc(size_t n)
{
	struct hdr *h;
	size_t len;

	if (n <= SMALL_MAX) {
		if ((h = small_block(class_of(n))) == NULL)
			return NULL;
	} else {
		if (n > SIZE_MAX / 2) {
			errno = ENOMEM;
			return NULL;
		}
		len = n + HDR;
		if ((h = map(len)) == NULL)
			return NULL;
		h->size = len;
	}
	h->tag = tag(h, LIVE);
	return h + 1;
}

void *
calloc(size_t m, size_t n)
{
	void *p;

	if (n != 0 && m > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	/* A new mapping is zero already; a recycled block is not. */
	if ((p = malloc(m * n)) != NULL && m * n <= SMALL_MAX)
		memset(p, 0, m * n);
	return p;
}

/* The live block p points into, or a trap. */
static struct hdr *
live(void *p)
{
	struct hdr *h = (struct hdr *)p - 1;

	if (h->tag != tag(h, LIVE))
		__builtin_trap();
	return h;
}

/* What p's block holds. */
static size_t
capacity(const struct hdr *h)
{
	return h->size < CLASSES ?
	    ((size_t)1 << (MIN_SHIFT + h->size)) - HDR : h->size - HDR;
}

void
free(void *p)
{
	struct hdr *h;

	if (p == NULL)
		return;
	h = live(p);
	if (h->size >= CLASSES) {
		h->tag = 0;
		munmap(h, h->size);
		return;
	}
	h->tag = tag(h, FREED);
	memcpy(p, &free_list[h->size], sizeof(void *));
	free_list[h->size] = p;
}

void *
realloc(void *p, size_t n)
{
	size_t have;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n <= (have = capacity(live(p))))
		return p;
	if ((q = malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	free(p);
	return q;
}
