/* SPDX-License-Identifier: Apache-2.0 */
/* DevPay products and subscriptions. A product's configuration (parsed,
 * checked, stored and shown) is in svc_product_config.c. */
#include <stdio.h>
#include <string.h>
#include "base/clock.h"
#include "base/ids.h"
#include "service/svc.h"
#include "service/svc_product_config.h"

#define PURCHASE_URL "https://aws-portal.amazon.com/gp/aws/user/subscription/index.html?offeringCode="

int svc_product_at(struct svc *x, const char *code, int64_t at, struct product_version *v)
{
	struct store_rows *s = store_query(x->st,
		"SELECT v.id, v.effective, v.one_time, v.monthly, v.platforms, p.owner"
		" FROM product_versions v JOIN products p ON p.code = v.code"
		" WHERE v.code = ? AND v.effective <= ? ORDER BY v.effective DESC LIMIT 1",
		"si", code, at);
	if (!s)
		return -1;
	int rc = store_step(s), r = rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
	if (r == 1) {
		v->id = store_int64(s, 0);
		v->effective = store_int64(s, 1);
		v->one_time = store_int64(s, 2);
		v->monthly = store_int64(s, 3);
		v->platforms = (unsigned)store_int(s, 4);
		snprintf(v->owner, sizeof v->owner, "%s", store_text(s, 5));
		snprintf(v->code, sizeof v->code, "%s", code);
	} else if (r < 0)
		dp_err_set("%s", store_errmsg(x->st));
	store_done(s);
	return r;
}

int64_t svc_price_lookup(const struct price_rule *r, int n, const char *region, int platform,
			 const char *type)
{
	int64_t best = -1;
	int rank = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(r[i].type, type) || (r[i].platform >= 0 && r[i].platform != platform) ||
		    (*r[i].region && strcmp(r[i].region, region)))
			continue;
		int k = 1 + (r[i].platform >= 0) + (*r[i].region != '\0');
		if (k > rank) {
			rank = k;
			best = r[i].hourly;
		}
	}
	return best;
}

int svc_price_rules(struct svc *x, int64_t version, struct price_rule *r, int max)
{
	struct store_rows *s = store_query(x->st,
		"SELECT '', -1, type, hourly FROM version_prices WHERE version = ?1"
		" UNION ALL SELECT region, platform, type, hourly FROM version_platform_prices"
		" WHERE version = ?1 ORDER BY 1, 2, 3", "i", version);
	if (!s)
		return -1;
	int n = 0, rc;
	while ((rc = store_step(s)) == STORE_ROW && n < max) {
		snprintf(r[n].region, sizeof r[n].region, "%s", store_text(s, 0));
		r[n].platform = store_int(s, 1);
		snprintf(r[n].type, sizeof r[n].type, "%s", store_text(s, 2));
		r[n].hourly = store_int64(s, 3);
		n++;
	}
	if (rc != STORE_ROW && rc != STORE_DONE)
		dp_err_set("%s", store_errmsg(x->st));
	store_done(s);
	return rc == STORE_ROW || rc == STORE_DONE ? n : -1;
}

static const char product_launch[] =
		"SELECT v.id, v.platforms, p.owner,"
		" CASE WHEN EXISTS (SELECT 1 FROM subscriptions u WHERE u.code = v.code"
		" AND u.account = ?3 AND u.ended IS NULL) THEN 1 ELSE 0 END,"
		" CASE WHEN EXISTS (SELECT 1 FROM version_regions r WHERE r.version = v.id"
		" AND r.region = ?4) THEN 1 ELSE 0 END,"
		" CASE WHEN EXISTS (SELECT 1 FROM version_prices t WHERE t.version = v.id AND t.type = ?5)"
		" OR EXISTS (SELECT 1 FROM version_platform_prices t WHERE t.version = v.id"
		" AND t.type = ?5) THEN 1 ELSE 0 END"
		" FROM product_versions v JOIN products p ON p.code = v.code"
		" WHERE v.code = (SELECT product_code FROM images WHERE id = ?1) AND v.effective <= ?2"
		" ORDER BY v.effective DESC LIMIT 1";

void svc_product_launch_ahead(struct svc *x, const char *image, const char *type)
{
	store_prefetch(x->st, product_launch, "sisss", image, x->now, x->account, x->region, type);
}

