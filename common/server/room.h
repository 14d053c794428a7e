/* SPDX-License-Identifier: Apache-2.0 */
/* The connection room of the HTTP front (server/front.c): which connections
 * are waiting for a complete request (just opened, reading one, or idle
 * between two on keep-alive), oldest first, so that
 * - one that has not delivered a complete request within the request
 *   deadline (since it opened or its previous request was answered) is
 *   closed;
 * - a new connection from an address that already holds its cap closes that
 *   address's connection waiting longest (none waiting: the new one);
 * - a new connection taking one of the few places kept free below the
 *   limit closes the connection waiting longest (none waiting but the new
 *   one: it keeps the place),
 * so that trickling clients, even from the honest client's own address,
 * cannot hold every place. A connection is closed by shutting its socket
 * down (shutdown(2)); libmicrohttpd then reads its end and closes it in its
 * own thread. Every call is thread-safe; the socket stays open until
 * room_close, called before libmicrohttpd closes it, so a socket number is
 * never shut down after it was reused. */
#ifndef DP_SERVER_ROOM_H
#define DP_SERVER_ROOM_H
#include <sys/socket.h>

struct room_config {
	long limit;             /* connections at once; 0: no room kept */
	long per_address;       /* connections of one client address; 0: no cap */
	unsigned deadline;      /* seconds for a complete request; 0: none */
};

struct room_conn;

/* Starts the room (the deadline's watcher thread when there is one): 0, or
 * -1 with dp_err_detail() set. With no limit, cap or deadline nothing is
 * kept and the calls below do nothing. */
int room_start(const struct room_config *c);
/* Stops the watcher; connections still open may be closed afterwards. */
void room_stop(void);

/* A connection just taken in on socket fd from address sa (may be NULL): its
 * entry, waiting for a request, or NULL when no room is kept. Makes room as
 * said above, possibly by closing this very connection. */
struct room_conn *room_open(int fd, const struct sockaddr *sa);
/* Its request has arrived whole (headers and body): no deadline while it is
 * answered. */
void room_request_read(struct room_conn *c);
/* Its request was answered: waiting for the next one from now. */
void room_request_done(struct room_conn *c);
/* Closed by libmicrohttpd (before it closes the socket): the entry freed. */
void room_close(struct room_conn *c);

#endif
