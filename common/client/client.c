/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client/client.h"
#include "base/clock.h"
#include "base/ids.h"
#include "client/transport.h"
#include "base/version.h"

static int is_devpay_action(const char *action)
{
	static const char *const mine[] = { "RegisterProduct", "DescribeProducts", "ModifyProduct",
		"PurchaseProduct", "CancelSubscription", "GetBill", "DescribeSubscriptions", NULL };
	for (int i = 0; mine[i]; i++)
		if (!strcmp(mine[i], action))
			return 1;
	return 0;
}

/* -F NAME=VALUE options as Filter.N.Name / Filter.N.Value.M: the values
 * given for one name form one filter (ORed), in the order first named. */
static void add_filters(const struct dp_config *cfg, struct query *q)
{
	int n = 0;
	for (int i = 0; i < cfg->nfilters; i++) {
		const char *eq = strchr(cfg->filters[i], '=');
		size_t len = (size_t)(eq - cfg->filters[i]);
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = !strncmp(cfg->filters[j], cfg->filters[i], len + 1);
		if (seen)
			continue;
		char key[64];
		snprintf(key, sizeof key, "Filter.%d.Name", ++n);
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)len, cfg->filters[i]);
		query_set(q, key, name); /* set: a next page's call adds them again */
		int m = 0;
		for (int j = i; j < cfg->nfilters; j++)
			if (!strncmp(cfg->filters[j], cfg->filters[i], len + 1)) {
				snprintf(key, sizeof key, "Filter.%d.Value.%d", n, ++m);
				query_set(q, key, cfg->filters[j] + len + 1);
			}
	}
}

/* DEVPAY_CHECK_XML=FILE (set by the test suite): every answer is checked
 * strictly (xml_well_formed); a malformed one is reported on stderr, noted
 * in FILE and ends the command with status 70, whatever the test expects. */
static void check_answer(const struct cli *c, const char *action, long status, const struct buf *body)
{
	const char *note = getenv("DEVPAY_CHECK_XML");
	struct buf why = BUF_INIT;
	if (!note || !*note || !xml_well_formed(body->p, body->len, &why))
		return;
	fprintf(stderr, "%s: DEVPAY_CHECK_XML: the answer to %s (HTTP %ld) is not well-formed XML: %s\n",
		c->prog, action, status, buf_str(&why));
	FILE *f = fopen(note, "a");
	if (f) {
		fprintf(f, "%s %s HTTP %ld: %s\n", c->prog, action, status, buf_str(&why));
		fclose(f);
	}
	exit(70);
}

/* An HTTP error status with a body that is not an EC2 document (a proxy's
 * page, a web server's 404: not an EC2 endpoint, or a wrong path) is an
 * endpoint problem (exit 3), not the service's refusal. */
static enum dp_err not_ec2(const struct dp_config *cfg, long status, enum dp_err e, struct buf *msg)
{
	if (e != DP_ERR_BADXML || status < 400)
		return e;
	buf_reset(msg);
	buf_addf(msg, "the endpoint '%s' answered HTTP %ld with a body that is not an EC2 XML "
		 "document: is it an EC2 endpoint?", cfg->url ? cfg->url : "", status);
	return DP_ERR_CONNECT;
}

enum dp_err client_call(struct cli *c, const char *action, struct query *q, struct response *r,
			struct buf *msg)
{
	query_set(q, "Action", action);
	query_set(q, "Version", is_devpay_action(action) ? DEVPAY_API_VERSION : EC2_API_VERSION);
	long status = 0;
	struct buf body = BUF_INIT;
	memset(r, 0, sizeof *r);
	enum dp_err e = transport_call(&c->cfg, q, &status, &body);
	if (e)
		buf_adds(msg, *dp_err_detail() ? dp_err_detail() : dp_strerror(e));
	else {
		check_answer(c, action, status, &body);
		e = not_ec2(&c->cfg, status, response_parse(body.p, body.len, status, r, msg), msg);
	}
	buf_release(&body);
	return e;
}

void client_call_or_die(struct cli *c, const char *action, struct query *q, struct response *r)
{
	query_set(q, "Action", action);
	query_set(q, "Version", is_devpay_action(action) ? DEVPAY_API_VERSION : EC2_API_VERSION);
	/* Action and Version lead the body, as the AWS SDKs send them */
	for (size_t want = 0; want < 2; want++)
		for (size_t i = want; i < q->n; i++)
			if (!strcmp(q->v[i].name, want ? "Version" : "Action")) {
				struct query_param p = q->v[i];
				memmove(q->v + want + 1, q->v + want, (i - want) * sizeof *q->v);
				q->v[want] = p;
				break;
			}
	/* A launch always carries a client token (one per invocation when the
	 * user gave none, as the AWS CLI does), so that the HTTP transport may
	 * retry it without starting instances twice, and both modes answer alike. */
	if (!strcmp(action, "RunInstances") && !query_get(q, "ClientToken")) {
		char token[37];
		id_uuid(token);
		query_set(q, "ClientToken", token);
	}
	if (c->cfg.dry_run)
		query_set(q, "DryRun", "true");
	add_filters(&c->cfg, q);
	long status = 0;
	struct buf body = BUF_INIT, msg = BUF_INIT;
	enum dp_err e = transport_call(&c->cfg, q, &status, &body);
	if (e)
		cli_fatal(c, e, "%s", *dp_err_detail() ? dp_err_detail() : dp_strerror(e));
	check_answer(c, action, status, &body);
	e = not_ec2(&c->cfg, status, response_parse(body.p, body.len, status, r, &msg), &msg);
	if (c->cfg.verbose && r->request_id && *r->request_id)
		fprintf(stderr, "RequestId: %s\n", r->request_id);
	if (e == DP_ERR_SERVICE) {
		fprintf(stderr, "%s\n", buf_str(&msg));
		exit(1);
	}
	if (e)
		cli_fatal(c, e, "%s", buf_str(&msg));
	buf_release(&body);
	buf_release(&msg);
}

void client_product_codes(const xmlNode *codes, struct buf *out)
{
	int n = 0;
	xml_foreach(it, codes, "item")
	{
		const char *type = xml_text(it, "type");
		buf_addf(out, "%s[%s: %s]", n++ ? "," : "", *type ? type : "devpay",
			 xml_text(it, "productCode"));
	}
}

const char *client_time(const char *wire)
{
	static char out[32];
	int64_t t;
	if (!*wire || clock_parse(wire, &t))
		return wire;
	clock_format_print(t, out);
	return out;
}

void client_pages_or_die(struct cli *c, const char *action, struct query *q,
			 void (*page)(struct cli *c, const xmlNode *root, void *cls), void *cls)
{
	for (;;) {
		struct response r;
		client_call_or_die(c, action, q, &r);
		page(c, r.root, cls);
		const char *next = xml_text(r.root, "nextToken");
		if (!next || !*next) {
			response_release(&r);
			return;
		}
		const char *prev = query_get(q, "NextToken");
		if (prev && !strcmp(prev, next)) {
			fprintf(stderr, "%s: the service answered %s with the same nextToken twice\n",
				c->prog, action);
			exit(1);
		}
		query_set(q, "NextToken", next);
		response_release(&r);
	}
}
