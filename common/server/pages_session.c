/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/crypto_dl.h"
#include "server/pages_session.h"

struct entry {
	struct session s;
	int64_t last; /* the last request seen */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *table;
static size_t used;
static int64_t lifetime = SESSION_DEFAULT_LIFETIME;

void session_set_lifetime(int64_t seconds)
{
	lifetime = seconds;
}

int64_t session_lifetime(void)
{
	return lifetime;
}

static int random_hex(char out[SESSION_ID_LEN + 1])
{
	unsigned char r[SESSION_ID_LEN / 2];
	if (crypto_dl_load() != DP_OK || RAND_bytes(r, sizeof r) != 1)
		return -1;
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	OPENSSL_cleanse(r, sizeof r);
	return 0;
}

int session_same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0 && la > 0;
}

/* Under the lock: the index of id's live entry, or -1; expired ones dropped. */
static long find(const char *id, int64_t now)
{
	long hit = -1;
	for (size_t i = 0; i < used;) {
		if (now - table[i].last >= lifetime) {
			memset(&table[i], 0, sizeof table[i]);
			table[i] = table[--used];
			continue;
		}
		if (hit < 0 && id && session_same(table[i].s.id, id))
			hit = (long)i;
		i++;
	}
	return hit;
}

int session_new(const char *account, const char *key, int64_t now, struct session *s)
{
	memset(s, 0, sizeof *s);
	if (random_hex(s->id) || random_hex(s->csrf))
		return -1;
	snprintf(s->account, sizeof s->account, "%s", account);
	snprintf(s->key, sizeof s->key, "%s", key);
	pthread_mutex_lock(&lock);
	find(NULL, now);
	if (!table)
		table = calloc(SESSION_MAX, sizeof *table);
	if (!table) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	size_t at = used;
	if (used == SESSION_MAX) {
		/* full: the one idle the longest makes room */
		at = 0;
		for (size_t i = 1; i < used; i++)
			if (table[i].last < table[at].last)
				at = i;
	} else
		used++;
	table[at].s = *s;
	table[at].last = now;
	pthread_mutex_unlock(&lock);
	return 0;
}

int session_get(const char *id, int64_t now, struct session *s)
{
	if (!id || strlen(id) != SESSION_ID_LEN)
		return -1;
	pthread_mutex_lock(&lock);
	long i = find(id, now);
	if (i >= 0) {
		table[i].last = now;
		*s = table[i].s;
	}
	pthread_mutex_unlock(&lock);
	return i >= 0 ? 0 : -1;
}

void session_end(const char *id)
{
	if (!id)
		return;
	pthread_mutex_lock(&lock);
	for (size_t k = 0; k < used; k++)
		if (session_same(table[k].s.id, id)) {
			memset(&table[k], 0, sizeof table[k]);
			table[k] = table[--used];
			break;
		}
	pthread_mutex_unlock(&lock);
}
