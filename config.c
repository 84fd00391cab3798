/*
 * config.c - flags, the environment and the env file, resolved into one
 * value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "envfile.h"
#include "fmt.h"
#include "log.h"
#include "proxy.h"
#include "url.h"

static const char *const key_name[K_COUNT] = {
	"ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET",
	"ZOOM_CLIENT_SECRET_FILE", "ZOOM_SUBSCRIPTION_ID", "ZOOM_WS_URL",
	"ZOOM_OAUTH_URL", "SSL_CERT_FILE", "HTTPS_PROXY", "https_proxy",
	"NO_PROXY", "no_proxy"
};

/* The keys' values read from an env file; other keys are not kept. */
struct filevals {
	char *val[K_COUNT];
};

static int
key_index(const char *key)
{
	int i;

	for (i = 0; i < K_COUNT; i++)
		if (strcmp(key_name[i], key) == 0)
			return i;
	return -1;
}

/* A copy of s, or NULL for NULL or "" (an empty value is unset). */
static int
keep(char **dst, const char *s)
{
	if (*dst != NULL) {
		explicit_bzero(*dst, strlen(*dst));
		free(*dst);
		*dst = NULL;
	}
	if (s == NULL || *s == '\0')
		return 0;
	return (*dst = strdup(s)) != NULL ? 0 : -1;
}

/* errno of a failed open or read: resource exhaustion or not. */
static int
resource_errno(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS;
}

int
config_env_capture(struct config_env *e)
{
	char *secret;
	int i;

	for (i = 0; i < K_COUNT; i++)
		if (keep(&e->val[i], getenv(key_name[i])) != 0)
			return CONFIG_ERR_RESOURCE;
	if ((secret = getenv("ZOOM_CLIENT_SECRET")) != NULL)
		explicit_bzero(secret, strlen(secret));
	return CONFIG_OK;
}

static int
fileval_set(void *arg, const char *key, const char *val)
{
	struct filevals *f = arg;
	int i = key_index(key);

	return i < 0 ? 0 : keep(&f->val[i], val);
}

static void
filevals_free(struct filevals *f)
{
	int i;

	for (i = 0; i < K_COUNT; i++)
		keep(&f->val[i], NULL);
}

/*
 * read_env_file: the keys of the env file at path into f. A regular
 * file readable by others draws a warning (it holds the secret).
 * Returns CONFIG_OK, or CONFIG_ERR / CONFIG_ERR_RESOURCE with err naming
 * the file and line.
 */
