/* SPDX-License-Identifier: Apache-2.0 */
/* DescribeInstanceStatus: the status checks of the caller's instances, as
 * boto3's waiters (instance_status_ok, system_status_ok) read them.
 *
 * Nothing here fails: a running instance passes both checks (ok, its
 * reachability passed); a pending one is initializing; one shutting down or
 * terminated has no checks (not-applicable). By default only running
 * instances are answered, as EC2 does; IncludeAllInstances=true answers
 * every instance.
 *
 * Pages: MaxResults (5 to 1000) and NextToken, in launch order; a request
 * without MaxResults gets a page of at most 1000 too, with a NextToken when
 * more follow. InstanceId.N answers those instances in one answer (at most
 * the request's 1000 parameters), and is refused together with MaxResults,
 * as EC2 refuses it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/svc.h"

#define PAGE_MIN 5
#define PAGE_MAX 1000

/* EC2's filter names for DescribeInstanceStatus. Events, zone ids, EBS
 * status and managed instances do not exist here: those filters match
 * nothing (operator.managed is false for every instance). */
static const char *const status_filters[] = { "availability-zone", "availability-zone-id",
	"event.code", "event.description", "event.instance-event-id", "event.not-after",
	"event.not-before", "event.not-before-deadline", "instance-state-code",
	"instance-state-name", "instance-status.reachability", "instance-status.status",
	"operator.managed", "operator.principal", "system-status.reachability",
	"system-status.status", "attached-ebs-status.status", NULL };

struct status_row {
	const char *zone, *state;
	char code[8];
	const char *status, *reachability; /* reachability NULL: no details */
};

static int status_values(void *rec, const char *name, const char **out, int max)
{
	struct status_row *r = rec;
	const char *v = NULL;
	(void)max;
	if (!strcmp(name, "availability-zone"))
		v = r->zone;
	else if (!strcmp(name, "instance-state-name"))
		v = r->state;
	else if (!strcmp(name, "instance-state-code"))
		v = r->code;
	else if (!strcmp(name, "instance-status.status") || !strcmp(name, "system-status.status"))
		v = r->status;
	else if (!strcmp(name, "instance-status.reachability") ||
		 !strcmp(name, "system-status.reachability"))
		v = r->reachability;
	else if (!strcmp(name, "operator.managed"))
		v = "false";
	if (!v)
		return 0;
	out[0] = v;
	return 1;
}

/* The checks of an instance in a state: running passes, pending is
 * initializing, any other state has none. */
static void checks_of(struct status_row *r)
{
	if (!strcmp(r->state, "running"))
		r->status = "ok", r->reachability = "passed";
	else if (!strcmp(r->state, "pending"))
		r->status = "initializing", r->reachability = "initializing";
	else
		r->status = "not-applicable", r->reachability = NULL;
}

static void write_summary(struct svc *x, const char *name, const struct status_row *r)
{
	svc_open(x, name);
	svc_elem(x, "status", r->status);
	svc_open(x, "details");
	if (r->reachability) {
		svc_open(x, "item");
		svc_elem(x, "name", "reachability");
		svc_elem(x, "status", r->reachability);
		svc_close(x);
	}
	svc_close(x);
	svc_close(x);
}

static void write_status(struct svc *x, const char *id, const struct status_row *r)
{
	svc_open(x, "item");
	svc_elem(x, "instanceId", id);
	svc_elem(x, "availabilityZone", r->zone);
	svc_open(x, "eventsSet");
	svc_close(x);
	svc_open(x, "instanceState");
	svc_elem(x, "code", r->code);
	svc_elem(x, "name", r->state);
	svc_close(x);
	write_summary(x, "systemStatus", r);
	write_summary(x, "instanceStatus", r);
	svc_close(x);
}

/* A page's position: the launch time and the id of the last instance
 * answered, as "LAUNCHED.ID". 0, or -1 when token is not one of ours. */
static int parse_token(const char *token, int64_t *launched, char id[32])
{
	char *end;
	if (*token < '0' || *token > '9')
		return -1;
	long long t = strtoll(token, &end, 10);
	if (*end != '.' || t < 0 || strlen(end + 1) >= 32 || !svc_valid_id(end + 1, "i-"))
		return -1;
	*launched = t;
	snprintf(id, 32, "%s", end + 1);
	return 0;
}

