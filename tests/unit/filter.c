/* SPDX-License-Identifier: Apache-2.0 */
/* common/wire/filter.c: EC2's wildcards, the allow-list patterns of the Action
 * table, and Filter.N parsing and matching. */
#include <string.h>
#include "wire/filter.h"
#include "tap.h"

static const char *const names[] = { "instance-type", "instance-state-name", NULL };

struct rec { const char *type, *state; };

static int values(void *r, const char *name, const char **out, int max)
{
	struct rec *x = r;
	(void)max;
	out[0] = !strcmp(name, "instance-type") ? x->type : x->state;
	return out[0] ? 1 : 0;
}

int main(void)
{
	/* wildcards */
	ok(filter_glob("m1.small", "m1.small"), "a literal matches itself");
	ok(!filter_glob("m1.small", "m1.smal"), "a literal needs every character");
	ok(!filter_glob("m1.smal", "m1.small"), "and no more");
	ok(filter_glob("m1.*", "m1.xlarge"), "* matches a run");
	ok(filter_glob("*", ""), "* matches nothing too");
	ok(filter_glob("*large", "m2.xlarge"), "a leading *");
	ok(filter_glob("m?.small", "m1.small"), "? matches one character");
	ok(!filter_glob("m?.small", "m.small"), "? needs one character");
	ok(filter_glob("a*b*c", "aXbYbZc"), "* backtracks");
	ok(!filter_glob("a*b*c", "aXbYbZ"), "and fails when it must");
	ok(filter_glob("a\\*", "a*"), "\\* is a literal *");
	ok(!filter_glob("a\\*", "ab"), "and nothing else");
	ok(filter_glob("a\\?", "a?") && !filter_glob("a\\?", "ab"), "\\? is a literal ?");
	ok(!filter_glob("", "x") && filter_glob("", ""), "an empty pattern matches only \"\"");

	/* allow-list patterns */
	ok(filter_name_matches("InstanceId.N", "InstanceId.1"), "N matches 1");
	ok(filter_name_matches("InstanceId.N", "InstanceId.120"), "N matches 120");
	ok(!filter_name_matches("InstanceId.N", "InstanceId.0"), "N is from 1");
	ok(!filter_name_matches("InstanceId.N", "InstanceId.01"), "no leading zero");
	ok(!filter_name_matches("InstanceId.N", "InstanceId."), "N is not empty");
	ok(!filter_name_matches("InstanceId.N", "InstanceId.x"), "N is a number");
	ok(!filter_name_matches("InstanceId.N", "InstanceId"), "the index is required");
	ok(!filter_name_matches("InstanceId.N", "InstanceID.1"), "names are case-sensitive");
	ok(filter_name_matches("Filter.N.Value.N", "Filter.2.Value.13"), "two indexes");
	ok(!filter_name_matches("Filter.N.Value.N", "Filter.2.Value"), "both are required");
	ok(filter_name_matches("Name", "Name") && !filter_name_matches("Name", "Names"),
	   "a plain name matches itself only");
	ok(filter_name_matches("MinCount", "MinCount"), "an N inside a word is a letter");
	ok(!filter_name_matches("MinCount", "Mi1Count"), "and not a number");

	/* parsing */
	struct query q = QUERY_INIT;
	struct filter_set fs;
	char code[64], msg[300];
	query_add(&q, "Filter.2.Name", "instance-state-name");
	query_add(&q, "Filter.2.Value.1", "running");
	query_add(&q, "Filter.1.Name", "instance-type");
	query_add(&q, "Filter.1.Value.1", "m1.small");
	query_add(&q, "Filter.1.Value.2", "m1.l*");
	query_add(&q, "InstanceId.1", "i-1");
	is_int(filter_parse(&q, names, &fs, code, msg, sizeof msg), 0, "two filters parsed");
	is_int(fs.n, 2, "two filters");
	is_str(fs.f[0].name, "instance-type", "in index order");
	is_int(fs.f[0].nvalues, 2, "with their values");
	struct rec a = { "m1.large", "running" }, b = { "m1.large", "terminated" },
		   c = { "c1.medium", "running" }, d = { NULL, "running" };
	ok(filter_match(&fs, values, &a), "both filters match");
	ok(!filter_match(&fs, values, &b), "filters are ANDed");
	ok(!filter_match(&fs, values, &c), "no value of a filter matches");
	ok(!filter_match(&fs, values, &d), "a record without the value does not match");
	filter_release(&fs);
	struct filter_set none = FILTER_SET_INIT;
	ok(filter_match(&none, values, &d), "no filter: every record");

	query_add(&q, "Filter.3.Name", "no-such");
	query_add(&q, "Filter.3.Value.1", "x");
	is_int(filter_parse(&q, names, &fs, code, msg, sizeof msg), -1, "an unknown name is refused");
	is_str(code, "InvalidParameterValue", "as InvalidParameterValue");
	is_str(msg, "The filter 'no-such' is invalid", "naming it");
	filter_release(&fs);
	query_release(&q);

	query_add(&q, "Filter.1.Name", "instance-type");
	is_int(filter_parse(&q, names, &fs, code, msg, sizeof msg), -1, "a filter without a value");
	is_str(code, "MissingParameter", "is MissingParameter");
	filter_release(&fs);
	query_release(&q);
	query_add(&q, "Filter.1.Value.1", "x");
	is_int(filter_parse(&q, names, &fs, code, msg, sizeof msg), -1, "a filter without a name");
	is_str(msg, "The request must contain the parameter Filter.1.Name", "names the parameter");
	filter_release(&fs);
	query_release(&q);

	/* a name ending in ':' is a family: tag:KEY for any KEY, not tag: alone */
	static const char *const family[] = { "tag-key", "tag:", NULL };
	query_add(&q, "Filter.1.Name", "tag:Name");
	query_add(&q, "Filter.1.Value.1", "x");
	query_add(&q, "Filter.2.Name", "tag:a:b");
	query_add(&q, "Filter.2.Value.1", "y");
	is_int(filter_parse(&q, family, &fs, code, msg, sizeof msg), 0, "tag:KEY names a family member");
	filter_release(&fs);
	query_release(&q);
	query_add(&q, "Filter.1.Name", "tag:");
	query_add(&q, "Filter.1.Value.1", "x");
	is_int(filter_parse(&q, family, &fs, code, msg, sizeof msg), -1, "the family's prefix alone is refused");
	filter_release(&fs);
	query_release(&q);
	query_add(&q, "Filter.1.Name", "tag");
	query_add(&q, "Filter.1.Value.1", "x");
	is_int(filter_parse(&q, family, &fs, code, msg, sizeof msg), -1, "so is a shorter name");
	filter_release(&fs);
	query_release(&q);
	return tap_done();
}
