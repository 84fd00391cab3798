/*
 * test_ws.c - RFC 6455 client codec: the RFC's handshake and frame
 * examples verbatim, every split point of multi-frame streams, every
 * rule a client enforces with its close code, UTF-8 across fragments,
 * the message limit at and over, and the zero-copy path.
 */
#include <stdint.h>
#include <stdlib.h>

#include "t.h"
#include "../ws.h"

/*
 * The driver: feed a stream to a fresh reader in chunks, each chunk in a
 * heap block of its exact size (ASan sees any read past it), and record
 * what comes out.
 */
#define MAXEV   64
#define ARENA   (1 << 18)
#define MSGBUF  (1 << 17)

enum { IN_INPUT, IN_MSGBUF, IN_READER };

struct ev {
	int      rc, opcode;
	size_t   len, at;           /* payload: arena[at..at+len) */
	unsigned close_code;
	int      where;             /* IN_* */
	size_t   offset;            /* IN_INPUT: offset in the chunk */
};

struct run {
	struct ev     ev[MAXEV];
	size_t        nev;
	int           bad;          /* the driver saw a broken invariant */
	size_t        fill;
	unsigned char arena[ARENA];
};

static unsigned char msgbuf[MSGBUF];
static struct ws_reader rd;
static struct run ref, got;
static size_t cutbuf[70000 + 16];

static void
record(struct run *o, int rc, const struct ws_msg *m,
    const unsigned char *chunk, size_t clen)
{
	struct ev *e;

	if (o->nev == MAXEV) {
		o->bad = 1;
		return;
	}
	e = &o->ev[o->nev++];
	memset(e, 0, sizeof(*e));
	e->rc = rc;
	if (rc != WS_MSG)
		return;
	e->opcode = m->opcode;
	e->len = m->len;
	e->close_code = m->close_code;
	if (m->data == NULL)
		o->bad = 1;
	else if (m->data >= chunk && m->data + m->len <= chunk + clen) {
		e->where = IN_INPUT;
		e->offset = (size_t)(m->data - chunk);
	} else if (m->data >= msgbuf && m->data + m->len <= msgbuf + MSGBUF)
		e->where = IN_MSGBUF;
	else if (m->data >= (unsigned char *)&rd &&
	    m->data + m->len <= (unsigned char *)(&rd + 1))
		e->where = IN_READER;
	else
		o->bad = 1;
	if (o->fill + m->len > ARENA) {
		o->bad = 1;
		return;
	}
	e->at = o->fill;
	if (m->len > 0)
		memcpy(o->arena + o->fill, m->data, m->len);
	o->fill += m->len;
}

/* Feed s[0..n) in chunks ending at cuts[0..ncuts) (ascending) and n. */
static void
run_cuts(struct run *o, const unsigned char *s, size_t n, const size_t *cuts,
    size_t ncuts, size_t msgcap)
{
	size_t i, start = 0;

	o->nev = 0;
	o->bad = 0;
	o->fill = 0;
	ws_reader_init(&rd, msgbuf, msgcap);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n, clen = end - start, off;
		unsigned char *chunk;
		struct ws_msg m;

		if (clen == 0)
			continue;
		if ((chunk = malloc(clen)) == NULL)
			abort();
		memcpy(chunk, s + start, clen);
		for (off = 0;;) {
			size_t used = 12345;
			int rc = ws_read(&rd, chunk + off, clen - off, &used, &m);

			if (used > clen - off)
				o->bad = 1;
			if (rc == WS_MSG) {
				if (used == 0)
					o->bad = 1;
				record(o, rc, &m, chunk, clen);
				off += used;
				if (used == 0)
					break;
				continue;
			}
			if (rc == WS_NEED_MORE) {
				if (used != clen - off)
					o->bad = 1;
				break;
			}
			record(o, rc, NULL, chunk, clen);
			/* the error sticks */
			if (ws_read(&rd, chunk, clen, &used, &m) != rc ||
			    used != 0)
				o->bad = 1;
			free(chunk);
			return;
		}
		free(chunk);
		start = end;
	}
}

static void
run_whole(struct run *o, const unsigned char *s, size_t n, size_t msgcap)
{
	run_cuts(o, s, n, NULL, 0, msgcap);
}

static void
run_bytewise(struct run *o, const unsigned char *s, size_t n, size_t msgcap)
{
	size_t i;

	for (i = 1; i < n; i++)
		cutbuf[i - 1] = i;
	run_cuts(o, s, n, cutbuf, n > 0 ? n - 1 : 0, msgcap);
}

/* Same events, same payloads; where they live may differ. */
static int
same_events(const struct run *a, const struct run *b)
{
	size_t i;

	if (a->bad || b->bad || a->nev != b->nev)
		return 0;
	for (i = 0; i < a->nev; i++) {
		const struct ev *x = &a->ev[i], *y = &b->ev[i];

		if (x->rc != y->rc || x->opcode != y->opcode ||
		    x->len != y->len || x->close_code != y->close_code ||
		    memcmp(a->arena + x->at, b->arena + y->at, x->len) != 0)
			return 0;
	}
	return 1;
}

/* An expected event. */
struct want {
	int         rc, opcode;
	const char *data;
	size_t      len;
	unsigned    close_code;
};

static int
events_are(const struct run *o, const struct want *w, size_t nw)
{
	size_t i;

	if (o->bad || o->nev != nw)
		return 0;
	for (i = 0; i < nw; i++) {
		const struct ev *e = &o->ev[i];

		if (e->rc != w[i].rc)
			return 0;
		if (e->rc != WS_MSG)
			continue;
		if (e->opcode != w[i].opcode || e->len != w[i].len ||
		    e->close_code != w[i].close_code ||
		    (w[i].data != NULL &&
		    memcmp(o->arena + e->at, w[i].data, e->len) != 0))
			return 0;
	}
	return 1;
}

/* Whole, byte by byte, and at every single and every pair of cut
   points: the events must be w[0..nw) each time. */
static void
check_all_splits(const unsigned char *s, size_t n, size_t msgcap,
    const struct want *w, size_t nw, int pairs)
{
	size_t a, b, cuts[2];

	run_whole(&ref, s, n, msgcap);
	CHECK(events_are(&ref, w, nw));
	run_bytewise(&got, s, n, msgcap);
	CHECK(same_events(&ref, &got));
	for (a = 0; a <= n; a++) {
		cuts[0] = a;
		run_cuts(&got, s, n, cuts, 1, msgcap);
		if (!same_events(&ref, &got)) {
			printf("  differs when cut at %zu\n", a);
			CHECK(same_events(&ref, &got));
			return;
		}
		for (b = a; pairs && b <= n; b++) {
			cuts[1] = b;
			run_cuts(&got, s, n, cuts, 2, msgcap);
			if (!same_events(&ref, &got)) {
				printf("  differs when cut at %zu, %zu\n", a, b);
				CHECK(same_events(&ref, &got));
				return;
			}
		}
	}
}

#define NW(w) (sizeof(w) / sizeof(w[0]))
#define S(x) ((const unsigned char *)(x))
/* a string literal as bytes and its length */
#define SL(x) S(x), sizeof(x) - 1

/*
 * Handshake.
 */

