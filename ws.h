/*
 * ws.h - the client side of the WebSocket protocol (RFC 6455), in two
 * layers: a frame layer that codes one frame header, and a message
 * layer that checks frames as a client must and assembles messages.
 *
 * No I/O and no allocation: the caller moves bytes between the codec and
 * the TLS engine, supplies the masking keys (RFC 6455 5.3: from a strong
 * random source) and owns every buffer.
 */
#ifndef WS_H
#define WS_H

#include <stddef.h>
#include <stdint.h>

enum {
	WS_OP_CONT = 0x0, WS_OP_TEXT = 0x1, WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8, WS_OP_PING = 0x9, WS_OP_PONG = 0xA
};

#define WS_MAX_CONTROL 125          /* RFC 6455 5.5: control payload */
#define WS_MAX_REASON  123          /* a close reason after its code */
#define WS_MAX_HEADER  14           /* 2 + 8 (64-bit length) + 4 (mask) */
#define WS_KEY_LEN     24           /* base64 of a 16-byte nonce */
#define WS_ACCEPT_LEN  28           /* base64 of a SHA-1 digest */

/* What ws_read returns: > 0 a message, 0 need more, < 0 an error. */
enum {
	WS_MSG = 1,
	WS_NEED_MORE = 0,
	WS_ERR_MASKED = -1,         /* a masked frame from the server */
	WS_ERR_RSV = -2,            /* RSV1-3 set, no extension agreed */
	WS_ERR_OPCODE = -3,         /* a reserved opcode */
	WS_ERR_CONTROL_LEN = -4,    /* a control frame over 125 bytes */
	WS_ERR_CONTROL_FRAG = -5,   /* a control frame without FIN */
	WS_ERR_LENGTH = -6,         /* 64-bit length with its top bit set */
	WS_ERR_CONT = -7,           /* continuation outside a message */
	WS_ERR_NOT_CONT = -8,       /* new data frame inside a message */
	WS_ERR_TOO_BIG = -9,        /* message or frame over msgcap */
	WS_ERR_UTF8 = -10,          /* text message not UTF-8 */
	WS_ERR_CLOSE_LEN = -11,     /* close payload of one byte */
	WS_ERR_CLOSE_CODE = -12,    /* close code one may not send */
	WS_ERR_CLOSE_UTF8 = -13     /* close reason not UTF-8 */
};

/*
 * Handshake (RFC 6455 4.1, 4.2.2).
 *
 * ws_make_key: the Sec-WebSocket-Key for a 16-byte nonce the caller drew
 * from a strong random source: its base64, NUL-terminated, into key.
 */
void ws_make_key(char key[WS_KEY_LEN + 1], const unsigned char nonce[16]);

/*
 * ws_accept_value: the Sec-WebSocket-Accept a server must answer to key
 * (a NUL-terminated string): base64(SHA-1(key + the RFC's GUID)),
 * written NUL-terminated (28 characters) into out.
 */
void ws_accept_value(char out[WS_ACCEPT_LEN + 1], const char *key);

/*
 * ws_accept_ok: 1 when accept[0..acceptlen), the server's
 * Sec-WebSocket-Accept with blanks (SP, HTAB) around it ignored, is the
 * value for key; else 0 (and 0 for a NULL key or accept).
 */
int ws_accept_ok(const char *key, const char *accept, size_t acceptlen);

/*
 * Frame layer (RFC 6455 5.2).
 */
struct ws_frame {
	int           fin;          /* 1 on the last frame of a message */
	int           rsv;          /* RSV1-3 as a number 0..7 */
	int           opcode;       /* 0..15 */
	int           masked;
	unsigned char mask[4];      /* the masking key when masked, else 0 */
	uint64_t      len;          /* payload length */
};

/*
 * ws_frame_parse: decode the frame header at p[0..n) into *f. Only the
 * header's syntax is checked (the 64-bit length's top bit, RFC 6455
 * 5.2); what a client must refuse is the message layer's business.
 * Lengths not in their shortest form are accepted: RFC 6455 5.2 puts
 * that "MUST" on the sender, and refusing them protects nothing.
 * Returns the header's length (2..14), WS_NEED_MORE when n is too short
 * to hold it, or WS_ERR_LENGTH.
 */
int ws_frame_parse(const unsigned char *p, size_t n, struct ws_frame *f);

/*
 * ws_frame_write: encode the header *f (shortest length form; the mask
 * when f->masked) into dst, which has cap bytes. Returns the header's
 * length (2..14), or 0 when cap is too small or a field is out of range
 * (rsv > 7, opcode > 15, len >= 2^63). The payload is not written.
 */
size_t ws_frame_write(unsigned char *dst, size_t cap,
    const struct ws_frame *f);

/*
 * Encoder (RFC 6455 5.2, 5.3): one client frame into dst: the header
 * (2..14 bytes, mask bit set) then payload[0..len) masked with mask.
 * opcode is one of WS_OP_*; payload may be NULL when len is 0 and must
 * not overlap dst. Returns the bytes written, 0 when cap is too small,
 * the opcode unknown, or a control frame has len > 125 or !fin (5.5).
 */
