/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd's metrics (GET /metrics): counters kept with relaxed atomics, so
 * the request path pays a few additions; written out in the Prometheus text
 * exposition format (version 0.0.4). */
#ifndef DP_SERVER_METRICS_H
#define DP_SERVER_METRICS_H
#include "base/buf.h"

/* Before serving: the Action names come from the service's table. */
void metrics_init(void);
/* One request answered: its Action (NULL or "": none; a name the service
 * does not know counts as "other"), its HTTP status, the seconds it took. */
void metrics_request(const char *action, unsigned status, double seconds);
/* The store failed (could not be opened, an internal error, unavailable). */
void metrics_store_error(void);
/* The exposition, with the connections open now. */
void metrics_write(struct buf *out, long open_connections);

#endif
