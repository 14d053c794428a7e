#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libxml/xmlwriter.h>
#include "clock.h"
#include "ids.h"
#include "svc.h"
#include "version.h"

static const struct action {
	const char *name;
	int write;
	svc_handler fn;
} actions[] = {
	{ "RegisterProduct", 1, svc_register_product },
	{ "DescribeProducts", 0, svc_describe_products },
	{ "PurchaseProduct", 1, svc_purchase_product },
	{ "CancelSubscription", 1, svc_cancel_subscription },
	{ "DescribeSubscriptions", 0, svc_describe_subscriptions },
	{ "RegisterImage", 1, svc_register_image },
	{ "DescribeImages", 0, svc_describe_images },
	{ "ModifyImageAttribute", 1, svc_modify_image_attribute },
	{ "DescribeImageAttribute", 0, svc_describe_image_attribute },
	/* instances */
	{ "RunInstances", 1, svc_run_instances },
	{ "DescribeInstances", 0, svc_describe_instances },
	{ "TerminateInstances", 1, svc_terminate_instances },
	{ "ConfirmProductInstance", 0, svc_confirm_product_instance },

	/* billing, price changes and reserved instances */
	{ "GetBill", 0, svc_get_bill },
	{ "ModifyProduct", 1, svc_modify_product },
	{ "DescribeReservedInstancesOfferings", 0, svc_describe_ri_offerings },
	{ "PurchaseReservedInstancesOffering", 1, svc_purchase_ri_offering },
	{ "DescribeReservedInstances", 0, svc_describe_reserved },

};

int svc_fail(struct svc *x, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	x->status = status;
	snprintf(x->code, sizeof x->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof x->message, fmt, ap);
	va_end(ap);
	return -1;
}

int svc_fail_store(struct svc *x)
{
	return svc_fail(x, 500, "InternalError", "the store failed: %s", dp_err_detail());
}

void svc_open(struct svc *x, const char *name)
{
	xmlTextWriterStartElement(x->w, BAD_CAST name);
}

void svc_close(struct svc *x)
{
	xmlTextWriterEndElement(x->w);
}

void svc_elem(struct svc *x, const char *name, const char *value)
{
	xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST(value ? value : ""));
}

void svc_elemf(struct svc *x, const char *name, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	svc_elem(x, name, s ? s : "");
	free(s);
}

void svc_elem_time(struct svc *x, const char *name, int64_t t)
{
	char b[32];
	clock_format_wire(t, b);
	svc_elem(x, name, b);
}

void svc_elem_money(struct svc *x, const char *name, int64_t micro)
{
	char b[32];
	money_format_exact(micro, b);
	svc_elem(x, name, b);
}

void svc_elem_cents(struct svc *x, const char *name, int64_t micro)
{
	char b[32];
	money_format_cents(micro, b);
	svc_elem(x, name, b);
}

void svc_product_codes(struct svc *x, const char *code)
{
	svc_open(x, "productCodes");
	if (*code) {
		svc_open(x, "item");
		svc_elem(x, "productCode", code);
		svc_elem(x, "type", "devpay");
		svc_close(x);
	}
	svc_close(x);
}

const char *svc_param(struct svc *x, const char *name)
{
	return query_get(x->q, name);
}

int svc_need(struct svc *x, const char *name, const char **value)
{
	*value = query_get(x->q, name);
	if (!*value || !**value)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter %s", name);
	return 0;
}

static int all_hex(const char *s, size_t n, int upper)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (upper ? (c >= 'A' && c <= 'F') : (c >= 'a' && c <= 'f'))))
			return 0;
	}
	return 1;
}

int svc_valid_code(const char *code)
{
	return strlen(code) == 8 && all_hex(code, 8, 1);
}

int svc_valid_id(const char *id, const char *prefix)
{
	size_t pl = strlen(prefix), n = strlen(id);
	return n >= pl + 8 && n <= pl + 17 && !strncmp(id, prefix, pl) && all_hex(id + pl, n - pl, 0);
}

static void write_error_doc(const char *code, const char *message, const char *rid,
			    struct buf *xml)
{
	xmlBufferPtr b = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(b, 0);
	xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
	xmlTextWriterStartElement(w, BAD_CAST "Response");
	xmlTextWriterStartElement(w, BAD_CAST "Errors");
	xmlTextWriterStartElement(w, BAD_CAST "Error");
	xmlTextWriterWriteElement(w, BAD_CAST "Code", BAD_CAST code);
	xmlTextWriterWriteElement(w, BAD_CAST "Message", BAD_CAST message);
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);
	xmlTextWriterWriteElement(w, BAD_CAST "RequestID", BAD_CAST rid);
	xmlTextWriterEndElement(w);
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	buf_add(xml, xmlBufferContent(b), (size_t)xmlBufferLength(b));
	xmlBufferFree(b);
}

