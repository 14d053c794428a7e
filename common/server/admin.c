/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd's offline administration of a store (admin.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <openssl/crypto.h>
#include "base/clock.h"
#include "base/err.h"
#include "service/service.h"
#include "store/store.h"
#include "store/store_copy.h"
#include "store/store_pg.h"
#include "server/admin.h"

#define PROG "devpayd"
/* a key rotated out signs for this long unless --old-key-expires says */
#define OLD_KEY_SECONDS 86400

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int status, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static int usage_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", PROG);
	return 2;
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* libpq reads PGPASSWORD and ~/.pgpass. */
int admin_no_password(const char *opt, const char *store)
{
	if (!store_is_pg_uri(store))
		return 0;
	/* the user part only (a multi-host URI's hosts follow it; an @ in the
	 * path or the parameters is not a user's) */
	const char *auth = strstr(store, "://") + 3, *at = strchr(auth, '@');
	if (at && (size_t)(at - auth) < strcspn(auth, "/?") && memchr(auth, ':', (size_t)(at - auth)))
		return usage_fail("%s: give the PostgreSQL password in PGPASSWORD or ~/.pgpass,"
				  " not in the URI", opt);
	return 0;
}

int admin_copy_store(const char *from, const char *to)
{
	int r;
	if ((r = admin_no_password("--copy-store", from)) || (r = admin_no_password("--copy-store", to)))
		return r;
	if (!*from || !*to)
		return usage_fail("--copy-store FROM TO: a store is named by a path or a postgresql:// URI,"
				  " not an empty string");
	struct store_copy_result res;
	enum dp_err e = store_copy(from, to, &res);
	if (e) {
		store_copy_result_free(&res);
		return fail(dp_exit_status(e), "%s", dp_err_detail());
	}
	for (int i = 0; i < res.ntables; i++)
		printf("%s\t%ld\n", res.tables[i], res.rows[i]);
	if (res.unopened && store_is_pg_uri(from))
		fprintf(stderr, "%s: %ld account(s) have secrets sealed with the key file of the SQLite"
			" store they came from (a database has none); devpayd serving '%s' refuses their"
			" requests until they are added with --add-account\n", PROG, res.unopened, to);
	else if (res.unopened)
		fprintf(stderr, "%s: %ld account(s) have secrets sealed with a key file that is not"
			" beside '%s'; devpayd serving '%s' refuses their requests until they are"
			" added with --add-account\n", PROG, res.unopened, from, to);
	store_copy_result_free(&res);
	return fflush(stdout) ? 1 : 0;
}

/* 1 to 128 printable characters */
static int valid_key(const char *key)
{
	int ok = *key && strlen(key) <= 128;
	for (const char *p = key; ok && *p; p++)
		ok = *p > ' ' && *p < 127;
	return ok;
}

/* One line of standard input without its line end, or NULL after the
 * refusal (WHAT names the secret asked for). */
static char *read_secret(const char *what)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		fail(1, "no secret on standard input: give %s as one line", what);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (!n) {
		free(line);
		fail(1, "empty secret on standard input: give %s as one line", what);
		return NULL;
	}
	return line;
}

static int open_store(const struct admin_store *a, struct store **st)
{
	enum dp_err e = store_open(a->store, st);
	if (e)
		return fail(dp_exit_status(e), "cannot open store '%s': %s", a->shown, dp_err_detail());
	return 0;
}

/* What a new secret's writers need: the secret (WHAT names it), the time
 * and the store; 0, or the exit status after the refusal (nothing held). */
static int secret_now_store(const struct admin_store *a, const char *what, char **line,
			    int64_t *now, struct store **st)
{
	if (!(*line = read_secret(what)))
		return 1;
	int r = clock_now(now) ? fail(2, "%s", dp_err_detail()) : open_store(a, st);
	if (r) {
		wipe_free(*line);
		*line = NULL;
	}
	return r;
}

int admin_add_account(const struct admin_store *a, const char *key)
{
	if (!valid_key(key))
		return usage_fail("invalid access key '%s': expected 1 to 128 printable characters", key);
	char *line;
	int64_t now;
	struct store *st;
	int r = secret_now_store(a, "the account's secret key", &line, &now, &st);
	if (r)
		return r;
	char account[13];
	r = service_add_account(st, key, line, now, account);
	wipe_free(line);
	store_close(st);
	if (r == -2)
		return fail(1, "access key '%s' already has an account in '%s'", key, a->shown);
	if (r < 0)
		return fail(1, "cannot add the account: %s", dp_err_detail());
	if (r == 1)
		fprintf(stderr, "%s: access key '%s' had a local account; it is now served with "
			"the secret given\n", PROG, key);
	printf("%s\n", account);
	return fflush(stdout) ? 1 : 0;
}