static void
handshake_rfc_1_3(void)
{
	char acc[WS_ACCEPT_LEN + 1], key[WS_KEY_LEN + 1];

	/* RFC 6455 1.3 and 4.2.2 */
	ws_accept_value(acc, "dGhlIHNhbXBsZSBub25jZQ==");
	CHECK_STR(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	CHECK(ws_accept_ok("dGhlIHNhbXBsZSBub25jZQ==",
	    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28) == 1);
	/* RFC 6455 4.1's key is the base64 of "the sample nonce" */
	ws_make_key(key, S("the sample nonce"));
	CHECK_STR(key, "dGhlIHNhbXBsZSBub25jZQ==");
	CHECK(strlen(key) == WS_KEY_LEN);
}

static void
handshake_accept_checks(void)
{
	const char *k = "dGhlIHNhbXBsZSBub25jZQ==";
	const char *good = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
	char key[WS_KEY_LEN + 1], acc[WS_ACCEPT_LEN + 1];
	unsigned char nonce[16];
	int i;

	CHECK(ws_accept_ok(k, " \ts3pPLMBiTxaQ9kYGzzhZRbK+xOo= \t", 32) == 1);
	CHECK(ws_accept_ok(k, good, 27) == 0);            /* cut short */
	CHECK(ws_accept_ok(k, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=x", 29) == 0);
	CHECK(ws_accept_ok(k, "s3pPLMBiTxaQ9kYGAzzhZRbK+xOp=", 28) == 0);
	CHECK(ws_accept_ok(k, "S3pPLMBiTxaQ9kYGAzzhZRbK+xOo=", 28) == 0);
	CHECK(ws_accept_ok(k, "s3pPLMBiTxaQ9kYGAzzhZRbK+x o=", 28) == 0);
	CHECK(ws_accept_ok(k, "", 0) == 0);
	CHECK(ws_accept_ok(k, NULL, 28) == 0);
	CHECK(ws_accept_ok(NULL, good, 28) == 0);
	CHECK(ws_accept_ok("dGhlIHNhbXBsZSBub25jZQ", good, 28) == 0);
	/* the key is used exactly as sent: another nonce, another value */
	for (i = 0; i < 16; i++)
		nonce[i] = (unsigned char)(0xf0 + i);
	ws_make_key(key, nonce);
	CHECK_STR(key, "8PHy8/T19vf4+fr7/P3+/w==");
	ws_accept_value(acc, key);
	CHECK(strlen(acc) == 28);
	CHECK(strcmp(acc, good) != 0);
	CHECK(ws_accept_ok(key, acc, 28) == 1);
	CHECK(ws_accept_ok(k, acc, 28) == 0);
}

/*
 * Encoder.
 */

static const unsigned char mask_rfc[4] = { 0x37, 0xfa, 0x21, 0x3d };

static void
encode_rfc_5_7(void)
{
	/* RFC 6455 5.7: "A single-frame masked text message" */
	static const unsigned char text[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
	    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	/* "Unmasked Ping request and masked Ping response" */
	static const unsigned char pong[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21,
	    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	unsigned char out[32];

	memset(out, 0xee, sizeof(out));
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_TEXT, "Hello", 5,
	    mask_rfc) == 11);
	CHECK_MEM(out, text, 11);
	CHECK(out[11] == 0xee);
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_PONG, "Hello", 5,
	    mask_rfc) == 11);
	CHECK_MEM(out, pong, 11);
	/* exactly enough room, and one byte short */
	CHECK(ws_encode(out, 11, 1, WS_OP_TEXT, "Hello", 5, mask_rfc) == 11);
	CHECK(ws_encode(out, 10, 1, WS_OP_TEXT, "Hello", 5, mask_rfc) == 0);
	CHECK(ws_encode(out, 1, 1, WS_OP_TEXT, "Hello", 5, mask_rfc) == 0);
	CHECK(ws_encode(out, 0, 1, WS_OP_TEXT, "Hello", 5, mask_rfc) == 0);
}

static void
encode_lengths(void)
{
	static unsigned char big[70000], out[70016];
	static const unsigned char m0[4] = { 0, 0, 0, 0 };
	const unsigned char *p;

	memset(big, 'a', sizeof(big));
	/* RFC 6455 5.2: 7-bit up to 125, 16-bit up to 65535, then 64-bit */
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_BINARY, big, 125, m0) ==
	    2 + 4 + 125);
	CHECK(out[0] == 0x82 && out[1] == (0x80 | 125));
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_BINARY, big, 126, m0) ==
	    4 + 4 + 126);
	CHECK(out[1] == (0x80 | 126) && out[2] == 0 && out[3] == 126);
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_BINARY, big, 65535, m0) ==
	    4 + 4 + 65535);
	CHECK(out[1] == (0x80 | 126) && out[2] == 0xff && out[3] == 0xff);
	CHECK(ws_encode(out, sizeof(out), 0, WS_OP_BINARY, big, 65536, m0) ==
	    10 + 4 + 65536);
	p = S("\x02\xff\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00");
	CHECK_MEM(out, p, 14);
	CHECK(out[14] == 'a' && out[14 + 65535] == 'a');
	CHECK(ws_encode(out, 10 + 4 + 65535, 1, WS_OP_BINARY, big, 65536, m0)
	    == 0);
	/* empty payloads, NULL allowed */
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_PING, NULL, 0, mask_rfc)
	    == 6);
	CHECK_MEM(out, "\x89\x80\x37\xfa\x21\x3d", 6);
	CHECK(ws_encode(out, 6, 1, WS_OP_TEXT, NULL, 0, mask_rfc) == 6);
	CHECK(ws_encode(out, 5, 1, WS_OP_TEXT, NULL, 0, mask_rfc) == 0);
	/* continuation frames, FIN clear or set */
	CHECK(ws_encode(out, sizeof(out), 0, WS_OP_TEXT, "Hel", 3, m0) == 9);
	CHECK_MEM(out, "\x01\x83\0\0\0\0Hel", 9);
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_CONT, "lo", 2, m0) == 8);
	CHECK_MEM(out, "\x80\x82\0\0\0\0lo", 8);
}

static void
encode_refusals(void)
{
	unsigned char out[300], pay[200];
	int op;

	memset(pay, 'x', sizeof(pay));
	/* RFC 6455 5.5: control frames <= 125 bytes and never fragmented */
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_PING, pay, 125, mask_rfc)
	    == 131);
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_PING, pay, 126, mask_rfc)
	    == 0);
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_PONG, pay, 126, mask_rfc)
	    == 0);
	CHECK(ws_encode(out, sizeof(out), 1, WS_OP_CLOSE, pay, 126, mask_rfc)
	    == 0);
	CHECK(ws_encode(out, sizeof(out), 0, WS_OP_PING, pay, 1, mask_rfc)
	    == 0);
	CHECK(ws_encode(out, sizeof(out), 0, WS_OP_CLOSE, NULL, 0, mask_rfc)
	    == 0);
	/* data frames may be longer and fragmented */
	CHECK(ws_encode(out, sizeof(out), 0, WS_OP_TEXT, pay, 126, mask_rfc)
	    == 134);
	/* reserved opcodes */
	for (op = -1; op <= 16; op++) {
		size_t n = ws_encode(out, sizeof(out), 1, op, pay, 1, mask_rfc);

		if (op == 0 || op == 1 || op == 2 || op == 8 || op == 9 ||
		    op == 10)
			CHECK(n == 7);
		else
			CHECK(n == 0);
	}
}

