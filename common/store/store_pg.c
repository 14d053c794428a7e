/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL backend of store.h, for devpayd replicas sharing one
 * database (libpq). The service layer writes its SQL once, in the dialect
 * both engines agree on, with SQLite's `?`/`?N` placeholders;
 * store_pg_sql.c turns it into PostgreSQL's (`$N`) and rewrites the few
 * SQLite-only forms the handlers use (pg_translate()). The schema is
 * store_schema.c's migrations, turned into PostgreSQL DDL the same way (pg_ddl()),
 * with its version in devpay_schema. Every transaction that writes is
 * SERIALIZABLE, every other REPEATABLE READ READ ONLY; a serialization
 * failure or deadlock marks the store for a retry (store_retry), which
 * service_handle does. devpayd --copy-store's operations are in
 * store_pg_copy.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "base/buf.h"
#include "store/store_pg.h"
#include "store/store_pg_int.h"

#define SCHEMA_APP "devpay"
/* pg_advisory_lock key of the schema set-up (two replicas starting at once) */
#define SETUP_LOCK 4661001

static void pg_close(struct store *st);

void pg_note_error(struct store *st, PGresult *res, const char *what)
{
	struct store_pg *pg = st->pg;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/* a serialization failure, a deadlock, or the lock table full
	 * ("out of shared memory", 53200: too many transactions' predicate
	 * locks at once) pass when the Action runs again a moment later. Kept
	 * until the next transaction begins: the errors of the statements a
	 * handler sends after the failed one (25P02) do not clear it. */
	if (!pg->retry && state && (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
				    !strcmp(state, "53200")))
		pg->retry = 1;
	pg->down = PQstatus(pg->conn) != CONNECTION_OK;
	/* one line: the error's own text, without libpq's "ERROR:" and the
	 * CONTEXT lines after it */
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!m || !*m)
		m = res ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn);
	snprintf(pg->err, sizeof pg->err, "%s: %s", what, m && *m ? m : "failed");
	pg->err[strcspn(pg->err, "\n")] = '\0';
	size_t n = strlen(pg->err);
	while (n && pg->err[n - 1] == ' ')
		pg->err[--n] = '\0';
	dp_err_set("%s", pg->err);
}

static int pg_retry(const struct store *st)
{
	return st->pg ? st->pg->retry : 0;
}

static int pg_down(const struct store *st)
{
	return st->pg && (st->pg->down || PQstatus(st->pg->conn) != CONNECTION_OK);
}

static int pending_send(struct store *st);

static void writes_drop(struct store *st)
{
	for (int i = 0; i < st->pg->nwrites; i++)
		pg_pending_free(&st->pg->writes[i]);
	st->pg->nwrites = 0;
}

static const char *pg_errmsg(struct store *st)
{
	return st->pg->err;
}

struct translated *pg_translated(struct store *st, const char *sql)
{
	struct store_pg *pg = st->pg;
	/* the same pointer and the same text: a query built at run time (a
	 * copy's) may reuse an address */
	for (int i = 0; i < pg->ntr; i++)
		if (pg->tr[i].sql == sql && !strcmp(pg->tr[i].text, sql))
			return &pg->tr[i];
	char *t = pg_translate(sql);
	if (pg->ntr == (int)(sizeof pg->tr / sizeof pg->tr[0])) {
		if (pg->tr[0].name[0]) {
			/* the server's copy goes too (its plan is per connection) */
			char dealloc[32];
			snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", pg->tr[0].name);
			PQclear(PQexec(pg->conn, dealloc));
		}
		free(pg->tr[0].pg);
		free(pg->tr[0].text);
		PQclear(pg->tr[0].empty);
		memmove(pg->tr, pg->tr + 1, sizeof pg->tr - sizeof pg->tr[0]);
		pg->ntr--;
	}
	pg->tr[pg->ntr] = (struct translated){ .sql = sql, .text = xstrdup(sql), .pg = t };
	return &pg->tr[pg->ntr++];
}

/* t prepared on this connection (parsed and planned once, as SQLite's
 * statements are kept), on its first use, with these argument types: NULL,
 * or the error. */
PGresult *pg_prepare(struct store *st, struct translated *t, int n, const Oid *types)
{
	if (t->name[0])
		return NULL;
	char name[16];
	snprintf(name, sizeof name, "s%u", ++st->pg->nprepared);
	PGresult *p = PQprepare(st->pg->conn, name, t->pg, n, types);
	if (PQresultStatus(p) != PGRES_COMMAND_OK)
		return p;
	PQclear(p);
	memcpy(t->name, name, sizeof name);
	t->nparams = n;
	if (n)
		memcpy(t->types, types, sizeof *types * (size_t)n);
	return NULL;
}

int pg_prepared_for(const struct translated *t, int n, const Oid *types)
{
	return t->name[0] && t->nparams == n && (!n || !memcmp(t->types, types, sizeof *types * (size_t)n));
}

