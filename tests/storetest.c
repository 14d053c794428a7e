/* SPDX-License-Identifier: Apache-2.0 */
/* Test driver for the store's batching (store.h: store_prefetch,
 * store_exec_later, store_expect), on a SQLite store or a PostgreSQL database: runs the
 * steps the command line gives, in order, on one connection, and prints
 * what each gave, so tests can check what a handler would see.
 *   storetest STORE STEP...
 * STEP is one of
 *   begin | read | commit | rollback     a write transaction (read: a read
 *                                         one), its end: "commit 0" or
 *                                         "commit failed retry=R" (and
 *                                         " expect" when a store_expect's
 *                                         check failed it)
 *   prefetch N SQL ARG...                 a read asked ahead (prints nothing)
 *   query N SQL ARG...                    its rows, a line each, columns
 *                                         joined by '|', then "rows K"; or
 *                                         "query failed retry=R"
 *   exec N SQL ARG... | later N SQL ARG...
 *                                         "exec R" / "later R" (0, -1, -2)
 *   expect N SQL ARG...                   "expect R" (store_expect)
 * N is how many text arguments follow SQL (at most 3). Exits 0 when every
 * step ran, 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store.h"
#include "store/store_pg.h"

static const char *const fmts[] = { "", "s", "ss", "sss" };

/* One pointer for each text: the store knows a statement by its text's
 * address, as a handler's literal has one. */
static const char *intern(const char *sql)
{
	static const char *seen[64];
	static int n;
	for (int i = 0; i < n; i++)
		if (!strcmp(seen[i], sql))
			return seen[i];
	if (n < 64)
		seen[n++] = sql;
	return sql;
}

static int usage(void)
{
	fprintf(stderr, "usage: storetest STORE [begin|read|commit|rollback|"
		"{prefetch|query|exec|later|expect} N SQL ARG...]...\n");
	return 2;
}

static void rows(struct store *st, const char *sql, int n, char **a)
{
	struct store_rows *r = n == 0 ? store_query(st, sql, fmts[0])
			     : n == 1 ? store_query(st, sql, fmts[1], a[0])
			     : n == 2 ? store_query(st, sql, fmts[2], a[0], a[1])
				      : store_query(st, sql, fmts[3], a[0], a[1], a[2]);
	if (!r) {
		printf("query failed retry=%d\n", store_retry(st));
		return;
	}
	int k = 0, rc;
	while ((rc = store_step(r)) == STORE_ROW) {
		for (int i = 0; i < store_ncolumns(r); i++)
			printf("%s%s", i ? "|" : "", store_text(r, i));
		printf("\n");
		k++;
	}
	store_done(r);
	if (rc == STORE_DONE)
		printf("rows %d\n", k);
	else
		printf("query failed retry=%d\n", store_retry(st));
}

static int exec(struct store *st, const char *step, const char *sql, int n, char **a)
{
	int (*f)(struct store *, const char *, const char *, ...) =
		!strcmp(step, "later") ? store_exec_later : !strcmp(step, "expect") ? store_expect : store_exec;
	return n == 0 ? f(st, sql, fmts[0])
	     : n == 1 ? f(st, sql, fmts[1], a[0])
	     : n == 2 ? f(st, sql, fmts[2], a[0], a[1])
		      : f(st, sql, fmts[3], a[0], a[1], a[2]);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (store_is_pg_uri(argv[1]))
		store_enable_pg(&store_pg_ops);
	struct store *st;
	if (store_open(argv[1], &st)) {
		fprintf(stderr, "storetest: %s\n", dp_err_detail());
		return 1;
	}
	int rc = 0;
	for (int i = 2; i < argc && !rc; i++) {
		const char *step = argv[i];
		if (!strcmp(step, "begin") || !strcmp(step, "read")) {
			if (store_begin(st, !strcmp(step, "begin")))
				printf("begin failed\n");
			continue;
		}
		if (!strcmp(step, "commit")) {
			if (store_commit(st))
				printf("commit failed retry=%d%s\n", store_retry(st),
				       store_expect_failed(st) ? " expect" : "");
			else
				printf("commit 0\n");
			continue;
		}
		if (!strcmp(step, "rollback")) {
			store_rollback(st);
			continue;
		}
		if (i + 2 >= argc) {
			rc = usage();
			break;
		}
		int n = atoi(argv[i + 1]);
		if (n < 0 || n > 3 || i + 2 + n >= argc) {
			rc = usage();
			break;
		}
		const char *sql = intern(argv[i + 2]);
		char **a = argv + i + 3;
		i += 2 + n;
		if (!strcmp(step, "prefetch")) {
			if (n == 0)
				store_prefetch(st, sql, fmts[0]);
			else if (n == 1)
				store_prefetch(st, sql, fmts[1], a[0]);
			else if (n == 2)
				store_prefetch(st, sql, fmts[2], a[0], a[1]);
			else
				store_prefetch(st, sql, fmts[3], a[0], a[1], a[2]);
		} else if (!strcmp(step, "query"))
			rows(st, sql, n, a);
		else if (!strcmp(step, "exec") || !strcmp(step, "later") || !strcmp(step, "expect"))
			printf("%s %d\n", step, exec(st, step, sql, n, a));
		else
			rc = usage();
	}
	store_close(st);
	return rc;
}
