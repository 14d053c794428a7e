/* SPDX-License-Identifier: Apache-2.0 */
/* common/base/ids.c: the shapes of the identifiers. */
#include <ctype.h>
#include "base/ids.h"
#include "tap.h"

static int all_of(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

int main(void)
{
	const char *lhex = "0123456789abcdef";
	char a[64], b[64];
	id_new(a, sizeof a, "ami-", 8);
	ok(strlen(a) == 12 && !strncmp(a, "ami-", 4) && all_of(a + 4, lhex), "id_new ami- 8: '%s'", a);
	id_new(a, sizeof a, "ami-", 17);
	ok(strlen(a) == 21 && !strncmp(a, "ami-", 4) && all_of(a + 4, lhex), "id_new ami- 17: '%s'", a);
	id_new(b, sizeof b, "ami-", 17);
	ok(strcmp(a, b), "two ids differ");
	id_new(a, sizeof a, "i-", 32);
	ok(strlen(a) == 34 && all_of(a + 2, lhex), "id_new of 32 digits: '%s'", a);
	id_new(a, sizeof a, "x-", 40);
	ok(strlen(a) == 34 && all_of(a + 2, lhex), "id_new gives at most 32 digits: '%s'", a);
	id_new(a, 8, "ami-", 17);
	is_int(strlen(a), 7, "id_new stays inside a small buffer");

	char pc[9];
	int seen_letter = 0;
	for (int i = 0; i < 50; i++) {
		id_product_code(pc);
		if (!ok(strlen(pc) == 8 && all_of(pc, "0123456789ABCDEF"), "product code '%s'", pc))
			break;
		seen_letter |= strpbrk(pc, "ABCDEF") != NULL;
	}
	ok(seen_letter, "product codes use the upper-case hex letters");

	char acct[13];
	for (int i = 0; i < 50; i++) {
		id_account(acct);
		if (!ok(strlen(acct) == 12 && all_of(acct, "0123456789") && acct[0] != '0', "account '%s'", acct))
			break;
	}

	char u[37];
	id_uuid(u);
	int shape = strlen(u) == 36;
	for (int i = 0; i < 36 && shape; i++)
		shape = (i == 8 || i == 13 || i == 18 || i == 23) ? u[i] == '-' : strchr(lhex, u[i]) != NULL;
	ok(shape, "uuid '%s' is 8-4-4-4-12 hex", u);
	/* version 4, RFC variant: every one of many, so no random luck passes */
	int v4 = 1;
	for (int k = 0; k < 200 && v4; k++) {
		id_uuid(u);
		v4 = u[14] == '4' && strchr("89ab", u[19]) != NULL;
	}
	ok(v4, "uuids carry the version-4 and variant bits: '%s'", u);

	char s[100];
	id_base64(s, sizeof s, 48);
	ok(strlen(s) == 64 && all_of(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
	   "id_base64 of 48 bytes is 64 characters: '%s'", s);
	id_base64(s, sizeof s, 16);
	ok(strlen(s) == 24 && s[22] == '=' && s[23] == '=', "id_base64 of 16 bytes is padded: '%s'", s);
	id_base64(s, sizeof s, 1000);
	is_int(strlen(s), 88, "id_base64 caps at 64 bytes");
	return tap_done();
}
