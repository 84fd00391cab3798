/*
 * json_ir: the JSON work zoomws does for each event, alone, for counting
 * instructions (callgrind natively, qemu-user for aarch64; see run.py).
 *
 *   json_ir FILE N
 *
 * Each line of FILE (an event, as bench/workload.py writes them) is put
 * in the envelope the firehose sends ({"module":"message","content":
 * "<the line as a JSON string>","header":{}}); then N envelopes, the
 * lines in turn, go through what handle_text does with a message:
 * json_envelope_decode with the fields module, success and content,
 * then json_streq of the module against "message". Each line is first
 * decoded once and compared with its event (the same work whatever N,
 * so that it drops out of a difference of counts); exit 1 when one
 * differs or a decode fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"

#define MAX_LINES 256
#define MAX_EVENT (64 * 1024)

static char *env[MAX_LINES], *line[MAX_LINES];
static size_t envlen[MAX_LINES], linelen[MAX_LINES];
static char out[2 * MAX_EVENT];

/* The line s[0..n) in its envelope, escaped as the firehose does. */
static char *
envelope(const char *s, size_t n, size_t *len)
{
	static const char pre[] = "{\"module\":\"message\",\"content\":\"";
	static const char post[] = "\",\"header\":{}}";
	char *e = malloc(sizeof(pre) + 6 * n + sizeof(post));
	size_t o = 0, i;

	if (e == NULL)
		return NULL;
	memcpy(e, pre, sizeof(pre) - 1);
	o = sizeof(pre) - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			e[o++] = '\\';
			e[o++] = (char)c;
		} else if (c < 0x20)
			o += (size_t)sprintf(e + o, "\\u%04x", c);
		else
			e[o++] = (char)c;
	}
	memcpy(e + o, post, sizeof(post) - 1);
	*len = o + sizeof(post) - 1;
	return e;
}

int
main(int argc, char **argv)
{
	struct json_field f[3] = { { "module", 0, 0, 0 },
	    { "success", 0, 0, 0 }, { "content", 0, 0, 0 } };
	static char buf[MAX_LINES * MAX_EVENT / 16];
	size_t nl = 0, len, i, k, n;
	char *p, *q;
	long dl;
	FILE *fp;

	if (argc != 3 || (fp = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: json_ir FILE N\n");
		return 2;
	}
	len = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[len] = '\0';
	for (p = buf; *p != '\0' && nl < MAX_LINES; p = q + 1) {
		if ((q = strchr(p, '\n')) == NULL)
			break;
		line[nl] = p;
		linelen[nl] = (size_t)(q - p);
		if ((env[nl] = envelope(p, linelen[nl], &envlen[nl])) == NULL)
			return 2;
		nl++;
	}
	n = strtoul(argv[2], NULL, 10);
	if (nl == 0 || n == 0)
		return 2;
	/* each line once, checked byte for byte: the same work in every
	   run, whatever N, so that it drops out of the difference */
	for (k = 0; k < nl; k++)
		if (json_envelope_decode(env[k], envlen[k], f, 3, 2, out,
		    sizeof(out), &dl) != JSON_OK || dl != (long)linelen[k] ||
		    memcmp(out, line[k], linelen[k]) != 0) {
			fprintf(stderr, "json_ir: event %zu differs\n", k);
			return 1;
		}
	/* the N counted */
	for (i = 0; i < n; i++) {
		k = i % nl;
		if (json_envelope_decode(env[k], envlen[k], f, 3, 2, out,
		    sizeof(out), &dl) != JSON_OK || dl != (long)linelen[k] ||
		    !json_streq(env[k] + f[0].start, f[0].end - f[0].start,
		    "message")) {
			fprintf(stderr, "json_ir: event %zu failed\n", i);
			return 1;
		}
	}
	return 0;
}
