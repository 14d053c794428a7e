#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/secret.h"
#include "store/store.h"
#include "store/store_pg.h"

/* How long a process waits for another's lock. */
#define STORE_BUSY_MS 30000

/* "DvPy": marks a SQLite file as ours. */
#define APPLICATION_ID 0x44765079

/* Durability (devpay(7) says it for users): WAL with synchronous=NORMAL.
 * A commit is written to the WAL and not synced; the WAL is synced, and
 * copied into the database, at a checkpoint. So a process killed at any
 * moment loses nothing it acknowledged (the data is in the kernel's cache),
 * and a power cut may lose the commits since the last checkpoint, never
 * more, and never leaves the store damaged.
 *
 * When the checkpoints happen: SQLite's default is at the close of the
 * last connection, which cost every write command 4 fdatasync, and deleted
 * the WAL and its index, which the next command created again. Instead the
 * WAL stays (SQLITE_FCNTL_PERSIST_WAL, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE),
 * and a connection that wrote checkpoints at its close only once the WAL
 * has grown past WAL_LIMIT bytes, truncating it. That bound matters: each
 * process rebuilds the WAL index by reading the whole WAL when it opens,
 * and SQLite restarts a WAL from its beginning only within one process
 * (the checkpoint's progress is kept in the index, which the next process
 * rebuilds), so without the truncation the WAL would only grow. devpayd's
 * long-lived connections also checkpoint as SQLite does by default, each
 * 1000 pages, restarting the WAL in place. */
#define WAL_LIMIT (256 * 1024)
#define CONNECTION_PRAGMAS "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;" \
	" PRAGMA journal_size_limit=1048576"

/* The writers of one process queue here for SQLite's write lock. */
static pthread_mutex_t write_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Every open store, so that store_done finds the one a statement belongs
 * to; the last one used on this thread is tried first. */
static pthread_mutex_t open_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct store **open_stores;
static size_t nopen;

/* Opens are one at a time in a process: see store_open. */
static pthread_mutex_t setup_mutex = PTHREAD_MUTEX_INITIALIZER;

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
	/* 2: a local account keeps only a salted hash of its secret (secret_hash,
	 * common/base/secret.c); 'secret' keeps the secret itself only for an account
	 * an operator added (devpayd --add-account), which devpayd needs to
	 * verify signatures, and is '' otherwise. Existing stores: every secret
	 * is hashed; the plain ones are kept when devpayd upgrades the store (an
	 * operator's), dropped when a client command does (a local store). */
	"ALTER TABLE accounts ADD COLUMN secret_hash TEXT NOT NULL DEFAULT '';"
	"UPDATE accounts SET secret_hash = devpay_secret_hash(secret) WHERE secret != '';"
	"UPDATE accounts SET secret = '' WHERE NOT devpay_keep_secrets();",
	/* 3: paid AMIs. An image's launch permissions (grantee: an account id,
	 * or 'all' for a public image), and deregistration: the row is kept
	 * (instances still name it, and its id is never handed out again), its
	 * name replaced by one no registration can take, so the owner may use
	 * the name again */
	"CREATE TABLE launch_permissions ("
	"  image TEXT NOT NULL REFERENCES images(id), grantee TEXT NOT NULL,"
	"  created INTEGER NOT NULL, PRIMARY KEY(image, grantee));"
	"CREATE INDEX launch_permissions_grantee ON launch_permissions(grantee, image);"
	"ALTER TABLE images ADD COLUMN deregistered INTEGER;",
	/* 4: prices for one platform, or one platform in one region; a
	 * version_prices row stays the price everywhere else */
	"CREATE TABLE version_platform_prices ("
	"  version INTEGER NOT NULL REFERENCES product_versions(id) ON DELETE CASCADE,"
	"  region TEXT NOT NULL, platform INTEGER NOT NULL, type TEXT NOT NULL,"
	"  hourly INTEGER NOT NULL, PRIMARY KEY(version, region, platform, type)) WITHOUT ROWID;",
	/* 5: a local account's secret sealed with the key file beside the
	 * store (common/base/secret.h), for devpayd's signature checks; '' when the
	 * account has none (an operator's, or made before) */
	"ALTER TABLE accounts ADD COLUMN secret_sealed TEXT NOT NULL DEFAULT '';",
};

/* Who opens stores in this process: devpayd keeps the plain secrets of the
 * accounts of a store it upgrades (see migration 2). */
static int keep_secrets;

void store_keep_secrets(int on)
{
	keep_secrets = on;
}

