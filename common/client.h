/* The one path every client command takes: send the request through the
 * transport, parse the answer, and on any failure print the error and exit
 * with the status DESIGN.md gives. */
#ifndef DP_CLIENT_H
#define DP_CLIENT_H
#include "cli.h"
#include "output.h"
#include "query.h"
#include "xml.h"

/* Sets Action and Version, calls, and fills r; never returns on failure. */
void client_call_or_die(struct cli *c, const char *action, struct query *q, struct response *r);

/* The same call for a process that must go on (a server): 0 and r filled,
 * or the error with its message in msg (a refusal: DP_ERR_SERVICE and
 * "Client.Code: message"). r needs response_release() either way. */
enum dp_err client_call(struct cli *c, const char *action, struct query *q, struct response *r,
			struct buf *msg);

/* "[devpay: 774F4FF8],[devpay: ...]" from a <productCodes> element. */
void client_product_codes(const xmlNode *codes, struct buf *out);
/* A wire time as ec2-api-tools prints it; "" stays "". Static storage. */
const char *client_time(const char *wire);

/* Exits with a usage error unless id has the shape prefix + 8..17 hex. */
void client_check_id(const struct cli *c, const char *id, const char *prefix);
/* Same for a product code (8 upper-case hex digits). */
void client_check_code(const struct cli *c, const char *code);

#endif
