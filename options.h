/*
 * options.h - zoomws's command line into struct options (config.h).
 * Every option has a long form (--name, --name=value, --name value, or
 * a prefix no other option has); the common ones a short one (-x, -xV,
 * -x V, flags grouped: -vq). Messages about the command line start with
 * "zoomws:" and end with a pointer to --help.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include "config.h"

#define OPTIONS_USAGE 64        /* EX_USAGE */

/*
 * options_parse: argv (NULL-terminated, argv[0] the program) into opt,
 * with the defaults for what is not given, and the checks between
 * options (--backoff-min not over --backoff-max, --idle-timeout longer
 * than --heartbeat). Returns 0; -1 when --help or --version was
 * answered on stdout (exit 0); OPTIONS_USAGE after saying on stderr
 * what is wrong.
 */
int options_parse(char **argv, struct options *opt);

#endif