/* The next command's result in pipeline mode, or NULL at the sync point
 * (or when the connection is lost). Each command's result comes followed
 * by a NULL, and the sync point's last. */
PGresult *pg_pipeline_next(PGconn *conn)
{
	for (int nulls = 0; nulls < 2 && PQstatus(conn) != CONNECTION_BAD;) {
		PGresult *r = PQgetResult(conn);
		if (!r) {
			nulls++;
			continue;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			return NULL;
		}
		return r;
	}
	return NULL;
}

/* Runs t with these arguments (by its prepared name; a use with other
 * argument types runs unprepared). With commands to run BEFORE it (the
 * transaction's deferred BEGIN, a savepoint) or AFTER it (the savepoint's
 * release), or statements queued before it (pg_exec_later) whose answers
 * are still to read, all go in one round trip (libpq's pipeline mode); a
 * command of those that fails is returned in *around (else NULL), the
 * statement's own result as the value (PGRES_PIPELINE_ABORTED when one
 * before it failed). */
static PGresult *execute(struct store *st, struct translated *t, int n, const Oid *types,
			 const char *const *values, const char *const *before, int nbefore,
			 const char *after, PGresult **around)
{
	struct store_pg *pg = st->pg;
	PGconn *conn = pg->conn;
	if (around)
		*around = NULL;
	/* what waits to go goes first, in the same round trip */
	if ((pg->npending || pg->nwrites) && pending_send(st))
		return NULL;
	/* a first use is prepared out of the pipeline: the queue's answers first */
	if (!t->name[0] && pg->queued && pg_flush(st))
		return NULL; /* a queued write failed: noted */
	PGresult *p = pg_prepare(st, t, n, types);
	if (p)
		return p; /* the error, for the caller to note */
	int named = pg_prepared_for(t, n, types);
	int queued = pg->queued;
	if (!nbefore && !after && !queued)
		return named ? PQexecPrepared(conn, t->name, n, values, NULL, NULL, 0)
			     : PQexecParams(conn, t->pg, n, types, values, NULL, NULL, 0);
	if (!queued && PQenterPipelineMode(conn) != 1)
		return NULL;
	pg->queued = 0;
	int sent = 1;
	for (int i = 0; i < nbefore; i++)
		sent = sent && PQsendQueryParams(conn, before[i], 0, NULL, NULL, NULL, NULL, 0);
	sent = sent && (named ? PQsendQueryPrepared(conn, t->name, n, values, NULL, NULL, 0)
			      : PQsendQueryParams(conn, t->pg, n, types, values, NULL, NULL, 0));
	if (after)
		sent = sent && PQsendQueryParams(conn, after, 0, NULL, NULL, NULL, NULL, 0);
	sent = sent && PQpipelineSync(conn);
	PGresult *mine = NULL, *r;
	for (int k = 0; sent && (r = pg_pipeline_next(conn)); k++) {
		ExecStatusType rs = PQresultStatus(r);
		int bad = rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK && rs != PGRES_PIPELINE_ABORTED;
		if (k < queued) {
			if (bad && !pg->queue_failed) {
				pg_queued_failed(st, k, r);
				if (around && !*around) {
					*around = r;
					continue;
				}
			}
			if (!pg_ahead_take(st, k, r))
				PQclear(r);
		} else if (k == queued + nbefore)
			mine = r;
		else if (around && !*around && bad)
			*around = r;
		else
			PQclear(r);
	}
	PQexitPipelineMode(conn);
	pg_ahead_settle(st);
	pg->nguards = 0;
	return mine;
}

/* Runs sql with the arguments fmt describes (store.h), all sent as text,
 * inside the transaction (its BEGIN sent with the first statement), under a
 * savepoint when SAVEPOINT. */
struct args {
	Oid types[MAX_PARAMS];
	const char *values[MAX_PARAMS];
	char nums[MAX_PARAMS][24];
};

/* The arguments fmt describes, as text: text arguments are text; numbers
 * are left for PostgreSQL to type from their use (a count, a flag in a
 * condition, a bigint column). Their number. */
static int args(struct args *a, const char *fmt, va_list ap)
{
	Oid *types = a->types;
	const char **values = a->values;
	char (*nums)[24] = a->nums;
	memset(types, 0, sizeof a->types);
	int n = 0;
	for (; fmt && *fmt && n < MAX_PARAMS; fmt++, n++) {
		switch (*fmt) {
		case 's':
			values[n] = va_arg(ap, const char *);
			types[n] = 25; /* TEXTOID */
			break;
		case 'i':
			snprintf(nums[n], sizeof nums[n], "%lld", (long long)va_arg(ap, int64_t));
			values[n] = nums[n];
			break;
		default:
			snprintf(nums[n], sizeof nums[n], "%d", va_arg(ap, int));
			values[n] = nums[n];
			break;
		}
	}
	return n;
}

