#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/crypto.h>
#include <string.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>
#include "base/clock.h"
#include "base/ids.h"
#include "base/crypto_dl.h"
#include "base/secret.h"
#include "service/svc.h"
#include "base/text.h"
#include "base/version.h"

/* Each Action's allow-list: the parameter names it reads, as patterns of
 * filter_name_matches() ("InstanceId.N"). A parameter that is not on the
 * list, nor one of always_allowed[], is refused with UnknownParameter before
 * the handler runs, so no parameter a client sends is silently dropped. An
 * Action whose list holds "DryRun" takes DryRun=true: the handler runs in
 * its transaction as usual, which is then rolled back, and the answer is
 * DryRunOperation (412) when it would have succeeded, its refusal when not.
 * EC2 Actions all take DryRun; DevPay Actions only when they change
 * something. Describe Actions that filter add FILTERS and call svc_filters()
 * with their filter names. */
/* runs of one Action on a serialization failure (PostgreSQL) */
#define STORE_RETRIES 5

#define PARAMS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define FILTERS "Filter.N.Name", "Filter.N.Value.N"
#define PRODUCT_CONFIG "OneTimeFee", "MonthlyFee", "Platform.N", "Region.N", \
	"InstanceType.N.Name", "InstanceType.N.Price", "Price.N.Region", "Price.N.Platform", \
	"Price.N.InstanceType", "Price.N.HourlyPrice"

static const struct action {
	const char *name;
	int write;
	svc_handler fn;
	const char *const *params;
} actions[] = {
	{ "RegisterProduct", 1, svc_register_product,
	  PARAMS("DryRun", "Name", "Description", PRODUCT_CONFIG) },
	{ "DescribeProducts", 0, svc_describe_products, PARAMS("ProductCode.N") },
	{ "PurchaseProduct", 1, svc_purchase_product, PARAMS("DryRun", "ProductCode") },
	{ "CancelSubscription", 1, svc_cancel_subscription, PARAMS("DryRun", "ProductCode") },
	{ "DescribeSubscriptions", 0, svc_describe_subscriptions, PARAMS("ProductCode", "CustomerId") },
	{ "RegisterImage", 1, svc_register_image,
	  PARAMS("DryRun", "Name", "Description", "Platform", "RootDeviceType",
		 "BlockDeviceMapping.1.Ebs.SnapshotId") },
	{ "DescribeImages", 0, svc_describe_images, PARAMS("DryRun", "ImageId.N", "Owner.N", "ExecutableBy.N", FILTERS) },
	{ "ModifyImageAttribute", 1, svc_modify_image_attribute,
	  PARAMS("DryRun", "ImageId", "Attribute", "ProductCode.N", "OperationType", "UserId.N",
		 "UserGroup.N", "LaunchPermission.Add.N.UserId", "LaunchPermission.Add.N.Group",
		 "LaunchPermission.Remove.N.UserId", "LaunchPermission.Remove.N.Group") },
	{ "DescribeImageAttribute", 0, svc_describe_image_attribute,
	  PARAMS("DryRun", "ImageId", "Attribute") },
	{ "ResetImageAttribute", 1, svc_reset_image_attribute, PARAMS("DryRun", "ImageId", "Attribute") },
	{ "DeregisterImage", 1, svc_deregister_image, PARAMS("DryRun", "ImageId") },
	{ "DescribeRegions", 0, svc_describe_regions, PARAMS("DryRun", "RegionName.N") },
	{ "DescribeAvailabilityZones", 0, svc_describe_availability_zones,
	  PARAMS("DryRun", "ZoneName.N") },
	/* instances */
	{ "RunInstances", 1, svc_run_instances,
	  PARAMS("DryRun", "ImageId", "MinCount", "MaxCount", "InstanceType",
		 "Placement.AvailabilityZone", "ClientToken") },
	{ "DescribeInstances", 0, svc_describe_instances, PARAMS("DryRun", "InstanceId.N", FILTERS) },
	{ "TerminateInstances", 1, svc_terminate_instances, PARAMS("DryRun", "InstanceId.N") },
	{ "ConfirmProductInstance", 0, svc_confirm_product_instance,
	  PARAMS("DryRun", "ProductCode", "InstanceId") },

	/* billing, price changes and reserved instances */
	{ "GetBill", 0, svc_get_bill, PARAMS("Period", "ProductCode") },
	{ "ModifyProduct", 1, svc_modify_product,
	  PARAMS("DryRun", "ProductCode", "Withdraw", "Effective", PRODUCT_CONFIG) },
	{ "DescribeReservedInstancesOfferings", 0, svc_describe_ri_offerings,
	  PARAMS("DryRun", "ReservedInstancesOfferingId.N", "InstanceType", "AvailabilityZone",
		 "ProductDescription", FILTERS) },
	{ "PurchaseReservedInstancesOffering", 1, svc_purchase_ri_offering,
	  PARAMS("DryRun", "ReservedInstancesOfferingId", "InstanceCount") },
	{ "DescribeReservedInstances", 0, svc_describe_reserved,
	  PARAMS("DryRun", "ReservedInstancesId.N", FILTERS) },

};

