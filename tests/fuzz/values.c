/* SPDX-License-Identifier: Apache-2.0 */
/* The values a request carries, as the service checks them: ids, product
 * codes, regions, platforms, X-Amz-Date stamps. Never a crash; what is
 * accepted has the documented shape. */
#include <ctype.h>
#include "service/auth.h"
#include "base/rates.h"
#include "wire/sigv4.h"
#include "service/svc.h"
#include "fuzz.h"

static int all_hex(const char *s, int upper)
{
	for (; *s; s++)
		if (!(isdigit((unsigned char)*s) ||
		      (upper ? (*s >= 'A' && *s <= 'F') : (*s >= 'a' && *s <= 'f'))))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	size_t n = strlen(s);
	if (svc_valid_code(s))
		fuzz_check(n == 8 && all_hex(s, 1));
	static const char *const prefixes[] = { "ami-", "i-", "r-" };
	for (int k = 0; k < 3; k++)
		if (svc_valid_id(s, prefixes[k])) {
			size_t pl = strlen(prefixes[k]);
			fuzz_check(n >= pl + 8 && n <= pl + 17 && !strncmp(s, prefixes[k], pl));
			fuzz_check(all_hex(s + pl, 0));
		}
	if (region_valid(s))
		fuzz_check(auth_valid_region(s));
	if (auth_valid_region(s))
		for (const char *p = s; *p; p++)
			fuzz_check(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-');
	int p = platform_parse(s);
	fuzz_check(p == -1 || p == PLATFORM_LINUX || p == PLATFORM_WINDOWS);
	if (p >= 0)
		fuzz_check(platform_parse(platform_name((enum platform)p)) == p);
	if (ri_find(s))
		fuzz_check(!strcmp(ri_find(s)->type, s));
	if (rate_type_known(s))
		fuzz_check(n > 0 && rate_hourly("us-east-1", PLATFORM_LINUX, s, 0) >= -1);
	int64_t t;
	if (sigv4_parse_date(s, &t) == 0)
		fuzz_check(n == 16 && s[8] == 'T' && s[15] == 'Z');
	free(s);
	return 0;
}
