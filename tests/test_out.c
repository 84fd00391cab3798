/*
 * test_out.c - the output queue (out.c) on real descriptors: a pipe
 * (pipe(2), made small with F_SETPIPE_SZ) that nobody reads holds only
 * whole lines; a line longer than PIPE_BUF waits for the pipe to be
 * empty; the counters count whole lines, and events only; a reader that
 * goes away fails the output; a regular file that a write fills part
 * way (RLIMIT_FSIZE, SIGXFSZ ignored) is cut back to its last whole
 * line; a file appended to that lacks its last newline gets one at
 * open, as --output and as stdout; out_fits/out_reserve keep to the
 * buffer and to OUT_SOFT; out_drain keeps its deadline.
 *
 * The stdout form puts the pipe on descriptor 1 for the length of a
 * test; stdout is fully buffered so that no test line goes there.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"
#include "../log.h"
#include "../net.h"
#include "../out.h"

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif

#define NLINES 400

static char dir[64];
static struct out o;
static char err[256];
static int rd = -1, saved_out = -1;
static size_t len_of[NLINES];       /* the test lines' lengths */
static int event_of[NLINES];        /* and whether each is an event */
static char got[1 << 22];           /* what a reader read */
static size_t ngot;

/* Line i of len bytes (at least 19): {"n":IIIII,"p":"aaa..."} and a
   newline, so that a line read back tells its number and length. */
static void
make_line(char *dst, int i, size_t len)
{
	size_t k;

	snprintf(dst, 17, "{\"n\":%05d,\"p\":\"", i);
	for (k = 16; k < len - 3; k++)
		dst[k] = (char)('a' + i % 26);
	memcpy(dst + len - 3, "\"}\n", 3);
}

/* Queue line i (len_of[i], event_of[i]); 0 when out_reserve refuses. */
static int
queue(int i)
{
	char *p = out_reserve(&o, len_of[i]);

	if (p == NULL)
		return 0;
	CHECK(out_room(&o) >= len_of[i]);
	make_line(p, i, len_of[i]);
	CHECK(out_commit(&o, len_of[i], event_of[i]) == 0);
	return 1;
}

/* Descriptor 1 becomes the write end of a new pipe of size bytes; rd is
   its read end, non-blocking. */
static void
pipe_stdout(int size)
{
	int p[2];

	fflush(stdout);
	if (pipe(p) != 0)
		abort();
	if (size > 0)
		CHECK(fcntl(p[1], F_SETPIPE_SZ, size) == size);
	saved_out = dup(1);
	dup2(p[1], 1);
	close(p[1]);
	rd = p[0];
	fcntl(rd, F_SETFL, O_NONBLOCK);
}

/* Descriptor 1 back as it was; the pipe closed. */
static void
restore_stdout(void)
{
	dup2(saved_out, 1);
	close(saved_out);
	saved_out = -1;
	if (rd >= 0)
		close(rd);
	rd = -1;
}

/* Read what the pipe holds now, appended to got. */
static size_t
read_pipe(void)
{
	ssize_t n;
	size_t total = 0;

	while ((n = read(rd, got + ngot, sizeof(got) - ngot)) > 0) {
		ngot += (size_t)n;
		total += (size_t)n;
	}
	return total;
}

/* Bytes waiting in the pipe. */
static int
in_pipe(void)
{
	int n = -1;

	ioctl(rd, FIONREAD, &n);
	return n;
}

/* Read at most n bytes from the pipe, appended to got. */
static void
read_some(size_t n)
{
	ssize_t r = read(rd, got + ngot, n);

	if (r > 0)
		ngot += (size_t)r;
}

/* Is n bytes the length of lines 0..k-1 for some k? */
static int
at_line_end(size_t n)
{
	size_t at = 0;
	int k;

	for (k = 0; k < NLINES && at < n; k++)
		at += len_of[k];
	return at == n;
}

/* got[0..ngot) is exactly lines 0..k-1, whole: k, else -1. *events
   (when not NULL) gets how many of them are events. */
