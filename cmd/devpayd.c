/* devpayd: the Query API over HTTP (GNU libmicrohttpd, a thread pool) on the
 * same service layer as the local transport. A request is read, its
 * signature verified (SigV4 or SigV2) against the secret of a known access
 * key, and handed to service_handle; the XML answer goes back with the status
 * the service gave. Accounts are added only by the operator (--add-account). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "base/crypto_dl.h"
#include "service/auth.h"
#include "base/text.h"
#include "base/buf.h"
#include "server/listen.h"
#include "base/clock.h"
#include "base/curl_dl.h"
#include "wire/query.h"
#include "base/secret.h"
#include "service/service.h"
#include "store/store.h"
#include "store/store_copy.h"
#include "store/store_pg.h"
#include "base/version.h"

#define PROG "devpayd"
#define MAX_BODY (1024 * 1024)
/* seconds a stop on SIGTERM/SIGINT waits for the requests already accepted */
#define GRACE_SECONDS 30
#define MAX_PARAMS TEXT_MAX_PARAMS /* parameters of one request, query string and body together */

static struct {
	const char *store;
	const char *region;     /* for SigV2 requests, which name none */
	int trust_client_clock;
	int pg;                 /* the store is a PostgreSQL database */
	const char *store_shown;        /* the store for messages: no password */
	const char *logfile;    /* NULL: standard error */
	FILE *log;
	dev_t store_dev;        /* the store served: a file at the path with */
	ino_t store_ino;        /* another identity is not it */
	const char *tls_cert, *tls_key;
	long max_connections;   /* open connections at once */
	long idle_timeout;      /* seconds a connection may stay silent */
} conf;

/* The log is shared by the workers and reopened on SIGHUP. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
	char when[32];
	va_list ap;
	clock_format_wire((int64_t)time(NULL), when);
	pthread_mutex_lock(&log_lock);
	fprintf(conf.log, "%s %s: ", when, PROG);
	va_start(ap, fmt);
	vfprintf(conf.log, fmt, ap);
	va_end(ap);
	fputc('\n', conf.log);
	fflush(conf.log);
	pthread_mutex_unlock(&log_lock);
}

/* Connections that hold a request (or have not sent their first one yet):
 * a stop waits for them; idle keep-alive connections it may close. */
static atomic_int pending;
static atomic_int stopping;
/* connections the server has taken in so far: those handed over from the
 * listen queue on a stop start (and count as pending) a little later */
static atomic_int started_total;

struct conn {
	int served;     /* requests answered on this connection */
	int busy;       /* a request is being read or answered */
};

/* Each worker thread keeps one connection to the store (and the statements
 * prepared on it) for the life of the server; every request is still one
 * transaction on it. A store file replaced or removed under the server is
 * opened again, as a fresh open per request would. */
static pthread_key_t worker_key;
static _Thread_local struct store *worker_store;

static void worker_exit(void *st)
{
	store_close(st);
}

static struct store *worker_store_get(void)
{
	/* a file replaced or removed under the server, or a database connection
	 * lost (the database restarted): a new connection */
	if (worker_store && (!store_still_there(worker_store) || store_down(worker_store))) {
		store_close(worker_store);
		worker_store = NULL;
		pthread_setspecific(worker_key, NULL);
	}
	if (!worker_store && store_open_existing(conf.store, &worker_store) == DP_OK)
		pthread_setspecific(worker_key, worker_store);
	return worker_store;
}

static void wipe(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
}

struct request {
	struct buf body;
	int too_big;
	struct timespec start;
	struct conn *conn;
};

enum {
	OPT_LOG = CHAR_MAX + 1,
	OPT_REGION,
	OPT_TRUST_CLOCK,
	OPT_ADD_ACCOUNT,
	OPT_VERSION,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_MAX_CONNECTIONS,
	OPT_IDLE_TIMEOUT,
	OPT_COPY_STORE,
};

