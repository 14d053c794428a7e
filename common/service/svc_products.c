/* DevPay products and subscriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "base/ids.h"
#include "service/svc.h"

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

int svc_version_has_type(struct svc *x, int64_t version, const char *type)
{
	struct store_rows *s = store_query(x->st,
		"SELECT 1 FROM version_prices WHERE version = ?1 AND type = ?2"
		" UNION ALL SELECT 1 FROM version_platform_prices WHERE version = ?1 AND type = ?2",
		"is", version, type);
	if (!s)
		return -1;
	int rc = store_step(s);
	store_done(s);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int svc_version_region(struct svc *x, int64_t version, const char *region)
{
	struct store_rows *s = store_query(x->st,
		"SELECT 1 FROM version_regions WHERE version = ? AND region = ?", "is", version, region);
	if (!s)
		return 0;
	int r = store_step(s) == STORE_ROW;
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

/* The configuration parameters that RegisterProduct and ModifyProduct share.
 * Absent lists keep base's values (base NULL: a new product). */
struct product_config {
	int64_t one_time, monthly;
	unsigned platforms;
	const char *regions[16];
	int nregions;
	struct price_rule prices[PRICE_RULES_MAX];
	int nprices;
	int prices_given; /* this request gave the price list */
};

static int parse_fee(struct svc *x, const char *name, int64_t *out)
{
	const char *v = svc_param(x, name);
	if (!v)
		return 0;
	if (money_parse(v, out))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid %s '%s': expected a non-negative amount in dollars with at most 6 decimal places, at most 1000000000",
				name, v);
	return 0;
}

/* How a rule is named in messages: "m1.small", "m1.small on windows",
 * "m1.small on windows in eu-west-1". */
static const char *rule_name(const struct price_rule *r, char *out, size_t n)
{
	int k = snprintf(out, n, "%s", r->type);
	if (r->platform >= 0 && k > 0 && (size_t)k < n)
		k += snprintf(out + k, n - (size_t)k, " on %s", platform_name((enum platform)r->platform));
	if (*r->region && k > 0 && (size_t)k < n)
		snprintf(out + k, n - (size_t)k, " in %s", r->region);
	return out;
}

static int add_rule(struct svc *x, struct price_rule *v, int *n, const char *region, int platform,
		    const char *type, const char *price)
{
	char name[80];
	struct price_rule r = { .platform = platform };
	snprintf(r.region, sizeof r.region, "%s", region ? region : "");
	snprintf(r.type, sizeof r.type, "%s", type);
	if (!rate_find(type))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid instance type '%s'", type);
	if (!price || !*price)
		return svc_fail(x, 400, "MissingParameter", "No price for %s",
				rule_name(&r, name, sizeof name));
	if (money_parse(price, &r.hourly))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid price '%s' for %s: expected a non-negative amount in dollars with at most 6 decimal places, at most 1000000000",
				price, rule_name(&r, name, sizeof name));
	for (int j = 0; j < *n; j++)
		if (!strcmp(v[j].type, r.type) && v[j].platform == r.platform &&
		    !strcmp(v[j].region, r.region))
			return svc_fail(x, 400, "InvalidParameterValue", "'%s' is priced twice",
					rule_name(&r, name, sizeof name));
	if (*n == PRICE_RULES_MAX)
		return svc_fail(x, 400, "InvalidParameterValue", "Too many prices: at most %d",
				PRICE_RULES_MAX);
	v[(*n)++] = r;
	return 0;
}

static int parse_prices(struct svc *x, struct product_config *c)
{
	struct price_rule v[PRICE_RULES_MAX];
	int n = 0;
	for (int i = 1;; i++) {
		const char *t = query_get_nth(x->q, "InstanceType", i, "Name");
		const char *p = query_get_nth(x->q, "InstanceType", i, "Price");
		if (!t && !p)
			break;
		if (!t || !*t)
			return svc_fail(x, 400, "MissingParameter", "InstanceType.%d.Name is missing", i);
		if (add_rule(x, v, &n, NULL, -1, t, p))
			return -1;
	}
	for (int i = 1;; i++) {
		const char *r = query_get_nth(x->q, "Price", i, "Region");
		const char *pl = query_get_nth(x->q, "Price", i, "Platform");
		const char *t = query_get_nth(x->q, "Price", i, "InstanceType");
		const char *p = query_get_nth(x->q, "Price", i, "HourlyPrice");
		if (!r && !pl && !t && !p)
			break;
		if (!pl || !*pl)
			return svc_fail(x, 400, "MissingParameter", "Price.%d.Platform is missing", i);
		if (!t || !*t)
			return svc_fail(x, 400, "MissingParameter", "Price.%d.InstanceType is missing", i);
		int k = platform_parse(pl);
		if (k < 0)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid platform '%s': expected linux or windows", pl);
		if (r && *r && !region_valid(r))
			return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", r);
		if (add_rule(x, v, &n, r, k, t, p))
			return -1;
	}
	if (n) {
		memcpy(c->prices, v, (size_t)n * sizeof v[0]);
		c->nprices = n;
		c->prices_given = 1;
	}
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
	return parse_prices(x, c);
}