static int
whole_lines(unsigned long long *events)
{
	static char want[65536];
	size_t at = 0;
	int k;

	if (events != NULL)
		*events = 0;
	for (k = 0; at < ngot; k++) {
		if (k == NLINES || len_of[k] > ngot - at)
			return -1;
		make_line(want, k, len_of[k]);
		if (memcmp(got + at, want, len_of[k]) != 0)
			return -1;
		at += len_of[k];
		if (events != NULL && event_of[k])
			(*events)++;
	}
	return k;
}

/* Lines of many lengths up to max, one in three not an event. */
static void
lines(size_t max)
{
	static const size_t len[] = { 19, 100, 700, 2000, 4000, 37, 1500,
	    3000, 4096, 4095, 64, 250, 3333, 19, 999 };
	int i;

	for (i = 0; i < NLINES; i++) {
		len_of[i] = len[i % (sizeof(len) / sizeof(len[0]))];
		if (len_of[i] > max)
			len_of[i] = max;
		event_of[i] = i % 3 != 2;
	}
}

static void
start(void)
{
	memset(&counters, 0, sizeof(counters));
	ngot = 0;
	err[0] = '\0';
}

/* A pipe of pipe_size bytes that nobody reads holds only whole lines,
   however much is queued; the counters count the lines written, events
   only; once the reader reads, every line arrives, in order, once. */
static void
stall_then_read(int pipe_size)
{
	static const size_t step[] = { 1, 700, 3000, 5000, 100, 4097, 8192,
	    333 };
	unsigned long long ev;
	int i, next = 0, k;

	pipe_stdout(pipe_size);
	CHECK(out_open(&o, NULL, 65536, err, sizeof(err)) == OUT_OK);
	CHECK(o.kind == OUT_PIPE && o.pipe_cap == (size_t)pipe_size &&
	    o.nonblock);
	CHECK_STR(o.name, "stdout");
	while (next < NLINES && queue(next)) {
		next++;
		CHECK(out_flush(&o) == OUT_OK);
	}
	CHECK(next > 0 && next < NLINES);       /* the buffer filled */
	CHECK(out_pending(&o) > 0);
	/* it looks again: when the pipe takes more, or at a time */
	CHECK(out_events(&o) == POLLOUT || out_retry_at(&o) < INT64_MAX);
	CHECK(!out_cut(&o));
	read_pipe();
	CHECK(ngot > 0 && ngot <= (size_t)pipe_size);
	CHECK((k = whole_lines(&ev)) > 0);
	CHECK(counters.events_out == ev);
	CHECK(counters.bytes_out == ngot);
	if (t_case_failed)
		printf("  %zu bytes read, %d lines\n", ngot, k);
	/* the reader catches up, a few bytes at a time: whatever it has
	   read, the pipe holds the rest of a line and whole lines */
	for (i = 0; i < 100000 && (out_pending(&o) > 0 || next < NLINES); i++) {
		while (next < NLINES && queue(next))
			next++;
		CHECK(out_flush(&o) == OUT_OK);
		CHECK(at_line_end(ngot + (size_t)in_pipe()));
		read_some(step[i % (sizeof(step) / sizeof(step[0]))]);
		if (t_case_failed)
			break;
	}
	read_pipe();
	CHECK(whole_lines(&ev) == NLINES);
	CHECK(counters.events_out == ev && ev == NLINES - NLINES / 3);
	CHECK(counters.bytes_out == ngot);
	CHECK(counters.last_event > 0);
	CHECK(out_events(&o) == 0);
	out_close(&o);
	CHECK((fcntl(1, F_GETFL) & O_NONBLOCK) == 0);
	restore_stdout();
}

static void
stalled_pipe(void)
{
	start();
	lines(4096);
	stall_then_read(8192);
}

/* The same with lines up to three times PIPE_BUF in a 64 KiB pipe, where
   the long ones go in whenever the pipe is sure to have room for them,
   not only when it is empty. */
static void
stalled_pipe_long_lines(void)
{
	int i;

	start();
	lines(4096);
	for (i = 0; i < NLINES; i++)
		len_of[i] *= 3;
	stall_then_read(65536);
}

