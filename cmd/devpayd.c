/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd: the Query API over HTTP (GNU libmicrohttpd, a thread pool) on the
 * same service layer as the local transport. A request is read, its
 * signature verified (SigV4 or SigV2) against the secret of a known access
 * key, and handed to service_handle; the XML answer goes back with the status
 * the service gave. Accounts are added only by the operator (--add-account). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <libxml/parser.h>
#include <openssl/crypto.h>
#include "base/crypto_dl.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/curl_dl.h"
#include "base/rates.h"
#include "base/secret.h"
#include "base/version.h"
#include "service/auth.h"
#include "service/service.h"
#include "store/store.h"
#include "store/store_pg.h"
#include "server/admin.h"
#include "server/api.h"
#include "server/front.h"
#include "server/listen.h"
#include "server/log.h"
#include "server/pages_session.h"
#include "server/tls.h"

#define PROG "devpayd"
/* seconds a stop on SIGTERM/SIGINT waits for the requests already accepted */
#define GRACE_SECONDS 30
/* the answer when --max-answer-memory has no room for one: EC2's error
 * document (clients retry a 503) */
#define BUSY_XML "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>" \
	"<Code>ServiceUnavailable</Code><Message>The service holds too many answers its clients " \
	"have not read yet. Try again later, or ask for fewer items (MaxResults).</Message>" \
	"</Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>\n"

static struct {
	const char *store;
	const char *store_shown;        /* the store for messages: no password */
	const char *tls_cert, *tls_key;
	long max_connections;   /* open connections at once */
	long idle_timeout;      /* seconds a connection may stay silent */
	long request_deadline;  /* seconds for a whole request */
	long max_per_ip;        /* open connections of one client address */
	long answer_mb;         /* MiB of answers not yet read by their clients */
} conf;
static struct api_config api;

static void wipe(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
}

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
	OPT_RATES,
	OPT_SESSION_LIFETIME,
	OPT_REQUEST_DEADLINE,
	OPT_MAX_PER_IP,
	OPT_ANSWER_MEMORY,
	OPT_NO_HEALTHZ,
	OPT_NO_METRICS,
	OPT_TRUSTED_PROXY,
	OPT_LIST_ACCOUNTS,
	OPT_REMOVE_ACCOUNT,
	OPT_ROTATE_KEY,
	OPT_NEW_KEY,
	OPT_OLD_KEY_EXPIRES,
};

/* --trusted-proxy networks */
#define MAX_TRUSTED 64
static struct front_net trusted_nets[MAX_TRUSTED];
static int ntrusted;

