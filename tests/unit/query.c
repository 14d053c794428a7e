/* SPDX-License-Identifier: Apache-2.0 */
/* common/wire/query.c: the wire encoding AWS signs, and parsing a form body. */
#include <stdlib.h>
#include "wire/query.h"
#include "tap.h"

static void encodes(const struct query *q, int sorted, const char *skip, const char *want,
		    const char *what)
{
	struct buf b = BUF_INIT;
	query_encode(q, sorted, skip, &b);
	is_str(buf_str(&b), want, "query_encode: %s", what);
	buf_release(&b);
}

static void escapes(const char *s, const char *want)
{
	struct buf b = BUF_INIT;
	query_escape(s, strlen(s), &b);
	is_str(buf_str(&b), want, "query_escape '%s'", s);
	buf_release(&b);
}

static int parse(struct query *q, const char *body)
{
	return query_parse(q, body, strlen(body));
}

static void parse_refused(const char *body)
{
	struct query q = QUERY_INIT;
	is_int(parse(&q, body), -1, "query_parse refuses '%s'", body);
	query_release(&q);
}

int main(void)
{
	struct query q = QUERY_INIT;
	query_add(&q, "Action", "RegisterImage");
	query_add(&q, "Version", "2016-11-15");
	query_add(&q, "Name", "my image/v1 ~x *y");
	query_add(&q, "Description", "caf\xc3\xa9 \xe2\x82\xac");
	query_add(&q, "Weird", "a+b=c&d%e");
	encodes(&q, 0, NULL,
		"Action=RegisterImage&Version=2016-11-15&Name=my%20image%2Fv1%20~x%20%2Ay"
		"&Description=caf%C3%A9%20%E2%82%AC&Weird=a%2Bb%3Dc%26d%25e",
		"the order given, RFC 3986 escaping");
	encodes(&q, 1, NULL,
		"Action=RegisterImage&Description=caf%C3%A9%20%E2%82%AC"
		"&Name=my%20image%2Fv1%20~x%20%2Ay&Version=2016-11-15&Weird=a%2Bb%3Dc%26d%25e",
		"sorted canonical order");
	encodes(&q, 1, "Name",
		"Action=RegisterImage&Description=caf%C3%A9%20%E2%82%AC"
		"&Version=2016-11-15&Weird=a%2Bb%3Dc%26d%25e",
		"a skipped parameter is left out");
	query_release(&q);
	is_int(q.n, 0, "query_release empties the query");

	escapes("AZaz09-_.~", "AZaz09-_.~");
	escapes(" ", "%20");
	escapes("/", "%2F");
	escapes("*", "%2A");
	escapes("+", "%2B");
	escapes("=&%", "%3D%26%25");
	escapes("\xc3\xa9", "%C3%A9");
	escapes("", "");

	/* byte order of the encoded names: upper case first, "." before digits,
	 * "Name.10" before "Name.2", an escaped space ("%20") before "." */
	query_add(&q, "b", "1");
	query_add(&q, "a.2", "2");
	query_add(&q, "a.10", "3");
	query_add(&q, "B", "4");
	query_add(&q, "a b", "5");
	query_add(&q, "a", "7");
	query_add(&q, "a", "6");
	encodes(&q, 1, NULL, "B=4&a=6&a=7&a%20b=5&a.10=3&a.2=2&b=1", "sorted by encoded name, then value");
	query_release(&q);
	encodes(&q, 1, NULL, "", "an empty query");

	query_add(&q, "X", NULL);
	is_str(query_get(&q, "X"), "", "query_add of NULL is an empty value");
	query_set(&q, "X", "1");
	query_set(&q, "Y", "2");
	is_str(query_get(&q, "X"), "1", "query_set replaces");
	is_str(query_get(&q, "Y"), "2", "query_set adds");
	is_int(q.n, 2, "query_set does not duplicate");
	int i = query_add_list(&q, "ImageId", 1, "ami-1");
	i = query_add_list(&q, "ImageId", i, "ami-2");
	is_int(i, 3, "query_add_list gives the next index");
	query_add(&q, "Filter.1.Name", "state");
	is_str(query_get_nth(&q, "ImageId", 2, NULL), "ami-2", "query_get_nth");
	is_str(query_get_nth(&q, "Filter", 1, "Name"), "state", "query_get_nth with a suffix");
	ok(query_get_nth(&q, "ImageId", 3, NULL) == NULL, "query_get_nth past the end is NULL");
	ok(query_get(&q, "Missing") == NULL, "query_get of a missing name is NULL");
	query_addf(&q, "Count", "%d-%s", 7, "x");
	is_str(query_get(&q, "Count"), "7-x", "query_addf");
	query_release(&q);

	is_int(parse(&q, "a=1+2&b=%2B&c=&d&e=%7e%7E&f=%C3%A9&g=x=y"), 0, "query_parse of a good body");
	is_int(q.n, 7, "query_parse keeps every parameter");
	is_str(query_get(&q, "a"), "1 2", "'+' is a space");
	is_str(query_get(&q, "b"), "+", "%%2B is a plus");
	is_str(query_get(&q, "c"), "", "an empty value");
	is_str(query_get(&q, "d"), "", "a name without '='");
	is_str(query_get(&q, "e"), "~~", "%%XX in either case");
	is_str(query_get(&q, "f"), "\xc3\xa9", "UTF-8 bytes");
	is_str(query_get(&q, "g"), "x=y", "only the first '=' splits");
	query_release(&q);

	is_int(parse(&q, "&&a=1&&"), 0, "query_parse skips empty pieces");
	is_int(q.n, 1, "only the one parameter");
	query_release(&q);
	is_int(parse(&q, ""), 0, "query_parse of an empty body");
	is_int(q.n, 0, "no parameter");
	query_release(&q);
	is_int(query_parse(&q, "a=1&b=2", 3), 0, "query_parse reads only len bytes");
	ok(q.n == 1 && !strcmp(q.v[0].value, "1"), "the parameter before len only");
	query_release(&q);

	parse_refused("a=%");
	parse_refused("a=%4");
	parse_refused("a=%zz");
	parse_refused("a=%4g");
	parse_refused("%=1");
	parse_refused("a=1&b=%00");
	parse_refused("a=1%");
	is_int(query_parse(&q, "a=1\0b=2", 7), -1, "query_parse refuses a raw NUL byte");
	query_release(&q);

	/* round trip: every byte but NUL survives encode then parse */
	char all[256];
	for (int c = 1; c < 256; c++)
		all[c - 1] = (char)c;
	all[255] = '\0';
	query_add(&q, "all bytes", all);
	query_add(&q, "Name", "my image/v1 ~x *y +z");
	query_add(&q, "Empty", "");
	struct buf b = BUF_INIT;
	query_encode(&q, 0, NULL, &b);
	struct query back = QUERY_INIT;
	is_int(query_parse(&back, b.p, b.len), 0, "query_parse reads query_encode's body");
	is_int(back.n, q.n, "the same number of parameters");
	for (size_t k = 0; k < q.n && k < back.n; k++) {
		is_str(back.v[k].name, q.v[k].name, "round trip of name %zu", k);
		ok(!strcmp(back.v[k].value, q.v[k].value), "round trip of the value of '%s'", q.v[k].name);
	}
	buf_release(&b);
	query_release(&back);
	query_release(&q);
	return tap_done();
}