static void
encode_close(void)
{
	unsigned char out[200];
	char reason[130];
	struct ws_frame f;

	/* 1000 = 0x03e8, masked with 37 fa */
	CHECK(ws_encode_close(out, sizeof(out), 1000, "", mask_rfc) == 8);
	CHECK_MEM(out, "\x88\x82\x37\xfa\x21\x3d\x34\x12", 8);
	CHECK(ws_encode_close(out, sizeof(out), 1000, NULL, mask_rfc) == 8);
	CHECK(ws_encode_close(out, sizeof(out), 0, NULL, mask_rfc) == 6);
	CHECK_MEM(out, "\x88\x80\x37\xfa\x21\x3d", 6);
	CHECK(ws_encode_close(out, sizeof(out), 0, "why", mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 4000, "bye", mask_rfc) == 11);
	CHECK(ws_frame_parse(out, 11, &f) == 6);
	CHECK(f.len == 5 && f.opcode == WS_OP_CLOSE && f.fin && f.masked);
	CHECK(out[6] == (0x0f ^ 0x37) && out[7] == (0xa0 ^ 0xfa) &&
	    out[8] == ('b' ^ 0x21) && out[10] == ('e' ^ 0x37));
	/* codes an endpoint may not send */
	CHECK(ws_encode_close(out, sizeof(out), 1005, "", mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 1006, "", mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 1015, "", mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 999, "", mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 5000, "", mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 1011, "", mask_rfc) == 8);
	CHECK(ws_encode_close(out, sizeof(out), 1002, "", mask_rfc) == 8);
	/* the reason: up to 123 bytes of UTF-8 */
	memset(reason, 'r', 123);
	reason[123] = '\0';
	CHECK(ws_encode_close(out, sizeof(out), 1000, reason, mask_rfc) ==
	    2 + 4 + 125);
	CHECK(ws_encode_close(out, 2 + 4 + 124, 1000, reason, mask_rfc) == 0);
	reason[123] = 'r';
	reason[124] = '\0';
	CHECK(ws_encode_close(out, sizeof(out), 1000, reason, mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 1000, "\xc3\xa9t\xc3\xa9",
	    mask_rfc) == 13);
	CHECK(ws_encode_close(out, sizeof(out), 1000, "\xc3", mask_rfc) == 0);
	CHECK(ws_encode_close(out, sizeof(out), 1000, "\xed\xa0\x80",
	    mask_rfc) == 0);
}

/*
 * Frame layer.
 */

static void
frame_parse_write(void)
{
	static const uint64_t lens[] = { 0, 1, 125, 126, 127, 65535, 65536,
	    0xffffffffULL, 0x7fffffffffffffffULL };
	unsigned char h[WS_MAX_HEADER];
	struct ws_frame f, g;
	size_t i, n, k;
	int masked;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (masked = 0; masked <= 1; masked++) {
			memset(&f, 0, sizeof(f));
			f.fin = (int)(i & 1);
			f.rsv = (int)(i % 8);
			f.opcode = (int)(i + 3) % 16;
			f.masked = masked;
			if (masked)
				memcpy(f.mask, mask_rfc, 4);
			f.len = lens[i];
			n = ws_frame_write(h, sizeof(h), &f);
			CHECK(n == (lens[i] < 126 ? 2u : lens[i] < 65536 ? 4u :
			    10u) + (masked ? 4u : 0u));
			CHECK(ws_frame_write(h, n - 1, &f) == 0);
			/* every prefix is too short */
			for (k = 0; k < n; k++)
				CHECK(ws_frame_parse(h, k, &g) == WS_NEED_MORE);
			CHECK(ws_frame_parse(h, n, &g) == (int)n);
			CHECK(g.fin == f.fin && g.rsv == f.rsv &&
			    g.opcode == f.opcode && g.masked == f.masked &&
			    g.len == f.len && memcmp(g.mask, f.mask, 4) == 0);
		}
	f.len = 0x8000000000000000ULL;
	CHECK(ws_frame_write(h, sizeof(h), &f) == 0);
	f.len = 1;
	f.rsv = 8;
	CHECK(ws_frame_write(h, sizeof(h), &f) == 0);
	f.rsv = 0;
	f.opcode = 16;
	CHECK(ws_frame_write(h, sizeof(h), &f) == 0);
	/* RFC 6455 5.2: the 64-bit length's most significant bit */
	CHECK(ws_frame_parse(S("\x82\x7f\x80\0\0\0\0\0\0\0"), 10, &g) ==
	    WS_ERR_LENGTH);
	CHECK(ws_frame_parse(S("\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff"), 10,
	    &g) == 10);
	CHECK(g.len == 0x7fffffffffffffffULL);
	/* non-minimal lengths are accepted */
	CHECK(ws_frame_parse(S("\x81\x7e\x00\x05"), 4, &g) == 4);
	CHECK(g.len == 5);
	CHECK(ws_frame_parse(S("\x81\x7f\0\0\0\0\0\0\0\x05"), 10, &g) == 10);
	CHECK(g.len == 5);
}

/*
 * Reader: the RFC 6455 5.7 examples.
 */

