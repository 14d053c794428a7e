/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP front both servers stand on (devpayd, devpay-metadata): GNU
 * libmicrohttpd listening, a request's body gathered up to a bound, the
 * handler's reply sent, an access log line, the connections counted so that
 * a stop on SIGTERM/SIGINT answers every request already accepted. */
#ifndef DP_SERVER_FRONT_H
#define DP_SERVER_FRONT_H
#include <stddef.h>
#include <netdb.h>
#include <microhttpd.h>
#include "base/buf.h"

struct front_request {
	struct MHD_Connection *conn;    /* for its headers and URL arguments */
	const char *method, *url;
	const char *body;
	size_t body_len;
	int too_big;                    /* the body passed max_body: left unread */
	const char *request_id;         /* this request's id (an id_uuid()) */
};

#define FRONT_HEADERS 8
struct front_reply {
	unsigned status;
	struct buf body;
	const char *type;               /* Content-Type; NULL: text/plain */
	const char *headers[FRONT_HEADERS][2]; /* more headers (name, value) */
	char header_text[2][640];       /* room for values made per request (a
					   cookie, a Location) that headers point to */
	/* the access log's fields: the request's Action and access key */
	char action[80], key[140];
};

typedef void (*front_handler)(void *cls, const struct front_request *rq, struct front_reply *rp);
/* Called after each reply is sent, with the seconds it took (metrics). */
typedef void (*front_observer)(const struct front_request *rq, const struct front_reply *rp,
			       double seconds);

/* A network whose addresses are trusted proxies (--trusted-proxy CIDR). */
struct front_net {
	int family;                     /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
};
/* "ADDR/BITS" or "ADDR" (a single address), IPv4 or IPv6: 0, or -1 with
 * dp_err_detail() saying what is wrong. */
int front_net_parse(const char *cidr, struct front_net *out);
/* The client address of the access log: the peer's, unless the peer is
 * inside one of the trusted networks and xff (X-Forwarded-For) names
 * addresses; then the last of them (right to left) that is not trusted
 * itself. out gets the address (the peer's as ADDR:PORT). */
void front_client(const struct sockaddr *peer, const char *xff, const struct front_net *nets,
		  int nnets, char *out, size_t outsz);
/* Connections open now (the metrics' gauge). */
long front_open_connections(void);

struct front_config {
	const char *prog;
	const char *listen;             /* as given, for messages */
	const struct addrinfo *ai;      /* where to listen */
	unsigned threads;               /* worker threads; 0: one answers them all */
	unsigned idle_timeout;          /* seconds a connection may stay silent */
	long max_connections;           /* open at once; 0: libmicrohttpd's default */
	long max_per_address;           /* open at once from one client address; 0: no cap */
	unsigned request_deadline;      /* seconds for a whole request; 0: none */
	const char *tls_cert, *tls_key; /* PEM text (server/tls.h); NULL: HTTP */
	size_t max_body;
	/* the bytes of answers made and not yet sent whole (clients that do
	 * not read them) at most; one that would pass it is answered 503 with
	 * busy_body (busy_type; NULL: a line of text); 0: no cap */
	size_t answer_memory;
	const char *busy_body, *busy_type;
	int access_log;                 /* a line a request in the log (server/log.h) */
	int hup_reopens_log;            /* SIGHUP reopens the log; otherwise it is left as it is */
	front_handler handle;
	void *cls;
	int request_id_header;          /* every reply carries x-amzn-RequestId */
	/* connections taken in by a thread of the front's own and spread over
	 * the workers by descriptor, for workers that wait on a database;
	 * else libmicrohttpd's workers take them in themselves */
	int spread;
	const struct front_net *trusted; /* trusted proxies (access log's client) */
	int ntrusted;
	front_observer observe;         /* NULL: none */
};

/* How many times the request carries header name (any case). A request
 * whose framing is ambiguous (two Content-Length headers, or Content-Length
 * with Transfer-Encoding) is answered 400 by the front itself, unhandled. */
unsigned front_header_count(struct MHD_Connection *conn, const char *name);

struct front;

/* Blocks the stop signals (the workers inherit the mask, front_wait takes
 * them), listens and serves: the front and its port, or NULL with
 * dp_err_detail() saying why. */
struct front *front_start(const struct front_config *c, unsigned *port);

/* 1 once a stop has begun: no connection is kept for another request. */
int front_stopping(void);

/* Waits for SIGTERM or SIGINT (SIGHUP reopens the log when asked), then
 * stops: with grace_seconds, it stops accepting, answers the requests
 * already accepted (those still in the listen queue too) for at most that
 * long and logs what it did; with 0 it stops at once. */
void front_wait(struct front *f, unsigned grace_seconds);

#endif
