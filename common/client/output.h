/* SPDX-License-Identifier: Apache-2.0 */
/* Records: one a line, fields joined by TAB (or JSON, CSV: --output). Every
 * layout lives in output.c (a bill's in wire/bill_records.c), so each column
 * list is written once; the writer of each form is common/base/format.c. */
#ifndef DP_OUTPUT_H
#define DP_OUTPUT_H
#include <stddef.h>
#include "client/cli.h"
#include "base/format.h"
#include "wire/bill_records.h"

extern const struct record_layout REC_PRODUCT, REC_PRICE, REC_PENDING, REC_SUBSCRIPTION,
	REC_SUBSCRIPTION_INFO,
	REC_IMAGE, REC_IMAGE_ATTR, REC_PC_MODIFY, REC_LP_MODIFY, REC_LP, REC_LP_RESET,
	REC_REGION, REC_ZONE, REC_RESERVATION, REC_INSTANCE, REC_TERMINATE, REC_CONFIRM,
	REC_OFFERING, REC_RESERVED,
	REC_REQUEST, REC_TAG,
	REC_GROUP_ADD, REC_GROUP, REC_PERMISSION_CIDR, REC_PERMISSION_GROUP,
	REC_PERMISSION_GROUP1, REC_RETURN;
extern const struct record_layout REC_KEYPAIR, REC_KEYPAIR_NAME, REC_KEYPAIR_MATERIAL;
/* issue 20: instance attributes and status */
extern const struct record_layout REC_INSTANCE_ATTR, REC_BLOCKDEVICE, REC_INSTANCE_STATUS,
	REC_SYSTEMSTATUS, REC_INSTANCESTATUS;

/* Prints one record in the form of --output. fields holds exactly as many
 * strings as the layout has columns; NULL or "" is an empty field. Text:
 * with -H one header line is printed, as ec2-api-tools does: the first
 * record's, before it, and no other; tabs and newlines inside a field become
 * spaces so a record stays one line. */
void out_record(const struct dp_config *cfg, const struct record_layout *l,
		const char *const *fields);
/* Called by cli_finish(): from here on the output is one document, ended at
 * exit whatever the exit status (json: "]", or "[]" without a record). */
void out_start(const struct dp_config *cfg);
/* A usage error: the document is not ended when no record was printed
 * (the error prints nothing on standard output). */
void out_usage_error(void);
/* A command that prints no records (devpay-metadata): nothing at exit. */
void out_no_records(void);

#endif
