/* What the service's handlers share: the request context, the answer writer
 * and the refusal path. Only common/svc_*.c and service.c include this. */
#ifndef DP_SVC_H
#define DP_SVC_H
#include <stdint.h>
#include <libxml/xmlwriter.h>
#include "buf.h"
#include "money.h"
#include "query.h"
#include "rates.h"
#include "service.h"
#include "store.h"

struct svc {
	const struct service_call *call;
	struct store *st;
	const char *account;
	const char *region;
	const struct query *q;
	int64_t now;
	xmlTextWriterPtr w;
	/* set by svc_fail */
	int status;
	char code[64];
	char message[512];
};

typedef int (*svc_handler)(struct svc *x);

/* Refuses the request: the transaction is rolled back and an error document
 * answers. Returns -1 so a handler can `return svc_fail(...)`. */
int svc_fail(struct svc *x, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A SQLite failure: 500 InternalError, SQLite's text kept for the log. */
int svc_fail_store(struct svc *x);

/* The answer's elements. */
void svc_open(struct svc *x, const char *name);
void svc_close(struct svc *x);
void svc_elem(struct svc *x, const char *name, const char *value);
void svc_elemf(struct svc *x, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void svc_elem_time(struct svc *x, const char *name, int64_t t);
void svc_elem_money(struct svc *x, const char *name, int64_t micro);   /* exact */
void svc_elem_cents(struct svc *x, const char *name, int64_t micro);   /* 2 places */
/* <productCodes> with the code as a devpay item; empty when code is "". */
void svc_product_codes(struct svc *x, const char *code);

/* Parameters. */
const char *svc_param(struct svc *x, const char *name);
/* A required parameter, or MissingParameter. */
int svc_need(struct svc *x, const char *name, const char **value);

/* A product's configuration and price as in force at a time. */
struct product_version {
	int64_t id, effective, one_time, monthly;
	unsigned platforms;        /* bit (1 << enum platform) */
	char owner[13];
	char code[9];
};
/* 1 found, 0 no such product (or none in force yet), -1 store error. */
int svc_product_at(struct svc *x, const char *code, int64_t at, struct product_version *v);
/* One hourly price of a product version. region "" is every region of the
 * product, platform -1 every platform: `--instance-type TYPE=PRICE`. */
struct price_rule {
	char region[24];
	int platform;
	char type[16];
	int64_t hourly;
};
/* The most a version holds: every type once, for every platform, and for
 * every platform in every region (7 x (1 + 2 + 7 x 2) = 119). */
#define PRICE_RULES_MAX 128
/* THE price lookup: the hourly price of (region, platform, type), the most
 * specific rule winning (region and platform, then platform, then the type
 * everywhere); -1 when no rule covers the type. */
int64_t svc_price_lookup(const struct price_rule *r, int n, const char *region, int platform,
			 const char *type);
/* A version's rules, at most max: how many, or -1 on a store error. */
int svc_price_rules(struct svc *x, int64_t version, struct price_rule *r, int max);
/* 1 when the version prices type (anywhere), 0 not, -1 store error. */
int svc_version_has_type(struct svc *x, int64_t version, const char *type);
/* 1 when the version covers the region. */
int svc_version_region(struct svc *x, int64_t version, const char *region);
/* 1 when account has an active subscription to code. */
int svc_subscribed(struct svc *x, const char *code, const char *account);
/* Valid shapes: 8 upper-case hex digits, "ami-" + 8..17 hex, ... */
int svc_valid_code(const char *code);
int svc_valid_id(const char *id, const char *prefix);

/* Handlers, by Action. */
int svc_register_product(struct svc *x);
int svc_describe_products(struct svc *x);
int svc_modify_product(struct svc *x);
int svc_purchase_product(struct svc *x);
int svc_cancel_subscription(struct svc *x);
int svc_describe_subscriptions(struct svc *x);
int svc_register_image(struct svc *x);
int svc_describe_images(struct svc *x);
int svc_modify_image_attribute(struct svc *x);
int svc_describe_image_attribute(struct svc *x);
int svc_run_instances(struct svc *x);
int svc_describe_instances(struct svc *x);
int svc_terminate_instances(struct svc *x);
int svc_confirm_product_instance(struct svc *x);
int svc_get_bill(struct svc *x);
int svc_describe_ri_offerings(struct svc *x);
int svc_purchase_ri_offering(struct svc *x);
int svc_describe_reserved(struct svc *x);

#endif
