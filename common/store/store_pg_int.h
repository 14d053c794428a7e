/* SPDX-License-Identifier: Apache-2.0 */
/* What the four files of the PostgreSQL backend share: store_pg.c (the
 * connection, statements, rows, transactions, the schema's set-up),
 * store_pg_sql.c (the SQL and DDL translated from SQLite's),
 * store_pg_speculate.c (reads answered from their last answer, guarded)
 * and store_pg_copy.c (devpayd --copy-store's side). Private to
 * common/store/. */
#ifndef DP_STORE_PG_INT_H
#define DP_STORE_PG_INT_H
#include <libpq-fe.h>
#include "base/buf.h"
#include "store/store.h"

#define MAX_PARAMS 64

struct translated {
	const char *sql;        /* the handler's text (pointer) */
	char *text;             /* and a copy of it */
	char *pg;               /* PostgreSQL's */
	/* prepared on this connection under this name (the first use's
	 * argument types), "" before its first use */
	char name[16];
	int nparams;
	Oid types[MAX_PARAMS];
	int built;              /* built at run time (pg_built_statement) */
	/* a read asked ahead whose last answer had no row: that answer (its
	 * columns), for the next one to be taken as empty (store_pg_speculate.c) */
	PGresult *empty;
};

/* A read's answer kept across transactions (store_pg_speculate.c), for the
 * same read asked ahead again to be answered at once. */
struct known {
	const char *sql;        /* the handler's text (pointer) */
	struct buf key;         /* the arguments (pg_ahead_key) */
	struct buf near;        /* its text arguments only (pg_near_key) */
	PGresult *res;          /* the rows (a copy) */
	struct buf expect;      /* and their text, a text[] literal */
	unsigned used;
};
#define KNOWN_MAX 64

struct store_pg {
	PGconn *conn;
	int in_tx;
	const char *begin_pending; /* the BEGIN not sent yet (pg_begin) */
	int queued;             /* statements sent whose answers are not read (pg_exec_texts) */
	int queue_failed;       /* a statement queued by pg_exec_later failed (the
				 * transaction is over; noted by pg_queued_failed) */
	int retry;              /* the last failure: serialization failure or deadlock */
	int expect_failed;      /* a store_expect's check failed (store_pg_speculate.c) */
	/* a statement held, to go joined with others: the guards waiting to
	 * go as one statement ahead of the next one sent (store_pg_speculate.c) */
	struct held {
		char *pg;               /* its text (PostgreSQL's) */
		int n;                  /* its arguments */
		Oid types[MAX_PARAMS];
		char *values[MAX_PARAMS];
		char *expect;           /* a guard's rows' text[] literal; NULL: a row */
	} pending[8];
	int npending;
	/* the INSERTs store_exec_later holds, to go as one statement ahead of
	 * the next one sent (pg_writes_send) */
	struct held writes[24];
	int nwrites;
	/* the guards' statements sent: their place in the queue */
	int guards[8];
	int nguards;
	struct known known[KNOWN_MAX];
	unsigned known_clock;
	struct buf bulk;        /* COPY FROM STDIN's rows not sent yet (pg_bulk_row) */
	struct buf bulk_keys;   /* the foreign keys to add again after the copy */
	struct buf bulk_indexes; /* the plain indexes to build after the copy */
	const char *bulk_refs;  /* the references to check after it (pg_bulk_begin) */
	int down;               /* the connection is lost */
	char err[512];
	/* reads sent ahead (pg_prefetch): their statement, arguments and
	 * answer, for the store_query that asks the same */
	struct ahead {
		struct translated *t;
		struct buf key;         /* the arguments, each ended by a 0 (NULL: 1) */
		struct buf near;        /* its text arguments only (pg_near_key) */
		int pos;                /* its place in the queue while it waits */
		int state;              /* AHEAD_* */
		int dropped;            /* forgotten while waiting: its answer is freed */
		int guessed;            /* answered from the last answer (pg_speculate) */
		PGresult *res;
	} ahead[8];
	int nahead;
	int ntr;
	unsigned nprepared;     /* names handed out: s1, s2, ... */
	struct translated tr[128];
};

/* store_pg_sql.c */
/* The handler's SQL in PostgreSQL's dialect: `$N` placeholders, the
 * SQLite-only forms rewritten. */
char *pg_translate(const char *sql);
/* One of store_schema.c's migrations (SQLite) as PostgreSQL DDL. */
char *pg_ddl(const char *m);

/* store_pg.c */
/* The failure of RES (NULL: of the connection) noted in pg->err and
 * dp_err_set, and whether it calls for a retry or the connection is lost. */
