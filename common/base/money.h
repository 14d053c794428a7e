/* SPDX-License-Identifier: Apache-2.0 */
/* Money is integer micro-dollars, never floating point. */
#ifndef DP_MONEY_H
#define DP_MONEY_H
#include <stdint.h>

#define MICRO_PER_DOLLAR INT64_C(1000000)
#define MICRO_PER_CENT   INT64_C(10000)

/* "12", "12.5", "0.125", "$3.00": non-negative, at most 6 decimal places,
 * at most 1e9 dollars. Returns 0 or -1. */
int money_parse(const char *s, int64_t *micro);
/* Rounds to whole cents, half away from zero (half up for amounts). */
int64_t money_round_cents(int64_t micro);
/* "18.67", "-0.30": rounded to cents. */
void money_format_cents(int64_t micro, char out[32]);
/* Exact: at least two decimals, more only when needed ("0.20", "0.125"). */
void money_format_exact(int64_t micro, char out[32]);
/* a * num / den rounded to the nearest micro-dollar, half up; den > 0. */
int64_t money_prorate(int64_t a, int64_t num, int64_t den);

/* a * num / den rounded once, half up (away from zero), to the cent;
 * den > 0. -1 when the result does not fit. */
int money_prorate_cents(int64_t a, int64_t num, int64_t den, int64_t *out);
/* Checked sum and product: 0, or -1 when the exact result does not fit in
 * an int64 (INT64_MIN is refused too, so every amount can be negated). */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t b, int64_t *out);

#endif