/* A line longer than PIPE_BUF goes into a pipe that holds something
   when the pipe is sure to have room for all of it: here 100 bytes in a
   64 KiB pipe take at most three of its sixteen pages. */
static void
long_line_goes_where_room_is_sure(void)
{
	start();
	len_of[0] = 100;
	len_of[1] = 6000;
	len_of[2] = 30000;
	event_of[0] = event_of[1] = event_of[2] = 1;
	pipe_stdout(65536);
	CHECK(out_open(&o, NULL, 65536, err, sizeof(err)) == OUT_OK);
	if (o.pipe_page != 4096) {      /* the arithmetic below is for 4 KiB */
		out_close(&o);
		restore_stdout();
		return;
	}
	CHECK(queue(0));
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(queue(1));
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 6100);
	CHECK(out_pending(&o) == 0);
	/* 6100 bytes from two writes: at most 1 + 2 + 1 pages taken, 12
	   free, 49,152 bytes: 30,000 go too */
	CHECK(queue(2));
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 36100);
	/* 36,100 bytes from three writes: at most 8 + 3 + 1 taken, 4 free:
	   a second line of 30,000 waits */
	CHECK(queue(2));
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 36100);
	CHECK(out_pending(&o) == 30000);
	CHECK(counters.events_out == 3);
	read_pipe();
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 30000);
	CHECK(counters.events_out == 4);
	out_close(&o);
	restore_stdout();
}

/* A line longer than PIPE_BUF is not written into a pipe that holds
   something (it could be cut there): it waits for the pipe to be empty,
   looked at again by out_retry_at, and then goes whole. A line longer
   than the pipe itself can only go in pieces: it is counted once its
   newline is written. */
static void
long_line_waits(void)
{
	unsigned long long ev;
	int64_t t0;

	start();
	len_of[0] = 100;
	len_of[1] = 6000;       /* more than PIPE_BUF, less than the pipe */
	len_of[2] = 10000;      /* more than the pipe */
	len_of[3] = 50;
	event_of[0] = event_of[1] = event_of[2] = event_of[3] = 1;
	pipe_stdout(8192);
	CHECK(out_open(&o, NULL, 32768, err, sizeof(err)) == OUT_OK);
	CHECK(queue(0));
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 100);
	CHECK(queue(1));
	t0 = net_now_ms();
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 100);                /* B waits */
	CHECK(out_pending(&o) == 6000);
	CHECK(out_events(&o) == 0);
	CHECK(out_retry_at(&o) >= t0 + 1 && out_retry_at(&o) <= t0 + 1000);
	CHECK(counters.events_out == 1);
	/* flushed again before its time (the session flushes after every
	   batch of input): the look and its delay stay as they were */
	t0 = out_retry_at(&o);
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(o.retry_step == 1 && out_retry_at(&o) == t0);
	/* its time come, still no room: it waits twice as long */
	while (net_now_ms() < out_retry_at(&o))
		usleep(500);
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 100);
	CHECK(o.retry_step == 2);
	read_pipe();
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 6000);
	CHECK(out_pending(&o) == 0);
	CHECK(out_retry_at(&o) == INT64_MAX);
	CHECK(counters.events_out == 2);

	/* longer than the pipe: the pipe's worth, then the rest */
	CHECK(queue(2));
	CHECK(queue(3));
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(out_pending(&o) == 10050);        /* waits for an empty pipe */
	read_pipe();
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 8192);
	CHECK(out_cut(&o));
	CHECK(counters.events_out == 2);
	CHECK(counters.bytes_out == 100 + 6000 + 8192);
	read_pipe();
	CHECK(out_flush(&o) == OUT_OK);
	read_pipe();
	CHECK(!out_cut(&o));
	CHECK(out_pending(&o) == 0);
	CHECK(whole_lines(&ev) == 4);
	CHECK(counters.events_out == 4);
	CHECK(counters.bytes_out == 16150);
	out_close(&o);
	restore_stdout();
}

