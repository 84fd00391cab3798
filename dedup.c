/*
 * dedup.c - recently written events, by keyed hash, in a fixed table.
 */
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "net.h"

struct slot {
	uint64_t hash;
	int64_t  when;          /* net_now_ms written, 0: empty */
};

static struct slot *table;
static int64_t window;
static unsigned char key[16];

void
dedup_init(int64_t window_ms)
{
	window = window_ms;
	if (window > 0 && table == NULL) {
		net_random(key, sizeof(key));
		if ((table = calloc(DEDUP_SLOTS, sizeof(*table))) == NULL)
			window = 0;
	}
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {                                                   \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);       \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                          \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                          \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);       \
} while (0)

/* Eight bytes at p as a little-endian number, whatever the CPU. */
static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

uint64_t
dedup_siphash(const unsigned char k[16], const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t k0 = le64(k), k1 = le64(k + 8), m, b = (uint64_t)n << 56;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	size_t i;

	for (; n >= 8; n -= 8, p += 8) {
		m = le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < n; i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int
dedup_seen(const void *ev, size_t n, int64_t now)
{
	uint64_t h;
	struct slot *s, *victim = NULL;
	size_t i, at;

	if (window <= 0)
		return 0;
	h = dedup_siphash(key, ev, n);
	at = (size_t)h & (DEDUP_SLOTS - 1);
	for (i = 0; i < DEDUP_PROBE; i++) {
		s = &table[(at + i) & (DEDUP_SLOTS - 1)];
		if (s->when != 0 && now - s->when < window) {
			if (s->hash == h)
				return 1;
		} else
			s->when = 0;        /* out of the window: free */
		/* the slot to remember this one in: a free one, else the
		   oldest of those looked at */
		if (victim == NULL || (victim->when != 0 &&
		    (s->when == 0 || s->when < victim->when)))
			victim = s;
	}
	victim->hash = h;
	victim->when = now > 0 ? now : 1;
	return 0;
}
