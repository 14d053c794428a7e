#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store.h"

/* How long a process waits for another's lock. */
#define STORE_BUSY_MS 30000

/* "DvPy": marks a SQLite file as ours. */
#define APPLICATION_ID 0x44765079

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE accounts ("
	"  id TEXT PRIMARY KEY, access_key TEXT NOT NULL UNIQUE, secret TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE products ("
	"  code TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL, description TEXT NOT NULL, token TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX products_owner ON products(owner);"
	/* a product's configuration and price, in force from 'effective' on */
	"CREATE TABLE product_versions ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL REFERENCES products(code),"
	"  effective INTEGER NOT NULL, one_time INTEGER NOT NULL, monthly INTEGER NOT NULL,"
	"  platforms INTEGER NOT NULL, created INTEGER NOT NULL, UNIQUE(code, effective));"
	"CREATE TABLE version_regions ("
	"  version INTEGER NOT NULL REFERENCES product_versions(id) ON DELETE CASCADE,"
	"  region TEXT NOT NULL, PRIMARY KEY(version, region)) WITHOUT ROWID;"
	"CREATE TABLE version_prices ("
	"  version INTEGER NOT NULL REFERENCES product_versions(id) ON DELETE CASCADE,"
	"  type TEXT NOT NULL, hourly INTEGER NOT NULL, PRIMARY KEY(version, type)) WITHOUT ROWID;"
	"CREATE TABLE subscriptions ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL REFERENCES products(code),"
	"  account TEXT NOT NULL REFERENCES accounts(id), started INTEGER NOT NULL,"
	"  ended INTEGER);"
	"CREATE UNIQUE INDEX subscriptions_active ON subscriptions(code, account) WHERE ended IS NULL;"
	"CREATE INDEX subscriptions_account ON subscriptions(account, code);"
	"CREATE INDEX subscriptions_code ON subscriptions(code);"
	"CREATE TABLE images ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id), name TEXT NOT NULL,"
	"  description TEXT NOT NULL, platform INTEGER NOT NULL, root_device TEXT NOT NULL,"
	"  product_code TEXT REFERENCES products(code), created INTEGER NOT NULL,"
	"  UNIQUE(owner, name));"
	"CREATE TABLE reservations ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id), region TEXT NOT NULL,"
	"  client_token TEXT, request TEXT NOT NULL, created INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX reservations_token ON reservations(owner, client_token)"
	"  WHERE client_token IS NOT NULL;"
	"CREATE INDEX reservations_owner ON reservations(owner, created);"
	"CREATE TABLE instances ("
	"  id TEXT PRIMARY KEY, reservation TEXT NOT NULL REFERENCES reservations(id),"
	"  owner TEXT NOT NULL REFERENCES accounts(id), image TEXT NOT NULL REFERENCES images(id),"
	"  type TEXT NOT NULL, region TEXT NOT NULL, zone TEXT NOT NULL, platform INTEGER NOT NULL,"
	"  product_code TEXT, launch_index INTEGER NOT NULL, launched INTEGER NOT NULL,"
	"  terminated INTEGER);"
	"CREATE INDEX instances_reservation ON instances(reservation, launch_index);"
	"CREATE INDEX instances_owner ON instances(owner, launched);"
	"CREATE INDEX instances_product ON instances(product_code, owner, launched);"
	"CREATE TABLE reserved_instances ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id),"
	"  offering TEXT NOT NULL, type TEXT NOT NULL, platform INTEGER NOT NULL,"
	"  region TEXT NOT NULL, zone TEXT NOT NULL, count INTEGER NOT NULL,"
	"  started INTEGER NOT NULL, ends INTEGER NOT NULL, fixed INTEGER NOT NULL,"
	"  hourly INTEGER NOT NULL);"
	"CREATE INDEX reserved_owner ON reserved_instances(owner, type);",
	/* 2: prices for one platform, or one platform in one region; a
	 * version_prices row stays the price everywhere else */
	"CREATE TABLE version_platform_prices ("
	"  version INTEGER NOT NULL REFERENCES product_versions(id) ON DELETE CASCADE,"
	"  region TEXT NOT NULL, platform INTEGER NOT NULL, type TEXT NOT NULL,"
	"  hourly INTEGER NOT NULL, PRIMARY KEY(version, region, platform, type)) WITHOUT ROWID;",
};