static int
read_env_file(const char *path, struct filevals *f, char *err, size_t errlen)
{
	static struct envfile ef;
	struct stat st;
	char buf[4096];
	ssize_t n = 0;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fmt_snprintf(err, errlen, "env file %s: %s", path, strerror(errno));
		return resource_errno(errno) ? CONFIG_ERR_RESOURCE : CONFIG_ERR;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		fmt_snprintf(err, errlen, "env file %s: is a directory", path);
		close(fd);
		return CONFIG_ERR;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
		logm(L_WARN, "env file %s is readable by others (mode %03o); "
		    "it holds the client secret: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 0777), path);
	envfile_init(&ef, fileval_set, f);
	while (rc == 0 && ((n = read(fd, buf, sizeof(buf))) > 0 ||
	    (n < 0 && errno == EINTR)))
		if (n > 0)
			rc = envfile_feed(&ef, buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
	if (n < 0) {
		fmt_snprintf(err, errlen, "env file %s: %s", path, strerror(errno));
		close(fd);
		explicit_bzero(&ef, sizeof(ef));
		return resource_errno(errno) ? CONFIG_ERR_RESOURCE : CONFIG_ERR;
	}
	close(fd);
	if (rc == 0)
		rc = envfile_end(&ef);
	if (rc == ENVFILE_ERR_CALLBACK) {
		fmt_snprintf(err, errlen, "env file %s: out of memory", path);
		rc = CONFIG_ERR_RESOURCE;
	} else if (rc != 0) {
		fmt_snprintf(err, errlen, "env file %s, line %lu: %s", path,
		    ef.lineno, envfile_strerror(rc));
		rc = CONFIG_ERR;
	}
	explicit_bzero(&ef, sizeof(ef));
	return rc;
}

/*
 * read_secret_file: the secret from path into dst (cap bytes). One
 * trailing newline is the usual end of a file; anything more at the end
 * (blanks, a CR, more newlines) and a UTF-8 byte order mark at the start
 * are removed with a warning: no secret has them, editors add them.
 */
static int
read_secret_file(const char *path, char *dst, size_t cap, char *err,
    size_t errlen)
{
	size_t len = 0, end;
	ssize_t n;
	int fd, bom;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fmt_snprintf(err, errlen, "ZOOM_CLIENT_SECRET_FILE %s: %s", path,
		    strerror(errno));
		return resource_errno(errno) ? CONFIG_ERR_RESOURCE : CONFIG_ERR;
	}
	while ((n = read(fd, dst + len, cap - 1 - len)) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			len += (size_t)n;
	close(fd);
	if (n < 0 || len == cap - 1) {
		fmt_snprintf(err, errlen, "ZOOM_CLIENT_SECRET_FILE %s: %s", path,
		    n < 0 ? strerror(errno) : "too long");
		explicit_bzero(dst, cap);
		return CONFIG_ERR;
	}
	if ((bom = len >= 3 && memcmp(dst, "\xEF\xBB\xBF", 3) == 0)) {
		memmove(dst, dst + 3, len - 3);
		len -= 3;
	}
	for (end = len; end > 0 && (dst[end - 1] == '\n' || dst[end - 1] == '\r' ||
	    dst[end - 1] == ' ' || dst[end - 1] == '\t'); end--)
		;
	if (bom || len - end > 1 || (len - end == 1 && dst[end] != '\n'))
		logm(L_WARN, "ZOOM_CLIENT_SECRET_FILE %s: %s%s%s removed", path,
		    bom ? "a byte order mark" : "", bom && len - end > 1 ? " and " :
		    "", len - end > 1 || (len - end == 1 && dst[end] != '\n') ?
		    "blanks or a CR at the end" : "");
	explicit_bzero(dst + end, len - end);
	dst[end] = '\0';
	if (end == 0 || memchr(dst, '\0', end) != NULL) {
		fmt_snprintf(err, errlen, "ZOOM_CLIENT_SECRET_FILE %s: %s", path,
		    end == 0 ? "empty" : "holds a NUL byte");
		return CONFIG_ERR;
	}
	return CONFIG_OK;
}

/* The value of key: the environment as it was at start, else the env
   file, else NULL. */
static const char *
get(const struct config_env *env, const struct filevals *f, int key)
{
	return env->val[key] != NULL ? env->val[key] : f->val[key];
}

static int
copy(char *dst, size_t cap, const char *key, const char *val, char *err,
    size_t errlen)
{
	if (strlen(val) >= cap) {
		fmt_snprintf(err, errlen, "%s is too long (at most %zu bytes)", key,
		    cap - 1);
		return CONFIG_ERR;
	}
	memcpy(dst, val, strlen(val) + 1);
	return CONFIG_OK;
}

/*
 * endpoint: the URL from an option, else key, else dflt, into text and
 * u; scheme must be "https" or "wss". Returns CONFIG_OK or CONFIG_ERR.
 */
static int
endpoint(char *text, size_t cap, struct url *u, const char *opt,
    const char *val, const char *dflt, const char *key, const char *scheme,
    char *err, size_t errlen)
{
	const char *v = opt != NULL ? opt : val != NULL ? val : dflt;
	int rc;

	if (copy(text, cap, key, v, err, errlen) != CONFIG_OK)
		return CONFIG_ERR;
	if ((rc = url_parse(u, text)) != 0 || strcmp(u->scheme, scheme) != 0) {
		fmt_snprintf(err, errlen, "%s %s: %s", key, text,
		    rc == URL_ERR_INSECURE ? "plain ws:// and http:// are refused: "
		    "use wss:// or https://" : rc != 0 ? url_strerror(rc) :
		    strcmp(scheme, "wss") == 0 ? "the endpoint is wss://" :
		    "the token endpoint is https://");
		return CONFIG_ERR;
	}
	return CONFIG_OK;
}

/* The subscription id: an option or key, else the URL's subscriptionId. */
static int
subscription(struct config *c, const char *v, char *err, size_t errlen)
{
	char in_url[256];
	long qn;

	qn = url_query_get(c->ws.target, "subscriptionId", in_url,
	    sizeof(in_url));
	if (qn == -2) {
		fmt_snprintf(err, errlen, "ZOOM_WS_URL: bad subscriptionId");
		return CONFIG_ERR;
	}
	if (v != NULL) {
		if (copy(c->sub_id, sizeof(c->sub_id), "ZOOM_SUBSCRIPTION_ID", v,
		    err, errlen) != CONFIG_OK)
			return CONFIG_ERR;
		if (qn > 0 && strcmp(in_url, v) != 0)
			logm(L_WARN, "ZOOM_SUBSCRIPTION_ID differs from the "
			    "subscriptionId in ZOOM_WS_URL; using %s", v);
	} else if (qn > 0)
		memcpy(c->sub_id, in_url, (size_t)qn + 1);
	else {
		fmt_snprintf(err, errlen, "ZOOM_SUBSCRIPTION_ID is not set, and "
		    "ZOOM_WS_URL carries no subscriptionId");
		return CONFIG_ERR;
	}
	return CONFIG_OK;
}

/*
 * proxy: the proxy URL from --proxy, HTTPS_PROXY or https_proxy, which
 * must be http://: a proxy that can never work is a configuration
 * error, named with where it came from (never with its text, which may
 * hold a password).
 */
static int
proxy(struct config *c, const struct config_env *env,
    const struct filevals *f, char *err, size_t errlen)
{
	const char *p, *no, *colon;
	int rc;

	if ((p = c->opt->proxy) != NULL)
		c->proxy_from = "--proxy";
	else if ((p = get(env, f, K_HTTPS_PROXY)) != NULL)
		c->proxy_from = "HTTPS_PROXY";
	else if ((p = get(env, f, K_https_proxy)) != NULL)
		c->proxy_from = "https_proxy";
	if (p != NULL && *p != '\0') {
		if (copy(c->proxy, sizeof(c->proxy), c->proxy_from, p, err,
		    errlen) != CONFIG_OK)
			return CONFIG_ERR;
		if ((rc = url_parse_proxy(&c->proxy_url, p)) != URL_OK) {
			for (colon = p; *colon != '\0' && colon - p < 16 &&
			    strncmp(colon, "://", 3) != 0; colon++)
				;
			if (rc == URL_ERR_SCHEME && strncmp(colon, "://", 3) == 0)
				fmt_snprintf(err, errlen, "%s names a %.*s:// proxy: "
				    "zoomws speaks to HTTP CONNECT proxies only "
				    "(http://[user:pass@]host:port)", c->proxy_from,
				    (int)(colon - p), p);
			else
				fmt_snprintf(err, errlen, "%s is not a proxy URL "
				    "(http://[user:pass@]host:port): %s",
				    c->proxy_from, url_strerror(rc));
			return CONFIG_ERR;
		}
	}
	if ((no = get(env, f, K_NO_PROXY)) == NULL)
		no = get(env, f, K_no_proxy);
	if (no != NULL && copy(c->no_proxy, sizeof(c->no_proxy), "NO_PROXY", no,
	    err, errlen) != CONFIG_OK)
		return CONFIG_ERR;
	return CONFIG_OK;
}

/* The keys, from env and f, into c. */
static int
resolve(struct config *c, const struct config_env *env,
    const struct filevals *f, const char *ignored, char *err, size_t errlen)
{
	const struct options *opt = c->opt;
	const char *v;
	int rc;

	if ((v = get(env, f, K_CLIENT_ID)) == NULL) {
		fmt_snprintf(err, errlen, "ZOOM_CLIENT_ID is not set (environment "
		    "or env file)%s", ignored);
		return CONFIG_ERR;
	}
	if (copy(c->client_id, sizeof(c->client_id), "ZOOM_CLIENT_ID", v, err,
	    errlen) != CONFIG_OK)
		return CONFIG_ERR;
	if ((v = get(env, f, K_CLIENT_SECRET)) != NULL) {
		if (copy(c->secret, sizeof(c->secret), "ZOOM_CLIENT_SECRET", v,
		    err, errlen) != CONFIG_OK)
			return CONFIG_ERR;
	} else if ((v = get(env, f, K_CLIENT_SECRET_FILE)) != NULL) {
		if (copy(c->secret_file, sizeof(c->secret_file),
		    "ZOOM_CLIENT_SECRET_FILE", v, err, errlen) != CONFIG_OK)
			return CONFIG_ERR;
		if ((rc = read_secret_file(v, c->secret, sizeof(c->secret), err,
		    errlen)) != CONFIG_OK)
			return rc;
	} else {
		fmt_snprintf(err, errlen, "ZOOM_CLIENT_SECRET is not set (nor "
		    "ZOOM_CLIENT_SECRET_FILE)%s", ignored);
		return CONFIG_ERR;
	}
	if ((v = get(env, f, K_ACCOUNT_ID)) != NULL && copy(c->account_id,
	    sizeof(c->account_id), "ZOOM_ACCOUNT_ID", v, err, errlen) !=
	    CONFIG_OK)
		return CONFIG_ERR;
	if (endpoint(c->oauth_url, sizeof(c->oauth_url), &c->oauth,
	    opt->oauth_url, get(env, f, K_OAUTH_URL),
	    "https://zoom.us/oauth/token", "ZOOM_OAUTH_URL", "https", err,
	    errlen) != CONFIG_OK ||
	    endpoint(c->ws_url, sizeof(c->ws_url), &c->ws, opt->ws_url,
	    get(env, f, K_WS_URL), "wss://ws.zoom.us/ws", "ZOOM_WS_URL", "wss",
	    err, errlen) != CONFIG_OK)
		return CONFIG_ERR;
	if (subscription(c, opt->sub != NULL && *opt->sub != '\0' ? opt->sub :
	    get(env, f, K_SUBSCRIPTION_ID), err, errlen) != CONFIG_OK)
		return CONFIG_ERR;
	v = opt->ca_file != NULL ? opt->ca_file : get(env, f, K_SSL_CERT_FILE);
	if (v != NULL && copy(c->ca_file, sizeof(c->ca_file), opt->ca_file ?
	    "--ca-file" : "SSL_CERT_FILE", v, err, errlen) != CONFIG_OK)
		return CONFIG_ERR;
	return proxy(c, env, f, err, errlen);
}

int
config_load(struct config *c, const struct options *opt,
    const struct config_env *env, char *err, size_t errlen)
{
	static struct filevals f;
	char ignored[300] = "";
	int rc = CONFIG_OK;

	config_wipe(c);
	memset(c, 0, sizeof(*c));
	c->opt = opt;
	if (opt->env_file != NULL) {
		if ((rc = read_env_file(opt->env_file, &f, err, errlen)) ==
		    CONFIG_OK)
			copy(c->env_file, sizeof(c->env_file), "--env-file",
			    opt->env_file, err, errlen);
	} else if (access(".env", F_OK) == 0) {
		/* An env file nobody named may be another program's (a
		   Node project's, with multi-line values): one that does
		   not load is left out, not fatal. */
		if ((rc = read_env_file(".env", &f, err, errlen)) == CONFIG_ERR) {
			logm(L_WARN, "%s: ignored (an env file not named by "
			    "--env-file need not load)", err);
			fmt_snprintf(ignored, sizeof(ignored), "; ./.env was "
			    "ignored: %s", err);
			filevals_free(&f);
			rc = CONFIG_OK;
		} else if (rc == CONFIG_OK)
			strcpy(c->env_file, ".env");
	}
	if (rc == CONFIG_OK)
		rc = resolve(c, env, &f, ignored, err, errlen);
	filevals_free(&f);
	return rc;
}

void
config_wipe(struct config *c)
{
	explicit_bzero(c->secret, sizeof(c->secret));
	explicit_bzero(&c->proxy_url, sizeof(c->proxy_url));
	explicit_bzero(c->proxy, sizeof(c->proxy));
}

int
config_same_connection(const struct config *a, const struct config *b)
{
	return strcmp(a->sub_id, b->sub_id) == 0 &&
	    strcmp(a->ws_url, b->ws_url) == 0 &&
	    strcmp(a->oauth_url, b->oauth_url) == 0 &&
	    strcmp(a->ca_file, b->ca_file) == 0 &&
	    strcmp(a->proxy, b->proxy) == 0 &&
	    strcmp(a->no_proxy, b->no_proxy) == 0 &&
	    strcmp(a->client_id, b->client_id) == 0 &&
	    strcmp(a->account_id, b->account_id) == 0;
}

const struct url *
config_proxy_for(const struct config *c, const char *host)
{
	if (c->proxy[0] == '\0' || proxy_bypass(c->no_proxy, host))
		return NULL;
	return &c->proxy_url;
}

int
config_parse_seconds(const char *s, int64_t *ms)
{
	static const int scale[3] = { 100, 10, 1 };
	int64_t v = 0;
	int digits = 0, frac, up = 0, rest = 0, big = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (!big && (v = v * 10 + (*s - '0')) > CONFIG_SECONDS_MAX)
			big = 1;
	v *= 1000;
	if (*s == '.')
		for (s++, frac = 0; *s >= '0' && *s <= '9'; s++, digits++, frac++) {
			if (frac < 3)
				v += (*s - '0') * scale[frac];
			else {
				up |= frac == 3 && *s >= '5';
				rest |= *s != '0';
			}
		}
	if (*s != '\0' || digits == 0)
		return PARSE_SYNTAX;
	if (big || v > CONFIG_SECONDS_MAX * 1000LL ||
	    (v == CONFIG_SECONDS_MAX * 1000LL && rest))
		return PARSE_LARGE;
	if (v == 0)
		return PARSE_SMALL;     /* under 1 ms, before any rounding */
	*ms = v + up;
	return PARSE_OK;
}

int
config_parse_count(const char *s, long long min, long long max, long long *n)
{
	long long v = 0;
	int big = 0;

	if (*s == '\0')
		return PARSE_SYNTAX;
	/* v * 10 + digit only when it cannot overflow (a long long that
	   did could wrap back into the range); a digit over a max below 9
	   is caught after the loop */
	for (; *s >= '0' && *s <= '9'; s++)
		if (big || v > (max - (*s - '0')) / 10)
			big = 1;
		else
			v = v * 10 + (*s - '0');
	if (*s != '\0')
		return PARSE_SYNTAX;
	if (big || v > max)
		return PARSE_LARGE;
	if (v < min)
		return PARSE_SMALL;
	*n = v;
	return PARSE_OK;
}

int
config_parse_bytes(const char *s, size_t *n)
{
	unsigned long long v = 0, unit = 1;
	int big = 0, digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (!big && (v = v * 10 + (unsigned)(*s - '0')) > CONFIG_BYTES_MAX)
			big = 1;
	if (digits == 0)
		return PARSE_SYNTAX;
	switch (*s) {
	case 'k': case 'K':
		unit = 1ULL << 10;
		break;
	case 'm': case 'M':
		unit = 1ULL << 20;
		break;
	case 'g': case 'G':
		unit = 1ULL << 30;
		break;
	case '\0':
		break;
	default:
		return PARSE_SYNTAX;
	}
	if (unit > 1 && *++s != '\0' && strcmp(s, "iB") != 0 &&
	    strcmp(s, "ib") != 0)
		return PARSE_SYNTAX;
	if (big || v > CONFIG_BYTES_MAX / unit)
		return PARSE_LARGE;
	if (v * unit < CONFIG_BYTES_MIN)
		return PARSE_SMALL;
	*n = (size_t)(v * unit);
	return PARSE_OK;
}
