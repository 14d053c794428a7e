/* What the local store keeps of a local account's secret: a salted hash,
 * PBKDF2-HMAC-SHA256 through OpenSSL, never the secret itself. The text
 * form is "pbkdf2-sha256$ITERATIONS$SALT$HASH" (salt and hash in base64),
 * so that the work factor can be raised without a schema change. */
#ifndef DP_SECRET_H
#define DP_SECRET_H
#include <stddef.h>
#include "err.h"

#define SECRET_HASH_MAX 128

/* The hash of SECRET with a new random salt, into out (SECRET_HASH_MAX). */
enum dp_err secret_hash(const char *secret, char out[SECRET_HASH_MAX]);
/* 1 when SECRET matches STORED (compared in constant time), 0 when not or
 * when STORED is not a hash of this form. */
int secret_verify(const char *secret, const char *stored);

#endif
