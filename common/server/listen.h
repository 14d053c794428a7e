/* SPDX-License-Identifier: Apache-2.0 */
/* The --listen ADDR:PORT of the two servers (devpayd, devpay-metadata). */
#ifndef DP_LISTEN_H
#define DP_LISTEN_H
#include <netdb.h>
#include "base/buf.h"

/* The address SPEC names ("127.0.0.1:8773", "[::1]:0", ":8773" for every
 * address), for a listening socket: 0 and *out (freeaddrinfo it), or -1 and
 * why, a message naming SPEC, in err. */
int listen_parse(const char *spec, struct addrinfo **out, struct buf *err);

#endif
