/*
 * firehose: the benchmark's Zoom stand-in. A TLS 1.2 server (BearSSL)
 * on 127.0.0.1 with Zoom's token endpoint and WebSocket event endpoint,
 * built to cost as little CPU per event as possible: every event frame is
 * encoded once at start-up, and a connection only copies those bytes
 * into the TLS engine, which encrypts them in place.
 *
 *   firehose --cert CHAIN.pem --key KEY.pem --events NAME=FILE ...
 *
 * FILE holds one event JSON object per line; each becomes the frame
 * {"module":"message","content":"<the line as a JSON string>","header":{}}.
 * Two listening ports: the first keeps a TLS session cache (a reconnect
 * can resume), the second has none (every handshake is a full one).
 * BearSSL servers do not issue session tickets, so the cache is the only
 * way to resume. On start-up one JSON line goes to stdout:
 *   {"port":P,"port_nocache":Q,"bc":B,"frames":{"NAME":[len,...],...}}
 * B is the length of the build_connection frame and each list holds the
 * lengths of the event frames in the order they are sent (cyclically).
 * After each WebSocket connection one line:
 *   {"sub":"...","events":N,"bytes":B,"secs":S,"t0":T,"resumed":0|1,"cache":0|1}
 * T is when the first event was queued (CLOCK_MONOTONIC seconds), S the
 * seconds from then to the end of the connection.
 *
 * Endpoints (RFC 7230 requests, at most REQ_MAX bytes with the body):
 *   POST /oauth/token   answers {"access_token":TOKEN,...}, then closes.
 *   GET /ws?subscriptionId=NAME-N-C&access_token=TOKEN, an RFC 6455
 *     upgrade: build_connection, then N event frames of set NAME as fast
 *     as TLS allows; C=1: then a close frame (1001) and the connection
 *     ends (the reconnect test), C=0: the connection stays open until
 *     the client leaves. A wrong token gets build_connection with
 *     "success":false and a close, as Zoom does.
 * Heartbeats ({"module":"heartbeat"}) are answered between event frames;
 * pings get pongs; a close frame is echoed.
 *
 * One thread per connection; the session cache is shared under a mutex.
 */
#define _GNU_SOURCE     /* memmem, accept4 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#define MAX_SETS      4             /* event sets (sizes) */
#define MAX_FRAMES    1024          /* distinct frames per set */
#define MAX_EVENT     (256 * 1024)  /* one event line */
#define MAX_CHAIN     8             /* certificates in the chain */
#define REQ_MAX       16384         /* request head and body */
#define CTL_MAX       4096          /* queued control output */
#define IN_FRAME_MAX  4096          /* largest client frame accepted */
#define CACHE_BYTES   (100 * 1000)  /* session cache: 1000 entries */
#define IDLE_MS       30000         /* silent peer: drop the connection */
#define WRITES_PER_READ 16          /* records sent between read checks */

#define TOKEN \
	"eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCIsImtpZCI6ImJlbmNoIn0." \
	"eyJhdWQiOiJodHRwczovL29hdXRoLnpvb20udXMiLCJ1aWQiOiJCZW5jaFVzZXIwMDAwMDAwMS" \
	"IsInZlciI6OSwiYXVpZCI6ImJlbmNoYXVpZDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw" \
	"MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCIsIm5iZiI6MTcwNjEyMz" \
	"Q1NiwiY29kZSI6IkJlbmNoQ29kZTAwMDAwMDAwMDAwMDAwMDAwIiwiaXNzIjoiemFjY291bnQi" \
	"LCJnbm8iOjAsImV4cCI6MTcwNjEyNzA1NiwidHlwZSI6MywiaWF0IjoxNzA2MTIzNDU2LCJhaW" \
	"QiOiJCZW5jaEFjY291bnQwMDAwMSJ9." \
	"QmVuY2hTaWduYXR1cmUwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMD" \
	"AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA"

static const uint16_t suites_aes[] = {
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
};
static const uint16_t suites_chacha[] = {
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
};
static const uint16_t *suites = suites_aes;
static size_t nsuites = sizeof(suites_aes) / sizeof(suites_aes[0]);

/* One event set: all its frames back to back, off[i] where frame i starts. */
struct evset {
	char           name[32];
	unsigned char *buf;
	size_t         off[MAX_FRAMES + 1];
	size_t         n;
};

