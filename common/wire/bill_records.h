/* SPDX-License-Identifier: Apache-2.0 */
/* The records of a GetBill answer (BILL, CHARGE, TOTAL, CUSTOMER), in the
 * order devpay-bill prints them: one walk of the XML that devpay-bill and
 * devpayd's CSV downloads (server/pages_bill.c) both use, so the page's
 * file and the command's --output csv are the same bytes. */
#ifndef DP_WIRE_BILL_RECORDS_H
#define DP_WIRE_BILL_RECORDS_H
#include "base/format.h"
#include "wire/xml.h"

extern const struct record_layout REC_BILL, REC_CHARGE, REC_TOTAL, REC_CUSTOMER;

typedef void (*bill_record_fn)(void *cls, const struct record_layout *l, const char *const *fields);

/* Calls emit for each record of bill (the <bill> element): BILL, then each
 * section's CHARGEs and TOTAL, the CUSTOMERs and TOTALs of a report, and an
 * owner's per-product blocks and grand totals. */
void bill_records(const xmlNode *bill, bill_record_fn emit, void *cls);

#endif
