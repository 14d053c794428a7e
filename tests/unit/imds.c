/* SPDX-License-Identifier: Apache-2.0 */
/* common/server/imds.c: devpay-metadata's paths without a store (trailing
 * slashes, dated versions, user data byte for byte); common/base/base64.c:
 * canonical base64 only. */
#include <string.h>
#include "base/base64.h"
#include "server/imds.h"
#include "tap.h"

/* The answer at path, "" (and *found 0) when there is none. */
static const char *at(const char *path, const struct imds_view *v, struct buf *b, int *found)
{
	buf_reset(b);
	*found = imds_answer(path, v, b);
	return buf_str(b);
}

int main(void)
{
	struct imds_view v;
	memset(&v, 0, sizeof v);
	strcpy(v.id, "i-0123456789abcdef0");
	strcpy(v.zone, "us-east-1a");
	struct buf b = BUF_INIT;
	int found;
	is_str(at("/latest/meta-data/instance-id", &v, &b, &found), "i-0123456789abcdef0", "a leaf");
	is_str(at("/latest/meta-data/instance-id/", &v, &b, &found), "i-0123456789abcdef0",
	       "a leaf with a trailing slash");
	is_str(at("/latest/meta-data/placement/availability-zone/", &v, &b, &found), "us-east-1a",
	       "botocore's region lookup");
	at("/latest/meta-data/instance-id//", &v, &b, &found);
	is_int(found, 0, "two trailing slashes: none");
	is_str(at("/2009-04-04/meta-data/instance-id", &v, &b, &found), "i-0123456789abcdef0",
	       "a dated version serves latest's view");
	is_str(at("/1.0/meta-data/placement/availability-zone", &v, &b, &found), "us-east-1a",
	       "the oldest version too");
	at("/2010-01-01/meta-data/instance-id", &v, &b, &found);
	is_int(found, 0, "a version that is not one: none");
	at("/1.0x/meta-data/instance-id", &v, &b, &found);
	is_int(found, 0, "a version's prefix is not the version");
	ok(!strncmp(at("/", &v, &b, &found), "1.0\n2007-01-19\n", 15), "/ lists the versions, oldest first");
	ok(strstr(buf_str(&b), "\n2009-04-04\nlatest") != NULL, "... then latest");
	is_str(at("/latest/", &v, &b, &found), "dynamic\nmeta-data", "no user data: not listed");
	at("/latest/user-data", &v, &b, &found);
	is_int(found, 0, "no user data: 404");
	memcpy(v.user_data, "bin\0ary", 7);
	v.user_data_len = 7;
	is_str(at("/2009-04-04/", &v, &b, &found), "dynamic\nmeta-data\nuser-data", "user data listed");
	at("/latest/user-data", &v, &b, &found);
	ok(found && b.len == 7 && !memcmp(b.p, "bin\0ary", 7), "user data byte for byte, a NUL included");

	/* base64: canonical only */
	struct buf d = BUF_INIT;
	is_int(base64_decode("aGVsbG8=", 8, 100, &d), 0, "padded base64");
	is_str(buf_str(&d), "hello", "decoded");
	buf_reset(&d);
	is_int(base64_decode("aGVsbG8", 7, 100, &d), -1, "unpadded refused");
	is_int(base64_decode("aGk=aGk=", 8, 100, &d), -1, "padding inside refused");
	is_int(base64_decode("aGl=", 4, 100, &d), -1, "bits after the last byte refused");
	is_int(base64_decode("aG k", 4, 100, &d), -1, "a space refused");
	is_int(base64_decode("aGVsbG8=", 8, 4, &d), -2, "more than max: -2");
	is_int((int)d.len, 0, "nothing appended on a refusal");
	base64_encode("hi", 2, &d);
	is_str(buf_str(&d), "aGk=", "encoded");
	buf_release(&b);
	buf_release(&d);
	return tap_done();
}
