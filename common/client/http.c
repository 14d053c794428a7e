/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP transport: the Query request, signed (SigV4, or SigV2 on
 * request), POSTed with libcurl. Failures that may be transient (no
 * connection, 5xx, throttling) are retried with exponential backoff and
 * jitter; a RunInstances always carries a client token first, so a retry can
 * never start instances twice. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/curl_dl.h"
#include <openssl/rand.h>
#include "base/crypto_dl.h"
#include "base/clock.h"
#include "wire/sigv2.h"
#include "wire/sigv4.h"
#include "client/transport.h"
#include "base/version.h"
#include "wire/xml.h"

#define HTTP_TRIES 4
#define HTTP_BACKOFF_MS 200
/* The defaults of the AWS CLI (botocore): seconds to connect, and here the
 * bound of the whole call, retries included. */
#define HTTP_CONNECT_TIMEOUT 10
#define HTTP_REQUEST_TIMEOUT 60
#define REDACTED "<redacted>"

struct endpoint {
	char *host;   /* the Host header: host[:port] as the URL gives it */
	char *path;
	char *query;  /* a query string in the URL itself, "" for none */
};

static enum dp_err endpoint_parse(const char *url, struct endpoint *ep)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	memset(ep, 0, sizeof *ep);
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0)) {
		curl_url_cleanup(u);
		dp_err_set("invalid endpoint URL '%s'", url);
		return DP_ERR_USAGE;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	struct buf h = BUF_INIT;
	buf_adds(&h, host);
	if (port)
		buf_addf(&h, ":%s", port);
	ep->host = buf_detach(&h);
	ep->path = xstrdup(path && *path ? path : "/");
	ep->query = xstrdup(query ? query : "");
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return DP_OK;
}

static void endpoint_release(struct endpoint *ep)
{
	free(ep->host);
	free(ep->path);
	free(ep->query);
}

/* The signing time: the real clock (DEVPAY_NOW is the service's clock, not
 * the client's). DEVPAY_SIGNING_TIME pins it for tests of expired requests. */
static enum dp_err signing_time(int64_t *t)
{
	const char *pin = getenv("DEVPAY_SIGNING_TIME");
	if (pin && *pin) {
		if (clock_parse(pin, t)) {
			dp_err_set("DEVPAY_SIGNING_TIME '%s' is not an ISO 8601 UTC time", pin);
			return DP_ERR_USAGE;
		}
		return DP_OK;
	}
	*t = (int64_t)time(NULL);
	return DP_OK;
}

/* Replaces the value after each "NAME=" (up to end or stop char) by a placeholder. */
static void redact_after(struct buf *out, const char *text, size_t len, const char *const *names,
			 const char *stops)
{
	size_t i = 0;
	while (i < len) {
		const char *name = NULL;
		for (int k = 0; names[k]; k++) {
			size_t nl = strlen(names[k]);
			if (i + nl <= len && !strncmp(text + i, names[k], nl) &&
			    (i == 0 || strchr("&, \n", text[i - 1]))) {
				name = names[k];
				break;
			}
		}
		if (!name) {
			buf_addc(out, text[i++]);
			continue;
		}
		buf_adds(out, name);
		buf_adds(out, REDACTED);
		i += strlen(name);
		while (i < len && !strchr(stops, text[i]))
			i++;
	}
}

static void debug_text(const char *prefix, const char *text, size_t len)
{
	static const char *const secrets[] = { "Signature=", "SecurityToken=",
		"X-Amz-Security-Token: ", "x-amz-security-token:", NULL };
	struct buf b = BUF_INIT;
	/* the Authorization header keeps its credential scope, loses its signature */
	redact_after(&b, text, len, secrets, "&\r\n");
	const char *s = buf_str(&b);
	for (const char *line = s; *line;) {
		size_t l = strcspn(line, "\n");
		size_t shown = l && line[l - 1] == '\r' ? l - 1 : l;
		fprintf(stderr, "%s%.*s\n", prefix, (int)shown, line);
		line += l + (line[l] == '\n');
	}
	buf_release(&b);
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *priv)
{
	(void)h;
	(void)priv;
	switch (type) {
	case CURLINFO_TEXT: debug_text("* ", data, size); break;
	case CURLINFO_HEADER_OUT: debug_text("> ", data, size); break;
	case CURLINFO_DATA_OUT: debug_text("> ", data, size); break;
	case CURLINFO_HEADER_IN: debug_text("< ", data, size); break;
	case CURLINFO_DATA_IN: debug_text("< ", data, size); break;
	case CURLINFO_SSL_DATA_IN:
	case CURLINFO_SSL_DATA_OUT:
	case CURLINFO_END: break;
	}
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *priv)
{
	buf_add(priv, data, size * n);
	return size * n;
}

struct signed_request {
	struct buf body;
	struct curl_slist *headers;
};

