/* SPDX-License-Identifier: Apache-2.0 */
/* EC2 request filters (Filter.N.Name, Filter.N.Value.M) and the parameter
 * name patterns of an Action's allow-list. Pure: no store, no output.
 *
 * A filter matches a record when any of its values matches any of the
 * record's values for that name (values ORed); a record passes a set when
 * every filter matches (filters ANDed). In a value, '*' matches any run of
 * characters, '?' any one character, and '\' makes the next one literal. */
#ifndef DP_FILTER_H
#define DP_FILTER_H
#include <stddef.h>
#include "wire/query.h"

struct filter {
	char *name;
	const char **values;
	int nvalues;
	int index;                 /* N of Filter.N */
};

struct filter_set {
	struct filter *f;
	int n;
};
#define FILTER_SET_INIT { NULL, 0 }

/* Reads the Filter.N.* parameters of q. names lists the filter names the
 * Action knows (NULL-terminated); a name ending in ':' stands for a family
 * of names, every one that starts with it and goes on ("tag:" for tag:KEY). 0, or -1 with code (an EC2 error code) and
 * msg filled: an unknown name (InvalidParameterValue), a filter without a
 * name or without a value (MissingParameter). */
int filter_parse(const struct query *q, const char *const *names, struct filter_set *fs,
		 char code[64], char *msg, size_t msgsz);
void filter_release(struct filter_set *fs);

/* EC2's wildcard match of s against pattern. */
int filter_glob(const char *pattern, const char *s);

/* The values a record has for a filter name: up to max (FILTER_VALUES_MAX)
 * into out, returns how many (0: the record has none, so no filter on that
 * name matches). */
#define FILTER_VALUES_MAX 64
typedef int (*filter_values_fn)(void *rec, const char *name, const char **out, int max);
/* 1 when the record passes every filter of fs (always when fs is empty). */
int filter_match(const struct filter_set *fs, filter_values_fn values, void *rec);

/* Parameter name patterns: a segment "N" stands for a positive whole number
 * ("InstanceId.N", "Filter.N.Value.N"); every other character is literal. */
int filter_name_matches(const char *pattern, const char *name);

#endif
