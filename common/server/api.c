/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "base/clock.h"
#include "base/err.h"
#include "base/text.h"
#include "service/auth.h"
#include "service/service.h"
#include "store/store.h"
#include "wire/query.h"
#include "wire/sigv4.h"
#include "server/api.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/pages.h"

#define MAX_PARAMS TEXT_MAX_PARAMS /* parameters of one request, query string and body together */

static const struct api_config *conf;

/* Each worker thread keeps one connection to the store (and the statements
 * prepared on it) for the life of the server; every request is still one
 * transaction on it. A store file replaced or removed under the server is
 * opened again, as a fresh open per request would. */
static pthread_key_t worker_key;
static _Thread_local struct store *worker_store;

static void worker_exit(void *st)
{
	store_close(st);
	sigv4_thread_release();
}

int api_init(const struct api_config *c)
{
	conf = c;
	metrics_init();
	if (pthread_key_create(&worker_key, worker_exit)) {
		dp_err_set("cannot create the workers' store key");
		return -1;
	}
	return 0;
}

static struct store *worker_store_get(void)
{
	/* a database connection lost (the database restarted), or a file other
	 * than the one served (store_check, which every caller asks first, has
	 * just seen that the path names the file served: a connection opened
	 * while it was replaced is on another): a new connection */
	if (worker_store && (conf->pg ? store_down(worker_store)
				      : worker_store->dev != conf->store_dev || worker_store->ino != conf->store_ino)) {
		store_close(worker_store);
		worker_store = NULL;
		pthread_setspecific(worker_key, NULL);
	}
	if (!worker_store && store_open_existing(conf->store, &worker_store) == DP_OK)
		pthread_setspecific(worker_key, worker_store);
	return worker_store;
}

struct headers {
	struct sigv4_header *v;
	size_t n, cap;
};

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	(void)kind;
	struct headers *h = cls;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n++] = (struct sigv4_header){ key, value ? value : "" };
	return MHD_YES;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	query_add(cls, key, value ? value : "");
	return MHD_YES;
}

static int service_clock(struct MHD_Connection *conn, int64_t *now, struct auth_refusal *f)
{
	const char *pin = conf->trust_client_clock
		? MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Devpay-Now") : NULL;
	if (pin) {
		if (clock_parse(pin, now))
			return auth_refuse(f, 400, "InvalidParameterValue", "X-Devpay-Now is not an ISO 8601 UTC time");
		return 0;
	}
	if (clock_now(now))
	{
		slog("the service clock is misconfigured: %s", dp_err_detail());
		return auth_refuse(f, 500, "InternalError", "An internal error has occurred");
	}
	return 0;
}

/* How long a look at the store's path holds: a request that starts later
 * than this after the file disappeared or was replaced sees it; one within
 * it is concurrent with the change (either answer is one a client could get
 * had it been a moment earlier). Under load one stat a millisecond, not one
 * a request. */
#define STORE_LOOK_NS 1000000

/* 0 while the path still names the store devpayd started on. A store that
 * disappears or is replaced is not re-created: 503 until it is back. The
 * change is logged once. */
static int store_check(struct auth_refusal *f)
{
	static atomic_int was_bad;
	static _Atomic int64_t good_until; /* CLOCK_MONOTONIC ns */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (t < atomic_load_explicit(&good_until, memory_order_relaxed))
		return 0;
	struct stat sb;
	const char *what = NULL;
	if (stat(conf->store, &sb))
		what = "has disappeared";
	else if (sb.st_dev != conf->store_dev || sb.st_ino != conf->store_ino)
		what = "has been replaced by another file";
	if (!what) {
		if (atomic_exchange(&was_bad, 0))
			slog("the store '%s' is back; serving it again", conf->store);
		atomic_store_explicit(&good_until, t + STORE_LOOK_NS, memory_order_relaxed);
		return 0;
	}
	if (!atomic_exchange(&was_bad, 1))
		slog("the store '%s' %s; answering 503 until it is back (it is not re-created)",
		     conf->store, what);
	return auth_refuse(f, 503, "ServiceUnavailable",
			   "The service is unavailable. Try again later.");
}

