/*
 * replay.c - runs a libFuzzer target's LLVMFuzzerTestOneInput over files,
 * without libFuzzer, so that the fuzz targets' oracles (split-point,
 * round-trip, differential; each abort()s on a mismatch) run on a cross
 * build under qemu-user against the seed corpora and whatever the native
 * fuzzers found.
 *
 *   fuzz_NAME FILE|DIR...
 *
 * Prints `PASS fuzz_NAME/replay (N inputs)` when every input passed. An
 * input that aborts, traps (UBSan in trap mode: SIGILL) or faults prints
 * `FAIL fuzz_NAME/replay: FILE: signal N` and dies of that signal. An
 * unreadable path is a FAIL too. Each input is copied into a buffer of
 * exactly its size, as libFuzzer does.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef REPLAY_NAME
#define REPLAY_NAME "fuzz"
#endif
#define REPLAY_MAX_INPUT (1024 * 1024)  /* larger files are skipped */
#define REPLAY_MAX_PATH 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char current[REPLAY_MAX_PATH];
static size_t currentlen;

static void
on_fatal(int sig)
{
	char msg[64];
	int n;

	(void)write(1, "FAIL " REPLAY_NAME "/replay: ",
	    sizeof("FAIL " REPLAY_NAME "/replay: ") - 1);
	(void)write(1, current, currentlen);
	n = snprintf(msg, sizeof(msg), ": signal %d\n", sig);
	if (n > 0)
		(void)write(1, msg, (size_t)n);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Runs one file; returns 0, or -1 when it cannot be read. */
static int
replay_file(const char *path, long *count)
{
	FILE *f;
	uint8_t *buf;
	struct stat st;
	size_t n;

	if (stat(path, &st) == -1)
		return -1;
	if (st.st_size > REPLAY_MAX_INPUT)
		return 0;
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	/* at least one byte, so that malloc(0) is never asked */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	currentlen = strlen(path) < sizeof(current) ? strlen(path) :
	    sizeof(current) - 1;
	memcpy(current, path, currentlen);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	(*count)++;
	return 0;
}

static int
replay_path(const char *path, long *count)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	char sub[REPLAY_MAX_PATH];
	int rc = 0;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    e->d_name) >= sizeof(sub))
			continue;
		if (replay_file(sub, count) == -1)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	long count = 0;
	int i;

	signal(SIGABRT, on_fatal);
	signal(SIGILL, on_fatal);
	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGFPE, on_fatal);
	signal(SIGTRAP, on_fatal);
	for (i = 1; i < argc; i++) {
		if (replay_path(argv[i], &count) == -1) {
			printf("FAIL %s/replay: %s: %s\n", REPLAY_NAME, argv[i],
			    strerror(errno));
			return 1;
		}
	}
	printf("PASS %s/replay (%ld inputs)\n", REPLAY_NAME, count);
	return 0;
}