/* Taken by every Action: its name and version, and the fields of a
 * Signature Version 2 request and of a presigned Signature Version 4 one. */
static const char *const always_allowed[] = { "Action", "Version", "AWSAccessKeyId",
	"SignatureVersion", "SignatureMethod", "Signature", "Timestamp", "Expires",
	"SecurityToken", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", NULL };

static int allowed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (filter_name_matches(*list, name))
			return 1;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* For a list member "Name.K..." with K > 1, the name of its predecessor
 * ("Name.K-1..."), at the last index of the name: 0 and prev filled, or -1
 * when the name has no such index. Handlers read lists from index 1 until
 * the first gap, so a member after a gap would be dropped: it is refused. */
static int list_predecessor(const char *n, char *prev, size_t sz)
{
	const char *last = NULL;
	for (const char *p = n; *p; p++)
		if (*p == '.' && p[1] >= '1' && p[1] <= '9')
			last = p + 1;
	if (!last)
		return -1;
	char *end;
	long k = strtol(last, &end, 10);
	if ((*end && *end != '.') || k < 2 || k > 1000000)
		return -1;
	snprintf(prev, sz, "%.*s%ld%s", (int)(last - n), n, k - 1, end);
	return 0;
}

/* For "Name.K.Field" (K > 1, the last index followed by a field), the
 * prefix "Name.K-1." of its predecessor member: 1 and member filled, else 0. */
static int list_member_prefix(const char *n, char *member, size_t sz)
{
	const char *last = NULL;
	for (const char *p = n; *p; p++)
		if (*p == '.' && p[1] >= '1' && p[1] <= '9')
			last = p + 1;
	if (!last)
		return 0;
	char *end;
	long k = strtol(last, &end, 10);
	if (*end != '.' || k < 2 || k > 1000000)
		return 0;
	snprintf(member, sz, "%.*s%ld.", (int)(last - n), n, k - 1);
	return 1;
}

/* 1 when a name in sorted[] (in strcmp order) starts with prefix. */
static int has_prefix(const char *const *sorted, size_t nn, const char *prefix)
{
	size_t lo = 0, hi = nn, len = strlen(prefix);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(sorted[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nn && !strncmp(sorted[lo], prefix, len);
}

/* UnknownParameter for the first parameter the Action does not take; a
 * parameter given twice, or a list member after a gap, refused (either would
 * be dropped); DryRun's value checked. *dry set when DryRun=true. */
static int check_params(struct svc *x, const struct action *a, int *dry)
{
	*dry = 0;
	for (size_t i = 0; i < x->q->n; i++) {
		const char *n = x->q->v[i].name;
		if (!allowed(always_allowed, n) && !allowed(a->params, n))
			return svc_fail(x, 400, "UnknownParameter",
					"The parameter %.200s is not recognized", n);
	}
	/* in name order, so that both checks stay O(n log n) on a large body */
	size_t nn = x->q->n;
	const char **sorted = xcalloc(nn ? nn : 1, sizeof *sorted);
	for (size_t i = 0; i < nn; i++)
		sorted[i] = x->q->v[i].name;
	qsort(sorted, nn, sizeof *sorted, by_name);
	int rc = 0;
	for (size_t i = 0; i < nn && !rc; i++) {
		const char *n = sorted[i];
		char prev[256];
		const char *key = prev;
		if (i + 1 < nn && !strcmp(sorted[i + 1], n))
			rc = svc_fail(x, 400, "InvalidParameterValue",
				      "The parameter %.200s is given more than once", n);
		else if (strncmp(n, "Filter.", 7) && !list_predecessor(n, prev, sizeof prev) &&
			 !bsearch(&key, sorted, nn, sizeof *sorted, by_name)) {
			/* a member of a list of structures (Name.K.Field) needs
			 * member K-1, whichever of its fields it has */
			char member[256];
			if (!list_member_prefix(n, member, sizeof member) ||
			    !has_prefix(sorted, nn, member))
				rc = svc_fail(x, 400, "InvalidParameterValue",
					      "The parameter %.200s is given without %.200s: list indexes run from 1 without gaps",
					      n, prev);
		}
	}
	free(sorted);
	if (rc)
		return rc;
	const char *d = query_get(x->q, "DryRun");
	if (d && strcmp(d, "true") && strcmp(d, "false"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%.100s' for DryRun: expected true or false", d);
	*dry = d && !strcmp(d, "true");
	return 0;
}

int svc_filters(struct svc *x, const char *const *names, struct filter_set *fs)
{
	char code[64], msg[300];
	if (filter_parse(x->q, names, fs, code, msg, sizeof msg)) {
		filter_release(fs);
		return svc_fail(x, 400, code, "%s", msg);
	}
	return 0;
}

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
	if (x->call && x->call->internal) {
		buf_addf(x->call->internal, "%s%s", x->call->internal->len ? "; " : "", dp_err_detail());
		return svc_fail(x, 500, "InternalError", "An internal error has occurred");
	}
	return svc_fail(x, 500, "InternalError", "the store failed: %s", dp_err_detail());
}

int svc_image_not_found(struct svc *x, const char *id)
{
	return svc_fail(x, 400, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id);
}

static void wcheck(struct svc *x, int rc)
{
	if (rc < 0)
		x->werr = 1;
}

void svc_open(struct svc *x, const char *name)
{
	wcheck(x, xmlTextWriterStartElement(x->w, BAD_CAST name));
}

void svc_close(struct svc *x)
{
	wcheck(x, xmlTextWriterEndElement(x->w));
}

/* An element whose text is value made acceptable (text_clean). */
static int write_text_elem(xmlTextWriterPtr w, const char *name, const char *value)
{
	struct buf b = BUF_INIT;
	value = value ? value : "";
	text_clean(value, strlen(value), &b);
	/* escaped here, not by xmlTextWriterWriteString, which drops the text
	 * without a word when it runs out of memory */
	xmlChar *esc = xmlEncodeSpecialChars(NULL, BAD_CAST buf_str(&b));
	buf_release(&b);
	int rc = esc && xmlTextWriterStartElement(w, BAD_CAST name) >= 0 &&
		 xmlTextWriterWriteRaw(w, esc) >= 0 && xmlTextWriterEndElement(w) >= 0 ? 0 : -1;
	xmlFree(esc);
	return rc;
}

/* Every value of an answer: stored text that XML cannot carry is shown as '?'. */
void svc_elem(struct svc *x, const char *name, const char *value)
{
	wcheck(x, write_text_elem(x->w, name, value));
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t svc_list(struct svc *x, const char *prefix, const char ***out)
{
	size_t pl = strlen(prefix), n = 0;
	*out = NULL;
	for (size_t i = 0; i < x->q->n; i++) {
		const char *name = x->q->v[i].name;
		if (strncmp(name, prefix, pl) || name[pl] != '.' || !name[pl + 1] ||
		    strspn(name + pl + 1, "0123456789") != strlen(name + pl + 1))
			continue;
		if (!*out)
			*out = xcalloc(x->q->n, sizeof **out);
		(*out)[n++] = x->q->v[i].value;
	}
	if (n)
		qsort(*out, n, sizeof **out, cmp_str);
	return n;
}

int svc_list_has(const char **list, size_t n, const char *value)
{
	return bsearch(&value, list, n, sizeof *list, cmp_str) != NULL;
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

/* libxml2 reports some failures (a list node it could not allocate) only
 * through its generic error channel, with the writer call still returning
 * success: while an answer is written, any such report fails the answer. */
static void writer_error(void *ctx, const char *msg, ...)
{
	(void)msg;
	*(int *)ctx = 1;
}

/* An error document; when libxml2 cannot write it (out of memory), a fixed
 * InternalError document that needs no writer. */
static void write_error_doc(const char *code, const char *message, const char *rid,
			    struct buf *xml)
{
	xmlGenericErrorFunc saved_fn = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	int lib_error = 0;
	xmlSetGenericErrorFunc(&lib_error, writer_error);
	xmlBufferPtr b = xmlBufferCreate();
	xmlTextWriterPtr w = b ? xmlNewTextWriterMemory(b, 0) : NULL;
	int ok = w && xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 &&
		 xmlTextWriterStartElement(w, BAD_CAST "Response") >= 0 &&
		 xmlTextWriterStartElement(w, BAD_CAST "Errors") >= 0 &&
		 xmlTextWriterStartElement(w, BAD_CAST "Error") >= 0 &&
		 write_text_elem(w, "Code", code) >= 0 && write_text_elem(w, "Message", message) >= 0 &&
		 xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndElement(w) >= 0 &&
		 write_text_elem(w, "RequestID", rid) >= 0 && xmlTextWriterEndElement(w) >= 0 &&
		 xmlTextWriterEndDocument(w) >= 0;
	if (w)
		xmlFreeTextWriter(w);
	xmlSetGenericErrorFunc(saved_ctx, saved_fn);
	if (ok && !lib_error)
		buf_add(xml, xmlBufferContent(b), (size_t)xmlBufferLength(b));
	else {
		/* rid is an id_uuid(): hexadecimal digits and dashes */
		buf_addf(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
			 "<Code>InternalError</Code><Message>An internal error has occurred</Message>"
			 "</Error></Errors><RequestID>%s</RequestID></Response>\n", rid);
	}
	if (b)
		xmlBufferFree(b);
}

void service_error_doc(const char *code, const char *message, struct buf *xml)
{
	char rid[37];
	id_uuid(rid);
	write_error_doc(code, message, rid, xml);
}

static void describe_problem(enum text_problem p, size_t at, unsigned cp, size_t max, struct buf *m)
{
	switch (p) {
	case TEXT_BAD_UTF8:
		buf_addf(m, "it is not valid UTF-8 (byte 0x%02X at offset %zu)", cp, at);
		break;
	case TEXT_CONTROL:
		buf_addf(m, "it contains the control character U+%04X at offset %zu", cp, at);
		break;
	case TEXT_TOO_LONG:
		buf_addf(m, "it is longer than %zu bytes", max);
		break;
	case TEXT_OK:
		break;
	}
}

int service_check_text(const struct query *q, struct buf *msg)
{
	if (q->n > TEXT_MAX_PARAMS) {
		buf_addf(msg, "The request has %zu parameters; at most %d are accepted", q->n,
			 TEXT_MAX_PARAMS);
		return -1;
	}
	for (size_t i = 0; i < q->n; i++) {
		const char *name = q->v[i].name, *value = q->v[i].value;
		size_t at;
		unsigned cp;
		enum text_problem p = text_check(name, strlen(name), TEXT_MAX_NAME, &at, &cp);
		if (p) {
			buf_adds(msg, "Parameter name ");
			text_quote(name, 64, msg);
			buf_adds(msg, " is invalid: ");
			describe_problem(p, at, cp, TEXT_MAX_NAME, msg);
			return -1;
		}
		p = text_check(value, strlen(value), TEXT_MAX_VALUE, &at, &cp);
		if (p) {
			buf_addf(msg, "Value for parameter %s is invalid: ", name);
			describe_problem(p, at, cp, TEXT_MAX_VALUE, msg);
			buf_adds(msg, "; text values are UTF-8 without control characters (tab and"
				 " newline included)");
			return -1;
		}
	}
	return 0;
}

/* The Action a, in one transaction, its answer (or error document) in xml. */
static int run_action(const struct service_call *c, const struct action *a, const char *ns,
		      const char *rid, struct buf *xml)
{
	struct svc x = { .call = c, .st = c->st, .account = c->account, .region = c->region,
			 .q = c->q, .now = c->now };
	xmlGenericErrorFunc saved_fn = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	int lib_error = 0;
	xmlSetGenericErrorFunc(&lib_error, writer_error);
	xmlBufferPtr b = xmlBufferCreate();
	x.w = b ? xmlNewTextWriterMemory(b, 0) : NULL;
	char root[80];
	snprintf(root, sizeof root, "%sResponse", a->name);
	if (!x.w)
		x.werr = 1;
	else {
		wcheck(&x, xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL));
		wcheck(&x, xmlTextWriterStartElement(x.w, BAD_CAST root));
		wcheck(&x, xmlTextWriterWriteAttribute(x.w, BAD_CAST "xmlns", BAD_CAST ns));
		svc_elem(&x, "requestId", rid);
	}

	/* The answer is complete before the commit: a writer that fails rolls
	 * the change back, so a refusal never follows a committed change. */
	int rc, dry = 0;
	if (x.werr)
		rc = svc_fail(&x, 500, "InternalError", "An internal error has occurred");
	else if (check_params(&x, a, &dry))
		rc = -1;
	else if (store_begin(c->st, a->write))
		rc = svc_fail_store(&x);
	else {
		rc = a->fn(&x);
		/* a row the handler could not read: its answer would be short */
		if (rc == 0 && store_step_failed(c->st))
			rc = svc_fail_store(&x);
		if (dry) {
			/* every check ran; nothing it did is kept */
			store_rollback(c->st);
			if (rc == 0)
				rc = svc_fail(&x, 412, "DryRunOperation",
					      "Request would have succeeded, but DryRun flag is set.");
		} else {
			if (rc == 0) {
				wcheck(&x, xmlTextWriterEndDocument(x.w));
				if (!x.werr)
					wcheck(&x, xmlTextWriterFlush(x.w));
				x.werr |= lib_error;
			}
			if (rc == 0 && x.werr) {
				store_rollback(c->st);
				rc = svc_fail(&x, 500, "InternalError", "An internal error has occurred");
			} else if (rc == 0 && store_commit(c->st))
				rc = svc_fail_store(&x);
			else if (rc != 0)
				store_rollback(c->st);
		}
	}
	if (x.w)
		xmlFreeTextWriter(x.w);
	xmlSetGenericErrorFunc(saved_ctx, saved_fn);
	int status = 200;
	if (rc == 0)
		buf_add(xml, xmlBufferContent(b), (size_t)xmlBufferLength(b));
	else {
		write_error_doc(x.code, x.message, rid, xml);
		status = x.status;
	}
	if (b)
		xmlBufferFree(b);
	return status;
}

int service_handle(const struct service_call *c, struct buf *xml)
{
	char rid[37];
	id_uuid(rid);
	struct buf m = BUF_INIT;
	if (service_check_text(c->q, &m)) {
		write_error_doc("InvalidParameterValue", buf_str(&m), rid, xml);
		buf_release(&m);
		return 400;
	}
	buf_release(&m);
	const char *name = query_get(c->q, "Action");
	const struct action *a = NULL;
	for (size_t i = 0; name && i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(actions[i].name, name))
			a = &actions[i];
	if (!a) {
		char msg[300];
		if (name && *name)
			snprintf(msg, sizeof msg, "The action %.100s is not valid for this web service.", name);
		else
			snprintf(msg, sizeof msg, "The request must contain the parameter Action");
		write_error_doc(name && *name ? "InvalidAction" : "MissingAction", msg, rid, xml);
		return 400;
	}
	/* only the answers that are the same for everyone go without an account */
	if (!c->account && strcmp(a->name, "DescribeRegions") &&
	    strcmp(a->name, "DescribeAvailabilityZones")) {
		write_error_doc("AuthFailure", "AWS was not able to validate the provided access credentials",
				rid, xml);
		return 401;
	}
	const char *version = query_get(c->q, "Version");
	char ns[128];
	/* only a version's shape (YYYY-MM-DD) goes into the namespace URI */
	int shaped = version && strlen(version) == 10 && strspn(version, "0123456789-") == 10 &&
		     version[4] == '-' && version[7] == '-';
	snprintf(ns, sizeof ns, "http://ec2.amazonaws.com/doc/%s/", shaped ? version : EC2_API_VERSION);

	/* PostgreSQL: a transaction that meets a serialization failure or a
	 * deadlock runs again from the start (a fresh answer each time), a few
	 * times; a lost database connection is 503, which clients retry. */
	int status;
	for (int attempt = 1;; attempt++) {
		struct buf out = BUF_INIT;
		status = run_action(c, a, ns, rid, &out);
		if (status >= 500 && store_retry(c->st) && attempt < STORE_RETRIES) {
			buf_release(&out);
			if (c->internal)
				buf_reset(c->internal);
			continue;
		}
		if (status >= 500 && store_down(c->st)) {
			status = 503;
			write_error_doc("ServiceUnavailable", "The service is unavailable. Try again later.",
					rid, xml);
		} else
			buf_add(xml, out.p, out.len);
		buf_release(&out);
		return status;
	}
}

/* The account of a key: its id, the plain secret ('' for a local account,
 * which has only a hash) and the hash; 0 found, 1 unknown, -1 error. */
/* devpayd's copy of the key that opens local accounts' sealed secrets */
static unsigned char sealing_key[SECRET_KEY_BYTES];
static int have_sealing_key;

static int find_key(struct store *st, const char *key, char account[13], char **secret,
		    char **hash)
{
	struct store_rows *s = store_query(st, "SELECT id, secret, secret_hash, secret_sealed FROM accounts"
				      " WHERE access_key = ?", "s", key);
	if (!s)
		return -1;
	int rc = store_step(s);
	int r = rc == STORE_ROW ? 0 : rc == STORE_DONE ? 1 : -1;
	if (r == 0) {
		snprintf(account, 13, "%s", store_text(s, 0));
		if (secret) {
			/* a local account's sealed secret, when this process has the key */
			char *opened = NULL;
			if (!*store_text(s, 1) && have_sealing_key && *store_text(s, 3) &&
			    !secret_unseal(sealing_key, store_text(s, 3), &opened))
				*secret = opened;
			else
				*secret = xstrdup(store_text(s, 1));
		}
		if (hash)
			*hash = xstrdup(store_text(s, 2));
	} else if (r < 0)
		dp_err_set("%s", store_errmsg(st));
	store_done(s);
	return r;
}

void service_use_sealing_key(const unsigned char key[SECRET_KEY_BYTES])
{
	memcpy(sealing_key, key, SECRET_KEY_BYTES);
	have_sealing_key = 1;
}

int service_lookup_key(struct store *st, const char *access_key, char account[13], char **secret)
{
	if (store_begin(st, STORE_READ_ONE))
		return -1;
	int r = find_key(st, access_key, account, secret, NULL);
	store_rollback(st);
	return r;
}

/* A new account: SECRET kept in the clear only when KEEP (an operator's
 * account, for devpayd's signature checks); its salted hash always. */
static int insert_account(struct store *st, const char *key, const char *secret, int keep,
			  int64_t now, char account[13])
{
	char hash[SECRET_HASH_MAX];
	if (secret_hash(secret, hash))
		return -1;
	/* a local account's secret sealed with the store's key file, for a
	 * devpayd that serves this store later (none without a key file) */
	char *sealed = NULL;
	unsigned char k[SECRET_KEY_BYTES];
	int have = 0;
	if (!keep && !secret_key_load(st->path, 1, k, &have) && have && secret_seal(k, secret, &sealed))
		return -1;
	secret_wipe(k, sizeof k);
	for (int tries = 0; tries < 20; tries++) {
		id_account(account);
		int r = store_exec(st, "INSERT INTO accounts(id, access_key, secret, secret_hash,"
				   " secret_sealed, created) VALUES (?, ?, ?, ?, ?, ?)", "sssssi", account,
				   key, keep ? secret : "", hash, sealed ? sealed : "", now);
		if (r == 0 || r == -1) {
			free(sealed);
			return r;
		}
		/* a constraint: the key exists, or (rarely) the id; tell them apart */
		char other[13];
		int f = find_key(st, key, other, NULL, NULL);
		if (f <= 0) {
			free(sealed);
			return f == 0 ? -2 : -1;
		}
	}
	free(sealed);
	return -1;
}

int service_add_account(struct store *st, const char *access_key, const char *secret,
			int64_t now, char account[13])
{
	if (store_begin(st, 1))
		return -1;
	char *known = NULL;
	int r = find_key(st, access_key, account, &known, NULL);
	if (r == 0 && !*known) {
		/* a local account: the operator adds what devpayd needs to it */
		char hash[SECRET_HASH_MAX];
		r = secret_hash(secret, hash) ? -1
		  : store_exec(st, "UPDATE accounts SET secret = ?, secret_hash = ? WHERE id = ?",
			       "sss", secret, hash, account);
		r = r == 0 ? 1 : -1;
	} else if (r == 0)
		r = -2;
	else if (r == 1)
		r = insert_account(st, access_key, secret, 1, now, account);
	if (known) {
		secret_wipe(known, strlen(known));
		free(known);
	}
	if (r >= 0 && store_commit(st))
		return -1;
	if (r < 0)
		store_rollback(st);
	return r;
}

/* A local account: created on the key's first use, with only the hash. */
static int add_local_account(struct store *st, const char *access_key, const char *secret,
			     int64_t now, char account[13])
{
	if (store_begin(st, 1))
		return -1;
	int r = insert_account(st, access_key, secret, 0, now, account);
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
		       int64_t now, char account[13], int *created, struct buf *xml)
{
	char *known = NULL, *hash = NULL;
	*created = 0;
	int r = -1;
	if (!store_begin(st, 0)) {
		r = find_key(st, access_key, account, &known, &hash);
		store_rollback(st);
	}
	if (r == 1) {
		r = add_local_account(st, access_key, secret, now, account);
		*created = r == 0;
		if (r == -2) { /* another process created it just now */
			if (!store_begin(st, 0)) {
				r = find_key(st, access_key, account, &known, &hash);
				store_rollback(st);
			} else
				r = -1;
		}
	}
	int ok = r == 0 && (*created || (hash && *hash ? secret_verify(secret, hash)
					 : known && *known && same_secret(known, secret)));
	if (known) {
		secret_wipe(known, strlen(known));
		free(known);
	}
	free(hash);
	if (r < 0) {
		char m[600];
		snprintf(m, sizeof m, "the store failed: %s", dp_err_detail());
		service_error_doc("InternalError", m, xml);
		return 500;
	}
	if (!ok) {
		service_error_doc("AuthFailure",
				  "AWS was not able to validate the provided access credentials", xml);
		return 401;
	}
	return 0;
}