static PGresult *run(struct store *st, const char *sql, const char *fmt, va_list ap, int savepoint)
{
	struct args a;
	int n = args(&a, fmt, ap);
	struct store_pg *pg = st->pg;
	const char *before[2];
	int nbefore = 0;
	if (pg->begin_pending)
		before[nbefore++] = pg->begin_pending;
	/* a statement that may break a rule (pg_exec) runs under a savepoint */
	if (savepoint && pg->in_tx)
		before[nbefore++] = "SAVEPOINT devpay_stmt";
	PGresult *bad = NULL;
	PGresult *res = execute(st, pg_translated(st, sql), n, a.types, a.values, before, nbefore,
				savepoint && pg->in_tx ? "RELEASE SAVEPOINT devpay_stmt" : NULL, &bad);
	/* the BEGIN went through when the connection is in a transaction now */
	if (pg->begin_pending && PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		pg->begin_pending = NULL;
	if (bad) {
		/* BEGIN or the savepoint failed: that is the error */
		PQclear(res);
		return bad;
	}
	return res;
}

int pg_ahead_take(struct store *st, int k, PGresult *r)
{
	struct store_pg *pg = st->pg;
	for (int i = 0; i < pg->nahead; i++)
		if (pg->ahead[i].state == AHEAD_WAITING && pg->ahead[i].pos == k) {
			if (pg->ahead[i].dropped) {
				pg->ahead[i].state = AHEAD_GONE;
				return 0;
			}
			pg->ahead[i].res = r;
			pg->ahead[i].state = AHEAD_READY;
			return 1;
		}
	return 0;
}

void pg_ahead_settle(struct store *st)
{
	struct store_pg *pg = st->pg;
	for (int i = 0; i < pg->nahead; i++)
		if (pg->ahead[i].state == AHEAD_WAITING)
			pg->ahead[i].state = AHEAD_GONE;
}

/* Every read sent ahead forgotten (a write changes what they would read;
 * the transaction ends). One still waiting for its answer is let go when
 * the answer comes; the others are freed. */
static void ahead_forget(struct store *st)
{
	struct store_pg *pg = st->pg;
	int waiting = 0;
	for (int i = 0; i < pg->nahead; i++) {
		struct ahead *a = &pg->ahead[i];
		if (a->state == AHEAD_WAITING) {
			a->dropped = waiting = 1;
			continue;
		}
		PQclear(a->res);
		a->res = NULL;
		a->state = AHEAD_GONE;
	}
	if (!waiting)
		pg->nahead = 0;
}

static struct ahead *ahead_find(struct store *st, struct translated *t, int n,
				const char *const *values)
{
	struct store_pg *pg = st->pg;
	struct buf key = BUF_INIT;
	pg_ahead_key(&key, n, values);
	struct ahead *found = NULL;
	for (int i = 0; i < pg->nahead && !found; i++) {
		struct ahead *a = &pg->ahead[i];
		if (a->state != AHEAD_GONE && !a->dropped && a->t == t && a->key.len == key.len &&
		    !memcmp(a->key.p, key.p, key.len))
			found = a;
	}
	buf_release(&key);
	return found;
}

/* Inside a transaction: the read sent now, without waiting for its answer,
 * with the statements already queued; store_query asking the same takes
 * it (pg_query). A read asked ahead before is answered at once from its
 * last answer, a guard sent in its place (store_pg_speculate.c). */
static void pg_prefetch(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	struct store_pg *pg = st->pg;
	if (!pg->in_tx || pg->queue_failed)
		return;
	struct args a;
	int n = args(&a, fmt, ap);
	struct translated *t = pg_translated(st, sql);
	int slot = 0;
	while (slot < pg->nahead && pg->ahead[slot].state != AHEAD_GONE)
		slot++;
	if (slot == (int)(sizeof pg->ahead / sizeof pg->ahead[0]) || ahead_find(st, t, n, a.values))
		return;
	PGresult *known = pg_speculate(st, sql, n, a.types, a.values);
	/* a failure is the query's to meet again and report */
	int pos = known ? -1 : pg_queue_send(st, pg_translated(st, sql), n, a.types, a.values);
	if (pos < 0 && !known)
		return;
	struct ahead *h = &pg->ahead[slot];
	if (slot == pg->nahead)
		pg->nahead++;
	/* its statement as it is now (a guard's may have moved the list) */
	h->t = pg_translated(st, sql);
	pg_ahead_key(&h->key, n, a.values);
	pg_near_key(&h->near, n, a.types, a.values);
	h->pos = pos;
	h->state = known ? AHEAD_READY : AHEAD_WAITING;
	h->guessed = !!known;
	h->dropped = 0;
	h->res = known;
}

/* The answer of a read sent ahead that asked the same: NULL when there is
 * none (the query runs as usual), else its result, taken (*failed when the
 * queue it waited in failed). */
static PGresult *ahead_answer(struct store *st, const char *sql, const char *fmt, va_list ap,
			      int *failed)
{
	struct store_pg *pg = st->pg;
	*failed = 0;
	if (!pg->nahead)
		return NULL;
	struct args a;
	va_list aq;
	va_copy(aq, ap);
	int n = args(&a, fmt, aq);
	va_end(aq);
	struct ahead *h = ahead_find(st, pg_translated(st, sql), n, a.values);
	if (!h)
		return NULL;
	if (h->state == AHEAD_WAITING && pg_flush(st)) {
		*failed = 1;
		return NULL;
	}
	PGresult *res = h->state == AHEAD_READY ? h->res : NULL;
	/* the database's answer kept for the next time it is asked ahead */
	if (res && !h->guessed)
		pg_known_put(st, h->t, &h->key, &h->near, res);
	h->res = NULL;
	h->state = AHEAD_GONE;
	return res;
}

static struct store_rows *pg_query(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	int failed;
	PGresult *res = ahead_answer(st, sql, fmt, ap, &failed);
	if (failed)
		return NULL;
	if (!res)
		res = run(st, sql, fmt, ap, 0);
	ExecStatusType s = PQresultStatus(res);
	if (st->pg->queue_failed) {
		PQclear(res); /* noted: a write queued before it failed */
		return NULL;
	}
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		pg_note_error(st, res, "PostgreSQL");
		PQclear(res);
		return NULL;
	}
	struct store_rows *r = xcalloc(1, sizeof *r);
	*r = (struct store_rows){ .st = st, .res = res, .row = -1, .nrows = PQntuples(res), .owned = 1 };
	return r;
}

