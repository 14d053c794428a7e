/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL backend of store.h (devpayd only). store.c hands every
 * call on a store opened from a postgresql:// URI to these operations; the
 * backend is linked only into a program that enables it (devpayd calls
 * store_enable_pg(&store_pg_ops)), so that the commands do not load libpq. */
#ifndef DP_STORE_PG_H
#define DP_STORE_PG_H
#include <stdarg.h>
#include "store/store.h"

struct store_pg_ops {
	enum dp_err (*open)(const char *uri, struct store **out);
	void (*close)(struct store *st);
	enum dp_err (*begin)(struct store *st, int write);
	enum dp_err (*commit)(struct store *st);
	void (*rollback)(struct store *st);
	struct store_rows *(*query)(struct store *st, const char *sql, const char *fmt, va_list ap);
	int (*exec)(struct store *st, const char *sql, const char *fmt, va_list ap);
	int (*exec_later)(struct store *st, const char *sql, const char *fmt, va_list ap);
	void (*prefetch)(struct store *st, const char *sql, const char *fmt, va_list ap);
	int (*expect)(struct store *st, const char *sql, const char *fmt, va_list ap);
	int (*expect_failed)(const struct store *st);
	void (*done)(struct store_rows *r);
	int (*step)(struct store_rows *r);
	int64_t (*int64)(struct store_rows *r, int i);
	int (*is_null)(struct store_rows *r, int i);
	const char *(*text)(struct store_rows *r, int i);
	const char *(*errmsg)(struct store *st);
	int (*retry)(const struct store *st);
	int (*down)(const struct store *st);
	int (*ncolumns)(struct store_rows *r);
	const char *(*column_name)(struct store_rows *r, int i);
	struct store_rows *(*table_rows)(struct store *st, const char *table);
	int (*exec_texts)(struct store *st, const char *sql, int n, const char *const *values);
	int (*keys_follow)(struct store *st, const char *table);
	int (*flush)(struct store *st);
	int (*bulk_begin)(struct store *st, const char *table, long rows, int n, const char *const *cols);
	int (*bulk_row)(struct store *st, int n, const char *const *values);
	int (*bulk_end)(struct store *st);
};
extern const struct store_pg_ops store_pg_ops;
void store_enable_pg(const struct store_pg_ops *ops);

/* 1 when PATH names a PostgreSQL database (postgresql:// or postgres://). */
int store_is_pg_uri(const char *path);
/* The SQLite text of store_schema.c's migrations, for the PostgreSQL schema. */
const char *const *store_migrations(int *n);

#endif
