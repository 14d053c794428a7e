/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-metadata: serve one instance's view of the EC2 instance metadata
 * service over HTTP (libmicrohttpd), so that a seller's software can be
 * tested against it. Every answer is read afresh through the current mode
 * (local store or endpoint) with the caller's credentials: DescribeInstances
 * decides what the instance is, and only its owner may see it;
 * DescribeInstanceAttribute gives its user data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/base64.h"
#include "base/clock.h"
#include "client/print.h"
#include "server/front.h"
#include "server/imds.h"
#include "server/listen.h"

enum { OPT_INSTANCE = CLI_LONG(0), OPT_LISTEN, OPT_HTTP_TOKENS };

static const struct cli_option opts[] = {
	{ "instance", OPT_INSTANCE, CLI_ARG, "ID", "the instance whose view is served (required)" },
	{ "listen", OPT_LISTEN, CLI_ARG, "ADDR:PORT", "where to serve it, e.g. 127.0.0.1:8080 (required; port 0: any free port)" },
	{ "http-tokens", OPT_HTTP_TOKENS, CLI_ARG, "optional|required", "whether an IMDSv2 token is required (default optional)" },
	{ 0 },
};

static struct cli cli;
static const char *instance_id;
static int tokens_required;
static enum dp_err last_err; /* of the last read_view that failed */

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* The public key of the instance's key pair (DescribeKeyPairs): none when
 * the key pair was deleted since. 0, or -1 when the service could not say. */
static int read_public_key(struct imds_view *v, struct buf *msg)
{
	struct query q = QUERY_INIT;
	struct response r;
	query_add_list(&q, "KeyName", 1, v->key_name);
	query_add(&q, "IncludePublicKey", "true");
	enum dp_err e = client_call(&cli, "DescribeKeyPairs", &q, &r, msg);
	query_release(&q);
	last_err = e;
	if (!e)
		xml_foreach(k, xml_child(r.root, "keySet"), "item")
			if (!strcmp(xml_text(k, "keyName"), v->key_name))
				copy(v->public_key, sizeof v->public_key, xml_text(k, "publicKey"));
	response_release(&r);
	if (e == DP_ERR_SERVICE && strstr(buf_str(msg), ".NotFound:")) {
		buf_reset(msg);
		return 0;
	}
	return e ? -1 : 0;
}

/* The launch's user data into the view (DescribeInstanceAttribute
 * userData), decoded: 0, or -1 when the service could not be asked. An
 * endpoint that refuses the question (one without the Action) leaves the
 * view without user data. */
static int read_user_data(struct imds_view *v, struct buf *msg)
{
	struct query q = QUERY_INIT;
	struct response r;
	struct buf m = BUF_INIT, raw = BUF_INIT;
	query_add(&q, "InstanceId", instance_id);
	query_add(&q, "Attribute", "userData");
	enum dp_err e = client_call(&cli, "DescribeInstanceAttribute", &q, &r, &m);
	query_release(&q);
	if (!e) {
		const char *b64 = xml_text(r.root, "userData/value");
		if (!base64_decode(b64, strlen(b64), sizeof v->user_data, &raw)) {
			if (raw.len)
				memcpy(v->user_data, raw.p, raw.len);
			v->user_data_len = raw.len;
		}
	} else if (e != DP_ERR_SERVICE) {
		last_err = e;
		buf_adds(msg, buf_str(&m));
	}
	response_release(&r);
	buf_release(&m);
	buf_release(&raw);
	return e && e != DP_ERR_SERVICE ? -1 : 0;
}

/* The view through the client, as imds_read (server/imds.h). */
static int read_view(void *cls, struct imds_view *v, struct buf *msg)
{
	(void)cls;
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
			copy(v->key_name, sizeof v->key_name, xml_text(it, "keyName"));
			xml_foreach(pc, xml_child(it, "productCodes"), "item")
				if (v->ncodes < 8)
					copy(v->codes[v->ncodes++], sizeof v->codes[0],
					     xml_text(pc, "productCode"));
		}
	}
	response_release(&r);
	if (!found || gone)
		return !found ? 2 : 1;
	if (*v->key_name && read_public_key(v, msg))
		return -1;
	return read_user_data(v, msg);
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
	out_no_records();	/* a server: --output has no records to shape */

	/* the instance must exist, be the caller's and be running now */
	struct imds_view v;
	struct buf msg = BUF_INIT;
	int r = read_view(NULL, &v, &msg), refused = 1;
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

	/* one thread: requests are answered one at a time */
	struct imds_config ic = { .prog = cli.prog, .instance = instance_id,
				  .tokens_required = tokens_required, .read = read_view };
	imds_init(&ic);
	struct front_config fc = { .prog = cli.prog, .listen = listen, .ai = ai, .idle_timeout = 30,
				   .max_body = 64 * 1024, .handle = imds_handle };
	unsigned port;
	struct front *f = front_start(&fc, &port);
	if (!f)
		cli_fatal(&cli, DP_ERR_CONNECT, "%s", dp_err_detail());
	freeaddrinfo(ai);
	fprintf(stderr, "%s: serving the metadata of %s on %s (port %u)\n", cli.prog, instance_id,
		listen, port);
	fflush(stderr);
	front_wait(f, 0);
	return 0;
}
