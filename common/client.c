#include <stdio.h>
#include <string.h>
#include "client.h"
#include "clock.h"
#include "ids.h"
#include "transport.h"
#include "version.h"

static int is_devpay_action(const char *action)
{
	static const char *const mine[] = { "RegisterProduct", "DescribeProducts", "ModifyProduct",
		"PurchaseProduct", "CancelSubscription", "GetBill", "DescribeSubscriptions", NULL };
	for (int i = 0; mine[i]; i++)
		if (!strcmp(mine[i], action))
			return 1;
	return 0;
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
	else
		e = response_parse(body.p, body.len, status, r, msg);
	buf_release(&body);
	return e;
}

void client_call_or_die(struct cli *c, const char *action, struct query *q, struct response *r)
{
	query_set(q, "Action", action);
	query_set(q, "Version", is_devpay_action(action) ? DEVPAY_API_VERSION : EC2_API_VERSION);
	/* A launch always carries a client token (one per invocation when the
	 * user gave none, as the AWS CLI does), so that the HTTP transport may
	 * retry it without starting instances twice, and both modes answer alike. */
	if (!strcmp(action, "RunInstances") && !query_get(q, "ClientToken")) {
		char token[37];
		id_uuid(token);
		query_set(q, "ClientToken", token);
	}
	long status = 0;
	struct buf body = BUF_INIT, msg = BUF_INIT;
	enum dp_err e = transport_call(&c->cfg, q, &status, &body);
	if (e)
		cli_fatal(c, e, "%s", *dp_err_detail() ? dp_err_detail() : dp_strerror(e));
	e = response_parse(body.p, body.len, status, r, &msg);
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

void client_check_id(const struct cli *c, const char *id, const char *prefix)
{
	size_t pl = strlen(prefix), n = strlen(id);
	int ok = n >= pl + 8 && n <= pl + 17 && !strncmp(id, prefix, pl);
	for (size_t i = pl; ok && i < n; i++)
		ok = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
	if (!ok)
		cli_usage_error(c, "invalid id '%s': expected %s followed by 8 to 17 lower-case hexadecimal digits", id, prefix);
}

void client_check_code(const struct cli *c, const char *code)
{
	int ok = strlen(code) == 8;
	for (int i = 0; ok && i < 8; i++)
		ok = (code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'F');
	if (!ok)
		cli_usage_error(c, "invalid product code '%s': expected 8 upper-case hexadecimal digits", code);
}
