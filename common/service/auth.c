/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include "base/crypto_dl.h"
#include "service/auth.h"
#include "base/clock.h"
#include "base/rates.h"
#include "service/service.h"
#include "wire/sigv2.h"

int auth_refuse(struct auth_refusal *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	r->status = status;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
	return -1;
}

static int refuse_signature(struct auth_result *o)
{
	return auth_refuse(&o->refusal, 403, "SignatureDoesNotMatch",
		      "The request signature we calculated does not match the signature you provided. "
		      "Check your AWS Secret Access Key and signing method.");
}

static void wipe_free(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

char *auth_header(const struct auth_request *r, const char *name)
{
	struct buf v = BUF_INIT;
	int seen = 0;
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name)) {
			if (seen++)
				buf_addc(&v, ',');
			buf_adds(&v, r->headers[i].value ? r->headers[i].value : "");
		}
	if (!seen)
		return NULL;
	buf_addc(&v, '\0'); /* an empty value is still a value */
	return buf_detach(&v);
}

int auth_valid_region(const char *s)
{
	if (!*s || strlen(s) >= 40)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int near(const struct auth_request *r, int64_t t)
{
	return t >= r->real_now - AUTH_MAX_SKEW && t <= r->real_now + AUTH_MAX_SKEW;
}

/* The secret of a known key: the one this thread kept (o->kept) unless
 * FRESH. */
static int known_key(struct store *st, struct auth_result *o, char **secret, int fresh)
{
	if (fresh) {
		service_forget_key(o->key);
		wipe_free(*secret);
		*secret = NULL;
	}
	int k = service_lookup_key_kept(st, o->key, o->account, secret, &o->kept, o->kept_hash);
	if (k < 0)
		return auth_refuse(&o->refusal, 500, "InternalError", "the store failed");
	if (k == 1)
		return auth_refuse(&o->refusal, 401, "AuthFailure",
			      "AWS was not able to validate the provided access credentials");
	if (!**secret) {
		/* a local account: the store has only a hash of its secret */
		free(*secret);
		*secret = NULL;
		return auth_refuse(&o->refusal, 401, "AuthFailure",
				   "access key %s has a local account whose secret this server cannot "
				   "verify signatures with: an operator must add it "
				   "(devpayd --add-account %s, the secret on standard input)",
				   o->key, o->key);
	}
	return 0;
}

/* Room in h and at for one more header. */
static void room_for_one(struct sigv4_header **h, size_t **at, size_t n, size_t *cap)
{
	if (n < *cap)
		return;
	*cap *= 2;
	*h = xrealloc(*h, *cap * sizeof **h);
	*at = xrealloc(*at, *cap * sizeof **at);
}

/* The headers the client says it signed, each as received: a name received
 * twice is there twice, so that the canonical form trims each value before
 * joining them (sigv4.c), as SigV4 does. Their names are kept in text, the
 * values point into r. -1 when one is missing or host or x-amz-date is not
 * among them. */
static int signed_headers(const struct auth_request *r, const char *list, struct sigv4_header **h,
			  size_t *n, struct buf *text)
{
	size_t names = 1;
	for (const char *p = list; *p; p++)
		names += *p == ';';
	size_t cap = names + r->nheaders;
	*h = xcalloc(cap, sizeof **h);
	*n = 0;
	/* the names' offsets into text, pointers once it stops growing */
	size_t *at = xcalloc(cap, sizeof *at);
	int host = 0, date = 0, missing = 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ";");
		if (len) {
			size_t name = text->len, seen = 0;
			buf_add(text, p, len);
			buf_addc(text, '\0');
			host |= !strcmp(text->p + name, "host");
			date |= !strcmp(text->p + name, "x-amz-date");
			for (size_t i = 0; i < r->nheaders; i++)
				if (!strcasecmp(r->headers[i].name, text->p + name)) {
					/* a name the list gives twice: its headers twice */
					room_for_one(h, &at, *n, &cap);
					at[*n] = name;
					(*h)[(*n)++].value = r->headers[i].value ? r->headers[i].value : "";
					seen++;
				}
			if (!seen) {
				missing = 1;
				room_for_one(h, &at, *n, &cap);
				at[*n] = name;
				(*h)[(*n)++].value = "";
			}
		}
		p += len;
		if (*p)
			p++;
	}
	for (size_t k = 0; k < *n; k++)
		(*h)[k].name = text->p + at[k];
	free(at);
	return host && date && !missing ? 0 : -1;
}