static const char *default_base(struct buf *tmp)
{
	const char *x = getenv("XDG_DATA_HOME");
	if (x && *x)
		return x;
	const char *home = getenv("HOME");
	buf_addf(tmp, "%s/.local/share", home && *home ? home : ".");
	return buf_str(tmp);
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char *d = xstrdup(dir);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) && errno != EEXIST) {
			free(d);
			return -1;
		}
		*p = '/';
	}
	int r = mkdir(d, mode) && errno != EEXIST ? -1 : 0;
	free(d);
	return r;
}

enum dp_err store_path(const char *url, struct buf *path)
{
	if (url && *url) {
		if (strncmp(url, "file://", 7)) {
			dp_err_set("'%s' is not a file:// URL", url);
			return DP_ERR_USAGE;
		}
		const char *p = url + 7;
		if (!strncmp(p, "localhost/", 10))
			p += 9;
		if (*p != '/') {
			dp_err_set("'%s': a file URL needs an absolute path (file:///path/store.db)", url);
			return DP_ERR_USAGE;
		}
		buf_adds(path, p);
		return DP_OK;
	}
	const char *env = getenv("DEVPAY_STORE");
	if (env && *env) {
		buf_adds(path, env);
		return DP_OK;
	}
	struct buf tmp = BUF_INIT, dir = BUF_INIT;
	buf_addf(&dir, "%s/devpay", default_base(&tmp));
	buf_release(&tmp);
	if (mkdir_p(buf_str(&dir), 0700)) {
		dp_err_set("cannot create store folder '%s': %s", buf_str(&dir), strerror(errno));
		buf_release(&dir);
		return DP_ERR_STORE_OPEN;
	}
	buf_addf(path, "%s/store.db", buf_str(&dir));
	buf_release(&dir);
	return DP_OK;
}

/* 1 when the file is a SQLite database or empty, 0 when it is something
 * else, -1 when it cannot be read. */
static int looks_like_sqlite(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char head[16];
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	if (n == 0)
		return 1;
	return n == 16 && !memcmp(head, "SQLite format 3", 16);
}

static enum dp_err sql_fail(struct store *st, const char *what)
{
	dp_err_set("%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return DP_ERR_STORE;
}

/* Whether the open file is ours (or still empty), read before anything is
 * written to it: even switching to WAL would rewrite another program's file.
 * *version is the schema version found. */
static enum dp_err check_ours(struct store *st, int *version)
{
	/* one statement, so one snapshot: another process may be creating the store */
	sqlite3_stmt *s = NULL;
	int ok = sqlite3_prepare_v2(st->db, "SELECT (SELECT user_version FROM pragma_user_version),"
				    " (SELECT application_id FROM pragma_application_id),"
				    " (SELECT count(*) FROM sqlite_master)", -1, &s, NULL) == SQLITE_OK &&
		 sqlite3_step(s) == SQLITE_ROW;
	int appid = ok ? sqlite3_column_int(s, 1) : 0, tables = ok ? sqlite3_column_int(s, 2) : 0;
	*version = ok ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (!ok)
		return sql_fail(st, "cannot read the schema");
	/* a database with tables but no version of ours belongs to someone else */
	if ((*version == 0 && tables) || (*version != 0 && appid != APPLICATION_ID)) {
		dp_err_set("'%s' is a SQLite file but not a devpay store; it was left as it was", st->path);
		return DP_ERR_NOT_STORE;
	}
	int known = (int)(sizeof migrations / sizeof migrations[0]);
	if (*version > known) {
		dp_err_set("'%s' has schema version %d, newer than this program's %d", st->path,
			   *version, known);
		return DP_ERR_NOT_STORE;
	}
	return DP_OK;
}

/* Switching a new store to WAL takes an exclusive lock for which SQLite does
 * not always wait (it skips the busy handler where waiting could deadlock):
 * while other processes are setting up the same new store, try again, for
 * as long as the busy timeout. */
static int set_wal(struct store *st, char **err)
{
	int rc;
	for (int ms = 0;; ms += 10) {
		sqlite3_free(*err);
		*err = NULL;
		rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
				  "PRAGMA foreign_keys=ON", NULL, NULL, err);
		if ((rc & 0xff) != SQLITE_BUSY || ms >= STORE_BUSY_MS)
			return rc;
		sqlite3_sleep(10);
	}
}

/* check_ours on a connection of its own that cannot write, so that the file
 * is not touched and the store's own connection starts afresh. */