static void
read_rfc_single_unmasked(void)
{
	unsigned char in[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
	struct ws_msg m;
	size_t used;

	ws_reader_init(&rd, msgbuf, 100);
	CHECK(ws_read(&rd, in, sizeof(in), &used, &m) == WS_MSG);
	CHECK(used == 7);
	CHECK(m.opcode == WS_OP_TEXT);
	CHECK(m.len == 5);
	CHECK(m.close_code == 0);
	/* zero-copy: the payload is returned where it lies */
	CHECK(m.data == in + 2);
	CHECK(ws_read(&rd, in + 7, 0, &used, &m) == WS_NEED_MORE);
	CHECK(used == 0);
}

static void
read_rfc_single_masked(void)
{
	unsigned char in[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f,
	    0x4d, 0x51, 0x58 };
	struct ws_msg m;
	size_t used;

	/* RFC 6455 5.1: a client refuses masked frames */
	ws_reader_init(&rd, msgbuf, 100);
	CHECK(ws_read(&rd, in, sizeof(in), &used, &m) == WS_ERR_MASKED);
	CHECK(used == 6);
	CHECK(ws_close_code(WS_ERR_MASKED) == 1002);
	/* and keeps saying so */
	CHECK(ws_read(&rd, in + 6, 5, &used, &m) == WS_ERR_MASKED);
	CHECK(used == 0);
}

static void
read_rfc_fragmented(void)
{
	static const unsigned char in[] = { 0x01, 0x03, 0x48, 0x65, 0x6c,
	    0x80, 0x02, 0x6c, 0x6f };
	static const struct want w[] = {
		{ WS_MSG, WS_OP_TEXT, "Hello", 5, 0 } };

	check_all_splits(in, sizeof(in), 5, w, NW(w), 1);
	CHECK(ref.ev[0].where == IN_MSGBUF);
}

static void
read_rfc_ping(void)
{
	static const unsigned char in[] = { 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c,
	    0x6f };
	static const struct want w[] = {
		{ WS_MSG, WS_OP_PING, "Hello", 5, 0 } };

	check_all_splits(in, sizeof(in), 0, w, NW(w), 1);
	CHECK(ref.ev[0].where == IN_INPUT && ref.ev[0].offset == 2);
	run_bytewise(&got, in, sizeof(in), 0);
	CHECK(got.ev[0].where == IN_READER);
}

static unsigned char big[10 + 65536 + 64];

static void
read_rfc_256(void)
{
	static const struct want w[] = { { WS_MSG, WS_OP_BINARY, NULL, 256, 0 } };
	size_t i;

	big[0] = 0x82;
	big[1] = 0x7e;
	big[2] = 0x01;
	big[3] = 0x00;
	for (i = 0; i < 256; i++)
		big[4 + i] = (unsigned char)(255 - i);
	check_all_splits(big, 4 + 256, 256, w, NW(w), 0);
	CHECK(ref.ev[0].where == IN_INPUT && ref.ev[0].offset == 4);
	CHECK(ref.arena[0] == 255 && ref.arena[255] == 0);
	/* the limit: one byte less refuses it from the header */
	run_cuts(&got, big, 4, NULL, 0, 255);
	CHECK(got.nev == 1 && got.ev[0].rc == WS_ERR_TOO_BIG);
}

static void
read_rfc_64k(void)
{
	static const struct want w[] = {
		{ WS_MSG, WS_OP_BINARY, NULL, 65536, 0 } };
	size_t i, cut;
	const unsigned char *hdr = S("\x82\x7f\0\0\0\0\0\x01\0\0");

	memcpy(big, hdr, 10);
	for (i = 0; i < 65536; i++)
		big[10 + i] = (unsigned char)(i * 7 + (i >> 8));
	run_whole(&ref, big, 10 + 65536, 65536);
	CHECK(events_are(&ref, w, NW(w)));
	CHECK(ref.ev[0].where == IN_INPUT && ref.ev[0].offset == 10);
	CHECK(memcmp(ref.arena, big + 10, 65536) == 0);
	/* every cut in the header and around the payload's edges, then
	   a stride through the middle, then byte by byte */
	for (cut = 0; cut <= 10 + 65536; cut += cut < 40 ||
	    cut > 65536 - 30 ? 1 : 997) {
		run_cuts(&got, big, 10 + 65536, &cut, 1, 65536);
		CHECK(same_events(&ref, &got));
	}
	run_bytewise(&got, big, 10 + 65536, 65536);
	CHECK(same_events(&ref, &got));
	CHECK(got.ev[0].where == IN_MSGBUF);
	/* exactly at the limit passes, one under refuses */
	run_whole(&got, big, 10 + 65536, 65535);
	CHECK(got.nev == 1 && got.ev[0].rc == WS_ERR_TOO_BIG);
}

/*
 * Reader: streams of several frames at every split point.
 */

#define STREAM_HEAD \
	"\x81\x05Hello"                 /* text, whole */ \
	"\x01\x03Hel"                   /* text, first fragment */ \
	"\x89\x05ping!"                 /* a ping between fragments */ \
	"\x8a\x00"                      /* an empty pong */ \
	"\x00\x01l"                     /* a continuation */ \
	"\x80\x01o"                     /* the last fragment */ \
	"\x82\x7e\x00\x03\x00\xff\x01"  /* binary, 16-bit length */ \
	"\x01\x02\xe2\x82"              /* U+20AC split over fragments */ \
	"\x89\x00"                      /* an empty ping */ \
	"\x00\x00"                      /* an empty continuation */
#define STREAM_TAIL \
	"\x81\x7f\0\0\0\0\0\0\0\x02" "ok" /* non-minimal 64-bit length */ \
	"\x02\x00\x80\x00"              /* empty binary in two fragments */ \
	"\x88\x05\x03\xe8" "bye"        /* close 1000 "bye" */ \
	"\x81\x05junk!"                 /* discarded after the close */

/* The message ends with U+1F600 whole (good) or cut (bad). */
static const unsigned char stream_good[] = STREAM_HEAD
	"\x80\x05\xac\xf0\x9f\x98\x80" STREAM_TAIL;
static const unsigned char stream_bad[] = STREAM_HEAD
	"\x80\x03\xac\xf0\x9f" STREAM_TAIL;

static const struct want stream_want[] = {
	{ WS_MSG, WS_OP_TEXT, "Hello", 5, 0 },
	{ WS_MSG, WS_OP_PING, "ping!", 5, 0 },
	{ WS_MSG, WS_OP_PONG, "", 0, 0 },
	{ WS_MSG, WS_OP_TEXT, "Hello", 5, 0 },
	{ WS_MSG, WS_OP_BINARY, "\x00\xff\x01", 3, 0 },
	{ WS_MSG, WS_OP_PING, "", 0, 0 },
	{ WS_MSG, WS_OP_TEXT, "\xe2\x82\xac\xf0\x9f\x98\x80", 7, 0 },
	{ WS_MSG, WS_OP_TEXT, "ok", 2, 0 },
	{ WS_MSG, WS_OP_BINARY, "", 0, 0 },
	{ WS_MSG, WS_OP_CLOSE, "\x03\xe8" "bye", 5, 1000 },
};

static void
read_stream_every_split(void)
{
	struct want w[NW(stream_want)];

	check_all_splits(stream_good, sizeof(stream_good) - 1, 64,
	    stream_want, NW(stream_want), 1);
	/* whole frames are returned in place, the rest is assembled */
	CHECK(ref.ev[0].where == IN_INPUT && ref.ev[0].offset == 2);
	CHECK(ref.ev[1].where == IN_INPUT);
	CHECK(ref.ev[3].where == IN_MSGBUF);
	CHECK(ref.ev[4].where == IN_INPUT);
	CHECK(ref.ev[6].where == IN_MSGBUF);
	CHECK(ref.ev[7].where == IN_INPUT);
	CHECK(ref.ev[9].where == IN_INPUT);
	/* the message limit: exactly 7 passes, 6 is too small */
	run_whole(&got, stream_good, sizeof(stream_good) - 1, 7);
	CHECK(events_are(&got, stream_want, NW(stream_want)));
	memcpy(w, stream_want, sizeof(w));
	w[6].rc = WS_ERR_TOO_BIG;
	run_whole(&got, stream_good, sizeof(stream_good) - 1, 6);
	CHECK(events_are(&got, w, 7));
	/* a message that ends inside a character fails when it ends */
	w[6].rc = WS_ERR_UTF8;
	check_all_splits(stream_bad, sizeof(stream_bad) - 1, 64, w, 7, 1);
}

/* A ping between fragments leaves the message being assembled alone,
   also when the ping itself comes in pieces. */
static void
read_control_between_fragments(void)
{
	unsigned char s[6 + 127 + 2 + 4];
	static const struct want w[] = {
		{ WS_MSG, WS_OP_PING, NULL, 125, 0 },
		{ WS_ERR_CONTROL_FRAG, 0, NULL, 0, 0 },
	};
	static const struct want w2[] = {
		{ WS_MSG, WS_OP_PING, NULL, 125, 0 },
		{ WS_MSG, WS_OP_PONG, "", 0, 0 },
		{ WS_MSG, WS_OP_BINARY, "abcdef", 6, 0 },
	};
	size_t i;

	memcpy(s, "\x02\x04" "abcd" "\x89\x7d", 8);
	for (i = 0; i < 125; i++)
		s[8 + i] = (unsigned char)('0' + i % 10);
	memcpy(s + 133, "\x0a\x00" "\x80\x02" "ef", 6);
	/* a control frame without FIN between fragments is refused */
	check_all_splits(s, sizeof(s), 6, w, NW(w), 0);
	s[133] = 0x8a;
	check_all_splits(s, sizeof(s), 6, w2, NW(w2), 1);
	CHECK(memcmp(ref.arena, s + 8, 125) == 0);
	CHECK(ref.ev[2].where == IN_MSGBUF);
	CHECK(ws_close_code(WS_ERR_CONTROL_FRAG) == 1002);
}

/*
 * Reader: every rule, with its close code, at every split point.
 */

struct bad {
	const char *name, *in;
	size_t      len;
	int         err;
	unsigned    code;
	size_t      before;         /* good messages before the error */
};

#define B(name, in, err, code, before) \
	{ name, in, sizeof(in) - 1, err, code, before }

static const struct bad bads[] = {
	B("masked", "\x82\x81\x01\x02\x03\x04" "a", WS_ERR_MASKED, 1002, 0),
	B("masked empty ping", "\x89\x80\0\0\0\0", WS_ERR_MASKED, 1002, 0),
	B("rsv1", "\xc1\x01" "a", WS_ERR_RSV, 1002, 0),
	B("rsv2", "\xa1\x01" "a", WS_ERR_RSV, 1002, 0),
	B("rsv3", "\x91\x01" "a", WS_ERR_RSV, 1002, 0),
	B("rsv on ping", "\xc9\x00", WS_ERR_RSV, 1002, 0),
	B("opcode 3", "\x83\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode 4", "\x84\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode 5", "\x85\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode 6", "\x86\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode 7", "\x87\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode B", "\x8b\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode C", "\x8c\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode D", "\x8d\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode E", "\x8e\x00", WS_ERR_OPCODE, 1002, 0),
	B("opcode F", "\x8f\x05" "Hello", WS_ERR_OPCODE, 1002, 0),
	B("opcode 3 after a message", "\x81\x01" "a" "\x03\x00",
	    WS_ERR_OPCODE, 1002, 1),
	B("ping 126", "\x89\x7e\x00\x7e", WS_ERR_CONTROL_LEN, 1002, 0),
	B("pong 64-bit", "\x8a\x7f\0\0\0\0\0\0\0\x7e" "a",
	    WS_ERR_CONTROL_LEN, 1002, 0),
	B("close 126", "\x88\x7e\x00\x7e", WS_ERR_CONTROL_LEN, 1002, 0),
	B("ping without fin", "\x09\x00", WS_ERR_CONTROL_FRAG, 1002, 0),
	B("close without fin", "\x08\x02\x03\xe8", WS_ERR_CONTROL_FRAG,
	    1002, 0),
	B("length top bit", "\x82\x7f\x80\0\0\0\0\0\0\0", WS_ERR_LENGTH,
	    1002, 0),
	B("length all ones", "\x82\x7f\xff\xff\xff\xff\xff\xff\xff\xff",
	    WS_ERR_LENGTH, 1002, 0),
	B("continuation first", "\x80\x01" "a", WS_ERR_CONT, 1002, 0),
	B("continuation after a whole message", "\x81\x01" "a" "\x00\x01" "b",
	    WS_ERR_CONT, 1002, 1),
	B("continuation after the last fragment",
	    "\x01\x01" "a" "\x80\x01" "b" "\x80\x01" "c", WS_ERR_CONT, 1002, 1),
	B("text inside text", "\x01\x01" "a" "\x81\x01" "b", WS_ERR_NOT_CONT,
	    1002, 0),
	B("binary inside text", "\x01\x01" "a" "\x02\x01" "b",
	    WS_ERR_NOT_CONT, 1002, 0),
	B("text inside binary after a ping",
	    "\x02\x01" "a" "\x89\x00" "\x81\x01" "b", WS_ERR_NOT_CONT, 1002, 1),
	B("too big whole", "\x82\x09" "123456789", WS_ERR_TOO_BIG, 1009, 0),
	B("too big in fragments", "\x02\x04" "1234" "\x00\x04" "5678" "\x80\x01"
	    "9", WS_ERR_TOO_BIG, 1009, 0),
	B("too big 64-bit", "\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff",
	    WS_ERR_TOO_BIG, 1009, 0),
	B("too big 16-bit", "\x81\x7e\xff\xff", WS_ERR_TOO_BIG, 1009, 0),
	B("bad utf-8 whole", "\x81\x02\xc3\x28", WS_ERR_UTF8, 1007, 0),
	B("bad utf-8 first fragment", "\x01\x01\xff", WS_ERR_UTF8, 1007, 0),
	B("bad utf-8 in second fragment", "\x01\x02\xce\xba\x80\x02\xe1\x28",
	    WS_ERR_UTF8, 1007, 0),
	B("utf-8 cut at the end", "\x81\x02" "a\xe2", WS_ERR_UTF8, 1007, 0),
	B("utf-8 cut at the end of fragments",
	    "\x01\x02" "a\xe2" "\x80\x01\x82", WS_ERR_UTF8, 1007, 0),
	B("utf-8 cut, empty last fragment", "\x01\x01\xf0" "\x80\x00",
	    WS_ERR_UTF8, 1007, 0),
	B("close 1 byte", "\x88\x01\x03", WS_ERR_CLOSE_LEN, 1002, 0),
	B("close 999", "\x88\x02\x03\xe7", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 0", "\x88\x02\x00\x00", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 1004", "\x88\x02\x03\xec", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 1005", "\x88\x02\x03\xed", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 1006", "\x88\x02\x03\xee", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 1015", "\x88\x02\x03\xf7", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 2999", "\x88\x02\x0b\xb7", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 5000", "\x88\x02\x13\x88", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close 65535", "\x88\x02\xff\xff", WS_ERR_CLOSE_CODE, 1002, 0),
	B("close reason bad utf-8", "\x88\x04\x03\xe8\xc0\xaf",
	    WS_ERR_CLOSE_UTF8, 1007, 0),
	B("close reason cut utf-8", "\x88\x05\x03\xe8" "a\xe2\x82",
	    WS_ERR_CLOSE_UTF8, 1007, 0),
	B("close reason surrogate", "\x88\x05\x03\xe8\xed\xbf\xbf",
	    WS_ERR_CLOSE_UTF8, 1007, 0),
};

static void
read_errors_every_split(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		int ok;

		/* msgcap 8: "too big" cases exceed it, the others fit */
		run_whole(&ref, S(b->in), b->len, 8);
		ok = !ref.bad && ref.nev == b->before + 1 &&
		    ref.ev[b->before].rc == b->err &&
		    ws_close_code(b->err) == b->code;
		for (j = 0; j < b->before; j++)
			ok = ok && ref.ev[j].rc == WS_MSG;
		if (!ok)
			printf("  %s: got %d events, last rc %d\n", b->name,
			    (int)ref.nev, ref.nev ? ref.ev[ref.nev - 1].rc : 0);
		CHECK(ok);
		run_bytewise(&got, S(b->in), b->len, 8);
		if (!same_events(&ref, &got))
			printf("  %s: byte by byte differs\n", b->name);
		CHECK(same_events(&ref, &got));
		for (j = 0; j <= b->len; j++) {
			run_cuts(&got, S(b->in), b->len, &j, 1, 8);
			if (!same_events(&ref, &got)) {
				printf("  %s: differs cut at %zu\n", b->name, j);
				CHECK(same_events(&ref, &got));
				break;
			}
		}
	}
}