static struct evset sets[MAX_SETS];
static size_t nsets;

static br_x509_certificate chain[MAX_CHAIN];
static size_t chain_len;
static br_skey_decoder_context skey;

static const char bc_frame_payload[] =
    "{\"module\":\"build_connection\",\"success\":true,"
    "\"content\":\"ws connection established\",\"header\":{}}";
static const char bc_fail_payload[] =
    "{\"module\":\"build_connection\",\"success\":false,"
    "\"content\":\"Invalid Token\",\"header\":{}}";
static const char hb_reply[] =
    "{\"module\":\"heartbeat\",\"success\":true,\"content\":\"live\","
    "\"header\":{}}";

/* The session cache BearSSL offers, behind a mutex for the threads. */
struct locked_cache {
	const br_ssl_session_cache_class *vtable;
	br_ssl_session_cache_lru          lru;
	pthread_mutex_t                   mu;
};
static struct locked_cache cache;
static unsigned char cache_store[CACHE_BYTES];
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

enum conn_state {
	ST_REQUEST,     /* reading the HTTP request */
	ST_EVENTS,      /* upgraded: sending event frames */
	ST_LINGER,      /* all sent: answering until the client leaves */
	ST_CLOSING      /* output ends with what is queued, then close_notify */
};

struct conn {
	br_ssl_server_context sc;       /* first: the cache finds us from it */
	unsigned char   iobuf[BR_SSL_BUFSIZE_BIDI];
	int             fd;
	int             use_cache;
	int             resumed;
	enum conn_state state;
	unsigned char   req[REQ_MAX];
	size_t          reqlen;
	unsigned char   in[IN_FRAME_MAX + 14];
	size_t          inlen;
	unsigned char   ctl[CTL_MAX];   /* queued output, sent at frame ends */
	size_t          ctllen, ctloff;
	int             flush;          /* engine holds unflushed app data */
	int             close_after;    /* C=1 in the subscription */
	const struct evset *set;
	uint64_t        ev_left;        /* frames not yet started */
	size_t          fi;             /* next frame to start */
	size_t          pos, end;       /* bytes of the current run in set->buf */
	uint64_t        events, bytes;
	char            sub[64];
	struct timespec t0;
};

static double
secs_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
die(const char *msg)
{
	fprintf(stderr, "firehose: %s\n", msg);
	exit(1);
}

static void
cache_save(const br_ssl_session_cache_class **ctx, br_ssl_server_context *sc,
    const br_ssl_session_parameters *params)
{
	struct locked_cache *lc = (struct locked_cache *)(void *)ctx;

	pthread_mutex_lock(&lc->mu);
	lc->lru.vtable->save(&lc->lru.vtable, sc, params);
	pthread_mutex_unlock(&lc->mu);
}

static int
cache_load(const br_ssl_session_cache_class **ctx, br_ssl_server_context *sc,
    br_ssl_session_parameters *params)
{
	struct locked_cache *lc = (struct locked_cache *)(void *)ctx;
	int hit;

	pthread_mutex_lock(&lc->mu);
	hit = lc->lru.vtable->load(&lc->lru.vtable, sc, params);
	pthread_mutex_unlock(&lc->mu);
	if (hit)
		((struct conn *)(void *)sc)->resumed = 1;
	return hit;
}

static const br_ssl_session_cache_class locked_cache_vtable = {
	sizeof(struct locked_cache), cache_save, cache_load
};

