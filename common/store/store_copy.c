/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd --copy-store: every row of one store into another that is empty,
 * SQLite to PostgreSQL and back (or SQLite to SQLite, a copy at one moment
 * of a store in use). Written once over store.h: the table list is the
 * schema's (store_schema.c's migrations, in the order they create the
 * tables, so a row's references are there before it), the columns are the
 * source's own, and the rows go in the order they were written. One transaction on each
 * side: the source is read at one moment, the target gets all of it or
 * nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/secret.h"
#include "store/store_copy.h"
#include "store/store_pg.h"

/* dp_err_detail() after what the copy was doing: "WHAT: DETAIL". */
static void why(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void why(const char *fmt, ...)
{
	char head[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	char *d = xstrdup(dp_err_detail());
	dp_err_set("%s: %s", head, d);
	free(d);
}

/* The schema's tables, from the migrations' CREATE TABLE statements. */
static int schema_tables(char ***out)
{
	int nm;
	const char *const *m = store_migrations(&nm);
	char **t = NULL;
	int n = 0;
	for (int i = 0; i < nm; i++)
		for (const char *p = m[i]; (p = strstr(p, "CREATE TABLE ")); ) {
			p += strlen("CREATE TABLE ");
			size_t len = strcspn(p, " (");
			t = xrealloc(t, sizeof *t * (size_t)(n + 1));
			t[n++] = xstrndup(p, len);
		}
	*out = t;
	return n;
}

static void free_tables(char **t, int n)
{
	for (int i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

/* The one number sql's first row has, or -1 on an error. */
static long number(struct store *st, const struct buf *sql)
{
	struct store_rows *r = store_query(st, sql->p, NULL);
	if (!r)
		return -1;
	int rc = store_step(r);
	long v = rc == STORE_ROW ? (long)store_int64(r, 0) : -1;
	store_done(r);
	return v;
}

/* 1 when TABLE of st has a row, 0 when not, -1 on an error. */
static int has_rows(struct store *st, const char *table, struct buf *sql)
{
	buf_reset(sql);
	buf_addf(sql, "SELECT EXISTS (SELECT 1 FROM %s)", table);
	return (int)number(st, sql);
}

/* The number of rows of TABLE of st, or -1 on an error. */
static long count_rows(struct store *st, const char *table, struct buf *sql)
{
	buf_reset(sql);
	buf_addf(sql, "SELECT count(*) FROM %s", table);
	return number(st, sql);
}

/* What becomes of a local account's sealed secret (secret.h): opened with
 * the source's key file, then written as the target serves it: sealed again
 * with the target's key file (SQLite), or as the secret itself, as
 * --add-account keeps it (PostgreSQL, which has no key file). */
struct sealing {
	int have_from, have_to, to_pg;
	const char *to_path;    /* TO, whose key file the first resealed secret makes */
	const char *key_path;
	unsigned char from[SECRET_KEY_BYTES], to[SECRET_KEY_BYTES];
	int col_secret, col_sealed;
	long unopened;
};

static enum dp_err reseal(struct sealing *k, const char **vals, char **owned)
{
	const char *secret = vals[k->col_secret], *sealed = vals[k->col_sealed];
	if (!secret || !sealed || *secret || !*sealed)
		return DP_OK;
	char *plain = NULL;
	if (!k->have_from || secret_unseal(k->from, sealed, &plain)) {
		k->unopened++;
		return DP_OK;
	}
	if (k->to_pg) {
		owned[k->col_secret] = plain;
		owned[k->col_sealed] = xstrdup("");
	} else {
		enum dp_err e = DP_OK;
		if (!k->have_to) {
			e = secret_key_load(k->to_path, 1, k->to, &k->have_to);
			if (!e && !k->have_to) {
				dp_err_set("'%s' is not a key file of ours: it was left as it was, and"
					   " nothing was copied", k->key_path);
				e = DP_ERR_NOT_STORE;
			}
		}
		char *again = NULL;
		if (!e)
			e = secret_seal(k->to, plain, &again);
		secret_wipe(plain, strlen(plain));
		free(plain);
		if (e)
			return e;
		owned[k->col_sealed] = again;
	}
	return DP_OK;
}

static enum dp_err copy_table(struct store *from, struct store *to, const char *table,
			      struct sealing *k, long *count, struct buf *sql)
{
	long rows = count_rows(from, table, sql);
	if (rows < 0) {
		why("cannot read table %s", table);
		return DP_ERR_STORE;
	}
	struct store_rows *r = store_table_rows(from, table);
	if (!r) {
		why("cannot read table %s", table);
		return DP_ERR_STORE;
	}
	int nc = store_ncolumns(r);
	buf_reset(sql);
	buf_addf(sql, "INSERT INTO %s (", table);
	k->col_secret = k->col_sealed = -1;
	for (int i = 0; i < nc; i++) {
		const char *name = store_column_name(r, i);
		buf_addf(sql, "%s%s", i ? ", " : "", name);
		int keyed = !strcmp(table, "accounts") || !strcmp(table, "old_keys");
		if (keyed && !strcmp(name, "secret"))
			k->col_secret = i;
		if (keyed && !strcmp(name, "secret_sealed"))
			k->col_sealed = i;
	}
	buf_adds(sql, ") VALUES (");
	for (int i = 0; i < nc; i++)
		buf_addf(sql, "%s?%d", i ? ", " : "", i + 1);
	buf_adds(sql, ")");
	const char **vals = xcalloc((size_t)nc, sizeof *vals);
	char **owned = xcalloc((size_t)nc, sizeof *owned);
	enum dp_err e = DP_OK;
	int rc;
	*count = 0;
	/* PostgreSQL: the rows streamed in by COPY, several times faster than
	 * even batched INSERTs; SQLite: an INSERT each */
	for (int i = 0; i < nc; i++)
		vals[i] = store_column_name(r, i);
	int bulk = store_bulk_begin(to, table, rows, nc, vals);
	if (bulk == -1) {
		why("cannot write table %s", table);
		e = DP_ERR_STORE;
	}
	bulk = bulk == 0;
	while (!e && (rc = store_step(r)) == STORE_ROW) {
		for (int i = 0; i < nc; i++) {
			vals[i] = store_is_null(r, i) ? NULL : store_text(r, i);
			owned[i] = NULL;
		}
		if (k->col_secret >= 0 && k->col_sealed >= 0)
			e = reseal(k, vals, owned);
		for (int i = 0; i < nc; i++)
			if (owned[i])
				vals[i] = owned[i];
		if (!e && (bulk ? store_bulk_row(to, nc, vals) : store_exec_texts(to, buf_str(sql), nc, vals))) {
			why("cannot write a row of table %s", table);
			e = DP_ERR_STORE;
		}
		for (int i = 0; i < nc; i++)
			if (owned[i]) {
				secret_wipe(owned[i], strlen(owned[i]));
				free(owned[i]);
			}
		if (!e)
			(*count)++;
	}
	if (bulk && store_bulk_end(to) && !e) {
		why("cannot write a row of table %s", table);
		e = DP_ERR_STORE;
	}
	if (!e && store_flush(to)) {
		why("cannot write a row of table %s", table);
		e = DP_ERR_STORE;
	}
	if (!e && rc != STORE_DONE) {
		why("cannot read table %s", table);
		e = DP_ERR_STORE;
	}
	store_done(r);
	free(vals);
	free(owned);
	if (!e && store_keys_follow(to, table)) {
		why("cannot set the next keys of table %s", table);
		e = DP_ERR_STORE;
	}
	return e;
}

/* The rows of every table, inside the two transactions store_copy opened. */
static enum dp_err copy_all(struct store *from, struct store *to, const char *to_shown,
			    struct sealing *k, struct store_copy_result *res)
{
	struct buf sql = BUF_INIT;
	enum dp_err e = DP_OK;
	for (int i = 0; i < res->ntables && !e; i++) {
		int has = has_rows(to, res->tables[i], &sql);
		if (has < 0) {
			why("cannot read table %s of '%s'", res->tables[i], to_shown);
			e = DP_ERR_STORE;
		} else if (has) {
			dp_err_set("'%s' is not empty (its table %s has rows): a store is copied only"
				   " into an empty one; nothing was copied", to_shown, res->tables[i]);
			e = DP_ERR_STORE;
		}
	}
	for (int i = 0; i < res->ntables && !e; i++)
		e = copy_table(from, to, res->tables[i], k, &res->rows[i], &sql);
	buf_release(&sql);
	return e;
}

static void remove_created(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	struct buf p = BUF_INIT;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s%s", path, suffixes[i]);
		unlink(buf_str(&p));
	}
	buf_release(&p);
}

static int exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0 || errno != ENOENT;
}

enum dp_err store_copy(const char *from_path, const char *to_path, struct store_copy_result *res)
{
	memset(res, 0, sizeof *res);
	res->ntables = schema_tables(&res->tables);
	res->rows = xcalloc((size_t)res->ntables, sizeof *res->rows);
	int from_pg = store_is_pg_uri(from_path), to_pg = store_is_pg_uri(to_path);
	struct buf key_path = BUF_INIT;
	buf_addf(&key_path, "%s%s", to_path, SECRET_KEY_SUFFIX);
	/* what this copy made, removed again when it fails */
	int made_store = !to_pg && !exists(to_path);
	int made_key = !to_pg && !exists(buf_str(&key_path));
	struct sealing k = { .to_pg = to_pg };
	struct store *from = NULL, *to = NULL;
	enum dp_err e = store_open_existing(from_path, &from);
	if (e) {
		why("cannot open store '%s'", from_path);
		goto out;
	}
	if (!to_pg && !from_pg) {
		struct stat sb;
		if (!stat(to_path, &sb) && sb.st_dev == from->dev && sb.st_ino == from->ino) {
			dp_err_set("'%s' and '%s' are the same store", from_path, to_path);
			e = DP_ERR_USAGE;
			goto out;
		}
	}
	e = store_open(to_path, &to);
	if (e) {
		why("cannot open store '%s'", to_path);
		to = NULL;
		goto out;
	}
	if (!from_pg && (e = secret_key_load(from_path, 0, k.from, &k.have_from)))
		goto out;
	if ((e = store_begin(from, 0)))
		goto out;
	if ((e = store_begin(to, 1))) {
		store_rollback(from);
		goto out;
	}
	/* the target's key file is made when the first sealed secret needs it */
	k.to_path = to_path;
	k.key_path = buf_str(&key_path);
	e = copy_all(from, to, to->path, &k, res);
	if (!e && (e = store_commit(to)))
		dp_err_set("cannot commit the copy into '%s': %s", to->path, store_errmsg(to));
	if (e)
		store_rollback(to);
	store_rollback(from);
	res->unopened = k.unopened;
out:
	secret_wipe(k.from, sizeof k.from);
	secret_wipe(k.to, sizeof k.to);
	store_close(from);
	store_close(to);
	if (e && made_store)
		remove_created(to_path);
	if (e && made_key && k.have_to)
		unlink(buf_str(&key_path));
	buf_release(&key_path);
	return e;
}

void store_copy_result_free(struct store_copy_result *res)
{
	free_tables(res->tables, res->ntables);
	free(res->rows);
	memset(res, 0, sizeof *res);
}
