/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <curl/curl.h>
#include "base/dl.h"
#include "base/curl_dl.h"

/* Debian's libcurl4-openssl-dev and libcurl4-gnutls-dev both provide the
 * ABI 4 library under one of these names. */
static const char *const names[] = { "libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so" };

static struct curl_dl fns;
static enum dp_err load_status = DP_ERR_HTTP;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	const struct dl_sym syms[] = {
		{ &fns.global_init, "curl_global_init" },
		{ &fns.easy_init, "curl_easy_init" },
		{ &fns.easy_setopt, "curl_easy_setopt" },
		{ &fns.easy_perform, "curl_easy_perform" },
		{ &fns.easy_getinfo, "curl_easy_getinfo" },
		{ &fns.easy_reset, "curl_easy_reset" },
		{ &fns.easy_cleanup, "curl_easy_cleanup" },
		{ &fns.easy_strerror, "curl_easy_strerror" },
		{ &fns.easy_escape, "curl_easy_escape" },
		{ &fns.easy_unescape, "curl_easy_unescape" },
		{ &fns.free, "curl_free" },
		{ &fns.slist_append, "curl_slist_append" },
		{ &fns.slist_free_all, "curl_slist_free_all" },
		{ &fns.url, "curl_url" },
		{ &fns.url_cleanup, "curl_url_cleanup" },
		{ &fns.url_get, "curl_url_get" },
		{ &fns.url_set, "curl_url_set" },
	};
	if (!dl_load("libcurl", names, sizeof names / sizeof names[0], syms, sizeof syms / sizeof syms[0],
		     load_error, sizeof load_error))
		load_status = DP_OK;
}

enum dp_err curl_dl_load(void)
{
	pthread_once(&once, load);
	if (load_status)
		dp_err_set("%s", load_error);
	return load_status;
}

const struct curl_dl *curl_dl(void)
{
	if (curl_dl_load()) {
		fprintf(stderr, "fatal: %s\n", load_error);
		exit(1);
	}
	return &fns;
}
