/*
 * spawn: run one contender and measure it the same way for all.
 *
 *   spawn [--pipe] [--stall SECS] [--stamps K] [--capture FILE BYTES]
 *         [--timeout SECS] -- COMMAND [ARG...]
 *
 * The command's stdout goes to /dev/null, or with --pipe into a pipe that
 * spawn drains (64 KiB reads, as a fast consumer would), counting bytes
 * and lines and noting when each of the first K lines was complete.
 * --stall: the pipe is not read for the first SECS seconds, a consumer
 * that falls behind: the command must hold back (and hold on to) what it
 * cannot write.
 * Its stderr is spawn's. At the end one JSON line on spawn's stdout:
 *   {"start":T,"rc":R,"wall":S,"user":S,"sys":S,"maxrss_kb":K,"bytes":B,
 *    "lines":L,"stamps":[S,...],"timeout":0|1}
 * T is CLOCK_MONOTONIC just before fork(), in seconds; the other times
 * are seconds since then; user, sys and maxrss come from wait4(2). spawn is a small static program so that the peak RSS
 * Linux reports for the child is not inflated by the parent's memory
 * (at exec the child's high-water mark starts from the forking process).
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_STAMPS 4096
#define CHUNK      65536

static double stamps[MAX_STAMPS];

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static char buf[CHUNK];
	const char *capture = NULL;
	unsigned long long bytes = 0, lines = 0, capmax = 0, capped = 0;
	int topipe = 0, nstamps = 0, want = 0, i, status = 0, timed_out = 0;
	int p[2] = { -1, -1 }, capfd = -1;
	double t0, deadline = 0, wall, stall = 0;
	struct rusage ru;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--pipe") == 0)
			topipe = 1;
		else if (strcmp(argv[i], "--stall") == 0 && i + 1 < argc)
			stall = atof(argv[++i]);
		else if (strcmp(argv[i], "--stamps") == 0 && i + 1 < argc)
			want = atoi(argv[++i]);
		else if (strcmp(argv[i], "--capture") == 0 && i + 2 < argc) {
			capture = argv[++i];
			capmax = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			deadline = atof(argv[++i]);
		else
			break;
	}
	if (i >= argc - 1 || strcmp(argv[i], "--") != 0) {
		fprintf(stderr, "usage: spawn [--pipe] [--stall SECS] [--stamps K] "
		    "[--capture FILE BYTES] [--timeout SECS] -- COMMAND...\n");
		return 64;
	}
	if (want > MAX_STAMPS)
		want = MAX_STAMPS;
	if (capture != NULL && (capfd = open(capture, O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		perror(capture);
		return 1;
	}
	if (topipe && pipe2(p, O_CLOEXEC) < 0) {
		perror("pipe");
		return 1;
	}
	t0 = now();
	if (deadline > 0)
		deadline += t0;
	if ((pid = fork()) < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		int fd = topipe ? p[1] : open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execvp(argv[i + 1], argv + i + 1);
		perror(argv[i + 1]);
		_exit(127);
	}
	if (topipe) {
		close(p[1]);
		if (stall > 0) {
			struct timespec ts;

			ts.tv_sec = (time_t)stall;
			ts.tv_nsec = (long)((stall - (double)ts.tv_sec) * 1e9);
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		for (;;) {
			struct pollfd pf = { p[0], POLLIN, 0 };
			ssize_t r;
			int ms = -1;

			if (deadline > 0) {
				ms = (int)((deadline - now()) * 1000);
				if (ms < 0)
					ms = 0;
			}
			if (poll(&pf, 1, ms) == 0) {
				kill(pid, SIGKILL);
				timed_out = 1;
				break;
			}
			r = read(p[0], buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (nstamps < want) {
				double t = now() - t0;
				char *q = buf, *e = buf + r;

				while (nstamps < want &&
				    (q = memchr(q, '\n', (size_t)(e - q))) != NULL) {
					stamps[nstamps++] = t;
					q++;
				}
			}
			for (char *q = buf, *e = buf + r;
			    (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
				lines++;
			if (capfd >= 0 && capped < capmax) {
				size_t n = (size_t)r;

				if (n > capmax - capped)
					n = (size_t)(capmax - capped);
				if (write(capfd, buf, n) != (ssize_t)n)
					capmax = 0;
				capped += n;
			}
			bytes += (unsigned long long)r;
		}
		close(p[0]);
	}
	for (;;) {
		pid_t r = wait4(pid, &status, deadline > 0 ? WNOHANG : 0, &ru);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("wait4");
			return 1;
		}
		if (r == 0) {
			if (!timed_out && now() > deadline) {
				kill(pid, SIGKILL);
				timed_out = 1;
			}
			usleep(1000);
		}
	}
	wall = now() - t0;
	printf("{\"start\":%.6f,\"rc\":%d,\"wall\":%.6f,\"user\":%.6f,\"sys\":%.6f,"
	    "\"maxrss_kb\":%ld,\"bytes\":%llu,\"lines\":%llu,\"timeout\":%d,"
	    "\"stamps\":[", t0, WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status), wall,
	    (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss, bytes, lines, timed_out);
	for (i = 0; i < nstamps; i++)
		printf("%s%.6f", i ? "," : "", stamps[i]);
	printf("]}\n");
	return 0;
}