/* ---- start-up: certificates, key, event sets ---- */

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap + 1)) == NULL)
				die("out of memory");
		}
		if ((r = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

struct der { unsigned char *p; size_t len, cap; };

static void
der_append(void *ctx, const void *data, size_t len)
{
	struct der *d = ctx;

	if (d->len + len > d->cap) {
		d->cap = (d->len + len) * 2;
		if ((d->p = realloc(d->p, d->cap)) == NULL)
			die("out of memory");
	}
	memcpy(d->p + d->len, data, len);
	d->len += len;
}

/* Every PEM object of a file: certificates go to the chain, a private
   key into skey. */
static void
load_pem(const char *path)
{
	br_pem_decoder_context pc;
	struct der d = { NULL, 0, 0 };
	size_t len, off = 0;
	unsigned char *buf = read_file(path, &len);
	char name[128] = "";

	if (buf == NULL)
		die("cannot read a PEM file");
	br_pem_decoder_init(&pc);
	while (off < len) {
		off += br_pem_decoder_push(&pc, buf + off, len - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			snprintf(name, sizeof(name), "%s", br_pem_decoder_name(&pc));
			d.len = 0;
			br_pem_decoder_setdest(&pc, der_append, &d);
			break;
		case BR_PEM_END_OBJ:
			if (strcmp(name, "CERTIFICATE") == 0) {
				if (chain_len == MAX_CHAIN)
					die("too many certificates");
				chain[chain_len].data = malloc(d.len);
				if (chain[chain_len].data == NULL)
					die("out of memory");
				memcpy(chain[chain_len].data, d.p, d.len);
				chain[chain_len].data_len = d.len;
				chain_len++;
			} else if (strstr(name, "PRIVATE KEY") != NULL) {
				/* skey keeps pointers into its own context:
				   the DER buffer can go. */
				br_skey_decoder_init(&skey);
				br_skey_decoder_push(&skey, d.p, d.len);
				if (br_skey_decoder_last_error(&skey) != 0)
					die("cannot decode the private key");
			}
			break;
		case BR_PEM_ERROR:
			die("bad PEM");
		default:
			break;
		}
	}
	free(d.p);
	free(buf);
}

/* Frame header of an unmasked server frame (RFC 6455 5.2); returns its
   length. */
static size_t
frame_header(unsigned char *h, int opcode, size_t len)
{
	h[0] = (unsigned char)(0x80 | opcode);
	if (len < 126) {
		h[1] = (unsigned char)len;
		return 2;
	}
	if (len < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		return 4;
	}
	h[1] = 127;
	for (int i = 0; i < 8; i++)
		h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	return 10;
}

/* NAME=FILE: each line of FILE becomes one message frame. */
static void
load_set(const char *arg)
{
	static const char pre[] = "{\"module\":\"message\",\"content\":\"";
	static const char post[] = "\",\"header\":{}}";
	struct evset *s;
	const char *eq = strchr(arg, '=');
	unsigned char *text, *line, *nl, *pay;
	size_t len, cap, paylen;

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(s->name))
		die("--events NAME=FILE");
	if (nsets == MAX_SETS)
		die("too many event sets");
	s = &sets[nsets++];
	memcpy(s->name, arg, (size_t)(eq - arg));
	if ((text = read_file(eq + 1, &len)) == NULL)
		die("cannot read an event file");
	cap = 2 * len + MAX_FRAMES * 64;
	if ((s->buf = malloc(cap)) == NULL || (pay = malloc(2 * MAX_EVENT + 64)) == NULL)
		die("out of memory");
	for (line = text; line < text + len && s->n < MAX_FRAMES; line = nl + 1) {
		size_t ll, h, i;

		if ((nl = memchr(line, '\n', (size_t)(text + len - line))) == NULL)
			nl = text + len;
		if ((ll = (size_t)(nl - line)) == 0)
			continue;
		if (ll > MAX_EVENT)
			die("event line too long");
		/* The event as a JSON string: RFC 8259 7. */
		paylen = 0;
		memcpy(pay, pre, sizeof(pre) - 1);
		paylen += sizeof(pre) - 1;
		for (i = 0; i < ll; i++) {
			unsigned char c = line[i];

			if (c == '"' || c == '\\') {
				pay[paylen++] = '\\';
				pay[paylen++] = c;
			} else if (c < 0x20) {
				paylen += (size_t)sprintf((char *)pay + paylen,
				    "\\u%04x", c);
			} else
				pay[paylen++] = c;
		}
		memcpy(pay + paylen, post, sizeof(post) - 1);
		paylen += sizeof(post) - 1;
		h = frame_header(s->buf + s->off[s->n], 1, paylen);
		if (s->off[s->n] + h + paylen > cap)
			die("event set too large");
		memcpy(s->buf + s->off[s->n] + h, pay, paylen);
		s->off[s->n + 1] = s->off[s->n] + h + paylen;
		s->n++;
	}
	if (s->n == 0)
		die("an event file without events");
	free(pay);
	free(text);
}

/* ---- one connection ---- */

static int
ctl_queue(struct conn *c, const void *p, size_t n)
{
	if (c->ctloff == c->ctllen)
		c->ctloff = c->ctllen = 0;
	if (n > sizeof(c->ctl) - c->ctllen)
		return -1;
	memcpy(c->ctl + c->ctllen, p, n);
	c->ctllen += n;
	return 0;
}

static int
ctl_frame(struct conn *c, int opcode, const void *p, size_t n)
{
	unsigned char h[10];
	size_t hl = frame_header(h, opcode, n);

	if (hl + n > sizeof(c->ctl) - (c->ctloff == c->ctllen ? 0 : c->ctllen))
		return -1;
	ctl_queue(c, h, hl);
	return ctl_queue(c, p, n);
}

static void
b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
		*out++ = tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = 0;
}

