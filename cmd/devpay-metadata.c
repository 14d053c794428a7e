/* devpay-metadata: serve one instance's view of the EC2 instance metadata
 * service over HTTP (libmicrohttpd), so that a seller's software can be
 * tested against it. Every answer is read afresh through the current mode
 * (local store or endpoint) with the caller's credentials: DescribeInstances
 * decides what the instance is, and only its owner may see it. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <microhttpd.h>
#include "base/clock.h"
#include "base/ids.h"
#include "server/listen.h"
#include "client/print.h"

#define TOKEN_TTL_MAX 21600 /* seconds, as EC2 */
#define TOKENS 256

enum { OPT_INSTANCE = CLI_LONG(0), OPT_LISTEN, OPT_HTTP_TOKENS };

static const struct cli_option opts[] = {
	{ "instance", OPT_INSTANCE, CLI_ARG, "ID", "the instance whose view is served (required)" },
	{ "listen", OPT_LISTEN, CLI_ARG, "ADDR:PORT", "where to serve it, e.g. 127.0.0.1:8080 (required; port 0: any free port)" },
	{ "http-tokens", OPT_HTTP_TOKENS, CLI_ARG, "optional|required", "whether an IMDSv2 token is required (default optional)" },
	{ 0 },
};

/* What the instance knows of itself, as DescribeInstances answers it. */
struct view {
	char id[32], image[32], type[32], zone[32], region[32], reservation[32], owner[16];
	char pending[32], private_ip[32], private_dns[96], launch_index[16];
	char codes[8][16];
	int ncodes;
};

static struct cli cli;
static const char *instance_id;
static int tokens_required;
static struct {
	char value[64];
	int64_t expires;
} tokens[TOKENS];
static unsigned next_token;
static enum dp_err last_err; /* of the last read_view that failed */

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* 0 the view, 1 the instance is terminated, 2 the caller sees no such
 * instance, -1 the service could not be asked or refused (msg says why). */
static int read_view(struct view *v, struct buf *msg)
{
	struct query q = QUERY_INIT;
	struct response r;
	query_add_list(&q, "InstanceId", 1, instance_id);
	enum dp_err e = client_call(&cli, "DescribeInstances", &q, &r, msg);
	query_release(&q);
	last_err = e;
	if (e) {
		response_release(&r);
		return e == DP_ERR_SERVICE && strstr(buf_str(msg), ".NotFound:") ? 2 : -1;
	}
	int found = 0, gone = 1;
	memset(v, 0, sizeof *v);
	xml_foreach(res, xml_child(r.root, "reservationSet"), "item")
	{
		xml_foreach(it, xml_child(res, "instancesSet"), "item")
		{
			if (strcmp(xml_text(it, "instanceId"), instance_id))
				continue;
			found = 1;
			const char *state = xml_text(it, "instanceState/name");
			gone = !strcmp(state, "terminated") || !strcmp(state, "shutting-down");
			copy(v->id, sizeof v->id, instance_id);
			copy(v->reservation, sizeof v->reservation, xml_text(res, "reservationId"));
			copy(v->owner, sizeof v->owner, xml_text(res, "ownerId"));
			copy(v->image, sizeof v->image, xml_text(it, "imageId"));
			copy(v->type, sizeof v->type, xml_text(it, "instanceType"));
			copy(v->zone, sizeof v->zone, xml_text(it, "placement/availabilityZone"));
			copy(v->region, sizeof v->region, v->zone);
			size_t n = strlen(v->region);
			if (n && v->region[n - 1] >= 'a' && v->region[n - 1] <= 'z')
				v->region[n - 1] = '\0';
			int64_t t;
			if (!clock_parse(xml_text(it, "launchTime"), &t)) {
				int y, m, d;
				clock_to_ymd(t, &y, &m, &d);
				int64_t s = t - clock_from_ymd(y, m, d);
				snprintf(v->pending, sizeof v->pending, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m,
					 d, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
			}
			copy(v->private_ip, sizeof v->private_ip, xml_text(it, "privateIpAddress"));
			copy(v->private_dns, sizeof v->private_dns, xml_text(it, "privateDnsName"));
			copy(v->launch_index, sizeof v->launch_index, xml_text(it, "amiLaunchIndex"));
			xml_foreach(pc, xml_child(it, "productCodes"), "item")
				if (v->ncodes < 8)
					copy(v->codes[v->ncodes++], sizeof v->codes[0],
					     xml_text(pc, "productCode"));
		}
	}
	response_release(&r);
	return !found ? 2 : gone;
}

/* The instance identity document, pretty-printed as EC2 prints it. */
static char *identity_document(const struct view *v)
{
	json_t *doc = json_object(), *codes = json_null();
	if (v->ncodes) {
		codes = json_array();
		for (int i = 0; i < v->ncodes; i++)
			json_array_append_new(codes, json_string(v->codes[i]));
	}
	json_object_set_new(doc, "accountId", json_string(v->owner));
	json_object_set_new(doc, "architecture", json_string("x86_64"));
	json_object_set_new(doc, "availabilityZone", json_string(v->zone));
	json_object_set_new(doc, "billingProducts", json_null());
	json_object_set_new(doc, "devpayProductCodes", codes);
	json_object_set_new(doc, "marketplaceProductCodes", json_null());
	json_object_set_new(doc, "imageId", json_string(v->image));
	json_object_set_new(doc, "instanceId", json_string(v->id));
	json_object_set_new(doc, "instanceType", json_string(v->type));
	json_object_set_new(doc, "kernelId", json_null());
	json_object_set_new(doc, "pendingTime", *v->pending ? json_string(v->pending) : json_null());
	json_object_set_new(doc, "privateIp", *v->private_ip ? json_string(v->private_ip) : json_null());
	json_object_set_new(doc, "ramdiskId", json_null());
	json_object_set_new(doc, "region", json_string(v->region));
	json_object_set_new(doc, "version", json_string("2017-09-30"));
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body,
			     const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), (void *)body,
								     MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type ? type : "text/plain");
	MHD_add_response_header(resp, "Server", "EC2ws");
	if (status == 405)
		MHD_add_response_header(resp, "Allow", "GET, HEAD, PUT");
	enum MHD_Result rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result not_found(struct MHD_Connection *conn)
{
	return reply(conn, 404, "Not Found\n", NULL);
}

