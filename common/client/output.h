/* Records: one a line, fields joined by TAB. Every layout lives in
 * records.c, so each column list is written once. */
#ifndef DP_OUTPUT_H
#define DP_OUTPUT_H
#include <stddef.h>
#include "client/cli.h"

struct record_layout {
	const char *type;          /* first field; NULL for records without one */
	const char *const *cols;   /* NULL-terminated column names after the type */
	/* The -H line when it is not "Type" and cols: ec2-api-tools 1.6.7.1's
	 * own header (RESERVATION's names a Platform column it never fills). */
	const char *header;
};

extern const struct record_layout REC_PRODUCT, REC_PRICE, REC_PENDING, REC_SUBSCRIPTION,
	REC_SUBSCRIPTION_INFO,
	REC_IMAGE, REC_IMAGE_ATTR, REC_PC_MODIFY, REC_LP_MODIFY, REC_LP, REC_LP_RESET,
	REC_REGION, REC_ZONE, REC_RESERVATION, REC_INSTANCE, REC_TERMINATE, REC_CONFIRM,
	REC_BILL, REC_CHARGE, REC_TOTAL, REC_CUSTOMER, REC_OFFERING, REC_RESERVED,
	REC_REQUEST, REC_TAG,
	REC_GROUP_ADD, REC_GROUP, REC_PERMISSION_CIDR, REC_PERMISSION_GROUP,
	REC_PERMISSION_GROUP1, REC_RETURN;
extern const struct record_layout REC_KEYPAIR, REC_KEYPAIR_NAME;
/* issue 20: instance attributes and status */
extern const struct record_layout REC_INSTANCE_ATTR, REC_BLOCKDEVICE, REC_INSTANCE_STATUS,
	REC_SYSTEMSTATUS, REC_INSTANCESTATUS;

/* Prints one record. fields holds exactly as many strings as the layout has
 * columns; NULL or "" is an empty field. With -H one header line is printed,
 * as ec2-api-tools does: the first record's, before it, and no other. Tabs and newlines inside a field
 * become spaces so a record stays one line. */
void out_record(const struct dp_config *cfg, const struct record_layout *l,
		const char *const *fields);
size_t out_ncols(const struct record_layout *l);

#endif