static _Noreturn void usage(void)
{
	printf("Usage: %s [--listen ADDR:PORT] [--store PATH] [--threads N] [--log FILE]\n"
	       "               [--region REGION] [--trust-client-clock]\n"
	       "               [--tls-cert FILE --tls-key FILE] [--max-connections N]\n"
	       "               [--idle-timeout SECONDS]\n"
	       "       %s [--store PATH] --add-account ACCESS_KEY < secret\n"
	       "       %s --copy-store FROM TO\n\n"
	       "Serve the EC2/DevPay Query API over HTTP on a devpay store.\n\n"
	       "Options:\n"
	       "  -l, --listen ADDR:PORT           address to listen on (default 127.0.0.1:8773)\n"
	       "  -s, --store PATH                 the store (default DEVPAY_STORE, then\n"
	       "                                   ${XDG_DATA_HOME:-~/.local/share}/devpay/store.db)\n"
	       "  -t, --threads N                  worker threads (default 4)\n"
	       "      --log FILE                   append the access log to FILE (default stderr)\n"
	       "      --region REGION              region of SigV2 requests (default us-east-1)\n"
	       "      --trust-client-clock         honour the X-Devpay-Now header (tests only; unsafe)\n"
	       "      --tls-cert FILE              serve HTTPS with this PEM certificate (chain)\n"
	       "      --tls-key FILE               the PEM private key of --tls-cert\n"
	       "      --max-connections N          open connections at once (default 4096)\n"
	       "      --idle-timeout SECONDS       close a connection silent this long (default 10)\n"
	       "      --add-account ACCESS_KEY     add an account, its secret read from stdin, print\n"
	       "                                   its id and exit\n"
	       "      --copy-store FROM TO         copy every row of the store FROM into TO, which\n"
	       "                                   must be empty (SQLite path or postgresql:// URI),\n"
	       "                                   print each table's rows and exit\n"
	       "  -h, --help                       print this help and exit\n"
	       "      --version                    print the version and exit\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error, 3 store unreachable.\n"
	       "See devpayd(8).\n",
	       PROG, PROG, PROG);
	exit(0);
}

static _Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", PROG);
	exit(2);
}

static _Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static _Noreturn void die(int status, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* A value safe to print in the log: printable ASCII, no spaces, bounded. */
static void log_token(char *out, size_t outsz, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < outsz; s++)
		out[n++] = (*s > ' ' && *s < 127) ? *s : '?';
	if (!n && outsz > 1)
		out[n++] = '-';
	out[n] = '\0';
}

static void access_log(struct MHD_Connection *conn, const struct request *r, const char *action,
		       const char *key, int status)
{
	char when[32], peer[NI_MAXHOST + NI_MAXSERV + 2] = "-", a[80], k[140];
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	long ms = (end.tv_sec - r->start.tv_sec) * 1000L + (end.tv_nsec - r->start.tv_nsec) / 1000000L;
	clock_format_wire((int64_t)time(NULL), when);
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		char host[NI_MAXHOST], serv[NI_MAXSERV];
		socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
									: sizeof(struct sockaddr_in);
		if (!getnameinfo(ci->client_addr, len, host, sizeof host, serv, sizeof serv,
				 NI_NUMERICHOST | NI_NUMERICSERV))
			snprintf(peer, sizeof peer, "%s:%s", host, serv);
	}
	log_token(a, sizeof a, action);
	log_token(k, sizeof k, key);
	pthread_mutex_lock(&log_lock);
	fprintf(conf.log, "%s %s %s %s %d %ldms\n", when, peer, a, k, status, ms);
	fflush(conf.log);
	pthread_mutex_unlock(&log_lock);
}

static enum MHD_Result send_xml(struct MHD_Connection *conn, int status, struct buf *xml)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(xml->len, xml->p,
								     MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/xml;charset=UTF-8");
	/* while stopping, no connection is kept for another request */
	if (atomic_load(&stopping))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
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
	const char *pin = conf.trust_client_clock
		? MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Devpay-Now") : NULL;
	if (pin) {
		if (clock_parse(pin, now))
			return auth_refuse(f, 400, "InvalidParameterValue", "X-Devpay-Now is not an ISO 8601 UTC time");
		return 0;
	}
	if (clock_now(now))
	{
		log_line("the service clock is misconfigured: %s", dp_err_detail());
		return auth_refuse(f, 500, "InternalError", "An internal error has occurred");
	}
	return 0;
}

