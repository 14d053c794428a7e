/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the libFuzzer targets: the input as a NUL-terminated string, and
 * a check that aborts (so libFuzzer keeps the input) when an invariant fails. */
#ifndef DP_FUZZ_H
#define DP_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define fuzz_check(cond) do {                                                      \
	if (!(cond)) {                                                             \
		fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		abort();                                                           \
	}                                                                          \
} while (0)

#endif
