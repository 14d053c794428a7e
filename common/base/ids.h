/* SPDX-License-Identifier: Apache-2.0 */
/* Random identifiers from OpenSSL's generator. */
#ifndef DP_IDS_H
#define DP_IDS_H
#include <stddef.h>

/* prefix + nhex (at most 32) lower-case hex digits: "ami-0123..." */
void id_new(char *out, size_t outsz, const char *prefix, int nhex);
/* 8 upper-case hex digits: a product code */
void id_product_code(char out[9]);
/* 12 decimal digits, no leading zero: an account id */
void id_account(char out[13]);
/* 8-4-4-4-12 hex: a request id */
void id_uuid(char out[37]);
/* n random bytes base64-encoded (OpenSSL's encoder) */
void id_base64(char *out, size_t outsz, int nbytes);

#endif