/* The value of header NAME (case-insensitive) in the request head, copied
   into out (NUL-terminated); 0 when absent. */
static int
header(const char *head, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = strstr(head, "\r\n");

	while (p != NULL && p[2] != '\r') {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *e;
			size_t n;

			while (*v == ' ' || *v == '\t')
				v++;
			e = strstr(v, "\r\n");
			n = (size_t)(e - v);
			if (n >= cap)
				n = cap - 1;
			memcpy(out, v, n);
			out[n] = 0;
			return 1;
		}
		p = strstr(p, "\r\n");
	}
	return 0;
}

/* Query parameter KEY of a request target, percent-decoded; 0 if absent. */
static int
query(const char *target, const char *key, char *out, size_t cap)
{
	const char *p = strchr(target, '?');
	size_t kl = strlen(key), n = 0;

	while (p != NULL) {
		p++;
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			p += kl + 1;
			while (*p && *p != '&' && *p != ' ' && n + 1 < cap) {
				if (*p == '%' && p[1] && p[2]) {
					char hex[3] = { p[1], p[2], 0 };
					out[n++] = (char)strtol(hex, NULL, 16);
					p += 3;
				} else
					out[n++] = *p++;
			}
			out[n] = 0;
			return 1;
		}
		p = strchr(p, '&');
	}
	return 0;
}

static void
respond_close(struct conn *c, const char *status)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "HTTP/1.1 %s\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", status);

	ctl_queue(c, buf, (size_t)n);
	c->state = ST_CLOSING;
}

