/* SPDX-License-Identifier: Apache-2.0 */
/* What the service's handlers share: the request context, the answer writer
 * and the refusal path. Only common/service/svc_*.c, service.c, params.c and
 * bill_lines.c include this. */
#ifndef DP_SVC_H
#define DP_SVC_H
#include <stdint.h>
#include "base/buf.h"
#include "wire/filter.h"
#include "base/money.h"
#include "wire/query.h"
#include "base/rates.h"
#include "service/service.h"
#include "store/store.h"

/* Rows come from store_query and go back with store_done (a SQLite
 * statement stays prepared on the connection); handlers never call a
 * backend's own API (store.h, common/store/store_pg.c). */

struct svc {
	const struct service_call *call;
	struct store *st;
	const char *account;
	const char *region;
	const struct query *q;
	int64_t now;
	/* the answer, written straight into out as the handler goes: the
	 * elements open (names the callers keep alive), whether the last start
	 * tag still waits for its '>' (an element closed so is <name/>), and a
	 * buffer reused for the values that need text_clean */
	struct buf *out, tmp;
	const char *open[32];
	int depth, tag_open;
	int werr;               /* the answer is incomplete (elements nested too deep) */
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
/* 400 InvalidAMIID.NotFound for id: the one answer for a missing image and
 * for another account's private image, so that the two cannot be told apart. */
int svc_image_not_found(struct svc *x, const char *id);
/* A SQLite failure: 500 InternalError. SQLite's text (and the store's path)
 * is in the message for a local caller, in call->internal for a remote one. */
int svc_fail_store(struct svc *x);

/* The answer's elements. Values are written as text_clean() leaves them, so
 * the answer is well-formed whatever a store holds; a failing writer call
 * sets werr and service_handle answers InternalError instead. */
void svc_open(struct svc *x, const char *name);
void svc_close(struct svc *x);
void svc_elem(struct svc *x, const char *name, const char *value);
/* a whole number, without printf (answers write several a row) */
void svc_elem_int(struct svc *x, const char *name, long long v);
void svc_elemf(struct svc *x, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void svc_elem_time(struct svc *x, const char *name, int64_t t);
void svc_elem_money(struct svc *x, const char *name, int64_t micro);   /* exact */
void svc_elem_cents(struct svc *x, const char *name, int64_t micro);   /* 2 places */
/* <productCodes> with the code as a devpay item; empty when code is "". */
void svc_product_codes(struct svc *x, const char *code);
/* <name>raw</name>: raw is written as it is (XML-safe text only). */
void svc_elem_raw(struct svc *x, const char *name, const char *raw);

/* Parameters. */
const char *svc_param(struct svc *x, const char *name);
/* The values of PREFIX.1, PREFIX.2, ... (any N) in one pass over the
 * request, sorted; *out is NULL (and 0 returned) when there are none, else
 * malloc'd (free it). With svc_list_has, a list filter costs O(n log n). */
size_t svc_list(struct svc *x, const char *prefix, const char ***out);
int svc_list_has(const char **list, size_t n, const char *value);
/* A required parameter, or MissingParameter. */
int svc_need(struct svc *x, const char *name, const char **value);

/* The request's Filter.N.* parameters, checked against the Action's filter
 * names (NULL-terminated); refuses (InvalidParameterValue for an unknown
 * name) as EC2 does. On success the caller releases fs. */
int svc_filters(struct svc *x, const char *const *names, struct filter_set *fs);
/* As svc_filters, with also the names EC2 documents for the Action about
 * what this service does not have (vpc-id, subnet-id, ...): accepted, and
 * matched by no record, as such a filter matches nothing in EC2-Classic. */
int svc_filters_absent(struct svc *x, const char *const *names, const char *const *absent,
		       struct filter_set *fs);

/* What real clients send with their default values (the Java
 * ec2-api-tools always send EbsOptimized=false, ...). svc_only_value: the
 * parameter, when given, must be one of values (a '|'-separated list of
 * the values a client may send, the first being the one accepted); another
 * of them is refused as Unsupported naming feature, anything else as
 * InvalidParameterValue. svc_unsupported: the first of names (NULL-ended,
 * filter_name_matches patterns) the request carries is refused as
 * Unsupported naming feature. 0, or -1 refused. */
int svc_only_value(struct svc *x, const char *name, const char *values, const char *feature);
int svc_unsupported(struct svc *x, const char *const *names, const char *feature);

/* svc_filter_names.c: the absent names of DescribeInstances, DescribeImages. */
extern const char *const instance_filters_absent[];
extern const char *const image_filters_absent[];

/* Pages of a describe Action: MaxResults and NextToken. kind names the
 * Action in its tokens (a token of one Action is refused by another). A
 * page holds at most max records: MaxResults when given (lo..hi, else
 * InvalidParameterValue), otherwise cap (0: the whole answer). after is
 * the position the NextToken resumes after, as the handler wrote it with
 * svc_page_token ("" on a first page). */
struct svc_page {
	long max;
	int asked;              /* MaxResults was given */
	char after[160];
};
int svc_page_parse(struct svc *x, const char *kind, long lo, long hi, long cap,
		   struct svc_page *p);
/* <nextToken> resuming after position key (at most 150 bytes). */
void svc_page_token(struct svc *x, const char *kind, const char *key);
/* The default page of DescribeInstances and DescribeImages when the caller
 * sends no MaxResults (devpayd(8)): an answer never grows without bound. */
#define SVC_PAGE_CAP 10000

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
/* What a launch of IMAGE, an instance of TYPE in the caller's region, needs
 * of the product the image carries, in one statement (one round trip to
 * PostgreSQL), asked ahead by svc_product_launch_ahead: its
 * version in force now and, of that version and the caller, whether the
 * caller subscribes, the region is covered and TYPE is priced (anywhere).
 * 1 found, 0 no version in force, -1 store error. */
struct product_launch {
	int64_t version;
	unsigned platforms;
	char owner[13];
	int subscribed, in_region, has_type;
};
int svc_product_launch(struct svc *x, const char *image, const char *type, struct product_launch *l);
void svc_product_launch_ahead(struct svc *x, const char *image, const char *type);
/* 1 when account has an active subscription to code. */
int svc_subscribed(struct svc *x, const char *code, const char *account);
/* The instances rolled up for billing (usage.c): every write that launches
 * or ends instances calls these in its transaction. 0, or -1 store error. */
#define USAGE_RUNNING INT64_MAX
struct svc_usage_key {
	const char *owner, *code; /* code: "" for none */
	const char *region, *type;
	int platform;
	int64_t launched;
	const char *reservation;
};
/* n instances of k launched, running */
int svc_usage_launch(struct svc *x, const struct svc_usage_key *k, int64_t n);
/* one running instance of k ended at terminated */
int svc_usage_end(struct svc *x, const struct svc_usage_key *k, int64_t terminated);
/* every running instance of owner's product code ended at terminated */
int svc_usage_end_all(struct svc *x, const char *owner, const char *code, int64_t terminated);
/* An image as the caller may see it. */
struct svc_image {
	char id[32], owner[13], code[9];
	int platform, public;
	char root[16];
};
/* 1 when the image exists and the caller may see (and launch) it: its
 * owner, an account its launch permissions name, anyone when it is public;
 * 0 otherwise (a deregistered image included), -1 store error. */
int svc_find_image(struct svc *x, const char *id, struct svc_image *im);
/* Its read asked ahead (store_prefetch). */
void svc_find_image_ahead(struct svc *x, const char *id);
/* Valid shapes: 8 upper-case hex digits, "ami-" + 8..17 hex, ... */
int svc_valid_code(const char *code);
int svc_valid_id(const char *id, const char *prefix);

/* Tags (svc_tags.c). SVC_TAGS_COL(OWNER, RESOURCE): a result column of the
 * tags OWNER (an SQL expression) put on RESOURCE (one), packed for
 * svc_write_tag_set and svc_tag_values; "" when it has none. One correlated
 * subquery on the tags' key, in the row's own query. */
#define SVC_TAGS_COL(owner, resource) \
	"coalesce((SELECT group_concat(tg.key || char(1) || tg.value, char(1)) FROM tags tg" \
	" WHERE tg.owner = " owner " AND tg.resource = " resource "), '')"
#define SVC_TAGS_MAX 64          /* >= EC2's 50 a resource, = FILTER_VALUES_MAX */
struct svc_tags {
	char *buf;
	int n;
	const char *key[SVC_TAGS_MAX], *value[SVC_TAGS_MAX];
};
/* <tagSet> of a packed column (nothing when it is empty, as EC2). */
void svc_write_tag_set(struct svc *x, const char *packed);
/* A filter_values_fn's answer for the tag filters (tag:KEY, tag-key,
 * tag-value) of a packed column, t its room (svc_tags_release it); -1 when
 * name is none of them. */
int svc_tag_values(struct svc_tags *t, const char *packed, const char *name, const char **out,
		   int max);
void svc_tags_release(struct svc_tags *t);
/* The tags of a launch (TagSpecification.N, ResourceType instance): read
 * and checked; svc_launch_tags_request appends them to the request a client
 * token replays; svc_launch_tags_put writes them on one new instance. */
struct svc_tag_list {
	int n;
	const char **key, **value;
};
int svc_launch_tags(struct svc *x, struct svc_tag_list *tl);
void svc_launch_tags_request(const struct svc_tag_list *tl, struct buf *request);
int svc_launch_tags_put(struct svc *x, const char *instance, const struct svc_tag_list *tl);
void svc_tag_list_release(struct svc_tag_list *tl);

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
int svc_reset_image_attribute(struct svc *x);
int svc_deregister_image(struct svc *x);
int svc_describe_regions(struct svc *x);
int svc_describe_availability_zones(struct svc *x);
int svc_run_instances(struct svc *x);
int svc_describe_instances(struct svc *x);
int svc_terminate_instances(struct svc *x);
int svc_confirm_product_instance(struct svc *x);
int svc_get_bill(struct svc *x);
int svc_describe_ri_offerings(struct svc *x);
int svc_purchase_ri_offering(struct svc *x);
int svc_describe_reserved(struct svc *x);
/* key pairs (svc_keypairs.c) */
int svc_create_key_pair(struct svc *x);
int svc_import_key_pair(struct svc *x);
int svc_describe_key_pairs(struct svc *x);
int svc_delete_key_pair(struct svc *x);
/* RunInstances' KeyName: *name NULL when none is given, else one of the
 * caller's key pairs in its region (InvalidKeyPair.NotFound otherwise). */
int svc_launch_key(struct svc *x, const char **name);
/* Its read asked ahead (store_prefetch). */
void svc_launch_key_ahead(struct svc *x);

/* Issue 20: user data, instance attributes and status (svc_userdata.c,
 * svc_instance_status.c). */
#define SVC_USER_DATA_MAX 16384     /* bytes of user data, decoded, as EC2 */
#define SVC_USER_DATA_B64_MAX 21848 /* characters of their base64 */
struct svc_user_data {
	const char *b64;        /* the UserData parameter, checked; NULL: none */
	char digest[65];        /* SHA-256 of the bytes, hexadecimal */
};
/* RunInstances' UserData: 0 (ud filled), or -1 refused as EC2 refuses it. */
int svc_user_data_parse(struct svc *x, struct svc_user_data *ud);
/* Keeps the user data with the reservation: 0 or -1 (store failure). */
int svc_user_data_store(struct svc *x, const char *reservation, const struct svc_user_data *ud);
/* svc_instances.c: an instance's state at now (name; *code its code), and
 * the InstanceId.N list as a JSON array, each the caller's (else refused). */
const char *svc_instance_state(int64_t launched, int64_t terminated, int64_t now, int *code);
int svc_instance_ids(struct svc *x, struct buf *json, int *count);
int svc_describe_instance_attribute(struct svc *x);
int svc_describe_instance_status(struct svc *x);

/* Security groups, EC2-Classic (svc_groups.c). */
int svc_create_security_group(struct svc *x);
int svc_describe_security_groups(struct svc *x);
int svc_delete_security_group(struct svc *x);
int svc_authorize_ingress(struct svc *x);
int svc_revoke_ingress(struct svc *x);
/* Seconds a terminated instance stays shutting-down (svc_instances.c): until
 * then it still holds its groups. */
#define SVC_SHUTDOWN_SECONDS 60
/* The groups of a launch (reservation), in the order given. */
#define SVC_GROUPS_MAX 16
struct svc_groups {
	int n;
	int given;      /* named in the request (else the default group) */
	char id[SVC_GROUPS_MAX][32];
	char name[SVC_GROUPS_MAX][256];
};
/* RunInstances' SecurityGroup.N (names) and SecurityGroupId.N, the caller's
 * in its region; none: the default group (stored when it is not yet). 0, or
 * -1 refused (InvalidGroup.NotFound, ...). */
int svc_launch_groups(struct svc *x, struct svc_groups *g);
/* What svc_launch_groups will read, asked ahead (store_prefetch). */
void svc_launch_groups_ahead(struct svc *x);
/* "&groups=ID,..." for the ClientToken replay request when groups were
 * named, else "". */
#define SVC_GROUPS_KEY (16 + SVC_GROUPS_MAX * 32)
void svc_groups_key(const struct svc_groups *g, char out[SVC_GROUPS_KEY]);
/* Stores the groups of reservation rid: 0, or -1 refused. */
int svc_store_launch_groups(struct svc *x, const char *rid, const struct svc_groups *g);
/* The groups of reservation rid of owner (the default group for one launched
 * before groups were stored): 0, or -1 refused. */
int svc_reservation_groups(struct svc *x, const char *rid, const char *owner, struct svc_groups *g);
/* SVC_GROUPS_COL(RESERVATION): a result column of the groups of reservation
 * RESERVATION (an SQL expression), packed for svc_groups_unpack; "" when it
 * has none. One correlated subquery in the rows' own query, where a query
 * of its own for each reservation is a round trip each on PostgreSQL. */
#define SVC_GROUPS_COL(reservation) \
	"coalesce((SELECT group_concat(rg.pos || char(1) || rg.grp || char(1) || rg.name, char(1))" \
	" FROM reservation_groups rg WHERE rg.reservation = " reservation "), '')"
/* The groups packed by SVC_GROUPS_COL, in their order, the first
 * SVC_GROUPS_MAX (owner's default group when none: a reservation launched
 * before groups were stored). svc_reservation_groups reads them so too. */
void svc_groups_unpack(struct svc *x, const char *packed, const char *owner, struct svc_groups *g);
/* <groupSet> with an item (groupId, groupName) per group. */
void svc_write_group_set(struct svc *x, const struct svc_groups *g);
/* DescribeInstances' group filters (group-id, group-name, instance.group-id,
 * instance.group-name): the values, or -1 for another filter name. */
int svc_group_filter_values(const struct svc_groups *g, const char *name, const char **out, int max);
/* tags (svc_tags.c) */
int svc_create_tags(struct svc *x);
int svc_delete_tags(struct svc *x);
int svc_describe_tags(struct svc *x);

#endif
