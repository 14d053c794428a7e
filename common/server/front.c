/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "base/clock.h"
#include "base/err.h"
#include "base/ids.h"
#include "server/front.h"
#include "server/log.h"
#include "server/room.h"

/* libmicrohttpd's memory for each connection (front_start) */
#define FRONT_CONNECTION_MEMORY (16 * 1024)

struct front {
	struct MHD_Daemon *d;
	struct front_config c;
	sigset_t stop;
	int lsock;              /* the acceptor's listen socket; -1: libmicrohttpd's */
	int wake[2];            /* written to stop the acceptor */
	unsigned room;          /* connections open at once at most; 0: no cap */
	pthread_t acceptor;
};

/* Connections that hold a request (or have not sent their first one yet):
 * a stop waits for them; idle keep-alive connections it may close. */
static atomic_int pending;
static atomic_int stopping;
/* connections the server has taken in so far: those handed over from the
 * listen queue on a stop start (and count as pending) a little later */
static atomic_int started_total;
/* connections open now */
static atomic_long open_conns;
/* connections the acceptor handed to libmicrohttpd (started_total counts
 * them once their worker has them) */
static atomic_int handed;

long front_open_connections(void)
{
	return atomic_load_explicit(&open_conns, memory_order_relaxed);
}

struct conn {
	int served;     /* requests answered on this connection */
	int busy;       /* a request is being read or answered */
	struct room_conn *room; /* its place in the room (server/room.h) */
	char peer[NI_MAXHOST + NI_MAXSERV + 2]; /* "address:port", for the log */
};

struct request {
	struct buf body;
	int too_big;
	struct timespec start;
	struct conn *conn;
	char rid[37];
};

int front_stopping(void)
{
	return atomic_load(&stopping);
}

int front_net_parse(const char *cidr, struct front_net *out)
{
	char a[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(cidr, '/');
	size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
	memset(out, 0, sizeof *out);
	if (n >= sizeof a - 1)
		goto bad;
	memcpy(a, cidr, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, a, out->addr) == 1)
		out->family = AF_INET6;
	else
		goto bad;
	unsigned max = out->family == AF_INET ? 32 : 128;
	out->bits = max;
	if (slash) {
		char *end;
		const char *b = slash + 1;
		unsigned long v = strtoul(b, &end, 10);
		if (!*b || *end || *b < '0' || *b > '9' || v > max)
			goto bad;
		out->bits = (unsigned)v;
	}
	return 0;
bad:
	dp_err_set("invalid --trusted-proxy '%s': expected an IPv4 or IPv6 address or network"
		   " (ADDRESS or ADDRESS/BITS)", cidr);
	return -1;
}

/* 1 when the address (family, 4 or 16 bytes) is inside one of the networks;
 * an IPv4-mapped IPv6 address is taken as its IPv4 address. */
static int trusted(int family, const unsigned char *addr, const struct front_net *nets, int n)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (family == AF_INET6 && !memcmp(addr, mapped, 12)) {
		family = AF_INET;
		addr += 12;
	}
	for (int i = 0; i < n; i++) {
		if (nets[i].family != family)
			continue;
		unsigned bits = nets[i].bits, full = bits / 8, rest = bits % 8;
		if (memcmp(addr, nets[i].addr, full))
			continue;
		if (rest && ((addr[full] ^ nets[i].addr[full]) & (0xff << (8 - rest)) & 0xff))
			continue;
		return 1;
	}
	return 0;
}

static int parse_addr(const char *s, int *family, unsigned char addr[16])
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

