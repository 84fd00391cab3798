/*
 * fmt.h - snprintf for log lines and messages, without libc's printf
 * engine (which brings floating-point conversion in full, wide characters
 * and positional arguments: the largest piece of libc in a static
 * binary).
 *
 * The conversions are those of C99 7.19.6.1 that zoomws uses, with the
 * same meaning: d i u x X o c s %; the flags '-' and '0'; a width and a
 * precision, each a number or '*'; the length modifiers l, ll and z. A
 * %s with a precision reads no further than the precision. Any other
 * conversion is copied as it is written. There is no %f: zoomws does no
 * floating point at all (fmt_seconds prints its times), so it runs on
 * CPUs without an FPU whose kernel does not emulate one, as on many
 * MIPS routers.
 *
 * No I/O, no allocation: the caller owns the buffer.
 */
#ifndef FMT_H
#define FMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * fmt_snprintf, fmt_vsnprintf: as snprintf(3) and vsnprintf(3): write at
 * most len - 1 bytes of the result to buf and a NUL (nothing when len is
 * 0). Return the length of the whole result, also when it was cut short.
 */
int fmt_snprintf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/*
 * fmt_seconds: ms milliseconds as seconds with decimals (0 to 3) digits
 * after the point, as "%.*f" would print ms / 1000 with ties rounded away
 * from zero ("1.3" for 1250 ms and one digit), into buf: at most len - 1
 * bytes and a NUL. Returns buf, for use as a %s argument.
 */
char *fmt_seconds(char *buf, size_t len, long long ms, int decimals);

/*
 * fmt_civil: the proleptic Gregorian date of the day days after
 * 1970-01-01 (before it when negative) into *y, *m (1 to 12) and *d (1
 * to 31), for log timestamps and certificate dates without libc's time
 * zone machinery. Exact for every day a 64-bit count of seconds holds.
 */
void fmt_civil(long long days, int *y, int *m, int *d);

#endif
