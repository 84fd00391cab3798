/*
 * dedup.h - --dedup SECONDS: an event byte-identical to one written in
 * the last SECONDS is dropped. Events are remembered by a keyed hash
 * (SipHash-2-4, 64 bits, its key random per process: no one can make two
 * events collide on purpose) in a fixed table of DEDUP_SLOTS slots, so
 * memory stays bounded (DEDUP_SLOTS x 16 bytes, 128 KiB) however many
 * events come: past that many events within the window, the oldest are
 * forgotten early.
 */
#ifndef DEDUP_H
#define DEDUP_H

#include <stddef.h>
#include <stdint.h>

#define DEDUP_SLOTS 8192        /* remembered events, a power of two */
#define DEDUP_PROBE 16          /* slots an event may sit in */

/* dedup_init: remember events for window_ms (0: --dedup is off). */
void dedup_init(int64_t window_ms);

/*
 * dedup_seen: was the event ev[0..n) written in the window before now
 * (net_now_ms time)? 1: a duplicate, to drop; 0: new, and remembered
 * from now on (the caller writes it).
 */
int dedup_seen(const void *ev, size_t n, int64_t now);

/* dedup_siphash: SipHash-2-4 of p[0..n) with the 16-byte key k, for the
   tests (the reference vectors of the SipHash paper). */
uint64_t dedup_siphash(const unsigned char k[16], const void *p, size_t n);

#endif
