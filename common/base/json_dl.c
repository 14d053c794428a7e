/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "base/json_dl.h"

static const char *const names[] = { "libjansson.so.4", "libjansson.so" };

static struct json_dl fns;
static int loaded;
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
		snprintf(load_error, sizeof load_error, "libjansson cannot be loaded: %s", dlerror());
		return;
	}
	i--;
	SYM(loadb, "json_loadb");
	SYM(object_get, "json_object_get");
	SYM(string_value, "json_string_value");
	SYM(integer_value, "json_integer_value");
	SYM(delete, "json_delete");
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
