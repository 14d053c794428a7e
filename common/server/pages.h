/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd's pages (devpayd(8), PAGES IN A BROWSER): server-rendered HTML beside the Query
 * API, for the people DevPay served in a browser: the purchase page of a
 * product (/purchase/CODE, a Subscribe button for a signed-in customer),
 * sign-in and sign-out (/signin, /signout: an access key and its secret, a
 * session cookie), the customer's Application Billing page (/bill) and the
 * seller's Activity page (/activity). Every figure comes from the service's
 * own answers (service_handle), as the signed-in account, so a page shows
 * exactly what the commands print and nothing another account could not see
 * through the API. */
#ifndef DP_SERVER_PAGES_H
#define DP_SERVER_PAGES_H
#include <stdint.h>
#include "server/front.h"
#include "store/store.h"

struct pages_config {
	int https;              /* served over TLS: cookies are Secure */
	const char *region;     /* the region the pages' Actions are addressed to */
};

/* 1 when url (the path, no query string) is one of the pages' paths. */
int pages_path(const char *url);

/* Answers a page request on store st, now the service clock's reading. */
void pages_handle(const struct pages_config *c, const struct front_request *rq,
		  struct front_reply *rp, struct store *st, int64_t now);

#endif
