/* SPDX-License-Identifier: Apache-2.0 */
/* The answers of reading Actions, kept by each thread for the requests that
 * ask the same again (clients polling DescribeInstances, waiters): an answer
 * is reused only for the same caller, region, endpoint, clock second and
 * parameters while the data it read is unchanged (store_data_version: the
 * WAL index's header, or SQLite's data version on the same connection),
 * with the new request's requestId. Only devpayd holds the read that gives
 * a version, so a local command never keeps one. */
#ifndef DP_SERVICE_ANSWERS_H
#define DP_SERVICE_ANSWERS_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "service/service.h"

struct answer_key {
	struct buf k;
	uint64_t hash;
};
#define ANSWER_KEY_INIT { BUF_INIT, 0 }

/* The key of c's request on data version v: 0, or -1 when the request is
 * not one to keep (signed in its parameters, whose signature changes every
 * request). */
int answers_key(const struct service_call *c, const struct store_version *v,
		struct answer_key *key);
/* The kept answer of key, its requestId replaced by rid, in xml: 1, else 0. */
int answers_find(const struct answer_key *key, const char *rid, struct buf *xml);
/* Keeps xml (a 200 answer whose requestId of rid_len bytes is at rid_at)
 * for key; an answer larger than ANSWER_MAX is not kept. */
void answers_keep(const struct answer_key *key, const struct buf *xml, size_t rid_at,
		  size_t rid_len);
void answer_key_release(struct answer_key *key);

#endif