static void print_key(void *cls, const struct service_key *k)
{
	(void)cls;
	char created[32], expires[32] = "-";
	clock_format_wire(k->created, created);
	if (k->expires)
		clock_format_wire(k->expires, expires);
	printf("%s\t%s\t%s\t%s\t%s\n", k->access_key, k->account,
	       k->operator_account ? "operator" : "local", created, expires);
}

/* One line a key that signs, tab-separated. */
int admin_list_accounts(const struct admin_store *a)
{
	struct store *st;
	int r = open_store(a, &st);
	if (r)
		return r;
	r = service_list_keys(st, print_key, NULL);
	store_close(st);
	if (r)
		return fail(3, "cannot read the accounts of '%s': %s", a->shown, dp_err_detail());
	return fflush(stdout) ? 1 : 0;
}

int admin_remove_account(const struct admin_store *a, const char *key)
{
	if (!valid_key(key))
		return usage_fail("invalid access key '%s': expected 1 to 128 printable characters", key);
	struct store *st;
	int r = open_store(a, &st);
	if (r)
		return r;
	char account[13];
	r = service_remove_key(st, key, account);
	store_close(st);
	if (r == 1)
		return fail(1, "access key '%s' has no account in '%s'", key, a->shown);
	if (r < 0)
		return fail(3, "cannot remove the key: %s", dp_err_detail());
	printf("%s\n", account);
	return fflush(stdout) ? 1 : 0;
}

/* --old-key-expires: an ISO 8601 UTC time, or seconds from now; 0, or -1
 * when S is neither. */
static int old_key_expires(const char *s, int64_t now, int64_t *out)
{
	if (!s) {
		*out = now + OLD_KEY_SECONDS;
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*s >= '0' && *s <= '9' && !*end && !errno && v <= 10LL * 366 * 86400) {
		*out = now + v;
		return 0;
	}
	return clock_parse(s, out) ? -1 : 0;
}

int admin_rotate_key(const struct admin_store *a, const char *old, const char *new_key,
		     const char *expires_at)
{
	if (!valid_key(old))
		return usage_fail("invalid access key '%s': expected 1 to 128 printable characters", old);
	if (!new_key)
		return usage_fail("--rotate-key OLD_KEY needs --new-key NEW_KEY (the new secret on standard input)");
	if (!valid_key(new_key))
		return usage_fail("invalid --new-key '%s': expected 1 to 128 printable characters", new_key);
	if (!strcmp(old, new_key))
		return usage_fail("--new-key '%s' is the key rotated out: give a new one", new_key);
	int64_t real = (int64_t)time(NULL), now, expires;
	if (old_key_expires(expires_at, real, &expires))
		return usage_fail("invalid --old-key-expires '%s': expected an ISO 8601 UTC time"
				  " (2026-12-31T00:00:00Z) or a whole number of seconds", expires_at);
	char *line;
	struct store *st;
	int r = secret_now_store(a, "the new key's secret", &line, &now, &st);
	if (r)
		return r;
	char account[13];
	r = service_rotate_key(st, old, new_key, line, expires, now, account);
	wipe_free(line);
	store_close(st);
	if (r == 1)
		return fail(1, "access key '%s' has no account in '%s'", old, a->shown);
	if (r == -3)
		return fail(1, "access key '%s' was rotated out already: rotate its account's current key",
			    old);
	if (r == -2)
		return fail(1, "access key '%s' is a key in '%s' already", new_key, a->shown);
	if (r < 0)
		return fail(3, "cannot rotate the key: %s", dp_err_detail());
	if (expires > real) {
		char when[32];
		clock_format_wire(expires, when);
		fprintf(stderr, "%s: access key '%s' signs until %s\n", PROG, old, when);
	} else
		fprintf(stderr, "%s: access key '%s' no longer signs\n", PROG, old);
	printf("%s\n", account);
	return fflush(stdout) ? 1 : 0;
}
