/*
 * fmt.c - snprintf for log lines and messages (see fmt.h for what it
 * converts). One pass over the format; each conversion becomes a sign,
 * leading zeros and a body, padded to its width as C99 7.19.6.1 says.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "fmt.h"

/* The result so far: what fits goes to buf, n counts it all. */
struct out {
	char   *buf;
	size_t  len;
	size_t  n;
};

static void
put(struct out *o, const char *s, size_t n)
{
	for (; n > 0; n--, s++, o->n++)
		if (o->n + 1 < o->len)
			o->buf[o->n] = *s;
}

static void
pad(struct out *o, char c, int n)
{
	for (; n > 0; n--)
		put(o, &c, 1);
}

/* Write sign (if not NUL), zeros zeros and body[0..n) in a field of
   width bytes: spaces before, or after when left-justified; with zero
   set, zeros between the sign and the body instead. */
static void
field(struct out *o, char sign, int zeros, const char *body, size_t n,
    int width, int left, int zero)
{
	int used = (sign != '\0') + zeros + (int)n;

	if (zero && !left && width > used) {
		zeros += width - used;
		used = width;
	}
	if (!left)
		pad(o, ' ', width - used);
	if (sign != '\0')
		put(o, &sign, 1);
	pad(o, '0', zeros);
	put(o, body, n);
	if (left)
		pad(o, ' ', width - used);
}

/* The digits of v in base, written backwards from end; returns the
   first. */
static char *
digits(char *end, unsigned long long v, unsigned base, int upper)
{
	const char *xd = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		*--end = xd[v % base];
		v /= base;
	} while (v != 0);
	return end;
}

/* A decimal number in a format, 0 if there is none. */
static int
decimal(const char **fmt)
{
	int v = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++)
		if (v <= (INT_MAX - 9) / 10)
			v = v * 10 + (**fmt - '0');
	return v;
}

int
fmt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = { buf, len, 0 };
	char tmp[32], *end = tmp + sizeof(tmp), *p;
	const char *spec, *s;
	unsigned long long u;
	long long v;
	int left, zero, width, prec, zeros;
	char lmod, sign;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			put(&o, fmt, 1);
			continue;
		}
		spec = fmt++;
		for (left = zero = 0; *fmt == '-' || *fmt == '0'; fmt++)
			if (*fmt == '-')
				left = 1;
			else
				zero = 1;
		if (*fmt == '*') {
			fmt++;
			if ((width = va_arg(ap, int)) < 0) {
				left = 1;       /* a negative '*' width: '-' */
				width = width == INT_MIN ? INT_MAX : -width;
			}
		} else
			width = decimal(&fmt);
		prec = -1;              /* negative: none */
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				prec = va_arg(ap, int);
			} else
				prec = decimal(&fmt);
		}
		lmod = 0;
		if (*fmt == 'l') {
			lmod = *fmt++;
			if (*fmt == 'l') {
				lmod = 'L';     /* ll */
				fmt++;
			}
		} else if (*fmt == 'z')
			lmod = *fmt++;
		sign = '\0';
		switch (*fmt) {
		case 'd':
		case 'i':
			v = lmod == 'L' ? va_arg(ap, long long) :
			    lmod == 'l' ? va_arg(ap, long) :
			    lmod == 'z' ? (ssize_t)va_arg(ap, size_t) :
			    va_arg(ap, int);
			if (v < 0) {
				sign = '-';
				u = 0ULL - (unsigned long long)v;
			} else
				u = (unsigned long long)v;
			goto integer;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lmod == 'L' ? va_arg(ap, unsigned long long) :
			    lmod == 'l' ? va_arg(ap, unsigned long) :
			    lmod == 'z' ? va_arg(ap, size_t) :
			    va_arg(ap, unsigned);
integer:
			p = digits(end, u, *fmt == 'o' ? 8 : *fmt == 'x' ||
			    *fmt == 'X' ? 16 : 10, *fmt == 'X');
			if (prec == 0 && u == 0)
				p = end;        /* C99: no digit for 0 */
			zeros = prec > end - p ? prec - (int)(end - p) : 0;
			field(&o, sign, zeros, p, (size_t)(end - p), width, left,
			    zero && prec < 0);
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			field(&o, '\0', 0, tmp, 1, width, left, 0);
			break;
		case 's':
			if ((s = va_arg(ap, const char *)) == NULL)
				s = "(null)";
			field(&o, '\0', 0, s, prec < 0 ? strlen(s) :
			    strnlen(s, (size_t)prec), width, left, 0);
			break;
		case '%':
			put(&o, "%", 1);
			break;
		default:
			/* not a conversion of fmt.h: as written */
			if (*fmt == '\0')
				fmt--;
			put(&o, spec, (size_t)(fmt - spec + 1));
			break;
		}
	}
	if (len > 0)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return o.n > INT_MAX ? -1 : (int)o.n;
}

char *
fmt_seconds(char *buf, size_t len, long long ms, int decimals)
{
	static const unsigned long long unit[] = { 1000, 100, 10, 1 };
	unsigned long long u, q, d, tens = 1;
	int i;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 3)
		decimals = 3;
	u = ms < 0 ? 0ULL - (unsigned long long)ms : (unsigned long long)ms;
	d = unit[decimals];
	q = u / d + (u % d >= (d + 1) / 2 && d > 1);    /* ties up */
	for (i = 0; i < decimals; i++)
		tens *= 10;
	if (decimals == 0)
		fmt_snprintf(buf, len, "%s%llu", ms < 0 ? "-" : "", q);
	else
		fmt_snprintf(buf, len, "%s%llu.%0*llu", ms < 0 ? "-" : "",
		    q / tens, decimals, q % tens);
	return buf;
}

int
fmt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

void
fmt_civil(long long days, int *y, int *m, int *d)
{
	/* Days since 0000-03-01, in 400-year eras of 146097 days; within
	   an era the year of the era, then the day of a year that starts
	   in March, so that February's leap day comes last. */
	long long z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}
