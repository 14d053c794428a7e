/* SPDX-License-Identifier: Apache-2.0 */
/* A product's configuration (fees, platforms, regions, hourly prices):
 * read from the parameters of RegisterProduct and ModifyProduct, checked,
 * stored as a version, loaded back and shown by DescribeProducts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/svc.h"
#include "service/svc_product_config.h"

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
	if (!rate_type_known(type))
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

int svc_parse_config(struct svc *x, struct product_config *c)
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
int svc_check_config(struct svc *x, struct product_config *c)
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
	/* a type is offered only where EC2 has a rate for it (data/rates) */
	for (int i = 0; i < c->nprices; i++)
		for (int g = 0; g < c->nregions; g++)
			for (int p = 0; p < PLATFORM_COUNT; p++)
				if ((c->platforms & (1u << p)) &&
				    !rate_offered(c->regions[g], (enum platform)p, c->prices[i].type))
					return svc_fail(x, 400, "InvalidParameterValue",
							"Instance type '%s' has no EC2 rate in %s for %s: not offered there",
							c->prices[i].type, c->regions[g],
							platform_name((enum platform)p));
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

int svc_insert_version(struct svc *x, const char *code, int64_t effective,
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
int svc_load_config(struct svc *x, int64_t version, struct product_config *c)
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

void svc_write_config(struct svc *x, int64_t version)
{
	struct product_config c = { 0 };
	struct store_rows *s = store_query(x->st, "SELECT effective FROM product_versions WHERE id = ?",
				      "i", version);
	if (!s || store_step(s) != STORE_ROW || svc_load_config(x, version, &c)) {
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
