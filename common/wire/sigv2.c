/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "base/crypto_dl.h"
#include "wire/sigv2.h"

enum dp_err sigv2_sign(const char *method, const char *host, const char *path,
		       const struct query *q, const char *secret, struct buf *string_to_sign,
		       struct buf *signature)
{
	buf_reset(string_to_sign);
	buf_addf(string_to_sign, "%s\n", method);
	for (const char *h = host; *h; h++)
		buf_addc(string_to_sign, (char)tolower((unsigned char)*h));
	buf_addf(string_to_sign, "\n%s\n", path && *path ? path : "/");
	query_encode(q, 1, "Signature", string_to_sign);
	unsigned char md[32];
	unsigned int n = 0;
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)string_to_sign->p,
		  string_to_sign->len, md, &n) || n != 32) {
		dp_err_set("HMAC-SHA256 failed in OpenSSL");
		return DP_ERR_CRYPTO;
	}
	unsigned char b64[64];
	int len = EVP_EncodeBlock(b64, md, 32);
	buf_reset(signature);
	buf_add(signature, b64, (size_t)len);
	return DP_OK;
}

int sigv2_verify(const char *method, const char *host, const char *path, const struct query *q,
		 const char *secret)
{
	const char *got = query_get(q, "Signature");
	struct buf sts = BUF_INIT, sig = BUF_INIT;
	int ok = -1;
	if (!sigv2_sign(method, host, path, q, secret, &sts, &sig))
		ok = got && strlen(got) == sig.len && !CRYPTO_memcmp(got, sig.p, sig.len);
	buf_release(&sts);
	buf_release(&sig);
	return ok;
}
