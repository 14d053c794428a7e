/* SPDX-License-Identifier: Apache-2.0 */
/* The statements of store.h: transactions, the statements a connection
 * keeps prepared, and the rows read through them. A store opened on
 * PostgreSQL hands each call to its backend (store_pg.c). */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/store_int.h"

/* The writers of one process queue here for SQLite's write lock. */
static pthread_mutex_t write_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Runs one of the transaction statements, kept prepared like the others. */
static int run(struct store *st, const char *sql)
{
	struct store_rows *s = store_query(st, sql, NULL);
	if (!s)
		return -1;
	int rc = sqlite3_step(s->s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The WAL index's header (store.h, store_data_version), as SQLite's readers
 * take it: the first copy, then the second, which a writer updates in the
 * other order; 0 when both agree and it is one SQLite wrote (the version of
 * the index this code knows, initialized). */
#define WAL_INDEX_VERSION 3007000
static int wal_header(const struct store *st, unsigned char h[48])
{
	unsigned char other[48];
	const volatile unsigned char *p = st->wal_index;
	for (int i = 0; i < 48; i++)
		h[i] = p[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < 48; i++)
		other[i] = p[48 + i];
	uint32_t version;
	memcpy(&version, h, sizeof version);
	return memcmp(h, other, 48) || version != WAL_INDEX_VERSION || h[12] != 1 ? -1 : 0;
}

/* The connection's WAL index mapped, once: after a read of this connection
 * in WAL mode, which keeps its shared lock on the file from then on (so the
 * -shm file, which only the last connection to close removes, stays the
 * one SQLite uses). Nothing mapped otherwise: the versions of
 * SQLITE_FCNTL_DATA_VERSION serve. */
static void map_wal_index(struct store *st)
{
	st->wal_index_tried = 1;
	struct store_rows *r = store_query(st, "PRAGMA journal_mode", NULL);
	int wal = r && store_step(r) == STORE_ROW && !strcmp(store_text(r, 0), "wal");
	store_done(r);
	r = wal ? store_query(st, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL) : NULL;
	int rc = r ? store_step(r) : -1;
	wal = rc == STORE_ROW || rc == STORE_DONE;
	store_done(r);
	if (!wal)
		return;
	size_t n = strlen(st->path);
	char *shm = xmalloc(n + 5);
	memcpy(shm, st->path, n);
	memcpy(shm + n, "-shm", 5);
	int fd = open(shm, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(shm);
	struct stat sb;
	if (fd < 0)
		return;
	void *p = fstat(fd, &sb) || sb.st_size < 4096 ? MAP_FAILED
		: mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return;
	st->wal_index = p;
	unsigned char h[48];
	if (wal_header(st, h)) {
		munmap(p, 4096);
		st->wal_index = NULL;
	}
}

void store_unmap_wal_index(struct store *st)
{
	if (st->wal_index)
		munmap((void *)st->wal_index, 4096);
	st->wal_index = NULL;
}

/* A read transaction about to begin: the data's version noted first. */
static void note_version(struct store *st)
{
	st->txn_seen = st->wal_index && !wal_header(st, st->txn_hdr);
}

enum dp_err store_begin(struct store *st, int write)
{
	st->step_failed = 0;
	if (st->pg)
		return store_pg_backend->begin(st, write);
	write = write == 1;
	if (st->held) {
		int lazy = st->held == STORE_HELD_LAZY;
		st->held = 0;
		if (!write && !lazy)
			return DP_OK;
		if (write)
			store_rollback(st);
	} else if (!write)
		note_version(st);
	if (write && !st->wlocked) {
		pthread_mutex_lock(&write_mutex);
		st->wlocked = 1;
	}
	if (write)
		st->txn_seen = 0;
	if (run(st, write ? "BEGIN IMMEDIATE" : "BEGIN")) {
		enum dp_err e = store_sql_fail(st, "cannot begin a transaction");
		store_rollback(st);
		return e;
	}
	return DP_OK;
}

enum dp_err store_hold_read(struct store *st)
{
	if (st->pg || st->held)
		return DP_OK;
	if (!st->wal_index_tried)
		map_wal_index(st);
	note_version(st);
	if (st->txn_seen) {
		st->held = STORE_HELD_LAZY;
		return DP_OK;
	}
	enum dp_err e = store_begin(st, 0);
	st->held = !e;
	return e;
}

void store_release_held(struct store *st)
{
	if (st->held) {
		st->held = 0;
		store_rollback(st);
	}
}

int store_data_version(struct store *st, struct store_version *v)
{
	if (st->pg)
		return -1;
	memset(v, 0, sizeof *v);
	if (st->txn_seen) {
		/* a read held lazily, or a read transaction begun after the note */
		if (st->held != STORE_HELD_LAZY && sqlite3_get_autocommit(st->db))
			return -1;
		v->b[0] = 'W';
		memcpy(v->b + 4, st->txn_hdr, sizeof st->txn_hdr);
		return 0;
	}
	unsigned dv = 0;
	if (!st->held || sqlite3_txn_state(st->db, "main") != SQLITE_TXN_READ ||
	    sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &dv) != SQLITE_OK)
		return -1;
	v->b[0] = 'F';
	memcpy(v->b + 4, &st->serial, sizeof st->serial);
	memcpy(v->b + 8, &dv, sizeof dv);
	return 0;
}

static void unlock_writer(struct store *st)
{
	if (st->wlocked) {
		st->wlocked = 0;
		pthread_mutex_unlock(&write_mutex);
	}
}

enum dp_err store_commit(struct store *st)
{
	if (st->pg)
		return store_pg_backend->commit(st);
	st->held = 0;
	st->txn_seen = 0;
	if (run(st, "COMMIT")) {
		enum dp_err e = store_sql_fail(st, "cannot commit");
		store_rollback(st);
		return e;
	}
	if (st->wlocked)
		st->wrote = 1;
	unlock_writer(st);
	return DP_OK;
}

void store_rollback(struct store *st)
{
	if (st->pg) {
		store_pg_backend->rollback(st);
		return;
	}
	st->held = 0;
	st->txn_seen = 0;
	if (!sqlite3_get_autocommit(st->db))
		run(st, "ROLLBACK");
	unlock_writer(st);
}

/* The kept statement for sql, prepared on first use; a second user of a
 * statement still in use gets one of its own. */
static struct store_rows *prepared(struct store *st, const char *sql)
{
	struct store_stmt *free_slot = NULL;
	/* the same pointer first (the handlers' SQL is string literals), but
	 * always the same text: a query built at run time may reuse an address */
	for (int i = 0; i < st->ncache; i++)
		if (st->cache[i].sql == sql && !st->cache[i].busy &&
		    !strcmp(sqlite3_sql(st->cache[i].rows.s), sql)) {
			st->cache[i].busy = 1;
			return &st->cache[i].rows;
		}
	for (int i = 0; i < st->ncache; i++)
		if (!st->cache[i].busy && !strcmp(sqlite3_sql(st->cache[i].rows.s), sql)) {
			st->cache[i].sql = sql;
			st->cache[i].busy = 1;
			return &st->cache[i].rows;
		}
	/* new, or each copy in use (a nested use): another, kept while there is room */
	if (st->ncache < STORE_CACHE)
		free_slot = &st->cache[st->ncache];
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(st->db, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, &s,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return NULL;
	}
	if (!s)
		return NULL;
	if (free_slot) {
		*free_slot = (struct store_stmt){ .sql = sql, .rows = { .st = st, .s = s }, .busy = 1 };
		st->ncache++;
		return &free_slot->rows;
	}
	struct store_rows *r = xcalloc(1, sizeof *r);
	*r = (struct store_rows){ .st = st, .s = s, .owned = 1 };
	return r;
}

/* A kept statement for sql with nothing bound yet. */
static struct store_rows *vquery_none(struct store *st, const char *sql)
{
	struct store_rows *r = prepared(st, sql);
	if (!r)
		dp_err_set("%s", sqlite3_errmsg(st->db));
	return r;
}

static struct store_rows *vquery(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	if (st->pg)
		return store_pg_backend->query(st, sql, fmt, ap);
	/* a read held lazily begins at its first statement */
	if (st->held == STORE_HELD_LAZY) {
		st->held = 1;
		if (run(st, "BEGIN")) {
			store_sql_fail(st, "cannot begin a transaction");
			st->held = 0;
			st->txn_seen = 0;
			return NULL;
		}
	}
	struct store_rows *r = vquery_none(st, sql);
	if (!r)
		return NULL;
	sqlite3_stmt *s = r->s;
	for (int i = 1; fmt && *fmt; fmt++, i++) {
		int rc = SQLITE_OK;
		switch (*fmt) {
		case 's': {
			const char *v = va_arg(ap, const char *);
			rc = v ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
			break;
		}
		case 'i': rc = sqlite3_bind_int64(s, i, va_arg(ap, int64_t)); break;
		case 'd': rc = sqlite3_bind_int(s, i, va_arg(ap, int)); break;
		default: rc = SQLITE_MISUSE; break;
		}
		if (rc != SQLITE_OK) {
			dp_err_set("%s", sqlite3_errmsg(st->db));
			store_done(r);
			return NULL;
		}
	}
	return r;
}

struct store_rows *store_query(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct store_rows *r = vquery(st, sql, fmt, ap);
	va_end(ap);
	return r;
}

void store_done(struct store_rows *r)
{
	if (!r)
		return;
	if (r->st->pg) {
		store_pg_backend->done(r);
		return;
	}
	if (r->owned) {
		sqlite3_finalize(r->s);
		free(r);
		return;
	}
	sqlite3_reset(r->s);
	sqlite3_clear_bindings(r->s);
	((struct store_stmt *)((char *)r - offsetof(struct store_stmt, rows)))->busy = 0;
}

int store_step(struct store_rows *r)
{
	if (r->st->pg)
		return store_pg_backend->step(r);
	int rc = sqlite3_step(r->s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && !r->st->step_failed) {
		r->st->step_failed = 1;
		dp_err_set("%s", sqlite3_errmsg(r->st->db));
	}
	return rc;
}

int store_step_failed(const struct store *st)
{
	return st->step_failed;
}

int64_t store_int64(struct store_rows *r, int i)
{
	if (r->st->pg)
		return store_pg_backend->int64(r, i);
	return sqlite3_column_int64(r->s, i);
}

int store_int(struct store_rows *r, int i)
{
	return (int)store_int64(r, i);
}

int store_is_null(struct store_rows *r, int i)
{
	if (r->st->pg)
		return store_pg_backend->is_null(r, i);
	return sqlite3_column_type(r->s, i) == SQLITE_NULL;
}

const char *store_errmsg(struct store *st)
{
	return st->pg ? store_pg_backend->errmsg(st) : sqlite3_errmsg(st->db);
}

int store_exec(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (st->pg) {
		int r = store_pg_backend->exec(st, sql, fmt, ap);
		va_end(ap);
		return r;
	}
	struct store_rows *s = vquery(st, sql, fmt, ap);
	va_end(ap);
	if (!s)
		return -1;
	int rc = sqlite3_step(s->s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		dp_err_set("%s", sqlite3_errmsg(st->db));
	store_done(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	store_note_fault(rc);
	return (rc & 0xff) == SQLITE_CONSTRAINT ? -2 : -1;
}

void store_prefetch(struct store *st, const char *sql, const char *fmt, ...)
{
	if (!st->pg)
		return;
	va_list ap;
	va_start(ap, fmt);
	store_pg_backend->prefetch(st, sql, fmt, ap);
	va_end(ap);
}

int store_expect(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r;
	if (st->pg)
		r = store_pg_backend->expect(st, sql, fmt, ap);
	else {
		/* SQLite: the read now */
		struct store_rows *s = vquery(st, sql, fmt, ap);
		int rc = s ? store_step(s) : -1;
		store_done(s);
		r = rc == STORE_ROW ? 0 : rc == STORE_DONE ? 1 : -1;
	}
	va_end(ap);
	return r;
}

int store_expect_failed(const struct store *st)
{
	return st->pg && store_pg_backend->expect_failed(st);
}

int store_exec_later(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r;
	if (st->pg)
		r = store_pg_backend->exec_later(st, sql, fmt, ap);
	else {
		/* SQLite has no round trip to save: now, as store_exec */
		struct store_rows *s = vquery(st, sql, fmt, ap);
		int rc = s ? sqlite3_step(s->s) : SQLITE_ERROR;
		if (s && rc != SQLITE_DONE && rc != SQLITE_ROW) {
			dp_err_set("%s", sqlite3_errmsg(st->db));
			store_note_fault(rc);
		}
		store_done(s);
		r = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : (rc & 0xff) == SQLITE_CONSTRAINT ? -2 : -1;
	}
	va_end(ap);
	return r;
}

const char *store_text(struct store_rows *r, int i)
{
	if (r->st->pg)
		return store_pg_backend->text(r, i);
	const unsigned char *t = sqlite3_column_text(r->s, i);
	return t ? (const char *)t : "";
}

int store_ncolumns(struct store_rows *r)
{
	if (r->st->pg)
		return store_pg_backend->ncolumns(r);
	return sqlite3_column_count(r->s);
}

const char *store_column_name(struct store_rows *r, int i)
{
	if (r->st->pg)
		return store_pg_backend->column_name(r, i);
	const char *n = sqlite3_column_name(r->s, i);
	return n ? n : "";
}

struct store_rows *store_table_rows(struct store *st, const char *table)
{
	if (st->pg)
		return store_pg_backend->table_rows(st, table);
	/* a table WITHOUT ROWID is read in its key's order */
	struct store_rows *w = store_query(st, "SELECT wr FROM pragma_table_list WHERE name = ?1"
					   " AND schema = 'main'", "s", table);
	if (!w)
		return NULL;
	int rc = store_step(w);
	int rowid = rc == STORE_ROW && !store_int(w, 0);
	store_done(w);
	if (rc != STORE_ROW) {
		if (rc == STORE_DONE)
			dp_err_set("the store has no table '%s'", table);
		return NULL;
	}
	char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"%s", table, rowid ? " ORDER BY rowid" : "");
	sqlite3_stmt *s = NULL;
	int ok = sql && sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK;
	sqlite3_free(sql);
	if (!ok) {
		dp_err_set("%s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return NULL;
	}
	struct store_rows *r = xcalloc(1, sizeof *r);
	*r = (struct store_rows){ .st = st, .s = s, .owned = 1 };
	return r;
}

int store_exec_texts(struct store *st, const char *sql, int n, const char *const *values)
{
	if (st->pg)
		return store_pg_backend->exec_texts(st, sql, n, values);
	struct store_rows *r = vquery_none(st, sql);
	if (!r)
		return -1;
	int rc = SQLITE_OK;
	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = values[i] ? sqlite3_bind_text(r->s, i + 1, values[i], -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(r->s, i + 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(r->s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		dp_err_set("%s", sqlite3_errmsg(st->db));
		store_note_fault(rc);
	}
	store_done(r);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int store_flush(struct store *st)
{
	return st->pg ? store_pg_backend->flush(st) : 0;
}

int store_keys_follow(struct store *st, const char *table)
{
	return st->pg ? store_pg_backend->keys_follow(st, table) : 0;
}

int store_bulk_begin(struct store *st, const char *table, long rows, int n, const char *const *cols)
{
	return st->pg ? store_pg_backend->bulk_begin(st, table, rows, n, cols) : -2;
}

int store_bulk_row(struct store *st, int n, const char *const *values)
{
	return st->pg ? store_pg_backend->bulk_row(st, n, values) : -1;
}

int store_bulk_end(struct store *st)
{
	return st->pg ? store_pg_backend->bulk_end(st) : -1;
}
