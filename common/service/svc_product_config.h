/* SPDX-License-Identifier: Apache-2.0 */
/* The product configuration that svc_products.c and svc_product_config.c
 * share; the handlers' own lookups are in svc.h. */
#ifndef DP_SVC_PRODUCT_CONFIG_H
#define DP_SVC_PRODUCT_CONFIG_H
#include <stdint.h>
#include "service/svc.h"

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

/* The request's configuration parameters over c: 0, or -1 refused through svc_fail. */
int svc_parse_config(struct svc *x, struct product_config *c);
/* The finished configuration: every price on what it covers, every covered type priced. */
int svc_check_config(struct svc *x, struct product_config *c);
/* A new version of code with c, in force from effective: 0, or -1 refused. */
int svc_insert_version(struct svc *x, const char *code, int64_t effective,
		       const struct product_config *c);
/* A stored version's configuration into c: 0, or -1 on a store error. */
int svc_load_config(struct svc *x, int64_t version, struct product_config *c);
/* A version's effective date, fees, platforms, regions and prices, as answer elements. */
void svc_write_config(struct svc *x, int64_t version);

#endif
