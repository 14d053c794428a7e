/* SPDX-License-Identifier: Apache-2.0 */
/* A few TAP assertions for the unit programs: each prints "ok N - what" or
 * "not ok N - what" plus the values compared, and tap_done() prints the plan
 * and gives the exit status (1 when anything failed). */
#ifndef DP_TAP_H
#define DP_TAP_H
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 4, 5)))
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   at %s line %d\n", file, line);
	}
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do {                                              \
	int64_t g_ = (int64_t)(got), w_ = (int64_t)(want);                      \
	if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))                  \
		printf("#   got %" PRId64 ", want %" PRId64 "\n", g_, w_);       \
} while (0)

#define is_str(got, want, ...) do {                                              \
	const char *g_ = (got), *w_ = (want);                                    \
	if (!tap_ok(g_ && w_ ? !strcmp(g_, w_) : g_ == w_, __FILE__, __LINE__,     \
		    __VA_ARGS__))                                                    \
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",          \
		       w_ ? w_ : "(null)");                                          \
} while (0)

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
