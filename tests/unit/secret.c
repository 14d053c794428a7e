/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
/* common/base/secret.c: salted hashes of local secrets. */
#include <string.h>
#include "base/secret.h"
#include "tap.h"

int main(void)
{
	char a[SECRET_HASH_MAX], b[SECRET_HASH_MAX];
	ok(secret_hash("customer-secret", a) == DP_OK, "hash: %s", a);
	ok(strlen(a) == 7 + 32 + 1 + 64 && !strncmp(a, "sha256$", 7) && a[39] == '$', "shape sha256$SALT$HASH");
	ok(!strstr(a, "customer-secret"), "the secret is not in the hash");
	ok(secret_verify("customer-secret", a), "the secret matches its hash");
	ok(!secret_verify("customer-secreT", a), "another secret does not");
	ok(!secret_verify("customer-secre", a), "a prefix does not");
	ok(!secret_verify("", a), "the empty secret does not");
	ok(secret_hash("customer-secret", b) == DP_OK && strcmp(a, b), "a new salt each time: another hash");
	ok(secret_verify("customer-secret", b), "both verify");
	char bad[SECRET_HASH_MAX];
	strcpy(bad, a);
	bad[50] = bad[50] == '0' ? '1' : '0';
	ok(!secret_verify("customer-secret", bad), "a changed digest does not verify");
	strcpy(bad, a);
	bad[10] = 'G';
	ok(!secret_verify("customer-secret", bad), "a salt that is not hex does not verify");
	ok(!secret_verify("customer-secret", ""), "an empty stored hash does not verify");
	ok(!secret_verify("customer-secret", "customer-secret"), "a plain secret is no hash");
	ok(!secret_verify("x", "sha256$"), "a truncated hash does not verify");
	a[strlen(a) - 1] = '\0';
	ok(!secret_verify("customer-secret", a), "a digest one digit short does not verify");

	/* sealed secrets */
	unsigned char key[SECRET_KEY_BYTES], other[SECRET_KEY_BYTES];
	for (int i = 0; i < SECRET_KEY_BYTES; i++) {
		key[i] = (unsigned char)i;
		other[i] = (unsigned char)(i + 1);
	}
	char *sealed = NULL, *opened = NULL, *again = NULL;
	ok(secret_seal(key, "customer-secret", &sealed) == DP_OK && sealed, "seal: %s", sealed ? sealed : "");
	ok(!strncmp(sealed, "aes256gcm$", 10) && !strstr(sealed, "customer-secret"), "shape, no secret in it");
	ok(secret_unseal(key, sealed, &opened) == 0 && !strcmp(opened, "customer-secret"), "unsealed again");
	free(opened);
	opened = NULL;
	ok(secret_seal(key, "customer-secret", &again) == DP_OK && strcmp(again, sealed), "a new IV each time");
	ok(secret_unseal(other, sealed, &opened) == -1 && !opened, "another key does not open it");
	size_t n = strlen(sealed);
	sealed[n - 40] = sealed[n - 40] == '0' ? '1' : '0';
	ok(secret_unseal(key, sealed, &opened) == -1, "a changed ciphertext does not open (GCM tag)");
	ok(secret_unseal(key, "aes256gcm$00$00$00", &opened) == -1, "a truncated one does not");
	ok(secret_unseal(key, "customer-secret", &opened) == -1, "a plain secret is not sealed");
	free(sealed);
	free(again);
	return tap_done();
}
