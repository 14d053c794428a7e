/* SPDX-License-Identifier: Apache-2.0 */
/* common/base/money.c: parsing, rounding to cents, printing, proration. */
#include "base/money.h"
#include "tap.h"

static void accepts(const char *s, int64_t want)
{
	int64_t m = -42;
	int r = money_parse(s, &m);
	is_int(r, 0, "money_parse accepts '%s'", s);
	is_int(m, want, "money_parse '%s' is %" PRId64 " micro-dollars", s, want);
}

static void refuses(const char *s)
{
	int64_t m = -42;
	int r = money_parse(s, &m);
	is_int(r, -1, "money_parse refuses '%s'", s);
	is_int(m, -42, "money_parse '%s' leaves the result alone", s);
}

static void rounds(int64_t micro, int64_t want)
{
	is_int(money_round_cents(micro), want, "money_round_cents(%" PRId64 ")", micro);
}

static void cents(int64_t micro, const char *want)
{
	char out[32];
	money_format_cents(micro, out);
	is_str(out, want, "money_format_cents(%" PRId64 ")", micro);
}

static void exact(int64_t micro, const char *want)
{
	char out[32];
	money_format_exact(micro, out);
	is_str(out, want, "money_format_exact(%" PRId64 ")", micro);
}

int main(void)
{
	accepts("0", 0);
	accepts("12", 12000000);
	accepts("12.5", 12500000);
	accepts("0.000001", 1);
	accepts("$3.00", 3000000);
	accepts("0.125", 125000);
	accepts("007.10", 7100000);
	accepts("1000000000", INT64_C(1000000000) * MICRO_PER_DOLLAR);
	accepts("1000000000.000000", INT64_C(1000000000) * MICRO_PER_DOLLAR);

	refuses("-1");
	refuses("1.");
	refuses(".5");
	refuses("1.1234567");
	refuses("abc");
	refuses("1e3");
	refuses("");
	refuses("$");
	refuses("$$3");
	refuses("+1");
	refuses(" 1");
	refuses("1 ");
	refuses("1,5");
	refuses("1.2.3");
	refuses("3$");
	refuses("1000000001");
	refuses("1000000000.000001");
	refuses("1000000000.5");
	refuses("99999999999999999999999999");

	rounds(0, 0);
	rounds(4999, 0);
	rounds(5000, 10000);            /* 0.005 -> 0.01 */
	rounds(14999, 10000);
	rounds(15000, 20000);
	rounds(18666667, 18670000);
	rounds(-4999, 0);
	rounds(-5000, -10000);          /* -0.005 -> -0.01: a refund mirrors its charge */
	rounds(-15000, -20000);
	rounds(-18666667, -18670000);
	rounds(-10000, -10000);
	for (int64_t m = 1; m < 30000; m += 7)
		if (money_round_cents(-m) != -money_round_cents(m))
			ok(0, "money_round_cents(-%" PRId64 ") mirrors money_round_cents(%" PRId64 ")", m, m);

	cents(0, "0.00");
	cents(18666667, "18.67");
	cents(5000, "0.01");
	cents(4999, "0.00");
	cents(-4999, "0.00");           /* never "-0.00" */
	cents(-300000, "-0.30");
	cents(-5000, "-0.01");
	cents(1234567890000, "1234567.89");
	cents(99995000, "100.00");

	exact(0, "0.00");
	exact(200000, "0.20");
	exact(125000, "0.125");
	exact(1, "0.000001");
	exact(12000000, "12.00");
	exact(-125000, "-0.125");
	exact(-300000, "-0.30");
	exact(1234567891, "1234.567891");

	/* DevPay guide: $20 a month, sign-up on June 3, 4, 5 of 30 days */
	int64_t twenty = 20 * MICRO_PER_DOLLAR;
	char out[32];
	int64_t p;
	p = money_prorate(twenty, 28, 30);
	is_int(p, 18666667, "money_prorate $20 * 28/30");
	money_format_cents(p, out);
	is_str(out, "18.67", "$20 from June 3 prints 18.67");
	p = money_prorate(twenty, 27, 30);
	is_int(p, 18000000, "money_prorate $20 * 27/30");
	money_format_cents(p, out);
	is_str(out, "18.00", "$20 from June 4 prints 18.00");
	p = money_prorate(twenty, 26, 30);
	is_int(p, 17333333, "money_prorate $20 * 26/30");
	money_format_cents(p, out);
	is_str(out, "17.33", "$20 from June 5 prints 17.33");

	is_int(money_prorate(twenty, 30, 30), twenty, "money_prorate whole month");
	is_int(money_prorate(twenty, 0, 30), 0, "money_prorate no day");
	is_int(money_prorate(1, 1, 2), 1, "money_prorate half a micro-dollar rounds up");
	is_int(money_prorate(-1, 1, 2), -1, "money_prorate -half rounds away from zero");
	is_int(money_prorate(-twenty, 28, 30), -18666667, "money_prorate of a refund mirrors the charge");
	is_int(money_prorate(10, 1, 3), 3, "money_prorate 10/3");
	is_int(money_prorate(20, 1, 3), 7, "money_prorate 20/3");
	is_int(money_prorate(INT64_C(1000000000) * MICRO_PER_DOLLAR, 31, 31),
	       INT64_C(1000000000) * MICRO_PER_DOLLAR, "money_prorate of the largest amount does not overflow");

	/* rounded once to the cent, from the exact quotient */
	int64_t c = -1;
	is_int(money_prorate_cents(twenty, 28, 30, &c), 0, "money_prorate_cents $20 * 28/30");
	is_int(c, 18670000, "$20 from June 3 is 18.67");
	money_prorate_cents(149999, 1, 30, &c);
	is_int(c, 0, "0.149999 / 30 = 0.0049999...: 0.00, not 0.01 (no rounding to the micro first)");
	is_int(money_prorate(149999, 1, 30), 5000, "the micro-dollar proration would have made it 0.005");
	money_prorate_cents(150000, 1, 30, &c);
	is_int(c, 10000, "0.15 / 30 = 0.005 exactly: half up to 0.01");
	money_prorate_cents(-150000, 1, 30, &c);
	is_int(c, -10000, "a refund of -0.005 mirrors its charge");
	money_prorate_cents(3000000, 3, 100, &c);
	is_int(c, 90000, "3%% of $3.00 is 0.09");
	c = -1;
	is_int(money_prorate_cents(INT64_MAX, 2, 1, &c), -1, "money_prorate_cents beyond int64 is refused");
	is_int(c, -1, "and leaves the result alone");

	/* checked sums and products */
	int64_t r = 0;
	is_int(money_add(INT64_MAX - 1, 1, &r), 0, "money_add up to INT64_MAX");
	is_int(r, INT64_MAX, "money_add INT64_MAX - 1 + 1");
	is_int(money_add(INT64_MAX, 1, &r), -1, "money_add past INT64_MAX is refused");
	is_int(money_add(-INT64_MAX, -1, &r), -1, "money_add to INT64_MIN is refused (it cannot be negated)");
	is_int(money_add(-5, 3, &r), 0, "money_add of a refund");
	is_int(r, -2, "money_add -5 + 3");
	is_int(money_mul(744, 999999999 * MICRO_PER_DOLLAR, &r), 0, "money_mul 744 h x $999,999,999");
	is_int(r, INT64_C(743999999256000000), "money_mul exact");
	is_int(money_mul(10000, 999999999 * MICRO_PER_DOLLAR, &r), -1, "money_mul 10000 h x $999,999,999 is refused");
	is_int(money_mul(-1, INT64_MIN + 1, &r), 0, "money_mul of the most negative amount that can be negated");
	return tap_done();
}
