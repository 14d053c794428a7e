/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/err.h"
#include "server/log.h"
#include "server/room.h"

/* One client address and its connections (a chained hash table). */
struct room_addr {
	struct room_addr *next;
	unsigned char key[16];
	unsigned char len;
	long open;              /* its connections not being closed */
	long refs;              /* entries pointing here */
};

/* since: BUSY while a request is being answered, EVICTED once the room
 * has shut the connection down, else the millisecond since which it waits
 * for a request. A worker marks its connection busy and waiting again with
 * atomics alone; the room's lock guards the list of connections and the
 * counts, taken when a connection opens or closes and by the watcher. */
#define BUSY (-1)
#define EVICTED (-2)

struct room_conn {
	struct room_conn *prev, *next;  /* every connection of the room */
	struct room_addr *addr;
	int fd;
	int closing;            /* shut down by the room (under the lock) */
	_Atomic int64_t since;
	_Atomic uint64_t order; /* when it began to wait: the oldest waiting is the least */
};

#define ADDR_BUCKETS 1024

static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	pthread_t watcher;
	int on, watching, stop;
	struct room_config c;
	long live;              /* connections not being closed */
	long threshold;         /* live above this: the oldest waiting closed */
	struct room_conn *all;  /* every connection, newest first */
	_Atomic uint64_t seq;   /* the next waiting order */
	struct room_addr *addrs[ADDR_BUCKETS];
	/* closed since the last log line: past the deadline, for room, over a cap */
	long late, full, capped;
} R = { .mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void addr_key(const struct sockaddr *sa, unsigned char key[16], unsigned char *len)
{
	*len = 0;
	if (sa && sa->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		*len = 4;
	} else if (sa && sa->sa_family == AF_INET6) {
		const unsigned char *b =
			((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		/* an IPv4 client of an IPv6 socket is the same address */
		if (!memcmp(b, mapped, 12)) {
			memcpy(key, b + 12, 4);
			*len = 4;
		} else {
			memcpy(key, b, 16);
			*len = 16;
		}
	}
}

static struct room_addr **addr_slot(const unsigned char *key, unsigned char len)
{
	uint32_t h = 2166136261u;
	for (unsigned i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	struct room_addr **p = &R.addrs[h % ADDR_BUCKETS];
	while (*p && ((*p)->len != len || memcmp((*p)->key, key, len)))
		p = &(*p)->next;
	return p;
}

static struct room_addr *addr_get(const struct sockaddr *sa)
{
	unsigned char key[16];
	unsigned char len;
	addr_key(sa, key, &len);
	struct room_addr **p = addr_slot(key, len);
	if (!*p) {
		*p = xcalloc(1, sizeof **p);
		memcpy((*p)->key, key, len);
		(*p)->len = len;
	}
	(*p)->refs++;
	return *p;
}

static void addr_put(struct room_addr *a)
{
	if (--a->refs)
		return;
	struct room_addr **p = addr_slot(a->key, a->len);
	*p = a->next;
	free(a);
}

static void wait_from(struct room_conn *c, int64_t ms)
{
	atomic_store(&c->order, atomic_fetch_add(&R.seq, 1));
	atomic_store(&c->since, ms);
}

/* Closes c if it is waiting (a request that arrives meanwhile wins): its
 * socket shut down, libmicrohttpd sees the end and closes it (room_close
 * comes then). Called with the lock held, so the socket is still c's.
 * 1 when closed. */
static int evict(struct room_conn *c)
{
	int64_t s = atomic_load(&c->since);
	if (c->closing || s < 0 || !atomic_compare_exchange_strong(&c->since, &s, EVICTED))
		return 0;
	c->closing = 1;
	R.live--;
	c->addr->open--;
	shutdown(c->fd, SHUT_RDWR);
	return 1;
}

/* The waiting connection of address a (any address: NULL) that has waited
 * longest, or NULL. */
static struct room_conn *oldest(const struct room_addr *a)
{
	struct room_conn *best = NULL;
	uint64_t bo = 0;
	for (struct room_conn *w = R.all; w; w = w->next) {
		if (w->closing || atomic_load(&w->since) < 0 || (a && w->addr != a))
			continue;
		uint64_t o = atomic_load(&w->order);
		if (!best || o < bo)
			best = w, bo = o;
	}
	return best;
}

static void log_closed(void)
{
	char line[256];
	int n = 0;
	if (R.late)
		n += snprintf(line + n, sizeof line - (size_t)n, "; %ld with no complete request within %u s",
			      R.late, R.c.deadline);
	if (R.full)
		n += snprintf(line + n, sizeof line - (size_t)n, "; %ld to keep room for new clients", R.full);
	if (R.capped)
		n += snprintf(line + n, sizeof line - (size_t)n, "; %ld over the cap of %ld per address",
			      R.capped, R.c.per_address);
	if (n)
		slog("closed %ld waiting connection(s)%s", R.late + R.full + R.capped, line);
	R.late = R.full = R.capped = 0;
}

static void *watch(void *arg)
{
	(void)arg;
	int64_t deadline = (int64_t)R.c.deadline * 1000, logged = now_ms();
	pthread_mutex_lock(&R.mu);
	while (!R.stop) {
		int64_t now = now_ms(), next = 1000;
		for (struct room_conn *w = R.all; w; w = w->next) {
			int64_t s = atomic_load(&w->since);
			if (w->closing || s < 0)
				continue;
			if (now - s >= deadline) {
				if (evict(w))
					R.late++;
			} else if (s + deadline - now < next)
				next = s + deadline - now;
		}
		/* one line at most every 10 s, however many were closed */
		if (now - logged >= 10000) {
			log_closed();
			logged = now;
		}
		if (next < 50)
			next = 50;
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += (long)(next % 1000) * 1000000L;
		t.tv_sec += next / 1000 + t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&R.wake, &R.mu, &t);
	}
	log_closed();
	pthread_mutex_unlock(&R.mu);
	return NULL;
}

int room_start(const struct room_config *c)
{
	R.c = *c;
	R.on = c->limit > 0 || c->per_address > 0 || c->deadline > 0;
	/* a few places kept free (1/64 of the room, 1 to 64), so that a new
	 * client is taken in while the connections closed for it end */
	long keep = c->limit / 64;
	keep = keep < 1 ? 1 : keep > 64 ? 64 : keep;
	R.threshold = c->limit > 1 ? c->limit - keep : c->limit;
	if (c->deadline) {
		int e = pthread_create(&R.watcher, NULL, watch, NULL);
		if (e) {
			dp_err_set("cannot start the request deadline's thread: %s", strerror(e));
			return -1;
		}
		R.watching = 1;
	}
	return 0;
}

void room_stop(void)
{
	if (!R.watching)
		return;
	pthread_mutex_lock(&R.mu);
	R.stop = 1;
	pthread_cond_signal(&R.wake);
	pthread_mutex_unlock(&R.mu);
	pthread_join(R.watcher, NULL);
	R.watching = 0;
}

struct room_conn *room_open(int fd, const struct sockaddr *sa)
{
	if (!R.on)
		return NULL;
	struct room_conn *c = xcalloc(1, sizeof *c);
	c->fd = fd;
	wait_from(c, now_ms());
	pthread_mutex_lock(&R.mu);
	c->addr = addr_get(sa);
	c->addr->open++;
	R.live++;
	c->next = R.all;
	if (R.all)
		R.all->prev = c;
	R.all = c;
	if (R.c.per_address && c->addr->open > R.c.per_address) {
		/* c itself when its address has no other connection waiting */
		evict(oldest(c->addr));
		R.capped++;
	}
	/* none waiting but c: c takes a place kept free (at the limit itself
	 * libmicrohttpd leaves new ones in the listen queue) */
	if (R.c.limit > 0 && R.live > R.threshold) {
		struct room_conn *o = oldest(NULL);
		if (o && o != c && evict(o))
			R.full++;
	}
	pthread_mutex_unlock(&R.mu);
	return c;
}

void room_request_read(struct room_conn *c)
{
	/* an eviction that came first stays */
	if (c && atomic_exchange(&c->since, BUSY) == EVICTED)
		atomic_store(&c->since, EVICTED);
}

void room_request_done(struct room_conn *c)
{
	if (!c)
		return;
	/* only this connection's worker makes it busy, so it is still busy
	 * below unless the room closed it */
	if (atomic_load(&c->since) != BUSY)
		return;
	int64_t busy = BUSY;
	atomic_store(&c->order, atomic_fetch_add(&R.seq, 1));
	atomic_compare_exchange_strong(&c->since, &busy, now_ms());
}

void room_close(struct room_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&R.mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		R.all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!c->closing) {
		R.live--;
		c->addr->open--;
	}
	addr_put(c->addr);
	pthread_mutex_unlock(&R.mu);
	free(c);
}