/* A page (server/pages.h) on the worker's store, at the service clock. */
static void page(const struct front_request *rq, struct front_reply *rp)
{
	struct auth_refusal f = { 0 };
	struct store *st = NULL;
	int64_t now;
	if ((!conf->pg && store_check(&f)) || !(st = worker_store_get()) ||
	    service_clock(rq->conn, &now, &f)) {
		if (!f.status)
			auth_refuse(&f, 503, "ServiceUnavailable", "The service is unavailable. Try again later.");
		rp->status = (unsigned)f.status;
		rp->type = "text/plain;charset=UTF-8";
		buf_addf(&rp->body, "%s\n", f.message);
		return;
	}
	struct pages_config pc = { .https = conf->https, .region = conf->region };
	pages_handle(&pc, rq, rp, st, now);
}

void api_observe(const struct front_request *rq, const struct front_reply *rp, double seconds)
{
	(void)rq;
	metrics_request(rp->action, rp->status, seconds);
}

/* 1 when st answers a cheap query. */
static int store_answers(struct store *st)
{
	if (store_begin(st, STORE_READ_ONE))
		return 0;
	struct store_rows *r = store_query(st, "SELECT 1 FROM accounts LIMIT 1", "");
	int rc = r ? store_step(r) : -1;
	store_done(r);
	store_rollback(st);
	return rc == STORE_ROW || rc == STORE_DONE;
}

/* GET /healthz: 200 when the store answers a cheap query, else 503. */
static void healthz(struct front_reply *rp)
{
	struct auth_refusal f = { 0 };
	struct store *st = NULL;
	int ok = 0;
	if ((conf->pg || !store_check(&f)) && (st = worker_store_get())) {
		ok = store_answers(st);
		/* a PostgreSQL connection lost since this worker's last request
		 * (api_handle): once more on a new one */
		if (!ok && conf->pg && store_down(st) && (st = worker_store_get()))
			ok = store_answers(st);
	}
	if (!ok)
		metrics_store_error();
	rp->status = ok ? 200 : 503;
	rp->type = "text/plain;charset=UTF-8";
	buf_adds(&rp->body, ok ? "ok\n" : "the store does not answer\n");
	rp->headers[0][0] = "Cache-Control";
	rp->headers[0][1] = "no-store";
}

static void metrics(struct front_reply *rp)
{
	rp->status = 200;
	rp->type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_write(&rp->body, front_open_connections());
	rp->headers[0][0] = "Cache-Control";
	rp->headers[0][1] = "no-store";
}

