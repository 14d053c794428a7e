/* SPDX-License-Identifier: Apache-2.0 */
/* Test driver for the signing helpers: signs what the command line gives, at
 * the time it gives, and prints the intermediate strings, so tests can check
 * them against published vectors and an independent openssl computation.
 *   sigtest v4 METHOD PATH QUERY PAYLOAD AMZDATE REGION SERVICE KEY SECRET [Name:value]...
 *   sigtest v2 METHOD HOST PATH SECRET QUERY
 *   sigtest parse 'AWS4-HMAC-SHA256 Credential=...' */
#include <stdio.h>
#include <string.h>
#include "wire/sigv2.h"
#include "wire/sigv4.h"

static int v4(int argc, char **argv)
{
	if (argc < 11)
		return 2;
	struct sigv4_header h[32];
	size_t n = 0;
	for (int i = 11; i < argc && n < 32; i++, n++) {
		char *colon = strchr(argv[i], ':');
		if (!colon)
			return 2;
		*colon = '\0';
		h[n] = (struct sigv4_header){ argv[i], colon + 1 };
	}
	struct sigv4_request r = { .method = argv[2], .path = argv[3], .query = argv[4],
				   .headers = h, .nheaders = n, .payload = argv[5],
				   .payload_len = strlen(argv[5]), .amz_date = argv[6],
				   .region = argv[7], .service = argv[8], .access_key = argv[9],
				   .secret = argv[10] };
	struct sigv4_result out = SIGV4_RESULT_INIT;
	if (sigv4_sign(&r, &out)) {
		fprintf(stderr, "sigtest: %s\n", dp_err_detail());
		return 1;
	}
	printf("%s\n--\n%s\n--\n%s\n", buf_str(&out.canonical), buf_str(&out.string_to_sign),
	       buf_str(&out.authorization));
	sigv4_result_release(&out);
	return 0;
}

static int v2(int argc, char **argv)
{
	if (argc != 7)
		return 2;
	struct query q = QUERY_INIT;
	if (query_parse(&q, argv[6], strlen(argv[6])))
		return 2;
	struct buf sts = BUF_INIT, sig = BUF_INIT;
	if (sigv2_sign(argv[2], argv[3], argv[4], &q, argv[5], &sts, &sig))
		return 1;
	printf("%s\n--\n%s\n", buf_str(&sts), buf_str(&sig));
	buf_release(&sts);
	buf_release(&sig);
	query_release(&q);
	return 0;
}

static int parse(int argc, char **argv)
{
	struct sigv4_auth a;
	if (argc != 3)
		return 2;
	if (sigv4_parse_auth(argv[2], &a)) {
		puts("malformed");
		return 1;
	}
	printf("%s %s %s %s %s %s\n", a.access_key, a.date, a.region, a.service, a.signed_headers,
	       a.signature);
	sigv4_auth_release(&a);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "v4"))
		return v4(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "v2"))
		return v2(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "parse"))
		return parse(argc, argv);
	fputs("usage: sigtest v4|v2|parse ...\n", stderr);
	return 2;
}