static int64_t now_or_zero(void)
{
	int64_t t = 0;
	if (clock_now(&t))
		t = 0;
	return t;
}

static enum MHD_Result new_token(struct MHD_Connection *conn)
{
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For"))
		return reply(conn, 403, "Forbidden\n", NULL);
	const char *ttl_s = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							"X-aws-ec2-metadata-token-ttl-seconds");
	char *end = NULL;
	long ttl = ttl_s ? strtol(ttl_s, &end, 10) : 0;
	if (!ttl_s || !*ttl_s || *end || ttl < 1 || ttl > TOKEN_TTL_MAX)
		return reply(conn, 400, "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be a whole number from 1 to 21600\n", NULL);
	unsigned i = next_token++ % TOKENS;
	id_base64(tokens[i].value, sizeof tokens[i].value, 42);
	tokens[i].expires = now_or_zero() + ttl;
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(tokens[i].value), tokens[i].value, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/plain");
	MHD_add_response_header(resp, "X-aws-ec2-metadata-token-ttl-seconds", ttl_s);
	enum MHD_Result rc = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

static int token_valid(const char *t)
{
	int64_t now = now_or_zero();
	for (unsigned i = 0; i < TOKENS; i++)
		if (*tokens[i].value && !strcmp(tokens[i].value, t) && now < tokens[i].expires)
			return 1;
	return 0;
}

/* The answer at a metadata path, or NULL (404). */
static char *answer(const char *path, const struct view *v)
{
	struct buf b = BUF_INIT;
	if (!strcmp(path, "/"))
		buf_adds(&b, "latest");
	else if (!strcmp(path, "/latest") || !strcmp(path, "/latest/"))
		buf_adds(&b, "dynamic\nmeta-data");
	else if (!strcmp(path, "/latest/meta-data") || !strcmp(path, "/latest/meta-data/"))
		buf_addf(&b, "ami-id\nami-launch-index\nhostname\ninstance-id\ninstance-type\n"
			     "local-hostname\nlocal-ipv4\nplacement/\n%sreservation-id",
			 v->ncodes ? "product-codes\n" : "");
	else if (!strcmp(path, "/latest/meta-data/ami-id"))
		buf_adds(&b, v->image);
	else if (!strcmp(path, "/latest/meta-data/ami-launch-index"))
		buf_adds(&b, v->launch_index);
	else if (!strcmp(path, "/latest/meta-data/instance-id"))
		buf_adds(&b, v->id);
	else if (!strcmp(path, "/latest/meta-data/instance-type"))
		buf_adds(&b, v->type);
	else if (!strcmp(path, "/latest/meta-data/hostname") ||
		 !strcmp(path, "/latest/meta-data/local-hostname")) {
		if (*v->private_dns)
			buf_adds(&b, v->private_dns);
	} else if (!strcmp(path, "/latest/meta-data/local-ipv4")) {
		if (*v->private_ip)
			buf_adds(&b, v->private_ip);
	} else if (!strcmp(path, "/latest/meta-data/placement") ||
		   !strcmp(path, "/latest/meta-data/placement/"))
		buf_adds(&b, "availability-zone\nregion");
	else if (!strcmp(path, "/latest/meta-data/placement/availability-zone"))
		buf_adds(&b, v->zone);
	else if (!strcmp(path, "/latest/meta-data/placement/region"))
		buf_adds(&b, v->region);
	else if (!strcmp(path, "/latest/meta-data/reservation-id"))
		buf_adds(&b, v->reservation);
	else if (!strcmp(path, "/latest/meta-data/product-codes") && v->ncodes) {
		for (int i = 0; i < v->ncodes; i++)
			buf_addf(&b, "%s%s", i ? "\n" : "", v->codes[i]);
	} else if (!strcmp(path, "/latest/dynamic") || !strcmp(path, "/latest/dynamic/"))
		buf_adds(&b, "instance-identity/");
	else if (!strcmp(path, "/latest/dynamic/instance-identity") ||
		 !strcmp(path, "/latest/dynamic/instance-identity/"))
		buf_adds(&b, "document");
	else if (!strcmp(path, "/latest/dynamic/instance-identity/document")) {
		char *doc = identity_document(v);
		buf_adds(&b, doc);
		free(doc);
	}
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return xstrdup(buf_str(&b));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)version;
	(void)upload_data;
	static int started;
	if (!*con_cls) {
		*con_cls = &started;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(url, "/latest/api/token"))
		return !strcmp(method, "PUT") ? new_token(conn) : reply(conn, 405, "Method Not Allowed\n", NULL);
	if (!get)
		return reply(conn, 405, "Method Not Allowed\n", NULL);
	const char *t = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-aws-ec2-metadata-token");
	if ((t && !token_valid(t)) || (!t && tokens_required))
		return reply(conn, 401, "Unauthorized\n", NULL);
	struct view v;
	struct buf msg = BUF_INIT;
	int r = read_view(&v, &msg);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read instance %s: %s\n", cli.prog, instance_id, buf_str(&msg));
		buf_release(&msg);
		return reply(conn, 503, "Service Unavailable\n", NULL);
	}
	buf_release(&msg);
	if (r > 0) /* terminated (or gone): it answers nothing, 404 with no body */
		return reply(conn, 404, "", NULL);
	char *body = answer(url, &v);
	if (!body)
		return not_found(conn);
	enum MHD_Result rc = reply(conn, 200, body, NULL);
	free(body);
	return rc;
}