/* 0 while the path still names the store devpayd started on. A store that
 * disappears or is replaced is not re-created: 503 until it is back. The
 * change is logged once. */
static int store_check(struct auth_refusal *f)
{
	static atomic_int was_bad;
	struct stat sb;
	const char *what = NULL;
	if (stat(conf.store, &sb))
		what = "has disappeared";
	else if (sb.st_dev != conf.store_dev || sb.st_ino != conf.store_ino)
		what = "has been replaced by another file";
	if (!what) {
		if (atomic_exchange(&was_bad, 0))
			log_line("the store '%s' is back; serving it again", conf.store);
		return 0;
	}
	if (!atomic_exchange(&was_bad, 1))
		log_line("the store '%s' %s; answering 503 until it is back (it is not re-created)",
			 conf.store, what);
	return auth_refuse(f, 503, "ServiceUnavailable",
			   "The service is unavailable. Try again later.");
}

static int handle(struct MHD_Connection *conn, const char *method, const char *url,
		  struct request *r, struct buf *xml, const char **action, char *keybuf, size_t keysz)
{
	struct auth_refusal f = { 0 };
	struct query get = QUERY_INIT, q = QUERY_INIT;
	struct store *st = NULL;
	int status = 0;
	*action = NULL;
	if (r->too_big) {
		auth_refuse(&f, 413, "RequestEntityTooLarge", "The request body is larger than %d bytes", MAX_BODY);
		goto out;
	}
	if (strcmp(method, "POST") && strcmp(method, "GET")) {
		auth_refuse(&f, 405, "InvalidHttpRequest", "Method %s is not allowed: use POST or GET", method);
		goto out;
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &get);
	for (size_t i = 0; i < get.n; i++)
		query_add(&q, get.v[i].name, get.v[i].value);
	if (r->body.len && (memchr(r->body.p, '\0', r->body.len) ||
			    query_parse(&q, r->body.p, r->body.len))) {
		auth_refuse(&f, 400, "MalformedQueryString", "The request body is not a well-formed form encoding");
		goto out;
	}
	if (q.n > MAX_PARAMS) {
		/* the service's own limit and refusal (text.h), before any work */
		auth_refuse(&f, 400, "InvalidParameterValue",
			    "The request has %zu parameters; at most %d are accepted", q.n, MAX_PARAMS);
		goto out;
	}
	*action = query_get(&q, "Action");
	if (!conf.pg && store_check(&f))
		goto out;
	if (!(st = worker_store_get())) {
		log_line("cannot open the store: %s", dp_err_detail());
		if (conf.pg)
			/* the database is unreachable: clients retry a 503 */
			auth_refuse(&f, 503, "ServiceUnavailable", "The service is unavailable. Try again later.");
		else if (!store_check(&f))
			auth_refuse(&f, 500, "InternalError", "An internal error has occurred");
		goto out;
	}
	struct headers hs = { 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, &hs);
	struct auth_request ar = { .method = method, .path = url, .headers = hs.v, .nheaders = hs.n,
				   .url_query = &get, .params = &q, .body = r->body.p,
				   .body_len = r->body.len, .v2_region = conf.region,
				   .real_now = (int64_t)time(NULL) };
	struct auth_result who;
	int v = auth_check(st, &ar, &who);
	free(hs.v);
	snprintf(keybuf, keysz, "%s", who.key);
	if (v) {
		f = who.refusal;
		if (f.status >= 500)
			log_line("cannot verify a request: %s", dp_err_detail());
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
	if (host && *host && strlen(host) < 256 && !strpbrk(host, "/\\ \t\r\n<>&\"'"))
		buf_addf(&endpoint, "%s://%s/", conf.tls_cert ? "https" : "http", host);
	struct service_call call = { .st = st, .account = who.account, .region = who.region, .q = &q,
				     .now = now, .internal = &internal, .endpoint = buf_str(&endpoint) };
	status = service_handle(&call, xml);
	buf_release(&endpoint);
	if (internal.len) {
		char a[80];
		log_token(a, sizeof a, *action);
		log_line("%s: internal error: %s", a, buf_str(&internal));
	}
	buf_release(&internal);
out:
	if (!status) {
		status = f.status;
		service_error_doc(f.code, f.message, xml);
	}
	/* the action's name outlives q in the caller's log line */
	static _Thread_local char act[80];
	if (*action) {
		snprintf(act, sizeof act, "%s", *action);
		*action = act;
	}
	query_release(&get);
	query_release(&q);
	return status;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	struct request *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		*con_cls = r;
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		r->conn = ci ? ci->socket_context : NULL;
		if (r->conn) {
			/* a request on an idle keep-alive connection is pending again */
			if (r->conn->served)
				atomic_fetch_add(&pending, 1);
			r->conn->busy = 1;
		}
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (!cl || strtoull(cl, NULL, 10) <= MAX_BODY)
			return MHD_YES;
		r->too_big = 1; /* answered now, the body left unread */
	} else if (*upload_size) {
		if (!r->too_big && r->body.len + *upload_size <= MAX_BODY)
			buf_add(&r->body, upload, *upload_size);
		else
			r->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	struct buf xml = BUF_INIT;
	const char *action;
	char key[129] = "";
	int status = handle(conn, method, url, r, &xml, &action, key, sizeof key);
	enum MHD_Result rc = send_xml(conn, status, &xml);
	access_log(conn, r, action, key, status);
	buf_release(&xml);
	return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct request *r = *con_cls;
	if (!r)
		return;
	if (r->conn) {
		r->conn->served++;
		r->conn->busy = 0;
		atomic_fetch_sub(&pending, 1);
	}
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = xcalloc(1, sizeof(struct conn));
		atomic_fetch_add(&pending, 1);
		atomic_fetch_add(&started_total, 1);
		return;
	}
	struct conn *c = *socket_context;
	if (!c)
		return;
	if (!c->served || c->busy)
		atomic_fetch_sub(&pending, 1);
	free(c);
	*socket_context = NULL;
}

