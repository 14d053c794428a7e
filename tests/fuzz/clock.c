/* SPDX-License-Identifier: Apache-2.0 */
/* clock_parse: never crashes; what it accepts is a valid UTC time that both
 * printed forms give back unchanged. */
#include "base/clock.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	int64_t t = -1;
	if (clock_parse(s, &t) == 0) {
		fuzz_check(t >= 0);
		char out[32];
		int64_t back = -1;
		clock_format_wire(t, out);
		fuzz_check(clock_parse(out, &back) == 0 && back == t);
		clock_format_print(t, out);
		fuzz_check(clock_parse(out, &back) == 0 && back == t);
		int y, m, d;
		clock_to_ymd(t, &y, &m, &d);
		fuzz_check(m >= 1 && m <= 12 && d >= 1 && d <= clock_days_in_month(y, m));
		fuzz_check(clock_from_ymd(y, m, d) <= t && t - clock_from_ymd(y, m, d) < 86400);
	}
	int y = 0, m = 0;
	if (clock_parse_period(s, &y, &m) == 0)
		fuzz_check(y >= 1970 && m >= 1 && m <= 12);
	free(s);
	return 0;
}