/* A statement that may break a rule (a constraint): inside a transaction it
 * runs under a savepoint (sent with it, one round trip), so that the
 * transaction goes on after a refusal, as it does on SQLite. 0, -1, or -2
 * for a constraint. */
static int pg_exec(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	struct store_pg *pg = st->pg;
	if (pg->nahead)
		ahead_forget(st);
	PGresult *res = run(st, sql, fmt, ap, 1);
	ExecStatusType s = PQresultStatus(res);
	int r = 0;
	if (pg->queue_failed) {
		/* a write queued before it failed (noted): the transaction is
		 * over, whatever this statement would have done */
		PQclear(res);
		return -1;
	}
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		pg_note_error(st, res, "PostgreSQL");
		r = state && !strncmp(state, "23", 2) ? -2 : -1;
		/* the statement itself failed, inside the savepoint: back to it */
		if (pg->in_tx && PQtransactionStatus(pg->conn) == PQTRANS_INERROR) {
			PGresult *back = PQexec(pg->conn, "ROLLBACK TO SAVEPOINT devpay_stmt");
			PQclear(back);
		}
	}
	PQclear(res);
	return r;
}

/* The writes store_exec_later held, as one statement: a single one as it
 * is, several as data-modifying WITH queries ahead of the last (PostgreSQL
 * runs each once, all on the statement's one snapshot: only INSERTs are
 * held, which do not read one another's rows; their foreign keys are
 * checked at the statement's end). 0, or -1 (noted). */
static int writes_send(struct store *st)
{
	struct store_pg *pg = st->pg;
	if (!pg->nwrites)
		return 0;
	struct buf w = BUF_INIT;
	Oid types[MAX_PARAMS];
	const char *values[MAX_PARAMS];
	int n = 0;
	for (int i = 0; i < pg->nwrites; i++) {
		struct held *p = &pg->writes[i];
		if (i < pg->nwrites - 1)
			buf_addf(&w, "%sw%d AS (", i ? ", " : "WITH ", i);
		else if (i)
			buf_addc(&w, ' ');
		pg_held_join(&w, p, types, values, &n);
		if (i < pg->nwrites - 1)
			buf_addc(&w, ')');
	}
	struct translated *t = pg_built_statement(st, &w);
	buf_release(&w);
	int pos = pg_queue_send_now(st, t, n, types, values);
	writes_drop(st);
	return pos < 0 ? -1 : 0;
}

/* What waits to go: the guards (store_pg_speculate.c), then the writes
 * held, sent ahead of the next statement. */
static int pending_send(struct store *st)
{
	return pg_guards_send(st) || writes_send(st) ? -1 : 0;
}

int pg_queue_send(struct store *st, struct translated *t, int n, const Oid *types,
		  const char *const *values)
{
	return pending_send(st) ? -1 : pg_queue_send_now(st, t, n, types, values);
}

