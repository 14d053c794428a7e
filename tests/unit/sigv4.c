/* SPDX-License-Identifier: Apache-2.0 */
/* common/wire/sigv4.c: X-Amz-Date stamps (a fuzz finding: month 00 was taken as
 * December of the year before, day 31 of a 30-day month as the 1st of the next);
 * signatures of AWS's published test suite, one after another under the key
 * a thread keeps, another key between them. */
#include <string.h>
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

	/* the requests of aws-sig-v4-test-suite's get-vanilla and
	 * get-vanilla-query-order-key, their signatures computed with Python's
	 * hmac and hashlib */
	static const struct sigv4_header hs[] = { { "Host", "example.amazon.com" },
						  { "X-Amz-Date", "20150830T123600Z" } };
	struct sigv4_request r = { .method = "GET", .path = "/", .query = "", .headers = hs,
				   .nheaders = 2, .payload = "", .amz_date = "20150830T123600Z",
				   .region = "us-east-1", .service = "service",
				   .access_key = "AKIDEXAMPLE",
				   .secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
	static const char vanilla[] = "7ab4567ae243ee168f6bf18206b2b40b61ce08277323168138fa113ed23c538e";
	static const char query[] = "ca0a842792a27475df455b2925aa79d50a98e27d1733a46b57c22810e6b1a7bc";
	struct sigv4_result out = SIGV4_RESULT_INIT;
	for (int round = 0; round < 2; round++) {
		r.query = "";
		ok(sigv4_sign(&r, &out) == DP_OK && !strcmp(out.signature, vanilla),
		   "get-vanilla (round %d)", round);
		r.query = "Param2=value2&Param1=value1";
		ok(sigv4_sign(&r, &out) == DP_OK && !strcmp(out.signature, query),
		   "get-vanilla-query-order-key, the same key again (round %d)", round);
		ok(sigv4_verify(&r, query) == 1 && sigv4_verify(&r, vanilla) == 0,
		   "verified under the kept key (round %d)", round);
		/* another secret, then another day: not the kept key's signature */
		r.secret = "another-secret";
		r.query = "";
		ok(sigv4_sign(&r, &out) == DP_OK &&
			   !strcmp(out.signature, "5cd024fc911c686cc586566e7c70dbfac95108cfa7c25b6a220791c6334331ca"),
		   "another secret's signature (round %d)", round);
		r.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
		r.amz_date = "20150831T123600Z";
		ok(sigv4_sign(&r, &out) == DP_OK && strcmp(out.signature, vanilla),
		   "another day signs otherwise (round %d)", round);
		r.amz_date = "20150830T123600Z";
	}
	sigv4_result_release(&out);
	return tap_done();
}