/* Header errors are seen from the header alone, before any payload. */
static void
read_errors_from_header(void)
{
	static const struct { const char *in; size_t len; int err; } h[] = {
		{ "\x82\x81\x01\x02\x03\x04", 6, WS_ERR_MASKED },
		{ "\xc2\x7e\x10\x00", 4, WS_ERR_RSV },
		{ "\x83\x7e\x10\x00", 4, WS_ERR_OPCODE },
		{ "\x89\x7e\x00\x7e", 4, WS_ERR_CONTROL_LEN },
		{ "\x09\x05", 2, WS_ERR_CONTROL_FRAG },
		{ "\x82\x09", 2, WS_ERR_TOO_BIG },
		{ "\x82\x7f\0\0\0\x01\0\0\0\0", 10, WS_ERR_TOO_BIG },
		{ "\x80\x05", 2, WS_ERR_CONT },
	};
	unsigned char in[16];
	struct ws_msg m;
	size_t i, used;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		ws_reader_init(&rd, msgbuf, 8);
		memcpy(in, h[i].in, h[i].len);
		CHECK(ws_read(&rd, in, h[i].len, &used, &m) == h[i].err);
		CHECK(used == h[i].len);
		/* a byte short, it waits */
		ws_reader_init(&rd, msgbuf, 8);
		CHECK(ws_read(&rd, in, h[i].len - 1, &used, &m) ==
		    WS_NEED_MORE);
		CHECK(used == h[i].len - 1);
	}
	/* the message limit is checked at each fragment's header */
	ws_reader_init(&rd, msgbuf, 8);
	memcpy(in, "\x02\x05" "12345" "\x80\x04", 9);
	CHECK(ws_read(&rd, in, 9, &used, &m) == WS_ERR_TOO_BIG);
	CHECK(used == 9);
	ws_reader_init(&rd, msgbuf, 8);
	memcpy(in, "\x02\x05" "12345" "\x80\x03", 9);
	CHECK(ws_read(&rd, in, 9, &used, &m) == WS_NEED_MORE);
	/* a bad byte in a fragment fails before the message ends */
	ws_reader_init(&rd, msgbuf, 8);
	memcpy(in, "\x01\x03" "a\xff", 4);
	CHECK(ws_read(&rd, in, 4, &used, &m) == WS_ERR_UTF8);
}

