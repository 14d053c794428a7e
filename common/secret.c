#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "secret.h"

/* A local account's secret is checked on every command, whose whole budget
 * is a few milliseconds: 1000 rounds cost about 0.2 ms (plus OpenSSL's
 * set-up). The secrets are access keys' secret keys, long and random, for
 * which the salt is what matters; a stored hash names its own count, so a
 * larger one can be used later without a schema change. */
#define SECRET_ITERATIONS 1000
#define SECRET_SALT_BYTES 16
#define SECRET_HASH_BYTES 32
#define SECRET_PREFIX "pbkdf2-sha256$"

static int derive(const char *secret, const unsigned char *salt, int saltlen, int iter,
		  unsigned char out[SECRET_HASH_BYTES])
{
	return PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret), salt, saltlen, iter, EVP_sha256(),
				 SECRET_HASH_BYTES, out) == 1 ? 0 : -1;
}

enum dp_err secret_hash(const char *secret, char out[SECRET_HASH_MAX])
{
	unsigned char salt[SECRET_SALT_BYTES], h[SECRET_HASH_BYTES];
	unsigned char salt64[32], h64[48];
	if (RAND_bytes(salt, sizeof salt) != 1 ||
	    derive(secret, salt, sizeof salt, SECRET_ITERATIONS, h)) {
		dp_err_set("OpenSSL cannot hash the secret");
		return DP_ERR_CRYPTO;
	}
	EVP_EncodeBlock(salt64, salt, sizeof salt);
	EVP_EncodeBlock(h64, h, sizeof h);
	snprintf(out, SECRET_HASH_MAX, SECRET_PREFIX "%d$%s$%s", SECRET_ITERATIONS, (char *)salt64,
		 (char *)h64);
	OPENSSL_cleanse(h, sizeof h);
	return DP_OK;
}

/* base64 text -> bytes; the decoded length, or -1. */
static int unbase64(const char *b64, size_t len, unsigned char *out, int cap)
{
	if (len == 0 || len % 4 || (int)(len / 4 * 3) > cap)
		return -1;
	int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return -1;
	if (b64[len - 1] == '=')
		n--;
	if (b64[len - 2] == '=')
		n--;
	return n;
}

int secret_verify(const char *secret, const char *stored)
{
	size_t pl = strlen(SECRET_PREFIX);
	if (strncmp(stored, SECRET_PREFIX, pl))
		return 0;
	char *end;
	long iter = strtol(stored + pl, &end, 10);
	if (*end != '$' || iter < 1 || iter > 10000000)
		return 0;
	const char *salt64 = end + 1, *dollar = strchr(salt64, '$');
	if (!dollar)
		return 0;
	const char *h64 = dollar + 1;
	unsigned char salt[64], want[64], got[SECRET_HASH_BYTES];
	int sl = unbase64(salt64, (size_t)(dollar - salt64), salt, sizeof salt);
	int hl = unbase64(h64, strlen(h64), want, sizeof want);
	if (sl < 1 || hl != SECRET_HASH_BYTES || derive(secret, salt, sl, (int)iter, got))
		return 0;
	int same = CRYPTO_memcmp(got, want, SECRET_HASH_BYTES) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return same;
}