void pg_note_error(struct store *st, PGresult *res, const char *what);
/* sql's translation, kept (and prepared) for the connection's life. */
struct translated *pg_translated(struct store *st, const char *sql);
/* t prepared on its first use: NULL, or the error. */
PGresult *pg_prepare(struct store *st, struct translated *t, int n, const Oid *types);
/* 1 when t is prepared for these argument types. */
int pg_prepared_for(const struct translated *t, int n, const Oid *types);
/* The next command's result in pipeline mode, or NULL at the sync point. */
PGresult *pg_pipeline_next(PGconn *conn);
enum { AHEAD_WAITING = 1, AHEAD_READY, AHEAD_GONE };
/* The answer R of the queue's K-th statement: kept when it is one of the
 * reads sent ahead (1), else 0 (the caller's to free). */
int pg_ahead_take(struct store *st, int k, PGresult *r);
/* The reads sent ahead whose answer never came marked gone (the queue's
 * answers were all read). */
void pg_ahead_settle(struct store *st);
/* A queued statement's failure R noted: the transaction is over, and a
 * unique key's refusal (a fresh key met another writer's) runs it again. */
void pg_queued_failed(struct store *st, int k, PGresult *r);
/* t sent without waiting for its answer (pipeline mode), after the
 * transaction's deferred BEGIN when that is still to send; a first use is
 * prepared first, out of the pipeline. Its place in the queue (the answers
 * are read by pg_flush or with the next statement), or -1 (noted). */
int pg_queue_send(struct store *st, struct translated *t, int n, const Oid *types,
		  const char *const *values);
/* The same without the guards waiting going first (pg_guards_send's own). */
int pg_queue_send_now(struct store *st, struct translated *t, int n, const Oid *types,
		      const char *const *values);
/* The deferred BEGIN sent, for the statements that do not go through run(). */
int pg_flush_begin(struct store *st);

/* store_pg_speculate.c: reads answered from what they read before, checked by
 * the database in the same transaction (store_prefetch, store_expect) */
/* The key of a read's arguments: each value and a 0, a NULL a 1 and a 0. */
void pg_ahead_key(struct buf *b, int n, const char *const *values);
/* The same with the arguments of no stated type (numbers) left out. */
void pg_near_key(struct buf *b, int n, const Oid *types, const char *const *values);
/* A read asked ahead (t, its n arguments) answered at once from what it
 * read before, its guard queued: the answer (a copy), or NULL when
 * nothing is known of it. */
PGresult *pg_speculate(struct store *st, const char *sql, int n, const Oid *types,
		       const char *const *values);
/* A read asked ahead, its answer come from the database: kept. */
void pg_known_put(struct store *st, struct translated *t, const struct buf *key,
		  const struct buf *near, const PGresult *res);
/* The queue's K-th statement failed with R: when it is a guard, what it
 * guarded is forgotten and the transaction runs again (1), else 0. */
int pg_guard_failed(struct store *st, int k, PGresult *r);
/* Every answer kept and every guard's statement freed (the connection's end). */
void pg_known_free(struct store *st);
/* A guard of sql's read with these arguments, to go with the next
 * statement sent: the transaction fails unless it reads the rows EXPECT (a
 * text[] literal) or, NULL, some row (a store_expect's). 0, or -1 (noted). */
int pg_guard_queue(struct store *st, const char *sql, int n, const Oid *types,
		   const char *const *values, const char *expect);
/* The guards waiting, sent as one statement (pipeline mode): 0, or -1
 * (noted). Every statement sent goes after them (pg_queue_send, run). */
int pg_guards_send(struct store *st);
/* The guards waiting dropped (a transaction's start, the connection's end). */
void pg_guards_drop(struct store *st);
/* p filled with copies of a statement's text and arguments; freed. */
void pg_pending_fill(struct held *p, const char *text, int n, const Oid *types,
		     const char *const *values);
void pg_pending_free(struct held *p);
/* p joined to a statement being built: its text appended to TO, its
 * arguments ($1, $2 ...) numbered after the *n already in types and
 * values, where its own go. */
void pg_held_join(struct buf *to, const struct held *p, Oid *types, const char **values, int *n);
/* The statement of G's text (built at run time: a guard, writes joined),
 * kept and prepared as the handlers' are, found by its text. */
struct translated *pg_built_statement(struct store *st, struct buf *g);

/* store_pg_copy.c: devpayd --copy-store's operations (store_pg_ops) */
/* A table's rows in the order they were written, streamed a row a step. */
struct store_rows *pg_table_rows(struct store *st, const char *table);
/* The next row of a streamed query (pg_step calls it). */
int pg_stream_step(struct store_rows *r);
/* A statement queued in a batch (pipeline mode), its answer not waited for. */
int pg_exec_texts(struct store *st, const char *sql, int n, const char *const *values);
/* The answers of the statements queued: 0, or -1 with the first failure. */
int pg_flush(struct store *st);
/* A table's identity sequences set past its largest key. */
int pg_keys_follow(struct store *st, const char *table);
/* COPY table (cols) FROM STDIN: begun, a row at a time, ended. */
int pg_bulk_begin(struct store *st, const char *table, long rows, int n, const char *const *cols);
int pg_bulk_row(struct store *st, int n, const char *const *values);
int pg_bulk_end(struct store *st);

#endif
