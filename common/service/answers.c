/* SPDX-License-Identifier: Apache-2.0 */
/* service/answers.h: a few answers a thread, in slots chosen by the key's
 * hash; a slot is overwritten by the next answer kept in it, and an answer
 * of data that has changed since is never found again (the version is part
 * of its key). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "service/answers.h"

#define ANSWER_SLOTS 16
#define ANSWER_MAX (64 * 1024)

struct answer {
	struct buf key;
	uint64_t hash;
	struct buf body;
	size_t rid_at, rid_len;
};

static pthread_key_t slots_key;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void slots_free(void *p)
{
	struct answer *a = p;
	for (int i = 0; i < ANSWER_SLOTS; i++) {
		buf_release(&a[i].key);
		buf_release(&a[i].body);
	}
	free(a);
}

static void slots_init(void)
{
	pthread_key_create(&slots_key, slots_free);
}

static struct answer *slots(int create)
{
	pthread_once(&slots_once, slots_init);
	struct answer *a = pthread_getspecific(slots_key);
	if (!a && create) {
		a = xcalloc(ANSWER_SLOTS, sizeof *a);
		pthread_setspecific(slots_key, a);
	}
	return a;
}

/* a part of the key: its length, then its bytes */
static void part(struct buf *k, const void *p, size_t n)
{
	uint32_t len = (uint32_t)n;
	buf_add(k, &len, sizeof len);
	buf_add(k, p, n);
}

static void parts(struct buf *k, const char *s)
{
	part(k, s ? s : "", s ? strlen(s) : 0);
}

int answers_key(const struct service_call *c, const struct store_version *v,
		struct answer_key *key)
{
	struct buf *k = &key->k;
	buf_reset(k);
	buf_add(k, v->b, sizeof v->b);
	buf_add(k, &c->now, sizeof c->now);
	parts(k, c->account);
	parts(k, c->region);
	parts(k, c->endpoint);
	for (size_t i = 0; i < c->q->n; i++) {
		const char *name = c->q->v[i].name;
		if (!strcmp(name, "Signature") || !strcmp(name, "X-Amz-Signature"))
			return -1;
		parts(k, name);
		parts(k, c->q->v[i].value);
	}
	/* FNV-1a */
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < k->len; i++)
		h = (h ^ (unsigned char)k->p[i]) * 1099511628211ULL;
	key->hash = h;
	return 0;
}

int answers_find(const struct answer_key *key, const char *rid, struct buf *xml)
{
	struct answer *all = slots(0);
	if (!all)
		return 0;
	const struct answer *a = &all[key->hash % ANSWER_SLOTS];
	size_t rl = strlen(rid);
	if (!a->body.len || a->hash != key->hash || a->key.len != key->k.len ||
	    memcmp(a->key.p, key->k.p, key->k.len) || a->rid_len != rl)
		return 0;
	buf_reset(xml);
	buf_add(xml, a->body.p, a->body.len);
	memcpy(xml->p + a->rid_at, rid, rl);
	return 1;
}

void answers_keep(const struct answer_key *key, const struct buf *xml, size_t rid_at,
		  size_t rid_len)
{
	if (xml->len > ANSWER_MAX || rid_at + rid_len > xml->len)
		return;
	struct answer *a = &slots(1)[key->hash % ANSWER_SLOTS];
	buf_reset(&a->key);
	buf_add(&a->key, key->k.p, key->k.len);
	a->hash = key->hash;
	buf_reset(&a->body);
	buf_add(&a->body, xml->p, xml->len);
	a->rid_at = rid_at;
	a->rid_len = rid_len;
}

void answer_key_release(struct answer_key *key)
{
	buf_release(&key->k);
}
