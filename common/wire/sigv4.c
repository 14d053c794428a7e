/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include "base/crypto_dl.h"
#include "wire/query.h"
#include "base/clock.h"
#include "wire/sigv4.h"

/* 32 bytes as 64 lower-case hex digits and a NUL (no printf: a request's
 * check writes three of these) */
static void hex32(const unsigned char b[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[64] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	if (crypto_sha256(data, len, md))
		memset(md, 0, sizeof md); /* a digest no signature matches */
	hex32(md, out);
}

static int hmac(const void *key, size_t keylen, const char *data, unsigned char out[32])
{
	return crypto_hmac_sha256(key, keylen, data, strlen(data), out);
}

void sigv4_format_date(int64_t t, char out[17])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Days from 1970-01-01 to a valid date of the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil): what timegm computes, without its time
 * zone machinery, for a date every request carries. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int sigv4_parse_date(const char *s, int64_t *t)
{
	struct tm tm = { 0 };
	if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return -1;
	tm.tm_year = atoi((char[]){ s[0], s[1], s[2], s[3], 0 }) - 1900;
	tm.tm_mon = atoi((char[]){ s[4], s[5], 0 }) - 1;
	tm.tm_mday = atoi((char[]){ s[6], s[7], 0 });
	tm.tm_hour = atoi((char[]){ s[9], s[10], 0 });
	tm.tm_min = atoi((char[]){ s[11], s[12], 0 });
	tm.tm_sec = atoi((char[]){ s[13], s[14], 0 });
	/* a real calendar date and time of day, never normalized by timegm */
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > clock_days_in_month(tm.tm_year + 1900, tm.tm_mon + 1) || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	*t = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
	     tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

/* A header as canonicalized: its lower-case name and trimmed value, both
 * offsets into one buffer of the request's headers. */
struct hdr {
	size_t name, name_len, value, value_len;
};

/* Appended: v trimmed, inner runs of spaces collapsed to one, as SigV4
 * canonicalizes. */
static void add_trimmed(struct buf *b, const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	while (*v) {
		const char *run = v;
		while (*v && *v != ' ' && *v != '\t')
			v++;
		buf_add(b, run, (size_t)(v - run));
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v)
			buf_addc(b, ' ');
	}
}