void front_client(const struct sockaddr *peer, const char *xff, const struct front_net *nets,
		  int nnets, char *out, size_t outsz)
{
	snprintf(out, outsz, "-");
	if (!peer)
		return;
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	socklen_t len = peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						    : sizeof(struct sockaddr_in);
	if (getnameinfo(peer, len, host, sizeof host, serv, sizeof serv,
			NI_NUMERICHOST | NI_NUMERICSERV))
		return;
	snprintf(out, outsz, "%s:%s", host, serv);
	if (!nnets || !xff || !*xff)
		return;
	const unsigned char *pa = peer->sa_family == AF_INET6
		? ((const struct sockaddr_in6 *)peer)->sin6_addr.s6_addr
		: (const unsigned char *)&((const struct sockaddr_in *)peer)->sin_addr;
	if (!trusted(peer->sa_family, pa, nets, nnets))
		return;
	/* right to left: the first hop that is not a trusted proxy is the
	 * client; one that is not an address ends the walk (the hop after it,
	 * which a trusted proxy wrote, is taken) */
	char copy[1024], best[INET6_ADDRSTRLEN] = "";
	/* a longer header: its right end, where the trusted hops are */
	size_t xl = strlen(xff);
	snprintf(copy, sizeof copy, "%s", xl < sizeof copy ? xff : xff + xl - (sizeof copy - 1));
	for (;;) {
		char *comma = strrchr(copy, ',');
		char *hop = comma ? comma + 1 : copy;
		while (*hop == ' ' || *hop == '\t')
			hop++;
		size_t n = strlen(hop);
		while (n && (hop[n - 1] == ' ' || hop[n - 1] == '\t'))
			hop[--n] = '\0';
		int family;
		unsigned char a[16];
		if (parse_addr(hop, &family, a))
			break;
		char canon[INET6_ADDRSTRLEN];
		inet_ntop(family, a, canon, sizeof canon);
		snprintf(best, sizeof best, "%s", canon);
		if (!trusted(family, a, nets, nnets) || !comma)
			break;
		*comma = '\0';
	}
	if (*best)
		snprintf(out, outsz, "%s", best);
}

/* Appends s to line[*n], cut to leave room for the line's end. */
static void put(char *line, size_t *n, size_t cap, const char *s, size_t len)
{
	if (len > cap - 2 - *n)
		len = cap - 2 - *n;
	memcpy(line + *n, s, len);
	*n += len;
}

/* s as slog_token writes it into t of tsz bytes, after a space */
static void put_token(char *line, size_t *n, size_t cap, const char *s, size_t tsz)
{
	char t[256];
	slog_token(t, tsz < sizeof t ? tsz : sizeof t, s);
	put(line, n, cap, " ", 1);
	put(line, n, cap, t, strlen(t));
}

static void put_number(char *line, size_t *n, size_t cap, unsigned long long v)
{
	char d[24], *p = d + sizeof d;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	put(line, n, cap, " ", 1);
	put(line, n, cap, p, (size_t)(d + sizeof d - p));
}

/* One line a request: time, client, request id, method, path, Action, key,
 * status, bytes, milliseconds (devpayd(8), LOGGING). */
static void access_log(struct MHD_Connection *conn, const struct front_config *c,
		       const struct request *r, const struct front_request *rq,
		       const struct front_reply *rp, long us)
{
	char when[40], client[NI_MAXHOST + NI_MAXSERV + 2];
	slog_when(when);
	const char *who = r->conn && *r->conn->peer && !c->ntrusted ? r->conn->peer : NULL;
	if (!who) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const char *xff = c->ntrusted
			? MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For") : NULL;
		front_client(ci ? ci->client_addr : NULL, xff, c->trusted, c->ntrusted, client,
			     sizeof client);
		who = client;
	}
	char line[2048];
	size_t n = 0, cap = sizeof line;
	put(line, &n, cap, when, strlen(when));
	put(line, &n, cap, " ", 1);
	put(line, &n, cap, who, strlen(who));
	put(line, &n, cap, " ", 1);
	put(line, &n, cap, rq->request_id, strlen(rq->request_id));
	put_token(line, &n, cap, rq->method, 32);
	put_token(line, &n, cap, rq->url, 256);
	put_token(line, &n, cap, rp->action, 80);
	put_token(line, &n, cap, rp->key, 140);
	put_number(line, &n, cap, rp->status);
	put_number(line, &n, cap, rp->body.len);
	put_number(line, &n, cap, us > 0 ? (unsigned long long)us / 1000 : 0);
	put(line, &n, cap, "ms", 2);
	line[n++] = '\n';
	slog_write(line, n);
}

/* The answers made and not yet sent whole (a client that does not read
 * its answer holds it until the idle timeout closes the connection): their
 * bytes, at most answer_cap (front_config.answer_memory) at once. */
static atomic_size_t held_bytes;

struct held {
	char *p;
	size_t len;
};

static void held_free(void *cls)
{
	struct held *h = cls;
	atomic_fetch_sub(&held_bytes, h->len);
	free(h->p);
	free(h);
}

