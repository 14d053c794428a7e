/* devpayd: the Query API over HTTP (GNU libmicrohttpd, a thread pool) on the
 * same service layer as the local transport. A request is read, its
 * signature verified (SigV4 or SigV2) against the secret of a known access
 * key, and handed to service_handle; the XML answer goes back with the status
 * the service gave. Accounts are added only by the operator (--add-account). */
#include <errno.h>
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "curl_dl.h"
#include "query.h"
#include "service.h"
#include "store.h"
#include "version.h"

#define PROG "devpayd"
#define MAX_BODY (1024 * 1024)

static struct {
	const char *store;
	const char *region;     /* for SigV2 requests, which name none */
	int trust_client_clock;
	FILE *log;
} conf;

static atomic_int in_flight;

static void wipe(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
}

struct request {
	struct buf body;
	int too_big;
	struct timespec start;
};

enum {
	OPT_LOG = CHAR_MAX + 1,
	OPT_REGION,
	OPT_TRUST_CLOCK,
	OPT_ADD_ACCOUNT,
	OPT_VERSION,
};

static _Noreturn void usage(void)
{
	printf("Usage: %s [--listen ADDR:PORT] [--store PATH] [--threads N] [--log FILE]\n"
	       "               [--region REGION] [--trust-client-clock]\n"
	       "       %s [--store PATH] --add-account ACCESS_KEY < secret\n\n"
	       "Serve the EC2/DevPay Query API over HTTP on a devpay store.\n\n"
	       "Options:\n"
	       "  -l, --listen ADDR:PORT           address to listen on (default 127.0.0.1:8773)\n"
	       "  -s, --store PATH                 the store (default DEVPAY_STORE, then\n"
	       "                                   ${XDG_DATA_HOME:-~/.local/share}/devpay/store.db)\n"
	       "  -t, --threads N                  worker threads (default 4)\n"
	       "      --log FILE                   append the access log to FILE (default stderr)\n"
	       "      --region REGION              region of SigV2 requests (default us-east-1)\n"
	       "      --trust-client-clock         honour the X-Devpay-Now header (tests only; unsafe)\n"
	       "      --add-account ACCESS_KEY     add an account, its secret read from stdin, print\n"
	       "                                   its id and exit\n"
	       "  -h, --help                       print this help and exit\n"
	       "      --version                    print the version and exit\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error, 3 store unreachable.\n"
	       "See devpayd(8).\n",
	       PROG, PROG);
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
	fprintf(conf.log, "%s %s %s %s %d %ldms\n", when, peer, a, k, status, ms);
	fflush(conf.log);
}

