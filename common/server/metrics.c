/* SPDX-License-Identifier: Apache-2.0 */
#include <stdatomic.h>
#include <string.h>
#include "service/service.h"
#include "server/metrics.h"

/* the Action labels: the service's Actions, then "other" (an unknown name)
 * and "none" (no Action: a page, /healthz ...) */
#define MAX_ACTIONS 96
#define STATUSES 600
static const char *names[MAX_ACTIONS + 2];
static size_t nnames;
static atomic_ulong requests[MAX_ACTIONS + 2][STATUSES];

static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
				 2.5, 5, 10 };
#define NBOUNDS (sizeof bounds / sizeof bounds[0])
static atomic_ulong buckets[NBOUNDS + 1]; /* the last: +Inf only */
static atomic_ulong latency_us;
static atomic_ulong store_errors;

void metrics_init(void)
{
	const char *n;
	nnames = 0;
	for (size_t i = 0; nnames < MAX_ACTIONS && (n = service_action_name(i)); i++)
		names[nnames++] = n;
	names[nnames] = "other";
	names[nnames + 1] = "none";
}

static size_t action_index(const char *a)
{
	if (!a || !*a)
		return nnames + 1;
	for (size_t i = 0; i < nnames; i++)
		if (!strcmp(names[i], a))
			return i;
	return nnames;
}

void metrics_request(const char *action, unsigned status, double seconds)
{
	size_t i = action_index(action);
	if (status >= STATUSES)
		status = 0;
	atomic_fetch_add_explicit(&requests[i][status], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBOUNDS && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_us, (unsigned long)(seconds * 1e6 + 0.5),
				  memory_order_relaxed);
}

void metrics_store_error(void)
{
	atomic_fetch_add_explicit(&store_errors, 1, memory_order_relaxed);
}

void metrics_write(struct buf *o, long open_connections)
{
	buf_adds(o, "# HELP devpayd_requests_total Requests answered, by Action and HTTP status.\n"
		    "# TYPE devpayd_requests_total counter\n");
	for (size_t i = 0; i < nnames + 2; i++)
		for (unsigned s = 0; s < STATUSES; s++) {
			unsigned long v = atomic_load_explicit(&requests[i][s], memory_order_relaxed);
			if (v)
				buf_addf(o, "devpayd_requests_total{action=\"%s\",status=\"%u\"} %lu\n",
					 names[i], s, v);
		}
	buf_adds(o, "# HELP devpayd_request_duration_seconds Time from a request's headers to its"
		    " answer.\n# TYPE devpayd_request_duration_seconds histogram\n");
	unsigned long cum = 0;
	for (size_t b = 0; b < NBOUNDS; b++) {
		cum += atomic_load_explicit(&buckets[b], memory_order_relaxed);
		buf_addf(o, "devpayd_request_duration_seconds_bucket{le=\"%g\"} %lu\n", bounds[b], cum);
	}
	cum += atomic_load_explicit(&buckets[NBOUNDS], memory_order_relaxed);
	buf_addf(o, "devpayd_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	unsigned long us = atomic_load_explicit(&latency_us, memory_order_relaxed);
	buf_addf(o, "devpayd_request_duration_seconds_sum %lu.%06lu\n", us / 1000000, us % 1000000);
	/* the count is the +Inf bucket's (read once, so the two agree) */
	buf_addf(o, "devpayd_request_duration_seconds_count %lu\n", cum);
	buf_addf(o, "# HELP devpayd_store_errors_total Failures of the store (unreachable, an"
		    " internal error).\n# TYPE devpayd_store_errors_total counter\n"
		    "devpayd_store_errors_total %lu\n",
		 atomic_load_explicit(&store_errors, memory_order_relaxed));
	buf_addf(o, "# HELP devpayd_open_connections Connections open now.\n"
		    "# TYPE devpayd_open_connections gauge\ndevpayd_open_connections %ld\n",
		 open_connections);
}
