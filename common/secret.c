#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "crypto_dl.h"
#include "secret.h"

#define SALT_BYTES 16
#define HASH_BYTES 32
#define PREFIX "sha256$"

/* SHA-256 of salt || secret. */
static int digest(const unsigned char *salt, const char *secret, unsigned char out[HASH_BYTES])
{
	size_t n = strlen(secret);
	unsigned char *m = malloc(SALT_BYTES + n + 1);
	if (!m)
		return -1;
	memcpy(m, salt, SALT_BYTES);
	memcpy(m + SALT_BYTES, secret, n);
	unsigned int len = 0;
	int ok = EVP_Digest(m, SALT_BYTES + n, out, &len, EVP_sha256(), NULL) == 1 &&
		 len == HASH_BYTES;
	OPENSSL_cleanse(m, SALT_BYTES + n);
	free(m);
	return ok ? 0 : -1;
}

static void to_hex(char *out, const unsigned char *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Exactly 2n lower-case hex digits -> n bytes; -1 otherwise. */
static int from_hex(unsigned char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		out[i / 2] = (unsigned char)(i % 2 ? (out[i / 2] << 4) | v : v);
	}
	return 0;
}

enum dp_err secret_hash(const char *secret, char out[SECRET_HASH_MAX])
{
	unsigned char salt[SALT_BYTES], h[HASH_BYTES];
	char salt_hex[2 * SALT_BYTES + 1], h_hex[2 * HASH_BYTES + 1];
	if (RAND_bytes(salt, sizeof salt) != 1 || digest(salt, secret, h)) {
		dp_err_set("OpenSSL cannot hash the secret");
		return DP_ERR_CRYPTO;
	}
	to_hex(salt_hex, salt, sizeof salt);
	to_hex(h_hex, h, sizeof h);
	snprintf(out, SECRET_HASH_MAX, PREFIX "%s$%s", salt_hex, h_hex);
	OPENSSL_cleanse(h, sizeof h);
	return DP_OK;
}

int secret_verify(const char *secret, const char *stored)
{
	size_t pl = strlen(PREFIX);
	unsigned char salt[SALT_BYTES], want[HASH_BYTES], got[HASH_BYTES];
	if (strlen(stored) != pl + 2 * SALT_BYTES + 1 + 2 * HASH_BYTES || strncmp(stored, PREFIX, pl) ||
	    stored[pl + 2 * SALT_BYTES] != '$' || from_hex(salt, stored + pl, SALT_BYTES) ||
	    from_hex(want, stored + pl + 2 * SALT_BYTES + 1, HASH_BYTES) || digest(salt, secret, got))
		return 0;
	int same = CRYPTO_memcmp(got, want, HASH_BYTES) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return same;
}
