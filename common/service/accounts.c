/* SPDX-License-Identifier: Apache-2.0 */
/* Accounts and their keys: a local account created on the key's first use
 * (service_auth_local), an operator's account (service_add_account), and
 * devpayd's look-up of a known key (service_lookup_key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/clock.h"
#include "base/ids.h"
#include "base/secret.h"
#include "service/service.h"

/* The account of a key: its id, the plain secret ('' for a local account,
 * which has only a hash) and the hash; 0 found, 1 unknown, -1 error. */
/* devpayd's copy of the key that opens local accounts' sealed secrets */
static unsigned char sealing_key[SECRET_KEY_BYTES];
static int have_sealing_key;

static int find_key(struct store *st, const char *key, char account[13], char **secret,
		    char **hash, int *own)
{
	/* an account's key, or else a key rotated out that has not expired yet
	 * (real time: an operator's deadline); the second look-up only for a
	 * key that is not an account's, so a request's costs what it did */
	struct store_rows *s = store_query(st, "SELECT id, secret, secret_hash, secret_sealed FROM accounts"
				      " WHERE access_key = ?", "s", key);
	if (!s)
		return -1;
	int rc = store_step(s);
	if (own)
		*own = rc == STORE_ROW;
	if (rc == STORE_DONE) {
		store_done(s);
		s = store_query(st, "SELECT account, secret, secret_hash, secret_sealed FROM old_keys"
				" WHERE access_key = ? AND expires > ?", "si", key, (int64_t)time(NULL));
		if (!s)
			return -1;
		rc = store_step(s);
	}
	int r = rc == STORE_ROW ? 0 : rc == STORE_DONE ? 1 : -1;
	if (r == 0) {
		snprintf(account, 13, "%s", store_text(s, 0));
		if (secret) {
			/* a local account's sealed secret, when this process has the key */
			char *opened = NULL;
			if (!*store_text(s, 1) && have_sealing_key && *store_text(s, 3) &&
			    !secret_unseal(sealing_key, store_text(s, 3), &opened))
				*secret = opened;
			else
				*secret = xstrdup(store_text(s, 1));
		}
		if (hash)
			*hash = xstrdup(store_text(s, 2));
	} else if (r < 0)
		dp_err_set("%s", store_errmsg(st));
	store_done(s);
	return r;
}

void service_use_sealing_key(const unsigned char key[SECRET_KEY_BYTES])
{
	memcpy(sealing_key, key, SECRET_KEY_BYTES);
	have_sealing_key = 1;
}

/* devpayd's keys, a few a thread, each with the version of the data it was
 * read from (store_data_version): while the store is unchanged a request
 * signed with one is checked without a look-up. Only an account's own key
 * (a key rotated out has a deadline in real time) with a secret devpayd can
 * sign with. */
#define KEYS_KEPT 8
#define KEY_MAX 128
#define KEY_SECRET_MAX 256
struct kept_key {
	struct store_version v;
	char key[KEY_MAX], account[13], secret[KEY_SECRET_MAX], hash[SECRET_HASH_MAX];
};
static _Thread_local struct kept_key keys_kept[KEYS_KEPT];
static _Thread_local unsigned keys_next;

static int kept_key(const struct store_version *v, const char *key, char account[13], char **secret,
		    char *hash)
{
	for (int i = 0; i < KEYS_KEPT; i++) {
		const struct kept_key *k = &keys_kept[i];
		if (*k->secret && !strcmp(k->key, key) && !memcmp(&k->v, v, sizeof *v)) {
			memcpy(account, k->account, 13);
			*secret = xstrdup(k->secret);
			if (hash)
				memcpy(hash, k->hash, SECRET_HASH_MAX);
			return 1;
		}
	}
	return 0;
}

