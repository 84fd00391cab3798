/*
 * zoom.h - Zoom's side of the WebSocket event subscription as a codec:
 * what a text message from the server is (an event, the subscription
 * opened or refused, a heartbeat answer, something else, something
 * broken), the event compacted for output, the --event name filter, the
 * upgrade request's target, and the gap line. No I/O, no globals.
 *
 * The envelope (ZOOM-PROTOCOL.md): {"module":"message","content":C,...}
 * carries an event as C, a JSON string holding the event's JSON (or,
 * defensively, the object itself); {"module":"build_connection",
 * "success":true|false,...} opens or refuses the subscription;
 * {"module":"heartbeat",...} answers a heartbeat.
 */
#ifndef ZOOM_H
#define ZOOM_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

enum zoom_kind {
	ZOOM_EVENT,         /* an event, compacted (m->event) */
	ZOOM_OPENED,        /* build_connection with success true */
	ZOOM_REFUSED,       /* build_connection without success true */
	ZOOM_HEARTBEAT,     /* a heartbeat answer */
	ZOOM_OTHER,         /* another module, or none (m->no_module) */
	ZOOM_NOT_JSON,      /* the message is not JSON (m->err) */
	ZOOM_BAD_EVENT,     /* an event whose content is not a JSON object:
	                       not JSON (m->err), or JSON that is not an
	                       object (ZOOM_ERR_NOT_OBJECT) */
	ZOOM_NOT_UTF8       /* the text is not UTF-8: RFC 6455 8.1 fails the
	                       connection (close 1007) */
};

#define ZOOM_ERR_NOT_OBJECT (-100)  /* JSON, but not an object */

struct zoom_msg {
	enum zoom_kind kind;
	int            err;         /* JSON_ERR_* or ZOOM_ERR_NOT_OBJECT */
	const char    *event;       /* ZOOM_EVENT: the compacted event */
	size_t         event_len;
	size_t         out_len;     /* bytes written at dst (see zoom_read) */
	size_t         content;     /* where content is in the message */
	size_t         content_len; /* (0 when there is none) */
	int            no_module;   /* ZOOM_OTHER without a module */
};

/*
 * zoom_read: what the text message msg[0..len) is, into *m. Without raw
 * an event is decoded (when carried in a string) and compacted straight
 * into dst (cap bytes), m->event == dst and m->out_len its length; with
 * raw the whole message is compacted into dst (m->out_len, whatever its
 * kind but ZOOM_NOT_JSON and ZOOM_NOT_UTF8), and an event is decoded and
 * compacted in place in msg, which it changes (m->event points there).
 * Strict: the message and its event are checked as RFC 8259 says, the
 * event must be an object, and its nesting is limited to
 * JSON_MAX_DEPTH however it is carried. dst must lie apart from msg;
 * the compacted output is never longer than the message. Returns
 * m->kind.
 */
enum zoom_kind zoom_read(char *msg, size_t len, int raw, char *dst,
    size_t cap, struct zoom_msg *m);

/* zoom_strerror: words for m->err ("nested deeper than 64 levels"). */
const char *zoom_strerror(int err);

/*
 * zoom_glob: does the text s[0..n) match the pattern p (NUL-terminated):
 * '*' any run of bytes, '?' any one byte, anything else itself. 1 or 0.
 */
int zoom_glob(const char *p, const char *s, size_t n);

/*
 * zoom_event_wanted: does the compacted event ev[0..n) have an "event"
 * name that one of the nfilters patterns matches? 1 also when there are
 * no patterns; 0 for an event without a string name.
 */
int zoom_event_wanted(const char *ev, size_t n, const char *const *filters,
    int nfilters);

/*
 * zoom_upgrade_target: the request target of the WebSocket upgrade into
 * dst (cap bytes, NUL-terminated): the configured target with its own
 * subscriptionId and access_token parameters left out, then
 * subscriptionId=sub&access_token=token, both percent-encoded (the token
 * travels in the query: in a header Zoom answers "token is empty").
 * Returns the length, 0 when it does not fit. dst holds the token.
 */
size_t zoom_upgrade_target(char *dst, size_t cap, const char *target,
    const char *sub, const char *token, size_t tlen);

/*
 * zoom_gap_line: the line {"event":"zoomws.gap","payload":{"from":FROM,
 * "to":TO}} and a newline into dst (cap bytes): the window, in epoch
 * milliseconds, in which events may have been missed. Returns its
 * length (newline included), 0 when it does not fit.
 */
size_t zoom_gap_line(char *dst, size_t cap, int64_t from, int64_t to);

#endif