static int cmp_hdr(const char *text, const struct hdr *x, const struct hdr *y)
{
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(text + x->name, text + y->name, n);
	return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* The canonical headers (sorted by lower-case name, the values of a name
 * given twice joined with a comma in the order received) to out, their
 * names to names; text is scratch. A request signs a handful of headers:
 * no allocation each. */
static void canonical_headers(const struct sigv4_request *r, struct buf *out, struct buf *names,
			      struct buf *text)
{
	struct hdr few[16], *h = r->nheaders <= 16 ? few : xcalloc(r->nheaders, sizeof *h);
	size_t n = r->nheaders;
	buf_reset(text);
	for (size_t i = 0; i < n; i++) {
		h[i].name = text->len;
		h[i].name_len = strlen(r->headers[i].name);
		buf_add(text, r->headers[i].name, h[i].name_len);
		for (char *p = text->p + h[i].name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		h[i].value = text->len;
		add_trimmed(text, r->headers[i].value);
		h[i].value_len = text->len - h[i].value;
	}
	/* by name, the way strcmp orders them, a name's values kept in their
	 * order: an insertion sort (stable), for a handful */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && cmp_hdr(text->p, &h[k - 1], &h[k]) > 0; k--) {
			struct hdr t = h[k];
			h[k] = h[k - 1];
			h[k - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (i && !cmp_hdr(text->p, &h[i - 1], &h[i])) {
			buf_addc(out, ',');
		} else {
			if (i) {
				buf_addc(out, '\n');
				buf_addc(names, ';');
			}
			buf_add(out, text->p + h[i].name, h[i].name_len);
			buf_addc(out, ':');
			buf_add(names, text->p + h[i].name, h[i].name_len);
		}
		buf_add(out, text->p + h[i].value, h[i].value_len);
	}
	if (n)
		buf_addc(out, '\n');
	if (h != few)
		free(h);
}

static void canonical_uri(const char *path, struct buf *out)
{
	if (!path || !*path) {
		buf_addc(out, '/');
		return;
	}
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || strchr("-._~/", c))
			buf_addc(out, (char)c);
		else {
			char e[3] = { '%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15] };
			buf_add(out, e, 3);
		}
	}
}

/* The signature of sts: HMAC-SHA256 under the signing key of (secret, day,
 * region, service), a chain of four HMACs the same for every request of one
 * key on one day. devpayd verifies many requests of the same keys, so each
 * thread keeps the last key it derived, known by a hash of the secret (never
 * the secret itself) and the scope, and OpenSSL's HMAC context set up with
 * it (crypto_hmac_sha256_thread). */
static _Thread_local struct {
	int valid;
	unsigned char secret_md[32];
	char scope[128];
	unsigned char key[32];
} last_key;

static int sign_sts(const char *secret, const char *day, const char *region, const char *service,
		    const struct buf *scope, const struct buf *sts, unsigned char sig[32])
{
	unsigned char md[32];
	int cacheable = scope->len < sizeof last_key.scope;
	if (crypto_sha256(secret, strlen(secret), md))
		return -1;
	if (cacheable && last_key.valid && !CRYPTO_memcmp(md, last_key.secret_md, 32) &&
	    !strcmp(scope->p, last_key.scope))
		return crypto_hmac_sha256_thread(last_key.key, 32, 0, sts->p, sts->len, sig);
	struct buf k0 = BUF_INIT;
	buf_adds(&k0, "AWS4");
	buf_adds(&k0, secret);
	unsigned char k1[32], k2[32], k3[32], key[32];
	int bad = hmac(k0.p, k0.len, day, k1) || hmac(k1, 32, region, k2) ||
		  hmac(k2, 32, service, k3) || hmac(k3, 32, "aws4_request", key);
	OPENSSL_cleanse(k0.p, k0.len);
	buf_release(&k0);
	OPENSSL_cleanse(k1, 32);
	OPENSSL_cleanse(k2, 32);
	OPENSSL_cleanse(k3, 32);
	if (!bad && !cacheable)
		bad = crypto_hmac_sha256(key, 32, sts->p, sts->len, sig);
	else if (!bad) {
		last_key.valid = 1;
		memcpy(last_key.secret_md, md, 32);
		memcpy(last_key.scope, scope->p, scope->len + 1);
		memcpy(last_key.key, key, 32);
		bad = crypto_hmac_sha256_thread(key, 32, 1, sts->p, sts->len, sig);
	}
	OPENSSL_cleanse(key, 32);
	return bad ? -1 : 0;
}

enum dp_err sigv4_sign(const struct sigv4_request *r, struct sigv4_result *out)
{
	struct buf *c = &out->canonical;
	buf_reset(c);
	buf_reset(&out->string_to_sign);
	buf_reset(&out->signed_headers);
	buf_reset(&out->authorization);
	if (strlen(r->amz_date) != 16) {
		dp_err_set("bad signing date '%s'", r->amz_date);
		return DP_ERR_USAGE;
	}
	buf_adds(c, r->method);
	buf_addc(c, '\n');
	canonical_uri(r->path, c);
	buf_addc(c, '\n');
	if (r->query && *r->query) {
		struct query q = QUERY_INIT;
		query_parse(&q, r->query, strlen(r->query));
		query_encode(&q, 1, NULL, c);
		query_release(&q);
	}
	buf_addc(c, '\n');
	canonical_headers(r, c, &out->signed_headers, &out->scratch);
	char hash[65];
	sigv4_sha256_hex(r->payload ? r->payload : "", r->payload ? r->payload_len : 0, hash);
	buf_addc(c, '\n');
	buf_add(c, out->signed_headers.p ? out->signed_headers.p : "", out->signed_headers.len);
	buf_addc(c, '\n');
	buf_add(c, hash, 64);

	char day[9];
	memcpy(day, r->amz_date, 8);
	day[8] = '\0';
	struct buf scope = BUF_INIT;
	buf_add(&scope, day, 8);
	buf_addc(&scope, '/');
	buf_adds(&scope, r->region);
	buf_addc(&scope, '/');
	buf_adds(&scope, r->service);
	buf_adds(&scope, "/aws4_request");
	sigv4_sha256_hex(c->p, c->len, hash);
	struct buf *sts = &out->string_to_sign;
	buf_adds(sts, "AWS4-HMAC-SHA256\n");
	buf_add(sts, r->amz_date, 16);
	buf_addc(sts, '\n');
	buf_add(sts, scope.p, scope.len);
	buf_addc(sts, '\n');
	buf_add(sts, hash, 64);

	unsigned char sig[32];
	if (sign_sts(r->secret, day, r->region, r->service, &scope, sts, sig)) {
		buf_release(&scope);
		return DP_ERR_CRYPTO;
	}
	hex32(sig, out->signature);
	struct buf *a = &out->authorization;
	buf_adds(a, "AWS4-HMAC-SHA256 Credential=");
	buf_adds(a, r->access_key);
	buf_addc(a, '/');
	buf_add(a, scope.p, scope.len);
	buf_adds(a, ", SignedHeaders=");
	buf_add(a, out->signed_headers.p ? out->signed_headers.p : "", out->signed_headers.len);
	buf_adds(a, ", Signature=");
	buf_add(a, out->signature, 64);
	buf_release(&scope);
	return DP_OK;
}

void sigv4_result_release(struct sigv4_result *out)
{
	buf_release(&out->canonical);
	buf_release(&out->string_to_sign);
	buf_release(&out->signed_headers);
	buf_release(&out->authorization);
	buf_release(&out->scratch);
}

/* The thread's buffers, kept from one check to the next: a server checks a
 * signature a request. They hold what the request carried, never the
 * secret. */
static _Thread_local struct sigv4_result kept_result;

int sigv4_verify(const struct sigv4_request *r, const char *signature)
{
	struct sigv4_result *out = &kept_result;
	int ok = -1;
	if (!sigv4_sign(r, out))
		ok = strlen(signature) == 64 && !CRYPTO_memcmp(out->signature, signature, 64);
	/* a burst's memory is not kept */
	if (out->canonical.cap > 65536 || out->scratch.cap > 65536)
		sigv4_result_release(out);
	return ok;
}

void sigv4_thread_release(void)
{
	sigv4_result_release(&kept_result);
}

/* Splits "k=v" parts separated by ',' (and spaces) of the header after the
 * algorithm name. */
static int parse_auth(const char *header, struct sigv4_auth *a)
{
	memset(a, 0, sizeof *a);
	static const char alg[] = "AWS4-HMAC-SHA256";
	if (strncmp(header, alg, sizeof alg - 1) || (header[sizeof alg - 1] != ' '))
		return -1;
	a->copy = xstrdup(header + sizeof alg - 1);
	char *cred = NULL, *save = NULL;
	for (char *part = strtok_r(a->copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		while (*part == ' ')
			part++;
		char *end = part + strlen(part);
		while (end > part && end[-1] == ' ')
			*--end = '\0';
		if (!strncmp(part, "Credential=", 11))
			cred = part + 11;
		else if (!strncmp(part, "SignedHeaders=", 14))
			a->signed_headers = part + 14;
		else if (!strncmp(part, "Signature=", 10))
			a->signature = part + 10;
		else
			return -1;
	}
	if (!cred || !a->signed_headers || !a->signature || !*a->signed_headers)
		return -1;
	/* AKID/YYYYMMDD/region/service/aws4_request */
	char *f[5];
	int n = 0;
	for (char *p = cred; p; n++) {
		char *slash = strchr(p, '/');
		if (n == 5)
			return -1;
		f[n] = p;
		if (slash)
			*slash++ = '\0';
		p = slash;
	}
	if (n != 5 || strcmp(f[4], "aws4_request") || !*f[0] || strlen(f[1]) != 8 || !*f[2] ||
	    !*f[3] || strlen(a->signature) != 64)
		return -1;
	a->access_key = f[0];
	a->date = f[1];
	a->region = f[2];
	a->service = f[3];
	return 0;
}

int sigv4_parse_auth(const char *header, struct sigv4_auth *a)
{
	int r = parse_auth(header, a);
	if (r)
		sigv4_auth_release(a);
	return r;
}

void sigv4_auth_release(struct sigv4_auth *a)
{
	free(a->copy);
	memset(a, 0, sizeof *a);
}