static void sql_secret_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *secret = sqlite3_value_text(argv[0]);
	char h[SECRET_HASH_MAX];
	if (!secret || secret_hash((const char *)secret, h)) {
		sqlite3_result_error(ctx, "cannot hash a secret", -1);
		return;
	}
	sqlite3_result_text(ctx, h, -1, SQLITE_TRANSIENT);
}

static void sql_keep_secrets(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, keep_secrets);
}

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

/* What the first 100 bytes of the file say. */
struct header {
	int kind;          /* 1 SQLite (or empty), 0 something else, -1 unreadable */
	int empty;
	int version, appid, schema_cookie, wal;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void read_header(const char *path, struct header *h)
{
	memset(h, 0, sizeof *h);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		h->kind = -1;
		return;
	}
	unsigned char b[100];
	ssize_t n = read(fd, b, sizeof b);
	int saved = errno;
	close(fd);
	errno = saved;
	if (n < 0) {
		h->kind = -1;
		return;
	}
	if (n == 0) {
		h->kind = h->empty = 1;
		return;
	}
	h->kind = n >= 16 && !memcmp(b, "SQLite format 3", 16);
	if (h->kind && n == 100) {
		h->schema_cookie = (int)be32(b + 40);
		h->version = (int)be32(b + 60);
		h->appid = (int)be32(b + 68);
		h->wal = b[18] == 2 && b[19] == 2;
	}
}

static _Thread_local char fault[200];
static _Thread_local int faulted;

/* Notes a failure of the file under the store (not a refusal by a rule). */
static void note_fault(int code)
{
	switch (code & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_BUSY:
	case SQLITE_PROTOCOL:
		if (!faulted) {
			faulted = 1;
			snprintf(fault, sizeof fault, "%s", (code & 0xff) == SQLITE_FULL
				 ? "the disk is full" : sqlite3_errstr(code));
		}
		break;
	default:
		break;
	}
}

/* SQLite's error log: a statement that fails inside a handler passes here
 * with its code, even when the handler's rollback clears the connection's
 * error afterwards. */
static void on_sqlite_log(void *arg, int code, const char *msg)
{
	(void)arg;
	(void)msg;
	note_fault(code);
}

static enum dp_err sql_fail(struct store *st, const char *what)
{
	note_fault(sqlite3_extended_errcode(st->db));
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
		rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; " CONNECTION_PRAGMAS, NULL, NULL,
				  err);
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
	/* the functions the migrations call */
	sqlite3_create_function(st->db, "devpay_secret_hash", 1, SQLITE_UTF8, NULL,
				sql_secret_hash, NULL, NULL);
	sqlite3_create_function(st->db, "devpay_keep_secrets", 0, SQLITE_UTF8, NULL,
				sql_keep_secrets, NULL, NULL);
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

static void log_once(void)
{
	/* only possible before SQLite is first used; otherwise faults go unseen */
	sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
}

const char *store_fault(void)
{
	return faulted ? fault : NULL;
}

void store_fault_reset(void)
{
	faulted = 0;
}

static void registry_add(struct store *st)
{
	pthread_mutex_lock(&open_mutex);
	open_stores = xrealloc(open_stores, (nopen + 1) * sizeof *open_stores);
	open_stores[nopen++] = st;
	pthread_mutex_unlock(&open_mutex);
}

static void registry_remove(struct store *st)
{
	pthread_mutex_lock(&open_mutex);
	for (size_t i = 0; i < nopen; i++)
		if (open_stores[i] == st) {
			open_stores[i] = open_stores[--nopen];
			break;
		}
	if (!nopen) {
		free(open_stores);
		open_stores = NULL;
	}
	pthread_mutex_unlock(&open_mutex);
}

/* The store header of a current store of ours in WAL mode: nothing to check
 * or set up beyond this connection's own settings. */
static int header_current(const struct header *h)
{
	return h->kind == 1 && !h->empty && h->wal && h->appid == APPLICATION_ID &&
	       h->version == (int)(sizeof migrations / sizeof migrations[0]);
}

/* What the header alone proves: a foreign file (never opened by SQLite at
 * all) or one of a newer schema. DP_OK when it takes SQLite to tell. */