int pg_queue_send_now(struct store *st, struct translated *t, int n, const Oid *types,
		      const char *const *values)
{
	struct store_pg *pg = st->pg;
	if (!t->name[0]) {
		/* its first use on this connection: prepared, out of the pipeline */
		if (pg->queued && pg_flush(st))
			return -1;
		PGresult *p = pg_prepare(st, t, n, types);
		if (p) {
			pg_note_error(st, p, "PostgreSQL");
			PQclear(p);
			return -1;
		}
	}
	PGconn *conn = pg->conn;
	if (!pg->queued && PQenterPipelineMode(conn) != 1) {
		pg_note_error(st, NULL, "PostgreSQL");
		return -1;
	}
	int sent = 1;
	if (pg->begin_pending) {
		sent = PQsendQueryParams(conn, pg->begin_pending, 0, NULL, NULL, NULL, NULL, 0);
		pg->queued += sent;
		pg->begin_pending = NULL;
	}
	sent = sent && (pg_prepared_for(t, n, types)
				? PQsendQueryPrepared(conn, t->name, n, values, NULL, NULL, 0)
				: PQsendQueryParams(conn, t->pg, n, types, values, NULL, NULL, 0));
	if (!sent) {
		pg_note_error(st, NULL, "PostgreSQL");
		if (pg->queued)
			pg_flush(st);
		else
			PQexitPipelineMode(conn);
		return -1;
	}
	return pg->queued++;
}

/* Inside a transaction: the statement sent without waiting for its answer,
 * which is read with the next statement's or the commit's. No savepoint: a
 * refusal ends the transaction (pg_queued_failed). */
static int pg_exec_later(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	struct store_pg *pg = st->pg;
	if (!pg->in_tx)
		return pg_exec(st, sql, fmt, ap);
	if (pg->queue_failed)
		return -1;
	if (pg->nahead)
		ahead_forget(st);
	struct args a;
	int n = args(&a, fmt, ap);
	struct translated *t = pg_translated(st, sql);
	if (strncmp(t->pg, "INSERT ", 7))
		return pg_queue_send(st, t, n, a.types, a.values) < 0 ? -1 : 0;
	/* an INSERT held, to go with the others in one statement */
	int held = n;
	for (int i = 0; i < pg->nwrites; i++)
		held += pg->writes[i].n;
	if ((pg->nwrites == (int)(sizeof pg->writes / sizeof pg->writes[0]) || held > MAX_PARAMS) &&
	    pending_send(st))
		return -1;
	pg_pending_fill(&pg->writes[pg->nwrites++], t->pg, n, a.types, a.values);
	return 0;
}

static void pg_done(struct store_rows *r)
{
	PQclear(r->res);
	/* a streamed query left before its end: its other rows drained */
	if (r->stream && r->res) {
		PGresult *more;
		while ((more = PQgetResult(r->st->pg->conn)))
			PQclear(more);
	}
	free(r);
}

static int pg_step(struct store_rows *r)
{
	if (r->stream)
		return pg_stream_step(r);
	if (r->row + 1 < r->nrows) {
		r->row++;
		return STORE_ROW;
	}
	return STORE_DONE;
}

static const char *pg_text(struct store_rows *r, int i)
{
	if (r->row < 0 || r->row >= r->nrows || i >= PQnfields(r->res))
		return "";
	return PQgetvalue(r->res, r->row, i);
}

static int pg_is_null(struct store_rows *r, int i)
{
	return r->row < 0 || r->row >= r->nrows || i >= PQnfields(r->res) ||
	       PQgetisnull(r->res, r->row, i);
}

static int64_t pg_col_int64(struct store_rows *r, int i)
{
	const char *v = pg_text(r, i);
	/* a boolean column (EXISTS, a comparison) reads as SQLite's 1 and 0 */
	if (!strcmp(v, "t"))
		return 1;
	if (!strcmp(v, "f"))
		return 0;
	return strtoll(v, NULL, 10);
}

static int simple(struct store *st, const char *sql)
{
	PGresult *res = PQexec(st->pg->conn, sql);
	ExecStatusType s = PQresultStatus(res);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
	if (!ok)
		pg_note_error(st, res, "PostgreSQL");
	PQclear(res);
	return ok ? 0 : -1;
}

static enum dp_err pg_begin(struct store *st, int write)
{
	st->pg->retry = 0;
	st->pg->queue_failed = 0;
	st->pg->expect_failed = 0;
	st->pg->nguards = 0;
	pg_guards_drop(st);
	writes_drop(st);
	ahead_forget(st);
	if (write == STORE_READ_ONE) {
		/* one statement: its own snapshot, no transaction to open */
		st->pg->in_tx = 0;
		return DP_OK;
	}
	/* sent with the transaction's first statement (run) */
	st->pg->begin_pending = write ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
				      : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	st->pg->in_tx = 1;
	return DP_OK;
}

/* The deferred BEGIN, for the few statements that do not go through run(). */
int pg_flush_begin(struct store *st)
{
	if (!st->pg->begin_pending)
		return 0;
	int r = simple(st, st->pg->begin_pending);
	if (!r)
		st->pg->begin_pending = NULL;
	return r;
}

static void pg_rollback(struct store *st);

