/* SPDX-License-Identifier: Apache-2.0 */
/* The local SQLite store: one file, mode 0600, WAL, busy timeout, schema
 * version in PRAGMA user_version with forward migrations. Only the service
 * layer uses it; commands never do. */
#ifndef DP_STORE_H
#define DP_STORE_H
#include <stdint.h>
#include <sys/types.h>
#include <sqlite3.h>
#include "base/buf.h"
#include "base/err.h"

/* Statements a connection keeps prepared for its life (store_query hands
 * them out, store_done hands them back). */
#define STORE_CACHE 64

/* The rows of a query (store_query), read with store_step and the column
 * getters, given back with store_done. One type for both backends: a kept
 * SQLite statement, or a PostgreSQL result (common/store/store_pg.c). */
struct store_rows {
	struct store *st;
	sqlite3_stmt *s;        /* SQLite */
	void *res;              /* PostgreSQL: its PGresult */
	int row, nrows;         /* PostgreSQL: the current row (-1 before the first) */
	int stream;             /* PostgreSQL: one row a result, fetched by each step
				 * (1: streaming, 2: the first one fetched already) */
	int owned;              /* not kept in a cache: freed by store_done */
};
#define STORE_ROW 100           /* = SQLITE_ROW */
#define STORE_DONE 101          /* = SQLITE_DONE */

struct store_stmt {
	const char *sql;        /* the text store_query was given (pointer kept for a fast match) */
	struct store_rows rows;
	int busy;               /* handed out and not yet done */
};

/* One connection to the store. Not shared between threads: devpayd keeps
 * one per worker thread for the life of the server. */