/* 1 when an answer of len bytes may be held now (counted), 0 when it would
 * pass the cap. An answer is always taken when nothing else is held, so one
 * larger than the cap is still served, alone; and one under 64 KiB always
 * (an error, a page: what a busy server still answers). */
static int held_take(const struct front *f, size_t len)
{
	size_t now = atomic_fetch_add(&held_bytes, len) + len;
	if (!f->c.answer_memory || len < 65536 || now <= f->c.answer_memory || now == len)
		return 1;
	atomic_fetch_sub(&held_bytes, len);
	return 0;
}

/* Sends rp, its body handed over to libmicrohttpd without a copy (rp->body
 * is emptied; its len is kept for the log); one the cap has no room for is
 * answered 503 with the configured busy body instead. */
static enum MHD_Result send_reply(const struct front *f, struct MHD_Connection *conn,
				  const struct front_request *rq, struct front_reply *rp)
{
	if (!held_take(f, rp->body.len)) {
		/* the answer's memory goes now, not when the short one is sent */
		buf_release(&rp->body);
		buf_adds(&rp->body, f->c.busy_body ? f->c.busy_body
						   : "Service Unavailable: too many answers wait for "
						     "their clients to read them; try again\n");
		rp->type = f->c.busy_body ? f->c.busy_type : NULL;
		rp->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		for (int i = 0; i < FRONT_HEADERS; i++)
			rp->headers[i][0] = NULL;
		atomic_fetch_add(&held_bytes, rp->body.len);
	}
	struct held *h = xcalloc(1, sizeof *h);
	h->p = rp->body.p;
	h->len = rp->body.len;
	rp->body.p = NULL;
	rp->body.cap = 0;
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
		h->len, h->p ? h->p : "", held_free, h);
	if (!resp) {
		held_free(h);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", rp->type ? rp->type : "text/plain");
	for (int i = 0; i < FRONT_HEADERS && rp->headers[i][0]; i++)
		MHD_add_response_header(resp, rp->headers[i][0], rp->headers[i][1]);
	if (f->c.request_id_header)
		MHD_add_response_header(resp, "x-amzn-RequestId", rq->request_id);
	/* while stopping, no connection is kept for another request */
	if (atomic_load(&stopping))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result rc = MHD_queue_response(conn, rp->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

struct count {
	const char *name;
	unsigned n;
};

static enum MHD_Result count_one(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	(void)kind;
	struct count *c = cls;
	(void)value;
	if (key && !strcasecmp(key, c->name))
		c->n++;
	return MHD_YES;
}

unsigned front_header_count(struct MHD_Connection *conn, const char *name)
{
	struct count c = { name, 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_one, &c);
	return c.n;
}

/* The request's framing is ambiguous (RFC 9112 6.3): two Content-Length
 * headers, equal or not, or Content-Length beside Transfer-Encoding (one
 * that is not a number libmicrohttpd answers 400 itself). A server and a
 * proxy in front of it could read different requests from the same bytes:
 * NULL when it is none of these. */
static const char *bad_framing(struct MHD_Connection *conn)
{
	unsigned cl = front_header_count(conn, "Content-Length");
	if (cl > 1)
		return "the request has more than one Content-Length header";
	if (cl && front_header_count(conn, "Transfer-Encoding"))
		return "the request has both Content-Length and Transfer-Encoding";
	return NULL;
}

/* The reply sent, then observed (metrics) and logged. */
static enum MHD_Result answer(struct front *f, struct MHD_Connection *conn, const struct request *r,
			      const struct front_request *rq, struct front_reply *rp)
{
	enum MHD_Result rc = send_reply(f, conn, rq, rp);
	if (f->c.access_log || f->c.observe) {
		struct timespec end;
		clock_gettime(CLOCK_MONOTONIC, &end);
		long us = (end.tv_sec - r->start.tv_sec) * 1000000L +
			  (end.tv_nsec - r->start.tv_nsec) / 1000L;
		if (f->c.observe)
			f->c.observe(rq, rp, us / 1e6);
		if (f->c.access_log)
			access_log(conn, &f->c, r, rq, rp, us);
	}
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct front *f = cls;
	struct request *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		id_uuid(r->rid);
		*con_cls = r;
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		r->conn = ci ? ci->socket_context : NULL;
		if (r->conn) {
			/* a request on an idle keep-alive connection is pending again */
			if (r->conn->served)
				atomic_fetch_add(&pending, 1);
			r->conn->busy = 1;
		}
		const char *framing = bad_framing(conn);
		if (framing) {
			/* answered now, never handled, the body left unread and the
			 * connection closed: nothing after it is read as a request */
			struct front_reply rp = { .status = MHD_HTTP_BAD_REQUEST, .body = BUF_INIT };
			buf_addf(&rp.body, "Bad Request: %s\n", framing);
			rp.headers[0][0] = MHD_HTTP_HEADER_CONNECTION;
			rp.headers[0][1] = "close";
			struct front_request rq = { .conn = conn, .method = method, .url = url,
						    .request_id = r->rid };
			enum MHD_Result rc = answer(f, conn, r, &rq, &rp);
			buf_release(&rp.body);
			return rc;
		}
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (!cl || strtoull(cl, NULL, 10) <= f->c.max_body)
			return MHD_YES;
		r->too_big = 1; /* answered now, the body left unread */
	} else if (*upload_size) {
		if (!r->too_big && r->body.len + *upload_size <= f->c.max_body)
			buf_add(&r->body, upload, *upload_size);
		else
			r->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	/* the request is whole: its deadline no longer runs */
	if (r->conn)
		room_request_read(r->conn->room);
	struct front_request rq = { .conn = conn, .method = method, .url = url, .body = r->body.p,
				    .body_len = r->body.len, .too_big = r->too_big,
				    .request_id = r->rid };
	struct front_reply rp = { .status = 500, .body = BUF_INIT };
	f->c.handle(f->c.cls, &rq, &rp);
	enum MHD_Result rc = answer(f, conn, r, &rq, &rp);
	buf_release(&rp.body);
	return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct request *r = *con_cls;
	if (!r)
		return;
	if (r->conn) {
		r->conn->served++;
		r->conn->busy = 0;
		room_request_done(r->conn->room);
		atomic_fetch_sub(&pending, 1);
	}
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *c = xcalloc(1, sizeof *c);
		*socket_context = c;
		atomic_fetch_add_explicit(&open_conns, 1, memory_order_relaxed);
		atomic_fetch_add(&pending, 1);
		atomic_fetch_add(&started_total, 1);
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (fd && fd->connect_fd != MHD_INVALID_SOCKET)
			c->room = room_open(fd->connect_fd, ci ? ci->client_addr : NULL);
		front_client(ci ? ci->client_addr : NULL, NULL, NULL, 0, c->peer, sizeof c->peer);
		return;
	}
	struct conn *c = *socket_context;
	if (!c)
		return;
	atomic_fetch_sub_explicit(&open_conns, 1, memory_order_relaxed);
	/* called before libmicrohttpd closes the socket */
	room_close(c->room);
	if (!c->served || c->busy)
		atomic_fetch_sub(&pending, 1);
	free(c);
	*socket_context = NULL;
}

/* One connection taken from the listen queue and handed to libmicrohttpd:
 * 1, 0 when libmicrohttpd refused it (and closed it), -1 when none was
 * taken (errno). */
static int hand_over(struct MHD_Daemon *d, int lsock)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	int fd = accept4(lsock, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	return MHD_add_connection(d, fd, (struct sockaddr *)&sa, len) == MHD_YES;
}

/* The acceptor (front_config.spread): connections are taken from the
 * listen queue by a thread of their own and handed over with
 * MHD_add_connection, which gives each to the worker its descriptor names
 * (the descriptor modulo the workers), so that a few clients' connections
 * spread over the workers. Left to them, the workers race for the listen
 * socket and the winner takes up to ten at once: a benchmark's 8
 * connections landed on 2 to 5 of 8 workers, whose requests then waited
 * for each other's round trips to PostgreSQL (bench/RESULTS.md). On SQLite
 * the race is left as it is: its work is the workers' own CPU and one
 * writer at a time, and spread over all 8 workers on two cores its launches
 * ran 15% slower. At the connection limit new ones are left in the listen
 * queue, as libmicrohttpd does. */
static int at_limit(const struct front *f)
{
	/* in unsigned arithmetic: either count may have wrapped */
	long transit = (int)((unsigned)atomic_load(&handed) - (unsigned)atomic_load(&started_total));
	return f->room && atomic_load_explicit(&open_conns, memory_order_relaxed) + transit >= (long)f->room;
}

static void *accept_loop(void *arg)
{
	struct front *f = arg;
	for (;;) {
		int full = at_limit(f);
		struct pollfd p[2] = { { f->wake[0], POLLIN, 0 }, { f->lsock, POLLIN, 0 } };
		if (poll(p, full ? 1 : 2, full ? 5 : -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (full || !(p[1].revents & POLLIN))
			continue;
		int r = hand_over(f->d, f->lsock);
		if (r > 0)
			atomic_fetch_add(&handed, 1);
		/* out of descriptors or memory: a pause, not a spin */
		else if (r < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM))
			nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	}
	return NULL;
}

/* The acceptor stopped; the listen socket stays open (drain_backlog). */
static void accept_stop(struct front *f)
{
	if (write(f->wake[1], "", 1) == 1)
		pthread_join(f->acceptor, NULL);
	close(f->wake[0]);
	close(f->wake[1]);
}

/* A listen socket on ai, as libmicrohttpd makes one (SO_REUSEADDR; IPv6
 * only on an IPv6 address): its descriptor, or -1 (errno). */
static int listen_on(const struct addrinfo *ai)
{
	int s = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;
	if (s < 0)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) ||
	    (ai->ai_family == AF_INET6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on)) ||
	    bind(s, ai->ai_addr, ai->ai_addrlen) || listen(s, SOMAXCONN)) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* A worker's share of libmicrohttpd's connection limit: more than it can
 * ever hold, the room or, without one, every descriptor the process may
 * open. */