static enum dp_err header_refuses(const char *path, const struct header *h)
{
	if (h->kind == 0) {
		dp_err_set("'%s' is not a devpay store (not a SQLite file); it was left as it was", path);
		return DP_ERR_NOT_STORE;
	}
	if (h->empty)
		return DP_OK;
	/* page 1 carries these together: tables without our version, or a
	 * version without our mark, are another program's */
	if ((h->version == 0 && h->appid == 0 && h->schema_cookie != 0) ||
	    (h->version != 0 && h->appid != APPLICATION_ID) ||
	    (h->appid != 0 && h->appid != APPLICATION_ID)) {
		dp_err_set("'%s' is a SQLite file but not a devpay store; it was left as it was", path);
		return DP_ERR_NOT_STORE;
	}
	int known = (int)(sizeof migrations / sizeof migrations[0]);
	if (h->version > known) {
		dp_err_set("'%s' has schema version %d, newer than this program's %d", path, h->version,
			   known);
		return DP_ERR_NOT_STORE;
	}
	return DP_OK;
}

/* 1 when this process already has a connection to the file of sb: it was
 * checked then and is a current store of ours. */
static int open_here(const struct stat *sb)
{
	int found = 0;
	pthread_mutex_lock(&open_mutex);
	for (size_t i = 0; i < nopen && !found; i++)
		found = open_stores[i]->dev == sb->st_dev && open_stores[i]->ino == sb->st_ino;
	pthread_mutex_unlock(&open_mutex);
	return found;
}

static enum dp_err open_locked(const char *path, int create, struct store **out);

/* The header is read with a plain open() and close(); but closing any
 * descriptor of a file drops every POSIX lock the process holds on it,
 * SQLite's included (a WAL connection keeps a shared lock on the database
 * file for its life, which stops another process from deleting the WAL
 * under it). So the header is read only while the process has no
 * connection to the file, and opens are serialized so that none appears
 * in the middle. */
static enum dp_err open_store(const char *path, int create, struct store **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, log_once);
	pthread_mutex_lock(&setup_mutex);
	enum dp_err e = open_locked(path, create, out);
	pthread_mutex_unlock(&setup_mutex);
	return e;
}

/* The PostgreSQL backend, when the program enabled it (devpayd). */
static const struct store_pg_ops *pg_ops;

void store_enable_pg(const struct store_pg_ops *ops)
{
	pg_ops = ops;
}

int store_is_pg_uri(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

static enum dp_err open_pg(const char *uri, struct store **out)
{
	*out = NULL;
	if (!pg_ops) {
		dp_err_set("a PostgreSQL store is served by devpayd only; the commands use a local"
			   " SQLite store or an endpoint");
		return DP_ERR_STORE_OPEN;
	}
	return pg_ops->open(uri, out);
}

int store_retry(const struct store *st)
{
	return st->pg && pg_ops->retry(st);
}

int store_down(const struct store *st)
{
	return st->pg && pg_ops->down(st);
}

enum dp_err store_open(const char *path, struct store **out)
{
	if (store_is_pg_uri(path))
		return open_pg(path, out);
	return open_store(path, 1, out);
}

enum dp_err store_open_existing(const char *path, struct store **out)
{
	if (store_is_pg_uri(path))
		return open_pg(path, out);
	return open_store(path, 0, out);
}

const char *const *store_migrations(int *n)
{
	*n = (int)(sizeof migrations / sizeof migrations[0]);
	return migrations;
}

static enum dp_err open_locked(const char *path, int create, struct store **out)
{
	struct stat sb;
	struct header h = { .kind = 1, .empty = 1 };
	*out = NULL;
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			dp_err_set("store '%s' is not a regular file", path);
			return DP_ERR_STORE_OPEN;
		}
		if (open_here(&sb))
			h = (struct header){ .kind = 1, .wal = 1, .appid = APPLICATION_ID,
					     .version = (int)(sizeof migrations / sizeof migrations[0]) };
		else
			read_header(path, &h);
		if (h.kind < 0) {
			dp_err_set("cannot read store '%s': %s", path, strerror(errno));
			return DP_ERR_STORE_OPEN;
		}
		enum dp_err e = header_refuses(path, &h);
		if (e)
			return e;
		/* an empty file becomes a new store: it will hold secrets */
		if (sb.st_size == 0 && (sb.st_mode & 077))
			chmod(path, 0600);
	} else if (!create) {
		dp_err_set("store '%s' is gone: %s", path, strerror(errno));
		return DP_ERR_STORE_OPEN;
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
	/* one connection per thread: SQLite's own mutexes are not needed */
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		dp_err_set("cannot open store '%s': %s", path, sqlite3_errmsg(st->db));
		store_close(st);
		return DP_ERR_STORE_OPEN;
	}
	registry_add(st);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(st->db, 1);
	int on = 1;
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
	if (header_current(&h)) {
		/* the common case: a current store of ours, already in WAL mode
		 * (which the file remembers); only this connection's settings */
		if (sqlite3_exec(st->db, CONNECTION_PRAGMAS, NULL, NULL, NULL) != SQLITE_OK) {
			enum dp_err e = sql_fail(st, "cannot configure");
			store_close(st);
			return e;
		}
	} else {
		/* new, being created by another process, older, or a header that
		 * does not tell: the checks on a connection that cannot write */
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
	}
	if (stat(path, &sb) == 0) {
		st->dev = sb.st_dev;
		st->ino = sb.st_ino;
	}
	st->opened = 1;
	*out = st;
	return DP_OK;
}