/* A whole request is in c->req (head NUL-terminated at hlen). */
static void
on_request(struct conn *c, const char *head)
{
	char target[2048], key[128], tok[2048], sub[64], buf[1024];
	unsigned char sha[20];
	br_sha1_context h;
	const char *sp;
	unsigned long long n = 0;
	int closeflag = 0;
	size_t i;

	if (strncmp(head, "POST /oauth/token", 17) == 0) {
		static const char body[] = "{\"access_token\":\"" TOKEN "\","
		    "\"token_type\":\"bearer\",\"expires_in\":3599,"
		    "\"scope\":\"marketplace:read:list_subscriptions "
		    "meeting:read:meeting:admin user:read:user:admin\","
		    "\"api_url\":\"https://api.zoom.us\"}";
		int m;

		if (!header(head, "Authorization", buf, sizeof(buf)) ||
		    strncmp(buf, "Basic ", 6) != 0) {
			respond_close(c, "401 Unauthorized");
			return;
		}
		m = snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/json;charset=UTF-8\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		    sizeof(body) - 1);
		ctl_queue(c, buf, (size_t)m);
		ctl_queue(c, body, sizeof(body) - 1);
		c->state = ST_CLOSING;
		return;
	}
	if (strncmp(head, "GET /ws?", 8) != 0 || (sp = strchr(head + 4, ' ')) == NULL ||
	    (size_t)(sp - head - 4) >= sizeof(target)) {
		respond_close(c, "404 Not Found");
		return;
	}
	memcpy(target, head + 4, (size_t)(sp - head - 4));
	target[sp - head - 4] = 0;
	if (!header(head, "Sec-WebSocket-Key", key, sizeof(key)) ||
	    !query(target, "subscriptionId", sub, sizeof(sub))) {
		respond_close(c, "400 Bad Request");
		return;
	}
	/* subscriptionId NAME-N-C chooses the workload. */
	{
		char *d1 = strchr(sub, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;

		if (d1 == NULL || d2 == NULL) {
			respond_close(c, "400 Bad Request");
			return;
		}
		*d1 = 0;
		n = strtoull(d1 + 1, NULL, 10);
		closeflag = atoi(d2 + 1);
		for (i = 0; i < nsets; i++)
			if (strcmp(sets[i].name, sub) == 0)
				c->set = &sets[i];
		*d1 = '-';
		if (c->set == NULL) {
			respond_close(c, "404 Not Found");
			return;
		}
	}
	snprintf(c->sub, sizeof(c->sub), "%s", sub);
	/* RFC 6455 4.2.2: the accept key. */
	br_sha1_init(&h);
	br_sha1_update(&h, key, strlen(key));
	br_sha1_update(&h, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
	br_sha1_out(&h, sha);
	b64(sha, 20, key);
	i = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", key);
	ctl_queue(c, buf, i);
	if (!query(target, "access_token", tok, sizeof(tok)) ||
	    strcmp(tok, TOKEN) != 0) {
		ctl_frame(c, 1, bc_fail_payload, sizeof(bc_fail_payload) - 1);
		ctl_frame(c, 8, "\x03\xe8", 2);
		c->state = ST_CLOSING;
		return;
	}
	ctl_frame(c, 1, bc_frame_payload, sizeof(bc_frame_payload) - 1);
	c->ev_left = n;
	c->close_after = closeflag;
	c->state = ST_EVENTS;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

/* HTTP request bytes: wait for the head and any Content-Length body. */
static size_t
on_request_bytes(struct conn *c, const unsigned char *p, size_t n)
{
	size_t take = n, hlen;
	char *e, cl[32];

	if (take > sizeof(c->req) - 1 - c->reqlen)
		take = sizeof(c->req) - 1 - c->reqlen;
	if (take == 0) {
		respond_close(c, "413 Payload Too Large");
		return n;
	}
	memcpy(c->req + c->reqlen, p, take);
	c->reqlen += take;
	c->req[c->reqlen] = 0;
	if ((e = strstr((char *)c->req, "\r\n\r\n")) == NULL)
		return take;
	hlen = (size_t)(e - (char *)c->req) + 4;
	e[2] = 0;       /* head ends with one CRLF, NUL-terminated */
	if (header((char *)c->req, "Content-Length", cl, sizeof(cl)) &&
	    c->reqlen < hlen + strtoul(cl, NULL, 10)) {
		e[2] = '\r';
		return take;
	}
	on_request(c, (char *)c->req);
	return take;
}

static void cut_run(struct conn *);

/* Client frames after the upgrade (masked, RFC 6455 5.3). */
static size_t
on_frame_bytes(struct conn *c, const unsigned char *p, size_t n)
{
	size_t take = n, used = 0;

	if (take > sizeof(c->in) - c->inlen)
		take = sizeof(c->in) - c->inlen;
	memcpy(c->in + c->inlen, p, take);
	c->inlen += take;
	for (;;) {
		unsigned char *f = c->in + used;
		size_t avail = c->inlen - used, hl = 2, len, i;
		int op;

		if (avail < 2)
			break;
		op = f[0] & 15;
		len = f[1] & 127;
		if (len == 126) {
			if (avail < 4)
				break;
			len = (size_t)f[2] << 8 | f[3];
			hl = 4;
		} else if (len == 127 || !(f[1] & 0x80) || len > IN_FRAME_MAX) {
			c->state = ST_CLOSING;  /* not a client frame we accept */
			c->inlen = 0;
			return n;
		}
		hl += 4;
		if (avail < hl + len)
			break;
		for (i = 0; i < len; i++)
			f[hl + i] ^= f[hl - 4 + (i & 3)];
		if (op == 1 && len >= 20 && memmem(f + hl, len,
		    "\"heartbeat\"", 11) != NULL)
			ctl_frame(c, 1, hb_reply, sizeof(hb_reply) - 1);
		else if (op == 9)
			ctl_frame(c, 10, f + hl, len);
		else if (op == 8) {
			if (c->state != ST_CLOSING)
				ctl_frame(c, 8, f + hl, len < 2 ? len : 2);
			c->state = ST_CLOSING;
			if (c->set != NULL)
				cut_run(c);
			c->ev_left = 0;
		}
		used += hl + len;
	}
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
	if (c->inlen == sizeof(c->in))
		c->state = ST_CLOSING;
	return take;
}

/* The index of the frame of set s that holds byte pos (s->n at the end). */
static size_t
frame_at(const struct evset *s, size_t pos)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->off[mid + 1] <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* End the run being copied at the end of its current frame; the frames
   after it go back to ev_left. */
static void
cut_run(struct conn *c)
{
	const struct evset *s = c->set;
	size_t j, e;

	if (c->pos == c->end)
		return;
	j = frame_at(s, c->pos);
	e = frame_at(s, c->end);
	c->ev_left += e - (j + 1);
	c->events -= e - (j + 1);
	c->fi = (j + 1) % s->n;
	c->end = s->off[j + 1];
}

/* Fill the engine's plaintext buffer; 1 if the engine state changed. */
static int
produce(struct conn *c)
{
	br_ssl_engine_context *eng = &c->sc.eng;
	const struct evset *s = c->set;
	unsigned char *dst;
	size_t space, m, k;
	int did = 0;

	dst = br_ssl_engine_sendapp_buf(eng, &space);
	while (space > 0) {
		if (c->pos == c->end && c->ctloff < c->ctllen) {
			m = c->ctllen - c->ctloff;
			if (m > space)
				m = space;
			memcpy(dst, c->ctl + c->ctloff, m);
			c->ctloff += m;
		} else if (c->pos < c->end) {
			if (c->ctloff < c->ctllen)
				cut_run(c);  /* a reply waits */
			m = c->end - c->pos;
			if (m > space)
				m = space;
			memcpy(dst, s->buf + c->pos, m);
			c->pos += m;
			c->bytes += m;
		} else if (c->ev_left > 0 && c->state == ST_EVENTS) {
			k = s->n - c->fi;
			if (k > c->ev_left)
				k = (size_t)c->ev_left;
			c->pos = s->off[c->fi];
			c->end = s->off[c->fi + k];
			c->fi = (c->fi + k) % s->n;
			c->ev_left -= k;
			c->events += k;
			continue;
		} else
			break;
		br_ssl_engine_sendapp_ack(eng, m);
		dst += m;
		space -= m;
		did = 1;
		c->flush = 1;
	}
	if (did)
		return 1;
	if (c->state == ST_EVENTS && c->ev_left == 0 && c->pos == c->end) {
		if (c->close_after) {
			ctl_frame(c, 8, "\x03\xe9", 2);  /* 1001 going away */
			c->state = ST_CLOSING;
		} else
			c->state = ST_LINGER;
		return 1;
	}
	if (c->flush) {
		br_ssl_engine_flush(eng, 0);
		c->flush = 0;
		return 1;
	}
	if (c->state == ST_CLOSING && c->ctloff == c->ctllen &&
	    c->pos == c->end) {
		br_ssl_engine_close(eng);
		return 1;
	}
	return 0;
}

static void
report(struct conn *c)
{
	if (c->set == NULL)
		return;
	pthread_mutex_lock(&out_mu);
	printf("{\"sub\":\"%s\",\"events\":%llu,\"bytes\":%llu,\"secs\":%.6f,"
	    "\"t0\":%.6f,\"resumed\":%d,\"cache\":%d}\n", c->sub,
	    (unsigned long long)c->events,
	    (unsigned long long)c->bytes, secs_since(&c->t0),
	    (double)c->t0.tv_sec + (double)c->t0.tv_nsec / 1e9, c->resumed,
	    c->use_cache);
	fflush(stdout);
	pthread_mutex_unlock(&out_mu);
}

static void *
serve(void *arg)
{
	struct conn *c = arg;
	br_ssl_engine_context *eng = &c->sc.eng;
	int writes = 0;

	br_ssl_server_init_full_rsa(&c->sc, chain, chain_len,
	    br_skey_decoder_get_rsa(&skey));
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, nsuites);
	br_ssl_engine_add_flags(eng, BR_OPT_ENFORCE_SERVER_PREFERENCES);
	br_ssl_engine_set_buffer(eng, c->iobuf, sizeof(c->iobuf), 1);
	if (c->use_cache)
		br_ssl_server_set_cache(&c->sc, &cache.vtable);
	if (!br_ssl_server_reset(&c->sc))
		goto done;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		struct pollfd pfd;
		unsigned char *b;
		size_t len;
		ssize_t r;

		if (st & BR_SSL_CLOSED)
			break;
		if (st & BR_SSL_RECVAPP) {
			b = br_ssl_engine_recvapp_buf(eng, &len);
			if (c->state == ST_REQUEST)
				len = on_request_bytes(c, b, len);
			else if (c->state != ST_CLOSING || c->ctloff < c->ctllen)
				len = on_frame_bytes(c, b, len);
			br_ssl_engine_recvapp_ack(eng, len);
			continue;
		}
		if ((st & BR_SSL_SENDAPP) && produce(c))
			continue;
		if (st & BR_SSL_SENDREC) {
			b = br_ssl_engine_sendrec_buf(eng, &len);
			r = write(c->fd, b, len);
			if (r > 0) {
				br_ssl_engine_sendrec_ack(eng, (size_t)r);
				if (++writes < WRITES_PER_READ || !(st & BR_SSL_RECVREC))
					continue;
			} else if (r < 0 && errno != EAGAIN && errno != EINTR)
				break;
		}
		writes = 0;
		if (st & BR_SSL_RECVREC) {
			b = br_ssl_engine_recvrec_buf(eng, &len);
			r = read(c->fd, b, len);
			if (r > 0) {
				br_ssl_engine_recvrec_ack(eng, (size_t)r);
				continue;
			}
			if (r == 0 || (errno != EAGAIN && errno != EINTR))
				break;
		}
		pfd.fd = c->fd;
		pfd.events = (short)(((st & BR_SSL_SENDREC) ? POLLOUT : 0) |
		    ((st & BR_SSL_RECVREC) ? POLLIN : 0));
		if (pfd.events == 0)
			break;
		if (poll(&pfd, 1, IDLE_MS) <= 0)
			break;
	}
done:
	report(c);
	close(c->fd);
	free(c);
	return NULL;
}