static void keep_key(const struct store_version *v, const char *key, const char account[13],
		     const char *secret, const char *hash)
{
	if (strlen(key) >= KEY_MAX || strlen(secret) >= KEY_SECRET_MAX || !*secret ||
	    strlen(hash) >= SECRET_HASH_MAX)
		return;
	struct kept_key *k = NULL;
	for (int i = 0; i < KEYS_KEPT && !k; i++)
		if (!strcmp(keys_kept[i].key, key))
			k = &keys_kept[i];
	if (!k)
		k = &keys_kept[keys_next++ % KEYS_KEPT];
	secret_wipe(k->secret, sizeof k->secret);
	k->v = *v;
	strcpy(k->key, key);
	memcpy(k->account, account, 13);
	strcpy(k->secret, secret);
	strcpy(k->hash, hash);
}

void service_forget_key(const char *access_key)
{
	for (int i = 0; i < KEYS_KEPT; i++)
		if (!strcmp(keys_kept[i].key, access_key)) {
			secret_wipe(keys_kept[i].secret, sizeof keys_kept[i].secret);
			keys_kept[i].key[0] = '\0';
		}
}

const char service_key_still[] = "SELECT 1 FROM accounts WHERE access_key = ? AND id = ?"
				 " AND secret_hash = ?";

int service_lookup_key(struct store *st, const char *access_key, char account[13], char **secret)
{
	return service_lookup_key_kept(st, access_key, account, secret, NULL, NULL);
}

int service_lookup_key_kept(struct store *st, const char *access_key, char account[13],
			    char **secret, int *kept, char hash[SECRET_HASH_MAX])
{
	char *h = NULL;
	int own = 0, r;
	if (kept)
		*kept = 0;
	/* within the read transaction devpayd began for the request's Action */
	if (st->held) {
		struct store_version v;
		int known = secret && !store_data_version(st, &v);
		if (known && kept_key(&v, access_key, account, secret, NULL))
			return 0;
		r = find_key(st, access_key, account, secret, &h, &own);
		if (known && !r && own)
			keep_key(&v, access_key, account, *secret, h);
		free(h);
		return r;
	}
	/* PostgreSQL (no version of the data to keep a key by): kept until the
	 * request's transaction finds it changed */
	static const struct store_version none;
	if (st->pg && kept && secret && kept_key(&none, access_key, account, secret, hash)) {
		*kept = 1;
		return 0;
	}
	if (store_begin(st, STORE_READ_ONE))
		return -1;
	r = find_key(st, access_key, account, secret, &h, &own);
	store_rollback(st);
	if (st->pg && kept && secret && !r && own)
		keep_key(&none, access_key, account, *secret, h);
	free(h);
	return r;
}

/* A new account: SECRET kept in the clear only when KEEP (an operator's
 * account, for devpayd's signature checks); its salted hash always. */
static int insert_account(struct store *st, const char *key, const char *secret, int keep,
			  int64_t now, char account[13])
{
	char hash[SECRET_HASH_MAX];
	if (secret_hash(secret, hash))
		return -1;
	/* a local account's secret sealed with the store's key file, for a
	 * devpayd that serves this store later (none without a key file) */
	char *sealed = NULL;
	unsigned char k[SECRET_KEY_BYTES];
	int have = 0;
	if (!keep && !st->pg) {
		/* a key file that is there but not a key of ours is never used
		 * (nor overwritten): the account is not made (-3, dp_err says why) */
		if (secret_key_load(st->path, 1, k, &have))
			return -3;
		if (!have) {
			dp_err_set("the key file '%s%s' is not a valid key (%d bytes, a regular file "
				   "readable by its owner only): no account was created, and the file "
				   "was left as it is", st->path, SECRET_KEY_SUFFIX, SECRET_KEY_BYTES);
			return -3;
		}
		enum dp_err e = secret_seal(k, secret, &sealed);
		secret_wipe(k, sizeof k);
		if (e)
			return -1;
	}
	for (int tries = 0; tries < 20; tries++) {
		id_account(account);
		int r = store_exec(st, "INSERT INTO accounts(id, access_key, secret, secret_hash,"
				   " secret_sealed, created) VALUES (?, ?, ?, ?, ?, ?)", "sssssi", account,
				   key, keep ? secret : "", hash, sealed ? sealed : "", now);
		if (r == 0 || r == -1) {
			free(sealed);
			return r;
		}
		/* a constraint: the key exists, or (rarely) the id; tell them apart */
		char other[13];
		int f = find_key(st, key, other, NULL, NULL, NULL);
		if (f <= 0) {
			free(sealed);
			return f == 0 ? -2 : -1;
		}
	}
	free(sealed);
	return -1;
}

