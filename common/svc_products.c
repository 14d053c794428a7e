/* DevPay products and subscriptions. */
#include <stdio.h>
#include <string.h>
#include "clock.h"
#include "ids.h"
#include "svc.h"

#define PURCHASE_URL "https://aws-portal.amazon.com/gp/aws/user/subscription/index.html?offeringCode="

int svc_product_at(struct svc *x, const char *code, int64_t at, struct product_version *v)
{
	sqlite3_stmt *s = store_query(x->st,
		"SELECT v.id, v.effective, v.one_time, v.monthly, v.platforms, p.owner"
		" FROM product_versions v JOIN products p ON p.code = v.code"
		" WHERE v.code = ? AND v.effective <= ? ORDER BY v.effective DESC LIMIT 1",
		"si", code, at);
	if (!s)
		return -1;
	int rc = sqlite3_step(s), r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	if (r == 1) {
		v->id = sqlite3_column_int64(s, 0);
		v->effective = sqlite3_column_int64(s, 1);
		v->one_time = sqlite3_column_int64(s, 2);
		v->monthly = sqlite3_column_int64(s, 3);
		v->platforms = (unsigned)sqlite3_column_int(s, 4);
		snprintf(v->owner, sizeof v->owner, "%s", store_text(s, 5));
		snprintf(v->code, sizeof v->code, "%s", code);
	} else if (r < 0)
		dp_err_set("%s", sqlite3_errmsg(x->st->db));
	store_done(s);
	return r;
}

int64_t svc_version_price(struct svc *x, int64_t version, const char *type)
{
	sqlite3_stmt *s = store_query(x->st,
		"SELECT hourly FROM version_prices WHERE version = ? AND type = ?", "is", version, type);
	if (!s)
		return -1;
	int64_t p = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	store_done(s);
	return p;
}

int svc_version_region(struct svc *x, int64_t version, const char *region)
{
	sqlite3_stmt *s = store_query(x->st,
		"SELECT 1 FROM version_regions WHERE version = ? AND region = ?", "is", version, region);
	if (!s)
		return 0;
	int r = sqlite3_step(s) == SQLITE_ROW;
	store_done(s);
	return r;
}

int svc_subscribed(struct svc *x, const char *code, const char *account)
{
	sqlite3_stmt *s = store_query(x->st,
		"SELECT 1 FROM subscriptions WHERE code = ? AND account = ? AND ended IS NULL",
		"ss", code, account);
	if (!s)
		return 0;
	int r = sqlite3_step(s) == SQLITE_ROW;
	store_done(s);
	return r;
}

/* The configuration parameters that RegisterProduct and ModifyProduct share.
 * Absent lists keep base's values (base NULL: a new product). */
struct product_config {
	int64_t one_time, monthly;
	unsigned platforms;
	const char *regions[16];
	int nregions;
	struct { const char *type; int64_t hourly; } prices[32];
	int nprices;
};

static int parse_fee(struct svc *x, const char *name, int64_t *out)
{
	const char *v = svc_param(x, name);
	if (!v)
		return 0;
	if (money_parse(v, out))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid %s '%s': expected a non-negative amount in dollars with at most 6 decimal places",
				name, v);
	return 0;
}

static int parse_config(struct svc *x, struct product_config *c)
{
	if (parse_fee(x, "OneTimeFee", &c->one_time) || parse_fee(x, "MonthlyFee", &c->monthly))
		return -1;
	unsigned platforms = 0;
	for (int i = 1;; i++) {
		const char *p = query_get_nth(x->q, "Platform", i, NULL);
		if (!p)
			break;
		int k = platform_parse(p);
		if (k < 0)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid platform '%s': expected linux or windows", p);
		platforms |= 1u << k;
	}
	if (platforms)
		c->platforms = platforms;
	int nregions = 0;
	for (int i = 1;; i++) {
		const char *r = query_get_nth(x->q, "Region", i, NULL);
		if (!r)
			break;
		if (!region_valid(r))
			return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", r);
		if (nregions == 16)
			return svc_fail(x, 400, "InvalidParameterValue", "Too many regions");
		int dup = 0;
		for (int j = 0; j < nregions; j++)
			dup |= !strcmp(c->regions[j], r);
		if (!dup)
			c->regions[nregions++] = r;
	}
	if (nregions)
		c->nregions = nregions;
	int nprices = 0;
	for (int i = 1;; i++) {
		const char *t = query_get_nth(x->q, "InstanceType", i, "Name");
		const char *p = query_get_nth(x->q, "InstanceType", i, "Price");
		if (!t && !p)
			break;
		if (!t || !*t)
			return svc_fail(x, 400, "MissingParameter", "InstanceType.%d.Name is missing", i);
		if (!rate_find(t))
			return svc_fail(x, 400, "InvalidParameterValue", "Invalid instance type '%s'", t);
		if (!p || !*p)
			return svc_fail(x, 400, "MissingParameter", "No price for instance type '%s'", t);
		int64_t micro;
		if (money_parse(p, &micro))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid price '%s' for %s: expected a non-negative amount in dollars with at most 6 decimal places",
					p, t);
		if (nprices == 32)
			return svc_fail(x, 400, "InvalidParameterValue", "Too many instance types");
		for (int j = 0; j < nprices; j++)
			if (!strcmp(c->prices[j].type, t))
				return svc_fail(x, 400, "InvalidParameterValue",
						"Instance type '%s' is priced twice", t);
		c->prices[nprices].type = t;
		c->prices[nprices].hourly = micro;
		nprices++;
	}
	if (nprices)
		c->nprices = nprices;
	return 0;
}

