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
#include "err.h"

#define SECRET_HASH_MAX 112

/* The hash of SECRET with a new random salt, into out (SECRET_HASH_MAX). */
enum dp_err secret_hash(const char *secret, char out[SECRET_HASH_MAX]);
/* 1 when SECRET matches STORED (compared in constant time), 0 when not or
 * when STORED is not a hash of this form. */
int secret_verify(const char *secret, const char *stored);

#endif
