/* Reserved Instances: the offerings of the caller's region, purchases, and
 * the caller's reservations. Terms and prices come from the one rate table
 * (rates.c); how a reservation lowers a bill is in svc_bill.c. */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "ids.h"
#include "svc.h"

#define OFFERING_TYPE "Medium Utilization"

struct offering {
	char id[37], zone[32];
	const struct rate *rate;
	enum platform platform;
};

/* The id is a digest of (type, platform, region, zone), so the same offering
 * has the same id in every store and across runs. */
static void offering_id(const char *type, enum platform p, const char *region, const char *zone,
			char out[37])
{
	char in[128];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	snprintf(in, sizeof in, "%s/%s/%s/%s", type, platform_name(p), region, zone);
	EVP_Digest(in, strlen(in), md, &n, EVP_sha256(), NULL);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
		 md[12], md[13], md[14], md[15]);
}

/* Calls fn for each offering of the region in a fixed order; stops when fn
 * returns non-zero and passes that on. */
static int offerings_each(const char *region, int (*fn)(const struct offering *, void *), void *arg)
{
	for (unsigned r = 0; r < rates_count; r++)
		for (int p = 0; p < PLATFORM_COUNT; p++)
			for (const char *z = ZONE_LETTERS; *z; z++) {
				struct offering o = { .rate = &rates[r], .platform = (enum platform)p };
				snprintf(o.zone, sizeof o.zone, "%s%c", region, *z);
				offering_id(o.rate->type, o.platform, region, o.zone, o.id);
				int k = fn(&o, arg);
				if (k)
					return k;
			}
	return 0;
}

static void write_common(struct svc *x, const struct offering *o, int64_t fixed, int64_t hourly)
{
	svc_elem(x, "instanceType", o->rate->type);
	svc_elem(x, "availabilityZone", o->zone);
	svc_elemf(x, "duration", "%d", RI_TERM_SECONDS);
	svc_elem_money(x, "fixedPrice", fixed);
	svc_elem_money(x, "usagePrice", hourly);
	svc_elem(x, "productDescription", platform_description(o->platform));
	svc_elem(x, "instanceTenancy", "default");
	svc_elem(x, "currencyCode", "USD");
	svc_elem(x, "offeringType", OFFERING_TYPE);
	svc_open(x, "recurringCharges");
	svc_close(x);
}

struct filter {
	struct svc *x;
	const char *type, *zone, *desc;
};

static int list_one(const struct offering *o, void *arg)
{
	struct filter *f = arg;
	if ((f->type && strcmp(f->type, o->rate->type)) || (f->zone && strcmp(f->zone, o->zone)) ||
	    (f->desc && platform_parse(f->desc) != (int)o->platform))
		return 0;
	int wanted = !query_get_nth(f->x->q, "ReservedInstancesOfferingId", 1, NULL);
	for (int i = 1; !wanted; i++) {
		const char *id = query_get_nth(f->x->q, "ReservedInstancesOfferingId", i, NULL);
		if (!id)
			return 0;
		wanted = !strcmp(id, o->id);
	}
	svc_open(f->x, "item");
	svc_elem(f->x, "reservedInstancesOfferingId", o->id);
	write_common(f->x, o, o->rate->ri_fixed, o->rate->ri_hourly[o->platform]);
	svc_elem(f->x, "marketplace", "false");
	svc_close(f->x);
	return 0;
}

int svc_describe_ri_offerings(struct svc *x)
{
	struct filter f = { x, svc_param(x, "InstanceType"), svc_param(x, "AvailabilityZone"),
			    svc_param(x, "ProductDescription") };
	if (!region_valid(x->region))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
	if (f.type && !rate_find(f.type))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid instance type '%s'", f.type);
	if (f.desc && platform_parse(f.desc) < 0)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product description '%s': expected Linux/UNIX or Windows", f.desc);
	svc_open(x, "reservedInstancesOfferingsSet");
	offerings_each(x->region, list_one, &f);
	svc_close(x);
	return 0;
}

struct find {
	const char *id;
	struct offering found;
};

static int find_one(const struct offering *o, void *arg)
{
	struct find *f = arg;
	if (strcmp(f->id, o->id))
		return 0;
	f->found = *o;
	return 1;
}

int svc_purchase_ri_offering(struct svc *x)
{
	const char *id, *count_s;
	if (svc_need(x, "ReservedInstancesOfferingId", &id) || svc_need(x, "InstanceCount", &count_s))
		return -1;
	char *end;
	long count = strtol(count_s, &end, 10);
	if (*end || count < 1 || count > 20)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid InstanceCount '%s': expected a whole number from 1 to 20", count_s);
	if (!region_valid(x->region))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
	struct find f = { id };
	if (!offerings_each(x->region, find_one, &f))
		return svc_fail(x, 400, "InvalidReservedInstancesOfferingId",
				"The Reserved Instances offering '%s' does not exist in %s", id, x->region);
	const struct offering *o = &f.found;
	char rid[37];
	for (int tries = 0;; tries++) {
		id_uuid(rid);
		int r = store_exec(x->st, "INSERT INTO reserved_instances(id, owner, offering, type,"
				   " platform, region, zone, count, started, ends, fixed, hourly)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssssdssiiiii", rid,
				   x->account, o->id, o->rate->type, (int)o->platform, x->region, o->zone,
				   (int64_t)count, x->now, x->now + RI_TERM_SECONDS, o->rate->ri_fixed,
				   o->rate->ri_hourly[o->platform]);
		if (r == 0)
			break;
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
	}
	svc_elem(x, "reservedInstancesId", rid);
	return 0;
}

int svc_describe_reserved(struct svc *x)
{
	sqlite3_stmt *s = store_query(x->st, "SELECT id, type, platform, region, zone, count,"
				      " started, ends, fixed, hourly FROM reserved_instances WHERE owner = ?"
				      " ORDER BY started, id", "s", x->account);
	if (!s)
		return svc_fail_store(x);
	const char *first = query_get_nth(x->q, "ReservedInstancesId", 1, NULL);
	svc_open(x, "reservedInstancesSet");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *id = store_text(s, 0);
		int wanted = !first;
		for (int i = 1; !wanted; i++) {
			const char *want = query_get_nth(x->q, "ReservedInstancesId", i, NULL);
			if (!want)
				break;
			wanted = !strcmp(want, id);
		}
		const struct rate *rate = rate_find(store_text(s, 1));
		if (!wanted || !rate)
			continue;
		struct offering o = { .rate = rate,
				      .platform = sqlite3_column_int(s, 2) == PLATFORM_WINDOWS ?
							  PLATFORM_WINDOWS : PLATFORM_LINUX };
		snprintf(o.zone, sizeof o.zone, "%s", store_text(s, 4));
		int64_t ends = sqlite3_column_int64(s, 7);
		svc_open(x, "item");
		svc_elem(x, "reservedInstancesId", id);
		/* the prices of the day it was bought */
		write_common(x, &o, sqlite3_column_int64(s, 8), sqlite3_column_int64(s, 9));
		svc_elemf(x, "instanceCount", "%lld", (long long)sqlite3_column_int64(s, 5));
		svc_elem_time(x, "start", sqlite3_column_int64(s, 6));
		svc_elem_time(x, "end", ends);
		svc_elem(x, "state", x->now < ends ? "active" : "retired");
		svc_close(x);
	}
	sqlite3_finalize(s);
	svc_close(x);
	return 0;
}