static struct addrinfo *listen_address(const char *spec)
{
	struct addrinfo *ai;
	struct buf why = BUF_INIT;
	if (listen_parse(spec, &ai, &why))
		cli_usage_error(&cli, "%s", buf_str(&why));
	return ai;
}

int main(int argc, char **argv)
{
	const char *arg, *listen = NULL;
	cli_init(&cli, "devpay-metadata",
		 "Serve an instance's view of the EC2 instance metadata service over HTTP, for testing in-instance code.",
		 "--instance ID --listen ADDR:PORT [--http-tokens optional|required]", opts, argc, argv);
	for (int k; (k = cli_next(&cli, &arg)) != -1;) {
		switch (k) {
		case OPT_INSTANCE: instance_id = arg; break;
		case OPT_LISTEN: listen = arg; break;
		case OPT_HTTP_TOKENS:
			if (strcmp(arg, "optional") && strcmp(arg, "required"))
				cli_usage_error(&cli, "invalid --http-tokens '%s': expected optional or required", arg);
			tokens_required = !strcmp(arg, "required");
			break;
		}
	}
	if (cli_argc(&cli))
		cli_usage_error(&cli, "unexpected argument '%s'", cli_argv(&cli)[0]);
	if (!instance_id || !*instance_id)
		cli_usage_error(&cli, "missing --instance");
	if (!listen)
		cli_usage_error(&cli, "missing --listen");
	struct addrinfo *ai = listen_address(listen);
	cli_finish(&cli);

	/* the instance must exist, be the caller's and be running now */
	struct view v;
	struct buf msg = BUF_INIT;
	int r = read_view(&v, &msg), refused = 1;
	if (r < 0) {
		if (last_err != DP_ERR_SERVICE)
			cli_fatal(&cli, last_err, "%s", buf_str(&msg));
		fprintf(stderr, "%s\n", buf_str(&msg));
	} else if (r == 2) {
		if (*buf_str(&msg))
			fprintf(stderr, "%s\n", buf_str(&msg));
		else
			fprintf(stderr, "Client.InvalidInstanceID.NotFound: The instance ID '%s' does not exist\n",
				instance_id);
	} else if (r == 1)
		fprintf(stderr, "Client.IncorrectInstanceState: The instance '%s' is terminated: it has no metadata to serve\n",
			instance_id);
	else
		refused = 0;
	if (refused) {
		buf_release(&msg);
		freeaddrinfo(ai);
		return 1;
	}
	buf_release(&msg);

	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* one thread: requests are answered one at a time */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_AUTO |
			 (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
						MHD_OPTION_SOCK_ADDR, ai->ai_addr,
						MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
						MHD_OPTION_END);
	if (!d)
		cli_fatal(&cli, DP_ERR_CONNECT, "cannot listen on %s: %s", listen, strerror(errno));
	freeaddrinfo(ai);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "%s: serving the metadata of %s on %s (port %u)\n", cli.prog, instance_id,
		listen, di ? di->port : 0);
	fflush(stderr);
	int sig = 0;
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	return 0;
}
