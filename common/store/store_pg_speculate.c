/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL: reads answered from what they read before, so that a request
 * costs one round trip.
 *
 * A read a handler asks ahead (store_prefetch) is kept, its answer with it,
 * for the connection's life. When the same read (the same text and
 * arguments) is asked ahead again, in a later transaction, it is answered
 * at once with the rows kept, and in its place the database is sent a
 * guard with the transaction's next statement: the same read, whose rows'
 * text must be the rows' text kept, else the guard fails (the logarithm
 * of zero) and with it the transaction, which then runs again at once
 * (store_retry: STORE_RETRY_STALE) with the kept answers forgotten. A
 * transaction's guards go as one statement. A read whose last answer
 * had no row is taken as empty for new arguments too (a client token never
 * used: its replay's look-up), guarded the same way. The guard is read
 * inside the transaction, before any write queued after it, so a
 * transaction commits only when every answer it was given is the one the
 * database would have given it there: what it wrote and answered is what it
 * would have without the guess.
 *
 * store_expect's check is a guard too, for a row's existence (a division
 * by zero when there is none: store_expect_failed): the key a devpayd
 * worker checked a signature with, still the account's.
 *
 * A numbered argument of a read ($N) may differ from the one kept (the
 * request's time): the latest answer of the read with the same text
 * arguments is taken (pg_near_key). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "base/buf.h"
#include "store/store_pg_int.h"

#define TEXTARRAYOID 1009

void pg_ahead_key(struct buf *b, int n, const char *const *values)
{
	pg_near_key(b, n, NULL, values);
}

void pg_near_key(struct buf *b, int n, const Oid *types, const char *const *values)
{
	buf_reset(b);
	for (int i = 0; i < n; i++) {
		if (types && !types[i])
			buf_add(b, "\2", 1);
		else if (values[i])
			buf_add(b, values[i], strlen(values[i]));
		else
			buf_add(b, "\1", 1);
		buf_add(b, "", 1);
	}
}

/* A field as PostgreSQL's record_out writes it: NULL as nothing; quoted
 * when empty or holding a quote, a backslash, a parenthesis, a comma or a
 * space, its quotes and backslashes doubled. */
static void record_field(struct buf *b, const char *v, int null)
{
	if (null)
		return;
	int quote = !*v;
	for (const char *p = v; *p && !quote; p++)
		quote = *p == '"' || *p == '\\' || *p == '(' || *p == ')' || *p == ',' ||
			isspace((unsigned char)*p);
	if (!quote) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, *p);
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/* res's rows as the guard's ARRAY(SELECT row::text ...) reads them, as a
 * text[] literal: each element quoted, its quotes and backslashes escaped. */
static void rows_text(struct buf *out, const PGresult *res)
{
	struct buf row = BUF_INIT;
	buf_reset(out);
	buf_addc(out, '{');
	for (int r = 0; r < PQntuples(res); r++) {
		buf_reset(&row);
		buf_addc(&row, '(');
		for (int c = 0; c < PQnfields(res); c++) {
			if (c)
				buf_addc(&row, ',');
			record_field(&row, PQgetvalue(res, r, c), PQgetisnull(res, r, c));
		}
		buf_addc(&row, ')');
		buf_adds(out, r ? ",\"" : "\"");
		for (const char *p = buf_str(&row); *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(out, '\\');
			buf_addc(out, *p);
		}
		buf_addc(out, '"');
	}
	buf_addc(out, '}');
	buf_release(&row);
}

/* pg's text with its arguments $1, $2 ... numbered from OFF + 1 (outside
 * quoted literals and names). */
static void renumber(struct buf *out, const char *pg, int off)
{
	for (const char *p = pg; *p;) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			buf_addc(out, *p++);
			while (*p && *p != q)
				buf_addc(out, *p++);
			if (*p)
				buf_addc(out, *p++);
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			long k = strtol(p + 1, &end, 10);
			buf_addf(out, "$%ld", k + off);
			p = end;
		} else
			buf_addc(out, *p++);
	}
}

void pg_held_join(struct buf *to, const struct held *p, Oid *types, const char **values, int *n)
{
	renumber(to, p->pg, *n);
	memcpy(types + *n, p->types, sizeof *types * (size_t)p->n);
	memcpy(values + *n, p->values, sizeof *values * (size_t)p->n);
	*n += p->n;
}

