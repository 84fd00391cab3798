/*
 * out.c - the output queue, written in whole lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "net.h"
#include "out.h"

#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032       /* Linux 2.6.35 */
#endif
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif

#define RETRY_MIN_MS 1          /* a long line waits for room: looked */
#define RETRY_MAX_MS 1000       /* at again after 1 ms, doubling each time
                                   the pipe still has none, to 1 s */

/*
 * end_with_newline: o is a regular file appended to; when it does not
 * end in a newline (a line cut by a crash or an older version), add one
 * and warn, so that the next line stands on its own. The file is read
 * through /proc/self/fd when the descriptor is not readable; a file that
 * cannot be read is left as it is.
 */
static void
end_with_newline(struct out *o, const struct stat *st)
{
	char path[64], c;
	off_t pos = lseek(o->fd, 0, SEEK_CUR);
	int rfd;

	if (st->st_size == 0 || (!(o->saved_flags & O_APPEND) &&
	    pos != st->st_size))
		return;
	if ((o->saved_flags & O_ACCMODE) == O_RDWR)
		rfd = o->fd;
	else {
		fmt_snprintf(path, sizeof(path), "/proc/self/fd/%d", o->fd);
		if ((rfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return;
	}
	if (pread(rfd, &c, 1, st->st_size - 1) == 1 && c != '\n' &&
	    write(o->fd, "\n", 1) == 1)
		logm(L_WARN, "%s did not end with a newline (a line cut short "
		    "before?): one added, so that the next line stands on its "
		    "own", o->name);
	if (rfd != o->fd)
		close(rfd);
}

/* The name of descriptor 1 for messages: "stdout (/path)" for a file. */
static void
stdout_name(struct out *o, const struct stat *st)
{
	char link[128];
	ssize_t n;

	fmt_snprintf(o->name, sizeof(o->name), "stdout");
	if (!S_ISREG(st->st_mode) ||
	    (n = readlink("/proc/self/fd/1", link, sizeof(link) - 1)) <= 0)
		return;
	link[n] = '\0';
	fmt_snprintf(o->name, sizeof(o->name), "stdout (%s)", link);
}

/* open_file: path opened for appending (created 0600), readable when
   we may (to look at its last byte); -1 with errno on failure. */
static int
open_file(const char *path)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1 && errno == EACCES)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return fd;
}

/* What kind of descriptor o->fd is; pipes and sockets made non-blocking;
   a regular file ended with a newline. */
static void
take_fd(struct out *o)
{
	struct stat st;
	int ps;

	if (fstat(o->fd, &st) == -1)
		memset(&st, 0, sizeof(st));
	if (!o->owned)
		stdout_name(o, &st);
	o->kind = S_ISFIFO(st.st_mode) ? OUT_PIPE : S_ISSOCK(st.st_mode) ?
	    OUT_SOCKET : S_ISREG(st.st_mode) ? OUT_FILE : OUT_OTHER;
	o->nonblock = 0;
	if ((o->kind == OUT_PIPE || o->kind == OUT_SOCKET) &&
	    fcntl(o->fd, F_SETFL, o->saved_flags | O_NONBLOCK) == 0)
		o->nonblock = 1;
	if (o->kind == OUT_PIPE) {
		o->pipe_cap = (ps = fcntl(o->fd, F_GETPIPE_SZ)) > 0 ?
		    (size_t)ps : PIPE_BUF;
		o->pipe_page = getauxval(AT_PAGESZ) > 0 ?
		    (size_t)getauxval(AT_PAGESZ) : o->pipe_cap;
		o->pipe_writes = 0;
	}
	if (o->kind == OUT_FILE)
		end_with_newline(o, &st);
}

int
out_open(struct out *o, const char *path, size_t cap, char *err,
    size_t errlen)
{
	memset(o, 0, sizeof(*o));
	if (path == NULL) {
		o->fd = 1;
		if ((o->saved_flags = fcntl(1, F_GETFL)) == -1) {
			fmt_snprintf(err, errlen, "stdout is closed: events have "
			    "nowhere to go");
			return OUT_ERR_CLOSED;
		}
	} else {
		fmt_snprintf(o->name, sizeof(o->name), "%s", path);
		if ((o->fd = open_file(path)) == -1) {
			fmt_snprintf(err, errlen, "--output %s: %s", path,
			    strerror(errno));
			return OUT_ERR_OPEN;
		}
		o->owned = 1;
		o->saved_flags = fcntl(o->fd, F_GETFL);
	}
	take_fd(o);
	o->cap = cap;
	if ((o->buf = malloc(cap)) == NULL) {
		fmt_snprintf(err, errlen, "out of memory for the output buffer "
		    "(%zu bytes)", cap);
		out_close(o);
		return OUT_ERR_NOMEM;
	}
	return OUT_OK;
}