static int
listen_on(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0)
		die("bind/listen");
	return fd;
}

static int
port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	getsockname(fd, (struct sockaddr *)&a, &al);
	return ntohs(a.sin_port);
}

static void
usage(void)
{
	fprintf(stderr, "usage: firehose --cert CHAIN.pem --key KEY.pem "
	    "--events NAME=FILE [--events ...] [--port P] [--chacha]\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL;
	int port = 0, lfd[2], i;
	size_t s, f;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc)
			cert = argv[++i];
		else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
			load_set(argv[++i]);
		else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--chacha") == 0) {
			suites = suites_chacha;
			nsuites = sizeof(suites_chacha) / sizeof(suites_chacha[0]);
		} else
			usage();
	}
	if (cert == NULL || key == NULL || nsets == 0)
		usage();
	load_pem(cert);
	load_pem(key);
	if (chain_len == 0 || br_skey_decoder_key_type(&skey) != BR_KEYTYPE_RSA)
		die("need a certificate chain and an RSA private key");
	signal(SIGPIPE, SIG_IGN);
	cache.vtable = &locked_cache_vtable;
	br_ssl_session_cache_lru_init(&cache.lru, cache_store, sizeof(cache_store));
	pthread_mutex_init(&cache.mu, NULL);
	lfd[0] = listen_on(port);
	lfd[1] = listen_on(port ? port + 1 : 0);

	printf("{\"port\":%d,\"port_nocache\":%d,\"bc\":%zu,\"frames\":{",
	    port_of(lfd[0]), port_of(lfd[1]), 2 + sizeof(bc_frame_payload) - 1);
	for (s = 0; s < nsets; s++) {
		printf("%s\"%s\":[", s ? "," : "", sets[s].name);
		for (f = 0; f < sets[s].n; f++)
			printf("%s%zu", f ? "," : "", sets[s].off[f + 1] - sets[s].off[f]);
		printf("]");
	}
	printf("}}\n");
	fflush(stdout);

	for (;;) {
		struct pollfd p[2] = { { lfd[0], POLLIN, 0 }, { lfd[1], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (i = 0; i < 2; i++) {
			struct conn *c;
			pthread_t t;
			pthread_attr_t at;
			int fd, one = 1;

			if (!(p[i].revents & POLLIN))
				continue;
			if ((fd = accept4(lfd[i], NULL, NULL, SOCK_CLOEXEC |
			    SOCK_NONBLOCK)) < 0)
				continue;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			if ((c = calloc(1, sizeof(*c))) == NULL) {
				close(fd);
				continue;
			}
			c->fd = fd;
			c->use_cache = (i == 0);
			pthread_attr_init(&at);
			pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
			if (pthread_create(&t, &at, serve, c) != 0) {
				close(fd);
				free(c);
			}
			pthread_attr_destroy(&at);
		}
	}
}