int svc_product_launch(struct svc *x, const char *image, const char *type, struct product_launch *l)
{
	struct store_rows *s = store_query(x->st, product_launch, "sisss", image, x->now, x->account,
				      x->region, type);
	if (!s)
		return -1;
	int rc = store_step(s), r = rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
	if (r == 1) {
		l->version = store_int64(s, 0);
		l->platforms = (unsigned)store_int(s, 1);
		snprintf(l->owner, sizeof l->owner, "%s", store_text(s, 2));
		l->subscribed = store_int(s, 3);
		l->in_region = store_int(s, 4);
		l->has_type = store_int(s, 5);
	} else if (r < 0)
		dp_err_set("%s", store_errmsg(x->st));
	store_done(s);
	return r;
}

int svc_subscribed(struct svc *x, const char *code, const char *account)
{
	struct store_rows *s = store_query(x->st,
		"SELECT 1 FROM subscriptions WHERE code = ? AND account = ? AND ended IS NULL",
		"ss", code, account);
	if (!s)
		return 0;
	int r = store_step(s) == STORE_ROW;
	store_done(s);
	return r;
}

/* One <item> of productSet. The token is the seller's: shown to the owner only. */
static int write_product(struct svc *x, const char *code)
{
	struct store_rows *s = store_query(x->st, "SELECT name, description, owner, token FROM products"
				      " WHERE code = ?", "s", code);
	if (!s)
		return svc_fail_store(x);
	if (store_step(s) != STORE_ROW) {
		store_done(s);
		return svc_fail(x, 400, "InvalidProductCode.NotFound",
				"The product code '%s' does not exist", code);
	}
	int mine = !strcmp(store_text(s, 2), x->account);
	svc_open(x, "item");
	svc_elem(x, "productCode", code);
	svc_elem(x, "name", store_text(s, 0));
	svc_elem(x, "description", store_text(s, 1));
	svc_elem(x, "ownerId", store_text(s, 2));
	if (mine)
		svc_elem(x, "productToken", store_text(s, 3));
	/* through devpayd, its own purchase page (server/pages.h); locally, DevPay's */
	const char *ep = x->call && x->call->endpoint ? x->call->endpoint : "";
	if (!strncmp(ep, "http://", 7) || !strncmp(ep, "https://", 8))
		svc_elemf(x, "purchaseUrl", "%spurchase/%s", ep, code);
	else
		svc_elemf(x, "purchaseUrl", PURCHASE_URL "%s", code);
	store_done(s);
	/* a product registered at a later clock reading has only a pending configuration */
	struct product_version v;
	int in_force = svc_product_at(x, code, x->now, &v);
	if (in_force < 0)
		return svc_fail_store(x);
	if (in_force)
		svc_write_config(x, v.id);
	s = store_query(x->st, "SELECT id FROM product_versions WHERE code = ? AND effective > ?"
			" ORDER BY effective LIMIT 1", "si", code, x->now);
	if (s && store_step(s) == STORE_ROW) {
		svc_open(x, "pendingChange");
		svc_write_config(x, store_int64(s, 0));
		svc_close(x);
	}
	store_done(s);
	svc_close(x);
	return 0;
}

int svc_register_product(struct svc *x)
{
	const char *name;
	if (svc_need(x, "Name", &name))
		return -1;
	if (strlen(name) > 256)
		return svc_fail(x, 400, "InvalidParameterValue", "Product name is longer than 256 characters");
	const char *desc = svc_param(x, "Description");
	struct product_config c = { 0 };
	if (svc_parse_config(x, &c))
		return -1;
	if (!c.platforms)
		return svc_fail(x, 400, "MissingParameter", "The request must contain the parameter Platform.1");
	if (!c.nprices)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter InstanceType.1.Name or Price.1.InstanceType");
	if (!c.nregions) {
		if (!region_valid(x->region))
			return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
		c.regions[0] = x->region;
		c.nregions = 1;
	}
	if (svc_check_config(x, &c))
		return -1;
	char code[9], token[128], rnd[80];
	for (int tries = 0;; tries++) {
		id_product_code(code);
		id_base64(rnd, sizeof rnd, 48);
		snprintf(token, sizeof token, "{ProductToken}%s", rnd);
		int r = store_exec(x->st, "INSERT INTO products(code, owner, name, description, token,"
				   " created) VALUES (?, ?, ?, ?, ?, ?)", "sssssi", code, x->account,
				   name, desc ? desc : "", token, x->now);
		if (r == 0)
			break;
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
	}
	if (svc_insert_version(x, code, x->now, &c))
		return -1;
	svc_open(x, "productSet");
	int r = write_product(x, code);
	svc_close(x);
	return r;
}