static _Noreturn void usage(void)
{
	printf("Usage: %s [--listen ADDR:PORT] [--store PATH] [--threads N] [--log FILE]\n"
	       "               [--region REGION] [--trust-client-clock]\n"
	       "               [--tls-cert FILE --tls-key FILE] [--max-connections N]\n"
	       "               [--idle-timeout SECONDS] [--request-deadline SECONDS]\n"
	       "               [--max-connections-per-ip N] [--max-answer-memory MIB]\n"
	       "               [--rates FILE] [--session-lifetime SECONDS] [--no-healthz]\n"
	       "               [--no-metrics] [--trusted-proxy CIDR]...\n"
	       "       %s [--store PATH] --add-account ACCESS_KEY < secret\n"
	       "       %s [--store PATH] --list-accounts\n"
	       "       %s [--store PATH] --remove-account ACCESS_KEY\n"
	       "       %s [--store PATH] --rotate-key OLD_KEY --new-key NEW_KEY\n"
	       "               [--old-key-expires TIME|SECONDS] < new secret\n"
	       "       %s --copy-store FROM TO\n\n"
	       "Serve the EC2/DevPay Query API over HTTP on a devpay store.\n\n"
	       "Options:\n"
	       "  -l, --listen ADDR:PORT           address to listen on (default 127.0.0.1:8773)\n"
	       "  -s, --store PATH                 the store (default DEVPAY_STORE, then\n"
	       "                                   ${XDG_DATA_HOME:-~/.local/share}/devpay/store.db)\n"
	       "  -t, --threads N                  worker threads (default four times the\n"
	       "                                   cores, at most 64)\n"
	       "      --log FILE                   append the access log to FILE (default stderr)\n"
	       "      --region REGION              region of SigV2 requests (default us-east-1)\n"
	       "      --trust-client-clock         honour the X-Devpay-Now header (tests only; unsafe)\n"
	       "      --tls-cert FILE              serve HTTPS with this PEM certificate (chain)\n"
	       "      --tls-key FILE               the PEM private key of --tls-cert\n"
	       "      --max-connections N          open connections at once (default 4096)\n"
	       "      --idle-timeout SECONDS       close a connection silent this long (default 10)\n"
	       "      --request-deadline SECONDS   close a connection that has not sent a whole\n"
	       "                                   request this long after it opened or its last\n"
	       "                                   answer (default 10)\n"
	       "      --max-connections-per-ip N   open connections of one client address (default\n"
	       "                                   1024); its oldest waiting one closed past that\n"
	       "      --max-answer-memory MIB      answers not yet read by their clients held at\n"
	       "                                   once (default 256); a larger one: 503\n"
	       "      --rates FILE                 add or override EC2 on-demand rates from FILE\n"
	       "                                   (default DEVPAY_RATES; see devpay(7))\n"
	       "      --session-lifetime SECONDS   end a page session idle this long (default 3600)\n"
	       "      --no-healthz                 no GET /healthz (answered as any unsigned request)\n"
	       "      --no-metrics                 no GET /metrics (answered as any unsigned request)\n"
	       "      --trusted-proxy CIDR         log the X-Forwarded-For client of requests from\n"
	       "                                   this network (repeatable; IPv4 or IPv6)\n"
	       "      --add-account ACCESS_KEY     add an account, its secret read from stdin, print\n"
	       "                                   its id and exit\n"
	       "      --list-accounts              print each access key (key, account, kind,\n"
	       "                                   created, expires), never a secret, and exit\n"
	       "      --remove-account ACCESS_KEY  the key no longer signs (the account's data\n"
	       "                                   stays); print the account's id and exit\n"
	       "      --rotate-key OLD_KEY         give OLD_KEY's account the key of --new-key, its\n"
	       "                                   secret read from stdin; print the id and exit\n"
	       "      --new-key NEW_KEY            the new access key of --rotate-key\n"
	       "      --old-key-expires TIME|SECONDS\n"
	       "                                   OLD_KEY signs until TIME (ISO 8601 UTC) or for\n"
	       "                                   SECONDS more (default 86400; 0: stops at once)\n"
	       "      --copy-store FROM TO         copy every row of the store FROM into TO, which\n"
	       "                                   must be empty (SQLite path or postgresql:// URI),\n"
	       "                                   print each table's rows and exit\n"
	       "  -h, --help                       print this help and exit\n"
	       "      --version                    print the version and exit\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error, 3 store unreachable.\n"
	       "See devpayd(8).\n",
	       PROG, PROG, PROG, PROG, PROG, PROG);
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

static struct addrinfo *listen_address(const char *spec)
{
	struct addrinfo *ai;
	struct buf why = BUF_INIT;
	if (listen_parse(spec, &ai, &why))
		usage_error("%s", buf_str(&why));
	return ai;
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
		{ "request-deadline", required_argument, NULL, OPT_REQUEST_DEADLINE },
		{ "max-connections-per-ip", required_argument, NULL, OPT_MAX_PER_IP },
		{ "max-answer-memory", required_argument, NULL, OPT_ANSWER_MEMORY },
		{ "rates", required_argument, NULL, OPT_RATES },
		{ "session-lifetime", required_argument, NULL, OPT_SESSION_LIFETIME },
		{ "no-healthz", no_argument, NULL, OPT_NO_HEALTHZ },
		{ "no-metrics", no_argument, NULL, OPT_NO_METRICS },
		{ "trusted-proxy", required_argument, NULL, OPT_TRUSTED_PROXY },
		{ "list-accounts", no_argument, NULL, OPT_LIST_ACCOUNTS },
		{ "remove-account", required_argument, NULL, OPT_REMOVE_ACCOUNT },
		{ "rotate-key", required_argument, NULL, OPT_ROTATE_KEY },
		{ "new-key", required_argument, NULL, OPT_NEW_KEY },
		{ "old-key-expires", required_argument, NULL, OPT_OLD_KEY_EXPIRES },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen = "127.0.0.1:8773", *logfile = NULL, *new_key = NULL, *copy_from = NULL;
	const char *rates = getenv("DEVPAY_RATES"), *rates_from = "DEVPAY_RATES: ";
	const char *remove_key = NULL, *rotate_old = NULL, *rotate_new = NULL, *expires_at = NULL;
	int list = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	long threads = 0;
	api.region = "us-east-1";
	api.healthz = api.metrics = 1;
	conf.max_connections = 4096;
	conf.answer_mb = 256;
	conf.idle_timeout = 10;
	conf.request_deadline = 10;
	conf.max_per_ip = 1024;
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
			api.region = optarg;
			break;
		case OPT_TRUST_CLOCK: api.trust_client_clock = 1; break;
		case OPT_ADD_ACCOUNT: new_key = optarg; break;
		case OPT_COPY_STORE: copy_from = optarg; break;
		case OPT_RATES: rates = optarg; rates_from = ""; break;
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
		case OPT_REQUEST_DEADLINE:
			conf.request_deadline = strtol(optarg, &end, 10);
			if (!*optarg || *end || conf.request_deadline < 1 || conf.request_deadline > 3600)
				usage_error("invalid --request-deadline '%s': expected a whole number of seconds from 1 to 3600", optarg);
			break;
		case OPT_MAX_PER_IP:
			conf.max_per_ip = strtol(optarg, &end, 10);
			if (!*optarg || *end || conf.max_per_ip < 1 || conf.max_per_ip > 100000)
				usage_error("invalid --max-connections-per-ip '%s': expected a whole number from 1 to 100000", optarg);
			break;
		case OPT_ANSWER_MEMORY:
			conf.answer_mb = strtol(optarg, &end, 10);
			if (!*optarg || *end || conf.answer_mb < 1 || conf.answer_mb > 1048576)
				usage_error("invalid --max-answer-memory '%s': expected a whole number of MiB from 1 to 1048576", optarg);
			break;
		case OPT_SESSION_LIFETIME: {
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 60 || v > 86400 * 30)
				usage_error("invalid --session-lifetime '%s': expected a whole number of seconds from 60 to 2592000", optarg);
			session_set_lifetime(v);
			break;
		}
		case OPT_NO_HEALTHZ: api.healthz = 0; break;
		case OPT_NO_METRICS: api.metrics = 0; break;
		case OPT_TRUSTED_PROXY:
			if (ntrusted == MAX_TRUSTED)
				usage_error("--trusted-proxy: at most %d networks", MAX_TRUSTED);
			if (front_net_parse(optarg, &trusted_nets[ntrusted]))
				usage_error("%s", dp_err_detail());
			ntrusted++;
			break;
		case OPT_LIST_ACCOUNTS: list = 1; break;
		case OPT_REMOVE_ACCOUNT: remove_key = optarg; break;
		case OPT_ROTATE_KEY: rotate_old = optarg; break;
		case OPT_NEW_KEY: rotate_new = optarg; break;
		case OPT_OLD_KEY_EXPIRES: expires_at = optarg; break;
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
		const char *other = new_key ? "--add-account" : list ? "--list-accounts"
				  : remove_key ? "--remove-account" : rotate_old ? "--rotate-key"
				  : conf.store ? "--store" : NULL;
		if (other)
			usage_error("--copy-store names its two stores itself: it goes with no %s", other);
		return admin_copy_store(copy_from, argv[optind]);
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!!new_key + list + !!remove_key + !!rotate_old > 1)
		usage_error("--add-account, --list-accounts, --remove-account and --rotate-key go alone:"
			    " give one of them");
	if ((rotate_new || expires_at) && !rotate_old)
		usage_error("%s goes with --rotate-key OLD_KEY", rotate_new ? "--new-key" : "--old-key-expires");
	if (!conf.tls_cert != !conf.tls_key)
		usage_error("--tls-cert and --tls-key go together");
	char rates_err[512];
	/* read before the worker threads start: they only look rates up */
	if (rates && *rates && rates_load(rates, rates_err, sizeof rates_err))
		usage_error("%s%s", rates_from, rates_err);
	struct buf path = BUF_INIT;
	if (!conf.store) {
		if (store_path(NULL, &path))
			die(3, "%s", dp_err_detail());
		conf.store = buf_str(&path);
	}
	api.pg = store_is_pg_uri(conf.store);
	/* four workers a core, at most 64 (bench/RESULTS.md): on PostgreSQL
	 * they spend most of a launch waiting on the database's round trips and
	 * its commit flush, which the commits of workers waiting together
	 * share; on SQLite, whose reads are answered from each worker's kept
	 * answers at a few microseconds, 8 workers on two cores answered
	 * 10-20% more reads than 4 (and launches alike) */
	if (!threads)
		threads = ncpu < 1 ? 8 : ncpu * 4 > 64 ? 64 : ncpu * 4;
	conf.store_shown = conf.store;
	int r = admin_no_password("--store", conf.store);
	if (r)
		return r;
	const struct admin_store adm = { conf.store, conf.store_shown };
	if (new_key)
		return admin_add_account(&adm, new_key);
	if (list)
		return admin_list_accounts(&adm);
	if (remove_key)
		return admin_remove_account(&adm, remove_key);
	if (rotate_old)
		return admin_rotate_key(&adm, rotate_old, rotate_new, expires_at);

	int64_t probe;
	if (clock_now(&probe))
		die(2, "%s", dp_err_detail());
	struct store *st;
	enum dp_err e = store_open(conf.store, &st);
	if (e)
		die(dp_exit_status(e), "cannot open store '%s': %s", conf.store_shown, dp_err_detail());
	store_close(st);
	if (!api.pg) {
		struct stat sb;
		if (stat(conf.store, &sb))
			die(3, "cannot open store '%s': %s", conf.store, strerror(errno));
		api.store_dev = sb.st_dev;
		api.store_ino = sb.st_ino;
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
	if (slog_open(PROG, logfile))
		die(1, "%s", dp_err_detail());
	struct addrinfo *ai = listen_address(listen);

	xmlInitParser();
	api.store = conf.store;
	api.https = conf.tls_cert != NULL;
	if (api_init(&api))
		die(1, "%s", dp_err_detail());
	/* request bodies are decoded with libcurl: load it before serving */
	if (curl_dl_load() || crypto_dl_load())
		die(1, "%s", dp_err_detail());
	char *cert = NULL, *key = NULL;
	if (conf.tls_cert && tls_load(conf.tls_cert, conf.tls_key, &cert, &key))
		die(1, "%s", dp_err_detail());
	struct front_config fc = {
		.prog = PROG, .listen = listen, .ai = ai, .threads = (unsigned)threads,
		.idle_timeout = (unsigned)conf.idle_timeout, .max_connections = conf.max_connections,
		.max_per_address = conf.max_per_ip, .request_deadline = (unsigned)conf.request_deadline,
		.tls_cert = cert, .tls_key = key, .max_body = API_MAX_BODY, .access_log = 1,
		.answer_memory = (size_t)conf.answer_mb << 20, .busy_body = BUSY_XML, .busy_type = "text/xml",
		.hup_reopens_log = 1, .handle = api_handle, .request_id_header = 1, .spread = api.pg,
		.trusted = trusted_nets, .ntrusted = ntrusted, .observe = api_observe,
	};
	unsigned port;
	struct front *f = front_start(&fc, &port);
	if (!f)
		die(3, "%s", dp_err_detail());
	freeaddrinfo(ai);
	fprintf(slog_stream(), "%s %s listening on %s (port %u, %s), store %s\n", PROG,
		DEVPAY_VERSION, listen, port, cert ? "https" : "http", conf.store_shown);
	fflush(slog_stream());

	front_wait(f, GRACE_SECONDS);
	slog_close();
	buf_release(&path);
	wipe(key);
	free(key);
	free(cert);
	return 0;
}