static int covers_region(const struct product_config *c, const char *region)
{
	for (int i = 0; i < c->nregions; i++)
		if (!strcmp(c->regions[i], region))
			return 1;
	return 0;
}

/* The finished configuration: a price for a platform or region the product
 * does not cover is refused when given now, and dropped when it came from
 * the configuration being changed; every covered (region, platform, type)
 * must have a price. */
static int check_config(struct svc *x, struct product_config *c)
{
	char name[80];
	int n = 0;
	for (int i = 0; i < c->nprices; i++) {
		const struct price_rule *r = &c->prices[i];
		const char *miss = NULL;
		if (r->platform >= 0 && !(c->platforms & (1u << r->platform)))
			miss = platform_name((enum platform)r->platform);
		else if (*r->region && !covers_region(c, r->region))
			miss = r->region;
		if (miss && c->prices_given)
			return svc_fail(x, 400, "InvalidParameterCombination",
					"A price for %s, but the product does not cover %s",
					rule_name(r, name, sizeof name), miss);
		if (!miss)
			c->prices[n++] = *r;
	}
	c->nprices = n;
	for (int i = 0; i < c->nprices; i++)
		for (int g = 0; g < c->nregions; g++)
			for (int p = 0; p < PLATFORM_COUNT; p++)
				if ((c->platforms & (1u << p)) &&
				    svc_price_lookup(c->prices, c->nprices, c->regions[g], p,
						     c->prices[i].type) < 0) {
					struct price_rule want = { .platform = p };
					snprintf(want.region, sizeof want.region, "%s", c->regions[g]);
					snprintf(want.type, sizeof want.type, "%s", c->prices[i].type);
					return svc_fail(x, 400, "InvalidParameterCombination",
							"No price for %s: the product covers it, so it needs one",
							rule_name(&want, name, sizeof name));
				}
	return 0;
}

static int insert_version(struct svc *x, const char *code, int64_t effective,
			  const struct product_config *c)
{
	struct store_rows *ins = store_query(x->st, "INSERT INTO product_versions(code, effective,"
					   " one_time, monthly, platforms, created) VALUES (?, ?, ?, ?, ?, ?)"
					   " RETURNING id", "siiidi", code, effective, c->one_time,
					   c->monthly, (int)c->platforms, x->now);
	int rc = ins ? store_step(ins) : -1;
	int64_t id = rc == STORE_ROW ? store_int64(ins, 0) : 0;
	/* the statement completes (and its constraints are checked) here */
	if (rc == STORE_ROW)
		rc = store_step(ins);
	store_done(ins);
	if (rc != STORE_DONE)
		return svc_fail_store(x);
	for (int i = 0; i < c->nregions; i++)
		if (store_exec(x->st, "INSERT INTO version_regions(version, region) VALUES (?, ?)",
			       "is", id, c->regions[i]))
			return svc_fail_store(x);
	for (int i = 0; i < c->nprices; i++) {
		const struct price_rule *r = &c->prices[i];
		int e = r->platform < 0 && !*r->region
			? store_exec(x->st, "INSERT INTO version_prices(version, type, hourly)"
				     " VALUES (?, ?, ?)", "isi", id, r->type, r->hourly)
			: store_exec(x->st, "INSERT INTO version_platform_prices(version, region,"
				     " platform, type, hourly) VALUES (?, ?, ?, ?, ?)", "isdsi", id,
				     r->region, r->platform, r->type, r->hourly);
		if (e)
			return svc_fail_store(x);
	}
	return 0;
}

/* A version's configuration, as the base a change starts from and as
 * DescribeProducts shows it. The region strings point into the static table
 * of rates.c, so they outlive the statements. */
static int load_config(struct svc *x, int64_t version, struct product_config *c)
{
	struct store_rows *s = store_query(x->st, "SELECT one_time, monthly, platforms FROM"
				      " product_versions WHERE id = ?", "i", version);
	if (!s)
		return -1;
	if (store_step(s) == STORE_ROW) {
		c->one_time = store_int64(s, 0);
		c->monthly = store_int64(s, 1);
		c->platforms = (unsigned)store_int(s, 2);
	}
	store_done(s);
	s = store_query(x->st, "SELECT region FROM version_regions WHERE version = ? ORDER BY region",
			"i", version);
	if (!s)
		return -1;
	while (c->nregions < 16 && store_step(s) == STORE_ROW)
		for (int i = 0; regions[i]; i++)
			if (!strcmp(regions[i], store_text(s, 0)))
				c->regions[c->nregions++] = regions[i];
	store_done(s);
	int n = svc_price_rules(x, version, c->prices, PRICE_RULES_MAX);
	if (n < 0)
		return -1;
	c->nprices = n;
	return 0;
}