static enum dp_err pg_commit(struct store *st)
{
	struct store_pg *pg = st->pg;
	/* the guards and writes waiting go before the commit, in its round trip */
	if ((pg->npending || pg->nwrites) && pg->in_tx && pending_send(st)) {
		pg_rollback(st);
		return DP_ERR_STORE;
	}
	if (pg->queued && pg->in_tx) {
		/* the COMMIT sent after the writes still queued: one round trip */
		int sent = PQsendQueryParams(pg->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
		pg->queued += sent;
		int r = pg_flush(st);
		pg->in_tx = 0;
		pg->begin_pending = NULL;
		ahead_forget(st);
		if (!sent || r) {
			if (!r)
				pg_note_error(st, NULL, "PostgreSQL");
			if (PQstatus(pg->conn) == CONNECTION_OK &&
			    PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
				PQclear(PQexec(pg->conn, "ROLLBACK"));
			return DP_ERR_STORE;
		}
		return DP_OK;
	}
	/* a statement sent ahead failed (a write, a guard): the transaction
	 * is over, and PostgreSQL would answer its COMMIT as a ROLLBACK */
	if ((pg->queued && pg_flush(st)) || pg->queue_failed) {
		pg_rollback(st);
		return DP_ERR_STORE;
	}
	ahead_forget(st);
	if (!st->pg->in_tx)
		return DP_OK;
	if (PQtransactionStatus(st->pg->conn) == PQTRANS_IDLE) {
		/* no statement ran (the BEGIN was never sent): nothing to end */
		st->pg->begin_pending = NULL;
		st->pg->in_tx = 0;
		return DP_OK;
	}
	int r = simple(st, "COMMIT");
	st->pg->in_tx = 0;
	if (r) {
		simple(st, "ROLLBACK");
		return DP_ERR_STORE;
	}
	return DP_OK;
}

static void pg_rollback(struct store *st)
{
	/* a refusal made from answers kept: their guards tell whether they
	 * were right (else the Action runs again, store_retry) */
	if (st->pg->npending && st->pg->in_tx)
		pg_guards_send(st);
	pg_guards_drop(st);
	writes_drop(st);
	if (st->pg->queued)
		pg_flush(st);
	ahead_forget(st);
	if (st->pg->in_tx && PQstatus(st->pg->conn) == CONNECTION_OK &&
	    PQtransactionStatus(st->pg->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(st->pg->conn, "ROLLBACK");
		PQclear(res);
	}
	st->pg->in_tx = 0;
	st->pg->begin_pending = NULL;
}

/* What PostgreSQL's schema does after store_schema.c's migration of the same
 * number, in PostgreSQL's own SQL (pg_ddl() is not applied), or NULL.
 *
 * 13: a launch's rows name the launching account and the image without a
 * foreign key. Each such key's check takes a FOR KEY SHARE lock on the
 * account's and the image's row, which every launch of that account and
 * image takes too: locks that concurrent launches share are a new
 * multixact each, written to the log, and cost RunInstances about a tenth
 * of its rate (bench/RESULTS.md). The references hold as before: a launch
 * reads its account and image in its own SERIALIZABLE transaction
 * (RunInstances refuses an image that is not there), accounts and images
 * are never deleted by devpay (a removed key and a deregistered image keep
 * their rows), and a delete or update of accounts or images by anyone else
 * that would leave instances or reservations without theirs is refused by
 * the triggers below (23503, as the key's own refusal); --copy-store checks
 * the same references after the rows (kept_refs, store_pg_copy.c). SQLite
 * keeps its foreign keys (no row locks there). */
static const char pg_references_kept[] =
	"ALTER TABLE reservations DROP CONSTRAINT IF EXISTS reservations_owner_fkey;\n"
	"ALTER TABLE instances DROP CONSTRAINT IF EXISTS instances_owner_fkey,"
	" DROP CONSTRAINT IF EXISTS instances_image_fkey;\n"
	/* the tables its store's (the schema set-up's search_path, whoever
	 * changes them); a TRUNCATE (no transition table) checked once it is
	 * done, so that one truncating the instances too passes */
	"CREATE OR REPLACE FUNCTION devpay_references_kept() RETURNS trigger LANGUAGE plpgsql"
	" SET search_path FROM CURRENT AS $$\n"
	"DECLARE held text;\n"
	"BEGIN\n"
	"  IF TG_OP = 'TRUNCATE' THEN\n"
	"    SELECT coalesce((SELECT 'instances' FROM instances LIMIT 1),\n"
	"      CASE WHEN TG_TABLE_NAME = 'accounts' THEN (SELECT 'reservations' FROM reservations LIMIT 1) END)\n"
	"      INTO held;\n"
	/* the ids no longer there first (an update that keeps them, devpay's
	 * own, reads no instance), then whether anything names them */
	"  ELSIF TG_TABLE_NAME = 'accounts' THEN\n"
	"    IF EXISTS (SELECT 1 FROM gone g WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = g.id)) THEN\n"
	"      SELECT coalesce((SELECT 'instances' FROM instances i JOIN gone g ON i.owner = g.id\n"
	"          WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = g.id) LIMIT 1),\n"
	"        (SELECT 'reservations' FROM reservations r JOIN gone g ON r.owner = g.id\n"
	"          WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = g.id) LIMIT 1)) INTO held;\n"
	"    END IF;\n"
	"  ELSIF EXISTS (SELECT 1 FROM gone g WHERE NOT EXISTS (SELECT 1 FROM images m WHERE m.id = g.id)) THEN\n"
	"    SELECT 'instances' FROM instances i JOIN gone g ON i.image = g.id\n"
	"      WHERE NOT EXISTS (SELECT 1 FROM images m WHERE m.id = g.id) LIMIT 1 INTO held;\n"
	"  END IF;\n"
	"  IF held IS NOT NULL THEN\n"
	"    RAISE foreign_key_violation USING MESSAGE = format('%s on table \"%s\""
	" leaves rows of table \"%s\" without theirs', lower(TG_OP), TG_TABLE_NAME, held);\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END$$;\n"
	"CREATE TRIGGER accounts_deleted AFTER DELETE ON accounts REFERENCING OLD TABLE AS gone"
	" FOR EACH STATEMENT EXECUTE FUNCTION devpay_references_kept();\n"
	"CREATE TRIGGER accounts_updated AFTER UPDATE ON accounts REFERENCING OLD TABLE AS gone"
	" FOR EACH STATEMENT EXECUTE FUNCTION devpay_references_kept();\n"
	"CREATE TRIGGER images_deleted AFTER DELETE ON images REFERENCING OLD TABLE AS gone"
	" FOR EACH STATEMENT EXECUTE FUNCTION devpay_references_kept();\n"
	"CREATE TRIGGER images_updated AFTER UPDATE ON images REFERENCING OLD TABLE AS gone"
	" FOR EACH STATEMENT EXECUTE FUNCTION devpay_references_kept();\n"
	"CREATE TRIGGER accounts_truncated AFTER TRUNCATE ON accounts"
	" FOR EACH STATEMENT EXECUTE FUNCTION devpay_references_kept();\n"
	"CREATE TRIGGER images_truncated AFTER TRUNCATE ON images"
	" FOR EACH STATEMENT EXECUTE FUNCTION devpay_references_kept();\n";

static const char *pg_after(int version)
{
	return version == 13 ? pg_references_kept : NULL;
}

/* Creates or upgrades the schema, under an advisory lock; refuses a
 * database that is not ours or is newer. */
static enum dp_err setup(struct store *st, const char *uri_shown)
{
	int known;
	const char *const *migrations = store_migrations(&known);
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%d)", SETUP_LOCK);
	if (simple(st, sql))
		return DP_ERR_STORE_OPEN;
	enum dp_err e = DP_OK;
	PGresult *res = PQexec(st->pg->conn, "SELECT to_regclass('devpay_schema') IS NOT NULL,"
				" (SELECT count(*) FROM information_schema.tables"
				"  WHERE table_schema = current_schema())");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_note_error(st, res, "cannot read the schema");
		e = DP_ERR_STORE_OPEN;
		goto done;
	}
	int ours = !strcmp(PQgetvalue(res, 0, 0), "t");
	long tables = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	res = NULL;
	int version = 0;
	if (!ours && tables) {
		dp_err_set("'%s' is a PostgreSQL database that is not a devpay store (it has %ld tables"
			   " and no devpay_schema); it was left as it was", uri_shown, tables);
		e = DP_ERR_NOT_STORE;
		goto done;
	}
	if (ours) {
		res = PQexec(st->pg->conn, "SELECT app, version FROM devpay_schema");
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
		    strcmp(PQgetvalue(res, 0, 0), SCHEMA_APP)) {
			dp_err_set("'%s': its devpay_schema table is not ours; it was left as it was",
				   uri_shown);
			e = DP_ERR_NOT_STORE;
			goto done;
		}
		version = atoi(PQgetvalue(res, 0, 1));
		PQclear(res);
		res = NULL;
		if (version > known) {
			dp_err_set("'%s' has schema version %d, newer than this program's %d", uri_shown,
				   version, known);
			e = DP_ERR_NOT_STORE;
			goto done;
		}
	}
	if (version < known) {
		struct buf all = BUF_INIT;
		buf_adds(&all, "BEGIN;\n");
		if (!ours)
			buf_addf(&all, "CREATE TABLE devpay_schema (app TEXT NOT NULL, version INTEGER NOT NULL);\n"
				 "INSERT INTO devpay_schema VALUES ('%s', 0);\n", SCHEMA_APP);
		for (int v = version; v < known; v++) {
			char *d = pg_ddl(migrations[v]);
			buf_adds(&all, d);
			free(d);
			if (pg_after(v + 1))
				buf_adds(&all, pg_after(v + 1));
		}
		buf_addf(&all, "UPDATE devpay_schema SET version = %d;\nCOMMIT;", known);
		if (simple(st, buf_str(&all))) {
			simple(st, "ROLLBACK");
			e = DP_ERR_STORE_OPEN;
		}
		buf_release(&all);
	}
done:
	PQclear(res);
	snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%d)", SETUP_LOCK);
	simple(st, sql);
	return e;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The URI without its password, for messages. */
