/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "base/err.h"
#include "service/service.h"
#include "server/log.h"
#include "server/pages_int.h"

#define COOKIE "devpay_session"

int pages_path(const char *url)
{
	return !strcmp(url, "/signin") || !strcmp(url, "/signout") || !strcmp(url, "/bill") ||
	       !strcmp(url, "/activity") || !strncmp(url, "/purchase/", 10);
}

int page_call(struct page *pg, struct query *q, const char *account, struct response *r,
	      struct buf *msg)
{
	struct buf xml = BUF_INIT, internal = BUF_INIT;
	struct service_call call = { .st = pg->st, .account = account, .region = pg->c->region,
				     .q = q, .now = pg->now, .internal = &internal, .endpoint = "" };
	int status = service_handle(&call, &xml);
	if (internal.len)
		slog("page %s: internal error: %s", query_get(q, "Action"), buf_str(&internal));
	buf_release(&internal);
	enum dp_err e = response_parse(buf_str(&xml), xml.len, status, r, msg);
	buf_release(&xml);
	if (e == DP_OK)
		return 0;
	if (!msg->len)
		buf_adds(msg, "The service could not answer");
	return status >= 400 ? status : 500;
}

void page_header(struct page *pg, const char *name, const char *value)
{
	struct front_reply *rp = pg->rp;
	int i = 0, t = 0;
	while (i < FRONT_HEADERS && rp->headers[i][0])
		i++;
	while (t < 2 && rp->header_text[t][0])
		t++;
	if (i == FRONT_HEADERS || t == 2)
		return;
	snprintf(rp->header_text[t], sizeof rp->header_text[t], "%s", value);
	rp->headers[i][0] = name;
	rp->headers[i][1] = rp->header_text[t];
}

void page_send(struct page *pg, unsigned status, const char *title, const struct buf *body)
{
	pg->rp->status = status;
	pg->rp->type = "text/html;charset=UTF-8";
	buf_reset(&pg->rp->body);
	html_head(&pg->rp->body, title, pg->signed_in, pg->s.csrf);
	buf_add(&pg->rp->body, buf_str(body), body->len);
	html_foot(&pg->rp->body);
}

void page_error(struct page *pg, unsigned status, const char *title, const char *msg)
{
	struct buf b = BUF_INIT;
	html_addf(&b, "<p class=\"error\" role=\"alert\">%s</p>\n", msg);
	page_send(pg, status, title, &b);
	buf_release(&b);
}

/* A local path to come back to: "/..." (never "//" or "/\"), of URL-safe
 * characters only, so it can go into a Location header as it is. */
static int local_path(const char *s)
{
	if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\' || strlen(s) > 400)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-._~?=&%+") ==
	       strlen(s);
}

static void signin_form(struct page *pg, unsigned status, const char *next, const char *error)
{
	struct buf b = BUF_INIT;
	if (error)
		html_addf(&b, "<p class=\"error\" role=\"alert\">%s</p>\n", error);
	html_addf(&b, "<p>Sign in with your AWS access key and secret access key to read your bill "
		      "and subscribe to products.</p>\n"
		      "<form method=\"post\" action=\"/signin\">\n"
		      "<input type=\"hidden\" name=\"next\" value=\"%s\">\n"
		      "<label for=\"access_key\">Access key ID</label>\n"
		      "<input id=\"access_key\" name=\"access_key\" required autocomplete=\"username\" "
		      "autocapitalize=\"off\" spellcheck=\"false\" size=\"30\">\n"
		      "<label for=\"secret_key\">Secret access key</label>\n"
		      "<input id=\"secret_key\" name=\"secret_key\" type=\"password\" required "
		      "autocomplete=\"current-password\" size=\"40\">\n"
		      "<p><button type=\"submit\">Sign in</button></p>\n</form>\n",
		  local_path(next) ? next : "/bill");
	page_send(pg, status, "Sign in", &b);
	buf_release(&b);
}

void page_need_signin(struct page *pg)
{
	struct buf here = BUF_INIT, loc = BUF_INIT, b = BUF_INIT;
	buf_adds(&here, pg->rq->url);
	if (pg->get.n) {
		buf_addc(&here, '?');
		query_encode(&pg->get, 0, NULL, &here);
	}
	buf_adds(&loc, "/signin?next=");
	query_escape(buf_str(&here), here.len, &loc);
	html_addf(&b, "<p>Please <a href=\"%s\">sign in</a> to see this page.</p>\n", buf_str(&loc));
	page_send(pg, 303, "Sign in needed", &b);
	if (loc.len < sizeof pg->rp->header_text[0])
		page_header(pg, "Location", buf_str(&loc));
	buf_release(&here);
	buf_release(&loc);
	buf_release(&b);
}

static void set_cookie(struct page *pg, const char *id, int64_t max_age)
{
	char v[300];
	snprintf(v, sizeof v, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", id,
		 (long long)max_age, pg->c->https ? "; Secure" : "");
	page_header(pg, "Set-Cookie", v);
}

