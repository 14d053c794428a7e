/* SPDX-License-Identifier: Apache-2.0 */
/* The local SQLite store of store.h: its path, opening a file (checked
 * before anything is written to it), the faults of the file under it,
 * closing. The schema and its migrations are in store_schema.c, the
 * statements, rows and transactions in store_sql.c. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/store_int.h"

/* How long a process waits for another's lock. */
#define STORE_BUSY_MS 30000

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

/* Every open store, so that store_done finds the one a statement belongs
 * to; the last one used on this thread is tried first. */
static pthread_mutex_t open_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct store **open_stores;
static size_t nopen;

/* Opens are one at a time in a process: see store_open. */
static pthread_mutex_t setup_mutex = PTHREAD_MUTEX_INITIALIZER;

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
void store_note_fault(int code)
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
	store_note_fault(code);
}

enum dp_err store_sql_fail(struct store *st, const char *what)
{
	store_note_fault(sqlite3_extended_errcode(st->db));
	dp_err_set("%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return DP_ERR_STORE;
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

/* store_check_ours on a connection of its own that cannot write, so that the
 * file is not touched and the store's own connection starts afresh. */
static enum dp_err check_ours_readonly(struct store *st, int *version)
{
	struct store ro = { .path = st->path };
	enum dp_err e;
	if (sqlite3_open_v2(st->path, &ro.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		dp_err_set("cannot open store '%s': %s", st->path, sqlite3_errmsg(ro.db));
		e = DP_ERR_STORE_OPEN;
	} else {
		sqlite3_busy_timeout(ro.db, STORE_BUSY_MS);
		e = store_check_ours(&ro, version);
		if (e == DP_ERR_STORE) {
			int rc = sqlite3_errcode(ro.db) & 0xff;
			e = rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? DP_ERR_NOT_STORE : DP_ERR_STORE_OPEN;
		}
	}
	sqlite3_close(ro.db);
	return e;
}

static void log_once(void)
{
	/* only possible before SQLite is first used; otherwise faults go unseen */
	sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
	/* no count of SQLite's memory: it takes a mutex every allocation,
	 * which devpayd's worker threads would queue on */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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
	       h->version == store_schema_version;
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
	int known = store_schema_version;
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
const struct store_pg_ops *store_pg_backend;

void store_enable_pg(const struct store_pg_ops *ops)
{
	store_pg_backend = ops;
}

int store_is_pg_uri(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

static enum dp_err open_pg(const char *uri, struct store **out)
{
	*out = NULL;
	if (!store_pg_backend) {
		dp_err_set("a PostgreSQL store is served by devpayd only; the commands use a local"
			   " SQLite store or an endpoint");
		return DP_ERR_STORE_OPEN;
	}
	return store_pg_backend->open(uri, out);
}

int store_retry(const struct store *st)
{
	return st->pg ? store_pg_backend->retry(st) : 0;
}

int store_down(const struct store *st)
{
	return st->pg && store_pg_backend->down(st);
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
					     .version = store_schema_version };
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
	static atomic_uint serials;
	struct store *st = xcalloc(1, sizeof *st);
	st->serial = atomic_fetch_add(&serials, 1) + 1;
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
			enum dp_err e = store_sql_fail(st, "cannot configure");
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
		e = version == store_schema_version ? DP_OK : store_migrate(st);
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
		store_pg_backend->close(st);
		return;
	}
	if (st->db)
		store_rollback(st);
	if (st->db && st->wrote)
		bound_wal(st);
	registry_remove(st);
	store_unmap_wal_index(st);
	for (int i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].rows.s);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}