/* SIGHUP: the log file is opened again (after rotation); on failure the
 * old one is kept. */
static void reopen_log(void)
{
	if (!conf.logfile) {
		log_line("SIGHUP: logging to standard error, nothing to reopen");
		return;
	}
	FILE *f = fopen(conf.logfile, "a");
	if (!f) {
		log_line("SIGHUP: cannot reopen log '%s': %s; still writing to the old one",
			 conf.logfile, strerror(errno));
		return;
	}
	pthread_mutex_lock(&log_lock);
	FILE *old = conf.log;
	conf.log = f;
	pthread_mutex_unlock(&log_lock);
	fclose(old);
	log_line("SIGHUP: log '%s' reopened", conf.logfile);
}

/* Connections the kernel completed before the stop, still in the listen
 * queue, are handed to the server: accepted means answered. */
static int drain_backlog(struct MHD_Daemon *d, MHD_socket lsock)
{
	int n = 0, fl = fcntl(lsock, F_GETFL);
	if (fl < 0 || fcntl(lsock, F_SETFL, fl | O_NONBLOCK))
		return 0;
	for (;;) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa;
		int fd = accept4(lsock, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return n;
		}
		if (MHD_add_connection(d, fd, (struct sockaddr *)&sa, len) == MHD_YES)
			n++;
	}
}

static struct addrinfo *listen_address(const char *spec)
{
	struct addrinfo *ai;
	struct buf why = BUF_INIT;
	if (listen_parse(spec, &ai, &why))
		usage_error("%s", buf_str(&why));
	return ai;
}

/* The whole of a small file (a PEM certificate or key), NUL-terminated. */
static char *slurp(const char *what, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die(1, "cannot read %s '%s': %s", what, path, strerror(errno));
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 1024 * 1024)
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad || !b.len)
		die(1, "cannot read %s '%s': %s", what, path, bad ? strerror(errno) : "the file is empty");
	return buf_detach(&b);
}

/* --tls-cert and --tls-key read and checked (a PEM certificate, a PEM key,
 * the one the other's public key belongs to) before anything is served, so a
 * mistake is named instead of failing as "cannot listen". */
