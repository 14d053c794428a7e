/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL backend's side of devpayd --copy-store (store_copy.c):
 * a table's rows streamed out, statements batched in (libpq's pipeline
 * mode), the identity sequences moved past the keys copied. */
#include <stdio.h>
#include <string.h>
#include <libpq-fe.h>
#include "base/buf.h"
#include "store/store_pg_int.h"

/* A table's name quoted as an identifier, or NULL (pg_note_error). */
static char *ident(struct store *st, const char *table)
{
	char *q = PQescapeIdentifier(st->pg->conn, table, strlen(table));
	if (!q)
		pg_note_error(st, NULL, "PostgreSQL");
	return q;
}

struct store_rows *pg_table_rows(struct store *st, const char *table)
{
	/* the order the handlers' `, rowid` stands for (store_pg_sql.c's translate_n) */
	if (pg_flush(st) || pg_flush_begin(st))
		return NULL;
	char *q = ident(st, table);
	if (!q)
		return NULL;
	struct buf sql = BUF_INIT;
	buf_addf(&sql, "SELECT * FROM %s ORDER BY xmin::text::bigint, ctid", q);
	PQfreemem(q);
	/* a row at a time (single-row mode): a table of millions is not held
	 * in memory; the first result is fetched now, for the column names */
	int sent = PQsendQuery(st->pg->conn, buf_str(&sql)) && PQsetSingleRowMode(st->pg->conn);
	buf_release(&sql);
	PGresult *res = sent ? PQgetResult(st->pg->conn) : NULL;
	ExecStatusType rs = PQresultStatus(res);
	if (rs != PGRES_SINGLE_TUPLE && rs != PGRES_TUPLES_OK) {
		pg_note_error(st, res, "PostgreSQL");
		PQclear(res);
		while (sent && (res = PQgetResult(st->pg->conn)))
			PQclear(res);
		return NULL;
	}
	struct store_rows *r = xcalloc(1, sizeof *r);
	*r = (struct store_rows){ .st = st, .res = res, .row = -1, .nrows = PQntuples(res), .owned = 1,
				  .stream = 2 };
	return r;
}

/* The next result of a streamed query (pg_table_rows). */
int pg_stream_step(struct store_rows *r)
{
	PGconn *conn = r->st->pg->conn;
	if (r->stream == 2)
		r->stream = 1;
	else if (r->res) {
		PQclear(r->res);
		r->res = PQgetResult(conn);
	}
	ExecStatusType rs = PQresultStatus(r->res);
	if (r->res && rs == PGRES_SINGLE_TUPLE) {
		r->row = 0;
		r->nrows = 1;
		return STORE_ROW;
	}
	/* the end (a result of no rows, then none), or an error */
	int end = r->res && rs == PGRES_TUPLES_OK;
	if (r->res && !end)
		pg_note_error(r->st, r->res, "PostgreSQL");
	PQclear(r->res);
	r->res = NULL;
	r->row = r->nrows = 0;
	PGresult *more;
	while ((more = PQgetResult(conn)))
		PQclear(more);
	if (end)
		return STORE_DONE;
	r->st->step_failed = 1;
	return -1;
}

void pg_queued_failed(struct store *st, int k, PGresult *r)
{
	pg_note_error(st, r, "PostgreSQL");
	/* a guard's: the answers it guarded are forgotten (store_pg_speculate.c) */
	pg_guard_failed(st, k, r);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	/* unique_violation: a fresh key another writer took at the same moment */
	if (state && !strcmp(state, "23505") && st->pg->in_tx)
		st->pg->retry = 1;
	st->pg->queue_failed = 1;
}

/* The answers of the statements pg_exec_texts or pg_exec_later sent: 0,
 * or -1 with the first failure noted. Leaves pipeline mode. */
