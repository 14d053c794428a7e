/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "service/auth.h"
#include "service/service.h"
#include "store/store.h"
#include "client/transport.h"

static int is_http(const char *url)
{
	return url && (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8));
}

static void debug_query(const char *what, const struct query *q)
{
	fprintf(stderr, "%s\n", what);
	for (size_t i = 0; i < q->n; i++)
		fprintf(stderr, "  %s=%s\n", q->v[i].name, q->v[i].value);
}

enum dp_err transport_local(const struct dp_config *cfg, const struct query *q, long *status,
			    struct buf *body)
{
	struct buf path = BUF_INIT, endpoint = BUF_INIT;
	enum dp_err e = store_path(cfg->url, &path);
	int64_t now = 0;
	if (!e)
		e = clock_now(&now);
	struct store *st = NULL;
	if (!e)
		e = store_open(buf_str(&path), &st);
	if (!e) {
		char *abs = realpath(buf_str(&path), NULL);
		buf_addf(&endpoint, "file://%s", abs ? abs : buf_str(&path));
		free(abs);
	}
	buf_release(&path);
	if (e)
		return e;
	if (cfg->debug)
		debug_query("local request:", q);
	char account[13];
	store_fault_reset();
	int created = 0;
	/* no key: only a command that needs no account gets here (cli.h) */
	int s = 0;
	if (cfg->token && *cfg->token) {
		/* the service issues no session tokens: refused as devpayd does */
		service_error_doc(AUTH_TOKEN_CODE, AUTH_TOKEN_MESSAGE, body);
		s = 403;
	} else if (cfg->access_key)
		s = service_auth_local(st, cfg->access_key, cfg->secret_key, now, account, &created, body);
	if (s < 0) {
		/* the store cannot be used as it is (its key file): nothing was written */
		*status = 0;
		store_close(st);
		buf_release(&endpoint);
		return DP_ERR_STORE_OPEN;
	}
	/* a mistyped key makes a new, empty account: say so, once, on stderr */
	if (created) {
		const char *quiet = getenv("DEVPAY_NO_ACCOUNT_NOTICE");
		if (!quiet || strcmp(quiet, "1"))
			fprintf(stderr, "devpay: new local account %s for access key %s in %s"
				" (DEVPAY_NO_ACCOUNT_NOTICE=1 silences this)\n", account,
				cfg->access_key, st->path);
	}
	if (s == 0) {
		struct service_call c = { .st = st, .account = cfg->access_key ? account : NULL,
					  .region = cfg->region,
					  .q = q, .now = now, .endpoint = buf_str(&endpoint) };
		s = service_handle(&c, body);
	}
	*status = s;
	if (cfg->debug)
		fprintf(stderr, "local response: %d\n%s\n", s, buf_str(body));
	/* the file failed under the service (disk full, I/O error, read-only):
	 * the store is unreachable (exit 3); the transaction was rolled back */
	if (s >= 500 && store_fault()) {
		dp_err_set("store '%s': %s; nothing was changed", st->path, store_fault());
		e = DP_ERR_STORE_OPEN;
	}
	store_close(st);
	buf_release(&endpoint);
	return e;
}

enum dp_err transport_call(const struct dp_config *cfg, struct query *q, long *status,
			   struct buf *body)
{
	if (is_http(cfg->url))
		return transport_http(cfg, q, status, body);
	if (cfg->url && *cfg->url && strncmp(cfg->url, "file://", 7)) {
		dp_err_set("invalid endpoint '%s': expected http://, https:// or file://", cfg->url);
		return DP_ERR_USAGE;
	}
	return transport_local(cfg, q, status, body);
}