static void tls_load(char **cert, char **key)
{
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
		die(1, "this libmicrohttpd was built without TLS: --tls-cert cannot be served");
	*cert = slurp("certificate", conf.tls_cert);
	*key = slurp("key", conf.tls_key);
	BIO *cb = BIO_new_mem_buf(*cert, -1), *kb = BIO_new_mem_buf(*key, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	BIO_free(cb);
	BIO_free(kb);
	const char *why = !x ? "--tls-cert '%s' holds no PEM certificate"
		: !k ? "--tls-key '%s' holds no PEM private key (or one protected by a passphrase)"
		: X509_check_private_key(x, k) != 1 ? "--tls-key '%s' is not the key of the certificate"
		: NULL;
	X509_free(x);
	EVP_PKEY_free(k);
	if (why)
		die(1, why, !x ? conf.tls_cert : conf.tls_key);
}

/* Room for --max-connections: the soft limit on open files raised as far as
 * needed (up to the hard one), and the connection limit lowered to what fits. */
static unsigned connection_room(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)conf.max_connections + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return (unsigned)conf.max_connections;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		long fit = rl.rlim_cur > 128 ? (long)rl.rlim_cur - 64 : 64;
		fprintf(conf.log, "%s: the open-file limit (%lu) allows %ld connections, not %ld\n", PROG,
			(unsigned long)rl.rlim_cur, fit, conf.max_connections);
		return (unsigned)fit;
	}
	return (unsigned)conf.max_connections;
}

/* A password stays out of the command line (ps shows it): libpq reads
 * PGPASSWORD and ~/.pgpass. */
static void no_password(const char *opt, const char *store)
{
	if (!store_is_pg_uri(store))
		return;
	const char *auth = strstr(store, "://") + 3, *at = strchr(auth, '@');
	const char *slash = strchr(auth, '/');
	if (at && (!slash || at < slash) && memchr(auth, ':', (size_t)(at - auth)))
		usage_error("%s: give the PostgreSQL password in PGPASSWORD or ~/.pgpass,"
			    " not in the URI", opt);
}

/* --copy-store FROM TO: each table and the rows copied into it, one line
 * each (tab-separated), on standard output. */
static int copy_store(const char *from, const char *to)
{
	no_password("--copy-store", from);
	no_password("--copy-store", to);
	if (!*from || !*to)
		usage_error("--copy-store FROM TO: a store is named by a path or a postgresql:// URI,"
			    " not an empty string");
	struct store_copy_result res;
	enum dp_err e = store_copy(from, to, &res);
	if (e) {
		store_copy_result_free(&res);
		die(dp_exit_status(e), "%s", dp_err_detail());
	}
	for (int i = 0; i < res.ntables; i++)
		printf("%s\t%ld\n", res.tables[i], res.rows[i]);
	if (res.unopened && store_is_pg_uri(from))
		fprintf(stderr, "%s: %ld account(s) have secrets sealed with the key file of the SQLite"
			" store they came from (a database has none); devpayd serving '%s' refuses their"
			" requests until they are added with --add-account\n", PROG, res.unopened, to);
	else if (res.unopened)
		fprintf(stderr, "%s: %ld account(s) have secrets sealed with a key file that is not"
			" beside '%s'; devpayd serving '%s' refuses their requests until they are"
			" added with --add-account\n", PROG, res.unopened, from, to);
	store_copy_result_free(&res);
	return fflush(stdout) ? 1 : 0;
}

static int add_account(const char *key)
{
	if (!*key || strlen(key) > 128)
		usage_error("invalid access key '%s': expected 1 to 128 printable characters", key);
	for (const char *p = key; *p; p++)
		if (*p <= ' ' || *p >= 127)
			usage_error("invalid access key '%s': expected 1 to 128 printable characters", key);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0)
		die(1, "no secret on standard input: give the account's secret key as one line");
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (!n)
		die(1, "empty secret on standard input: give the account's secret key as one line");
	int64_t now;
	if (clock_now(&now))
		die(2, "%s", dp_err_detail());
	struct store *st;
	enum dp_err e = store_open(conf.store, &st);
	if (e)
		die(dp_exit_status(e), "cannot open store '%s': %s", conf.store_shown, dp_err_detail());
	char account[13];
	int r = service_add_account(st, key, line, now, account);
	wipe(line);
	free(line);
	store_close(st);
	if (r == -2)
		die(1, "access key '%s' already has an account in '%s'", key, conf.store_shown);
	if (r < 0)
		die(1, "cannot add the account: %s", dp_err_detail());
	if (r == 1)
		fprintf(stderr, "devpayd: access key '%s' had a local account; it is now served with "
			"the secret given\n", key);
	printf("%s\n", account);
	return 0;
}

