/* SPDX-License-Identifier: Apache-2.0 */
/* AWS Signature Version 2 (HmacSHA256) for Query requests, shared by the
 * client and devpayd. The string to sign is
 * METHOD \n host \n path \n sorted-canonical-query-without-Signature. */
#ifndef DP_SIGV2_H
#define DP_SIGV2_H
#include "base/buf.h"
#include "base/err.h"
#include "wire/query.h"

/* Writes the string to sign (for --debug) and the base64 signature. */
enum dp_err sigv2_sign(const char *method, const char *host, const char *path,
		       const struct query *q, const char *secret, struct buf *string_to_sign,
		       struct buf *signature);

/* Recomputes the signature of q (its Signature parameter left out) and
 * compares it with that parameter in constant time: 1 match, 0 mismatch,
 * -1 error. */
int sigv2_verify(const char *method, const char *host, const char *path, const struct query *q,
		 const char *secret);

#endif
