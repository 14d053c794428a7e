/* SPDX-License-Identifier: Apache-2.0 */
/* The one path every client command takes: send the request through the
 * transport, parse the answer, and on any failure print the error and exit
 * with the status DESIGN.md gives. */
#ifndef DP_CLIENT_H
#define DP_CLIENT_H
#include "client/cli.h"
#include "client/output.h"
#include "wire/query.h"
#include "wire/xml.h"

/* Sets Action and Version (and DryRun and Filter.N.* from --dry-run and -F),
 * calls, and fills r; never returns on failure. */
void client_call_or_die(struct cli *c, const char *action, struct query *q, struct response *r);
/* A describe Action whose answers come in pages: calls it as
 * client_call_or_die does, hands each answer's root to page, and calls
 * again with the answer's nextToken until an answer carries none, so that
 * every record is printed however the service pages them. */
void client_pages_or_die(struct cli *c, const char *action, struct query *q,
			 void (*page)(struct cli *c, const xmlNode *root, void *cls), void *cls);

/* The same call for a process that must go on (a server): 0 and r filled,
 * or the error with its message in msg (a refusal: DP_ERR_SERVICE and
 * "Client.Code: message"). r needs response_release() either way. */
enum dp_err client_call(struct cli *c, const char *action, struct query *q, struct response *r,
			struct buf *msg);

/* "[devpay: 774F4FF8],[devpay: ...]" from a <productCodes> element. */
void client_product_codes(const xmlNode *codes, struct buf *out);
/* A wire time as ec2-api-tools prints it; "" stays "". Static storage. */
const char *client_time(const char *wire);

#endif