static unsigned worker_share(unsigned room)
{
	struct rlimit rl;
	rlim_t most = 65536;
	if (!room && !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < most)
		most = rl.rlim_cur;
	return (room ? room : (unsigned)most) + 64;
}

static unsigned bound_port(int s)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	if (getsockname(s, (struct sockaddr *)&sa, &len))
		return 0;
	if (sa.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
	return ntohs(((struct sockaddr_in *)&sa)->sin_port);
}

/* Connections the kernel completed before the stop, still in the listen
 * queue, are handed to the server: accepted means answered. */
static int drain_backlog(struct MHD_Daemon *d, MHD_socket lsock)
{
	int n = 0, fl = fcntl(lsock, F_GETFL);
	if (fl < 0 || fcntl(lsock, F_SETFL, fl | O_NONBLOCK))
		return 0;
	for (;;) {
		int r = hand_over(d, lsock);
		if (r < 0 && errno != EINTR)
			return n;
		n += r > 0;
	}
}

/* Room for max_connections: the soft limit on open files raised as far as
 * needed (up to the hard one), and the connection limit lowered to what fits. */
static unsigned connection_room(const struct front_config *c)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)c->max_connections + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return (unsigned)c->max_connections;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		long fit = rl.rlim_cur > 128 ? (long)rl.rlim_cur - 64 : 64;
		fprintf(slog_stream(), "%s: the open-file limit (%lu) allows %ld connections, not %ld\n",
			c->prog, (unsigned long)rl.rlim_cur, fit, c->max_connections);
		fflush(slog_stream());
		return (unsigned)fit;
	}
	return (unsigned)c->max_connections;
}