/* Lines that are not events (a gap line, a message with --raw) are
   written and counted in bytes but not as events; at most
   OUT_MAX_OTHERS of them wait at once. */
static void
not_events(void)
{
	int i;

	start();
	pipe_stdout(0);
	CHECK(out_open(&o, NULL, 65536, err, sizeof(err)) == OUT_OK);
	for (i = 0; i < 7; i++) {
		len_of[i] = 30 + (size_t)i;
		event_of[i] = i == 1 || i == 4 || i == 5;
		CHECK(queue(i));
	}
	CHECK(o.lines == 7 && o.nothers == 4);
	CHECK(out_flush(&o) == OUT_OK);
	read_pipe();
	CHECK(whole_lines(NULL) == 7);
	CHECK(counters.events_out == 3);
	CHECK(counters.bytes_out == ngot);
	CHECK(o.nothers == 0 && o.lines == 0);

	/* OUT_MAX_OTHERS pending; out_others_full two before */
	for (i = 0; i < OUT_MAX_OTHERS; i++) {
		CHECK(out_others_full(&o) == (i + 2 > OUT_MAX_OTHERS));
		CHECK(out_reserve(&o, 20) != NULL);
		CHECK(out_commit(&o, 20, 0) == 0);
	}
	CHECK(out_others_full(&o));
	CHECK(out_reserve(&o, 20) != NULL);
	CHECK(out_commit(&o, 20, 0) == -1);
	CHECK(out_pending(&o) == 20 * OUT_MAX_OTHERS);
	CHECK(out_reserve(&o, 20) != NULL);
	CHECK(out_commit(&o, 20, 1) == 0);      /* an event still goes */
	memset(o.buf, 'x', out_pending(&o));
	for (i = 1; i <= OUT_MAX_OTHERS + 1; i++)
		o.buf[20 * i - 1] = '\n';
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(counters.events_out == 4);
	CHECK(o.nothers == 0);
	CHECK(!out_others_full(&o));
	out_close(&o);
	restore_stdout();
}

/* A reader that goes away: out_gone (a wait saw POLLERR) fails the
   output with EPIPE and nothing more is written; a write into a pipe
   without a reader fails with EPIPE. */
static void
reader_gone(void)
{
	start();
	lines(4096);
	pipe_stdout(0);
	CHECK(out_open(&o, NULL, 65536, err, sizeof(err)) == OUT_OK);
	CHECK(!out_failed(&o));
	CHECK(queue(0));
	out_gone(&o);
	CHECK(out_failed(&o));
	CHECK(o.err == EPIPE);
	CHECK(out_flush(&o) == OUT_ERR_WRITE);
	CHECK(out_drain(&o, net_now_ms() + 1000) == OUT_ERR_WRITE);
	CHECK(in_pipe() == 0);
	CHECK(out_events(&o) == 0);
	CHECK(counters.bytes_out == 0);
	out_close(&o);
	restore_stdout();

	start();
	pipe_stdout(0);
	CHECK(out_open(&o, NULL, 65536, err, sizeof(err)) == OUT_OK);
	CHECK(queue(0));
	close(rd);
	rd = -1;
	CHECK(out_flush(&o) == OUT_ERR_WRITE);
	CHECK(out_failed(&o));
	CHECK(o.err == EPIPE);
	CHECK(counters.events_out == 0);
	out_close(&o);
	restore_stdout();
}

/* Read the file path into got. */
static void
read_file(const char *path)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	ngot = 0;
	while ((n = read(fd, got + ngot, sizeof(got) - ngot)) > 0)
		ngot += (size_t)n;
	close(fd);
}

/* A regular file that a write fills part way (RLIMIT_FSIZE: EFBIG, as a
   full disk gives ENOSPC) is cut back to its last whole line, the bytes
   taken back in o.undone and out of the counters; a failure at a line's
   end takes nothing back. */