static int parse_request(struct svc *x, int *all, long *page, int64_t *after_t, char after_id[32])
{
	const char *v = svc_param(x, "IncludeAllInstances");
	if (v && strcmp(v, "true") && strcmp(v, "false"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for IncludeAllInstances: expected true or false", v);
	*all = v && !strcmp(v, "true");
	*page = PAGE_MAX;
	const char *m = svc_param(x, "MaxResults");
	if (m) {
		if (query_get_nth(x->q, "InstanceId", 1, NULL))
			return svc_fail(x, 400, "InvalidParameterCombination",
					"The parameter instancesSet cannot be used with the parameter maxResults");
		char *end;
		long n = strtol(m, &end, 10);
		if (!*m || *end || n < PAGE_MIN || n > PAGE_MAX)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Value ( %s ) for parameter maxResults is invalid. Expecting a value from %d to %d.",
					m, PAGE_MIN, PAGE_MAX);
		*page = n;
	}
	*after_t = -1;
	*after_id = '\0';
	const char *t = svc_param(x, "NextToken");
	if (t && *t && parse_token(t, after_t, after_id))
		return svc_fail(x, 400, "InvalidPaginationToken",
				"The pagination token '%s' is not valid", t);
	return 0;
}

int svc_describe_instance_status(struct svc *x)
{
	int all = 0, count;
	long page = PAGE_MAX;
	int64_t after_t = -1;
	char after_id[32] = "";
	struct filter_set fs = FILTER_SET_INIT;
	struct buf json = BUF_INIT;
	if (parse_request(x, &all, &page, &after_t, after_id) || svc_filters(x, status_filters, &fs))
		return -1;
	if (svc_instance_ids(x, &json, &count)) {
		buf_release(&json);
		filter_release(&fs);
		return -1;
	}
	/* launch order, then id: the order pages follow */
	struct store_rows *s = count
		? store_query(x->st, "SELECT i.id, i.zone, i.launched, coalesce(i.terminated, 0)"
			      " FROM instances i WHERE i.id IN (SELECT value FROM json_each(?1))"
			      " AND +i.owner = ?2 AND +i.region = ?3"
			      " AND (i.launched > ?4 OR (i.launched = ?4 AND i.id > ?5))"
			      " ORDER BY i.launched, i.id",
			      "sssis", buf_str(&json), x->account, x->region, after_t, after_id)
		: store_query(x->st, "SELECT i.id, i.zone, i.launched, coalesce(i.terminated, 0)"
			      " FROM instances i WHERE i.owner = ?1 AND i.region = ?2"
			      " AND (i.launched > ?3 OR (i.launched = ?3 AND i.id > ?4))"
			      " ORDER BY i.launched, i.id",
			      "ssis", x->account, x->region, after_t, after_id);
	buf_release(&json);
	if (!s) {
		filter_release(&fs);
		return svc_fail_store(x);
	}
	long n = 0;
	int rc, more = 0;
	char last[64] = "";
	svc_open(x, "instanceStatusSet");
	while ((rc = store_step(s)) == STORE_ROW) {
		struct status_row r = { .zone = store_text(s, 1) };
		int code;
		r.state = svc_instance_state(store_int64(s, 2), store_int64(s, 3), x->now, &code);
		snprintf(r.code, sizeof r.code, "%d", code);
		checks_of(&r);
		if ((!all && strcmp(r.state, "running")) || !filter_match(&fs, status_values, &r))
			continue;
		if (!count && n == page) {
			more = 1; /* one more matches: the next page starts after the last */
			break;
		}
		write_status(x, store_text(s, 0), &r);
		snprintf(last, sizeof last, "%" PRId64 ".%s", store_int64(s, 2), store_text(s, 0));
		n++;
	}
	svc_close(x);
	store_done(s);
	filter_release(&fs);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return svc_fail_store(x);
	if (more)
		svc_elem(x, "nextToken", last);
	return 0;
}
