/* SPDX-License-Identifier: Apache-2.0 */
/* What the local store keeps of a local account's secret: a salted hash,
 * SHA-256 through OpenSSL's EVP interface, never the secret itself. The text
 * form is "sha256$SALT$HASH" (16 random bytes of salt and the 32-byte
 * digest of salt || secret, both in lower-case hex), so that another
 * algorithm can be added later under another prefix without a schema change.
 *
 * Why not a slow KDF: the secret is checked on every local command, whose
 * whole budget is a few milliseconds, and the secrets are access keys'
 * secret keys (long and random), for which the salt is what matters. */
#ifndef DP_SECRET_H
#define DP_SECRET_H
#include <stddef.h>
#include "base/err.h"

#define SECRET_HASH_MAX 112

/* The hash of SECRET with a new random salt, into out (SECRET_HASH_MAX). */
enum dp_err secret_hash(const char *secret, char out[SECRET_HASH_MAX]);
/* 1 when SECRET matches STORED (compared in constant time), 0 when not or
 * when STORED is not a hash of this form. */
int secret_verify(const char *secret, const char *stored);
/* OPENSSL_cleanse, without loading libcrypto (the library's own, linked). */
void secret_wipe(void *p, size_t n);

/* Sealed secrets. devpayd needs a local account's secret itself to check
 * its signatures, and the store must not hold it: the store keeps it sealed
 * (AES-256-GCM, "aes256gcm$IV$CIPHERTEXT$TAG" in hex) with a key kept in a
 * file of its own beside the store, STORE.key (32 random bytes, mode 0600).
 * A copy, backup or dump of the store alone reveals no secret; devpayd
 * serving the store with its key file verifies the local accounts' requests,
 * and without it refuses them (an operator adds them with --add-account). */
#define SECRET_KEY_BYTES 32
#define SECRET_KEY_SUFFIX ".key"

/* The key of the store at STORE_PATH into key, *have 1 when there is one of
 * ours (a regular file of 32 bytes, the owner's only); with CREATE a missing
 * one is made (never over a file that is there). */
enum dp_err secret_key_load(const char *store_path, int create, unsigned char key[SECRET_KEY_BYTES],
			    int *have);
/* SECRET sealed with KEY into *out (malloc'd text). */
enum dp_err secret_seal(const unsigned char key[SECRET_KEY_BYTES], const char *secret, char **out);
/* 0 and *secret (malloc'd) when SEALED opens with KEY; -1 otherwise. */
int secret_unseal(const unsigned char key[SECRET_KEY_BYTES], const char *sealed, char **secret);

#endif