static void
file_cut_back(void)
{
	static const struct {
		rlim_t limit;           /* bytes the file may hold */
		size_t kept, undone;
	} cases[] = {
		{ 1000, 900, 100 }, { 900, 900, 0 }, { 901, 900, 1 },
		{ 299, 0, 299 },
	};
	struct rlimit rl, old;
	size_t i;
	int k;

	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start();
		unlink("out.ndjson");
		for (k = 0; k < 5; k++) {
			len_of[k] = 300;
			event_of[k] = 1;
		}
		CHECK(out_open(&o, "out.ndjson", 4096, err, sizeof(err)) ==
		    OUT_OK);
		CHECK(o.kind == OUT_FILE && o.owned && !o.nonblock);
		CHECK_STR(o.name, "out.ndjson");
		for (k = 0; k < 5; k++)
			CHECK(queue(k));
		rl = old;
		rl.rlim_cur = cases[i].limit;
		setrlimit(RLIMIT_FSIZE, &rl);
		CHECK(out_flush(&o) == OUT_ERR_WRITE);
		setrlimit(RLIMIT_FSIZE, &old);
		CHECK(o.err == EFBIG);
		CHECK(out_failed(&o));
		CHECK(o.undone == cases[i].undone);
		CHECK(!out_cut(&o));
		read_file("out.ndjson");
		CHECK(ngot == cases[i].kept);
		CHECK(whole_lines(NULL) == (int)(cases[i].kept / 300));
		CHECK(counters.events_out == cases[i].kept / 300);
		CHECK(counters.bytes_out == cases[i].kept);
		CHECK(out_flush(&o) == OUT_ERR_WRITE);  /* failed stays */
		out_close(&o);
		if (t_case_failed) {
			printf("  limit %lu: %zu bytes, undone %zu\n",
			    (unsigned long)cases[i].limit, ngot, o.undone);
			break;
		}
	}
	signal(SIGXFSZ, SIG_DFL);
	unlink("out.ndjson");
}