static int insert_version(struct svc *x, const char *code, int64_t effective,
			  const struct product_config *c)
{
	if (store_exec(x->st, "INSERT INTO product_versions(code, effective, one_time, monthly,"
		       " platforms, created) VALUES (?, ?, ?, ?, ?, ?)", "siiidi", code, effective,
		       c->one_time, c->monthly, (int)c->platforms, x->now))
		return svc_fail_store(x);
	int64_t id = sqlite3_last_insert_rowid(x->st->db);
	for (int i = 0; i < c->nregions; i++)
		if (store_exec(x->st, "INSERT INTO version_regions(version, region) VALUES (?, ?)",
			       "is", id, c->regions[i]))
			return svc_fail_store(x);
	for (int i = 0; i < c->nprices; i++)
		if (store_exec(x->st, "INSERT INTO version_prices(version, type, hourly) VALUES (?, ?, ?)",
			       "isi", id, c->prices[i].type, c->prices[i].hourly))
			return svc_fail_store(x);
	return 0;
}

static void write_config(struct svc *x, int64_t version)
{
	sqlite3_stmt *s = store_query(x->st, "SELECT effective, one_time, monthly, platforms"
				      " FROM product_versions WHERE id = ?", "i", version);
	if (s && sqlite3_step(s) == SQLITE_ROW) {
		svc_elem_time(x, "effectiveDate", sqlite3_column_int64(s, 0));
		svc_elem_money(x, "oneTimeFee", sqlite3_column_int64(s, 1));
		svc_elem_money(x, "monthlyFee", sqlite3_column_int64(s, 2));
		unsigned pl = (unsigned)sqlite3_column_int(s, 3);
		svc_open(x, "platformSet");
		for (int p = 0; p < PLATFORM_COUNT; p++)
			if (pl & (1u << p)) {
				svc_open(x, "item");
				svc_elem(x, "platform", platform_name((enum platform)p));
				svc_close(x);
			}
		svc_close(x);
	}
	store_done(s);
	s = store_query(x->st, "SELECT region FROM version_regions WHERE version = ? ORDER BY region",
			"i", version);
	svc_open(x, "regionSet");
	while (s && sqlite3_step(s) == SQLITE_ROW) {
		svc_open(x, "item");
		svc_elem(x, "regionName", store_text(s, 0));
		svc_close(x);
	}
	svc_close(x);
	store_done(s);
	s = store_query(x->st, "SELECT type, hourly FROM version_prices WHERE version = ?"
			" ORDER BY hourly, type", "i", version);
	svc_open(x, "instanceTypeSet");
	while (s && sqlite3_step(s) == SQLITE_ROW) {
		svc_open(x, "item");
		svc_elem(x, "instanceType", store_text(s, 0));
		svc_elem_money(x, "hourlyPrice", sqlite3_column_int64(s, 1));
		svc_close(x);
	}
	svc_close(x);
	store_done(s);
}

