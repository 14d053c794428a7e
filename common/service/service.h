/* SPDX-License-Identifier: Apache-2.0 */
/* The service: one handler per Action on the SQLite store. The local
 * transport and devpayd both call it and hand back the same XML. */
#ifndef DP_SERVICE_H
#define DP_SERVICE_H
#include <stdint.h>
#include "base/buf.h"
#include "wire/query.h"
#include "base/secret.h"
#include "store/store.h"

struct service_call {
	struct store *st;
	const char *account;    /* the authenticated caller's account id */
	const char *region;     /* region the request was addressed to */
	const struct query *q;
	int64_t now;            /* the one clock's reading for this request */
	/* When set (devpayd), the caller is remote: an internal failure is
	 * answered with a generic message and its details (SQLite's text, the
	 * store's path) are appended here for the server's own log instead. */
	struct buf *internal;
	const char *endpoint;   /* the URL its clients use: devpayd's, or the
				   local store's file:// URL (DescribeRegions) */
	const char *request_id; /* the answer's requestId (an id_uuid(), devpayd's
				   x-amzn-RequestId header too); NULL: a new one */
	/* a key whose secret devpayd's thread kept (service_lookup_key_kept):
	 * the transaction checks that it is still the account's, with this
	 * hash of its secret; when it is not, service_handle answers 0 and
	 * the caller looks the key up again */
	const char *kept_key, *kept_hash;
};

/* Runs the Action named in q, in one transaction, and writes its XML answer
 * (or an EC2 error document) to xml. Returns the HTTP status, or 0 (xml
 * untouched, nothing done) when c->kept_key was found not to be the
 * account's key with that secret any more. Every text
 * value of q is checked first (service_check_text); the answer is written in
 * full before the transaction commits, so a change is committed exactly
 * when a success answer is returned. */
int service_handle(const struct service_call *c, struct buf *xml);

/* The text rule of every parameter (common/base/text.h): 0, or -1 with the
 * InvalidParameterValue message naming the parameter in msg. */
int service_check_text(const struct query *q, struct buf *msg);

/* An EC2 error document on its own, for failures before a handler runs. */
void service_error_doc(const char *code, const char *message, struct buf *xml);
/* The name of the i-th Action of the service, NULL past the last. */
const char *service_action_name(size_t i);
/* The same with its RequestID given (an id_uuid(): devpayd's request id). */
void service_error_doc_id(const char *code, const char *message, const char *rid, struct buf *xml);

/* Local mode: the account of access_key, created on first use (*created
 * set) with a salted hash of its secret, never the secret. A known key with
 * another secret is refused. Returns 0 with account filled, or an HTTP
 * status with an error document in xml. */
int service_auth_local(struct store *st, const char *access_key, const char *secret,
		       int64_t now, char account[13], int *created, struct buf *xml);

/* devpayd: the secret and account of a known access key; never creates one.
 * 0 found, 1 unknown key, -1 store error. *secret is malloc'd: a local
 * account's sealed secret opened with the key of service_use_sealing_key,
 * or "" when it cannot be (no key file, or an account made without one):
 * an operator must add it. */
int service_lookup_key(struct store *st, const char *access_key, char account[13], char **secret);
/* The same for a request's signature (devpayd): on PostgreSQL a key this
 * thread looked up before is answered without a look-up, *kept then set
 * and its secret's hash copied to hash: the request's transaction checks
 * that the key is still the account's (service_call.kept_key). */
int service_lookup_key_kept(struct store *st, const char *access_key, char account[13],
			    char **secret, int *kept, char hash[SECRET_HASH_MAX]);
/* The key's secret this thread kept, forgotten (it changed). */
void service_forget_key(const char *access_key);
/* The check of a kept key (store_expect): its text, for the transaction. */
extern const char service_key_still[];
/* devpayd: the key of the store's key file (secret.h), which opens the
 * sealed secrets of local accounts for service_lookup_key. */
void service_use_sealing_key(const unsigned char key[SECRET_KEY_BYTES]);
/* Adds an account (operator's action), its secret kept for devpayd's
 * signature checks. 0 added; 1 the key had a local account (hash only),
 * which now has the secret (and a new hash); -2 the key has an operator's
 * account already; -1 error. */
int service_add_account(struct store *st, const char *access_key, const char *secret,
			int64_t now, char account[13]);

/* The operator's keys (devpayd --list-accounts): each account's key and the
 * keys rotated out that still sign (expires their end, 0 for a current key),
 * never a secret; fn is called for each. 0, or -1 (dp_err_detail()). */
struct service_key {
	const char *access_key, *account;
	int operator_account;   /* added by an operator (secret kept), else local */
	int64_t created, expires;
};
typedef void (*service_key_fn)(void *cls, const struct service_key *k);
int service_list_keys(struct store *st, service_key_fn fn, void *cls);
/* devpayd --remove-account: KEY, an account's current key, no longer signs,
 * nor do the keys rotated out of it (0); the account and its resources
 * stay. A key rotated out: it alone stops (2). 1 unknown key; -1 error. */
int service_remove_key(struct store *st, const char *key, char account[13]);
/* devpayd --rotate-key: the account of OLD (its current key) signs with
 * NEW_KEY and SECRET from now on; OLD keeps signing until EXPIRES (real
 * time; at once when not in the future). 0 done; 1 OLD unknown; -2 NEW_KEY
 * is a key already; -3 OLD is itself a key rotated out; -1 error. */
int service_rotate_key(struct store *st, const char *old, const char *new_key, const char *secret,
		       int64_t expires, int64_t now, char account[13]);

#endif
