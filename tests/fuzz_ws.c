/*
 * fuzz_ws.c - libFuzzer target for the WebSocket codec.
 *
 * Input: byte 0 picks the message limit, byte 1 seeds the split points,
 * bytes 2..5 are a masking key, the rest is a server byte stream.
 *
 * Oracles:
 *  1. the reader gives the same events (messages, payloads, close codes,
 *     errors) fed the stream whole, in random pieces, and byte by byte;
 *  2. those events equal the ones of a plain reference model below,
 *     written from RFC 6455 independently of ws.c (its own header
 *     parsing, its own UTF-8 check by code point arithmetic);
 *  3. every frame ws_encode makes from the stream's bytes parses back
 *     to the same header, unmasks to the same payload, and, unmasked,
 *     reads back as the model says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../ws.h"

#define MAXIN   65536
#define MAXEV   4096

struct ev {
	int      rc, opcode;
	unsigned close_code;
	size_t   len;
	uint32_t hash;
};

struct evs {
	struct ev ev[MAXEV];
	size_t    n;
};

static unsigned char msgbuf[MAXIN];
static unsigned char work[MAXIN + 16];
static struct evs whole, split, model;
static struct ws_reader rd;

static uint32_t
fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void
add(struct evs *e, int rc, int opcode, const unsigned char *p, size_t len,
    unsigned close_code)
{
	struct ev *v;

	if (e->n == MAXEV)
		abort();
	v = &e->ev[e->n++];
	v->rc = rc;
	v->opcode = rc == WS_MSG ? opcode : 0;
	v->len = rc == WS_MSG ? len : 0;
	v->hash = rc == WS_MSG ? fnv(p, len) : 0;
	v->close_code = rc == WS_MSG ? close_code : 0;
}

/*
 * The reader, fed s[0..n) in pieces: sizes from seed, or 1 when bytewise,
 * or all at once when seed is 0. Each piece is copied to the start of
 * `work` so the reader never sees the bytes that follow it.
 */
static void
run_reader(struct evs *e, const unsigned char *s, size_t n, size_t msgcap,
    unsigned seed, int bytewise)
{
	size_t at = 0;

	e->n = 0;
	ws_reader_init(&rd, msgbuf, msgcap);
	while (at < n) {
		size_t k = n - at, off = 0;
		unsigned char *in;

		if (bytewise) {
			k = 1;
		} else if (seed != 0) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 23;
			if (k > n - at)
				k = n - at;
		}
		/* at the end of `work`, so ASan sees a read past the piece */
		in = work + sizeof(work) - k;
		memcpy(in, s + at, k);
		for (;;) {
			struct ws_msg m;
			size_t used;
			int rc = ws_read(&rd, in + off, k - off, &used, &m);

			if (used > k - off)
				abort();
			if (rc == WS_NEED_MORE) {
				if (used != k - off)
					abort();
				break;
			}
			if (rc < 0) {
				add(e, rc, 0, NULL, 0, 0);
				if (ws_read(&rd, in, k, &used, &m) != rc)
					abort();
				return;
			}
			if (rc != WS_MSG || used == 0 || m.data == NULL)
				abort();
			/* the payload lies in the piece, msgbuf or the reader */
			if (!((m.data >= in + off && m.data + m.len <= in + k) ||
			    (m.data >= msgbuf && m.data + m.len <=
			    msgbuf + msgcap) ||
			    (m.data >= (unsigned char *)&rd && m.data + m.len <=
			    (unsigned char *)(&rd + 1))))
				abort();
			add(e, rc, m.opcode, m.data, m.len, m.close_code);
			off += used;
		}
		at += k;
	}
}

/*
 * The reference model.
 */

/* Is p[0..n) UTF-8 (final), or the start of some UTF-8 text (!final)?
   By code points: a sequence's lead byte gives its length, its bits
   give a value that must lie in that length's range and outside the
   surrogates; a sequence cut short must have some completion that does. */
