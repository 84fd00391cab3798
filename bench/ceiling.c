/*
 * ceiling: the fastest a BearSSL client can take Zoom's event stream.
 * It does what zoomws does up to the first event (token over HTTPS,
 * TLS 1.2 handshake with the chain verified, WebSocket upgrade), then
 * only reads and discards the stream: no frame decoding, no JSON, no
 * output but one "\n" per connection when its bytes have arrived.
 * No BearSSL-based client can do the job with less CPU.
 *
 *   ceiling --ca-file CA.pem -b BYTES [-r ROUNDS] [--no-resume]
 *
 * Reads ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, ZOOM_ACCOUNT_ID, ZOOM_OAUTH_URL
 * and ZOOM_WS_URL like zoomws (URLs https:// and wss:// with an IPv4
 * host and a port). BYTES counts the WebSocket bytes after the upgrade
 * response, per connection. With -r ROUNDS it waits after each round for
 * the server to end the connection, and connects again (resuming the TLS
 * session unless --no-resume); the token is fetched once.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bearssl.h>

#define RESP_MAX   65536       /* token response */
#define TOKEN_MAX  4096
#define HOST_MAX   256
#define PATH_MAX_  4096

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
};

struct url {
	char     host[HOST_MAX];
	uint16_t port;
	char     path[PATH_MAX_];   /* with the query */
};

struct tls {
	br_ssl_client_context   cc;
	br_x509_minimal_context xc;
	unsigned char           iobuf[BR_SSL_BUFSIZE_BIDI];
	int                     fd;
};

static br_x509_trust_anchor anchor;
static br_ssl_session_parameters session;
static int have_session;
static struct tls tls;

static void
die(const char *what)
{
	fprintf(stderr, "ceiling: %s\n", what);
	exit(1);
}

static void
die_tls(void)
{
	fprintf(stderr, "ceiling: TLS error %d\n",
	    br_ssl_engine_last_error(&tls.cc.eng));
	exit(1);
}

/* ---- the trust anchor: the first certificate of the CA file ---- */

struct buf { unsigned char *p; size_t len, cap; };

