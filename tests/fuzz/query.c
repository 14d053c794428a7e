/* SPDX-License-Identifier: Apache-2.0 */
/* query_parse: never crashes or leaks, on any bytes; whatever it reads,
 * query_encode writes a body that parses back to the same parameters. */
#include "wire/query.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query q = QUERY_INIT, back = QUERY_INIT;
	query_parse(&q, (const char *)data, size);
	for (int sorted = 0; sorted <= 1; sorted++) {
		struct buf b = BUF_INIT;
		query_encode(&q, sorted, "Signature", &b);
		fuzz_check(query_parse(&back, b.p ? b.p : "", b.len) == 0);
		if (!sorted) {
			size_t j = 0;
			for (size_t i = 0; i < q.n; i++) {
				if (!strcmp(q.v[i].name, "Signature"))
					continue;
				fuzz_check(j < back.n);
				fuzz_check(!strcmp(q.v[i].name, back.v[j].name));
				fuzz_check(!strcmp(q.v[i].value, back.v[j].value));
				j++;
			}
			fuzz_check(j == back.n);
		}
		query_release(&back);
		buf_release(&b);
	}
	query_release(&q);
	return 0;
}