int pg_flush(struct store *st)
{
	struct store_pg *pg = st->pg;
	if (!pg->queued)
		return 0;
	int failed = !PQpipelineSync(pg->conn);
	if (failed)
		pg_note_error(st, NULL, "PostgreSQL");
	/* every result read (the ones after a failure are "aborted"), the
	 * first failure noted */
	PGresult *r;
	int sent = !failed, k = 0;
	while (sent && (r = pg_pipeline_next(pg->conn))) {
		ExecStatusType rs = PQresultStatus(r);
		if (!failed && rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
			pg_queued_failed(st, k, r);
			failed = 1;
		}
		if (!pg_ahead_take(st, k++, r))
			PQclear(r);
	}
	PQexitPipelineMode(pg->conn);
	pg->queued = 0;
	pg->nguards = 0;
	pg_ahead_settle(st);
	return failed ? -1 : 0;
}

/* Statements sent in batches (libpq's pipeline mode) without waiting for
 * each answer: a copy's rows go in at the speed of the database, not of a
 * round trip each. A failure shows at the batch's end (pg_flush). */
#define BATCH 500

/* Every argument is text of no stated type: PostgreSQL types each by the
 * column it goes into. No savepoint: a failure ends the whole copy. */
int pg_exec_texts(struct store *st, const char *sql, int n, const char *const *values)
{
	struct store_pg *pg = st->pg;
	Oid types[MAX_PARAMS] = { 0 };
	if (n > MAX_PARAMS) {
		dp_err_set("a statement of %d arguments: at most %d", n, MAX_PARAMS);
		return -1;
	}
	if (pg_queue_send(st, pg_translated(st, sql), n, types, values) < 0)
		return -1;
	return pg->queued >= BATCH ? pg_flush(st) : 0;
}

/* Each identity column's sequence set past the largest key copied. */
int pg_keys_follow(struct store *st, const char *table)
{
	if (pg_flush(st) || pg_flush_begin(st))
		return -1;
	const char *args[1] = { table };
	PGresult *res = PQexecParams(st->pg->conn,
				     "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass"
				     " AND attidentity <> '' AND NOT attisdropped",
				     1, NULL, args, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_note_error(st, res, "PostgreSQL");
		PQclear(res);
		return -1;
	}
	int r = 0;
	char *t = ident(st, table);
	for (int i = 0; t && !r && i < PQntuples(res); i++) {
		char *c = ident(st, PQgetvalue(res, i, 0));
		if (!c) {
			r = -1;
			break;
		}
		struct buf sql = BUF_INIT;
		buf_addf(&sql, "SELECT setval(pg_get_serial_sequence($1, $2),"
			       " coalesce((SELECT max(%s) FROM %s), 0) + 1, false)", c, t);
		const char *a[2] = { table, PQgetvalue(res, i, 0) };
		PGresult *set = PQexecParams(st->pg->conn, buf_str(&sql), 2, NULL, a, NULL, NULL, 0);
		if (PQresultStatus(set) != PGRES_TUPLES_OK) {
			pg_note_error(st, set, "PostgreSQL");
			r = -1;
		}
		PQclear(set);
		buf_release(&sql);
		PQfreemem(c);
	}
	if (!t)
		r = -1;
	PQfreemem(t);
	PQclear(res);
	return r;
}

/* sql ($1: the table) gives rows of two statements: one that drops
 * something of the table, run now, and one that makes it again, kept in
 * again (a line each) for run_lines after the copy. */
static int drop_remembering(struct store *st, const char *table, const char *sql, struct buf *again)
{
	struct store_pg *pg = st->pg;
	const char *args[1] = { table };
	PGresult *res = PQexecParams(pg->conn, sql, 1, NULL, args, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_note_error(st, res, "PostgreSQL");
		PQclear(res);
		return -1;
	}
	buf_reset(again);
	int r = 0;
	for (int i = 0; !r && i < PQntuples(res); i++) {
		PGresult *d = PQexec(pg->conn, PQgetvalue(res, i, 0));
		if (PQresultStatus(d) != PGRES_COMMAND_OK) {
			pg_note_error(st, d, "PostgreSQL");
			r = -1;
		}
		PQclear(d);
		buf_addf(again, "%s\n", PQgetvalue(res, i, 1));
	}
	PQclear(res);
	return r;
}

