/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd's Query API over the HTTP front: a request's parameters (URL and
 * form body), its signature checked (service/auth.h), the Action run on the
 * worker thread's own store connection (service/service.h), the XML answer
 * or error document as the reply. */
#ifndef DP_SERVER_API_H
#define DP_SERVER_API_H
#include <sys/types.h>
#include "server/front.h"

#define API_MAX_BODY (1024 * 1024)

struct api_config {
	const char *store;
	const char *region;     /* for SigV2 requests, which name none */
	int trust_client_clock; /* X-Devpay-Now pins the service clock */
	int pg;                 /* the store is a PostgreSQL database */
	int https;              /* the scheme of the endpoint DescribeRegions shows */
	dev_t store_dev;        /* the store served: a file at the path with */
	ino_t store_ino;        /* another identity is not it */
	int healthz;            /* GET /healthz answers (unauthenticated) */
	int metrics;            /* GET /metrics answers (server/metrics.h) */
};

/* Before serving: 0, or -1 with dp_err_detail(). c is kept. */
int api_init(const struct api_config *c);

/* The front's handler (front_config.handle). */
void api_handle(void *cls, const struct front_request *rq, struct front_reply *rp);
/* The front's observer (front_config.observe): the metrics. */
void api_observe(const struct front_request *rq, const struct front_reply *rp, double seconds);

#endif
