/* SPDX-License-Identifier: Apache-2.0 */
/* money_parse: never crashes; what it accepts is in range and prints back to
 * the same amount. */
#include "base/money.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	int64_t m = -1;
	if (money_parse(s, &m) == 0) {
		fuzz_check(m >= 0 && m <= INT64_C(1000000000) * MICRO_PER_DOLLAR);
		char out[32];
		int64_t back = -1;
		money_format_exact(m, out);
		fuzz_check(money_parse(out, &back) == 0 && back == m);
		money_format_cents(m, out);
		fuzz_check(money_parse(out, &back) == 0 && back == money_round_cents(m));
		fuzz_check(money_round_cents(-m) == -money_round_cents(m));
		fuzz_check(money_prorate(m, 1, 1) == m);
		int64_t p = money_prorate(m, 28, 30);
		fuzz_check(p >= 0 && p <= m);
	}
	free(s);
	return 0;
}
