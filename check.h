/*
 * check.h - zoomws --check: every step of a connection once, a line
 * each on stderr (configuration, DNS, TCP, TLS, token, upgrade,
 * build_connection, heartbeat), and for a failing step the likely cause,
 * chosen from the step's error code.
 *
 * Zoom keeps one connection per subscription: the upgrade step takes the
 * subscription over from a running instance for a moment. When the
 * --lock of a running instance is held, the check stops before the
 * upgrade; otherwise it says that it will take the subscription over.
 */
#ifndef CHECK_H
#define CHECK_H

#include "ca.h"
#include "config.h"
#include "tls.h"
#include "token.h"

/* What --check works with. */
struct check {
	const struct config     *cfg;
	const struct ca_anchors *anchors;
	const char              *ca_source;     /* where the CAs came from */
	struct tls              *t;
	struct token            *token;
	unsigned char           *msgbuf;        /* --max-message bytes */
};

/* check_run: the steps after the configuration's. Returns the exit code:
   0 when every step passed (or the rest was left out for a running
   instance), else the failing step's (69, 77 or 78). */
int check_run(struct check *k);

/* check_begin: the report's first line; check_config_failed: the
   configuration step's failure, err saying why. Returns code. */
void check_begin(void);
int check_config_failed(int code, const char *err);

#endif
