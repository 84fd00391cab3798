/*
 * ws.c - RFC 6455 WebSocket, client side: the opening handshake's key
 * and accept values, a frame layer (one header at a time) and a message
 * layer (the reader) that enforces what a client must check of a
 * server's frames and assembles fragmented messages.
 *
 * The reader is one state machine over a caller's byte stream:
 *
 *   HEADER --(header checked)--> FRAME
 *   FRAME --(control)--> CONTROL --(payload read)--> HEADER
 *        \--(data)-----> DATA ----(payload read)--> HEADER
 *   a close frame --> CLOSED; any error --> FAILED
 *
 * A frame whose payload is whole in the input at FRAME skips CONTROL or
 * DATA and is returned in place.
 */
#include <string.h>

#include <bearssl_hash.h>

#include "ascii.h"
#include "b64.h"
#include "scan.h"
#include "ws.h"

/* RFC 6455 1.3: the GUID appended to the key for Sec-WebSocket-Accept. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

enum ws_reader_state {
	WS_R_HEADER = 0,            /* gathering a frame header in hdr */
	WS_R_FRAME,                 /* a checked header, payload not begun */
	WS_R_DATA,                  /* copying a data payload to msgbuf */
	WS_R_CONTROL,               /* copying a control payload to ctrl */
	WS_R_CLOSED,                /* a close frame was returned */
	WS_R_FAILED                 /* err was returned */
};

/*
 * Handshake.
 */

void
ws_make_key(char key[WS_KEY_LEN + 1], const unsigned char nonce[16])
{
	/* RFC 6455 4.1: base64 of 16 random bytes. */
	b64_encode(key, WS_KEY_LEN + 1, nonce, 16);
}

void
ws_accept_value(char out[WS_ACCEPT_LEN + 1], const char *key)
{
	br_sha1_context sha;
	unsigned char digest[br_sha1_SIZE];

	/* RFC 6455 4.2.2 item 5.4 */
	br_sha1_init(&sha);
	br_sha1_update(&sha, key, strlen(key));
	br_sha1_update(&sha, ws_guid, sizeof(ws_guid) - 1);
	br_sha1_out(&sha, digest);
	b64_encode(out, WS_ACCEPT_LEN + 1, digest, sizeof(digest));
}

int
ws_accept_ok(const char *key, const char *accept, size_t acceptlen)
{
	char want[WS_ACCEPT_LEN + 1];
	unsigned diff = 0;
	size_t i;

	if (key == NULL || accept == NULL)
		return 0;
	/* RFC 9110 5.5: a field value may carry blanks around it. */
	while (acceptlen > 0 && (accept[0] == ' ' || accept[0] == '\t'))
		accept++, acceptlen--;
	while (acceptlen > 0 && (accept[acceptlen - 1] == ' ' ||
	    accept[acceptlen - 1] == '\t'))
		acceptlen--;
	/* RFC 6455 4.1: the client fails the connection unless the value
	   is exactly the one it computed. */
	if (acceptlen != WS_ACCEPT_LEN)
		return 0;
	ws_accept_value(want, key);
	for (i = 0; i < WS_ACCEPT_LEN; i++)
		diff |= (unsigned char)(want[i] ^ accept[i]);
	return diff == 0;
}

/*
 * Frame layer.
 */

/* The length of a frame header from its second byte (RFC 6455 5.2). */
static size_t
header_len(unsigned char b1)
{
	size_t n = 2;

	if ((b1 & 0x7f) == 126)
		n += 2;
	else if ((b1 & 0x7f) == 127)
		n += 8;
	if (b1 & 0x80)
		n += 4;
	return n;
}

int
ws_frame_parse(const unsigned char *p, size_t n, struct ws_frame *f)
{
	size_t need, at = 2, i;
	uint64_t len;

	if (n < 2 || n < (need = header_len(p[1])))
		return WS_NEED_MORE;
	f->fin = p[0] >> 7;
	f->rsv = p[0] >> 4 & 7;
	f->opcode = p[0] & 0xf;
	f->masked = p[1] >> 7;
	len = p[1] & 0x7f;
	if (len == 126) {
		len = (uint64_t)p[2] << 8 | p[3];
		at = 4;
	} else if (len == 127) {
		len = 0;
		for (i = 0; i < 8; i++)
			len = len << 8 | p[2 + i];
		at = 10;
		/* RFC 6455 5.2: the top bit of a 64-bit length is 0 */
		if (len >> 63)
			return WS_ERR_LENGTH;
	}
	f->len = len;
	if (f->masked)
		memcpy(f->mask, p + at, 4);
	else
		memset(f->mask, 0, 4);
	return (int)need;
}

