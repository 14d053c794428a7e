/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "base/money.h"

int money_parse(const char *s, int64_t *micro)
{
	if (*s == '$')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	int64_t whole = 0, frac = 0;
	int places = 0;
	while (isdigit((unsigned char)*s)) {
		whole = whole * 10 + (*s++ - '0');
		if (whole > 1000000000)
			return -1;
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s)) {
			if (++places > 6)
				return -1;
			frac = frac * 10 + (*s++ - '0');
		}
	}
	if (*s)
		return -1;
	while (places++ < 6)
		frac *= 10;
	/* the bound is on the amount, fractions included */
	if (whole * MICRO_PER_DOLLAR + frac > 1000000000 * MICRO_PER_DOLLAR)
		return -1;
	*micro = whole * MICRO_PER_DOLLAR + frac;
	return 0;
}

int64_t money_round_cents(int64_t micro)
{
	int64_t half = MICRO_PER_CENT / 2;
	/* the last half cent of the range rounds down rather than wrap */
	if (micro > INT64_MAX - half || micro < -(INT64_MAX - half))
		return micro / MICRO_PER_CENT * MICRO_PER_CENT;
	if (micro >= 0)
		return (micro + half) / MICRO_PER_CENT * MICRO_PER_CENT;
	return -((-micro + half) / MICRO_PER_CENT * MICRO_PER_CENT);
}

void money_format_cents(int64_t micro, char out[32])
{
	int64_t c = money_round_cents(micro) / MICRO_PER_CENT;
	const char *sign = c < 0 ? "-" : "";
	if (c < 0)
		c = -c;
	snprintf(out, 32, "%s%" PRId64 ".%02" PRId64, sign, c / 100, c % 100);
}

void money_format_exact(int64_t micro, char out[32])
{
	const char *sign = micro < 0 ? "-" : "";
	if (micro < 0)
		micro = -micro;
	snprintf(out, 32, "%s%" PRId64 ".%06" PRId64, sign, micro / MICRO_PER_DOLLAR,
		 micro % MICRO_PER_DOLLAR);
	size_t n = strlen(out);
	char *dot = strchr(out, '.');
	while (n > (size_t)(dot - out) + 3 && out[n - 1] == '0')
		out[--n] = '\0';
}

int64_t money_prorate(int64_t a, int64_t num, int64_t den)
{
	/* __int128 keeps a*num exact for any amount this suite can hold */
	__int128 p = (__int128)a * num;
	__int128 q = p >= 0 ? (p + den / 2) / den : -((-p + den / 2) / den);
	return (int64_t)q;
}

int money_prorate_cents(int64_t a, int64_t num, int64_t den, int64_t *out)
{
	__int128 p = (__int128)a * num, d = (__int128)den * MICRO_PER_CENT;
	__int128 q = p >= 0 ? (p + d / 2) / d : -((-p + d / 2) / d);
	q *= MICRO_PER_CENT;
	if (q > INT64_MAX || q < -INT64_MAX)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_add_overflow(a, b, out) || *out == INT64_MIN ? -1 : 0;
}

int money_mul(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_mul_overflow(a, b, out) || *out == INT64_MIN ? -1 : 0;
}