static char *shown(const char *uri)
{
	char *s = xstrdup(uri);
	char *scheme = strstr(s, "://");
	/* the user part only: an @ in the path or the parameters is theirs */
	char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	if (at && (size_t)(at - scheme - 3) > strcspn(scheme + 3, "/?"))
		at = NULL;
	if (at && scheme) {
		char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
		if (colon)
			memmove(colon, at, strlen(at) + 1);
	}
	return s;
}

static enum dp_err pg_open(const char *uri, struct store **out)
{
	*out = NULL;
	struct store *st = xcalloc(1, sizeof *st);
	st->pg = xcalloc(1, sizeof *st->pg);
	st->path = shown(uri);
	st->pg->conn = PQconnectdb(uri);
	if (PQstatus(st->pg->conn) != CONNECTION_OK) {
		char *m = xstrdup(PQerrorMessage(st->pg->conn));
		size_t n = strlen(m);
		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			m[--n] = '\0';
		/* one line: libpq's hint lines joined, and a multi-host URI's
		 * hosts (each its own line) separated by "; " */
		char *one = xcalloc(1, 2 * n + 1), *w = one;
		for (const char *r = m; *r; r++) {
			if (*r == '\n' && r[1] == '\t') {
				*w++ = ' ';
				r++;
			} else if (*r == '\n') {
				*w++ = ';';
				*w++ = ' ';
			} else if (*r == '\t')
				*w++ = ' ';
			else
				*w++ = *r;
		}
		*w = '\0';
		dp_err_set("cannot connect to '%s': %s", st->path, one);
		free(one);
		free(m);
		pg_close(st);
		return DP_ERR_STORE_OPEN;
	}
	/* notices (savepoints, IF NOT EXISTS) are not for the server's log */
	PQsetNoticeProcessor(st->pg->conn, quiet, NULL);
	enum dp_err e = setup(st, st->path);
	if (e) {
		pg_close(st);
		return e;
	}
	st->opened = 1;
	*out = st;
	return DP_OK;
}