/* A key rotated out that still signs: 0 (its account in account), 1 none,
 * -1 error. */
static int old_key(struct store *st, const char *key, char account[13])
{
	struct store_rows *s = store_query(st, "SELECT account FROM old_keys WHERE access_key = ?"
				      " AND expires > ?", "si", key, (int64_t)time(NULL));
	if (!s)
		return -1;
	int rc = store_step(s);
	int r = rc == STORE_ROW ? 0 : rc == STORE_DONE ? 1 : -1;
	if (r == 0 && account)
		snprintf(account, 13, "%s", store_text(s, 0));
	store_done(s);
	return r;
}

/* An account's current key: 0 (its id in account), 1 none, -1 error. */
static int current_key(struct store *st, const char *key, char account[13])
{
	struct store_rows *s = store_query(st, "SELECT id FROM accounts WHERE access_key = ?", "s", key);
	if (!s)
		return -1;
	int rc = store_step(s);
	int r = rc == STORE_ROW ? 0 : rc == STORE_DONE ? 1 : -1;
	if (r == 0)
		snprintf(account, 13, "%s", store_text(s, 0));
	store_done(s);
	return r;
}

static int finish(struct store *st, int r)
{
	if (r >= 0 && store_commit(st))
		return -1;
	if (r < 0)
		store_rollback(st);
	return r;
}

int service_list_keys(struct store *st, service_key_fn fn, void *cls)
{
	if (store_begin(st, 0))
		return -1;
	struct store_rows *s = store_query(st,
		"SELECT access_key, id, secret, created, 0 FROM accounts"
		" WHERE substr(access_key, 1, 8) != 'removed '"
		" UNION ALL SELECT access_key, account, secret, created, expires"
		" FROM old_keys WHERE expires > ?"
		" ORDER BY 2, 5, 1", "i", (int64_t)time(NULL));
	int rc = s ? STORE_ROW : -1;
	while (s && (rc = store_step(s)) == STORE_ROW) {
		struct service_key k = { .access_key = store_text(s, 0), .account = store_text(s, 1),
					 .operator_account = *store_text(s, 2) != '\0',
					 .created = store_int64(s, 3), .expires = store_int64(s, 4) };
		fn(cls, &k);
	}
	store_done(s);
	store_rollback(st);
	return rc == STORE_DONE ? 0 : -1;
}

int service_remove_key(struct store *st, const char *key, char account[13])
{
	if (store_begin(st, 1))
		return -1;
	int r = current_key(st, key, account);
	if (r == 0) {
		/* the account and its resources stay; its keys no longer sign */
		r = store_exec(st, "UPDATE accounts SET access_key = 'removed ' || id, secret = '',"
			       " secret_hash = '', secret_sealed = '' WHERE id = ?", "s", account) ||
		    store_exec(st, "DELETE FROM old_keys WHERE account = ?", "s", account) ? -1 : 0;
	} else if (r == 1 && (r = old_key(st, key, account)) == 0)
		r = store_exec(st, "DELETE FROM old_keys WHERE access_key = ?", "s", key) ? -1 : 2;
	return finish(st, r);
}