void api_handle(void *cls, const struct front_request *rq, struct front_reply *rp)
{
	(void)cls;
	if (!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD")) {
		if (conf->healthz && !strcmp(rq->url, "/healthz")) {
			healthz(rp);
			return;
		}
		if (conf->metrics && !strcmp(rq->url, "/metrics")) {
			metrics(rp);
			return;
		}
	}
	if (pages_path(rq->url)) {
		page(rq, rp);
		return;
	}
	struct MHD_Connection *conn = rq->conn;
	const char *method = rq->method;
	struct auth_refusal f = { 0 };
	struct query get = QUERY_INIT, q = QUERY_INIT;
	struct store *st = NULL;
	const char *action = NULL;
	int status = 0;
	rp->type = "text/xml;charset=UTF-8";
	if (rq->too_big) {
		auth_refuse(&f, 413, "RequestEntityTooLarge", "The request body is larger than %d bytes", API_MAX_BODY);
		goto out;
	}
	if (strcmp(method, "POST") && strcmp(method, "GET")) {
		auth_refuse(&f, 405, "InvalidHttpRequest", "Method %s is not allowed: use POST or GET", method);
		goto out;
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &get);
	for (size_t i = 0; i < get.n; i++)
		query_add(&q, get.v[i].name, get.v[i].value);
	if (rq->body_len && (memchr(rq->body, '\0', rq->body_len) ||
			     query_parse(&q, rq->body, rq->body_len))) {
		auth_refuse(&f, 400, "MalformedQueryString", "The request body is not a well-formed form encoding");
		goto out;
	}
	if (q.n > MAX_PARAMS) {
		/* the service's own limit and refusal (text.h), before any work */
		auth_refuse(&f, 400, "InvalidParameterValue",
			    "The request has %zu parameters; at most %d are accepted", q.n, MAX_PARAMS);
		goto out;
	}
	action = query_get(&q, "Action");
	if (!conf->pg && store_check(&f)) {
		metrics_store_error();
		goto out;
	}
	if (!(st = worker_store_get())) {
		slog("cannot open the store: %s", dp_err_detail());
		metrics_store_error();
		if (conf->pg)
			/* the database is unreachable: clients retry a 503 */
			auth_refuse(&f, 503, "ServiceUnavailable", "The service is unavailable. Try again later.");
		else if (!store_check(&f))
			auth_refuse(&f, 500, "InternalError", "An internal error has occurred");
		goto out;
	}
	/* the key's look-up and a reading Action in one transaction (SQLite) */
	if (store_hold_read(st)) {
		slog("cannot read the store: %s", dp_err_detail());
		metrics_store_error();
		auth_refuse(&f, 500, "InternalError", "An internal error has occurred");
		goto out;
	}
	struct headers hs = { 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, &hs);
	struct auth_request ar = { .method = method, .path = rq->url, .headers = hs.v,
				   .nheaders = hs.n, .url_query = &get, .params = &q,
				   .body = rq->body, .body_len = rq->body_len,
				   .v2_region = conf->region, .real_now = (int64_t)time(NULL) };
	struct auth_result who;
	int v = auth_check(st, &ar, &who);
	/* PostgreSQL: the key's look-up is a request's first statement, so a
	 * connection it finds lost (the database restarted, or failed over,
	 * since this worker's last request) is opened again and the look-up
	 * asked once more: no client meets a worker's stale connection */
	if (v && conf->pg && who.refusal.status >= 500 && store_down(st) &&
	    (st = worker_store_get()))
		v = auth_check(st, &ar, &who);
	str_cut(rp->key, sizeof rp->key, who.key);
	if (v) {
		free(hs.v);
		f = who.refusal;
		if (f.status >= 500)
			slog("cannot verify a request: %s", dp_err_detail());
		/* the database connection lost (or failed over) while the key was
		 * looked up: clients retry a 503; the next request reconnects */
		if (f.status >= 500 && (!st || store_down(st)))
			auth_refuse(&f, 503, "ServiceUnavailable", "The service is unavailable. Try again later.");
		goto out;
	}
	int64_t now;
	if (service_clock(conn, &now, &f))
		goto out;
	/* internal details (SQLite's text, the store's path) go to the log only;
	 * DescribeRegions answers the URL this client reached us at */
	struct buf internal = BUF_INIT;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	struct buf endpoint = BUF_INIT;
	if (host && *host && strlen(host) < 256 && !strpbrk(host, "/\\ \t\r\n<>&\"'")) {
		buf_adds(&endpoint, conf->https ? "https://" : "http://");
		buf_adds(&endpoint, host);
		buf_addc(&endpoint, '/');
	}
	struct service_call call = { .st = st, .account = who.account, .region = who.region, .q = &q,
				     .now = now, .internal = &internal, .endpoint = buf_str(&endpoint),
				     .request_id = rq->request_id, .kept_key = who.kept ? who.key : NULL,
				     .kept_hash = who.kept_hash };
	status = service_handle(&call, &rp->body);
	if (!status) {
		/* PostgreSQL: the key's secret this thread kept is no longer the
		 * account's (the transaction found it changed): looked up again,
		 * and the Action runs with what the store says of the key now */
		service_forget_key(who.key);
		buf_reset(&internal); /* the first run's failure was the stale key's */
		v = auth_check(st, &ar, &who);
		if (v)
			f = who.refusal;
		else {
			call.account = who.account;
			call.region = who.region;
			call.kept_key = NULL; /* looked up just now */
			status = service_handle(&call, &rp->body);
		}
	}
	free(hs.v);
	if (internal.len || status == 503)
		metrics_store_error();
	buf_release(&endpoint);
	if (internal.len) {
		char a[80];
		slog_token(a, sizeof a, action);
		slog("%s: internal error: %s", a, buf_str(&internal));
	}
	buf_release(&internal);
out:
	if (st)
		store_release_held(st);
	if (!status) {
		status = f.status;
		service_error_doc_id(f.code, f.message, rq->request_id, &rp->body);
	}
	/* the action's name outlives q in the access log */
	if (action)
		str_cut(rp->action, sizeof rp->action, action);
	rp->status = (unsigned)status;
	query_release(&get);
	query_release(&q);
}