static void pg_close(struct store *st)
{
	if (!st)
		return;
	if (st->pg) {
		if (st->pg->conn)
			PQfinish(st->pg->conn);
		pg_known_free(st);
		writes_drop(st);
		for (int i = 0; i < st->pg->ntr; i++) {
			free(st->pg->tr[i].pg);
			free(st->pg->tr[i].text);
		}
		for (size_t i = 0; i < sizeof st->pg->ahead / sizeof st->pg->ahead[0]; i++) {
			PQclear(st->pg->ahead[i].res);
			buf_release(&st->pg->ahead[i].key);
			buf_release(&st->pg->ahead[i].near);
		}
		buf_release(&st->pg->bulk);
		buf_release(&st->pg->bulk_keys);
		buf_release(&st->pg->bulk_indexes);
		free(st->pg);
	}
	free(st->path);
	free(st);
}

/* store_expect: inside a transaction a guard queued with its statements
 * (store_pg_speculate.c); outside one, the read now. */
static int pg_expect(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	struct store_pg *pg = st->pg;
	if (pg->in_tx) {
		if (pg->queue_failed)
			return -1;
		struct args a;
		int n = args(&a, fmt, ap);
		return pg_guard_queue(st, sql, n, a.types, a.values, NULL) ? -1 : 0;
	}
	struct store_rows *r = pg_query(st, sql, fmt, ap);
	if (!r)
		return -1;
	int rc = pg_step(r);
	pg_done(r);
	return rc == STORE_ROW ? 0 : 1;
}

static int pg_expect_failed(const struct store *st)
{
	return st->pg->expect_failed;
}

static int pg_ncolumns(struct store_rows *r)
{
	return PQnfields(r->res);
}

static const char *pg_column_name(struct store_rows *r, int i)
{
	const char *n = PQfname(r->res, i);
	return n ? n : "";
}

const struct store_pg_ops store_pg_ops = {
	.open = pg_open, .close = pg_close, .begin = pg_begin, .commit = pg_commit,
	.rollback = pg_rollback, .query = pg_query, .exec = pg_exec, .exec_later = pg_exec_later,
	.prefetch = pg_prefetch, .expect = pg_expect, .expect_failed = pg_expect_failed,
	.done = pg_done,
	.step = pg_step, .int64 = pg_col_int64, .is_null = pg_is_null, .text = pg_text,
	.errmsg = pg_errmsg, .retry = pg_retry, .down = pg_down, .ncolumns = pg_ncolumns,
	.column_name = pg_column_name, .table_rows = pg_table_rows, .exec_texts = pg_exec_texts,
	.keys_follow = pg_keys_follow, .flush = pg_flush, .bulk_begin = pg_bulk_begin,
	.bulk_row = pg_bulk_row, .bulk_end = pg_bulk_end,
};
