/* SPDX-License-Identifier: Apache-2.0 */
/* common/base/text.c: the one rule for text values, in requests and in answers;
 * common/wire/xml.c's strict check of an answer. */
#include "base/text.h"
#include "wire/xml.h"
#include "tap.h"

static enum text_problem check(const char *s, size_t max, size_t *at, unsigned *cp)
{
	return text_check(s, strlen(s), max, at, cp);
}

static const char *clean(const char *s, struct buf *b)
{
	buf_reset(b);
	text_clean(s, strlen(s), b);
	return buf_str(b);
}

int main(void)
{
	size_t at = 99;
	unsigned cp = 0;
	is_int(check("", 10, &at, &cp), TEXT_OK, "the empty value is text");
	is_int(check("ABC AMI, v2 (beta) \"quoted\" <&> ~", 100, &at, &cp), TEXT_OK, "printable ASCII");
	is_int(check("caf\xC3\xA9 \xE8\xA3\xBD\xE5\x93\x81 \xF0\x9F\x98\x80", 100, &at, &cp), TEXT_OK,
	       "2-, 3- and 4-byte UTF-8");
	is_int(check("a\001b", 10, &at, &cp), TEXT_CONTROL, "U+0001 refused");
	is_int(at, 1, "at its offset");
	is_int(cp, 1, "naming it");
	is_int(check("a\tb", 10, &at, &cp), TEXT_CONTROL, "tab refused (records are TAB-separated)");
	is_int(check("a\nb", 10, &at, &cp), TEXT_CONTROL, "newline refused");
	is_int(check("a\rb", 10, &at, &cp), TEXT_CONTROL, "carriage return refused");
	is_int(check("a\x7f", 10, &at, &cp), TEXT_CONTROL, "DEL refused");
	is_int(check("a\xC2\x85", 10, &at, &cp), TEXT_CONTROL, "C1 control U+0085 refused");
	is_int(cp, 0x85, "named as U+0085");
	is_int(check("\xEF\xBF\xBE", 10, &at, &cp), TEXT_CONTROL, "U+FFFE refused (not an XML character)");
	is_int(check("\xEF\xBF\xBF", 10, &at, &cp), TEXT_CONTROL, "U+FFFF refused");
	is_int(check("\xEF\xBF\xBD", 10, &at, &cp), TEXT_OK, "U+FFFD is text");
	is_int(check("a\xE2\x80\xA8" "b", 10, &at, &cp), TEXT_CONTROL, "U+2028 (line separator) refused");
	is_int(cp, 0x2028, "named as U+2028");
	is_int(check("\xE2\x80\xA9", 10, &at, &cp), TEXT_CONTROL, "U+2029 (paragraph separator) refused");
	is_int(check("\xE2\x80\xAA", 10, &at, &cp), TEXT_CONTROL, "U+202A refused");
	is_int(check("\xE2\x80\xAE", 10, &at, &cp), TEXT_CONTROL, "U+202E (right-to-left override) refused");
	is_int(check("\xE2\x81\xA6", 10, &at, &cp), TEXT_CONTROL, "U+2066 refused");
	is_int(check("\xE2\x81\xA9", 10, &at, &cp), TEXT_CONTROL, "U+2069 refused");
	is_int(check("\xE2\x80\x8E", 10, &at, &cp), TEXT_CONTROL, "U+200E refused");
	is_int(check("\xE2\x80\x8F", 10, &at, &cp), TEXT_CONTROL, "U+200F refused");
	is_int(check("\xD8\x9C", 10, &at, &cp), TEXT_CONTROL, "U+061C (Arabic letter mark) refused");
	is_int(check("\xE2\x80\xA7\xE2\x80\xAF\xE2\x81\xA5\xE2\x81\xAA\xE2\x80\x8D", 20, &at, &cp), TEXT_OK,
	       "their neighbours U+2027, U+202F, U+2065, U+206A, U+200D are text");
	is_int(check("img\xFF", 10, &at, &cp), TEXT_BAD_UTF8, "byte 0xFF refused");
	is_int(at, 3, "at its offset");
	is_int(cp, 0xFF, "naming the byte");
	is_int(check("\xC3", 10, &at, &cp), TEXT_BAD_UTF8, "a cut sequence refused");
	is_int(check("\xC3\x28", 10, &at, &cp), TEXT_BAD_UTF8, "a bad continuation byte refused");
	is_int(check("\xC0\xAF", 10, &at, &cp), TEXT_BAD_UTF8, "an overlong '/' refused");
	is_int(check("\xE0\x80\xAF", 10, &at, &cp), TEXT_BAD_UTF8, "an overlong 3-byte form refused");
	is_int(check("\xED\xA0\x80", 10, &at, &cp), TEXT_BAD_UTF8, "a surrogate refused");
	is_int(check("\xF4\x90\x80\x80", 10, &at, &cp), TEXT_BAD_UTF8, "above U+10FFFF refused");
	is_int(check("\x80", 10, &at, &cp), TEXT_BAD_UTF8, "a lone continuation byte refused");
	is_int(check("abcd", 4, &at, &cp), TEXT_OK, "exactly the limit");
	is_int(check("abcde", 4, &at, &cp), TEXT_TOO_LONG, "one byte over the limit");
	is_int(check("\xC3\xA9\xC3\xA9\xC3\xA9", 5, &at, &cp), TEXT_TOO_LONG, "the limit counts bytes");
	unsigned char all[256];
	for (int i = 0; i < 255; i++)
		all[i] = (unsigned char)(i + 1);
	all[255] = 0;
	struct buf b = BUF_INIT;
	text_clean((const char *)all, 255, &b);
	is_int(text_check(b.p, b.len, 100000, &at, &cp), TEXT_OK, "text_clean of every byte is text");
	is_str(clean("plain é", &b), "plain é", "clean text is unchanged");
	is_str(clean("a\001b\tc", &b), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c", "controls become U+FFFD");
	is_str(clean("img\xFF", &b), "img\xEF\xBF\xBD", "a bad byte becomes U+FFFD");
	is_str(clean("cut\xE8\xA3", &b), "cut\xEF\xBF\xBD\xEF\xBF\xBD", "a cut sequence at the end too");
	buf_reset(&b);
	text_quote("a\001\\b\xFF", 64, &b);
	is_str(buf_str(&b), "a\\x01\\x5Cb\\xFF", "text_quote escapes what is not printable ASCII");
	buf_reset(&b);
	text_quote("abcdef", 3, &b);
	is_str(buf_str(&b), "abc...", "text_quote cuts at max");

	struct buf why = BUF_INIT;
	const char *good = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A xmlns=\"urn:x\"><b>\xC3\xA9</b></A>\n";
	is_int(xml_well_formed(good, strlen(good), &why), 0, "a well-formed answer passes the strict check");
	const char *nodecl = "<A><b>x</b></A>";
	is_int(xml_well_formed(nodecl, strlen(nodecl), &why), 0, "the XML declaration is optional");
	const char *bad[] = {
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A><b>a\001b</b></A>\n",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A><b>img\xFF</b></A>\n",
		"<A><b>x</A>",
		"<A><p:b>x</p:b></A>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><A/>",
		"not xml",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&why);
		is_int(xml_well_formed(bad[i], strlen(bad[i]), &why), -1, "malformed answer %zu is caught", i);
		ok(why.len > 0, "with a reason: %s", buf_str(&why));
	}
	buf_release(&why);
	buf_release(&b);
	return tap_done();
}
