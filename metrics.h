/*
 * metrics.h - --metrics PATH: zoomws's counters in the Prometheus text
 * exposition format (version 0.0.4), in a file replaced atomically (a
 * temporary file in the same directory, then rename), the convention of
 * node_exporter's textfile collector. The file is written when something
 * changed, at most every METRICS_MIN_MS, from every wait (net_tick): an
 * idle connection writes it once a heartbeat.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MIN_MS 5000

/* metrics_init: write to path (NULL: nothing) about a build of version
   for cpu; the first write comes at once. */
void metrics_init(const char *path, const char *version, const char *cpu);

/* metrics_due: when the file is next to be written (net_now_ms time),
   INT64_MAX when nothing changed or there is no file. */
int64_t metrics_due(void);

/* metrics_write: write the file now (also at exit). Returns 0, or -1
   with errno when it could not be replaced. */
int metrics_write(void);

/*
 * metrics_format: the exposition text of the counters into buf (cap
 * bytes) at wall-clock now_wall_ms and monotonic now_ms. Returns its
 * length, or 0 when it does not fit. No I/O.
 */
size_t metrics_format(char *buf, size_t cap, int64_t now_wall_ms,
    int64_t now_ms);

#endif
