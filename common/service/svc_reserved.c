/* SPDX-License-Identifier: Apache-2.0 */
/* Reserved Instances: the offerings of the caller's region, purchases, and
 * the caller's reservations. Terms and prices come from the RI terms of
 * base/rates.c, offered where the type has an on-demand rate; how a
 * reservation lowers a bill is in svc_bill.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "base/clock.h"
#include "base/crypto_dl.h"
#include "base/ids.h"
#include "service/svc.h"

#define OFFERING_TYPE "Medium Utilization"

struct offering {
	char id[37], zone[32];
	const struct ri_term *rate;
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
	for (unsigned r = 0; r < ri_terms_count; r++)
		for (int p = 0; p < PLATFORM_COUNT; p++)
			for (const char *z = ZONE_LETTERS; *z &&
			     rate_offered(region, (enum platform)p, ri_terms[r].type); z++) {
				struct offering o = { .rate = &ri_terms[r], .platform = (enum platform)p };
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

struct ri_query {
	struct svc *x;
	const char *type, *zone, *desc;
	const struct filter_set *fs;
	const char **ids;       /* ReservedInstancesOfferingId.N, sorted; NULL: all */
	size_t nids;
	int none;               /* a parameter no offering here meets */
	long skip, max, seen;   /* the page: matches before it, its size (0: all) */
	int more;               /* a match after the page */
};

/* EC2's filter names for offerings and for reservations. */
static const char *const offering_filters[] = { "availability-zone", "duration", "fixed-price",
	"instance-type", "product-description", "reserved-instances-offering-id", "usage-price",
	"marketplace", "instance-tenancy", "offering-type", "scope", NULL };
/* documented for offerings, not had here: match nothing */
static const char *const offering_filters_absent[] = { "availability-zone-id", NULL };
static const char *const reserved_filters[] = { "availability-zone", "duration", "end",
	"fixed-price", "instance-type", "product-description", "reserved-instances-id", "start",
	"state", "usage-price", "instance-tenancy", "offering-type", NULL };

/* An offering or a reservation as the filters see it. */
struct ri_row {
	const struct offering *o;
	const char *id, *state;    /* state NULL for an offering */
	int64_t fixed, hourly, start, end;
	char b[4][32];
};

static int ri_values(void *rec, const char *name, const char **out, int max)
{
	struct ri_row *r = rec;
	const char *v = NULL;
	(void)max;
	if (!strcmp(name, "availability-zone")) v = r->o->zone;
	else if (!strcmp(name, "duration"))
		snprintf(r->b[0], sizeof r->b[0], "%d", RI_TERM_SECONDS), v = r->b[0];
	else if (!strcmp(name, "fixed-price")) money_format_exact(r->fixed, r->b[1]), v = r->b[1];
	else if (!strcmp(name, "usage-price")) money_format_exact(r->hourly, r->b[2]), v = r->b[2];
	else if (!strcmp(name, "instance-type")) v = r->o->rate->type;
	else if (!strcmp(name, "product-description")) v = platform_description(r->o->platform);
	else if (!strcmp(name, "reserved-instances-offering-id") ||
		 !strcmp(name, "reserved-instances-id")) v = r->id;
	else if (!strcmp(name, "marketplace")) v = "false";
	else if (!strcmp(name, "instance-tenancy")) v = "default";
	else if (!strcmp(name, "offering-type")) v = OFFERING_TYPE;
	else if (!strcmp(name, "scope")) v = "Availability Zone";
	else if (!strcmp(name, "state")) v = r->state;
	else if (!strcmp(name, "start")) clock_format_wire(r->start, r->b[3]), v = r->b[3];
	else if (!strcmp(name, "end")) clock_format_wire(r->end, r->b[3]), v = r->b[3];
	if (!v)
		return 0;
	out[0] = v;
	return 1;
}

static int list_one(const struct offering *o, void *arg)
{
	struct ri_query *f = arg;
	if ((f->type && strcmp(f->type, o->rate->type)) || (f->zone && strcmp(f->zone, o->zone)) ||
	    (f->desc && platform_parse(f->desc) != (int)o->platform))
		return 0;
	if (f->none || (f->ids && !svc_list_has(f->ids, f->nids, o->id)))
		return 0;
	struct ri_row row = { .o = o, .id = o->id, .fixed = o->rate->fixed,
			      .hourly = o->rate->hourly[o->platform] };
	if (!filter_match(f->fs, ri_values, &row))
		return 0;
	if (f->seen++ < f->skip)
		return 0;
	if (f->max && f->seen > f->skip + f->max) {
		f->more = 1;
		return 1;
	}
	svc_open(f->x, "item");
	svc_elem(f->x, "reservedInstancesOfferingId", o->id);
	write_common(f->x, o, o->rate->fixed, o->rate->hourly[o->platform]);
	svc_elem(f->x, "marketplace", "false");
	svc_close(f->x);
	return 0;
}

/* What the real tools send with their defaults, and the parameters that
 * narrow the offerings by what every offering here is (a standard one-year
 * "Medium Utilization" term of default tenancy, none from the marketplace):
 * a value that names something else matches no offering. */