static void add_header(struct signed_request *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_header(struct signed_request *s, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		abort();
	s->headers = curl_slist_append(s->headers, line);
	free(line);
}

static void debug_block(const char *title, const char *text)
{
	fprintf(stderr, "%s\n", title);
	debug_text("  ", text, strlen(text));
}

#define CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

static enum dp_err sign_request(const struct dp_config *cfg, const struct endpoint *ep,
				const struct query *q, struct signed_request *s)
{
	/* the caller releases s whatever this returns */
	buf_init(&s->body);
	s->headers = NULL;
	int64_t t;
	enum dp_err e = signing_time(&t);
	if (e)
		return e;
	const char *now = getenv("DEVPAY_NOW");
	struct query w = QUERY_INIT;
	for (size_t i = 0; i < q->n; i++)
		query_add(&w, q->v[i].name, q->v[i].value);
	add_header(s, "Content-Type: %s", CONTENT_TYPE);
	add_header(s, "Host: %s", ep->host);
	add_header(s, "User-Agent: devpay/%s", DEVPAY_VERSION);
	add_header(s, "Expect:");
	if (now && *now)
		add_header(s, "X-Devpay-Now: %s", now);
	if (cfg->sigver == 2) {
		char ts[32];
		clock_format_wire(t, ts);
		query_set(&w, "AWSAccessKeyId", cfg->access_key);
		query_set(&w, "SignatureMethod", "HmacSHA256");
		query_set(&w, "SignatureVersion", "2");
		query_set(&w, "Timestamp", ts);
		if (cfg->token)
			query_set(&w, "SecurityToken", cfg->token);
		struct buf sts = BUF_INIT, sig = BUF_INIT;
		e = sigv2_sign("POST", ep->host, ep->path, &w, cfg->secret_key, &sts, &sig);
		if (!e) {
			query_set(&w, "Signature", buf_str(&sig));
			if (cfg->debug)
				debug_block("string to sign (SigV2):", buf_str(&sts));
		}
		buf_release(&sts);
		buf_release(&sig);
		query_encode(&w, 0, NULL, &s->body);
	} else {
		char amz[17];
		sigv4_format_date(t, amz);
		query_encode(&w, 0, NULL, &s->body);
		struct sigv4_header h[5];
		size_t n = 0;
		h[n++] = (struct sigv4_header){ "Content-Type", CONTENT_TYPE };
		h[n++] = (struct sigv4_header){ "Host", ep->host };
		h[n++] = (struct sigv4_header){ "X-Amz-Date", amz };
		if (cfg->token)
			h[n++] = (struct sigv4_header){ "X-Amz-Security-Token", cfg->token };
		if (now && *now)
			h[n++] = (struct sigv4_header){ "X-Devpay-Now", now };
		struct sigv4_request r = { .method = "POST", .path = ep->path, .query = ep->query,
					   .headers = h, .nheaders = n, .payload = s->body.p,
					   .payload_len = s->body.len, .amz_date = amz,
					   .region = cfg->region, .service = "ec2",
					   .access_key = cfg->access_key, .secret = cfg->secret_key };
		struct sigv4_result out = SIGV4_RESULT_INIT;
		e = sigv4_sign(&r, &out);
		if (!e) {
			add_header(s, "X-Amz-Date: %s", amz);
			if (cfg->token)
				add_header(s, "X-Amz-Security-Token: %s", cfg->token);
			add_header(s, "Authorization: %s", buf_str(&out.authorization));
			if (cfg->debug) {
				debug_block("canonical request (SigV4):", buf_str(&out.canonical));
				debug_block("string to sign (SigV4):", buf_str(&out.string_to_sign));
			}
		}
		sigv4_result_release(&out);
	}
	query_release(&w);
	return e;
}

/* Connection failures worth another try. */
static int is_transient(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_OPERATION_TIMEDOUT ||
	       rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
}

/* The endpoint cannot be reached, or not trusted (exit status 3). */
static int is_unreachable(CURLcode rc)
{
	return is_transient(rc) || rc == CURLE_SSL_CONNECT_ERROR ||
	       rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CERTPROBLEM;
}

/* A certificate that did not verify: never accepted, and said so plainly. */
static int is_untrusted(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE;
}

/* --ca-bundle / AWS_CA_BUNDLE: a file that cannot be read is named before
 * anything is sent (libcurl would only say that verification failed). */
static enum dp_err check_ca_bundle(const char *path)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (path && !f) {
		dp_err_set("cannot read the CA bundle '%s' (--ca-bundle or AWS_CA_BUNDLE): %s", path,
			   strerror(errno));
		return DP_ERR_USAGE;
	}
	if (f)
		fclose(f);
	return DP_OK;
}

