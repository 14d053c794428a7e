/* SPDX-License-Identifier: Apache-2.0 */
/* common/service/service.c: the commit and the answer agree, and the answer
 * is written without libxml2: with libxml2's allocator failing every call,
 * each request still answers 200 with its change committed exactly once, in
 * well-formed XML (the answers are appended to one buffer as the handler
 * goes, service.c: svc_open, svc_elem). Also the text check at the boundary. */
#include <stdlib.h>
#include <unistd.h>
#include <libxml/xmlmemory.h>
#include "service/service.h"
#include "base/text.h"
#include "wire/xml.h"
#include "tap.h"

static long budget = -1; /* allocations left before failing; -1: never fail */

static void *fail_malloc(size_t n)
{
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return malloc(n);
}

static void *fail_realloc(void *p, size_t n)
{
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return realloc(p, n);
}

static char *fail_strdup(const char *s)
{
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return strdup(s);
}

static int count(struct store *st, const char *table)
{
	char sql[64];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	struct store_rows *s = store_query(st, sql, "");
	int n = s && store_step(s) == STORE_ROW ? store_int(s, 0) : -1;
	store_done(s);
	return n;
}

/* Runs the request with libxml2's allocator failing from the first call. */
static void agree(struct store *st, const char *account, const char *table, struct query *q,
		  const char *what)
{
	int before = count(st, table);
	struct buf xml = BUF_INIT, why = BUF_INIT;
	struct service_call c = { .st = st, .account = account, .region = "us-east-1", .q = q,
				  .now = 1700000000 };
	budget = 0;
	int status = service_handle(&c, &xml);
	budget = -1;
	int after = count(st, table);
	is_int(status, 200, "%s: answered with libxml2's allocator failing (the answer needs none)", what);
	is_int(after, before + 1, "%s: committed exactly once", what);
	int wf = xml_well_formed(xml.p, xml.len, &why);
	is_int(wf, 0, "%s: the answer is well-formed XML", what);
	if (wf)
		printf("#   %s\n#   %s\n", buf_str(&why), buf_str(&xml));
	buf_release(&xml);
	buf_release(&why);
}

static int refused_text(struct store *st, const char *account, const char *name, const char *value,
			const char *want)
{
	struct query q = QUERY_INIT;
	query_add(&q, "Action", "RegisterImage");
	query_add(&q, "Version", "2016-11-15");
	query_add(&q, name, value);
	if (strcmp(name, "Name"))
		query_add(&q, "Name", "n");
	struct buf xml = BUF_INIT, why = BUF_INIT;
	struct service_call c = { .st = st, .account = account, .region = "us-east-1", .q = &q,
				  .now = 1700000000 };
	int before = count(st, "images");
	int status = service_handle(&c, &xml);
	int r = status == 400 && strstr(buf_str(&xml), "<Code>InvalidParameterValue</Code>") &&
		strstr(buf_str(&xml), want) && count(st, "images") == before &&
		!xml_well_formed(xml.p, xml.len, &why);
	if (!r)
		printf("#   %d %s\n", status, buf_str(&xml));
	buf_release(&xml);
	buf_release(&why);
	query_release(&q);
	return r;
}

int main(void)
{
	char dir[] = "/tmp/devpay-unit-service.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[64];
	snprintf(path, sizeof path, "%s/store.db", dir);
	struct store *st;
	if (store_open(path, &st))
		return 1;
	char account[13];
	int created;
	struct buf xml = BUF_INIT;
	is_int(service_auth_local(st, "AKUNIT0000000000001", "secret", 1700000000, account, &created, &xml), 0,
	       "an account");
	xmlMemSetup(free, fail_malloc, fail_realloc, fail_strdup);

	struct query q = QUERY_INIT;
	query_add(&q, "Action", "RegisterProduct");
	query_add(&q, "Version", "2008-06-01");
	query_add(&q, "Name", "ABC AMI");
	query_add(&q, "Platform.1", "linux");
	query_add(&q, "InstanceType.1.Name", "m1.small");
	query_add(&q, "InstanceType.1.Price", "0.20");
	agree(st, account, "products", &q, "RegisterProduct");
	query_release(&q);

	char name[32];
	query_add(&q, "Action", "RegisterImage");
	query_add(&q, "Version", "2016-11-15");
	query_add(&q, "Name", "first");
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "image-%d", i);
		query_set(&q, "Name", name);
		agree(st, account, "images", &q, name);
	}
	query_release(&q);

	ok(refused_text(st, account, "Name", "a\001b", "Value for parameter Name is invalid: it contains the control character U+0001 at offset 1"),
	   "a control character in Name refused before anything is written");
	ok(refused_text(st, account, "Description", "img\xFF", "Value for parameter Description is invalid: it is not valid UTF-8 (byte 0xFF at offset 3)"),
	   "invalid UTF-8 in Description refused");
	char *long_value = malloc(TEXT_MAX_VALUE + 2);
	memset(long_value, 'x', TEXT_MAX_VALUE + 1);
	long_value[TEXT_MAX_VALUE + 1] = '\0';
	ok(refused_text(st, account, "Description", long_value, "it is longer than 4096 bytes"),
	   "a value over %d bytes refused", TEXT_MAX_VALUE);
	long_value[TEXT_MAX_VALUE] = '\0';
	ok(refused_text(st, account, "Description\xFF", "x", "Parameter name Description\\xFF is invalid"),
	   "a parameter name that is not UTF-8 refused, shown escaped");
	char long_name[TEXT_MAX_NAME + 2];
	memset(long_name, 'N', TEXT_MAX_NAME + 1);
	long_name[TEXT_MAX_NAME + 1] = '\0';
	ok(refused_text(st, account, long_name, "x", "is invalid: it is longer than 128 bytes"),
	   "a parameter name over %d bytes refused", TEXT_MAX_NAME);
	long_name[TEXT_MAX_NAME] = '\0';
	{
		struct query q1 = QUERY_INIT;
		struct buf m1 = BUF_INIT;
		query_add(&q1, long_name, long_value);
		is_int(service_check_text(&q1, &m1), 0, "a %d-byte name with a %d-byte value is text",
		       TEXT_MAX_NAME, TEXT_MAX_VALUE);
		query_release(&q1);
		buf_release(&m1);
	}
	free(long_value);

	struct query big = QUERY_INIT;
	query_add(&big, "Action", "DescribeImages");
	for (int i = 1; i < TEXT_MAX_PARAMS; i++)
		query_addf(&big, "X", "%d", i);
	buf_reset(&xml);
	is_int(service_check_text(&big, &xml), 0, "%d parameters accepted", TEXT_MAX_PARAMS);
	query_add(&big, "Y", "1");
	is_int(service_check_text(&big, &xml), -1, "%d refused", TEXT_MAX_PARAMS + 1);
	query_release(&big);
	buf_release(&xml);
	store_close(st);
	unlink(path);
	char wal[80];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
	rmdir(dir);
	return tap_done();
}
