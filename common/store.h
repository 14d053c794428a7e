/* The local SQLite store: one file, mode 0600, WAL, busy timeout, schema
 * version in PRAGMA user_version with forward migrations. Only the service
 * layer uses it; commands never do. */
#ifndef DP_STORE_H
#define DP_STORE_H
#include <stdint.h>
#include <sqlite3.h>
#include "buf.h"
#include "err.h"

struct store {
	sqlite3 *db;
	char *path;
	int opened;     /* store_open succeeded: the file is ours */
};

/* The store path: from a file:// URL, else DEVPAY_STORE, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/devpay/store.db (its folder created
 * 0700). */
enum dp_err store_path(const char *url, struct buf *path);
/* Opens (creating when absent) and migrates. A file that is not a store of
 * ours is never touched: DP_ERR_NOT_STORE. */
enum dp_err store_open(const char *path, struct store **out);
/* The same, but a missing file is an error (DP_ERR_STORE_OPEN), never
 * created: devpayd serves the store it started on or none. */
enum dp_err store_open_existing(const char *path, struct store **out);
void store_close(struct store *st);
/* devpayd calls this with 1 before opening a store: a store it upgrades to
 * hashed secrets keeps the plain secrets its accounts need for signatures. */
void store_keep_secrets(int on);

/* One transaction per action; writers take the lock up front. */
enum dp_err store_begin(struct store *st, int write);
enum dp_err store_commit(struct store *st);
void store_rollback(struct store *st);

/* Prepares sql and binds arguments described by fmt, one char each:
 * 's' const char * (NULL binds NULL), 'i' int64_t, 'd' int. NULL on error
 * (dp_err_detail() has SQLite's text). */
sqlite3_stmt *store_query(struct store *st, const char *sql, const char *fmt, ...);
/* Runs a statement that returns no rows: 0, or -1 (SQLite's text in
 * dp_err_detail()); a constraint violation is -2. */
int store_exec(struct store *st, const char *sql, const char *fmt, ...);
/* The last failure of the file under the store in this thread (disk full,
 * I/O error, read-only file or folder, lock never released, damaged file),
 * as SQLite reported it: its text, or NULL when there was none since
 * store_fault_reset(). Such a failure means the store cannot be used, not
 * that the request was refused. */
const char *store_fault(void);
void store_fault_reset(void);
/* Text of column i, "" for NULL. */
const char *store_text(sqlite3_stmt *s, int i);

#define STORE_SCHEMA_VERSION 2

#endif
