/* SPDX-License-Identifier: Apache-2.0 */
/* common/wire/sigv4.c: X-Amz-Date stamps (a fuzz finding: month 00 was taken as
 * December of the year before, day 31 of a 30-day month as the 1st of the next). */
#include "wire/sigv4.h"
#include "tap.h"

int main(void)
{
	int64_t t = -1;
	char back[17];
	ok(sigv4_parse_date("20150830T123600Z", &t) == 0 && t == 1440938160, "the AWS example date");
	sigv4_format_date(t, back);
	is_str(back, "20150830T123600Z", "prints back the same");
	ok(sigv4_parse_date("20240229T235959Z", &t) == 0, "29 February of a leap year");
	static const char *const bad[] = {
		"32150008T223600Z", /* month 00: the fuzz finding */
		"20151300T000000Z", "20150431T000000Z", "20150229T000000Z", "20150100T000000Z",
		"20150101T240000Z", "20150101T006000Z", "20150101T000060Z", "19691231T235959Z",
		"2015083T123600Z", "20150830 123600Z", "20150830T123600", "2015O830T123600Z", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(sigv4_parse_date(bad[i], &t) == -1, "'%s' refused", bad[i]);
	return tap_done();
}
