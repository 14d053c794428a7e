/* SPDX-License-Identifier: Apache-2.0 */
/* service_handle with arbitrary parameters: whatever a caller sends, the
 * answer is well-formed XML (xml_well_formed, libxml2 without recovery) with
 * a status the service documents, and nothing crashes or leaks.
 *
 * Input: byte 0 picks the Action, byte 1 the calling account (and, when its
 * bit 0x80 is set, writes the first parameter's value raw into the store as a
 * product and an image name, as a store written before the text check could
 * hold it); the rest is a form body (name=value&..., %XX for any byte). */
#include <unistd.h>
#include "service/service.h"
#include "wire/xml.h"
#include "fuzz.h"

static const char *const actions[] = {
	"RegisterProduct", "DescribeProducts", "PurchaseProduct", "CancelSubscription",
	"RegisterImage", "DescribeImages", "ModifyImageAttribute", "DescribeImageAttribute",
	"RunInstances", "DescribeInstances", "TerminateInstances", "ConfirmProductInstance",
	"GetBill", "ModifyProduct", "DescribeReservedInstancesOfferings",
	"PurchaseReservedInstancesOffering", "DescribeReservedInstances", "CreateTags", "DeleteTags",
	"DescribeTags", "NoSuchAction",
};
#define NACTIONS (sizeof actions / sizeof actions[0])

static struct store *st;
static char accounts[3][13];

static void setup(void)
{
	char dir[] = "/tmp/devpay-fuzz-service.XXXXXX", path[64];
	fuzz_check(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/store.db", dir);
	fuzz_check(store_open(path, &st) == DP_OK);
	const char *keys[3] = { "AKFUZZOWNER00000001", "AKFUZZCUSTOMER00001", "AKFUZZOTHER00000001" };
	for (int i = 0; i < 3; i++) {
		struct buf xml = BUF_INIT;
		int created;
		fuzz_check(service_auth_local(st, keys[i], "secret", 1700000000, accounts[i], &created, &xml) == 0);
		buf_release(&xml);
	}
	/* a product, a subscription and an image to refer to */
	struct query q = QUERY_INIT;
	query_add(&q, "Action", "RegisterProduct");
	query_add(&q, "Name", "seed");
	query_add(&q, "Platform.1", "linux");
	query_add(&q, "InstanceType.1.Name", "m1.small");
	query_add(&q, "InstanceType.1.Price", "0.20");
	struct buf xml = BUF_INIT;
	struct service_call c = { .st = st, .account = accounts[0], .region = "us-east-1", .q = &q,
				  .now = 1700000000 };
	fuzz_check(service_handle(&c, &xml) == 200);
	query_release(&q);
	buf_release(&xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st)
		setup();
	if (size < 2)
		return 0;
	struct query q = QUERY_INIT;
	query_add(&q, "Action", actions[data[0] % NACTIONS]);
	query_parse(&q, (const char *)data + 2, size - 2);
	if ((data[1] & 0x80) && q.n > 1) {
		/* raw bytes in the store, past the boundary check */
		store_exec(st, "UPDATE products SET name = ?, description = ?", "ss", q.v[1].value, q.v[1].name);
		store_exec(st, "UPDATE images SET name = ?, description = ?", "ss", q.v[1].value, q.v[1].name);
	}
	struct buf xml = BUF_INIT, why = BUF_INIT;
	struct service_call c = { .st = st, .account = accounts[(data[1] & 0x7f) % 3],
				  .region = "us-east-1", .q = &q, .now = 1700000000 };
	int status = service_handle(&c, &xml);
	if (xml_well_formed(xml.p, xml.len, &why)) {
		fprintf(stderr, "not well-formed (%s):\n%.2000s\n", buf_str(&why), buf_str(&xml));
		fuzz_check(!"the answer is well-formed XML");
	}
	fuzz_check(status == 200 || status == 400 || status == 401 || status == 403 || status == 500);
	buf_release(&xml);
	buf_release(&why);
	query_release(&q);
	return 0;
}