struct store_pg;
struct store {
	sqlite3 *db;
	struct store_pg *pg;    /* a PostgreSQL database (devpayd only), else NULL */
	char *path;
	int opened;     /* store_open succeeded: the file is ours */
	dev_t dev;              /* the file opened (devpayd compares it with the one it serves) */
	ino_t ino;
	int wlocked;            /* holds the process's writer mutex */
	int wrote;              /* committed a write (store_close may checkpoint) */
	int step_failed;        /* a store_step of this transaction met an error */
	int held;               /* a read transaction store_hold_read began (or, STORE_HELD_LAZY,
				 * will begin at its first statement), not yet taken */
	unsigned serial;        /* this connection's number in the process (store_data_version) */
	/* SQLite in WAL mode: the WAL index's header, mapped read-only from the
	 * -shm file (store_data_version reads the data's version there without
	 * a transaction); its copy taken before this read transaction began */
	const volatile unsigned char *wal_index;
	int wal_index_tried;
	int txn_seen;           /* txn_hdr is valid for the read transaction held or begun */
	unsigned char txn_hdr[48];
	int ncache;
	struct store_stmt cache[STORE_CACHE];
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

/* One transaction per action; writers take the lock up front (and, within
 * one process, a mutex first, so that the threads of devpayd queue for the
 * write lock instead of sleeping in SQLite's busy handler). */
enum dp_err store_begin(struct store *st, int write);
/* store_begin's WRITE for a transaction of one statement that reads (an
 * access key's account): on PostgreSQL no BEGIN and no COMMIT (one statement
 * is one snapshot), two round trips fewer; a read on SQLite. */
#define STORE_READ_ONE 2
enum dp_err store_commit(struct store *st);
void store_rollback(struct store *st);
/* SQLite: a read transaction begun ahead for the next store_begin to take
 * (devpayd's look-up of a request's key and a reading Action then share
 * one snapshot and one round of SQLite's locks). store_begin for a read
 * takes it; for a write it ends it first; store_release_held ends one
 * nothing took. In WAL mode it only notes the data's version
 * (store_data_version): the transaction begins at the first statement, so
 * a request answered from kept answers takes none of SQLite's locks. No-ops
 * on PostgreSQL. */
enum dp_err store_hold_read(struct store *st);
void store_release_held(struct store *st);
#define STORE_HELD_LAZY 2
/* The version of the data a read transaction sees: two equal versions read
 * the same data. In WAL mode the WAL index's header, read from the shared
 * memory every connection to the file updates with each commit, before the
 * transaction took its snapshot; a header never comes back once changed (a
 * commit adds frames to the WAL, a reset changes its salt), so the data a
 * version was read with is the data of any later read that finds the same
 * header. A read held lazily (store_hold_read) has one without a
 * transaction: devpayd answers from what it keeps for that version without
 * SQLite's locks. Else SQLite's SQLITE_FCNTL_DATA_VERSION and the
 * connection's serial, once a statement of the held transaction has read.
 * 0 with *v set, or -1 when it is not known (PostgreSQL, no read
 * transaction, or none begun yet). */
struct store_version {
	unsigned char b[52];
};
int store_data_version(struct store *st, struct store_version *v);

/* A prepared statement for sql with arguments bound as fmt describes, one
 * char each: 's' const char * (NULL binds NULL), 'i' int64_t, 'd' int. NULL
 * on error (dp_err_detail() has SQLite's text). Statements are prepared once
 * per connection and kept (the same sql text finds the same statement); hand
 * each back with store_done() when finished with it. */
struct store_rows *store_query(struct store *st, const char *sql, const char *fmt, ...);
/* Hands a statement of store_query back: reset and kept for the next use
 * (one that was not kept is finalized). NULL is ignored. svc.h maps
 * sqlite3_finalize to this, so a handler can never destroy a kept one. */
void store_done(struct store_rows *s);
/* The next row: STORE_ROW, STORE_DONE, or another value on an error. */
int store_step(struct store_rows *s);
int64_t store_int64(struct store_rows *s, int i);
int store_int(struct store_rows *s, int i);
int store_is_null(struct store_rows *s, int i);
/* PostgreSQL: not 0 when the last failure was a serialization failure or a
 * deadlock (the transaction may be run again), and when the connection is
 * lost (the database is unreachable: 503). Always 0 on SQLite. */
int store_retry(const struct store *st);
/* store_retry's value when what failed was an answer given from an earlier
 * transaction's (store_prefetch): no other writer to let pass first */
#define STORE_RETRY_STALE 2
/* 1 when a row could not be read in the current transaction (a handler that
 * stops at the first row that is not STORE_ROW would answer too little:
 * service_handle refuses the answer). */
int store_step_failed(const struct store *st);
int store_down(const struct store *st);
/* The backend's text of the last error on st. */
const char *store_errmsg(struct store *st);
/* Runs a statement that returns no rows: 0, or -1 (SQLite's text in
 * dp_err_detail()); a constraint violation is -2. */
int store_exec(struct store *st, const char *sql, const char *fmt, ...);
/* store_exec for a write whose refusal the caller need not see at once (a
 * new row under a fresh random key): on PostgreSQL, inside a transaction,
 * it is sent without waiting for its answer, which comes with the next
 * statement's or the commit's (one round trip for all of them); a refusal
 * then fails that statement or the commit, and one by a unique key (a key
 * taken by another writer at the same moment) runs the Action again
 * (store_retry). 0, or what store_exec returns (SQLite, or outside a
 * transaction, it runs at once). On PostgreSQL the INSERTs are held and
 * sent as one statement, on one snapshot: an INSERT must not read the
 * rows another one held writes (another write sends them first). */
int store_exec_later(struct store *st, const char *sql, const char *fmt, ...);
/* A read the transaction is about to make, asked ahead: on PostgreSQL it is
 * sent at once without waiting for its answer (with the writes queued
 * before it, store_exec_later), so that the reads a request knows it will
 * make go in one round trip; the store_query with the same text (the same
 * string: pass one constant to both) and arguments that comes next takes
 * that answer instead of asking again. A
 * write in between forgets it (the query then asks). A no-op on SQLite,
 * where a read costs no round trip. On PostgreSQL a read asked ahead
 * before, in an earlier transaction, is answered at once with the rows it
 * read then, and the database checks them in the transaction (a guard
 * queued with its statements; common/store/store_pg_speculate.c): when they
 * changed, the transaction fails and runs again (store_retry) with the
 * reads asked anew. Only for a read the handler does not change itself. */
void store_prefetch(struct store *st, const char *sql, const char *fmt, ...);
/* What a transaction holds true without reading it now: sql must return
 * a row. On PostgreSQL, inside a transaction, its check is sent with the
 * transaction's next statements (no round trip of its own) and, when sql
 * returns no row, fails them and the commit, store_expect_failed() then 1
 * (the caller decides what runs again). 0 (queued, or a row now), 1 no row
 * now (SQLite, or outside a transaction), -1 error. */
int store_expect(struct store *st, const char *sql, const char *fmt, ...);
int store_expect_failed(const struct store *st);
/* The last failure of the file under the store in this thread (disk full,
 * I/O error, read-only file or folder, lock never released, damaged file),
 * as SQLite reported it: its text, or NULL when there was none since
 * store_fault_reset(). Such a failure means the store cannot be used, not
 * that the request was refused. */
const char *store_fault(void);
void store_fault_reset(void);
/* Text of column i, "" for NULL. */
const char *store_text(struct store_rows *s, int i);

/* Copying a whole store (common/store/store_copy.c). The columns of a query's
 * rows: their number and names. */
int store_ncolumns(struct store_rows *r);
const char *store_column_name(struct store_rows *r, int i);
/* Every row of TABLE (one of the schema's), in the order they were
 * written (the order the handlers' `, rowid` tie-break follows). */
struct store_rows *store_table_rows(struct store *st, const char *table);
/* Runs a statement with N arguments given as text (NULL binds NULL), each
 * typed by where it goes (an INTEGER column takes "12" as 12): 0 or -1
 * (on PostgreSQL perhaps only at store_flush). */
int store_exec_texts(struct store *st, const char *sql, int n, const char *const *values);
/* PostgreSQL sends store_exec_texts' statements in batches, without waiting
 * for each answer, so a failure may show only here: every answer waited
 * for; 0, or -1 with the first failure. Commit and rollback do it too. */
int store_flush(struct store *st);
/* After rows were written with their own keys into TABLE: the keys the
 * store hands out next follow them (PostgreSQL's identity sequences; SQLite
 * takes the largest key plus one by itself). 0 or -1. */
int store_keys_follow(struct store *st, const char *table);
/* Rows of TABLE written in bulk, N columns named COLS, each row's values as
 * text (NULL for NULL): PostgreSQL's COPY FROM STDIN, the rows streamed
 * (store_bulk_row) and the copy ended (store_bulk_end: 0, or -1 with the
 * first failure). -2 from store_bulk_begin: the store has no bulk path
 * (SQLite), use store_exec_texts. ROWS: how many rows are coming (a large
 * table's plain indexes are built after the copy). */
int store_bulk_begin(struct store *st, const char *table, long rows, int n, const char *const *cols);
int store_bulk_row(struct store *st, int n, const char *const *values);
int store_bulk_end(struct store *st);

#endif