/* One <item> of productSet. The token is the seller's: shown to the owner only. */
static int write_product(struct svc *x, const char *code)
{
	sqlite3_stmt *s = store_query(x->st, "SELECT name, description, owner, token FROM products"
				      " WHERE code = ?", "s", code);
	if (!s)
		return svc_fail_store(x);
	if (sqlite3_step(s) != SQLITE_ROW) {
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
	svc_elemf(x, "purchaseUrl", PURCHASE_URL "%s", code);
	store_done(s);
	/* a product registered at a later clock reading has only a pending configuration */
	struct product_version v;
	int in_force = svc_product_at(x, code, x->now, &v);
	if (in_force < 0)
		return svc_fail_store(x);
	if (in_force)
		write_config(x, v.id);
	s = store_query(x->st, "SELECT id FROM product_versions WHERE code = ? AND effective > ?"
			" ORDER BY effective LIMIT 1", "si", code, x->now);
	if (s && sqlite3_step(s) == SQLITE_ROW) {
		svc_open(x, "pendingChange");
		write_config(x, sqlite3_column_int64(s, 0));
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
	if (parse_config(x, &c))
		return -1;
	if (!c.platforms)
		return svc_fail(x, 400, "MissingParameter", "The request must contain the parameter Platform.1");
	if (!c.nprices)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter InstanceType.1.Name");
	if (!c.nregions) {
		if (!region_valid(x->region))
			return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
		c.regions[0] = x->region;
		c.nregions = 1;
	}
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
	if (insert_version(x, code, x->now, &c))
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
		sqlite3_stmt *s = store_query(x->st, "SELECT code FROM products WHERE owner = ?"
					      " ORDER BY created, code", "s", x->account);
		if (!s)
			return svc_fail_store(x);
		while (sqlite3_step(s) == SQLITE_ROW) {
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

static int need_code(struct svc *x, const char **code)
{
	if (svc_need(x, "ProductCode", code))
		return -1;
	if (!svc_valid_code(*code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", *code);
	sqlite3_stmt *s = store_query(x->st, "SELECT 1 FROM products WHERE code = ?", "s", *code);
	if (!s)
		return svc_fail_store(x);
	int found = sqlite3_step(s) == SQLITE_ROW;
	store_done(s);
	if (!found)
		return svc_fail(x, 400, "InvalidProductCode.NotFound",
				"The product code '%s' does not exist", *code);
	return 0;
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
	if (need_code(x, &code))
		return -1;
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
	sqlite3_stmt *s = store_query(x->st, "SELECT started FROM subscriptions WHERE code = ?"
				      " AND account = ? AND ended IS NULL", "ss", code, x->account);
	if (!s)
		return svc_fail_store(x);
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_done(s);
		return svc_fail(x, 400, "SubscriptionNotFound",
				"Account %s has no active subscription to product %s", x->account, code);
	}
	int64_t started = sqlite3_column_int64(s, 0);
	store_done(s);
	if (store_exec(x->st, "UPDATE subscriptions SET ended = ? WHERE code = ? AND account = ?"
		       " AND ended IS NULL", "iss", x->now, code, x->account) ||
	    store_exec(x->st, "UPDATE instances SET terminated = ? WHERE owner = ? AND"
		       " product_code = ? AND terminated IS NULL", "iss", x->now, x->account, code))
		return svc_fail_store(x);
	write_subscription(x, code, "cancelled", started, x->now);
	return 0;
}

/* A version's configuration, as the base a change starts from. The strings
 * point into the static tables of rates.c, so they outlive the statements. */
static int load_config(struct svc *x, int64_t version, struct product_config *c)
{
	sqlite3_stmt *s = store_query(x->st, "SELECT one_time, monthly, platforms FROM"
				      " product_versions WHERE id = ?", "i", version);
	if (!s)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		c->one_time = sqlite3_column_int64(s, 0);
		c->monthly = sqlite3_column_int64(s, 1);
		c->platforms = (unsigned)sqlite3_column_int(s, 2);
	}
	store_done(s);
	s = store_query(x->st, "SELECT region FROM version_regions WHERE version = ? ORDER BY region",
			"i", version);
	if (!s)
		return -1;
	while (c->nregions < 16 && sqlite3_step(s) == SQLITE_ROW)
		for (int i = 0; regions[i]; i++)
			if (!strcmp(regions[i], store_text(s, 0)))
				c->regions[c->nregions++] = regions[i];
	store_done(s);
	s = store_query(x->st, "SELECT type, hourly FROM version_prices WHERE version = ?"
			" ORDER BY type", "i", version);
	if (!s)
		return -1;
	while (c->nprices < 32 && sqlite3_step(s) == SQLITE_ROW) {
		const struct rate *r = rate_find(store_text(s, 0));
		if (r) {
			c->prices[c->nprices].type = r->type;
			c->prices[c->nprices++].hourly = sqlite3_column_int64(s, 1);
		}
	}
	store_done(s);
	return 0;
}

static int config_given(struct svc *x)
{
	return svc_param(x, "OneTimeFee") || svc_param(x, "MonthlyFee") ||
	       query_get_nth(x->q, "Platform", 1, NULL) || query_get_nth(x->q, "Region", 1, NULL) ||
	       query_get_nth(x->q, "InstanceType", 1, "Name") ||
	       query_get_nth(x->q, "InstanceType", 1, "Price");
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
	sqlite3_stmt *s = store_query(x->st, "SELECT id, effective FROM product_versions WHERE code = ?"
				      " AND effective > ? ORDER BY effective LIMIT 1", "si", code, x->now);
	if (!s)
		return svc_fail_store(x);
	int64_t pending = 0, pending_at = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		pending = sqlite3_column_int64(s, 0);
		pending_at = sqlite3_column_int64(s, 1);
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
					"The request must change at least one of Platform, Region, InstanceType, OneTimeFee, MonthlyFee");
		struct product_config c = { 0 };
		if (load_config(x, cur.id, &c))
			return svc_fail_store(x);
		if (parse_config(x, &c))
			return -1;
		if (at <= x->now)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid effective date '%s': a change must take effect in the future", eff);
		if (pending)
			return svc_fail(x, 400, "PendingChangeExists",
					"Product %s already has a change pending for %s; withdraw it first",
					code, when);
		if (insert_version(x, code, at, &c))
			return -1;
	}
	svc_open(x, "productSet");
	int r = write_product(x, code);
	svc_close(x);
	return r;
}