static int ri_limits(struct svc *x, struct ri_query *f)
{
	const char *v;
	if ((v = svc_param(x, "IncludeMarketplace")) && strcmp(v, "true") && strcmp(v, "false"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for IncludeMarketplace: expected true or false", v);
	if ((v = svc_param(x, "InstanceTenancy")) && strcmp(v, "default")) {
		if (strcmp(v, "dedicated") && strcmp(v, "host"))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%s' for InstanceTenancy: expected default, dedicated or host", v);
		f->none = 1;
	}
	if ((v = svc_param(x, "OfferingClass")) && strcmp(v, "standard")) {
		if (strcmp(v, "convertible"))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%s' for OfferingClass: expected standard or convertible", v);
		f->none = 1;
	}
	if ((v = svc_param(x, "OfferingType")) && strcmp(v, OFFERING_TYPE))
		f->none = 1;
	static const char *const nums[] = { "MinDuration", "MaxDuration", "MaxInstanceCount" };
	for (int i = 0; i < 3; i++) {
		if (!(v = svc_param(x, nums[i])))
			continue;
		char *end;
		long long n = strtoll(v, &end, 10);
		if (!*v || *end || n < 0)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%s' for %s: expected a whole number", v, nums[i]);
		if ((i == 0 && n > RI_TERM_SECONDS) || (i == 1 && n < RI_TERM_SECONDS))
			f->none = 1;
	}
	return 0;
}

int svc_describe_ri_offerings(struct svc *x)
{
	struct filter_set fs = FILTER_SET_INIT;
	struct ri_query f = { x, svc_param(x, "InstanceType"), svc_param(x, "AvailabilityZone"),
			    svc_param(x, "ProductDescription"), &fs };
	if (!region_valid(x->region))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
	if (f.type && !rate_type_known(f.type))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid instance type '%s'", f.type);
	if (f.desc && platform_parse(f.desc) < 0)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product description '%s': expected Linux/UNIX or Windows", f.desc);
	if (ri_limits(x, &f))
		return -1;
	/* pages only when asked: the offerings are a bounded list */
	struct svc_page page;
	if (svc_filters_absent(x, offering_filters, offering_filters_absent, &fs))
		return -1;
	if (svc_page_parse(x, "offerings", 1, 1000, 0, &page)) {
		filter_release(&fs);
		return -1;
	}
	char *end;
	f.skip = *page.after ? strtol(page.after, &end, 10) : 0;
	if (*page.after && (*end || f.skip < 1 || f.skip > 1000000)) {
		filter_release(&fs);
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid value '%s' for nextToken",
				svc_param(x, "NextToken"));
	}
	f.max = page.max;
	f.nids = svc_list(x, "ReservedInstancesOfferingId", &f.ids);
	svc_open(x, "reservedInstancesOfferingsSet");
	offerings_each(x->region, list_one, &f);
	svc_close(x);
	if (f.more) {
		char pos[24];
		snprintf(pos, sizeof pos, "%ld", f.skip + f.max);
		svc_page_token(x, "offerings", pos);
	}
	filter_release(&fs);
	free(f.ids);
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
				   (int64_t)count, x->now, x->now + RI_TERM_SECONDS, o->rate->fixed,
				   o->rate->hourly[o->platform]);
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
	struct filter_set fs = FILTER_SET_INIT;
	if (svc_filters(x, reserved_filters, &fs))
		return -1;
	struct store_rows *s = store_query(x->st, "SELECT id, type, platform, region, zone, count,"
				      " started, ends, fixed, hourly FROM reserved_instances WHERE owner = ?"
				      " ORDER BY started, id", "s", x->account);
	if (!s) {
		filter_release(&fs);
		return svc_fail_store(x);
	}
	const char **ids = NULL;
	size_t nids = svc_list(x, "ReservedInstancesId", &ids);
	svc_open(x, "reservedInstancesSet");
	while (store_step(s) == STORE_ROW) {
		const char *id = store_text(s, 0);
		int wanted = !ids || svc_list_has(ids, nids, id);
		const struct ri_term *rate = ri_find(store_text(s, 1));
		if (!wanted || !rate)
			continue;
		struct offering o = { .rate = rate,
				      .platform = store_int(s, 2) == PLATFORM_WINDOWS ?
							  PLATFORM_WINDOWS : PLATFORM_LINUX };
		snprintf(o.zone, sizeof o.zone, "%s", store_text(s, 4));
		int64_t ends = store_int64(s, 7);
		struct ri_row row = { .o = &o, .id = id, .state = x->now < ends ? "active" : "retired",
				      .fixed = store_int64(s, 8),
				      .hourly = store_int64(s, 9),
				      .start = store_int64(s, 6), .end = ends };
		if (!filter_match(&fs, ri_values, &row))
			continue;
		svc_open(x, "item");
		svc_elem(x, "reservedInstancesId", id);
		/* the prices of the day it was bought */
		write_common(x, &o, store_int64(s, 8), store_int64(s, 9));
		svc_elemf(x, "instanceCount", "%lld", (long long)store_int64(s, 5));
		svc_elem_time(x, "start", store_int64(s, 6));
		svc_elem_time(x, "end", ends);
		svc_elem(x, "state", x->now < ends ? "active" : "retired");
		svc_close(x);
	}
	store_done(s);
	free(ids);
	svc_close(x);
	filter_release(&fs);
	return 0;
}
