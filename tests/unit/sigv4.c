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

	/* aws-sig-v4-test-suite's get-header-key-duplicate and
	 * get-header-value-trim, and a mixed set (names in any case, given
	 * twice, empty, runs of spaces and tabs); the signatures computed with
	 * Python's hmac and hashlib from the rules: names lower-cased and
	 * sorted, the values of a name joined with commas in their order,
	 * each value trimmed and its inner runs of blanks made one space */
	static const struct sigv4_header dup[] = {
		{ "Host", "example.amazonaws.com" }, { "My-Header1", "value2" },
		{ "My-Header1", "value2" }, { "My-Header1", "value1" },
		{ "X-Amz-Date", "20150830T123600Z" } };
	static const struct sigv4_header trim[] = {
		{ "Host", "example.amazonaws.com" }, { "My-Header1", " value1" },
		{ "My-Header2", "\"a   b   c\"" }, { "X-Amz-Date", "20150830T123600Z" } };
	static const struct sigv4_header mixed[] = {
		{ "X-Amz-Date", "20150830T123600Z" }, { "host", "  a \t b  " }, { "HOST", "c" },
		{ "Content-Type", "x/y ; q=1  " }, { "a", "" }, { "A", "  " } };
	static const struct {
		const struct sigv4_header *h;
		size_t n;
		const char *name, *sig, *names;
	} sets[] = {
		{ dup, 5, "get-header-key-duplicate",
		  "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea", "host;my-header1;x-amz-date" },
		{ trim, 4, "get-header-value-trim",
		  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
		  "host;my-header1;my-header2;x-amz-date" },
		{ mixed, 6, "names in any case, twice, empty values",
		  "0fe30bf2c9451e894fc807ba79527b376be675a8cd15083f6505dc5e3a51f984", "a;content-type;host;x-amz-date" },
	};
	r.query = "";
	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
		r.headers = sets[i].h;
		r.nheaders = sets[i].n;
		ok(sigv4_sign(&r, &out) == DP_OK && !strcmp(out.signature, sets[i].sig) &&
			   !strcmp(out.signed_headers.p, sets[i].names),
		   "%s", sets[i].name);
		ok(sigv4_verify(&r, sets[i].sig) == 1, "%s, verified", sets[i].name);
	}
	/* a name given three times with long values, the scratch buffer growing
	 * under them (tests/unit runs under the sanitizers too) */
	char longv[3][400];
	for (int i = 0; i < 3; i++) {
		memset(longv[i], 'a' + i, sizeof longv[i] - 1);
		longv[i][sizeof longv[i] - 1] = '\0';
	}
	const struct sigv4_header many[] = { { "Host", "example.amazonaws.com" }, { "X-Long", longv[0] },
					     { "X-Amz-Date", "20150830T123600Z" }, { "x-long", longv[1] },
					     { "X-LONG", longv[2] } };
	struct sigv4_result fresh = SIGV4_RESULT_INIT;
	r.headers = many;
	r.nheaders = 5;
	struct buf want = BUF_INIT;
	buf_adds(&want, "\nx-long:");
	for (int i = 0; i < 3; i++) {
		if (i)
			buf_addc(&want, ',');
		buf_adds(&want, longv[i]);
	}
	buf_addc(&want, '\n');
	ok(sigv4_sign(&r, &fresh) == DP_OK && strstr(fresh.canonical.p, want.p) &&
		   !strcmp(fresh.signed_headers.p, "host;x-amz-date;x-long"),
	   "a name given three times, long values: joined in their order");
	buf_release(&want);
	sigv4_result_release(&fresh);
	r.headers = mixed;
	r.nheaders = 6;
	ok(sigv4_sign(&r, &out) == DP_OK, "the mixed set again");
	ok(strstr(out.canonical.p, "\na:,\n") && strstr(out.canonical.p, "\nhost:a b,c\n") &&
		   strstr(out.canonical.p, "\ncontent-type:x/y ; q=1\n"),
	   "the mixed set's canonical headers");
	sigv4_result_release(&out);
	sigv4_thread_release();
	return tap_done();
}
