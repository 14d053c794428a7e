/* SPDX-License-Identifier: Apache-2.0 */
/* What the pages' files (pages.c: routes, sign-in, purchase; pages_bill.c:
 * the billing and activity pages) share. */
#ifndef DP_SERVER_PAGES_INT_H
#define DP_SERVER_PAGES_INT_H
#include "base/buf.h"
#include "base/format.h"
#include "wire/query.h"
#include "wire/xml.h"
#include "server/html.h"
#include "server/pages.h"
#include "server/pages_session.h"

struct page {
	const struct pages_config *c;
	const struct front_request *rq;
	struct front_reply *rp;
	struct store *st;
	int64_t now;            /* the service clock */
	int signed_in;
	struct session s;
	struct query get;       /* the URL's parameters */
	struct out_writer csv;  /* a page sent as CSV (format=csv) */
};

/* Runs the Action of q as account through service_handle: 0 with r parsed
 * (response_release it), or the refusal's HTTP status with msg saying
 * "Client.Code: Message". */
int page_call(struct page *pg, struct query *q, const char *account, struct response *r,
	      struct buf *msg);
/* A header of the reply, value copied (at most two such per reply). */
void page_header(struct page *pg, const char *name, const char *value);
/* The page frame around body. */
void page_send(struct page *pg, unsigned status, const char *title, const struct buf *body);
/* A page saying what went wrong (msg escaped). */
void page_error(struct page *pg, unsigned status, const char *title, const char *msg);
/* Not signed in: 303 to /signin?next=<this page>, with a page saying so. */
void page_need_signin(struct page *pg);

void page_bill(struct page *pg);
void page_activity(struct page *pg);

#endif
