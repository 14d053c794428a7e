/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 (RFC 4648, the standard alphabet, padded) as EC2 carries user
 * data, through libcrypto's EVP_EncodeBlock and EVP_DecodeBlock (loaded on
 * first use, crypto_dl.h). */
#ifndef DP_BASE64_H
#define DP_BASE64_H
#include <stddef.h>
#include "base/buf.h"

/* Appends the base64 of data[0..n) to out. */
void base64_encode(const void *data, size_t n, struct buf *out);

/* Appends the bytes s[0..n) encodes to out: 0, or -1 when s is not
 * canonical base64 (a length that is not a multiple of 4, a character
 * outside the alphabet, padding anywhere but at the end, or bits set after
 * the last whole byte), out then unchanged. At most max bytes are decoded:
 * -2 (out unchanged) when s encodes more. */
int base64_decode(const char *s, size_t n, size_t max, struct buf *out);

/* The number of bytes canonical base64 of n characters with pad '='s
 * encodes; for checking a length before decoding. */
#define BASE64_DECODED_LEN(n, pad) ((n) / 4 * 3 - (pad))

#endif
