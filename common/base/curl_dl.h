/* SPDX-License-Identifier: Apache-2.0 */
/* libcurl, loaded the first time it is needed. Linking it outright costs
 * every process some 7 ms of dynamic loading (libcurl pulls in GnuTLS,
 * Kerberos, LDAP, ...), which is most of what a local command costs; a local
 * command never makes an HTTP request, so only the HTTP transport and
 * devpayd load it.
 *
 * Include this header instead of <curl/curl.h>: the curl_* functions the
 * suite uses are then called through the loaded library. Call
 * curl_dl_load() before the first use where a failure must be reported
 * gracefully; any other first use loads it too, and exits if it cannot. */
#ifndef DP_CURL_DL_H
#define DP_CURL_DL_H
#include <curl/curl.h>
#include "base/err.h"

struct curl_dl {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	char *(*easy_escape)(CURL *h, const char *s, int len);
	char *(*easy_unescape)(CURL *h, const char *s, int len, int *outlen);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *u);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
};

/* DP_OK, or DP_ERR_HTTP with dp_err_detail() saying why. Thread-safe. */
enum dp_err curl_dl_load(void);
/* The loaded functions; exits with a message if libcurl cannot be loaded. */
const struct curl_dl *curl_dl(void);

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (curl_dl()->global_init)
#define curl_easy_init (curl_dl()->easy_init)
#define curl_easy_setopt (curl_dl()->easy_setopt)
#define curl_easy_perform (curl_dl()->easy_perform)
#define curl_easy_getinfo (curl_dl()->easy_getinfo)
#define curl_easy_reset (curl_dl()->easy_reset)
#define curl_easy_cleanup (curl_dl()->easy_cleanup)
#define curl_easy_strerror (curl_dl()->easy_strerror)
#define curl_easy_escape (curl_dl()->easy_escape)
#define curl_easy_unescape (curl_dl()->easy_unescape)
#define curl_free (curl_dl()->free)
#define curl_slist_append (curl_dl()->slist_append)
#define curl_slist_free_all (curl_dl()->slist_free_all)
#define curl_url (curl_dl()->url)
#define curl_url_cleanup (curl_dl()->url_cleanup)
#define curl_url_get (curl_dl()->url_get)
#define curl_url_set (curl_dl()->url_set)

#endif
