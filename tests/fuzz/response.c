/* SPDX-License-Identifier: Apache-2.0 */
/* response_parse: never crashes or leaks on any body; the first byte picks
 * the HTTP status. Every outcome is one of the three the header promises. */
#include "wire/xml.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 500, 503 };
	if (size < 1)
		return 0;
	long status = statuses[data[0] % 5];
	struct response r;
	struct buf msg = BUF_INIT;
	enum dp_err e = response_parse((const char *)data + 1, size - 1, status, &r, &msg);
	fuzz_check(e == DP_OK || e == DP_ERR_SERVICE || e == DP_ERR_BADXML);
	fuzz_check(r.request_id != NULL);
	if (e == DP_OK) {
		fuzz_check(status < 400 && r.root != NULL && msg.len == 0);
		xml_foreach(item, xml_path(r.root, "imagesSet"), "item")
			(void)xml_text(item, "imageId");
	} else if (e == DP_ERR_SERVICE) {
		const char *m = buf_str(&msg);
		fuzz_check(!strncmp(m, status >= 500 ? "Service." : "Client.", status >= 500 ? 8 : 7));
		fuzz_check(r.root != NULL);
	} else {
		fuzz_check(r.doc == NULL && msg.len > 0);
	}
	response_release(&r);
	buf_release(&msg);
	return 0;
}
