/*
 * test_net.c - trust anchors from PEM, connect errors, the DRBG, and the
 * reports. Certificates are made at test time with the openssl CLI; the
 * TLS handshake paths (trusted, unknown CA, wrong name, expired,
 * resumption) are held by tests/it_core.py through zoomws itself.
 */
#include <stdlib.h>
#include <unistd.h>

#include "t.h"
#include "../net.h"

static char dir[] = "/tmp/zoomws-test-net-XXXXXX";
static char path_ca[256], path_ec[256], path_bundle[256], path_key[256];

static int
sh(const char *cmd)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "cd %s && ( %s ) >/dev/null 2>&1", dir, cmd);
	return system(buf);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n + 1);
	*len = fread(p, 1, (size_t)n, f);
	fclose(f);
	return p;
}

static void
make_certs(void)
{
	CHECK(mkdtemp(dir) != NULL);
	CHECK(sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
	    "-out ca.pem -days 2 -subj /CN=zoomws-test-ca "
	    "-addext basicConstraints=critical,CA:TRUE") == 0);
	CHECK(sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout ec.key -out ec.pem -days 2 -subj /CN=localhost") == 0);
	CHECK(sh("cat ca.pem ec.key ec.pem > bundle.pem") == 0);
	snprintf(path_ca, sizeof(path_ca), "%s/ca.pem", dir);
	snprintf(path_ec, sizeof(path_ec), "%s/ec.pem", dir);
	snprintf(path_bundle, sizeof(path_bundle), "%s/bundle.pem", dir);
	snprintf(path_key, sizeof(path_key), "%s/ec.key", dir);
}

static void
anchors_from_files(void)
{
	struct net_anchors a = { 0 };
	char err[256];

	CHECK(net_anchors_from_file(&a, path_ca, err, sizeof(err)) == 1);
	CHECK(a.n == 1);
	CHECK(a.ta[0].flags & BR_X509_TA_CA);
	CHECK(a.ta[0].pkey.key_type == BR_KEYTYPE_RSA);
	CHECK(a.ta[0].pkey.key.rsa.nlen == 256);
	/* the bundle: a CA, a private key (skipped), an EC end-entity cert */
	CHECK(net_anchors_from_file(&a, path_bundle, err, sizeof(err)) == 2);
	CHECK(a.n == 3);
	CHECK(a.ta[2].pkey.key_type == BR_KEYTYPE_EC);
	CHECK(a.ta[2].pkey.key.ec.curve == BR_EC_secp256r1);
	net_anchors_free(&a);
	CHECK(a.n == 0 && a.ta == NULL);
}

static void
anchors_without_final_newline(void)
{
	struct net_anchors a = { 0 }, b = { 0 };
	char err[256];
	size_t len = 0;
	char *pem = slurp(path_ca, &len);

	CHECK(pem != NULL);
	while (len > 0 && pem[len - 1] == '\n')
		len--;
	CHECK(net_anchors_from_pem(&a, pem, len, err, sizeof(err)) == 1);
	/* CRLF line ends */
	{
		char *crlf = malloc(len * 2 + 2);
		size_t i, o = 0;

		for (i = 0; i < len; i++) {
			if (pem[i] == '\n')
				crlf[o++] = '\r';
			crlf[o++] = pem[i];
		}
		CHECK(net_anchors_from_pem(&b, crlf, o, err, sizeof(err)) == 1);
		if (a.n == 1 && b.n == 1) {
			CHECK(b.ta[0].dn.len == a.ta[0].dn.len);
			CHECK_MEM(b.ta[0].dn.data, a.ta[0].dn.data,
			    a.ta[0].dn.len);
		}
		free(crlf);
	}
	net_anchors_free(&a);
	net_anchors_free(&b);
	free(pem);
}

static void
anchors_refuse_garbage(void)
{
	struct net_anchors a = { 0 };
	char err[256];
	static const char bad_b64[] = "-----BEGIN CERTIFICATE-----\n"
	    "!!!!\n-----END CERTIFICATE-----\n";
	static const char not_der[] = "-----BEGIN CERTIFICATE-----\n"
	    "aGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";

	CHECK(net_anchors_from_pem(&a, "", 0, err, sizeof(err)) == 0);
	CHECK(net_anchors_from_pem(&a, "just text\n", 10, err, sizeof(err)) == 0);
	CHECK(net_anchors_from_pem(&a, bad_b64, sizeof(bad_b64) - 1, err,
	    sizeof(err)) < 0);
	CHECK(net_anchors_from_pem(&a, not_der, sizeof(not_der) - 1, err,
	    sizeof(err)) < 0);
	CHECK(strstr(err, "certificate 1") != NULL);
	CHECK(a.n == 0);
	CHECK(net_anchors_from_file(&a, "/nonexistent/ca.pem", err,
	    sizeof(err)) == NET_ERR_CONFIG);
	CHECK(strstr(err, "/nonexistent/ca.pem") != NULL);
	/* a file with only a private key holds no certificate: an error */
	CHECK(net_anchors_from_file(&a, path_key, err, sizeof(err)) ==
	    NET_ERR_CONFIG);
	CHECK(strstr(err, "no certificate") != NULL);
	net_anchors_free(&a);
}

static void
anchors_load_order(void)
{
	struct net_anchors a = { 0 };
	char src[256], err[256];

	/* an explicit file wins, and is an error when unreadable */
	CHECK(net_anchors_load(&a, path_ec, src, sizeof(src), err,
	    sizeof(err)) == 1);
	CHECK_STR(src, path_ec);
	net_anchors_free(&a);
	CHECK(net_anchors_load(&a, "/nonexistent", src, sizeof(src), err,
	    sizeof(err)) == NET_ERR_CONFIG);
	net_anchors_free(&a);
	/* else the system bundle, when this machine has one */
	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
		CHECK(net_anchors_load(&a, NULL, src, sizeof(src), err,
		    sizeof(err)) > 10);
		CHECK_STR(src, "/etc/ssl/certs/ca-certificates.crt");
		net_anchors_free(&a);
	}
}

static void
connect_errors_name_the_peer(void)
{
	char err[256];
	int fd;

	/* port 1 on loopback: nothing listens there */
	fd = net_connect("127.0.0.1", "1", net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_CONNECT);
	CHECK(strstr(err, "127.0.0.1") != NULL);
	CHECK(strstr(err, "refused") != NULL);
	fd = net_connect("name.invalid", "443", net_now_ms() + 2000, -1, err,
	    sizeof(err));
	CHECK(fd == NET_ERR_DNS);
	CHECK(strstr(err, "name.invalid") != NULL);
}

static void
random_differs(void)
{
	unsigned char a[32], b[32];

	net_random(a, sizeof(a));
	net_random(b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

static void
monotonic_clock_moves(void)
{
	int64_t t0 = net_now_ms();

	usleep(20000);
	CHECK(net_now_ms() - t0 >= 15);
}

int
main(void)
{
	t_suite = "net";
	make_certs();
	RUN(anchors_from_files);
	RUN(anchors_without_final_newline);
	RUN(anchors_refuse_garbage);
	RUN(anchors_load_order);
	RUN(connect_errors_name_the_peer);
	RUN(random_differs);
	RUN(monotonic_clock_moves);
	sh("rm -f ca.pem ca.key ec.pem ec.key bundle.pem");
	rmdir(dir);
	return t_done();
}