int svc_describe_products(struct svc *x)
{
	svc_open(x, "productSet");
	const char *first = query_get_nth(x->q, "ProductCode", 1, NULL);
	if (first) {
		for (int i = 1;; i++) {
			const char *code = query_get_nth(x->q, "ProductCode", i, NULL);
			if (!code)
				break;
			if (!svc_valid_code(code))
				return svc_fail(x, 400, "InvalidParameterValue",
						"Invalid product code '%s': expected 8 hexadecimal digits", code);
			if (write_product(x, code))
				return -1;
		}
	} else {
		struct store_rows *s = store_query(x->st, "SELECT code FROM products WHERE owner = ?"
					      " ORDER BY created, code", "s", x->account);
		if (!s)
			return svc_fail_store(x);
		while (store_step(s) == STORE_ROW) {
			char code[9];
			snprintf(code, sizeof code, "%s", store_text(s, 0));
			if (write_product(x, code)) {
				store_done(s);
				return -1;
			}
		}
		store_done(s);
	}
	svc_close(x);
	return 0;
}

/* The product code of the request, which must exist; *mine 1 when the
 * caller owns it (NULL: not asked). */
static int need_code_owned(struct svc *x, const char **code, int *mine)
{
	if (svc_need(x, "ProductCode", code))
		return -1;
	if (!svc_valid_code(*code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", *code);
	struct store_rows *s = store_query(x->st, "SELECT owner FROM products WHERE code = ?", "s", *code);
	if (!s)
		return svc_fail_store(x);
	int found = store_step(s) == STORE_ROW;
	if (found && mine)
		*mine = !strcmp(store_text(s, 0), x->account);
	store_done(s);
	if (!found)
		return svc_fail(x, 400, "InvalidProductCode.NotFound",
				"The product code '%s' does not exist", *code);
	return 0;
}

static int need_code(struct svc *x, const char **code)
{
	return need_code_owned(x, code, NULL);
}

static void write_subscription(struct svc *x, const char *code, const char *state,
			       int64_t started, int64_t ended)
{
	svc_open(x, "subscription");
	svc_elem(x, "productCode", code);
	svc_elem(x, "accountId", x->account);
	svc_elem(x, "state", state);
	svc_elem_time(x, "startTime", started);
	if (ended)
		svc_elem_time(x, "endTime", ended);
	svc_close(x);
}

int svc_purchase_product(struct svc *x)
{
	const char *code;
	int mine = 0;
	if (need_code_owned(x, &code, &mine))
		return -1;
	/* the owner is never his own customer: his launches of his product
	 * need no subscription and are billed at EC2's rates */
	if (mine)
		return svc_fail(x, 400, "OperationNotPermitted",
				"Account %s owns product %s: an owner does not subscribe to his own product (his instances of it are billed at EC2 rates)",
				x->account, code);
	if (svc_subscribed(x, code, x->account))
		return svc_fail(x, 400, "SubscriptionAlreadyExists",
				"Account %s is already subscribed to product %s", x->account, code);
	if (store_exec(x->st, "INSERT INTO subscriptions(code, account, started) VALUES (?, ?, ?)",
		       "ssi", code, x->account, x->now))
		return svc_fail_store(x);
	write_subscription(x, code, "active", x->now, 0);
	return 0;
}

/* Access stops at once: the customer's instances of the product are
 * terminated with the subscription, so no hour is billed after it. */
int svc_cancel_subscription(struct svc *x)
{
	const char *code;
	if (need_code(x, &code))
		return -1;
	struct store_rows *s = store_query(x->st, "SELECT started FROM subscriptions WHERE code = ?"
				      " AND account = ? AND ended IS NULL", "ss", code, x->account);
	if (!s)
		return svc_fail_store(x);
	if (store_step(s) != STORE_ROW) {
		store_done(s);
		return svc_fail(x, 400, "SubscriptionNotFound",
				"Account %s has no active subscription to product %s", x->account, code);
	}
	int64_t started = store_int64(s, 0);
	store_done(s);
	if (store_exec(x->st, "UPDATE subscriptions SET ended = ? WHERE code = ? AND account = ?"
		       " AND ended IS NULL", "iss", x->now, code, x->account) ||
	    store_exec(x->st, "UPDATE instances SET terminated = ? WHERE owner = ? AND"
		       " product_code = ? AND terminated IS NULL", "iss", x->now, x->account, code) ||
	    svc_usage_end_all(x, x->account, code, x->now))
		return svc_fail_store(x);
	write_subscription(x, code, "cancelled", started, x->now);
	return 0;
}

static int config_given(struct svc *x)
{
	return svc_param(x, "OneTimeFee") || svc_param(x, "MonthlyFee") ||
	       query_get_nth(x->q, "Platform", 1, NULL) || query_get_nth(x->q, "Region", 1, NULL) ||
	       query_get_nth(x->q, "InstanceType", 1, "Name") ||
	       query_get_nth(x->q, "InstanceType", 1, "Price") ||
	       query_get_nth(x->q, "Price", 1, "Platform") ||
	       query_get_nth(x->q, "Price", 1, "InstanceType") ||
	       query_get_nth(x->q, "Price", 1, "HourlyPrice");
}

/* A change takes effect at 00:00 UTC of a future date for every customer at
 * once; one change may be pending, and it may be withdrawn until then. */
int svc_modify_product(struct svc *x)
{
	const char *code;
	if (need_code(x, &code))
		return -1;
	struct product_version cur;
	int k = svc_product_at(x, code, x->now, &cur);
	if (k < 0)
		return svc_fail_store(x);
	if (k == 0 || strcmp(cur.owner, x->account))
		return svc_fail(x, 403, "AuthFailure", "Only the owner of product %s can change it", code);
	const char *withdraw = svc_param(x, "Withdraw");
	const char *eff = svc_param(x, "Effective");
	if (withdraw && strcmp(withdraw, "true") && strcmp(withdraw, "false"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid Withdraw '%s': expected true or false", withdraw);
	int withdrawing = withdraw && !strcmp(withdraw, "true");
	if (withdrawing && (eff || config_given(x)))
		return svc_fail(x, 400, "InvalidParameterCombination",
				"Withdraw cannot be combined with a change");
	struct store_rows *s = store_query(x->st, "SELECT id, effective FROM product_versions WHERE code = ?"
				      " AND effective > ? ORDER BY effective LIMIT 1", "si", code, x->now);
	if (!s)
		return svc_fail_store(x);
	int64_t pending = 0, pending_at = 0;
	if (store_step(s) == STORE_ROW) {
		pending = store_int64(s, 0);
		pending_at = store_int64(s, 1);
	}
	store_done(s);
	char when[16];
	int wy, wm, wd;
	clock_to_ymd(pending_at, &wy, &wm, &wd);
	snprintf(when, sizeof when, "%04d-%02d-%02d", wy, wm, wd);
	if (withdrawing) {
		if (!pending)
			return svc_fail(x, 400, "PendingChangeNotFound",
					"Product %s has no pending change to withdraw", code);
		if (store_exec(x->st, "DELETE FROM version_regions WHERE version = ?", "i", pending) ||
		    store_exec(x->st, "DELETE FROM version_prices WHERE version = ?", "i", pending) ||
		    store_exec(x->st, "DELETE FROM version_platform_prices WHERE version = ?", "i",
			       pending) ||
		    store_exec(x->st, "DELETE FROM product_versions WHERE id = ?", "i", pending))
			return svc_fail_store(x);
	} else {
		if (!eff || !*eff)
			return svc_fail(x, 400, "MissingParameter",
					"The request must contain the parameter Effective");
		int64_t at;
		if (strlen(eff) != 10 || clock_parse(eff, &at))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid effective date '%s': expected YYYY-MM-DD", eff);
		if (!config_given(x))
			return svc_fail(x, 400, "MissingParameter",
					"The request must change at least one of Platform, Region, InstanceType, Price, OneTimeFee, MonthlyFee");
		struct product_config c = { 0 };
		if (svc_load_config(x, cur.id, &c))
			return svc_fail_store(x);
		if (svc_parse_config(x, &c) || svc_check_config(x, &c))
			return -1;
		if (at <= x->now)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid effective date '%s': a change must take effect in the future", eff);
		if (pending)
			return svc_fail(x, 400, "PendingChangeExists",
					"Product %s already has a change pending for %s; withdraw it first",
					code, when);
		if (svc_insert_version(x, code, at, &c))
			return -1;
	}
	svc_open(x, "productSet");
	int r = write_product(x, code);
	svc_close(x);
	return r;
}

static int valid_account(const char *a)
{
	if (strlen(a) != 12)
		return 0;
	for (const char *p = a; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* The latest subscription of each (product, account) pair that matches,
 * with the instances of the product the account runs now. */
static int write_subscriptions(struct svc *x, const char *code, const char *account)
{
	struct store_rows *s = store_query(x->st,
		"SELECT s.code, s.account, s.started, s.ended,"
		"  (SELECT count(*) FROM instances i WHERE i.owner = s.account"
		"   AND i.product_code = s.code AND i.terminated IS NULL)"
		" FROM subscriptions s WHERE (?1 IS NULL OR s.code = ?1)"
		" AND (?2 IS NULL OR s.account = ?2)"
		" AND NOT EXISTS (SELECT 1 FROM subscriptions t WHERE t.code = s.code"
		"   AND t.account = s.account AND (t.started > s.started"
		"   OR (t.started = s.started AND t.id > s.id)))"
		" ORDER BY s.code, s.account", "ss", code, account);
	if (!s)
		return svc_fail_store(x);
	int rc;
	while ((rc = store_step(s)) == STORE_ROW) {
		int ended = !store_is_null(s, 3);
		svc_open(x, "item");
		svc_elem(x, "productCode", store_text(s, 0));
		svc_elem(x, "accountId", store_text(s, 1));
		svc_elem(x, "state", ended ? "cancelled" : "active");
		svc_elem_time(x, "startTime", store_int64(s, 2));
		if (ended)
			svc_elem_time(x, "endTime", store_int64(s, 3));
		svc_elemf(x, "runningInstanceCount", "%lld", (long long)store_int64(s, 4));
		svc_close(x);
	}
	store_done(s);
	return rc == STORE_DONE ? 0 : svc_fail_store(x);
}

/* DescribeSubscriptions: a customer sees its own subscriptions; the owner of
 * ProductCode sees every customer of it, or with CustomerId one customer,
 * answered as state "none" when it never subscribed. Nobody else sees
 * another account's subscriptions. */
int svc_describe_subscriptions(struct svc *x)
{
	const char *code = svc_param(x, "ProductCode");
	const char *customer = svc_param(x, "CustomerId");
	if (code && !*code)
		code = NULL;
	if (customer && !*customer)
		customer = NULL;
	if (code && !svc_valid_code(code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", code);
	if (customer && !valid_account(customer))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid customer '%s': expected a 12-digit account id", customer);
	if (customer && !code)
		return svc_fail(x, 400, "MissingParameter",
				"CustomerId needs the parameter ProductCode");
	int owner = 0;
	if (code) {
		struct store_rows *s = store_query(x->st, "SELECT owner FROM products WHERE code = ?", "s", code);
		if (!s)
			return svc_fail_store(x);
		int found = store_step(s) == STORE_ROW;
		owner = found && !strcmp(store_text(s, 0), x->account);
		store_done(s);
		if (!found)
			return svc_fail(x, 400, "InvalidProductCode.NotFound",
					"The product code '%s' does not exist", code);
	}
	if (customer && !owner && strcmp(customer, x->account))
		return svc_fail(x, 403, "AuthFailure",
				"Only the owner of product %s can see its customers", code);
	svc_open(x, "subscriptionSet");
	int r = write_subscriptions(x, code, owner ? customer : x->account);
	if (!r && customer) {
		/* one customer's state is always answered, "none" when never subscribed */
		struct store_rows *s = store_query(x->st, "SELECT 1 FROM subscriptions WHERE code = ?"
					      " AND account = ?", "ss", code, customer);
		if (!s)
			return svc_fail_store(x);
		int any = store_step(s) == STORE_ROW;
		store_done(s);
		if (!any) {
			svc_open(x, "item");
			svc_elem(x, "productCode", code);
			svc_elem(x, "accountId", customer);
			svc_elem(x, "state", "none");
			svc_elem(x, "runningInstanceCount", "0");
			svc_close(x);
		}
	}
	svc_close(x);
	return r;
}