/* A price as a buyer pays it: every covered (region, platform, type). */
struct shown_price {
	const char *region;
	int platform;
	const char *type;
	int64_t hourly;
};

static int shown_cmp(const void *a, const void *b)
{
	const struct shown_price *x = a, *y = b;
	int k = strcmp(x->region, y->region);
	if (!k)
		k = x->platform - y->platform;
	if (!k)
		k = x->hourly < y->hourly ? -1 : x->hourly > y->hourly;
	if (!k)
		k = strcmp(x->type, y->type);
	return k;
}

static void write_config(struct svc *x, int64_t version)
{
	struct product_config c = { 0 };
	struct store_rows *s = store_query(x->st, "SELECT effective FROM product_versions WHERE id = ?",
				      "i", version);
	if (!s || store_step(s) != STORE_ROW || load_config(x, version, &c)) {
		store_done(s);
		return;
	}
	svc_elem_time(x, "effectiveDate", store_int64(s, 0));
	store_done(s);
	svc_elem_money(x, "oneTimeFee", c.one_time);
	svc_elem_money(x, "monthlyFee", c.monthly);
	svc_open(x, "platformSet");
	for (int p = 0; p < PLATFORM_COUNT; p++)
		if (c.platforms & (1u << p)) {
			svc_open(x, "item");
			svc_elem(x, "platform", platform_name((enum platform)p));
			svc_close(x);
		}
	svc_close(x);
	svc_open(x, "regionSet");
	for (int i = 0; i < c.nregions; i++) {
		svc_open(x, "item");
		svc_elem(x, "regionName", c.regions[i]);
		svc_close(x);
	}
	svc_close(x);
	/* the distinct types, then every covered combination at its price */
	const char *types[PRICE_RULES_MAX];
	int ntypes = 0;
	for (int i = 0; i < c.nprices; i++) {
		int dup = 0;
		for (int j = 0; j < ntypes; j++)
			dup |= !strcmp(types[j], c.prices[i].type);
		if (!dup)
			types[ntypes++] = c.prices[i].type;
	}
	struct shown_price *v = xcalloc((size_t)(c.nregions * PLATFORM_COUNT * ntypes) + 1, sizeof *v);
	size_t n = 0;
	for (int g = 0; g < c.nregions; g++)
		for (int p = 0; p < PLATFORM_COUNT; p++)
			for (int t = 0; (c.platforms & (1u << p)) && t < ntypes; t++) {
				int64_t h = svc_price_lookup(c.prices, c.nprices, c.regions[g], p, types[t]);
				if (h >= 0)
					v[n++] = (struct shown_price){ c.regions[g], p, types[t], h };
			}
	if (n > 1)
		qsort(v, n, sizeof *v, shown_cmp);
	svc_open(x, "instanceTypeSet");
	for (size_t i = 0; i < n; i++) {
		svc_open(x, "item");
		svc_elem(x, "instanceType", v[i].type);
		svc_elem_money(x, "hourlyPrice", v[i].hourly);
		svc_elem(x, "platform", platform_name((enum platform)v[i].platform));
		svc_elem(x, "regionName", v[i].region);
		svc_close(x);
	}
	svc_close(x);
	free(v);
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
	if (s && store_step(s) == STORE_ROW) {
		svc_open(x, "pendingChange");
		write_config(x, store_int64(s, 0));
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
				"The request must contain the parameter InstanceType.1.Name or Price.1.InstanceType");
	if (!c.nregions) {
		if (!region_valid(x->region))
			return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
		c.regions[0] = x->region;
		c.nregions = 1;
	}
	if (check_config(x, &c))
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

static int need_code(struct svc *x, const char **code)
{
	if (svc_need(x, "ProductCode", code))
		return -1;
	if (!svc_valid_code(*code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", *code);
	struct store_rows *s = store_query(x->st, "SELECT 1 FROM products WHERE code = ?", "s", *code);
	if (!s)
		return svc_fail_store(x);
	int found = store_step(s) == STORE_ROW;
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
		       " product_code = ? AND terminated IS NULL", "iss", x->now, x->account, code))
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
		if (load_config(x, cur.id, &c))
			return svc_fail_store(x);
		if (parse_config(x, &c) || check_config(x, &c))
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