size_t
ws_frame_write(unsigned char *dst, size_t cap, const struct ws_frame *f)
{
	size_t n = 2, i;
	unsigned char b1;

	if (f->rsv < 0 || f->rsv > 7 || f->opcode < 0 || f->opcode > 15 ||
	    f->len >> 63)
		return 0;
	/* RFC 6455 5.2: the length in its shortest form */
	if (f->len < 126) {
		b1 = (unsigned char)f->len;
	} else if (f->len <= 0xffff) {
		b1 = 126;
		n += 2;
	} else {
		b1 = 127;
		n += 8;
	}
	if (f->masked)
		n += 4;
	if (cap < n)
		return 0;
	dst[0] = (unsigned char)((f->fin ? 0x80 : 0) | f->rsv << 4 | f->opcode);
	dst[1] = (unsigned char)((f->masked ? 0x80 : 0) | b1);
	if (b1 == 126) {
		dst[2] = (unsigned char)(f->len >> 8);
		dst[3] = (unsigned char)f->len;
	} else if (b1 == 127) {
		for (i = 0; i < 8; i++)
			dst[2 + i] = (unsigned char)(f->len >> (56 - 8 * i));
	}
	if (f->masked)
		memcpy(dst + n - 4, f->mask, 4);
	return n;
}

static int
is_control(int opcode)
{
	return opcode == WS_OP_CLOSE || opcode == WS_OP_PING ||
	    opcode == WS_OP_PONG;
}

size_t
ws_encode(unsigned char *dst, size_t cap, int fin, int opcode,
    const void *payload, size_t len, const unsigned char mask[4])
{
	const unsigned char *p = payload;
	struct ws_frame f;
	size_t h, i;

	if (opcode != WS_OP_CONT && opcode != WS_OP_TEXT &&
	    opcode != WS_OP_BINARY && !is_control(opcode))
		return 0;
	/* RFC 6455 5.5: control frames are short and never fragmented */
	if (is_control(opcode) && (len > WS_MAX_CONTROL || !fin))
		return 0;
	f.fin = fin != 0;
	f.rsv = 0;
	f.opcode = opcode;
	f.masked = 1;               /* RFC 6455 5.3: every client frame */
	memcpy(f.mask, mask, 4);
	f.len = len;
	if ((h = ws_frame_write(dst, cap, &f)) == 0 || cap - h < len)
		return 0;
	for (i = 0; i < len; i++)
		dst[h + i] = p[i] ^ mask[i & 3];
	return h + len;
}

int
ws_close_code_ok(unsigned code)
{
	/* RFC 6455 7.4.1 defines 1000-1011 of which 1004 is reserved and
	   1005, 1006 and 1015 must never be sent; 7.4.2: 3000-4999 for
	   libraries and applications. 1012-1014 were registered with IANA
	   later and are in use. */
	return (code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) ||
	    (code >= 3000 && code <= 4999);
}

size_t
ws_encode_close(unsigned char *dst, size_t cap, unsigned code,
    const char *reason, const unsigned char mask[4])
{
	unsigned char p[WS_MAX_CONTROL];
	size_t rl = reason != NULL ? strlen(reason) : 0;

	if (code == 0)
		return rl == 0 ? ws_encode(dst, cap, 1, WS_OP_CLOSE, NULL, 0,
		    mask) : 0;
	if (!ws_close_code_ok(code) || rl > WS_MAX_REASON ||
	    !ws_utf8_valid(reason, rl))
		return 0;
	/* RFC 6455 5.5.1: the code in network byte order, then the reason */
	p[0] = (unsigned char)(code >> 8);
	p[1] = (unsigned char)code;
	if (rl > 0)
		memcpy(p + 2, reason, rl);
	return ws_encode(dst, cap, 1, WS_OP_CLOSE, p, 2 + rl, mask);
}