static enum MHD_Result send_xml(struct MHD_Connection *conn, int status, struct buf *xml)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(xml->len, xml->p,
								     MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/xml;charset=UTF-8");
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
		return auth_refuse(f, 500, "InternalError", "the service clock is misconfigured: %s", dp_err_detail());
	return 0;
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
	*action = query_get(&q, "Action");
	if (store_open(conf.store, &st)) {
		auth_refuse(&f, 500, "InternalError", "the store cannot be opened");
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
		goto out;
	}
	int64_t now;
	if (service_clock(conn, &now, &f))
		goto out;
	/* DescribeRegions answers the URL this client reached us at */
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	struct buf endpoint = BUF_INIT;
	if (host && *host && strlen(host) < 256 && !strpbrk(host, "/\\ \t\r\n<>&\"'"))
		buf_addf(&endpoint, "http://%s/", host);
	struct service_call call = { .st = st, .account = who.account, .region = who.region, .q = &q,
				     .now = now, .endpoint = buf_str(&endpoint) };
	status = service_handle(&call, xml);
	buf_release(&endpoint);
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
	if (st)
		store_close(st);
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
		atomic_fetch_add(&in_flight, 1);
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
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

static struct addrinfo *listen_address(const char *spec)
{
	char *s = xstrdup(spec);
	char *colon = strrchr(s, ':');
	if (!colon || !colon[1])
		usage_error("invalid --listen '%s': expected ADDR:PORT", spec);
	*colon = '\0';
	char *host = s;
	if (*host == '[' && host[strlen(host) - 1] == ']') {
		host++;
		host[strlen(host) - 1] = '\0';
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		usage_error("invalid --listen '%s': the port must be a number from 0 to 65535", spec);
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(*host ? host : NULL, colon + 1, &hints, &ai);
	if (rc)
		usage_error("invalid --listen '%s': %s", spec, gai_strerror(rc));
	free(s);
	return ai;
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
		die(dp_exit_status(e), "cannot open store '%s': %s", conf.store, dp_err_detail());
	char account[13];
	int r = service_add_account(st, key, line, now, account);
	wipe(line);
	free(line);
	store_close(st);
	if (r == -2)
		die(1, "access key '%s' already has an account in '%s'", key, conf.store);
	if (r)
		die(1, "cannot add the account: %s", dp_err_detail());
	printf("%s\n", account);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "store", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "trust-client-clock", no_argument, NULL, OPT_TRUST_CLOCK },
		{ "add-account", required_argument, NULL, OPT_ADD_ACCOUNT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen = "127.0.0.1:8773", *logfile = NULL, *new_key = NULL;
	long threads = 4;
	conf.region = "us-east-1";
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
		case OPT_LOG: logfile = optarg; break;
		case OPT_REGION:
			if (!auth_valid_region(optarg))
				usage_error("invalid region '%s'", optarg);
			conf.region = optarg;
			break;
		case OPT_TRUST_CLOCK: conf.trust_client_clock = 1; break;
		case OPT_ADD_ACCOUNT: new_key = optarg; break;
		case 'h': usage();
		case OPT_VERSION:
			printf("%s %s\n", PROG, DEVPAY_VERSION);
			return 0;
		case ':': usage_error("option '%s' requires an argument", argv[optind - 1]);
		default: usage_error("unrecognized option '%s'", argv[prev < argc ? prev : argc - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	struct buf path = BUF_INIT;
	if (!conf.store) {
		if (store_path(NULL, &path))
			die(3, "%s", dp_err_detail());
		conf.store = buf_str(&path);
	}
	if (new_key)
		return add_account(new_key);

	int64_t probe;
	if (clock_now(&probe))
		die(2, "%s", dp_err_detail());
	struct store *st;
	enum dp_err e = store_open(conf.store, &st);
	if (e)
		die(dp_exit_status(e), "cannot open store '%s': %s", conf.store, dp_err_detail());
	store_close(st);
	conf.log = stderr;
	if (logfile && !(conf.log = fopen(logfile, "a")))
		die(1, "cannot open log '%s': %s", logfile, strerror(errno));
	struct addrinfo *ai = listen_address(listen);

	xmlInitParser();
	/* request bodies are decoded with libcurl: load it before serving */
	if (curl_dl_load())
		die(1, "%s", dp_err_detail());
	/* the workers inherit a mask that leaves SIGTERM/SIGINT to sigwait below */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_AUTO |
			 (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)30, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!d)
		die(3, "cannot listen on %s: %s", listen, strerror(errno));
	freeaddrinfo(ai);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(conf.log, "%s %s listening on %s (port %u), store %s\n", PROG, DEVPAY_VERSION, listen,
		di ? di->port : 0, conf.store);
	fflush(conf.log);

	int sig = 0;
	sigwait(&stop, &sig);
	/* stop accepting, let the requests in flight finish, then stop */
	MHD_socket lsock = MHD_quiesce_daemon(d);
	for (int i = 0; i < 300 && atomic_load(&in_flight) > 0; i++)
		nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
	MHD_stop_daemon(d);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	fprintf(conf.log, "%s stopped on signal %d\n", PROG, sig);
	if (conf.log != stderr)
		fclose(conf.log);
	buf_release(&path);
	return 0;
}