static int check_v4(struct store *st, const struct auth_request *r, const char *authz,
		    struct auth_result *o)
{
	struct sigv4_auth a;
	if (sigv4_parse_auth(authz, &a))
		return auth_refuse(&o->refusal, 400, "IncompleteSignature",
			      "The Authorization header is not a well-formed AWS Signature Version 4 header");
	str_cut(o->key, sizeof o->key, a.access_key);
	char *date = auth_header(r, "X-Amz-Date"), *secret = NULL;
	struct sigv4_header *h = NULL;
	struct buf text = BUF_INIT;
	size_t n = 0;
	int64_t t;
	int rc = -1;
	if (!date || sigv4_parse_date(date, &t))
		auth_refuse(&o->refusal, 400, "IncompleteSignature",
		       "The request must carry an X-Amz-Date header (YYYYMMDDTHHMMSSZ)");
	else if (strncmp(date, a.date, 8))
		auth_refuse(&o->refusal, 403, "SignatureDoesNotMatch",
		       "The credential scope's date does not match X-Amz-Date");
	else if (!near(r, t))
		auth_refuse(&o->refusal, 400, "RequestExpired", "Request has expired: its time %s is more than 15 "
		       "minutes away from the server's clock", date);
	else if (!auth_valid_region(a.region))
		auth_refuse(&o->refusal, 400, "IncompleteSignature", "The credential scope names an invalid region");
	else if (strcmp(a.service, "ec2"))
		auth_refuse(&o->refusal, 403, "SignatureDoesNotMatch",
		       "Credential should be scoped to correct service: 'ec2'.");
	else if (!region_valid(a.region)) {
		/* a region this service does not serve (the AWS CLI's us-east-2,
		 * say): said as such, not as a wrong secret */
		char served[200] = "";
		for (int i = 0; regions[i]; i++)
			snprintf(served + strlen(served), sizeof served - strlen(served), "%s%s",
				 i ? ", " : "", regions[i]);
		auth_refuse(&o->refusal, 400, "InvalidRegion",
			    "The request is signed for region '%s', which this service does not serve; "
			    "it serves %s", a.region, served);
	}
	else if (signed_headers(r, a.signed_headers, &h, &n, &text))
		auth_refuse(&o->refusal, 400, "IncompleteSignature", "SignedHeaders must list host and x-amz-date, "
		       "and only headers the request carries");
	else if (!known_key(st, o, &secret, 0)) {
		struct buf qs = BUF_INIT;
		query_encode(r->url_query, 0, NULL, &qs);
		struct sigv4_request s = { .method = r->method, .path = r->path, .query = buf_str(&qs),
					   .headers = h, .nheaders = n, .payload = r->body ? r->body : "",
					   .payload_len = r->body_len, .amz_date = date, .region = a.region,
					   .service = a.service, .access_key = a.access_key,
					   .secret = secret };
		int ok = sigv4_verify(&s, a.signature);
		/* a secret kept may be one the key no longer has: looked up */
		if (ok == 0 && o->kept) {
			ok = -2; /* the refusal known_key fills */
			if (!known_key(st, o, &secret, 1)) {
				s.secret = secret;
				ok = sigv4_verify(&s, a.signature);
			}
		}
		buf_release(&qs);
		if (ok == -2)
			;
		else if (ok < 0)
			auth_refuse(&o->refusal, 500, "InternalError", "the signature could not be computed");
		else if (!ok)
			refuse_signature(o);
		else {
			str_cut(o->region, sizeof o->region, a.region);
			rc = 0;
		}
	}
	free(h);
	buf_release(&text);
	free(date);
	wipe_free(secret);
	sigv4_auth_release(&a);
	return rc;
}

