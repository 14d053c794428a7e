/* SPDX-License-Identifier: Apache-2.0 */
/* devpayd's request path without the socket: the URL's query string, the
 * headers and the form body of a request go through authentication
 * (auth_check) and, when they pass, into the service (service_handle) on a
 * real store, as cmd/devpayd.c does. The first byte's bits say whether the
 * harness signs the request properly (SigV4, or SigV2) so that fuzzed
 * parameters reach the handlers, and whether it is a GET.
 *
 * Input: FLAGS, then "Header: value" lines, an empty line, the URL's query
 * string on one line, then the body. Every answer is an XML document the
 * client's parser reads, with a status the service may give. */
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>
#include "service/auth.h"
#include "base/clock.h"
#include "base/curl_dl.h"
#include "service/service.h"
#include "wire/sigv2.h"
#include "wire/sigv4.h"
#include "store/store.h"
#include "wire/xml.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

#define KEY "AKFUZZ00000000000001"
#define SECRET "fuzz-secret"

static struct store *st;
static char fuzz_store[] = "/tmp/devpay-fuzz-request-XXXXXX";

static void cleanup(void)
{
	store_close(st);
	char p[64];
	unlink(fuzz_store);
	snprintf(p, sizeof p, "%s-wal", fuzz_store);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", fuzz_store);
	unlink(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	int fd = mkstemp(fuzz_store);
	if (fd < 0)
		abort();
	close(fd);
	char account[13];
	if (store_open(fuzz_store, &st) || service_add_account(st, KEY, SECRET, 1700000000, account))
		abort();
	atexit(cleanup);
	xmlInitParser();
	if (curl_dl_load())
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	int flags = data[0];
	char *s = fuzz_string(data + 1, size - 1);
	/* headers up to an empty line */
	struct sigv4_header h[40];
	size_t nh = 0;
	char *p = s;
	while (*p && *p != '\n' && nh < 36) {
		char *eol = strchr(p, '\n');
		if (eol)
			*eol = '\0';
		char *colon = strchr(p, ':');
		if (colon) {
			*colon = '\0';
			const char *v = colon + 1;
			while (*v == ' ')
				v++;
			h[nh++] = (struct sigv4_header){ p, v };
		}
		p = eol ? eol + 1 : p + strlen(p);
	}
	if (*p == '\n')
		p++;
	char *url = p, *body = strchr(p, '\n');
	if (body)
		*body++ = '\0';
	else
		body = url + strlen(url);
	const char *method = flags & 4 ? "GET" : "POST";

	struct query get = QUERY_INIT, q = QUERY_INIT;
	struct buf xml = BUF_INIT, signed_body = BUF_INIT, authz = BUF_INIT;
	int status = 0;
	if (query_parse(&get, url, strlen(url)))
		goto out;
	for (size_t i = 0; i < get.n; i++)
		query_add(&q, get.v[i].name, get.v[i].value);
	if (query_parse(&q, body, strlen(body)))
		goto out;
	int64_t now = (int64_t)time(NULL);
	char amz[17], ts[32];
	sigv4_format_date(now, amz);
	if (flags & 1) {
		/* sign as a client would, so that the request reaches the service */
		h[nh++] = (struct sigv4_header){ "Host", "127.0.0.1:8773" };
		h[nh++] = (struct sigv4_header){ "X-Amz-Date", amz };
		if (flags & 2) {
			clock_format_wire(now, ts);
			query_set(&q, "AWSAccessKeyId", KEY);
			query_set(&q, "SignatureMethod", "HmacSHA256");
			query_set(&q, "SignatureVersion", "2");
			query_set(&q, "Timestamp", ts);
			struct buf sts = BUF_INIT, sig = BUF_INIT;
			if (sigv2_sign(method, "127.0.0.1:8773", "/", &q, SECRET, &sts, &sig) == DP_OK)
				query_set(&q, "Signature", buf_str(&sig));
			buf_release(&sts);
			buf_release(&sig);
			nh--; /* SigV2: no X-Amz-Date, no Authorization */
		} else {
			struct buf qs = BUF_INIT;
			query_encode(&get, 0, NULL, &qs);
			struct sigv4_request r = { .method = method, .path = "/", .query = buf_str(&qs),
						   .headers = h + nh - 2, .nheaders = 2, .payload = body,
						   .payload_len = strlen(body), .amz_date = amz,
						   .region = "us-east-1", .service = "ec2",
						   .access_key = KEY, .secret = SECRET };
			struct sigv4_result out = SIGV4_RESULT_INIT;
			if (sigv4_sign(&r, &out) == DP_OK) {
				buf_adds(&authz, buf_str(&out.authorization));
				h[nh++] = (struct sigv4_header){ "Authorization", buf_str(&authz) };
			}
			sigv4_result_release(&out);
			buf_release(&qs);
		}
	}
	struct auth_request ar = { .method = method, .path = "/", .headers = h, .nheaders = nh,
				   .url_query = &get, .params = &q, .body = body,
				   .body_len = strlen(body), .v2_region = "us-east-1",
				   .real_now = now };
	struct auth_result who;
	if (auth_check(st, &ar, &who)) {
		fuzz_check(who.refusal.status >= 400 && who.refusal.status < 600 && who.refusal.code);
		status = who.refusal.status;
		service_error_doc(who.refusal.code, who.refusal.message, &xml);
	} else {
		fuzz_check(flags & 1); /* only the harness's signature passes */
		struct service_call call = { .st = st, .account = who.account, .region = who.region,
					     .q = &q, .now = 1700000000 };
		status = service_handle(&call, &xml);
	}
	fuzz_check(status >= 200 && status < 600);
	struct response r;
	struct buf msg = BUF_INIT;
	enum dp_err e = response_parse(xml.p, xml.len, status, &r, &msg);
	if (status < 400 ? e != DP_OK : e != DP_ERR_SERVICE)
		fprintf(stderr, "status %d, answer:\n%.*s\n", status, (int)xml.len, xml.p ? xml.p : "");
	fuzz_check(status < 400 ? e == DP_OK : e == DP_ERR_SERVICE);
	response_release(&r);
	buf_release(&msg);
out:
	buf_release(&xml);
	buf_release(&signed_body);
	buf_release(&authz);
	query_release(&get);
	query_release(&q);
	free(s);
	return 0;
}
