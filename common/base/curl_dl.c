/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <curl/curl.h>
#include "base/curl_dl.h"

/* Debian's libcurl4-openssl-dev and libcurl4-gnutls-dev both provide the
 * ABI 4 library under one of these names. */
static const char *const names[] = { "libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so" };

static struct curl_dl fns;
static enum dp_err load_status = DP_ERR_HTTP;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define SYM(field, name)                                                        \
	do {                                                                    \
		*(void **)&fns.field = dlsym(lib, name);                        \
		if (!fns.field) {                                               \
			snprintf(load_error, sizeof load_error, "%s: no %s", names[i], name); \
			return;                                                 \
		}                                                               \
	} while (0)

static void load(void)
{
	void *lib = NULL;
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0] && !lib; i++)
		lib = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);
	if (!lib) {
		snprintf(load_error, sizeof load_error, "libcurl cannot be loaded: %s", dlerror());
		return;
	}
	i--;
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_reset, "curl_easy_reset");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(easy_escape, "curl_easy_escape");
	SYM(easy_unescape, "curl_easy_unescape");
	SYM(free, "curl_free");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
	SYM(url, "curl_url");
	SYM(url_cleanup, "curl_url_cleanup");
	SYM(url_get, "curl_url_get");
	SYM(url_set, "curl_url_set");
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
