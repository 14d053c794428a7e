/* SPDX-License-Identifier: Apache-2.0 */
/* Authenticating a received Query request (devpayd): which signature it
 * carries (SigV4 Authorization header, or SigV2 parameters), whether its
 * signing time is near the real clock, whether its access key has an account
 * (never creating one) and whether the signature is the one that account's
 * secret gives. Independent of the HTTP server, so it reads the request from
 * plain arrays. */
#ifndef DP_AUTH_H
#define DP_AUTH_H
#include <stddef.h>
#include <stdint.h>
#include "base/secret.h"
#include "wire/query.h"
#include "wire/sigv4.h"
#include "store/store.h"

#define AUTH_MAX_SKEW 900 /* seconds between a request's signing time and the real clock */

struct auth_request {
	const char *method, *path;
	const struct sigv4_header *headers; /* every header received, as received */
	size_t nheaders;
	const struct query *url_query;      /* the parameters of the URL's query string */
	const struct query *params;         /* those and the form body's */
	const char *body;
	size_t body_len;
	const char *v2_region;              /* the region of SigV2 requests, which name none */
	int64_t real_now;                   /* the real clock, not the service's */
};

/* A session token (X-Amz-Security-Token, SecurityToken): the service issues
 * none, so any one is refused, 403, in both modes. */
#define AUTH_TOKEN_CODE "InvalidClientTokenId"
#define AUTH_TOKEN_MESSAGE "The security token included in the request is invalid."

/* A refusal: HTTP status, EC2 error code and message. */
struct auth_refusal {
	int status;
	const char *code;
	char message[256];
};

/* Fills r and returns -1, so that a check can `return auth_refuse(...)`. */
int auth_refuse(struct auth_refusal *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct auth_result {
	char account[13];
	char key[129];        /* the access key id as received, "" when none */
	char region[64];      /* the region the request is addressed to */
	struct auth_refusal refusal;
	/* the secret was the one this thread kept (service_lookup_key_kept):
	 * the request's transaction checks the key with this hash */
	int kept;
	char kept_hash[SECRET_HASH_MAX];
};

/* 0 with account, key and region filled; or -1 with the refusal filled. */
int auth_check(struct store *st, const struct auth_request *r, struct auth_result *out);

/* A region name: lower-case letters, digits and '-'. */
int auth_valid_region(const char *s);

/* The value of header name (any case), repeats joined by ','; NULL when absent.
 * malloc'd. */
char *auth_header(const struct auth_request *r, const char *name);

#endif