static int check_v2(struct store *st, const struct auth_request *r, struct auth_result *o)
{
	const struct query *q = r->params;
	const char *sm = query_get(q, "SignatureMethod"), *ts = query_get(q, "Timestamp");
	const char *exp = query_get(q, "Expires"), *key = query_get(q, "AWSAccessKeyId");
	str_cut(o->key, sizeof o->key, key ? key : "");
	if (!key || !*key || !query_get(q, "Signature"))
		return auth_refuse(&o->refusal, 400, "IncompleteSignature",
			      "A Signature Version 2 request needs AWSAccessKeyId and Signature");
	if (!sm || strcmp(sm, "HmacSHA256"))
		return auth_refuse(&o->refusal, 400, "InvalidParameterValue", "SignatureMethod must be HmacSHA256");
	/* AWS refuses a request carrying both: which one bounds it is unclear */
	if (ts && exp)
		return auth_refuse(&o->refusal, 400, "InvalidParameterCombination",
				   "A Signature Version 2 request carries Timestamp or Expires, not both");
	int64_t t;
	if (ts) {
		/* the zone may be left out: UTC */
		struct buf z = BUF_INIT;
		buf_addf(&z, "%s%s", ts, strchr(ts, 'Z') || strchr(ts, '+') ? "" : "Z");
		int bad = clock_parse(buf_str(&z), &t);
		buf_release(&z);
		if (bad)
			return auth_refuse(&o->refusal, 400, "InvalidParameterValue", "Timestamp is not an ISO 8601 UTC time");
		if (!near(r, t))
			return auth_refuse(&o->refusal, 400, "RequestExpired", "Request has expired: its Timestamp %s is "
				      "more than 15 minutes away from the server's clock", ts);
	} else if (exp) {
		if (clock_parse(exp, &t))
			return auth_refuse(&o->refusal, 400, "InvalidParameterValue", "Expires is not an ISO 8601 UTC time");
		if (t < r->real_now)
			return auth_refuse(&o->refusal, 400, "RequestExpired", "Request has expired at %s", exp);
		/* a request valid for longer could be replayed for that long */
		if (t > r->real_now + AUTH_MAX_SKEW)
			return auth_refuse(&o->refusal, 400, "RequestExpired", "Request Expires %s is more than "
				      "15 minutes after the server's clock", exp);
	} else
		return auth_refuse(&o->refusal, 400, "MissingParameter", "The request must contain the parameter Timestamp");
	char *host = auth_header(r, "Host"), *secret = NULL;
	int rc = -1;
	if (!host)
		auth_refuse(&o->refusal, 400, "MissingParameter", "The request must carry a Host header");
	else if (!known_key(st, o, &secret, 0)) {
		int ok = sigv2_verify(r->method, host, r->path, q, secret);
		if (ok == 0 && o->kept)
			ok = known_key(st, o, &secret, 1) ? -2 : sigv2_verify(r->method, host, r->path, q, secret);
		if (ok == -2)
			;
		else if (ok < 0)
			auth_refuse(&o->refusal, 500, "InternalError", "the signature could not be computed");
		else if (!ok)
			refuse_signature(o);
		else {
			str_cut(o->region, sizeof o->region, r->v2_region);
			rc = 0;
		}
	}
	free(host);
	wipe_free(secret);
	return rc;
}

int auth_check(struct store *st, const struct auth_request *r, struct auth_result *out)
{
	memset(out, 0, sizeof *out);
	char *authz = auth_header(r, "Authorization");
	const char *v = query_get(r->params, "SignatureVersion");
	int rc;
	char *token = auth_header(r, "X-Amz-Security-Token");
	int signed_request = authz || (v && !strcmp(v, "2"));
	/* the service issues no session tokens: any one is not of ours */
	if (signed_request && (token || query_get(r->params, "SecurityToken") ||
			       query_get(r->params, "X-Amz-Security-Token"))) {
		snprintf(out->key, sizeof out->key, "%s",
			 query_get(r->params, "AWSAccessKeyId") ? query_get(r->params, "AWSAccessKeyId") : "");
		rc = auth_refuse(&out->refusal, 403, AUTH_TOKEN_CODE, "%s", AUTH_TOKEN_MESSAGE);
	} else if (authz)
		rc = check_v4(st, r, authz, out);
	else if (v && !strcmp(v, "2"))
		rc = check_v2(st, r, out);
	else
		rc = auth_refuse(&out->refusal, 401, "MissingAuthenticationToken", "Request is missing Authentication Token");
	free(authz);
	free(token);
	return rc;
}