/* 1 when the access key and secret are an account's, as devpayd checks a
 * signature's key (service_lookup_key): account filled. */
static int key_matches(struct page *pg, const char *key, const char *secret, char account[13])
{
	char *known = NULL;
	if (!*key || !*secret || strlen(key) > 128)
		return 0;
	int k = service_lookup_key(pg->st, key, account, &known);
	if (k < 0)
		slog("sign-in: the store failed: %s", dp_err_detail());
	int ok = k == 0 && known && *known && session_same(known, secret);
	if (known) {
		memset(known, 0, strlen(known));
		free(known);
	}
	return ok;
}

static void signin_post(struct page *pg, const struct query *form)
{
	const char *key = query_get(form, "access_key"), *secret = query_get(form, "secret_key");
	const char *next = query_get(form, "next");
	char account[13];
	if (!key || !secret || !key_matches(pg, key, secret, account)) {
		signin_form(pg, 401, next, "The access key and secret key do not match an account.");
		return;
	}
	if (pg->signed_in)
		session_end(pg->s.id);
	struct session s;
	if (session_new(account, key, (int64_t)time(NULL), &s)) {
		page_error(pg, 500, "Sign in", "No session could be made. Try again later.");
		return;
	}
	pg->signed_in = 1;
	pg->s = s;
	const char *to = local_path(next) ? next : "/bill";
	struct buf b = BUF_INIT;
	html_addf(&b, "<p>You are signed in. <a href=\"%s\">Continue</a>.</p>\n", to);
	page_send(pg, 303, "Signed in", &b);
	buf_release(&b);
	page_header(pg, "Location", to);
	set_cookie(pg, s.id, session_lifetime());
	slog("sign-in: access key %.40s, account %s", key, account);
}

/* The product's purchase page; notice or error (escaped) above it. */
static void purchase_page(struct page *pg, const char *code, unsigned status, const char *notice,
			  const char *error)
{
	struct query q = QUERY_INIT;
	struct response r = { 0 };
	struct buf msg = BUF_INIT, b = BUF_INIT;
	query_add(&q, "Action", "DescribeProducts");
	query_add(&q, "ProductCode.1", code);
	int st = page_call(pg, &q, pg->signed_in ? pg->s.account : "", &r, &msg);
	query_release(&q);
	if (st) {
		if (strstr(buf_str(&msg), "NotFound"))
			page_error(pg, 404, "No such product", "There is no product with this code.");
		else
			page_error(pg, (unsigned)st, "Product", buf_str(&msg));
		buf_release(&msg);
		return;
	}
	xmlNode *it = xml_path(r.root, "productSet/item");
	const char *name = xml_text(it, "name");
	if (notice)
		html_addf(&b, "<p class=\"notice\" role=\"status\">%s</p>\n", notice);
	if (error)
		html_addf(&b, "<p class=\"error\" role=\"alert\">%s</p>\n", error);
	html_addf(&b, "<p>Product code <code>%s</code></p>\n", xml_text(it, "productCode"));
	if (*xml_text(it, "description"))
		html_addf(&b, "<p>%s</p>\n", xml_text(it, "description"));
	if (xml_child(it, "instanceTypeSet")) {
		html_addf(&b, "<h2>Fees</h2>\n<table><tbody>\n"
			      "<tr><th scope=\"row\">One-time sign-up fee</th><td class=\"n\">$%s</td></tr>\n"
			      "<tr><th scope=\"row\">Monthly fee</th><td class=\"n\">$%s</td></tr>\n"
			      "</tbody></table>\n<h2>Prices per instance-hour</h2>\n"
			      "<table><thead><tr><th scope=\"col\">Region</th><th scope=\"col\">Platform</th>"
			      "<th scope=\"col\">Instance type</th><th scope=\"col\" class=\"n\">Per hour</th>"
			      "</tr></thead><tbody>\n",
			  xml_text(it, "oneTimeFee"), xml_text(it, "monthlyFee"));
		xml_foreach(p, xml_child(it, "instanceTypeSet"), "item")
			html_addf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"n\">$%s</td></tr>\n",
				  xml_text(p, "regionName"), xml_text(p, "platform"),
				  xml_text(p, "instanceType"), xml_text(p, "hourlyPrice"));
		buf_adds(&b, "</tbody></table>\n");
	} else
		buf_adds(&b, "<p>This product's prices take effect later.</p>\n");
	struct buf here = BUF_INIT;
	buf_adds(&here, "/signin?next=/purchase/");
	buf_adds(&here, code);
	if (pg->signed_in)
		html_addf(&b, "<form method=\"post\" action=\"/purchase/%s\">\n"
			      "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
			      "<button type=\"submit\">Subscribe</button>\n</form>\n",
			  code, pg->s.csrf);
	else
		html_addf(&b, "<p><a href=\"%s\">Sign in</a> to subscribe.</p>\n", buf_str(&here));
	page_send(pg, status, *name ? name : code, &b);
	buf_release(&here);
	buf_release(&b);
	response_release(&r);
}