struct translated *pg_built_statement(struct store *st, struct buf *g)
{
	struct store_pg *pg = st->pg;
	for (int i = 0; i < pg->ntr; i++)
		if (pg->tr[i].built && !strcmp(pg->tr[i].text, buf_str(g)))
			return &pg->tr[i];
	struct translated *k = pg_translated(st, buf_str(g));
	free(k->text);
	k->text = buf_detach(g);
	k->sql = k->text;
	free(k->pg);
	k->pg = xstrdup(k->text);
	k->built = 1;
	return k;
}

void pg_pending_fill(struct held *p, const char *text, int n, const Oid *types,
		     const char *const *values)
{
	p->pg = xstrdup(text);
	p->n = n;
	memcpy(p->types, types, sizeof *types * (size_t)n);
	for (int i = 0; i < n; i++)
		p->values[i] = values[i] ? xstrdup(values[i]) : NULL;
	p->expect = NULL;
}

void pg_pending_free(struct held *p)
{
	free(p->pg);
	for (int i = 0; i < p->n; i++)
		free(p->values[i]);
	free(p->expect);
	memset(p, 0, sizeof *p);
}

void pg_guards_drop(struct store *st)
{
	struct store_pg *pg = st->pg;
	for (int i = 0; i < pg->npending; i++)
		pg_pending_free(&pg->pending[i]);
	pg->npending = 0;
}

/* One statement for every guard waiting: SELECT 1/(E)::int + ln((S)::int),
 * E the store_expect checks (each EXISTS of its read), S the answers kept
 * (each read's rows as text equal to those kept): a check that fails is a
 * division by zero (22012), an answer changed the logarithm of zero
 * (2201E), so that pg_guard_failed tells them apart. */
int pg_guards_send(struct store *st)
{
	struct store_pg *pg = st->pg;
	if (!pg->npending)
		return 0;
	struct buf e = BUF_INIT, a = BUF_INIT, g = BUF_INIT;
	Oid types[MAX_PARAMS];
	const char *values[MAX_PARAMS];
	int n = 0;
	for (int i = 0; i < pg->npending; i++) {
		struct held *p = &pg->pending[i];
		struct buf *to = p->expect ? &a : &e;
		buf_adds(to, to->len ? " AND " : "(");
		buf_adds(to, p->expect ? "ARRAY(SELECT devpay_guard::text FROM (" : "EXISTS(");
		pg_held_join(to, p, types, values, &n);
		if (p->expect) {
			types[n] = TEXTARRAYOID;
			values[n++] = p->expect;
			buf_addf(to, ") devpay_guard) = $%d::text[]", n);
		} else
			buf_addc(to, ')');
	}
	buf_addf(&g, "SELECT 1/(%s%s)::int + ln((%s%s)::int)", e.len ? buf_str(&e) : "true",
		 e.len ? ")" : "", a.len ? buf_str(&a) : "true", a.len ? ")" : "");
	buf_release(&e);
	buf_release(&a);
	struct translated *t = pg_built_statement(st, &g);
	buf_release(&g);
	int pos = pg_queue_send_now(st, t, n, types, values);
	pg_guards_drop(st);
	if (pos < 0)
		return -1;
	if (pg->nguards < (int)(sizeof pg->guards / sizeof pg->guards[0]))
		pg->guards[pg->nguards++] = pos;
	return 0;
}

int pg_guard_queue(struct store *st, const char *sql, int n, const Oid *types,
		   const char *const *values, const char *expect)
{
	struct store_pg *pg = st->pg;
	int args = !!expect + n;
	for (int i = 0; i < pg->npending; i++)
		args += pg->pending[i].n + !!pg->pending[i].expect;
	/* too many for one statement: those waiting go first */
	if ((pg->npending == (int)(sizeof pg->pending / sizeof pg->pending[0]) ||
	     args > MAX_PARAMS) && pg_guards_send(st))
		return -1;
	if (n + 1 > MAX_PARAMS) {
		dp_err_set("a guard of %d arguments", n);
		return -1;
	}
	struct held *p = &pg->pending[pg->npending++];
	pg_pending_fill(p, pg_translated(st, sql)->pg, n, types, values);
	p->expect = expect ? xstrdup(expect) : NULL;
	return 0;
}

