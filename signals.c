/*
 * signals.c - flags and a self-pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

static int wakepipe[2] = { -1, -1 };
static volatile sig_atomic_t got_stop, got_usr1, got_hup;

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGINT || sig == SIGTERM)
		got_stop = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	(void)!write(wakepipe[1], "x", 1);
	errno = saved;
}

int
sig_init(void)
{
	static const int caught[] = { SIGINT, SIGTERM, SIGUSR1, SIGHUP };
	struct sigaction sa;
	size_t i;

	if (pipe(wakepipe) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(wakepipe[i], F_SETFL, fcntl(wakepipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(wakepipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGXFSZ, &sa, NULL);
	return wakepipe[0];
}

void
sig_drain(void)
{
	char buf[64];

	while (read(wakepipe[0], buf, sizeof(buf)) > 0)
		;
}

int
sig_stopping(void)
{
	return got_stop != 0;
}

int
sig_take_hup(void)
{
	int r = got_hup != 0;

	got_hup = 0;
	return r;
}

int
sig_take_usr1(void)
{
	int r = got_usr1 != 0;

	got_usr1 = 0;
	return r;
}

int
sig_hup_pending(void)
{
	return got_hup != 0;
}