int store_still_there(const struct store *st)
{
	if (st->pg)
		return 1;
	struct stat sb;
	return stat(st->path, &sb) == 0 && sb.st_dev == st->dev && sb.st_ino == st->ino;
}

/* A writer's close: checkpoint and truncate a WAL grown past WAL_LIMIT (see
 * above); not waiting for readers, who leave it to the next writer. */
static void bound_wal(struct store *st)
{
	struct stat sb;
	size_t n = strlen(st->path);
	char *wal = xmalloc(n + 5);
	memcpy(wal, st->path, n);
	memcpy(wal + n, "-wal", 5);
	if (stat(wal, &sb) == 0 && sb.st_size > WAL_LIMIT) {
		sqlite3_busy_timeout(st->db, 0);
		sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	free(wal);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->pg) {
		pg_ops->close(st);
		return;
	}
	if (st->db)
		store_rollback(st);
	if (st->db && st->wrote)
		bound_wal(st);
	registry_remove(st);
	for (int i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].rows.s);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

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

enum dp_err store_begin(struct store *st, int write)
{
	st->step_failed = 0;
	if (st->pg)
		return pg_ops->begin(st, write);
	write = write == 1;
	if (write && !st->wlocked) {
		pthread_mutex_lock(&write_mutex);
		st->wlocked = 1;
	}
	if (run(st, write ? "BEGIN IMMEDIATE" : "BEGIN")) {
		enum dp_err e = sql_fail(st, "cannot begin a transaction");
		store_rollback(st);
		return e;
	}
	return DP_OK;
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
		return pg_ops->commit(st);
	if (run(st, "COMMIT")) {
		enum dp_err e = sql_fail(st, "cannot commit");
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
		pg_ops->rollback(st);
		return;
	}
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
		return pg_ops->query(st, sql, fmt, ap);
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
		pg_ops->done(r);
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
		return pg_ops->step(r);
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
		return pg_ops->int64(r, i);
	return sqlite3_column_int64(r->s, i);
}

int store_int(struct store_rows *r, int i)
{
	return (int)store_int64(r, i);
}

int store_is_null(struct store_rows *r, int i)
{
	if (r->st->pg)
		return pg_ops->is_null(r, i);
	return sqlite3_column_type(r->s, i) == SQLITE_NULL;
}

const char *store_errmsg(struct store *st)
{
	return st->pg ? pg_ops->errmsg(st) : sqlite3_errmsg(st->db);
}

int store_exec(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (st->pg) {
		int r = pg_ops->exec(st, sql, fmt, ap);
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
	note_fault(rc);
	return (rc & 0xff) == SQLITE_CONSTRAINT ? -2 : -1;
}

const char *store_text(struct store_rows *r, int i)
{
	if (r->st->pg)
		return pg_ops->text(r, i);
	const unsigned char *t = sqlite3_column_text(r->s, i);
	return t ? (const char *)t : "";
}

int store_ncolumns(struct store_rows *r)
{
	if (r->st->pg)
		return pg_ops->ncolumns(r);
	return sqlite3_column_count(r->s);
}

const char *store_column_name(struct store_rows *r, int i)
{
	if (r->st->pg)
		return pg_ops->column_name(r, i);
	const char *n = sqlite3_column_name(r->s, i);
	return n ? n : "";
}

struct store_rows *store_table_rows(struct store *st, const char *table)
{
	if (st->pg)
		return pg_ops->table_rows(st, table);
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
		return pg_ops->exec_texts(st, sql, n, values);
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
		note_fault(rc);
	}
	store_done(r);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int store_flush(struct store *st)
{
	return st->pg ? pg_ops->flush(st) : 0;
}

int store_keys_follow(struct store *st, const char *table)
{
	return st->pg ? pg_ops->keys_follow(st, table) : 0;
}