size_t ws_encode(unsigned char *dst, size_t cap, int fin, int opcode,
    const void *payload, size_t len, const unsigned char mask[4]);

/*
 * ws_encode_close: a close frame (RFC 6455 5.5.1) carrying code and
 * reason (NUL-terminated UTF-8, NULL for none), as ws_encode. code 0
 * sends an empty payload (no code, reason must be empty). Returns the
 * bytes written, or 0 when cap is too small, code is one an endpoint may
 * not send (see ws_close_code_ok), or the reason is over 123 bytes or
 * not UTF-8.
 */
size_t ws_encode_close(unsigned char *dst, size_t cap, unsigned code,
    const char *reason, const unsigned char mask[4]);

/*
 * ws_close_code_ok: 1 when code may travel in a close frame (RFC 6455
 * 7.4.1, 7.4.2): 1000-1003, 1007-1011, 3000-4999, and 1012-1014, which
 * IANA registered after the RFC (service restart, try again later, bad
 * gateway). 0 for the rest: below 1000, 1004-1006, 1015-2999, 5000 up.
 */
int ws_close_code_ok(unsigned code);

/* ws_utf8_valid: 1 when p[0..n) is UTF-8 (RFC 3629 section 4), else 0. */
int ws_utf8_valid(const void *p, size_t n);

/*
 * Message layer: the reader. Its state is plain data with no pointer to
 * itself, so the caller can embed it anywhere; ws_reader_init sets it up.
 */
struct ws_utf8 {
	unsigned char need;         /* continuation bytes still due: 0..3 */
	unsigned char lo, hi;       /* the range the next one must be in */
};

struct ws_reader {
	unsigned char  *msgbuf;     /* the caller's, msgcap bytes */
	size_t          msgcap;     /* the largest message accepted */
	int             state;      /* enum ws_reader_state in ws.c */
	int             err;        /* once failed, the error */
	/* the frame being read */
	unsigned char   hdr[WS_MAX_HEADER];
	size_t          hdrlen;     /* header bytes gathered */
	struct ws_frame frame;
	uint64_t        left;       /* payload bytes still to come */
	/* the data message being assembled into msgbuf; opcode 0: none */
	int             msg_opcode;
	size_t          msglen;
	struct ws_utf8  utf8;       /* a text message's UTF-8 so far */
	int             text_later; /* set by the caller: text messages are
	                               not checked for UTF-8 here, it checks
	                               each whole (RFC 6455 8.1 still binds
	                               it: bad UTF-8 fails the connection
	                               with 1007) */
	/* a control frame's payload when it comes in pieces */
	unsigned char   ctrl[WS_MAX_CONTROL];
	size_t          ctrllen;
};

struct ws_msg {
	int            opcode;      /* TEXT, BINARY, PING, PONG or CLOSE */
	unsigned char *data;        /* the payload: into `in`, msgbuf or the
	                               reader; never NULL */
	size_t         len;
	unsigned       close_code;  /* CLOSE: the code, 1005 when the payload
	                               is empty; else 0 */
};

/*
 * ws_reader_init: start r on a new connection. msgbuf (msgcap bytes,
 * owned by the caller, which keeps it alive as long as r is used) holds
 * messages that cannot be returned in place; msgcap is also the largest
 * message (the sum of its fragments) accepted. msgbuf may be NULL with
 * msgcap 0: then only empty data messages pass.
 */
void ws_reader_init(struct ws_reader *r, unsigned char *msgbuf,
    size_t msgcap);

/*
 * ws_read: consume bytes from in[0..len), server-to-client frames.
 * Sets *used to the bytes consumed. Returns
 *  - WS_MSG when one whole message or control frame is in *m; the bytes
 *    after in[*used] are not yet looked at: call again with in + *used;
 *  - WS_NEED_MORE when all of in was consumed without completing one;
 *  - a WS_ERR_* when the server broke RFC 6455 (ws_close_code says what
 *    to close with); the reader then keeps returning that error and
 *    *used counts the bytes consumed before the fault.
 * m->data stays valid until the next ws_read call and as long as in is
 * unchanged. An unfragmented data frame whose payload lies whole in
 * `in` is returned in place, not copied (also when its header came in
 * an earlier buffer); control frames too. Anything else is
 * assembled into msgbuf (data) or into the reader (control payloads
 * that arrive in pieces). Control frames between the fragments of a
 * message are returned at once and leave that message alone (RFC 6455
 * 5.4). After a close frame the reader consumes and ignores everything
 * (RFC 6455 1.4: nothing after a close frame is data).
 */
int ws_read(struct ws_reader *r, unsigned char *in, size_t len,
    size_t *used, struct ws_msg *m);

/*
 * ws_close_code: the status to close the connection with after err
 * (RFC 6455 7.4.1): 1007 for bad UTF-8, 1009 for a message over the
 * limit, 1002 for the other protocol errors, 1011 for anything unknown,
 * 1000 for err >= 0.
 */
unsigned ws_close_code(int err);

/* ws_strerror: a short English description of a WS_ERR_* code. */
const char *ws_strerror(int err);

#endif
