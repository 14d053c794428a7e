/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include "base/clock.h"
#include "wire/bill_records.h"

#define COLS(...) ((const char *const[]){ __VA_ARGS__, NULL })
const struct record_layout REC_BILL = { "BILL", COLS("Account", "Period", "From", "To",
	"Role", "ProductCode") };
const struct record_layout REC_CHARGE = { "CHARGE", COLS("ProductCode", "Component",
	"Description", "Quantity", "UnitPrice", "Amount") };
const struct record_layout REC_TOTAL = { "TOTAL", COLS("Scope", "Description", "Amount") };
const struct record_layout REC_CUSTOMER = { "CUSTOMER", COLS("ProductCode", "Account",
	"OneTime", "Monthly", "Usage", "Revenue", "AwsCost", "ValueAdd", "DevPayFee", "Net",
	"OwnerPays") };

/* A wire time as the commands print it; anything else as it is. */
static const char *print_time(const char *wire, char out[32])
{
	int64_t t;
	if (!*wire || clock_parse(wire, &t))
		return wire;
	clock_format_print(t, out);
	return out;
}

static void customers(const xmlNode *parent, bill_record_fn emit, void *cls)
{
	xml_foreach(it, xml_child(parent, "customerSet"), "item")
	{
		const char *f[] = { xml_text(it, "productCode"), xml_text(it, "accountId"),
				    xml_text(it, "oneTime"), xml_text(it, "monthly"),
				    xml_text(it, "usage"), xml_text(it, "revenue"),
				    xml_text(it, "awsCost"), xml_text(it, "valueAdd"),
				    xml_text(it, "devpayFee"), xml_text(it, "net"),
				    xml_text(it, "ownerPays") };
		emit(cls, &REC_CUSTOMER, f);
	}
}

static void totals(const xmlNode *set, bill_record_fn emit, void *cls)
{
	xml_foreach(it, set, "item")
	{
		const char *t[] = { xml_text(it, "scope"), xml_text(it, "description"),
				    xml_text(it, "amount") };
		emit(cls, &REC_TOTAL, t);
	}
}

void bill_records(const xmlNode *bill, bill_record_fn emit, void *cls)
{
	char from[32], to[32];
	const char *b[] = { xml_text(bill, "accountId"), xml_text(bill, "period"),
			    print_time(xml_text(bill, "startTime"), from),
			    print_time(xml_text(bill, "endTime"), to), xml_text(bill, "role"),
			    xml_text(bill, "productCode") };
	emit(cls, &REC_BILL, b);
	xml_foreach(sec, xml_child(bill, "sectionSet"), "item")
	{
		xml_foreach(it, xml_child(sec, "chargeSet"), "item")
		{
			const char *f[] = { xml_text(it, "productCode"), xml_text(it, "component"),
					    xml_text(it, "description"), xml_text(it, "quantity"),
					    xml_text(it, "unitPrice"), xml_text(it, "amount") };
			emit(cls, &REC_CHARGE, f);
		}
		const char *t[] = { xml_text(sec, "productCode"), xml_text(sec, "name"),
				    xml_text(sec, "total") };
		emit(cls, &REC_TOTAL, t);
	}
	customers(bill, emit, cls);
	totals(xml_child(bill, "totalSet"), emit, cls);
	/* an owner's bill without a product: a block for each product */
	xml_foreach(it, xml_child(bill, "productReportSet"), "item")
	{
		customers(it, emit, cls);
		totals(xml_child(it, "totalSet"), emit, cls);
	}
	totals(xml_child(bill, "grandTotalSet"), emit, cls);
}