/* COPY's text format: a row a line, its values joined by tabs, NULL as \N;
 * backslash, tab, line feed and carriage return written as escapes. The
 * rows are sent in pieces of about 64 KiB. A failure shows at the end. */
#define BULK_PIECE 65536

/* PostgreSQL checks a row's references by a trigger run per row and
 * reference, most of a copy's time. The table's own foreign keys are
 * dropped for the copy and added again after it, which checks every row at
 * once (one join a key); inside the copy's one transaction, so a row whose
 * reference is missing still fails the whole copy. The store's own schema
 * made the table, so devpayd owns it and may. The triggers an operator may
 * have added still run. */
static int keys_drop(struct store *st, const char *table)
{
	return drop_remembering(st, table,
				"SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),"
				" format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,"
				" pg_get_constraintdef(oid)) FROM pg_constraint"
				" WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname",
				&st->pg->bulk_keys);
}

/* Runs the statements of b, one a line, and empties it. */
static int run_lines(struct store *st, struct buf *b)
{
	int r = 0;
	for (char *line = b->p, *nl; !r && line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		PGresult *res = PQexec(st->pg->conn, line);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_note_error(st, res, "PostgreSQL");
			r = -1;
		}
		PQclear(res);
	}
	buf_release(b);
	return r;
}

/* A table of at least COPY_INDEXES_AFTER rows is copied without its
 * indexes, each built again after the copy: one sort instead of an
 * insertion a row. Its primary key and unique constraints go too (built
 * again, they check every row at once; a duplicate fails the copy), except
 * one another table's foreign key references, which PostgreSQL will not
 * drop. A smaller table keeps them: they cost it little, and building one
 * records the table's size, after which the planner reads a near-empty
 * table whole and SERIALIZABLE launches lock whole tables and refuse each
 * other. Inside the copy's one transaction, as the keys are. */
#define COPY_INDEXES_AFTER 10000

static int indexes_drop(struct store *st, const char *table)
{
	return drop_remembering(st, table,
				"SELECT CASE WHEN c.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)"
				" ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, c.conname) END,"
				" CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)"
				" ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, c.conname,"
				" pg_get_constraintdef(c.oid)) END"
				" FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
				" LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid"
				" AND c.contype IN ('p', 'u')"
				" WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint f"
				" WHERE f.contype = 'f' AND f.conindid = i.indexrelid) ORDER BY x.relname",
				&st->pg->bulk_indexes);
}

/* The builds' memory (maintenance_work_mem) raised to BUILD_MEMORY kB for
 * the copy's transaction when it is lower: a big table's index is sorted
 * in memory, by the backend and up to two parallel workers, which
 * PostgreSQL gives a build only when each has 32 MB. */
#define BUILD_MEMORY "262144"

static int build_memory(struct store *st)
{
	PGresult *res = PQexec(st->pg->conn, "SELECT set_config('maintenance_work_mem', '" BUILD_MEMORY "', true)"
					     " WHERE pg_size_bytes(current_setting('maintenance_work_mem'))"
					     " < " BUILD_MEMORY " * 1024");
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		pg_note_error(st, res, "PostgreSQL");
	PQclear(res);
	return ok ? 0 : -1;
}

/* The references PostgreSQL's schema keeps without a foreign key (store_pg.c,
 * migration 13): checked after a copy of the table that makes them, as the
 * keys are, each query naming the first row that breaks one. */
static const struct {
	const char *table, *check;
} kept_refs[] = {
	{ "reservations", "SELECT format('row %s of table reservations names account %s, which is not there"
			  " (a foreign key of the schema)', id, owner) FROM reservations r"
			  " WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = r.owner) LIMIT 1" },
	{ "instances", "SELECT format('row %s of table instances names %s, which is not there"
		       " (a foreign key of the schema)', id, CASE WHEN NOT EXISTS (SELECT 1 FROM accounts a"
		       " WHERE a.id = i.owner) THEN 'account ' || owner ELSE 'image ' || image END)"
		       " FROM instances i WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = i.owner)"
		       " OR NOT EXISTS (SELECT 1 FROM images m WHERE m.id = i.image) LIMIT 1" },
};