static enum dp_err check_ours_readonly(struct store *st, int *version)
{
	struct store ro = { .path = st->path };
	enum dp_err e;
	if (sqlite3_open_v2(st->path, &ro.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		dp_err_set("cannot open store '%s': %s", st->path, sqlite3_errmsg(ro.db));
		e = DP_ERR_STORE_OPEN;
	} else {
		sqlite3_busy_timeout(ro.db, STORE_BUSY_MS);
		e = check_ours(&ro, version);
		if (e == DP_ERR_STORE) {
			int rc = sqlite3_errcode(ro.db) & 0xff;
			e = rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? DP_ERR_NOT_STORE : DP_ERR_STORE_OPEN;
		}
	}
	sqlite3_close(ro.db);
	return e;
}

static enum dp_err migrate(struct store *st)
{
	int version = 0;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(st, "cannot lock");
	enum dp_err e = check_ours(st, &version);
	if (e) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return e;
	}
	int known = (int)(sizeof migrations / sizeof migrations[0]);
	for (int v = version; v < known; v++)
		if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	if (version < known) {
		char sql[96];
		snprintf(sql, sizeof sql, "PRAGMA user_version=%d; PRAGMA application_id=%d", known,
			 APPLICATION_ID);
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return DP_OK;
fail:
	e = sql_fail(st, "cannot set up the schema");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return e;
}

enum dp_err store_open(const char *path, struct store **out)
{
	struct stat sb;
	*out = NULL;
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			dp_err_set("store '%s' is not a regular file", path);
			return DP_ERR_STORE_OPEN;
		}
		int k = looks_like_sqlite(path);
		if (k < 0) {
			dp_err_set("cannot read store '%s': %s", path, strerror(errno));
			return DP_ERR_STORE_OPEN;
		}
		if (k == 0) {
			dp_err_set("'%s' is not a devpay store (not a SQLite file); it was left as it was", path);
			return DP_ERR_NOT_STORE;
		}
		/* an empty file becomes a new store: it will hold secrets */
		if (sb.st_size == 0 && (sb.st_mode & 077))
			chmod(path, 0600);
	} else {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			dp_err_set("cannot create store '%s': %s", path, strerror(errno));
			return DP_ERR_STORE_OPEN;
		}
		if (fd >= 0) {
			fchmod(fd, 0600);
			close(fd);
		}
	}
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		dp_err_set("cannot open store '%s': %s", path, sqlite3_errmsg(st->db));
		store_close(st);
		return DP_ERR_STORE_OPEN;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(st->db, 1);
	int version = 0;
	enum dp_err e = check_ours_readonly(st, &version);
	if (e) {
		store_close(st);
		return e;
	}
	char *err = NULL;
	if (set_wal(st, &err) != SQLITE_OK) {
		int notdb = sqlite3_errcode(st->db) == SQLITE_NOTADB;
		dp_err_set("%s: %s%s", path, err ? err : "cannot configure",
			   notdb ? "; it was left as it was" : "");
		sqlite3_free(err);
		store_close(st);
		return notdb ? DP_ERR_NOT_STORE : DP_ERR_STORE_OPEN;
	}
	/* the common case, a current store, takes no write lock */
	e = version == (int)(sizeof migrations / sizeof migrations[0]) ? DP_OK : migrate(st);
	if (e) {
		if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
			e = DP_ERR_NOT_STORE;
		else if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_READONLY ||
			 (sqlite3_errcode(st->db) & 0xff) == SQLITE_CANTOPEN)
			e = DP_ERR_STORE_OPEN;
		store_close(st);
		return e;
	}
	*out = st;
	return DP_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

enum dp_err store_begin(struct store *st, int write)
{
	if (sqlite3_exec(st->db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(st, "cannot begin a transaction");
	return DP_OK;
}

enum dp_err store_commit(struct store *st)
{
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		enum dp_err e = sql_fail(st, "cannot commit");
		store_rollback(st);
		return e;
	}
	return DP_OK;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *vquery(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		dp_err_set("%s", sqlite3_errmsg(st->db));
		return NULL;
	}
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
			sqlite3_finalize(s);
			return NULL;
		}
	}
	return s;
}

sqlite3_stmt *store_query(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sqlite3_stmt *s = vquery(st, sql, fmt, ap);
	va_end(ap);
	return s;
}

int store_exec(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sqlite3_stmt *s = vquery(st, sql, fmt, ap);
	va_end(ap);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	dp_err_set("%s", sqlite3_errmsg(st->db));
	return (rc & 0xff) == SQLITE_CONSTRAINT ? -2 : -1;
}

const char *store_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}