/*
 * UTF-8, incrementally: RFC 3629 section 4, which excludes overlong
 * forms, the surrogates U+D800-DFFF and everything above U+10FFFF (the
 * ranges are utf8_lead()'s, shared with json.c).
 */

/* Feed p[0..n) to u. Returns 1, or 0 at the first byte that cannot be
   UTF-8 whatever follows. */
static int
utf8_feed(struct ws_utf8 *u, const unsigned char *p, size_t n)
{
	size_t i;
	unsigned lo, hi, c;

	for (i = 0; i < n; i++) {
		/* Runs of ASCII, most of every Zoom message, a block at a
		   time. */
		if (u->need == 0 && (i += scan_ascii(p + i, n - i)) == n)
			break;
		c = p[i];
		if (u->need > 0) {
			if (c < u->lo || c > u->hi)
				return 0;
			u->need--;
			u->lo = 0x80;
			u->hi = 0xbf;
			continue;
		}
		if ((u->need = (unsigned char)utf8_lead(c, &lo, &hi)) == 0)
			return 0;
		u->lo = (unsigned char)lo;
		u->hi = (unsigned char)hi;
	}
	return 1;
}

int
ws_utf8_valid(const void *p, size_t n)
{
	struct ws_utf8 u = { 0, 0, 0 };

	return utf8_feed(&u, p, n) && u.need == 0;
}

/*
 * Message layer.
 */

void
ws_reader_init(struct ws_reader *r, unsigned char *msgbuf, size_t msgcap)
{
	memset(r, 0, sizeof(*r));
	r->msgbuf = msgbuf;
	r->msgcap = msgbuf != NULL ? msgcap : 0;
	r->state = WS_R_HEADER;
}

/* Fail r with err for good; *used gets the bytes consumed. */
static int
fail(struct ws_reader *r, int err, size_t pos, size_t *used)
{
	r->state = WS_R_FAILED;
	r->err = err;
	*used = pos;
	return err;
}

/* What a client must refuse in a frame header, given the message in
   progress. Returns 0 or a WS_ERR_*. */
static int
check_header(const struct ws_reader *r)
{
	const struct ws_frame *f = &r->frame;

	/* RFC 6455 5.1: servers never mask; a masked frame fails the
	   connection. */
	if (f->masked)
		return WS_ERR_MASKED;
	/* 5.2: RSV1-3 MUST be 0 unless an extension says otherwise; we
	   offer none. */
	if (f->rsv != 0)
		return WS_ERR_RSV;
	switch (f->opcode) {
	case WS_OP_CONT:
		/* 5.4: a continuation only inside a fragmented message */
		if (r->msg_opcode == 0)
			return WS_ERR_CONT;
		break;
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		/* 5.4: fragments of messages are not interleaved */
		if (r->msg_opcode != 0)
			return WS_ERR_NOT_CONT;
		break;
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		/* 5.5: at most 125 bytes, not fragmented */
		if (!f->fin)
			return WS_ERR_CONTROL_FRAG;
		if (f->len > WS_MAX_CONTROL)
			return WS_ERR_CONTROL_LEN;
		return 0;
	default:
		/* 5.2: %x3-7 and %xB-F are reserved */
		return WS_ERR_OPCODE;
	}
	/* Our limit, from the header, before a payload byte is read. */
	if (f->len > r->msgcap - r->msglen)
		return WS_ERR_TOO_BIG;
	return 0;
}

/* A control frame's payload p[0..n) is whole: fill *m. Returns WS_MSG
   or the error a close frame's payload gives. */
static int
control_done(struct ws_reader *r, unsigned char *p, size_t n,
    struct ws_msg *m)
{
	m->opcode = r->frame.opcode;
	m->data = p;
	m->len = n;
	m->close_code = 0;
	if (r->frame.opcode != WS_OP_CLOSE)
		return WS_MSG;
	/* RFC 6455 5.5.1: empty, or a 2-byte code and a UTF-8 reason;
	   7.1.5: no code is reported as 1005. */
	r->state = WS_R_CLOSED;
	if (n == 0) {
		m->close_code = 1005;
		return WS_MSG;
	}
	if (n == 1)
		return WS_ERR_CLOSE_LEN;
	m->close_code = (unsigned)p[0] << 8 | p[1];
	/* 7.4: a code that may not be sent is a protocol error */
	if (!ws_close_code_ok(m->close_code))
		return WS_ERR_CLOSE_CODE;
	if (!ws_utf8_valid(p + 2, n - 2))
		return WS_ERR_CLOSE_UTF8;
	return WS_MSG;
}