static int
model_utf8(const unsigned char *p, size_t n, int final)
{
	static const uint32_t lo[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	static const uint32_t hi[5] = { 0, 0x7f, 0x7ff, 0xffff, 0x10ffff };
	size_t i = 0, len, j;

	while (i < n) {
		uint32_t cp, cmin, cmax;
		unsigned c = p[i];

		if (c < 0x80)
			len = 1, cp = c;
		else if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			return 0;
		for (j = 1; j < len && i + j < n; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if (j < len) {
			/* cut short: the values its completions can take */
			if (final)
				return 0;
			cmin = cmax = cp;
			for (; j < len; j++) {
				cmin = cmin << 6;
				cmax = cmax << 6 | 0x3f;
			}
			if (cmax < lo[len] || cmin > hi[len])
				return 0;
			if (cmin < lo[len])
				cmin = lo[len];
			if (cmax > hi[len])
				cmax = hi[len];
			if (cmin >= 0xd800 && cmax <= 0xdfff)
				return 0;
			return 1;
		}
		if (cp < lo[len] || cp > hi[len] ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static unsigned char model_msg[MAXIN];

/* The events RFC 6455 gives for a client reading s[0..n). */
static void
run_model(struct evs *e, const unsigned char *s, size_t n, size_t msgcap)
{
	size_t at = 0, msglen = 0;
	int msgop = 0;

	e->n = 0;
	for (;;) {
		size_t h, avail;
		uint64_t len;
		int fin, rsv, op, masked, control, err = 0;

		if (n - at < 2)
			return;
		fin = s[at] >> 7;
		rsv = (s[at] >> 4) & 7;
		op = s[at] & 15;
		masked = s[at + 1] >> 7;
		len = s[at + 1] & 127;
		h = 2 + (len == 126 ? 2 : len == 127 ? 8 : 0) + (masked ? 4 : 0);
		if (n - at < h)
			return;
		if (len == 126) {
			len = (uint64_t)s[at + 2] * 256 + s[at + 3];
		} else if (len == 127) {
			size_t i;

			len = 0;
			for (i = 0; i < 8; i++)
				len = len * 256 + s[at + 2 + i];
		}
		control = op >= 8;
		if (len >= (uint64_t)1 << 63)
			err = WS_ERR_LENGTH;
		else if (masked)
			err = WS_ERR_MASKED;
		else if (rsv)
			err = WS_ERR_RSV;
		else if ((op > 2 && op < 8) || op > 10)
			err = WS_ERR_OPCODE;
		else if (control && !fin)
			err = WS_ERR_CONTROL_FRAG;
		else if (control && len > 125)
			err = WS_ERR_CONTROL_LEN;
		else if (op == 0 && !msgop)
			err = WS_ERR_CONT;
		else if ((op == 1 || op == 2) && msgop)
			err = WS_ERR_NOT_CONT;
		else if (!control && msglen + len > msgcap)
			err = WS_ERR_TOO_BIG;
		if (err) {
			add(e, err, 0, NULL, 0, 0);
			return;
		}
		at += h;
		avail = n - at;
		if (control) {
			const unsigned char *p = s + at;
			unsigned code = 0;

			if (avail < len)
				return;
			at += (size_t)len;
			if (op != WS_OP_CLOSE) {
				add(e, WS_MSG, op, p, (size_t)len, 0);
				continue;
			}
			if (len == 0) {
				add(e, WS_MSG, op, p, 0, 1005);
				return;
			}
			if (len == 1)
				err = WS_ERR_CLOSE_LEN;
			else {
				code = p[0] * 256u + p[1];
				if (code < 1000 || code == 1004 || code == 1005 ||
				    code == 1006 || (code >= 1015 && code < 3000) ||
				    code >= 5000)
					err = WS_ERR_CLOSE_CODE;
				else if (!model_utf8(p + 2, (size_t)len - 2, 1))
					err = WS_ERR_CLOSE_UTF8;
			}
			add(e, err ? err : WS_MSG, op, p, (size_t)len, code);
			return;
		}
		if (op != 0) {
			msgop = op;
			msglen = 0;
		}
		/* a text message fails as soon as its bytes cannot be UTF-8 */
		if (avail < len) {
			memcpy(model_msg + msglen, s + at, avail);
			if (msgop == 1 && !model_utf8(model_msg, msglen + avail,
			    0))
				add(e, WS_ERR_UTF8, 0, NULL, 0, 0);
			return;
		}
		memcpy(model_msg + msglen, s + at, (size_t)len);
		msglen += (size_t)len;
		at += (size_t)len;
		if (msgop == 1 && !model_utf8(model_msg, msglen, fin)) {
			add(e, WS_ERR_UTF8, 0, NULL, 0, 0);
			return;
		}
		if (fin) {
			add(e, WS_MSG, msgop, model_msg, msglen, 0);
			msgop = 0;
			msglen = 0;
		}
	}
}

static void
same(const struct evs *a, const struct evs *b)
{
	size_t i;

	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++)
		if (memcmp(&a->ev[i], &b->ev[i], sizeof(a->ev[i])) != 0)
			abort();
}

/* Oracle 3: encode the stream's bytes as one frame and read it back. */
static unsigned char frame[MAXIN + 32];

static void
round_trip(const unsigned char *p, size_t n, int sel,
    const unsigned char mask[4])
{
	static const int ops[6] = { WS_OP_CONT, WS_OP_TEXT, WS_OP_BINARY,
	    WS_OP_CLOSE, WS_OP_PING, WS_OP_PONG };
	int op = ops[sel % 6], fin = (sel >> 3) & 1, h, control;
	struct ws_frame f;
	size_t k, i;

	control = op >= 8;
	k = ws_encode(frame, sizeof(frame), fin, op, p, n, mask);
	if (k == 0) {
		if (!control || (n <= WS_MAX_CONTROL && fin))
			abort();
		return;
	}
	if ((h = ws_frame_parse(frame, k, &f)) <= 0 || (size_t)h + n != k ||
	    f.fin != fin || f.rsv != 0 || f.opcode != op || !f.masked ||
	    f.len != n || memcmp(f.mask, mask, 4) != 0)
		abort();
	/* shortest length form */
	if ((n < 126) != ((frame[1] & 127) < 126) ||
	    (n >= 126 && n < 65536) != ((frame[1] & 127) == 126))
		abort();
	for (i = 0; i < n; i++)
		if ((frame[h + i] ^ mask[i & 3]) != p[i])
			abort();
	/* the server's view: the same frame without the mask */
	frame[1] &= 0x7f;
	for (i = 0; i < n; i++)
		frame[h - 4 + i] = frame[h + i] ^ mask[i & 3];
	run_reader(&whole, frame, k - 4, sizeof(msgbuf), 0, 0);
	run_model(&model, frame, k - 4, sizeof(msgbuf));
	same(&whole, &model);
	if (op == WS_OP_BINARY && fin && (whole.n != 1 ||
	    whole.ev[0].rc != WS_MSG || whole.ev[0].len != n ||
	    whole.ev[0].hash != fnv(p, n)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = { 0, 7, 130, MAXIN };
	const unsigned char *s;
	size_t n, msgcap;

	if (size < 6 || size - 6 > MAXIN)
		return 0;
	msgcap = caps[data[0] & 3];
	s = data + 6;
	n = size - 6;

	run_reader(&whole, s, n, msgcap, 0, 0);
	run_model(&model, s, n, msgcap);
	same(&whole, &model);
	run_reader(&split, s, n, msgcap, data[1] | 1u, 0);
	same(&whole, &split);
	if (n <= 4096) {
		run_reader(&split, s, n, msgcap, 0, 1);
		same(&whole, &split);
	}
	round_trip(s, n, data[0] >> 2, data + 2);
	return 0;
}
