/* SPDX-License-Identifier: Apache-2.0 */
/* The transport seam: the endpoint URL decides where a request goes.
 * http(s)://... is signed and sent with libcurl; file://PATH, or nothing
 * set, runs the in-process service on the local store. Either way the
 * caller gets the HTTP status and the XML document. */
#ifndef DP_TRANSPORT_H
#define DP_TRANSPORT_H
#include "base/buf.h"
#include "client/cli.h"
#include "base/err.h"
#include "wire/query.h"

enum dp_err transport_call(const struct dp_config *cfg, struct query *q, long *status,
			   struct buf *body);

/* The local transport (file:// or no endpoint). */
enum dp_err transport_local(const struct dp_config *cfg, const struct query *q, long *status,
			    struct buf *body);
/* The HTTP transport (http:// or https://), in http.c. */
enum dp_err transport_http(const struct dp_config *cfg, struct query *q, long *status,
			   struct buf *body);

#endif
