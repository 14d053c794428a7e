/* SPDX-License-Identifier: Apache-2.0 */
/* SigV4, both sides: a received Authorization header and X-Amz-Date never
 * crash the parsers, and what parses has every part; a request built from
 * the input (headers, query, payload) signs, verifies with the secret, and
 * fails to verify once one byte of the payload or signature changes. */
#include "wire/sigv4.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct sigv4_auth a;
	if (sigv4_parse_auth(s, &a) == 0) {
		fuzz_check(a.access_key && a.date && a.region && a.service && a.signed_headers &&
			   a.signature);
		sigv4_auth_release(&a);
	}
	int64_t t;
	if (sigv4_parse_date(s, &t) == 0) {
		char back[17];
		sigv4_format_date(t, back);
		fuzz_check(!strcmp(back, s));
	}
	/* the input, split at the first two newlines: a header value, a query
	 * string, a payload */
	char *hv = s, *query = strchr(hv, '\n'), *payload = NULL;
	if (query) {
		*query++ = '\0';
		payload = strchr(query, '\n');
		if (payload)
			*payload++ = '\0';
	}
	const char *pl = payload ? payload : "";
	struct sigv4_header h[] = { { "Host", "example.com" }, { "X-Amz-Date", "20150830T123600Z" },
				    { "X-Fuzz", hv } };
	struct sigv4_request r = { .method = "POST", .path = "/", .query = query ? query : "",
				   .headers = h, .nheaders = 3, .payload = pl,
				   .payload_len = strlen(pl), .amz_date = "20150830T123600Z",
				   .region = "us-east-1", .service = "ec2", .access_key = "AKIDEXAMPLE",
				   .secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
	struct sigv4_result out = SIGV4_RESULT_INIT;
	if (sigv4_sign(&r, &out) == DP_OK) {
		fuzz_check(strlen(out.signature) == 64);
		fuzz_check(sigv4_verify(&r, out.signature) == 1);
		char sig[65];
		memcpy(sig, out.signature, sizeof sig);
		sig[0] = sig[0] == '0' ? '1' : '0';
		fuzz_check(sigv4_verify(&r, sig) == 0);
		struct sigv4_request other = r;
		other.payload = "changed";
		other.payload_len = 7;
		if (strcmp(pl, "changed"))
			fuzz_check(sigv4_verify(&other, out.signature) == 0);
		struct sigv4_auth back;
		fuzz_check(sigv4_parse_auth(buf_str(&out.authorization), &back) == 0);
		fuzz_check(!strcmp(back.signature, out.signature));
		sigv4_auth_release(&back);
	}
	sigv4_result_release(&out);
	free(s);
	return 0;
}
