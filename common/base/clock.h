/* SPDX-License-Identifier: Apache-2.0 */
/* The one clock. DEVPAY_NOW (ISO 8601 UTC) replaces it, so a whole scenario
 * can be replayed at fixed times. All times are UTC seconds since the epoch. */
#ifndef DP_CLOCK_H
#define DP_CLOCK_H
#include <stdint.h>
#include "base/err.h"

enum dp_err clock_now(int64_t *now);

/* "2009-06-08T00:00:00Z", "2009-06-08T00:00:00.000Z", "2009-06-08T00:00:00+0000",
 * "2009-06-08" (midnight). Returns 0 or -1. */
int clock_parse(const char *s, int64_t *t);
/* Wire form: 2009-06-08T00:00:00.000Z */
void clock_format_wire(int64_t t, char out[32]);
/* ec2-api-tools' printed form: 2009-06-08T00:00:00+0000 */
void clock_format_print(int64_t t, char out[32]);
/* Calendar helpers for billing. */
int clock_days_in_month(int year, int month);
int64_t clock_from_ymd(int year, int month, int day);
void clock_to_ymd(int64_t t, int *year, int *month, int *day);
/* "YYYY-MM" -> year and month; 0 or -1. */
int clock_parse_period(const char *s, int *year, int *month);

#endif