void service_error_doc(const char *code, const char *message, struct buf *xml)
{
	char rid[37];
	id_uuid(rid);
	write_error_doc(code, message, rid, xml);
}

int service_handle(const struct service_call *c, struct buf *xml)
{
	char rid[37];
	id_uuid(rid);
	const char *name = query_get(c->q, "Action");
	const struct action *a = NULL;
	for (size_t i = 0; name && i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(actions[i].name, name))
			a = &actions[i];
	if (!a) {
		char m[300];
		if (name && *name)
			snprintf(m, sizeof m, "The action %.200s is not valid for this web service.", name);
		else
			snprintf(m, sizeof m, "The request must contain the parameter Action");
		write_error_doc(name && *name ? "InvalidAction" : "MissingAction", m, rid, xml);
		return 400;
	}
	const char *version = query_get(c->q, "Version");
	char ns[128];
	snprintf(ns, sizeof ns, "http://ec2.amazonaws.com/doc/%s/",
		 version && *version && strlen(version) < 40 ? version : EC2_API_VERSION);

	struct svc x = { .call = c, .st = c->st, .account = c->account, .region = c->region,
			 .q = c->q, .now = c->now };
	xmlBufferPtr b = xmlBufferCreate();
	x.w = xmlNewTextWriterMemory(b, 0);
	char root[80];
	snprintf(root, sizeof root, "%sResponse", a->name);
	xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL);
	xmlTextWriterStartElement(x.w, BAD_CAST root);
	xmlTextWriterWriteAttribute(x.w, BAD_CAST "xmlns", BAD_CAST ns);
	xmlTextWriterWriteElement(x.w, BAD_CAST "requestId", BAD_CAST rid);

	int rc;
	if (store_begin(c->st, a->write))
		rc = svc_fail_store(&x);
	else {
		rc = a->fn(&x);
		if (rc == 0 && store_commit(c->st))
			rc = svc_fail_store(&x);
		else if (rc != 0)
			store_rollback(c->st);
	}
	xmlTextWriterEndDocument(x.w);
	xmlFreeTextWriter(x.w);
	int status = 200;
	if (rc == 0)
		buf_add(xml, xmlBufferContent(b), (size_t)xmlBufferLength(b));
	else {
		write_error_doc(x.code, x.message, rid, xml);
		status = x.status;
	}
	xmlBufferFree(b);
	return status;
}

static int find_key(struct store *st, const char *key, char account[13], char **secret)
{
	sqlite3_stmt *s = store_query(st, "SELECT id, secret FROM accounts WHERE access_key = ?",
				      "s", key);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	int r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
	if (r == 0) {
		snprintf(account, 13, "%s", store_text(s, 0));
		if (secret)
			*secret = xstrdup(store_text(s, 1));
	} else if (r < 0)
		dp_err_set("%s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return r;
}

int service_lookup_key(struct store *st, const char *access_key, char account[13], char **secret)
{
	if (store_begin(st, 0))
		return -1;
	int r = find_key(st, access_key, account, secret);
	store_rollback(st);
	return r;
}

static int insert_account(struct store *st, const char *key, const char *secret, int64_t now,
			  char account[13])
{
	for (int tries = 0; tries < 20; tries++) {
		id_account(account);
		int r = store_exec(st, "INSERT INTO accounts(id, access_key, secret, created)"
				   " VALUES (?, ?, ?, ?)", "sssi", account, key, secret, now);
		if (r == 0)
			return 0;
		if (r == -1)
			return -1;
		/* a constraint: the key exists, or (rarely) the id; tell them apart */
		char other[13];
		int k = find_key(st, key, other, NULL);
		if (k <= 0)
			return k == 0 ? -2 : -1;
	}
	return -1;
}

int service_add_account(struct store *st, const char *access_key, const char *secret,
			int64_t now, char account[13])
{
	if (store_begin(st, 1))
		return -1;
	int r = insert_account(st, access_key, secret, now, account);
	if (r == 0 && store_commit(st))
		return -1;
	if (r)
		store_rollback(st);
	return r;
}

/* Secrets are compared in constant time: their length may leak, their
 * content does not. */
static int same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int service_auth_local(struct store *st, const char *access_key, const char *secret,
		       int64_t now, char account[13], struct buf *xml)
{
	char *known = NULL;
	int r = service_lookup_key(st, access_key, account, &known);
	if (r == 1) {
		r = service_add_account(st, access_key, secret, now, account);
		if (r == -2) /* another process created it just now */
			r = service_lookup_key(st, access_key, account, &known);
	}
	if (r < 0) {
		char m[600];
		snprintf(m, sizeof m, "the store failed: %s", dp_err_detail());
		service_error_doc("InternalError", m, xml);
		free(known);
		return 500;
	}
	if (known && !same_secret(known, secret)) {
		free(known);
		service_error_doc("AuthFailure",
				  "AWS was not able to validate the provided access credentials", xml);
		return 401;
	}
	free(known);
	return 0;
}