static int same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && !memcmp(a->p, b->p, a->len);
}

/* The answer kept of sql's read with these arguments, else (NEAR) of the
 * one whose text arguments are these, its latest (a time or a count
 * changes more often than what it is read with). */
static struct known *known_find(struct store *st, const char *sql, const struct buf *key,
				const struct buf *near)
{
	struct store_pg *pg = st->pg;
	struct known *close = NULL;
	for (int i = 0; i < KNOWN_MAX; i++) {
		struct known *k = &pg->known[i];
		if (!k->res || k->sql != sql)
			continue;
		if (same(&k->key, key))
			return k;
		if (near && same(&k->near, near) && (!close || k->used > close->used))
			close = k;
	}
	return close;
}

static void known_drop(struct known *k)
{
	PQclear(k->res);
	k->res = NULL;
	buf_release(&k->key);
	buf_release(&k->near);
	buf_release(&k->expect);
}

void pg_known_put(struct store *st, struct translated *t, const struct buf *key,
		  const struct buf *near, const PGresult *res)
{
	struct store_pg *pg = st->pg;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return;
	PQclear(t->empty);
	t->empty = PQntuples(res) ? NULL : PQcopyResult(res, PG_COPYRES_ATTRS);
	struct known *k = known_find(st, t->sql, key, NULL);
	if (!k) {
		/* a free place, else the one used longest ago */
		k = &pg->known[0];
		for (int i = 0; i < KNOWN_MAX && k->res; i++)
			if (!pg->known[i].res || pg->known[i].used < k->used)
				k = &pg->known[i];
		known_drop(k);
		k->sql = t->sql;
		buf_add(&k->key, key->p, key->len);
		buf_add(&k->near, near->p, near->len);
	}
	PQclear(k->res);
	k->res = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
	rows_text(&k->expect, res);
	k->used = ++pg->known_clock;
	if (!k->res)
		known_drop(k);
}

PGresult *pg_speculate(struct store *st, const char *sql, int n, const Oid *types,
		       const char *const *values)
{
	struct store_pg *pg = st->pg;
	struct buf key = BUF_INIT, near = BUF_INIT;
	pg_ahead_key(&key, n, values);
	pg_near_key(&near, n, types, values);
	struct known *k = known_find(st, sql, &key, &near);
	buf_release(&key);
	buf_release(&near);
	PGresult *res = NULL;
	if (k) {
		res = PQcopyResult(k->res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
		k->used = ++pg->known_clock;
		if (res && pg_guard_queue(st, sql, n, types, values, buf_str(&k->expect))) {
			PQclear(res);
			res = NULL;
		}
		return res;
	}
	struct translated *t = pg_translated(st, sql);
	if (t->empty && (res = PQcopyResult(t->empty, PG_COPYRES_ATTRS)) &&
	    pg_guard_queue(st, sql, n, types, values, "{}")) {
		PQclear(res);
		res = NULL;
	}
	return res;
}

int pg_guard_failed(struct store *st, int k, PGresult *r)
{
	struct store_pg *pg = st->pg;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (!state || (strcmp(state, "22012") && strcmp(state, "2201E")))
		return 0;
	for (int i = 0; i < pg->nguards; i++) {
		if (pg->guards[i] != k)
			continue;
		if (!strcmp(state, "22012")) {
			pg->expect_failed = 1;
			return 1;
		}
		/* what changed is not told: everything kept is forgotten, each read
		 * asked again once */
		for (int j = 0; j < KNOWN_MAX; j++)
			known_drop(&pg->known[j]);
		for (int j = 0; j < pg->ntr; j++) {
			PQclear(pg->tr[j].empty);
			pg->tr[j].empty = NULL;
		}
		pg->retry = STORE_RETRY_STALE;
		return 1;
	}
	return 0;
}

void pg_known_free(struct store *st)
{
	struct store_pg *pg = st->pg;
	pg_guards_drop(st);
	for (int j = 0; j < KNOWN_MAX; j++)
		known_drop(&pg->known[j]);
	for (int j = 0; j < pg->ntr; j++) {
		PQclear(pg->tr[j].empty);
		pg->tr[j].empty = NULL;
	}
}
