/* SPDX-License-Identifier: Apache-2.0 */
/* The pages' sessions: a random id (the cookie) and a random CSRF token per
 * signed-in visitor, kept in devpayd's memory only (a restart signs everyone
 * out), ending after a lifetime of inactivity or on sign-out. The secret is
 * never kept: a session holds the account and the access key. */
#ifndef DP_SERVER_PAGES_SESSION_H
#define DP_SERVER_PAGES_SESSION_H
#include <stdint.h>

#define SESSION_ID_LEN 64          /* hex characters of an id or a token (32 random bytes) */
#define SESSION_DEFAULT_LIFETIME 3600
#define SESSION_MAX 10000          /* sessions at once; the oldest idle one makes room */

struct session {
	char id[SESSION_ID_LEN + 1], csrf[SESSION_ID_LEN + 1];
	char account[13], key[129];
};

/* The idle lifetime in seconds (devpayd --session-lifetime). */
void session_set_lifetime(int64_t seconds);
int64_t session_lifetime(void);

/* A new session for account/key at now: 0 with s filled, or -1 (no random
 * bytes). */
int session_new(const char *account, const char *key, int64_t now, struct session *s);

/* The live session of id (its idle time restarted): 0 with s filled, or -1. */
int session_get(const char *id, int64_t now, struct session *s);

/* Ends the session of id. */
void session_end(const char *id);

/* 1 when a and b are the same token (compared in constant time). */
int session_same(const char *a, const char *b);

#endif
