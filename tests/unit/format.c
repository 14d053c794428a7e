/* SPDX-License-Identifier: Apache-2.0 */
/* common/base/format.c: one record as text, JSON and CSV. */
#include "base/format.h"
#include "tap.h"

#define COLS(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const struct record_layout CHARGE = { "CHARGE", COLS("ProductCode", "Component",
	"Amount") };
static const struct record_layout TOTAL = { "TOTAL", COLS("Scope", "Amount") };
static const struct record_layout RES = { "RESERVATION", COLS("ReservationId", "Owner"),
	"Type\tReservationID\tOwner\tPlatform" };
static const struct record_layout ATTR = { NULL, COLS("Attribute", "Value") };
static const struct record_layout PERM_A = { "PERMISSION", COLS("Cidr") };
static const struct record_layout PERM_B = { "PERMISSION", COLS("UserId", "Group") };

/* The whole output of records (a NULL layout ends the list). */
static const char *write(enum out_format fmt, int headers, int show_empty,
			 const struct record_layout *const *l, const char *const *const *f)
{
	static struct buf b;
	struct out_writer w = { .fmt = fmt, .headers = headers, .show_empty = show_empty };
	buf_reset(&b);
	for (; *l; l++, f++)
		out_write_record(&b, &w, *l, *f);
	out_write_end(&b, &w);
	return buf_str(&b);
}

#define L(...) ((const struct record_layout *const[]){ __VA_ARGS__, NULL })
#define F(...) ((const char *const *const[]){ __VA_ARGS__ })
#define R(...) ((const char *const[]){ __VA_ARGS__ })

int main(void)
{
	enum out_format f;
	ok(!out_format_parse("json", &f) && f == OUT_JSON, "json parses");
	ok(!out_format_parse("csv", &f) && f == OUT_CSV, "csv parses");
	ok(!out_format_parse("text", &f) && f == OUT_TEXT, "text parses");
	ok(out_format_parse("xml", &f) && out_format_parse("JSON", &f) && out_format_parse("", &f),
	   "xml, JSON and the empty word are refused");

	size_t len;
	const char *k = out_col_name(&RES, 0, &len);
	ok(len == 13 && !strncmp(k, "ReservationID", len), "a layout's own header names its columns");
	k = out_col_name(&CHARGE, 2, &len);
	ok(len == 6 && !strncmp(k, "Amount", len), "else cols[] do");

	/* text: as ec2-api-tools, unchanged */
	is_str(write(OUT_TEXT, 0, 0, L(&CHARGE, &TOTAL),
		     F(R("ABCD1234", "monthly", "18.67"), R("ALL", NULL))),
	       "CHARGE\tABCD1234\tmonthly\t18.67\nTOTAL\tALL\t\n", "text records");
	is_str(write(OUT_TEXT, 1, 1, L(&CHARGE, &TOTAL),
		     F(R("a\tb", "c\nd", ""), R("ALL", "1.00"))),
	       "Type\tProductCode\tComponent\tAmount\nCHARGE\ta b\tc d\t(nil)\nTOTAL\tALL\t1.00\n",
	       "text: one -H line, tabs and newlines as spaces, (nil)");
	is_str(write(OUT_TEXT, 1, 0, L(&ATTR), F(R("userData", "x"))), "Attribute\tValue\nuserData\tx\n",
	       "text: a record without a type");
	is_str(write(OUT_TEXT, 0, 0, L(NULL), F(NULL)), "", "text: nothing at all");

	/* JSON: one array; -H and --show-empty-fields change nothing */
	is_str(write(OUT_JSON, 0, 0, L(NULL), F(NULL)), "[]\n", "json: no record is []");
	is_str(write(OUT_JSON, 1, 1, L(&CHARGE, &TOTAL),
		     F(R("ABCD1234", "monthly", "18.67"), R("ALL", NULL))),
	       "[\n{\"Type\":\"CHARGE\",\"ProductCode\":\"ABCD1234\",\"Component\":\"monthly\","
	       "\"Amount\":\"18.67\"},\n{\"Type\":\"TOTAL\",\"Scope\":\"ALL\",\"Amount\":\"\"}\n]\n",
	       "json: Type then the columns, strings, empty as \"\"");
	is_str(write(OUT_JSON, 0, 0, L(&RES, &ATTR), F(R("r-1", "123"), R("kernel", ""))),
	       "[\n{\"Type\":\"RESERVATION\",\"ReservationID\":\"r-1\",\"Owner\":\"123\"},\n"
	       "{\"Type\":\"\",\"Attribute\":\"kernel\",\"Value\":\"\"}\n]\n",
	       "json: the header's names; a record without a type has Type \"\"");
	is_str(write(OUT_JSON, 0, 0, L(&TOTAL),
		     F(R("q\"b\\s/", "\t\n\r\x01\x1f\x7f"))),
	       "[\n{\"Type\":\"TOTAL\",\"Scope\":\"q\\\"b\\\\s/\","
	       "\"Amount\":\"\\t\\n\\r\\u0001\\u001f\\u007f\"}\n]\n",
	       "json: quote, backslash and controls escaped");
	is_str(write(OUT_JSON, 0, 0, L(&TOTAL),
		     F(R("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\xff\xc3(\xed\xa0\x80\xc0\xaf\xe2\x82"))),
	       "[\n{\"Type\":\"TOTAL\",\"Scope\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
	       "\"Amount\":\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"}\n]\n",
	       "json: UTF-8 as it is; bytes that are not UTF-8 (stray, surrogate, overlong, cut) as U+FFFD");

	/* CSV: RFC 4180, a header row per type */
	is_str(write(OUT_CSV, 0, 0, L(NULL), F(NULL)), "", "csv: no record, nothing");
	is_str(write(OUT_CSV, 0, 1, L(&CHARGE, &CHARGE, &TOTAL, &CHARGE),
		     F(R("A", "monthly", "1.00"), R("A", "usage", ""), R("ALL", "2.00"),
		       R("B", "x", "3.00"))),
	       "Type,ProductCode,Component,Amount\r\nCHARGE,A,monthly,1.00\r\nCHARGE,A,usage,\r\n"
	       "Type,Scope,Amount\r\nTOTAL,ALL,2.00\r\nCHARGE,B,x,3.00\r\n",
	       "csv: a header row before each type's first record, empty fields empty");
	is_str(write(OUT_CSV, 0, 0, L(&TOTAL), F(R("a,b", "say \"hi\"\r\nbye"))),
	       "Type,Scope,Amount\r\nTOTAL,\"a,b\",\"say \"\"hi\"\"\r\nbye\"\r\n",
	       "csv: comma, quote, CR and LF quoted, quotes doubled");
	is_str(write(OUT_CSV, 0, 0, L(&PERM_A, &PERM_B, &PERM_B, &PERM_A),
		     F(R("0.0.0.0/0"), R("1", "g"), R("2", "h"), R("10.0.0.0/8"))),
	       "Type,Cidr\r\nPERMISSION,0.0.0.0/0\r\nType,UserId,Group\r\nPERMISSION,1,g\r\n"
	       "PERMISSION,2,h\r\nType,Cidr\r\nPERMISSION,10.0.0.0/8\r\n",
	       "csv: a type in another layout gets its header row again");
	is_str(write(OUT_CSV, 0, 0, L(&RES, &ATTR), F(R("r-1", "1"), R("kernel", "aki-1"))),
	       "Type,ReservationID,Owner\r\nRESERVATION,r-1,1\r\nType,Attribute,Value\r\n"
	       ",kernel,aki-1\r\n",
	       "csv: the header's names; a record without a type starts with an empty field");
	return tap_done();
}
