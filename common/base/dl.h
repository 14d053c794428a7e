/* SPDX-License-Identifier: Apache-2.0 */
/* The one way the suite loads a shared library on first use (curl_dl.c,
 * crypto_dl.c, json_dl.c): the first of its names that dlopen finds, then
 * each function by name into its slot of a table. */
#ifndef DP_BASE_DL_H
#define DP_BASE_DL_H
#include <stddef.h>

struct dl_sym {
	void *slot;             /* &table.field: a function pointer to fill */
	const char *name;       /* the library's symbol */
};

/* Opens the first of the n names that loads (RTLD_LAZY | RTLD_LOCAL) and
 * fills every slot of syms (n_syms): 0, or -1 with why saying which library
 * (what, for messages) could not be loaded or which symbol it lacks. */
int dl_load(const char *what, const char *const *names, size_t n, const struct dl_sym *syms,
	    size_t n_syms, char *why, size_t why_size);

#endif