int
out_reopen(struct out *o, const char *path, char *err, size_t errlen)
{
	int fd;

	if (out_pending(o) > 0 && out_drain(o, net_now_ms() + 1000) !=
	    OUT_OK) {
		fmt_snprintf(err, errlen, "--output %s: the lines pending could not "
		    "be written to the old file", path);
		return OUT_ERR_WRITE;
	}
	if ((fd = open_file(path)) == -1) {
		fmt_snprintf(err, errlen, "--output %s: %s; the old file stays in "
		    "use", path, strerror(errno));
		return OUT_ERR_OPEN;
	}
	/* The new file under the old descriptor's number: the waits that
	   watch it go on watching the output. */
	if (o->nonblock)
		fcntl(o->fd, F_SETFL, o->saved_flags);
	if (dup2(fd, o->fd) == -1) {
		fmt_snprintf(err, errlen, "--output %s: %s; the old file stays in "
		    "use", path, strerror(errno));
		close(fd);
		return OUT_ERR_OPEN;
	}
	close(fd);
	if (o->owned)
		fcntl(o->fd, F_SETFD, FD_CLOEXEC);
	o->saved_flags = fcntl(o->fd, F_GETFL);
	o->line_done = 0;
	take_fd(o);
	return OUT_OK;
}

void
out_close(struct out *o)
{
	if (o->nonblock)
		fcntl(o->fd, F_SETFL, o->saved_flags);
	o->nonblock = 0;
	if (o->owned && o->fd >= 0)
		close(o->fd);
	o->owned = 0;
	free(o->buf);
	o->buf = NULL;
	o->head = o->tail = 0;
}

size_t
out_pending(const struct out *o)
{
	return o->tail - o->head;
}

int
out_fits(const struct out *o, size_t n)
{
	size_t pend = out_pending(o);

	return pend == 0 ? n <= o->cap : pend + n <= OUT_SOFT &&
	    pend + n <= o->cap;
}

char *
out_reserve(struct out *o, size_t n)
{
	if (o->head == o->tail)
		o->head = o->tail = 0;
	if (!out_fits(o, n))
		return NULL;
	/* Keep the queue near the front so that only the first pages of
	   the buffer are ever touched: resident memory stays small. */
	if (o->cap - o->tail >= n && (o->head == 0 ||
	    o->tail + n <= 2 * OUT_SOFT))
		return o->buf + o->tail;
	if (o->cap - out_pending(o) < n)
		return NULL;
	memmove(o->buf, o->buf + o->head, out_pending(o));
	o->tail -= o->head;
	o->head = 0;
	return o->buf + o->tail;
}

size_t
out_room(const struct out *o)
{
	return o->cap - o->tail;
}

int
out_others_full(const struct out *o)
{
	return o->nothers + 2 > OUT_MAX_OTHERS;
}

int
out_commit(struct out *o, size_t n, int event)
{
	if (!event) {
		if (o->nothers == OUT_MAX_OTHERS)
			return -1;
		o->others[(o->first + o->nothers++) % OUT_MAX_OTHERS] =
		    o->committed + n;
	}
	o->tail += n;
	o->committed += n;
	o->lines++;
	return 0;
}

/*
 * pipe_room: how many bytes a write to the pipe is sure to leave in it
 * whole; *empty: the pipe holds nothing. Linux keeps a pipe as pipe_cap
 * / page slots of a page each, and a write takes slots until it is done
 * or none is free. Of the slots that q bytes in the pipe take, all but
 * a few are full pages: each of our writes leaves at most one part full
 * (its last page, or its first bytes merged into the slot before), and
 * the reader one more (the page it is half-way through). So the bytes
 * that pipe_writes writes put there since the pipe was last seen empty
 * take at most q / page + pipe_writes + 1 slots. Another process
 * writing into the same pipe is not counted: a write may then go in
 * part, and the rest of its line follows, as after any cut.
 */
static size_t
pipe_room(struct out *o, int *empty)
{
	size_t slots = o->pipe_cap / o->pipe_page, used;
	int q;

	*empty = 0;
	if (ioctl(o->fd, FIONREAD, &q) != 0 || q < 0)
		return 0;
	if (q == 0) {
		*empty = 1;
		o->pipe_writes = 0;
		return o->pipe_cap;
	}
	used = (size_t)q / o->pipe_page + o->pipe_writes + 1;
	return used < slots ? (slots - used) * o->pipe_page : 0;
}

/*
 * chunk: how many pending bytes to write now, so that nothing but whole
 * lines can reach a pipe; 0: none now (a line longer than PIPE_BUF
 * waits for room that it is sure to find). Not a pipe: everything.
 */