static int refs_check(struct store *st, const char *check)
{
	PGresult *res = PQexec(st->pg->conn, check);
	int r = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_note_error(st, res, "PostgreSQL");
		r = -1;
	} else if (PQntuples(res)) {
		snprintf(st->pg->err, sizeof st->pg->err, "PostgreSQL: %s", PQgetvalue(res, 0, 0));
		dp_err_set("%s", st->pg->err);
		r = -1;
	}
	PQclear(res);
	return r;
}

int pg_bulk_begin(struct store *st, const char *table, long rows, int n, const char *const *cols)
{
	if (pg_flush(st) || pg_flush_begin(st))
		return -1;
	struct buf sql = BUF_INIT;
	char *t = ident(st, table);
	if (!t)
		return -1;
	buf_release(&st->pg->bulk_indexes);
	st->pg->bulk_refs = NULL;
	for (size_t i = 0; i < sizeof kept_refs / sizeof kept_refs[0]; i++)
		if (!strcmp(table, kept_refs[i].table))
			st->pg->bulk_refs = kept_refs[i].check;
	if (keys_drop(st, table) ||
	    (rows >= COPY_INDEXES_AFTER && (build_memory(st) || indexes_drop(st, table)))) {
		PQfreemem(t);
		return -1;
	}
	buf_addf(&sql, "COPY %s (", t);
	PQfreemem(t);
	for (int i = 0; i < n; i++) {
		char *c = ident(st, cols[i]);
		if (!c) {
			buf_release(&sql);
			return -1;
		}
		buf_addf(&sql, "%s%s", i ? ", " : "", c);
		PQfreemem(c);
	}
	buf_adds(&sql, ") FROM STDIN");
	PGresult *res = PQexec(st->pg->conn, buf_str(&sql));
	buf_release(&sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_note_error(st, res, "PostgreSQL");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	buf_reset(&st->pg->bulk);
	return 0;
}

static int bulk_send(struct store *st)
{
	struct store_pg *pg = st->pg;
	int r = pg->bulk.len ? PQputCopyData(pg->conn, pg->bulk.p, (int)pg->bulk.len) : 1;
	buf_reset(&pg->bulk);
	if (r != 1) {
		pg_note_error(st, NULL, "PostgreSQL");
		return -1;
	}
	return 0;
}

int pg_bulk_row(struct store *st, int n, const char *const *values)
{
	struct buf *b = &st->pg->bulk;
	for (int i = 0; i < n; i++) {
		if (i)
			buf_addc(b, '\t');
		if (!values[i]) {
			buf_add(b, "\\N", 2);
			continue;
		}
		const char *v = values[i], *start = v;
		for (; *v; v++) {
			const char *esc;
			switch (*v) {
			case '\\': esc = "\\\\"; break;
			case '\t': esc = "\\t"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			default: continue;
			}
			buf_add(b, start, (size_t)(v - start));
			buf_add(b, esc, 2);
			start = v + 1;
		}
		buf_add(b, start, (size_t)(v - start));
	}
	buf_addc(b, '\n');
	return b->len >= BULK_PIECE ? bulk_send(st) : 0;
}

int pg_bulk_end(struct store *st)
{
	struct store_pg *pg = st->pg;
	int failed = bulk_send(st);
	if (PQputCopyEnd(pg->conn, failed ? "the copy failed" : NULL) != 1) {
		pg_note_error(st, NULL, "PostgreSQL");
		failed = 1;
	}
	PGresult *res;
	while ((res = PQgetResult(pg->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed) {
			pg_note_error(st, res, "PostgreSQL");
			failed = 1;
		}
		PQclear(res);
	}
	buf_release(&pg->bulk);
	if (!failed && (run_lines(st, &pg->bulk_indexes) || run_lines(st, &pg->bulk_keys) ||
			(pg->bulk_refs && refs_check(st, pg->bulk_refs))))
		failed = 1;
	pg->bulk_refs = NULL;
	buf_release(&pg->bulk_indexes);
	buf_release(&pg->bulk_keys);
	return failed ? -1 : 0;
}