int main(int argc, char **argv)
{
	/* a store this server upgrades keeps the secrets its accounts need */
	store_keep_secrets(1);
	/* devpayd alone serves PostgreSQL databases (common/store/store_pg.c) */
	store_enable_pg(&store_pg_ops);
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "store", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "trust-client-clock", no_argument, NULL, OPT_TRUST_CLOCK },
		{ "add-account", required_argument, NULL, OPT_ADD_ACCOUNT },
		{ "copy-store", required_argument, NULL, OPT_COPY_STORE },
		{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
		{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen = "127.0.0.1:8773", *logfile = NULL, *new_key = NULL, *copy_from = NULL;
	long threads = 4;
	conf.region = "us-east-1";
	conf.max_connections = 4096;
	conf.idle_timeout = 10;
	opterr = 0;
	for (int k, prev = optind; (k = getopt_long(argc, argv, ":l:s:t:h", longopts, NULL)) != -1;
	     prev = optind) {
		char *end;
		switch (k) {
		case 'l': listen = optarg; break;
		case 's': conf.store = optarg; break;
		case 't':
			threads = strtol(optarg, &end, 10);
			if (!*optarg || *end || threads < 1 || threads > 256)
				usage_error("invalid --threads '%s': expected a whole number from 1 to 256", optarg);
			break;
		case OPT_LOG: logfile = conf.logfile = optarg; break;
		case OPT_REGION:
			if (!auth_valid_region(optarg))
				usage_error("invalid region '%s'", optarg);
			conf.region = optarg;
			break;
		case OPT_TRUST_CLOCK: conf.trust_client_clock = 1; break;
		case OPT_ADD_ACCOUNT: new_key = optarg; break;
		case OPT_COPY_STORE: copy_from = optarg; break;
		case OPT_TLS_CERT: conf.tls_cert = optarg; break;
		case OPT_TLS_KEY: conf.tls_key = optarg; break;
		case OPT_MAX_CONNECTIONS:
			conf.max_connections = strtol(optarg, &end, 10);
			if (!*optarg || *end || conf.max_connections < 1 || conf.max_connections > 100000)
				usage_error("invalid --max-connections '%s': expected a whole number from 1 to 100000", optarg);
			break;
		case OPT_IDLE_TIMEOUT:
			conf.idle_timeout = strtol(optarg, &end, 10);
			if (!*optarg || *end || conf.idle_timeout < 1 || conf.idle_timeout > 3600)
				usage_error("invalid --idle-timeout '%s': expected a whole number of seconds from 1 to 3600", optarg);
			break;
		case 'h': usage();
		case OPT_VERSION:
			printf("%s %s\n", PROG, DEVPAY_VERSION);
			return 0;
		case ':': usage_error("option '%s' requires an argument", argv[optind - 1]);
		default: usage_error("unrecognized option '%s'", argv[prev < argc ? prev : argc - 1]);
		}
	}
	if (copy_from) {
		if (optind == argc)
			usage_error("--copy-store FROM TO: the store to copy into (TO) is missing");
		if (optind + 1 < argc)
			usage_error("unexpected argument '%s'", argv[optind + 1]);
		if (conf.store || new_key)
			usage_error("--copy-store names its two stores itself: it goes with no %s",
				    new_key ? "--add-account" : "--store");
		return copy_store(copy_from, argv[optind]);
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!conf.tls_cert != !conf.tls_key)
		usage_error("--tls-cert and --tls-key go together");
	struct buf path = BUF_INIT;
	if (!conf.store) {
		if (store_path(NULL, &path))
			die(3, "%s", dp_err_detail());
		conf.store = buf_str(&path);
	}
	conf.pg = store_is_pg_uri(conf.store);
	conf.store_shown = conf.store;
	no_password("--store", conf.store);
	if (new_key)
		return add_account(new_key);

	int64_t probe;
	if (clock_now(&probe))
		die(2, "%s", dp_err_detail());
	struct store *st;
	enum dp_err e = store_open(conf.store, &st);
	if (e)
		die(dp_exit_status(e), "cannot open store '%s': %s", conf.store_shown, dp_err_detail());
	store_close(st);
	if (!conf.pg) {
		struct stat sb;
		if (stat(conf.store, &sb))
			die(3, "cannot open store '%s': %s", conf.store, strerror(errno));
		conf.store_dev = sb.st_dev;
		conf.store_ino = sb.st_ino;
		/* the key file beside the store opens the sealed secrets of the
		 * accounts local mode created (secret.h); without it they are
		 * refused (a PostgreSQL database has operators' accounts only) */
		unsigned char seal[SECRET_KEY_BYTES];
		int have_seal = 0;
		if (secret_key_load(conf.store, 0, seal, &have_seal))
			die(3, "%s", dp_err_detail());
		if (have_seal)
			service_use_sealing_key(seal);
		OPENSSL_cleanse(seal, sizeof seal);
	}
	conf.log = stderr;
	if (logfile && !(conf.log = fopen(logfile, "a")))
		die(1, "cannot open log '%s': %s", logfile, strerror(errno));
	struct addrinfo *ai = listen_address(listen);

	xmlInitParser();
	if (pthread_key_create(&worker_key, worker_exit))
		die(1, "cannot create the workers' store key");
	/* request bodies are decoded with libcurl: load it before serving */
	if (curl_dl_load() || crypto_dl_load())
		die(1, "%s", dp_err_detail());
	/* the workers inherit a mask that leaves SIGTERM/SIGINT/SIGHUP to sigwait below */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	/* a shell starts background jobs with SIGINT ignored (nohup: SIGHUP); an
	 * ignored signal is dropped before sigwait could take it */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);

	/* epoll, so that thousands of open connections cost nothing while they
	 * are idle; each one closed after --idle-timeout seconds of silence */
	char *cert = NULL, *key = NULL;
	if (conf.tls_cert)
		tls_load(&cert, &key);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 (MHD_is_feature_supported(MHD_FEATURE_EPOLL) ? MHD_USE_EPOLL : MHD_USE_AUTO) |
			 (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (cert ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls[] = {
		{ cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, key },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)conf.idle_timeout, MHD_OPTION_CONNECTION_LIMIT, connection_room(),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!d)
		die(3, "cannot listen on %s: %s", listen, strerror(errno));
	freeaddrinfo(ai);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(conf.log, "%s %s listening on %s (port %u, %s), store %s\n", PROG, DEVPAY_VERSION,
		listen, di ? di->port : 0, cert ? "https" : "http", conf.store_shown);
	fflush(conf.log);

	int sig = 0;
	while (!sigwait(&stop, &sig) && sig == SIGHUP)
		reopen_log();
	/* stop accepting, answer every request already accepted (those still in
	 * the listen queue too), then stop; at most GRACE_SECONDS */
	const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
	atomic_store(&stopping, 1);
	MHD_socket lsock = MHD_quiesce_daemon(d);
	int base = atomic_load(&started_total);
	int queued = lsock != MHD_INVALID_SOCKET ? drain_backlog(d, lsock) : 0;
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	log_line("%s: stopped accepting; answering the accepted requests (%d connection(s) taken "
		 "from the listen queue), for at most %d s", name, queued, GRACE_SECONDS);
	for (int i = 0; i < GRACE_SECONDS * 100 &&
			(atomic_load(&pending) > 0 || atomic_load(&started_total) < base + queued);
	     i++)
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	int left = atomic_load(&pending);
	MHD_stop_daemon(d);
	if (left > 0)
		log_line("%s: the grace period ended with %d connection(s) unfinished", name, left);
	log_line("stopped on %s", name);
	if (conf.log != stderr)
		fclose(conf.log);
	buf_release(&path);
	if (key)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	free(cert);
	return 0;
}