static void
buf_add(void *ctx, const void *data, size_t len)
{
	struct buf *b = ctx;

	if (b->len + len > b->cap) {
		b->cap = 2 * (b->len + len);
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			die("out of memory");
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
load_anchor(const char *path)
{
	static unsigned char text[65536];
	br_pem_decoder_context pc;
	br_x509_decoder_context dc;
	struct buf der = { NULL, 0, 0 }, dn = { NULL, 0, 0 };
	const br_x509_pkey *pk;
	size_t n, off = 0;
	int done = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		die("cannot open the CA file");
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	br_pem_decoder_init(&pc);
	while (off < n && !done) {
		off += br_pem_decoder_push(&pc, text + off, n - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			br_pem_decoder_setdest(&pc, buf_add, &der);
			break;
		case BR_PEM_END_OBJ:
			done = 1;
			break;
		case BR_PEM_ERROR:
			die("bad PEM in the CA file");
		}
	}
	if (!done)
		die("no certificate in the CA file");
	br_x509_decoder_init(&dc, buf_add, &dn);
	br_x509_decoder_push(&dc, der.p, der.len);
	if ((pk = br_x509_decoder_get_pkey(&dc)) == NULL)
		die("cannot decode the CA certificate");
	anchor.dn.data = dn.p;
	anchor.dn.len = dn.len;
	anchor.flags = BR_X509_TA_CA;
	anchor.pkey = *pk;      /* points into dc: copy what it points at */
	if (pk->key_type == BR_KEYTYPE_RSA) {
		unsigned char *m = malloc(pk->key.rsa.nlen + pk->key.rsa.elen);

		if (m == NULL)
			die("out of memory");
		memcpy(m, pk->key.rsa.n, pk->key.rsa.nlen);
		memcpy(m + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
		anchor.pkey.key.rsa.n = m;
		anchor.pkey.key.rsa.e = m + pk->key.rsa.nlen;
	} else {
		unsigned char *q = malloc(pk->key.ec.qlen);

		if (q == NULL)
			die("out of memory");
		memcpy(q, pk->key.ec.q, pk->key.ec.qlen);
		anchor.pkey.key.ec.q = q;
	}
	free(der.p);
}

/* ---- URLs, sockets, the engine ---- */

static void
parse_url(const char *s, const char *scheme, struct url *u)
{
	const char *h, *c, *p;
	size_t sl = strlen(scheme);

	if (s == NULL || strncmp(s, scheme, sl) != 0)
		die("URLs must be https:// and wss:// with host:port");
	h = s + sl;
	if ((c = strchr(h, ':')) == NULL || (size_t)(c - h) >= sizeof(u->host))
		die("URL without a port");
	memcpy(u->host, h, (size_t)(c - h));
	u->host[c - h] = 0;
	u->port = (uint16_t)atoi(c + 1);
	p = strchr(c, '/');
	snprintf(u->path, sizeof(u->path), "%s", p ? p : "/");
}

static int
sock_connect(const struct url *u)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(u->port);
	if (inet_pton(AF_INET, u->host, &a.sin_addr) != 1)
		die("the host must be an IPv4 address");
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("cannot connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
tls_start(const struct url *u, int resume)
{
	br_ssl_engine_context *eng = &tls.cc.eng;

	tls.fd = sock_connect(u);
	br_ssl_client_init_full(&tls.cc, &tls.xc, &anchor, 1);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_ssl_engine_set_buffer(eng, tls.iobuf, sizeof(tls.iobuf), 1);
	resume = resume && have_session;
	if (resume)
		br_ssl_engine_set_session_parameters(eng, &session);
	/* An IP literal: BearSSL matches DNS names only; the chain is still
	   verified against the anchor. */
	if (!br_ssl_client_reset(&tls.cc, NULL, resume))
		die_tls();
}

/* Drive the engine until one of the states in want is reached; 0 then,
   -1 when the connection ended. Reads go straight into the engine. */
static int
tls_run(unsigned want)
{
	br_ssl_engine_context *eng = &tls.cc.eng;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		unsigned char *b;
		size_t len;
		ssize_t r;

		if (st & BR_SSL_CLOSED)
			return -1;
		if (st & BR_SSL_SENDREC) {
			b = br_ssl_engine_sendrec_buf(eng, &len);
			if ((r = write(tls.fd, b, len)) <= 0)
				return -1;
			br_ssl_engine_sendrec_ack(eng, (size_t)r);
			continue;
		}
		if (st & want)
			return 0;
		if (st & BR_SSL_RECVREC) {
			b = br_ssl_engine_recvrec_buf(eng, &len);
			if ((r = read(tls.fd, b, len)) <= 0)
				return -1;
			br_ssl_engine_recvrec_ack(eng, (size_t)r);
			continue;
		}
		return -1;
	}
}

static void
tls_write(const void *p, size_t n)
{
	br_ssl_engine_context *eng = &tls.cc.eng;

	while (n > 0) {
		unsigned char *b;
		size_t len;

		if (tls_run(BR_SSL_SENDAPP) < 0)
			die_tls();
		b = br_ssl_engine_sendapp_buf(eng, &len);
		if (len > n)
			len = n;
		memcpy(b, p, len);
		br_ssl_engine_sendapp_ack(eng, len);
		p = (const unsigned char *)p + len;
		n -= len;
	}
	br_ssl_engine_flush(eng, 0);
}

static void
tls_end(void)
{
	br_ssl_engine_context *eng = &tls.cc.eng;

	if (br_ssl_engine_current_state(eng) != BR_SSL_CLOSED) {
		br_ssl_engine_close(eng);
		tls_run(0);
	}
	close(tls.fd);
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
		uint32_t v = (uint32_t)in[i] << 16 |
		    (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = 0;
}

/* ---- the token ---- */

static void
fetch_token(const struct url *u, char *token)
{
	static char resp[RESP_MAX + 1];
	char cred[1024], auth[1400], body[512], req[4096];
	const char *id = getenv("ZOOM_CLIENT_ID"), *secret = getenv("ZOOM_CLIENT_SECRET");
	const char *acct = getenv("ZOOM_ACCOUNT_ID");
	size_t n = 0;
	char *p = NULL, *e;
	int bl, rl;

	if (id == NULL || secret == NULL)
		die("ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET are required");
	snprintf(cred, sizeof(cred), "%s:%s", id, secret);
	b64((unsigned char *)cred, strlen(cred), auth);
	bl = acct ? snprintf(body, sizeof(body),
	    "grant_type=account_credentials&account_id=%s", acct) :
	    snprintf(body, sizeof(body), "grant_type=client_credentials");
	rl = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: %s:%u\r\n"
	    "Authorization: Basic %s\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
	    u->path, u->host, u->port, auth, bl, body);
	tls_start(u, 0);
	tls_write(req, (size_t)rl);
	while (n < RESP_MAX && tls_run(BR_SSL_RECVAPP) == 0) {
		size_t len;
		unsigned char *b = br_ssl_engine_recvapp_buf(&tls.cc.eng, &len);

		if (len > RESP_MAX - n)
			len = RESP_MAX - n;
		memcpy(resp + n, b, len);
		n += len;
		br_ssl_engine_recvapp_ack(&tls.cc.eng, len);
	}
	close(tls.fd);
	resp[n] = 0;
	if (strncmp(resp, "HTTP/1.1 200", 12) != 0 ||
	    (p = strstr(resp, "\"access_token\":\"")) == NULL)
		die("no access token in the token response");
	p += 16;
	if ((e = strchr(p, '"')) == NULL || (size_t)(e - p) >= TOKEN_MAX)
		die("bad access token");
	memcpy(token, p, (size_t)(e - p));
	token[e - p] = 0;
}

/* ---- the stream ---- */

static void
upgrade(const struct url *u, const char *token, int resume)
{
	static char req[PATH_MAX_ + TOKEN_MAX + 512];
	char head[4096];
	size_t n = 0;
	int rl;

	tls_start(u, resume);
	rl = snprintf(req, sizeof(req), "GET %s&access_token=%s HTTP/1.1\r\n"
	    "Host: %s:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", u->path, token, u->host, u->port);
	tls_write(req, (size_t)rl);
	/* The 101 head, byte by byte from the engine's buffer, so that no
	   frame byte is consumed with it. */
	for (;;) {
		unsigned char *b;
		size_t len;

		if (tls_run(BR_SSL_RECVAPP) < 0)
			die_tls();
		b = br_ssl_engine_recvapp_buf(&tls.cc.eng, &len);
		if (n + 1 >= sizeof(head))
			die("upgrade response too long");
		head[n++] = (char)b[0];
		br_ssl_engine_recvapp_ack(&tls.cc.eng, 1);
		head[n] = 0;
		if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	if (strncmp(head, "HTTP/1.1 101", 12) != 0)
		die("upgrade refused");
	br_ssl_engine_get_session_parameters(&tls.cc.eng, &session);
	have_session = 1;
}

/* Read and discard until `want` bytes have arrived. */
static void
discard(unsigned long long want)
{
	unsigned long long got = 0;

	while (got < want) {
		size_t len;

		if (tls_run(BR_SSL_RECVAPP) < 0)
			die("connection ended before the expected bytes");
		br_ssl_engine_recvapp_buf(&tls.cc.eng, &len);
		if (len > want - got)
			len = (size_t)(want - got);
		br_ssl_engine_recvapp_ack(&tls.cc.eng, len);
		got += len;
	}
}

/* Wait for the server to end the connection (close frame, close_notify
   or EOF), discarding what comes. */
static void
until_closed(void)
{
	while (tls_run(BR_SSL_RECVAPP) == 0) {
		size_t len;

		br_ssl_engine_recvapp_buf(&tls.cc.eng, &len);
		br_ssl_engine_recvapp_ack(&tls.cc.eng, len);
	}
	close(tls.fd);
}

int
main(int argc, char **argv)
{
	static char token[TOKEN_MAX];
	struct url ou, wu;
	unsigned long long bytes = 0;
	const char *ca = NULL;
	int rounds = 1, resume = 1, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ca-file") == 0 && i + 1 < argc)
			ca = argv[++i];
		else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
			bytes = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--no-resume") == 0)
			resume = 0;
		else {
			fprintf(stderr, "usage: ceiling --ca-file CA.pem -b BYTES "
			    "[-r ROUNDS] [--no-resume]\n");
			return 64;
		}
	}
	if (ca == NULL || bytes == 0 || rounds < 1)
		die("--ca-file and -b are required");
	load_anchor(ca);
	parse_url(getenv("ZOOM_OAUTH_URL"), "https://", &ou);
	parse_url(getenv("ZOOM_WS_URL"), "wss://", &wu);
	fetch_token(&ou, token);
	for (i = 0; i < rounds; i++) {
		upgrade(&wu, token, resume);
		discard(bytes);
		if (write(1, "\n", 1) != 1)
			die("stdout");
		if (i + 1 < rounds)
			until_closed();
	}
	tls_end();
	return 0;
}