/* What stderr receives during out_open. */
static int
open_logged(const char *path, size_t cap, const char *word)
{
	char buf[2048];
	ssize_t n;
	int fd = open("stderr.log", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int saved = dup(2), rc;

	dup2(fd, 2);
	rc = out_open(&o, path, cap, err, sizeof(err));
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink("stderr.log");
	CHECK(rc == OUT_OK);
	return strstr(buf, word) != NULL;
}

/* A file appended to whose last line lacks its newline (a line cut by
   a crash) gets one at open, with a warning, so that the next line
   stands on its own; as --output, and as stdout opened for appending
   (a forked child's). An empty file, or one that ends in a newline, is
   left as it is. */
static void
newline_at_open(void)
{
	static const struct {
		const char *before, *after;
	} cases[] = {
		{ "{\"a\":1}\n{\"cut", "{\"a\":1}\n{\"cut\n" },
		{ "x", "x\n" },
		{ "{\"a\":1}\n", "{\"a\":1}\n" },
		{ "", "" },
	};
	char path[128], want[64];
	size_t i;
	pid_t pid;
	int fd, st, form;

	start();
	len_of[0] = 19;
	event_of[0] = 1;
	for (form = 0; form < 2; form++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			snprintf(path, sizeof(path), "%s/old.ndjson", dir);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			CHECK(write(fd, cases[i].before, strlen(cases[i].before)) ==
			    (ssize_t)strlen(cases[i].before));
			close(fd);
			if (form == 0) {
				/* --output PATH */
				CHECK(open_logged(path, 1024, "newline") ==
				    (strcmp(cases[i].before, cases[i].after) != 0));
				CHECK(queue(0));
				CHECK(out_flush(&o) == OUT_OK);
				out_close(&o);
			} else {
				/* zoomws >> PATH */
				fflush(stdout);
				if ((pid = fork()) == 0) {
					fd = open(path, O_WRONLY | O_APPEND);
					dup2(fd, 1);
					close(fd);
					close(2);
					if (out_open(&o, NULL, 1024, err,
					    sizeof(err)) != OUT_OK || o.kind !=
					    OUT_FILE || strncmp(o.name, "stdout (",
					    8) != 0 || !queue(0) ||
					    out_flush(&o) != OUT_OK)
						_exit(1);
					out_close(&o);
					_exit(0);
				}
				CHECK(pid > 0 && waitpid(pid, &st, 0) == pid &&
				    WIFEXITED(st) && WEXITSTATUS(st) == 0);
			}
			read_file(path);
			make_line(want, 0, 19);
			CHECK(ngot == strlen(cases[i].after) + 19);
			CHECK(memcmp(got, cases[i].after,
			    strlen(cases[i].after)) == 0);
			CHECK(memcmp(got + strlen(cases[i].after), want, 19) == 0);
			if (t_case_failed) {
				printf("  form %d, case %zu: \"%.*s\"\n", form, i,
				    (int)ngot, got);
				return;
			}
		}
	unlink(path);
}

/* out_fits and out_reserve: an empty queue takes any line that fits the
   buffer; past that, pending bytes and the line must fit both the
   buffer and OUT_SOFT (the reader is behind: stop reading); a reserve
   moves the pending bytes to the front when that makes room. */
static void
back_pressure(void)
{
	static char line[3000];
	size_t pend;
	char *p;
	int i;

	start();
	pipe_stdout(0);
	/* a small buffer: the buffer is the limit */
	CHECK(out_open(&o, NULL, 1024, err, sizeof(err)) == OUT_OK);
	CHECK(out_fits(&o, 1024));
	CHECK(!out_fits(&o, 1025));
	CHECK(out_reserve(&o, 1025) == NULL);
	CHECK(out_reserve(&o, 1024) == o.buf);
	CHECK(out_reserve(&o, 1000) == o.buf);
	memset(o.buf, 'x', 999);
	o.buf[999] = '\n';
	CHECK(out_commit(&o, 1000, 1) == 0);
	CHECK(out_fits(&o, 24));
	CHECK(!out_fits(&o, 25));
	CHECK(out_reserve(&o, 25) == NULL);
	CHECK(out_reserve(&o, 24) == o.buf + 1000);
	out_close(&o);

	/* a big one: OUT_SOFT is the limit */
	CHECK(out_open(&o, NULL, 2 * OUT_SOFT, err, sizeof(err)) == OUT_OK);
	CHECK(out_fits(&o, 2 * OUT_SOFT));
	for (pend = 0; pend < OUT_SOFT - 1000; pend += 1000) {
		CHECK((p = out_reserve(&o, 1000)) == o.buf + pend);
		memset(p, 'x', 999);
		p[999] = '\n';
		CHECK(out_commit(&o, 1000, 1) == 0);
	}
	CHECK(out_pending(&o) == pend);
	CHECK(out_fits(&o, OUT_SOFT - pend));
	CHECK(!out_fits(&o, OUT_SOFT - pend + 1));
	CHECK(out_reserve(&o, OUT_SOFT - pend + 1) == NULL);
	CHECK(out_reserve(&o, OUT_SOFT - pend) != NULL);
	out_close(&o);
	restore_stdout();

	/* moved to the front: a pipe of one page takes the first line */
	start();
	len_of[0] = len_of[1] = len_of[2] = 3000;
	event_of[0] = event_of[1] = event_of[2] = 1;
	pipe_stdout(4096);
	CHECK(out_open(&o, NULL, 8192, err, sizeof(err)) == OUT_OK);
	CHECK(queue(0) && queue(1));
	CHECK(out_flush(&o) == OUT_OK);
	CHECK(in_pipe() == 3000);
	CHECK(o.head == 3000 && o.tail == 6000);
	CHECK(out_fits(&o, 3000));
	CHECK((p = out_reserve(&o, 3000)) == o.buf + 3000);
	if (p == NULL)
		goto done;
	CHECK(o.head == 0 && out_pending(&o) == 3000);
	make_line(line, 1, 3000);
	CHECK(memcmp(o.buf, line, 3000) == 0);
	make_line(p, 2, 3000);
	CHECK(out_commit(&o, 3000, 1) == 0);
	for (i = 0; i < 10 && out_pending(&o) > 0; i++) {
		read_pipe();
		CHECK(out_flush(&o) == OUT_OK);
	}
	read_pipe();
	CHECK(whole_lines(NULL) == 3);
	CHECK(counters.events_out == 3);
done:
	out_close(&o);
	restore_stdout();
}

/* out_drain: with nobody reading it gives up at its deadline (and not
   much later); with a reader (a child that starts reading after 100 ms)
   it waits and writes everything, a line waiting for an empty pipe
   too; with the reader gone it fails. */
static void
drain(void)
{
	int64_t t0, took;
	pid_t pid;
	int i, st, next;

	start();
	lines(4096);
	len_of[5] = 7000;       /* waits for an empty pipe */
	pipe_stdout(8192);
	CHECK(out_open(&o, NULL, 65536, err, sizeof(err)) == OUT_OK);
	for (next = 0; next < 20; next++)
		CHECK(queue(next));
	t0 = net_now_ms();
	CHECK(out_drain(&o, t0 + 60) == NET_ERR_TIMEOUT);
	took = net_now_ms() - t0;
	CHECK(took >= 60 && took < 3000);
	CHECK(out_pending(&o) > 0);

	fflush(stdout);
	if ((pid = fork()) == 0) {
		/* the reader: every line, whole, in order */
		close(1);
		fcntl(rd, F_SETFL, 0);
		usleep(100000);
		ngot = 0;
		while ((i = (int)read(rd, got + ngot, sizeof(got) - ngot)) > 0)
			ngot += (size_t)i;
		_exit(whole_lines(NULL) == 20 ? 0 : 1);
	}
	close(rd);
	rd = -1;
	t0 = net_now_ms();
	CHECK(out_drain(&o, t0 + 10000) == OUT_OK);
	CHECK(out_pending(&o) == 0);
	CHECK(counters.events_out == 14);
	out_close(&o);
	restore_stdout();       /* the reader sees the end */
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);

	/* nothing pending: at once */
	pipe_stdout(0);
	CHECK(out_open(&o, NULL, 1024, err, sizeof(err)) == OUT_OK);
	CHECK(out_drain(&o, net_now_ms()) == OUT_OK);
	/* the reader gone */
	CHECK(queue(0));
	close(rd);
	rd = -1;
	CHECK(out_drain(&o, INT64_MAX) == OUT_ERR_WRITE);
	CHECK(o.err == EPIPE);
	out_close(&o);
	restore_stdout();
}

