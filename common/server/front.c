#include <errno.h>
#include <fcntl.h>
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
#include "server/front.h"
#include "server/log.h"
#include "server/room.h"

struct front {
	struct MHD_Daemon *d;
	struct front_config c;
	sigset_t stop;
};

/* Connections that hold a request (or have not sent their first one yet):
 * a stop waits for them; idle keep-alive connections it may close. */
static atomic_int pending;
static atomic_int stopping;
/* connections the server has taken in so far: those handed over from the
 * listen queue on a stop start (and count as pending) a little later */
static atomic_int started_total;

struct conn {
	int served;     /* requests answered on this connection */
	int busy;       /* a request is being read or answered */
	struct room_conn *room; /* its place in the room (server/room.h) */
};

struct request {
	struct buf body;
	int too_big;
	struct timespec start;
	struct conn *conn;
};

int front_stopping(void)
{
	return atomic_load(&stopping);
}

static void access_log(struct MHD_Connection *conn, const struct request *r,
		       const struct front_reply *rp)
{
	char when[32], peer[NI_MAXHOST + NI_MAXSERV + 2] = "-", a[80], k[140];
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	long ms = (end.tv_sec - r->start.tv_sec) * 1000L + (end.tv_nsec - r->start.tv_nsec) / 1000000L;
	clock_format_wire((int64_t)time(NULL), when);
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		char host[NI_MAXHOST], serv[NI_MAXSERV];
		socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
									: sizeof(struct sockaddr_in);
		if (!getnameinfo(ci->client_addr, len, host, sizeof host, serv, sizeof serv,
				 NI_NUMERICHOST | NI_NUMERICSERV))
			snprintf(peer, sizeof peer, "%s:%s", host, serv);
	}
	slog_token(a, sizeof a, rp->action);
	slog_token(k, sizeof k, rp->key);
	slog_lock();
	fprintf(slog_stream(), "%s %s %s %s %u %ldms\n", when, peer, a, k, rp->status, ms);
	fflush(slog_stream());
	slog_unlock();
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
				  struct front_reply *rp)
{
	if (!held_take(f, rp->body.len)) {
		buf_reset(&rp->body);
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
			enum MHD_Result rc = send_reply(f, conn, &rp);
			if (f->c.access_log)
				access_log(conn, r, &rp);
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
				    .body_len = r->body.len, .too_big = r->too_big };
	struct front_reply rp = { .status = 500, .body = BUF_INIT };
	f->c.handle(f->c.cls, &rq, &rp);
	enum MHD_Result rc = send_reply(f, conn, &rp);
	if (f->c.access_log)
		access_log(conn, r, &rp);
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
		atomic_fetch_add(&pending, 1);
		atomic_fetch_add(&started_total, 1);
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (fd && fd->connect_fd != MHD_INVALID_SOCKET)
			c->room = room_open(fd->connect_fd, ci ? ci->client_addr : NULL);
		return;
	}
	struct conn *c = *socket_context;
	if (!c)
		return;
	/* called before libmicrohttpd closes the socket */
	room_close(c->room);
	if (!c->served || c->busy)
		atomic_fetch_sub(&pending, 1);
	free(c);
	*socket_context = NULL;
}

/* Connections the kernel completed before the stop, still in the listen
 * queue, are handed to the server: accepted means answered. */
static int drain_backlog(struct MHD_Daemon *d, MHD_socket lsock)
{
	int n = 0, fl = fcntl(lsock, F_GETFL);
	if (fl < 0 || fcntl(lsock, F_SETFL, fl | O_NONBLOCK))
		return 0;
	for (;;) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa;
		int fd = accept4(lsock, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return n;
		}
		if (MHD_add_connection(d, fd, (struct sockaddr *)&sa, len) == MHD_YES)
			n++;
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
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 (MHD_is_feature_supported(MHD_FEATURE_EPOLL) ? MHD_USE_EPOLL : MHD_USE_AUTO) |
			 (c->ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (cert ? MHD_USE_TLS : 0);
	struct MHD_OptionItem more[] = {
		{ cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct MHD_OptionItem pool[3];
	int n = 0;
	unsigned room = c->max_connections ? connection_room(c) : 0;
	if (c->threads)
		pool[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, c->threads, NULL };
	if (room)
		pool[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, room, NULL };
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
	f->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, f, MHD_OPTION_SOCK_ADDR, c->ai->ai_addr,
		MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout, MHD_OPTION_ARRAY, pool,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_ARRAY, more, MHD_OPTION_END);
	if (!f->d) {
		dp_err_set("cannot listen on %s: %s", c->listen, strerror(errno));
		room_stop();
		free(f);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = di ? di->port : 0;
	return f;
}

void front_wait(struct front *f, unsigned grace_seconds)
{
	int sig = 0;
	while (!sigwait(&f->stop, &sig) && sig == SIGHUP)
		slog_reopen();
	atomic_store(&stopping, 1);
	if (!grace_seconds) {
		room_stop();
		MHD_stop_daemon(f->d);
		free(f);
		return;
	}
	/* stop accepting, answer every request already accepted (those still in
	 * the listen queue too), then stop; at most grace_seconds */
	const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
	MHD_socket lsock = MHD_quiesce_daemon(f->d);
	int base = atomic_load(&started_total);
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