static size_t
chunk(struct out *o)
{
	const char *p = o->buf + o->head, *nl;
	size_t pend = out_pending(o), lim, i;
	int empty;

	if (o->kind != OUT_PIPE || pend <= PIPE_BUF)
		return pend;
	if (o->line_done > 0) {
		/* a line already cut: its rest, whatever its length */
		nl = memchr(p, '\n', pend);
		return nl != NULL ? (size_t)(nl - p) + 1 : pend;
	}
	/* Whole lines up to the room the pipe is sure to have; a write of
	   at most PIPE_BUF bytes is whole or refused (POSIX write, pipes). */
	if ((lim = pipe_room(o, &empty)) < PIPE_BUF)
		lim = PIPE_BUF;
	if (pend <= lim)
		return pend;
	for (i = lim; i > 0 && p[i - 1] != '\n'; i--)
		;
	if (i > 0)
		return i;
	if (!empty)
		return 0;
	/* A line longer than the pipe itself can only go in pieces. */
	nl = memchr(p, '\n', pend);
	return nl != NULL ? (size_t)(nl - p) + 1 : pend;
}

/* The n bytes at the head were written: advance, count whole lines. */
static void
advance(struct out *o, size_t n)
{
	const char *p = o->buf + o->head, *nl, *last = NULL;
	size_t lines = 0, others = 0, events;

	if (n == out_pending(o)) {
		lines = o->lines;
		last = p + n - 1;
	} else
		for (nl = p; (nl = memchr(nl, '\n', (size_t)(p + n - nl))) !=
		    NULL; nl++) {
			lines++;
			last = nl;
		}
	o->line_done = last == NULL ? o->line_done + n :
	    (size_t)(p + n - last - 1);
	o->head += n;
	o->written += n;
	while (o->nothers > 0 && o->others[o->first] <= o->written) {
		o->first = (o->first + 1) % OUT_MAX_OTHERS;
		o->nothers--;
		others++;
	}
	events = lines - others;
	o->lines -= lines;
	counters.bytes_out += n;
	if (events > 0) {
		counters.events_out += events;
		counters.last_event = net_now_ms();
	}
	if (o->head == o->tail)
		o->head = o->tail = 0;
}

/* A write failed with e: o fails; a regular file is cut back to its
   last whole line. */
static int
fail(struct out *o, int e)
{
	off_t end;

	o->err = e;
	if (o->kind == OUT_FILE && o->line_done > 0 &&
	    (end = lseek(o->fd, 0, SEEK_END)) >= (off_t)o->line_done &&
	    ftruncate(o->fd, end - (off_t)o->line_done) == 0) {
		counters.bytes_out -= o->line_done;
		o->undone = o->line_done;
		o->line_done = 0;
	}
	return OUT_ERR_WRITE;
}

int
out_flush(struct out *o)
{
	int64_t now;
	ssize_t w;
	size_t n;

	if (o->err != 0)
		return OUT_ERR_WRITE;
	while ((n = chunk(o)) > 0) {
		w = write(o->fd, o->buf + o->head, n);
		if (w > 0) {
			o->pipe_writes++;
			advance(o, (size_t)w);
			o->retry_at = 0;
			o->retry_step = 0;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return OUT_OK;
		return fail(o, w < 0 ? errno : EIO);
	}
	if (out_pending(o) > 0) {
		/* A long line waits for room in the pipe: looked at again
		   soon, then less and less often. A flush before the time
		   comes (the session flushes after every batch of input)
		   looks too, but leaves the wait as it was. */
		now = net_now_ms();
		if (o->retry_at != 0 && now < o->retry_at)
			return OUT_OK;
		o->retry_step = o->retry_step == 0 ? RETRY_MIN_MS :
		    o->retry_step * 2 > RETRY_MAX_MS ? RETRY_MAX_MS :
		    o->retry_step * 2;
		o->retry_at = now + o->retry_step;
	}
	return OUT_OK;
}

short
out_events(const struct out *o)
{
	return o->nonblock && out_pending(o) > 0 && o->retry_at == 0 &&
	    o->err == 0 ? POLLOUT : 0;
}

int64_t
out_retry_at(const struct out *o)
{
	return o->retry_at != 0 && out_pending(o) > 0 ? o->retry_at :
	    INT64_MAX;
}

int
out_drain(struct out *o, int64_t deadline)
{
	struct pollfd pfd;
	int64_t until;
	int rc;

	for (;;) {
		if (out_flush(o) != OUT_OK)
			return OUT_ERR_WRITE;
		if (out_pending(o) == 0)
			return OUT_OK;
		pfd.fd = o->fd;
		pfd.events = out_events(o);
		until = out_retry_at(o) < deadline ? out_retry_at(o) : deadline;
		rc = net_wait(&pfd, pfd.events ? 1 : 0, until);
		if (rc == NET_ERR_INTR)
			return o->err != 0 ? OUT_ERR_WRITE : NET_ERR_INTR;
		if (rc == 0 && until == deadline)
			return NET_ERR_TIMEOUT;
		if (rc == NET_ERR_IO)
			return fail(o, errno);
	}
}

void
out_gone(struct out *o)
{
	if (o->err == 0)
		o->err = EPIPE;
}

int
out_failed(const struct out *o)
{
	return o->err != 0;
}

int
out_cut(const struct out *o)
{
	return o->line_done > 0;
}
