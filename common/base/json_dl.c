/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include "base/dl.h"
#include "base/json_dl.h"

static const char *const names[] = { "libjansson.so.4", "libjansson.so" };

static struct json_dl fns;
static int loaded;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	const struct dl_sym syms[] = {
		{ &fns.loadb, "json_loadb" },
		{ &fns.object_get, "json_object_get" },
		{ &fns.string_value, "json_string_value" },
		{ &fns.integer_value, "json_integer_value" },
		{ &fns.delete, "json_delete" },
	};
	if (!dl_load("libjansson", names, sizeof names / sizeof names[0], syms, sizeof syms / sizeof syms[0],
		     load_error, sizeof load_error))
		loaded = 1;
}

const struct json_dl *json_dl(void)
{
	pthread_once(&once, load);
	if (!loaded) {
		dp_err_set("%s", load_error);
		return NULL;
	}
	return &fns;
}
