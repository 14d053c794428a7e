/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <stdio.h>
#include "base/dl.h"

int dl_load(const char *what, const char *const *names, size_t n, const struct dl_sym *syms,
	    size_t n_syms, char *why, size_t why_size)
{
	void *lib = NULL;
	size_t i;
	for (i = 0; i < n && !lib; i++)
		lib = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, why_size, "%s cannot be loaded: %s", what, dlerror());
		return -1;
	}
	const char *name = names[i - 1];
	for (size_t k = 0; k < n_syms; k++) {
		void *f = dlsym(lib, syms[k].name);
		if (!f) {
			snprintf(why, why_size, "%s: no %s", name, syms[k].name);
			return -1;
		}
		*(void **)syms[k].slot = f;
	}
	return 0;
}