/*
 * UTF-8 (RFC 3629 section 4; RFC 6455 8.1).
 */

static const struct { const char *s; size_t len; int ok; } utf8[] = {
	{ "", 0, 1 },
	{ "\x00", 1, 1 },                       /* U+0000 */
	{ "\x7f", 1, 1 },                       /* U+007F */
	{ "\xc2\x80", 2, 1 },                   /* U+0080 */
	{ "\xdf\xbf", 2, 1 },                   /* U+07FF */
	{ "\xe0\xa0\x80", 3, 1 },               /* U+0800 */
	{ "\xed\x9f\xbf", 3, 1 },               /* U+D7FF */
	{ "\xee\x80\x80", 3, 1 },               /* U+E000 */
	{ "\xef\xbf\xbf", 3, 1 },               /* U+FFFF */
	{ "\xf0\x90\x80\x80", 4, 1 },           /* U+10000 */
	{ "\xf4\x8f\xbf\xbf", 4, 1 },           /* U+10FFFF */
	{ "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, 1 }, /* kosme */
	{ "\x80", 1, 0 },                       /* lone continuation */
	{ "\xbf", 1, 0 },
	{ "\xc0\x80", 2, 0 },                   /* overlong U+0000 */
	{ "\xc1\xbf", 2, 0 },                   /* overlong U+007F */
	{ "\xe0\x9f\xbf", 3, 0 },               /* overlong U+07FF */
	{ "\xe0\x80\x80", 3, 0 },
	{ "\xed\xa0\x80", 3, 0 },               /* U+D800 */
	{ "\xed\xbf\xbf", 3, 0 },               /* U+DFFF */
	{ "\xed\xa0\x80\xed\xb0\x80", 6, 0 },   /* a surrogate pair */
	{ "\xf0\x8f\xbf\xbf", 4, 0 },           /* overlong U+FFFF */
	{ "\xf4\x90\x80\x80", 4, 0 },           /* U+110000 */
	{ "\xf5\x80\x80\x80", 4, 0 },
	{ "\xf7\xbf\xbf\xbf", 4, 0 },
	{ "\xf8\x88\x80\x80\x80", 5, 0 },       /* 5-byte form */
	{ "\xfc\x84\x80\x80\x80\x80", 6, 0 },
	{ "\xfe", 1, 0 },
	{ "\xff", 1, 0 },
	{ "\xc2", 1, 0 },                       /* cut short */
	{ "\xe2\x82", 2, 0 },
	{ "\xf0\x9f\x98", 3, 0 },
	{ "\xc2\x41", 2, 0 },                   /* ASCII where cont. due */
	{ "\xe2\x28\xa1", 3, 0 },
	{ "\xf0\x9f\x98\xc0", 4, 0 },
	{ "a\xc3\xa9z", 4, 1 },
};

static void
utf8_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++) {
		if (ws_utf8_valid(utf8[i].s, utf8[i].len) != utf8[i].ok)
			printf("  utf8 case %zu\n", i);
		CHECK(ws_utf8_valid(utf8[i].s, utf8[i].len) == utf8[i].ok);
	}
}

/* Every valid code point in one text message, at every split, and each
   case of the table as a message cut into fragments at every byte. */
/* The table's cases after ASCII runs of every length up to three
   blocks, and before one: the check skips ASCII a block at a time, so
   each case falls at every offset of a block and straddles blocks. */
static void
utf8_after_runs(void)
{
	char s[48 + 16 + 17];     /* a run, the longest case, a tail */
	size_t i, run, tail;
	int bad = 0;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		for (run = 0; run <= 48; run++)
			for (tail = 0; tail <= 17; tail += 17) {
				memset(s, 'a', run);
				memcpy(s + run, utf8[i].s, utf8[i].len);
				memset(s + run + utf8[i].len, 'z', tail);
				if (ws_utf8_valid(s, run + utf8[i].len + tail) !=
				    utf8[i].ok) {
					printf("  case %zu after %zu\n", i, run);
					bad++;
				}
			}
	CHECK(bad == 0);
}

