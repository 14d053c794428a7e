/* SPDX-License-Identifier: Apache-2.0 */
/* AWS Signature Version 4, shared by the client (signing) and devpayd
 * (verifying): both build the canonical request the same way, so what one
 * signs the other rebuilds byte for byte. The signing time is a parameter,
 * never read here, so tests can pin it to a published vector's. */
#ifndef DP_SIGV4_H
#define DP_SIGV4_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/err.h"

struct sigv4_header {
	const char *name, *value;
};

struct sigv4_request {
	const char *method;          /* "POST" */
	const char *path;            /* "/" */
	const char *query;           /* raw query string, "" for none; canonicalized here */
	const struct sigv4_header *headers; /* exactly the headers to sign */
	size_t nheaders;
	const char *payload;
	size_t payload_len;
	const char *amz_date;        /* 20150830T123600Z */
	const char *region, *service;
	const char *access_key, *secret;
};

struct sigv4_result {
	struct buf canonical;        /* the canonical request */
	struct buf string_to_sign;
	struct buf signed_headers;   /* "content-type;host;x-amz-date" */
	struct buf authorization;    /* the Authorization header's value */
	char signature[65];          /* lower-case hex */
	struct buf scratch;          /* the headers canonicalized */
};
#define SIGV4_RESULT_INIT { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, "", BUF_INIT }

enum dp_err sigv4_sign(const struct sigv4_request *r, struct sigv4_result *out);
void sigv4_result_release(struct sigv4_result *out);
/* Rebuilds the signature of r (secret included) and compares it with the
 * received hex signature in constant time: 1 match, 0 mismatch, -1 error. */
int sigv4_verify(const struct sigv4_request *r, const char *signature);
/* The buffers sigv4_verify keeps in the calling thread, freed (a server's
 * worker, as it ends). */
void sigv4_thread_release(void);

/* The parts of a received "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=..." header. Each points into storage owned by the struct. */
struct sigv4_auth {
	char *access_key, *date, *region, *service, *signed_headers, *signature;
	char *copy;
};
/* 0, or -1 when the header is not a well-formed SigV4 Authorization. */
int sigv4_parse_auth(const char *header, struct sigv4_auth *a);
void sigv4_auth_release(struct sigv4_auth *a);

/* "20150830T123600Z" <-> seconds. */
void sigv4_format_date(int64_t t, char out[17]);
int sigv4_parse_date(const char *s, int64_t *t);

/* Hex SHA-256 of data. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

#endif