struct front *front_start(const struct front_config *c, unsigned *port)
{
	struct front *f = xcalloc(1, sizeof *f);
	f->c = *c;
	/* the workers inherit a mask that leaves the stop signals to
	 * front_wait's sigwait */
	sigemptyset(&f->stop);
	sigaddset(&f->stop, SIGTERM);
	sigaddset(&f->stop, SIGINT);
	if (c->hup_reopens_log)
		sigaddset(&f->stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &f->stop, NULL);
	/* a shell starts background jobs with SIGINT ignored (nohup: SIGHUP); an
	 * ignored signal is dropped before sigwait could take it */
	if (c->hup_reopens_log) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
	}
	signal(SIGPIPE, SIG_IGN);

	/* epoll, so that thousands of open connections cost nothing while they
	 * are idle; each one closed after idle_timeout seconds of silence */
	const char *cert = c->tls_cert, *key = c->tls_key;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | (c->spread ? MHD_USE_NO_LISTEN_SOCKET : 0) |
			 (MHD_is_feature_supported(MHD_FEATURE_EPOLL) ? MHD_USE_EPOLL : MHD_USE_AUTO) |
			 (c->ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (cert ? MHD_USE_TLS : 0);
	struct MHD_OptionItem more[] = {
		{ cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct MHD_OptionItem pool[5];
	int n = 0;
	/* each connection's memory: libmicrohttpd zeroes it for every request
	 * (a third of the instructions of a small request at its default, 32 KiB), and it
	 * bounds a request's header fields (about 14 KiB together fit; more is
	 * answered 431) */
	pool[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, FRONT_CONNECTION_MEMORY, NULL };
	unsigned room = c->max_connections ? connection_room(c) : 0;
	if (c->threads)
		pool[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, c->threads, NULL };
	/* with the acceptor the room is kept by it (at_limit); libmicrohttpd's
	 * own limit, which it divides among the workers, is set so far above it
	 * that no worker ever reaches its share: libmicrohttpd 0.9.75 leaves a
	 * lock held when a worker at its share is handed a connection, and the
	 * worker then waits on itself for ever */
	unsigned limit = c->spread ? worker_share(room) * (c->threads ? c->threads : 1) : room;
	if (limit)
		pool[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, limit, NULL };
	if (!c->spread)
		pool[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, (void *)c->ai->ai_addr };
	pool[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	/* the room (server/room.h): a deadline for a whole request, a cap on one
	 * address's connections, and the connections waiting longest for a
	 * request closed when the room runs out, rather than a new client
	 * left in the listen queue */
	struct room_config rc = { .limit = room, .per_address = c->max_per_address,
				  .deadline = c->request_deadline };
	if (room_start(&rc)) {
		free(f);
		return NULL;
	}
	f->room = room;
	f->lsock = c->spread ? listen_on(c->ai) : -1;
	if (c->spread && f->lsock < 0) {
		dp_err_set("cannot listen on %s: %s", c->listen, strerror(errno));
		room_stop();
		free(f);
		return NULL;
	}
	f->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, f,
		MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout, MHD_OPTION_ARRAY, pool,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_ARRAY, more, MHD_OPTION_END);
	int e = f->d ? 0 : errno;
	if (f->d && c->spread) {
		if (pipe2(f->wake, O_CLOEXEC))
			e = errno;
		else if ((e = pthread_create(&f->acceptor, NULL, accept_loop, f))) {
			close(f->wake[0]);
			close(f->wake[1]);
		}
	}
	if (f->d && e) {
		MHD_stop_daemon(f->d);
		f->d = NULL;
	}
	if (!f->d) {
		dp_err_set("cannot listen on %s: %s", c->listen, strerror(e));
		if (f->lsock >= 0)
			close(f->lsock);
		room_stop();
		free(f);
		return NULL;
	}
	if (c->spread)
		*port = bound_port(f->lsock);
	else {
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
		*port = di ? di->port : 0;
	}
	return f;
}

void front_wait(struct front *f, unsigned grace_seconds)
{
	int sig = 0;
	while (!sigwait(&f->stop, &sig) && sig == SIGHUP)
		slog_reopen();
	atomic_store(&stopping, 1);
	if (f->lsock >= 0)
		accept_stop(f);
	if (!grace_seconds) {
		if (f->lsock >= 0)
			close(f->lsock);
		room_stop();
		MHD_stop_daemon(f->d);
		free(f);
		return;
	}
	/* stop accepting, answer every request already accepted (those still in
	 * the listen queue too), then stop; at most grace_seconds */
	const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
	/* the connections handed over so far (by the acceptor, or by
	 * libmicrohttpd's workers, which have started them all) */
	int own = f->lsock >= 0;
	MHD_socket lsock = own ? f->lsock : MHD_quiesce_daemon(f->d);
	int base = own ? atomic_load(&handed) : atomic_load(&started_total);
	int queued = lsock != MHD_INVALID_SOCKET ? drain_backlog(f->d, lsock) : 0;
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	slog("%s: stopped accepting; answering the accepted requests (%d connection(s) taken "
	     "from the listen queue), for at most %u s", name, queued, grace_seconds);
	for (unsigned i = 0; i < grace_seconds * 100 &&
			     (atomic_load(&pending) > 0 || atomic_load(&started_total) < base + queued);
	     i++)
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	int left = atomic_load(&pending);
	room_stop();
	MHD_stop_daemon(f->d);
	if (left > 0)
		slog("%s: the grace period ended with %d connection(s) unfinished", name, left);
	slog("stopped on %s", name);
	free(f);
}
