/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
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

struct room_conn {
	struct room_conn *prev, *next;  /* the waiting list, oldest first */
	struct room_addr *addr;
	int fd;
	int waiting;            /* in the waiting list */
	int closing;            /* shut down by the room */
	int64_t since;          /* ms: waiting for a request since */
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
	struct room_conn *head, *tail;
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

static void wait_add(struct room_conn *c)
{
	c->prev = R.tail;
	c->next = NULL;
	if (R.tail)
		R.tail->next = c;
	else
		R.head = c;
	R.tail = c;
	c->waiting = 1;
}

static void wait_remove(struct room_conn *c)
{
	if (!c->waiting)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		R.head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		R.tail = c->prev;
	c->prev = c->next = NULL;
	c->waiting = 0;
}

/* Closes c: its socket shut down, libmicrohttpd sees the end and closes it
 * (room_close comes then). Called with the lock held, so the socket is
 * still c's. */
static void evict(struct room_conn *c)
{
	wait_remove(c);
	if (c->closing)
		return;
	c->closing = 1;
	R.live--;
	c->addr->open--;
	shutdown(c->fd, SHUT_RDWR);
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
		int64_t now = now_ms();
		while (R.head && now - R.head->since >= deadline) {
			evict(R.head);
			R.late++;
		}
		/* one line at most every 10 s, however many were closed */
		if (now - logged >= 10000) {
			log_closed();
			logged = now;
		}
		int64_t next = R.head ? R.head->since + deadline - now : 1000;
		if (next > 1000)
			next = 1000;
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

/* The oldest waiting connection of a, or NULL. */
static struct room_conn *oldest_of(const struct room_addr *a)
{
	for (struct room_conn *w = R.head; w; w = w->next)
		if (w->addr == a)
			return w;
	return NULL;
}

struct room_conn *room_open(int fd, const struct sockaddr *sa)
{
	if (!R.on)
		return NULL;
	struct room_conn *c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->since = now_ms();
	pthread_mutex_lock(&R.mu);
	c->addr = addr_get(sa);
	c->addr->open++;
	R.live++;
	wait_add(c);
	if (R.c.per_address && c->addr->open > R.c.per_address) {
		/* c itself when its address has no other connection waiting */
		evict(oldest_of(c->addr));
		R.capped++;
	}
	/* none waiting but c: c takes a place kept free (at the limit itself
	 * libmicrohttpd leaves new ones in the listen queue) */
	if (R.c.limit > 0 && R.live > R.threshold && R.head && R.head != c) {
		evict(R.head);
		R.full++;
	}
	pthread_mutex_unlock(&R.mu);
	return c;
}

void room_request_read(struct room_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&R.mu);
	wait_remove(c);
	pthread_mutex_unlock(&R.mu);
}

void room_request_done(struct room_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&R.mu);
	if (!c->closing && !c->waiting) {
		c->since = now_ms();
		wait_add(c);
	}
	pthread_mutex_unlock(&R.mu);
}

void room_close(struct room_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&R.mu);
	wait_remove(c);
	if (!c->closing) {
		R.live--;
		c->addr->open--;
	}
	addr_put(c->addr);
	pthread_mutex_unlock(&R.mu);
	free(c);
}