static void
utf8_in_messages(void)
{
	unsigned char s[64];
	size_t i, a, n;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++) {
		size_t len = utf8[i].len;

		/* whole, unfragmented */
		s[0] = 0x81;
		s[1] = (unsigned char)len;
		memcpy(s + 2, utf8[i].s, len);
		run_whole(&ref, s, 2 + len, 64);
		CHECK(ref.nev == 1 && ref.ev[0].rc ==
		    (utf8[i].ok ? WS_MSG : WS_ERR_UTF8));
		/* two fragments cut at a, and a ping between */
		for (a = 0; a <= len; a++) {
			n = 0;
			s[n++] = 0x01;
			s[n++] = (unsigned char)a;
			memcpy(s + n, utf8[i].s, a);
			n += a;
			s[n++] = 0x89;
			s[n++] = 0x00;
			s[n++] = 0x80;
			s[n++] = (unsigned char)(len - a);
			memcpy(s + n, utf8[i].s + a, len - a);
			n += len - a;
			run_bytewise(&got, s, n, 64);
			CHECK(!got.bad);
			if (utf8[i].ok) {
				CHECK(got.nev == 2 && got.ev[1].rc == WS_MSG &&
				    got.ev[1].opcode == WS_OP_TEXT &&
				    got.ev[1].len == len &&
				    memcmp(got.arena + got.ev[1].at,
				    utf8[i].s, len) == 0);
			} else {
				CHECK(got.ev[got.nev - 1].rc == WS_ERR_UTF8);
			}
			run_whole(&ref, s, n, 64);
			CHECK(same_events(&ref, &got));
		}
	}
	/* binary messages are not checked */
	s[0] = 0x82;
	s[1] = 2;
	s[2] = 0xff;
	s[3] = 0xc0;
	run_whole(&ref, s, 4, 64);
	CHECK(ref.nev == 1 && ref.ev[0].rc == WS_MSG && ref.ev[0].len == 2);
	/* nor pings */
	s[0] = 0x89;
	run_whole(&ref, s, 4, 64);
	CHECK(ref.nev == 1 && ref.ev[0].rc == WS_MSG);
}

/* With text_later the caller checks UTF-8: bad text comes back whole,
   unfragmented and in fragments, and the reader goes on. */
static void
utf8_left_to_caller(void)
{
	static const unsigned char whole[] = "\x81\x02\xc3\x28" "\x81\x01x";
	static const unsigned char frags[] = "\x01\x01\xff" "\x80\x02\xe2\x28";
	struct ws_msg m;
	size_t used;

	ws_reader_init(&rd, msgbuf, MSGBUF);
	rd.text_later = 1;
	CHECK(ws_read(&rd, (unsigned char *)whole, sizeof(whole) - 1, &used,
	    &m) == WS_MSG);
	CHECK(used == 4 && m.opcode == WS_OP_TEXT && m.len == 2 &&
	    memcmp(m.data, "\xc3\x28", 2) == 0);
	CHECK(ws_read(&rd, (unsigned char *)whole + 4, 3, &used, &m) ==
	    WS_MSG);
	CHECK(m.len == 1 && m.data[0] == 'x');
	ws_reader_init(&rd, msgbuf, MSGBUF);
	rd.text_later = 1;
	CHECK(ws_read(&rd, (unsigned char *)frags, sizeof(frags) - 1, &used,
	    &m) == WS_MSG);
	CHECK(used == sizeof(frags) - 1 && m.len == 3 &&
	    memcmp(m.data, "\xff\xe2\x28", 3) == 0);
}

/*
 * Close frames.
 */

static void
read_close_codes(void)
{
	unsigned code;
	unsigned char in[8];
	struct ws_msg m;
	size_t used;
	int rc;

	for (code = 0; code < 70000; code += code < 6000 ? 1 : 997) {
		int ok = (code >= 1000 && code <= 1003) ||
		    (code >= 1007 && code <= 1014) ||
		    (code >= 3000 && code <= 4999);

		in[0] = 0x88;
		in[1] = 2;
		in[2] = (unsigned char)(code >> 8);
		in[3] = (unsigned char)code;
		ws_reader_init(&rd, msgbuf, 0);
		rc = ws_read(&rd, in, 4, &used, &m);
		if (code > 0xffff)
			break;
		CHECK(rc == (ok ? WS_MSG : WS_ERR_CLOSE_CODE));
		CHECK(ws_close_code_ok(code) == ok);
		if (ok) {
			CHECK(m.close_code == code);
			CHECK(m.opcode == WS_OP_CLOSE && m.len == 2);
			CHECK(m.data == in + 2);
		}
	}
	CHECK(ws_close_code_ok(1012) && ws_close_code_ok(1013) &&
	    ws_close_code_ok(1014));
	CHECK(!ws_close_code_ok(1004) && !ws_close_code_ok(1015) &&
	    !ws_close_code_ok(999) && !ws_close_code_ok(5000));
}

static void
read_close_then_discard(void)
{
	unsigned char in[] = "\x88\x00" "\x81\x05Hello" "\xff\xff\xff";
	struct ws_msg m;
	size_t used;

	ws_reader_init(&rd, msgbuf, 100);
	CHECK(ws_read(&rd, in, sizeof(in) - 1, &used, &m) == WS_MSG);
	CHECK(used == 2);
	CHECK(m.opcode == WS_OP_CLOSE);
	CHECK(m.close_code == 1005);     /* RFC 6455 7.1.5: no code */
	CHECK(m.len == 0);
	CHECK(m.data != NULL);
	/* RFC 6455 1.4: what follows a close is discarded */
	CHECK(ws_read(&rd, in + 2, sizeof(in) - 3, &used, &m) ==
	    WS_NEED_MORE);
	CHECK(used == sizeof(in) - 3);
	/* a close with a reason, in pieces */
	{
		static const struct want w[] = {
			{ WS_MSG, WS_OP_CLOSE, "\x0f\xa0" "caf\xc3\xa9", 7,
			    4000 } };
		check_all_splits(SL("\x88\x07\x0f\xa0" "caf\xc3\xa9" "\x81"),
		    0, w, NW(w), 1);
	}
}

/*
 * The message limit and the buffers.
 */

static void
read_msgcap_limits(void)
{
	static const struct want ok5[] = { { WS_MSG, WS_OP_TEXT, "Hello", 5, 0 } };
	static const struct want big5[] = { { WS_ERR_TOO_BIG, 0, NULL, 0, 0 } };
	static const struct want empty[] = { { WS_MSG, WS_OP_TEXT, "", 0, 0 },
	    { WS_MSG, WS_OP_BINARY, "", 0, 0 } };

	/* exactly at the limit, whole and fragmented */
	check_all_splits(SL("\x81\x05Hello"), 5, ok5, 1, 1);
	check_all_splits(SL("\x01\x02He\x00\x01l\x80\x02lo"), 5, ok5, 1, 1);
	/* one over */
	check_all_splits(SL("\x81\x06Hello!"), 5, big5, 1, 1);
	check_all_splits(SL("\x01\x02He\x00\x01l\x80\x03lo!"), 5, big5, 1, 1);
	/* no buffer at all: empty messages still pass */
	run_whole(&ref, SL("\x81\x00\x02\x00\x80\x00"), 0);
	CHECK(events_are(&ref, empty, 2));
	ws_reader_init(&rd, NULL, 100);
	CHECK(rd.msgcap == 0);
	{
		unsigned char in[] = "\x81\x01" "a";
		struct ws_msg m;
		size_t used;

		CHECK(ws_read(&rd, in, 3, &used, &m) == WS_ERR_TOO_BIG);
		CHECK(ws_close_code(WS_ERR_TOO_BIG) == 1009);
	}
}