static int valid_code(const char *c)
{
	return strlen(c) == 8 && strspn(c, "0123456789ABCDEF") == 8;
}

static void subscribe(struct page *pg, const char *code)
{
	struct query q = QUERY_INIT;
	struct response r = { 0 };
	struct buf msg = BUF_INIT;
	query_add(&q, "Action", "PurchaseProduct");
	query_add(&q, "ProductCode", code);
	int st = page_call(pg, &q, pg->s.account, &r, &msg);
	query_release(&q);
	if (st)
		purchase_page(pg, code, (unsigned)st, NULL, buf_str(&msg));
	else {
		response_release(&r);
		purchase_page(pg, code, 200, "You are subscribed to this product.", NULL);
	}
	buf_release(&msg);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	query_add(cls, key, value ? value : "");
	return MHD_YES;
}

/* 1 when a browser says the form was posted from another site: its
 * Sec-Fetch-Site is cross-site, or its Origin (scheme://host[:port], or
 * "null") names another host than the request's Host. A client that sends
 * neither (curl, a script) is not a browser a page could have driven. */
static int cross_site(const struct page *pg)
{
	struct MHD_Connection *c = pg->rq->conn;
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	if (site && !strcmp(site, "cross-site"))
		return 1;
	if (!origin)
		return 0;
	const char *h = strstr(origin, "://");
	return !h || !host || strcasecmp(h + 3, host) != 0;
}

static void route(struct page *pg, const char *method, const struct query *form)
{
	const char *url = pg->rq->url;
	int post = !strcmp(method, "POST");
	if (post && cross_site(pg)) {
		/* the sign-in form too: no other site signs a browser in */
		page_error(pg, 403, "Refused", "This form was sent from another site.");
		return;
	}
	if (post && strcmp(url, "/signin")) {
		/* every state-changing form carries the session's token */
		const char *t = query_get(form, "csrf");
		if (!pg->signed_in) {
			page_need_signin(pg);
			return;
		}
		if (!t || !session_same(t, pg->s.csrf)) {
			page_error(pg, 403, "Refused", "The form's security token is missing or stale: "
						       "reload the page and try again.");
			return;
		}
	}
	if (!strncmp(url, "/purchase/", 10)) {
		const char *code = url + 10;
		if (!valid_code(code))
			page_error(pg, 404, "No such product", "There is no product with this code.");
		else if (post)
			subscribe(pg, code);
		else
			purchase_page(pg, code, 200, NULL, NULL);
	} else if (!strcmp(url, "/signin")) {
		if (post)
			signin_post(pg, form);
		else
			signin_form(pg, 200, query_get(&pg->get, "next"), NULL);
	} else if (!strcmp(url, "/signout")) {
		if (!post) {
			struct buf b = BUF_INIT;
			buf_adds(&b, pg->signed_in ? "<p>Use the Sign out button above.</p>\n"
						   : "<p>You are not signed in.</p>\n");
			page_send(pg, 200, "Sign out", &b);
			buf_release(&b);
			return;
		}
		session_end(pg->s.id);
		pg->signed_in = 0;
		struct buf b = BUF_INIT;
		buf_adds(&b, "<p>You are signed out. <a href=\"/signin\">Sign in</a> again.</p>\n");
		page_send(pg, 200, "Signed out", &b);
		buf_release(&b);
		set_cookie(pg, "", 0);
	} else if (!pg->signed_in)
		page_need_signin(pg);
	else if (!strcmp(url, "/bill"))
		page_bill(pg);
	else
		page_activity(pg);
}

void pages_handle(const struct pages_config *c, const struct front_request *rq,
		  struct front_reply *rp, struct store *st, int64_t now)
{
	struct page pg = { .c = c, .rq = rq, .rp = rp, .st = st, .now = now, .get = QUERY_INIT };
	struct query form = QUERY_INIT;
	for (int i = 0; html_headers[i][0]; i++) {
		rp->headers[i][0] = html_headers[i][0];
		rp->headers[i][1] = html_headers[i][1];
	}
	snprintf(rp->action, sizeof rp->action, "page:%s", rq->url);
	const char *sid = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, COOKIE);
	pg.signed_in = !session_get(sid, (int64_t)time(NULL), &pg.s);
	if (pg.signed_in)
		snprintf(rp->key, sizeof rp->key, "%s", pg.s.key);
	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, add_arg, &pg.get);
	if (rq->too_big)
		page_error(&pg, 413, "Too large", "The form is too large.");
	else if (strcmp(rq->method, "GET") && strcmp(rq->method, "POST") && strcmp(rq->method, "HEAD"))
		page_error(&pg, 405, "Not allowed", "Use GET or POST.");
	else if (rq->body_len && (memchr(rq->body, '\0', rq->body_len) ||
				  query_parse(&form, rq->body, rq->body_len)))
		page_error(&pg, 400, "Bad form", "The form's encoding is not well formed.");
	else
		route(&pg, rq->method, &form);
	memset(&pg.s, 0, sizeof pg.s);
	query_release(&form);
	query_release(&pg.get);
}
