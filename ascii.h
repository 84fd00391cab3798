/*
 * ascii.h - the byte classes the codecs share: hex digits and ASCII
 * case, independent of the locale (which a static musl program has
 * none of anyway) and of char signedness.
 */
#ifndef ASCII_H
#define ASCII_H

/* The value of the hex digit c (either case), or -1. */
static inline int
ascii_hexval(unsigned c)
{
	if (c - '0' < 10)
		return (int)(c - '0');
	c |= 0x20;
	if (c - 'a' < 6)
		return (int)(c - 'a' + 10);
	return -1;
}

/* c with A-Z made a-z. */
static inline unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

#endif