/* The zero-copy path: a whole unfragmented frame is returned where it
   lies, also after earlier frames in the same buffer and after a header
   that came in an earlier buffer. */
static void
read_zero_copy(void)
{
	unsigned char in[] = "\x81\x03" "abc" "\x82\x02" "de" "\x89\x01" "p";
	struct ws_msg m;
	size_t used, off = 0;

	memset(msgbuf, 0, 16);
	ws_reader_init(&rd, msgbuf, 16);
	CHECK(ws_read(&rd, in, sizeof(in) - 1, &used, &m) == WS_MSG);
	CHECK(m.data == in + 2 && m.len == 3 && used == 5);
	off += used;
	CHECK(ws_read(&rd, in + off, sizeof(in) - 1 - off, &used, &m) ==
	    WS_MSG);
	CHECK(m.data == in + 7 && m.len == 2 && m.opcode == WS_OP_BINARY);
	off += used;
	CHECK(ws_read(&rd, in + off, sizeof(in) - 1 - off, &used, &m) ==
	    WS_MSG);
	CHECK(m.data == in + 11 && m.len == 1 && m.opcode == WS_OP_PING);
	off += used;
	CHECK(off == sizeof(in) - 1);
	CHECK(msgbuf[0] == 0);          /* nothing was copied */
	/* header in one buffer, payload whole in the next */
	ws_reader_init(&rd, msgbuf, 16);
	CHECK(ws_read(&rd, in, 2, &used, &m) == WS_NEED_MORE);
	CHECK(ws_read(&rd, in + 2, 3, &used, &m) == WS_MSG);
	CHECK(m.data == in + 2 && used == 3);
	CHECK(msgbuf[0] == 0);
	/* payload split: assembled */
	ws_reader_init(&rd, msgbuf, 16);
	CHECK(ws_read(&rd, in, 3, &used, &m) == WS_NEED_MORE);
	CHECK(ws_read(&rd, in + 3, 2, &used, &m) == WS_MSG);
	CHECK(m.data == msgbuf && m.len == 3);
	CHECK_MEM(msgbuf, "abc", 3);
}

static void
read_reinit(void)
{
	unsigned char in[] = "\x01\x01" "a" "\x81\x01" "b";
	struct ws_msg m;
	size_t used;

	ws_reader_init(&rd, msgbuf, 16);
	CHECK(ws_read(&rd, in, 6, &used, &m) == WS_ERR_NOT_CONT);
	CHECK(ws_read(&rd, in + 3, 3, &used, &m) == WS_ERR_NOT_CONT);
	/* a new connection starts clean */
	ws_reader_init(&rd, msgbuf, 16);
	CHECK(ws_read(&rd, in + 3, 3, &used, &m) == WS_MSG);
	CHECK(m.len == 1 && m.data[0] == 'b');
	/* a half-read message is forgotten too */
	ws_reader_init(&rd, msgbuf, 16);
	CHECK(ws_read(&rd, in, 3, &used, &m) == WS_NEED_MORE);
	ws_reader_init(&rd, msgbuf, 16);
	CHECK(ws_read(&rd, in + 3, 3, &used, &m) == WS_MSG);
}

/* encode -> strip the mask (server side) -> read gives the frame back */
static void
round_trip(void)
{
	static unsigned char pay[70000], out[70016];
	static const size_t lens[] = { 0, 1, 5, 125, 126, 127, 65535, 65536,
	    69999 };
	const unsigned char mask[4] = { 0xa5, 0x5a, 0x00, 0xff };
	struct ws_frame f;
	struct ws_msg m;
	size_t i, j, n, used;
	int h;

	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (unsigned char)(i % 251);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		n = ws_encode(out, sizeof(out), 1, WS_OP_BINARY, pay, lens[i],
		    mask);
		CHECK(n > lens[i]);
		CHECK((h = ws_frame_parse(out, n, &f)) > 0);
		CHECK(f.masked && f.len == lens[i] && f.fin &&
		    f.opcode == WS_OP_BINARY && memcmp(f.mask, mask, 4) == 0);
		CHECK((size_t)h + lens[i] == n);
		for (j = 0; j < lens[i]; j++)
			out[h + j] ^= f.mask[j & 3];
		CHECK(lens[i] == 0 || memcmp(out + h, pay, lens[i]) == 0);
		/* the same frame unmasked reads back */
		out[1] &= 0x7f;
		memmove(out + h - 4, out + h, lens[i]);
		ws_reader_init(&rd, msgbuf, 70000);
		CHECK(ws_read(&rd, out, n - 4, &used, &m) == WS_MSG);
		CHECK(used == n - 4 && m.len == lens[i] &&
		    m.opcode == WS_OP_BINARY);
		CHECK(lens[i] == 0 || memcmp(m.data, pay, lens[i]) == 0);
	}
}

static void
error_names(void)
{
	int e;

	for (e = WS_ERR_CLOSE_UTF8; e <= WS_MSG; e++) {
		CHECK(strcmp(ws_strerror(e), "unknown WebSocket error") != 0);
		if (e < 0)
			CHECK(ws_close_code(e) == 1002 || ws_close_code(e) ==
			    1007 || ws_close_code(e) == 1009);
	}
	CHECK_STR(ws_strerror(-99), "unknown WebSocket error");
	CHECK_STR(ws_strerror(WS_ERR_MASKED), "masked frame from the server");
	CHECK(ws_close_code(-99) == 1011);
	CHECK(ws_close_code(WS_MSG) == 1000);
	CHECK(ws_close_code(WS_ERR_UTF8) == 1007);
	CHECK(ws_close_code(WS_ERR_CLOSE_UTF8) == 1007);
	CHECK(ws_close_code(WS_ERR_TOO_BIG) == 1009);
	CHECK(ws_close_code(WS_ERR_CLOSE_CODE) == 1002);
	CHECK(ws_close_code(WS_ERR_CLOSE_LEN) == 1002);
	CHECK(ws_close_code(WS_ERR_LENGTH) == 1002);
}

int
main(void)
{
	t_suite = "ws";
	RUN(handshake_rfc_1_3);
	RUN(handshake_accept_checks);
	RUN(encode_rfc_5_7);
	RUN(encode_lengths);
	RUN(encode_refusals);
	RUN(encode_close);
	RUN(frame_parse_write);
	RUN(read_rfc_single_unmasked);
	RUN(read_rfc_single_masked);
	RUN(read_rfc_fragmented);
	RUN(read_rfc_ping);
	RUN(read_rfc_256);
	RUN(read_rfc_64k);
	RUN(read_stream_every_split);
	RUN(read_control_between_fragments);
	RUN(read_errors_every_split);
	RUN(read_errors_from_header);
	RUN(utf8_table);
	RUN(utf8_after_runs);
	RUN(utf8_in_messages);
	RUN(utf8_left_to_caller);
	RUN(read_close_codes);
	RUN(read_close_then_discard);
	RUN(read_msgcap_limits);
	RUN(read_zero_copy);
	RUN(read_reinit);
	RUN(round_trip);
	RUN(error_names);
	return t_done();
}
