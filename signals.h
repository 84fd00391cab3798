/*
 * signals.h - the signals zoomws acts on, through a self-pipe: the
 * handlers only set a flag and write a byte to the pipe, whose read end
 * every wait polls (net_wake_set), so that a signal ends a wait at once
 * and is acted on outside the handler.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

/*
 * sig_init: handlers for SIGINT and SIGTERM (stop), SIGHUP (reload),
 * SIGUSR1 (counters); SIGPIPE and SIGXFSZ ignored (a write error says
 * it instead). Returns the read end of the self-pipe (non-blocking,
 * close-on-exec), or -1 when no pipe could be made.
 */
int sig_init(void);

/* sig_drain: empty the self-pipe (its bytes only wake; the flags say
   what came). */
void sig_drain(void);

/* sig_stopping: 1 once SIGINT or SIGTERM has come (it stays). */
int sig_stopping(void);

/* sig_take_hup, sig_take_usr1: 1 when the signal came since the last
   call, which clears it. */
int sig_take_hup(void);
int sig_take_usr1(void);

/* sig_hup_pending: 1 when a SIGHUP waits to be taken. */
int sig_hup_pending(void);

#endif