/* The data message in msgbuf is whole: fill *m and forget it. Returns
   WS_MSG, or WS_ERR_UTF8 when a text message stops inside a character. */
static int
message_done(struct ws_reader *r, struct ws_msg *m)
{
	/* RFC 6455 8.1: the whole text message must be UTF-8 */
	if (r->msg_opcode == WS_OP_TEXT && r->utf8.need != 0)
		return WS_ERR_UTF8;
	m->opcode = r->msg_opcode;
	m->data = r->msgbuf != NULL ? r->msgbuf : r->ctrl;
	m->len = r->msglen;
	m->close_code = 0;
	r->msg_opcode = 0;
	r->msglen = 0;
	return WS_MSG;
}

/*
 * A header is complete in r->frame and checked, and in[pos..len) follows
 * it. Either the frame is returned whole from `in` (*m filled, *pos past
 * the payload, WS_MSG or an error), or the reader moves to DATA or
 * CONTROL to gather the payload (WS_NEED_MORE).
 */
static int
frame_begin(struct ws_reader *r, unsigned char *in, size_t len,
    size_t *pos, struct ws_msg *m)
{
	struct ws_frame *f = &r->frame;
	unsigned char *p = in + *pos;
	size_t n = (size_t)f->len;  /* bounded by check_header */

	if (is_control(f->opcode)) {
		if (f->len <= len - *pos) {
			*pos += n;
			return control_done(r, p, n, m);
		}
		r->ctrllen = 0;
		r->left = f->len;
		r->state = WS_R_CONTROL;
		return WS_NEED_MORE;
	}
	if (f->opcode != WS_OP_CONT && f->fin && f->len <= len - *pos) {
		/* The hot path: a whole message in the caller's buffer. */
		if (f->opcode == WS_OP_TEXT && !r->text_later &&
		    !ws_utf8_valid(p, n))
			return WS_ERR_UTF8;
		*pos += n;
		m->opcode = f->opcode;
		m->data = p;
		m->len = n;
		m->close_code = 0;
		return WS_MSG;
	}
	if (f->opcode != WS_OP_CONT) {
		r->msg_opcode = f->opcode;
		r->msglen = 0;
		memset(&r->utf8, 0, sizeof(r->utf8));
	}
	r->left = f->len;
	r->state = WS_R_DATA;
	return WS_NEED_MORE;
}

int
ws_read(struct ws_reader *r, unsigned char *in, size_t len, size_t *used,
    struct ws_msg *m)
{
	const unsigned char *hdr;
	size_t pos = 0, k, need;
	int rc;