static int is_throttled(long status, const struct buf *body)
{
	if (status < 400)
		return 0;
	struct response r;
	struct buf msg = BUF_INIT;
	int t = 0;
	if (response_parse(body->p, body->len, status, &r, &msg) == DP_ERR_SERVICE) {
		xmlNode *e = xml_path(r.root, xml_child(r.root, "Errors") ? "Errors/Error" : "Error");
		const char *code = xml_text(e, "Code");
		t = !strcmp(code, "RequestLimitExceeded") || !strcmp(code, "Throttling");
	}
	response_release(&r);
	buf_release(&msg);
	return t;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps before another try; 1 (without sleeping) when the pause would end
 * past the deadline. */
static int backoff(int attempt, int64_t deadline)
{
	unsigned int r = 0;
	RAND_bytes((unsigned char *)&r, sizeof r);
	long cap = (long)HTTP_BACKOFF_MS << attempt;
	long ms = cap / 2 + (long)(r % (unsigned long)(cap / 2 + 1));
	if (now_ms() + ms >= deadline)
		return 1;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
	return 0;
}

enum dp_err transport_http(const struct dp_config *cfg, struct query *q, long *status,
			   struct buf *body)
{
	struct endpoint ep;
	enum dp_err e = check_ca_bundle(cfg->ca_bundle);
	if (!e)
		e = curl_dl_load();
	if (!e)
		e = endpoint_parse(cfg->url, &ep);
	if (e)
		return e;
	/* a DEVPAY_NOW the service would refuse is refused here as the local
	 * transport refuses it, before anything is sent */
	const char *now = getenv("DEVPAY_NOW");
	int64_t pinned;
	if (now && *now && (e = clock_now(&pinned))) {
		endpoint_release(&ep);
		return e;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		endpoint_release(&ep);
		dp_err_set("libcurl cannot be initialized");
		return DP_ERR_HTTP;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		endpoint_release(&ep);
		dp_err_set("libcurl cannot be initialized");
		return DP_ERR_HTTP;
	}
	char cerr[CURL_ERROR_SIZE];
	CURLcode rc = CURLE_OK;
	/* --request-timeout bounds the whole call: every try and every pause
	 * between tries comes out of the same budget */
	long connect_s = cfg->connect_timeout ? cfg->connect_timeout : HTTP_CONNECT_TIMEOUT;
	long request_s = cfg->request_timeout ? cfg->request_timeout : HTTP_REQUEST_TIMEOUT;
	int64_t deadline = now_ms() + (int64_t)request_s * 1000;
	int timed_out = 0;
	if (cfg->debug)
		fprintf(stderr, "* timeouts: %ld s to connect, %ld s for the whole request, retries included\n",
			connect_s, request_s);
	/* AWS_MAX_ATTEMPTS or the profile's max_attempts (cli.c), the first try included */
	int tries = cfg->max_attempts > 0 ? cfg->max_attempts : HTTP_TRIES;
	if (cfg->debug)
		fprintf(stderr, "* tries: at most %d, the first included\n", tries);
	for (int attempt = 0; attempt < tries; attempt++) {
		if (attempt && backoff(attempt - 1, deadline)) {
			timed_out = 1;
			break;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct signed_request s;
		e = sign_request(cfg, &ep, q, &s);
		if (e) {
			buf_release(&s.body);
			curl_slist_free_all(s.headers);
			break;
		}
		buf_reset(body);
		cerr[0] = '\0';
		curl_easy_reset(h);
		curl_easy_setopt(h, CURLOPT_URL, cfg->url);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, s.body.p ? s.body.p : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)s.body.len);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, s.headers);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		if (cfg->ca_bundle)
			curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_bundle);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
				 (long)(connect_s * 1000 < left ? connect_s * 1000 : left));
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
		if (cfg->debug) {
			curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
			curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
		}
		rc = curl_easy_perform(h);
		*status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		buf_release(&s.body);
		curl_slist_free_all(s.headers);
		int again = rc != CURLE_OK ? is_transient(rc)
			  : *status >= 500 || is_throttled(*status, body);
		if (!again)
			break;
		if (cfg->debug)
			fprintf(stderr, "* try %d of %d failed (%s)\n", attempt + 1, tries,
				rc != CURLE_OK ? curl_easy_strerror(rc) : "service busy or failing");
	}
	curl_easy_cleanup(h);
	if (!e && is_untrusted(rc)) {
		dp_err_set("cannot reach endpoint '%s': its TLS certificate does not verify (%s); "
			   "name the CA that signed it with --ca-bundle or AWS_CA_BUNDLE", cfg->url,
			   *cerr ? cerr : curl_easy_strerror(rc));
		e = DP_ERR_CONNECT;
	} else if (!e && timed_out && rc != CURLE_OK) {
		dp_err_set("cannot reach endpoint '%s': no answer within the request timeout of %ld s"
			   " (--request-timeout)", cfg->url, request_s);
		e = DP_ERR_CONNECT;
	} else if (!e && rc != CURLE_OK) {
		dp_err_set("cannot reach endpoint '%s': %s", cfg->url, *cerr ? cerr : curl_easy_strerror(rc));
		e = is_unreachable(rc) ? DP_ERR_CONNECT : DP_ERR_HTTP;
	}
	endpoint_release(&ep);
	return e;
}