/* out_open's errors: descriptor 1 closed, an --output file that cannot
   be opened; the names used in messages. */
static void
open_errors(void)
{
	char path[128];
	int saved;

	fflush(stdout);
	saved = dup(1);
	close(1);
	CHECK(out_open(&o, NULL, 1024, err, sizeof(err)) == OUT_ERR_CLOSED);
	CHECK(strstr(err, "stdout is closed") != NULL);
	dup2(saved, 1);
	close(saved);
	CHECK(out_open(&o, "no/such/dir/out", 1024, err, sizeof(err)) ==
	    OUT_ERR_OPEN);
	CHECK(strstr(err, "--output no/such/dir/out") != NULL);
	CHECK(strstr(err, strerror(ENOENT)) != NULL);

	/* a new --output file is created 0600 */
	snprintf(path, sizeof(path), "%s/new.ndjson", dir);
	CHECK(out_open(&o, path, 1024, err, sizeof(err)) == OUT_OK);
	{
		struct stat st;

		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	}
	out_close(&o);
	unlink(path);
}

int
main(void)
{
	char cmd[128];

	t_suite = "out";
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/zoomws-test-out-XXXXXX");
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	log_init(L_WARN, 0);
	RUN(stalled_pipe);
	RUN(stalled_pipe_long_lines);
	RUN(long_line_waits);
	RUN(long_line_goes_where_room_is_sure);
	RUN(not_events);
	RUN(reader_gone);
	RUN(file_cut_back);
	RUN(newline_at_open);
	RUN(back_pressure);
	RUN(drain);
	RUN(open_errors);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (chdir("/") != 0 || system(cmd) != 0)
		perror(cmd);
	return t_done();
}