int service_rotate_key(struct store *st, const char *old, const char *new_key, const char *secret,
		       int64_t expires, int64_t now, char account[13])
{
	char hash[SECRET_HASH_MAX], other[13];
	if (secret_hash(secret, hash))
		return -1;
	if (store_begin(st, 1))
		return -1;
	int64_t real = (int64_t)time(NULL);
	int r = store_exec(st, "DELETE FROM old_keys WHERE expires <= ?", "i", real) ? -1
	      : current_key(st, old, account);
	if (r == 1)
		r = old_key(st, old, other) == 0 ? -3 : 1;
	if (r == 0) {
		/* the new key is nobody's yet, this account's included */
		int c = current_key(st, new_key, other), o = c == 1 ? old_key(st, new_key, other) : c;
		r = c < 0 || o < 0 ? -1 : c == 0 || o == 0 ? -2 : 0;
	}
	if (r == 0 && expires > real)
		r = store_exec(st, "INSERT INTO old_keys(access_key, account, secret, secret_hash,"
			       " secret_sealed, expires, created) SELECT access_key, id, secret,"
			       " secret_hash, secret_sealed, ?, ? FROM accounts WHERE id = ?", "iis",
			       expires, now, account) ? -1 : 0;
	if (r == 0)
		r = store_exec(st, "UPDATE accounts SET access_key = ?, secret = ?, secret_hash = ?,"
			       " secret_sealed = '' WHERE id = ?", "ssss", new_key, secret, hash,
			       account) ? -1 : 0;
	return finish(st, r);
}

int service_add_account(struct store *st, const char *access_key, const char *secret,
			int64_t now, char account[13])
{
	if (store_begin(st, 1))
		return -1;
	char *known = NULL;
	int r = old_key(st, access_key, NULL);
	if (r == 0) {
		/* a key rotated out, still signing: not a new account's */
		store_rollback(st);
		return -2;
	}
	r = r < 0 ? -1 : find_key(st, access_key, account, &known, NULL, NULL);
	if (r == 0 && !*known) {
		/* a local account: the operator adds what devpayd needs to it */
		char hash[SECRET_HASH_MAX];
		r = secret_hash(secret, hash) ? -1
		  : store_exec(st, "UPDATE accounts SET secret = ?, secret_hash = ? WHERE id = ?",
			       "sss", secret, hash, account);
		r = r == 0 ? 1 : -1;
	} else if (r == 0)
		r = -2;
	else if (r == 1)
		r = insert_account(st, access_key, secret, 1, now, account);
	if (known) {
		secret_wipe(known, strlen(known));
		free(known);
	}
	if (r >= 0 && store_commit(st))
		return -1;
	if (r < 0)
		store_rollback(st);
	return r;
}

/* A local account: created on the key's first use, with only the hash. */
static int add_local_account(struct store *st, const char *access_key, const char *secret,
			     int64_t now, char account[13])
{
	if (store_begin(st, 1))
		return -1;
	int r = insert_account(st, access_key, secret, 0, now, account);
	if (r == 0 && store_commit(st))
		return -1;
	if (r)
		store_rollback(st);
	return r;
}

/* Secrets are compared in constant time: their length may leak, their
 * content does not. */
static int same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int service_auth_local(struct store *st, const char *access_key, const char *secret,
		       int64_t now, char account[13], int *created, struct buf *xml)
{
	char *known = NULL, *hash = NULL;
	*created = 0;
	int r = -1;
	if (!store_begin(st, 0)) {
		r = find_key(st, access_key, account, &known, &hash, NULL);
		store_rollback(st);
	}
	if (r == 1) {
		r = add_local_account(st, access_key, secret, now, account);
		*created = r == 0;
		if (r == -2) { /* another process created it just now */
			if (!store_begin(st, 0)) {
				r = find_key(st, access_key, account, &known, &hash, NULL);
				store_rollback(st);
			} else
				r = -1;
		}
	}
	if (r == -3) /* the key file: the store cannot take a new account */
		return -1;
	int ok = r == 0 && (*created || (hash && *hash ? secret_verify(secret, hash)
					 : known && *known && same_secret(known, secret)));
	if (known) {
		secret_wipe(known, strlen(known));
		free(known);
	}
	free(hash);
	if (r < 0) {
		char m[600];
		snprintf(m, sizeof m, "the store failed: %s", dp_err_detail());
		service_error_doc("InternalError", m, xml);
		return 500;
	}
	if (!ok) {
		service_error_doc("AuthFailure",
				  "AWS was not able to validate the provided access credentials", xml);
		return 401;
	}
	return 0;
}
