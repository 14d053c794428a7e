/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd's offline administration of a store: --add-account,
 * --list-accounts, --remove-account, --rotate-key and --copy-store. Each
 * prints its result on standard output and its refusal as one line on
 * standard error ("devpayd: ..."), and returns the exit status. */
#ifndef DP_SERVER_ADMIN_H
#define DP_SERVER_ADMIN_H

struct admin_store {
	const char *store;       /* a path or a postgresql:// URI */
	const char *shown;       /* the store for messages */
};

/* 0, or 2 after a usage message: a PostgreSQL password stays out of the
 * command line (ps shows it). */
int admin_no_password(const char *opt, const char *store);
/* FROM TO: each table and the rows copied into it, tab-separated */
int admin_copy_store(const char *from, const char *to);
/* the secret is read as one line from standard input */
int admin_add_account(const struct admin_store *a, const char *key);
int admin_list_accounts(const struct admin_store *a);
int admin_remove_account(const struct admin_store *a, const char *key);
/* expires_at: NULL (a day from now), an ISO 8601 UTC time or seconds */
int admin_rotate_key(const struct admin_store *a, const char *old, const char *new_key,
		     const char *expires_at);

#endif