	*used = 0;
	for (;;) {
		size_t avail = len - pos;

		switch (r->state) {
		case WS_R_HEADER:
			if (avail == 0) {
				*used = pos;
				return WS_NEED_MORE;
			}
			if (r->hdrlen == 0 && avail >= 2 &&
			    avail >= (need = header_len(in[pos + 1]))) {
				/* all of it at hand, as usual: read in place */
				hdr = in + pos;
				pos += need;
			} else {
				need = r->hdrlen < 2 ? 2 : header_len(r->hdr[1]);
				k = need - r->hdrlen < avail ? need - r->hdrlen :
				    avail;
				memcpy(r->hdr + r->hdrlen, in + pos, k);
				r->hdrlen += k;
				pos += k;
				if (r->hdrlen < 2 ||
				    r->hdrlen < (need = header_len(r->hdr[1])))
					break;
				hdr = r->hdr;
			}
			rc = ws_frame_parse(hdr, need, &r->frame);
			r->hdrlen = 0;
			if (rc > 0)
				rc = check_header(r);
			if (rc < 0)
				return fail(r, rc, pos, used);
			r->state = WS_R_FRAME;
			break;
		case WS_R_FRAME:
			/* Wait for the next buffer rather than start copying
			   nothing: the payload may come whole in it. */
			if (avail == 0 && r->frame.len > 0) {
				*used = pos;
				return WS_NEED_MORE;
			}
			r->state = WS_R_HEADER;
			rc = frame_begin(r, in, len, &pos, m);
			if (rc < 0)
				return fail(r, rc, pos, used);
			if (rc == WS_MSG) {
				*used = pos;
				return WS_MSG;
			}
			break;
		case WS_R_DATA:
			k = r->left < avail ? (size_t)r->left : avail;
			if (k > 0) {
				if (r->msg_opcode == WS_OP_TEXT &&
				    !r->text_later &&
				    !utf8_feed(&r->utf8, in + pos, k))
					return fail(r, WS_ERR_UTF8, pos, used);
				/* memmove, not memcpy: GCC expands a memcpy
				   of unknown length as rep movsb, a byte per
				   step on x86 CPUs without fast strings and
				   under valgrind; libc's copies words */
				memmove(r->msgbuf + r->msglen, in + pos, k);
				r->msglen += k;
				r->left -= k;
				pos += k;
			}
			if (r->left > 0) {
				*used = pos;
				return WS_NEED_MORE;
			}
			r->state = WS_R_HEADER;
			if (!r->frame.fin)
				break;
			if ((rc = message_done(r, m)) < 0)
				return fail(r, rc, pos, used);
			*used = pos;
			return WS_MSG;
		case WS_R_CONTROL:
			k = r->left < avail ? (size_t)r->left : avail;
			if (k > 0) {
				memcpy(r->ctrl + r->ctrllen, in + pos, k);
				r->ctrllen += k;
				r->left -= k;
				pos += k;
			}
			if (r->left > 0) {
				*used = pos;
				return WS_NEED_MORE;
			}
			r->state = WS_R_HEADER;
			if ((rc = control_done(r, r->ctrl, r->ctrllen, m)) < 0)
				return fail(r, rc, pos, used);
			*used = pos;
			return WS_MSG;
		case WS_R_CLOSED:
			/* RFC 6455 1.4: after a close, discard what follows */
			*used = len;
			return WS_NEED_MORE;
		case WS_R_FAILED:
		default:
			return r->err;
		}
	}
}

unsigned
ws_close_code(int err)
{
	switch (err) {
	case WS_ERR_UTF8:
	case WS_ERR_CLOSE_UTF8:
		return 1007;            /* RFC 6455 7.4.1: inconsistent data */
	case WS_ERR_TOO_BIG:
		return 1009;            /* message too big */
	case WS_ERR_MASKED:
	case WS_ERR_RSV:
	case WS_ERR_OPCODE:
	case WS_ERR_CONTROL_LEN:
	case WS_ERR_CONTROL_FRAG:
	case WS_ERR_LENGTH:
	case WS_ERR_CONT:
	case WS_ERR_NOT_CONT:
	case WS_ERR_CLOSE_LEN:
	case WS_ERR_CLOSE_CODE:
		return 1002;            /* protocol error */
	}
	return err >= 0 ? 1000 : 1011;
}

const char *
ws_strerror(int err)
{
	switch (err) {
	case WS_MSG:
		return "message";
	case WS_NEED_MORE:
		return "need more input";
	case WS_ERR_MASKED:
		return "masked frame from the server";
	case WS_ERR_RSV:
		return "reserved bits set in a frame";
	case WS_ERR_OPCODE:
		return "reserved opcode";
	case WS_ERR_CONTROL_LEN:
		return "control frame longer than 125 bytes";
	case WS_ERR_CONTROL_FRAG:
		return "fragmented control frame";
	case WS_ERR_LENGTH:
		return "frame length with the top bit set";
	case WS_ERR_CONT:
		return "continuation frame outside a message";
	case WS_ERR_NOT_CONT:
		return "new message inside a fragmented message";
	case WS_ERR_TOO_BIG:
		return "message larger than the limit";
	case WS_ERR_UTF8:
		return "text message is not UTF-8";
	case WS_ERR_CLOSE_LEN:
		return "close frame with a 1-byte payload";
	case WS_ERR_CLOSE_CODE:
		return "close frame with an invalid status code";
	case WS_ERR_CLOSE_UTF8:
		return "close reason is not UTF-8";
	}
	return "unknown WebSocket error";
}
