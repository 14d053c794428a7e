/* SPDX-License-Identifier: Apache-2.0 */
/* The product configuration options that devpay-register-product and
 * devpay-modify-product share: checked on the command line, added to the
 * request as Platform.N, Region.N, InstanceType.N.Name/Price,
 * Price.N.Region/Platform/InstanceType/HourlyPrice and the fees. */
#ifndef DP_PRODUCT_OPTS_H
#define DP_PRODUCT_OPTS_H
#include "client/cli.h"
#include "wire/query.h"

enum {
	PRODUCT_OPT_PLATFORM = CLI_LONG(100),
	PRODUCT_OPT_REGION,
	PRODUCT_OPT_TYPE,
	PRODUCT_OPT_ONE_TIME,
	PRODUCT_OPT_MONTHLY,
	PRODUCT_OPT_PRICE,
};

struct product_opts {
	int platforms, regions, types, prices; /* how many of each were given */
};

/* 1 when key is one of the options above (checked and added to q; a bad
 * value exits with a usage error), 0 for any other key. */
int product_opt(const struct cli *c, struct product_opts *po, int key, const char *arg,
		struct query *q);

#endif
