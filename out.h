/*
 * out.h - the output of zoomws: events as NDJSON lines, queued in one
 * buffer and written to stdout (or the --output file) without blocking
 * the connection, every line whole.
 *
 * Whole lines: what reaches the output is always a sequence of whole
 * lines, also when the reader is slow, goes away, or the disk fills up:
 *  - to a pipe, a write is either one that fits (the pipe is empty and
 *    the lines fit in its capacity) or of whole lines of at most
 *    PIPE_BUF bytes, which POSIX makes all-or-nothing; a longer line
 *    waits for the pipe to be empty; so a reader that stops never
 *    leaves a line cut in the pipe, but for a line longer than the
 *    pipe's capacity (64 KiB unless changed), which can only go in
 *    pieces;
 *  - to a regular file, a write that fails part way (ENOSPC, EFBIG) is
 *    undone: the file is cut back to its last whole line;
 *  - to anything else (a socket, a terminal) lines are written as they
 *    go; a line that a failure cuts there stays cut, and is said so.
 * Counts are of whole lines: an event counts as written once its
 * newline is.
 *
 * Memory: one buffer, allocated once (the output reservation), of which
 * only the first pages are touched while the reader keeps up.
 */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <stdint.h>

#define OUT_SOFT        (256u << 10)    /* pending bytes that stop reading */
#define OUT_BATCH       65536u          /* pending bytes written at once */
#define OUT_MAX_OTHERS  64              /* lines pending that are not events */

enum out_kind { OUT_PIPE, OUT_FILE, OUT_SOCKET, OUT_OTHER };

enum {
	OUT_OK = 0,
	OUT_ERR_CLOSED = -1,    /* the descriptor is not open */
	OUT_ERR_NOMEM = -2,     /* the buffer could not be allocated */
	OUT_ERR_OPEN = -3,      /* the --output file could not be opened */
	OUT_ERR_WRITE = -4      /* a write failed, or the reader went away:
	                           out->err says why */
};

struct out {
	int            fd;
	enum out_kind  kind;
	int            owned;       /* fd is ours to close (--output) */
	int            saved_flags; /* to restore (O_NONBLOCK) at the end */
	int            nonblock;
	size_t         pipe_cap;    /* F_GETPIPE_SZ of a pipe */
	size_t         pipe_page;   /* the size of its slots: a page */
	size_t         pipe_writes; /* writes since it was seen empty */
	char          *buf;
	size_t         cap, head, tail;     /* pending: buf[head..tail) */
	size_t         lines;       /* whole lines pending */
	size_t         events;      /* of them, events */
	uint64_t       committed;   /* bytes queued since the start */
	uint64_t       written;     /* bytes written since the start */
	uint64_t       others[OUT_MAX_OTHERS];  /* where the pending lines
	                               that are not events end, in bytes
	                               queued since the start, oldest first */
	size_t         nothers, first;
	size_t         line_done;   /* bytes of the first pending line
	                               already written (a cut line) */
	int64_t        retry_at;    /* net_now_ms to look again at a pipe
	                               that must empty first, 0: none */
	int64_t        retry_step;
	int            err;         /* errno of the failure, once failed */
	size_t         undone;      /* bytes of a cut line taken back out
	                               of a file after a failure */
	char           name[160];   /* "stdout" or the file's path */
};

/*
 * out_open: o on descriptor 1 when path is NULL, else on the file path,
 * opened for appending (created 0600). cap is the buffer's size, the
 * largest line plus slack. A pipe or socket is set non-blocking (undone
 * by out_close). A regular file appended to that does not end in a
 * newline gets one, with a warning, so that the next line stands on its
 * own. Returns OUT_OK, or an OUT_ERR_* with a message in err.
 */
int out_open(struct out *o, const char *path, size_t cap, char *err,
    size_t errlen);

/*
 * out_reopen: --output's file opened anew at path (after logrotate moved
 * it away): what is pending goes to the old file first, then the new
 * one takes the lines. On failure the old file stays in use. Returns
 * OUT_OK, OUT_ERR_OPEN with err, or OUT_ERR_WRITE when the pending lines
 * could not be written.
 */
int out_reopen(struct out *o, const char *path, char *err, size_t errlen);

/* out_close: restore the descriptor's flags, close a file of ours, free
   the buffer. What is pending is lost: out_drain first. */
void out_close(struct out *o);

/* out_pending: bytes queued, not yet written. */
size_t out_pending(const struct out *o);

/* out_fits: may a line of n bytes be queued now? Past OUT_SOFT pending
   bytes the reader is behind and nothing is taken (back-pressure); an
   empty queue takes any line that fits the buffer. */
int out_fits(const struct out *o, size_t n);

/*
 * out_reserve: room for a line of at most n bytes at the end of the
 * queue (moving the pending bytes to the front if that makes room), or
 * NULL when out_fits says no. The line is queued by out_commit.
 */
char *out_reserve(struct out *o, size_t n);

/* out_room: the bytes free after the pointer out_reserve returned. */
size_t out_room(const struct out *o);

/* out_others_full: 1 when two more lines that are not events (a message
   with --raw and a gap line) cannot be queued now. */
int out_others_full(const struct out *o);

/*
 * out_commit: the n bytes written at the pointer out_reserve returned
 * are one line, its newline last; event says whether it is an event
 * (counted) or another line (a gap line, a message with --raw).
 * Returns 0, or -1 when a line that is not an event finds no slot
 * (OUT_MAX_OTHERS pending): it is then not queued.
 */
int out_commit(struct out *o, size_t n, int event);

/*
 * out_flush: write what the output takes now without blocking, whole
 * lines only (see above). Returns OUT_OK, or OUT_ERR_WRITE once a write
 * failed (o->err); a file is then cut back to its last whole line.
 */
int out_flush(struct out *o);

/* out_events: the poll events to wait for on o->fd (POLLOUT while lines
   wait for a non-blocking descriptor, else 0); out_retry_at: when to
   look again without an event (a long line waiting for a pipe to
   empty), INT64_MAX for never. */
short out_events(const struct out *o);
int64_t out_retry_at(const struct out *o);

/*
 * out_drain: write every pending line, waiting for the output (net_wait)
 * until all is written, the deadline (net_now_ms time, INT64_MAX: none),
 * or a stop. Returns OUT_OK when all is written, NET_ERR_TIMEOUT or
 * NET_ERR_INTR when lines are left, OUT_ERR_WRITE on failure.
 */
int out_drain(struct out *o, int64_t deadline);

/* out_gone: the reader went away (the output's POLLERR or POLLHUP, seen
   by a wait): o fails with EPIPE. */
void out_gone(struct out *o);

/* out_failed: 1 once a write failed or the reader went away. */
int out_failed(const struct out *o);

/* out_cut: 1 when the output ends inside a line (one that was begun
   and could not be finished). */
int out_cut(const struct out *o);

#endif
