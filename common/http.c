#include "transport.h"

enum dp_err transport_http(const struct dp_config *cfg, struct query *q, long *status,
			   struct buf *body)
{
	(void)q;
	(void)status;
	(void)body;
	dp_err_set("HTTP endpoints ('%s') are not available yet in this version", cfg->url);
	return DP_ERR_UNSUPPORTED;
}
