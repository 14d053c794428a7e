/* SPDX-License-Identifier: Apache-2.0 */
/* Tags: CreateTags, DeleteTags and DescribeTags, the tags a launch gives its
 * instances (TagSpecification), and what DescribeInstances and
 * DescribeImages show of them (tagSet, the tag:KEY, tag-key and tag-value
 * filters).
 *
 * A tag belongs to the account that wrote it: on its own instances and
 * reservations, and on any image it may launch (on a shared or public image
 * each account sees only its own tags, as in EC2). Text values reach here
 * through service_check_text, so a stored key or value never holds a
 * control character: the tags of a resource travel in one column as
 * key \1 value \1 key \1 value ... (SVC_TAGS_COL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "service/svc.h"

/* EC2's limits (API 2016-11-15), in characters. */
#define TAG_KEY_MAX 127
#define TAG_VALUE_MAX 255
#define TAGS_PER_RESOURCE 50
/* DescribeTags' MaxResults */
#define PAGE_MIN 5
#define PAGE_MAX 1000

/* Characters (code points) of a UTF-8 text: service_check_text let only
 * valid UTF-8 in. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A resource the caller may tag: its kind, and the region its tags belong
 * to (the resource's: an image's too, since images are regional; tags of
 * older stores with region "" are shown in every region). */
struct resource {
	const char *id, *kind, *region;
};

/* 1 when the caller's row is there, 0 not, -1 store error. */
static int exists(struct svc *x, const char *sql, const char *id)
{
	struct store_rows *s = store_query(x->st, sql, "sss", id, x->account, x->region);
	if (!s)
		return -1;
	int rc = store_step(s);
	store_done(s);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* The resource an id names, as the caller sees it, or EC2's refusal of a
 * malformed id or of one that does not exist for the caller. */
static int find_resource(struct svc *x, const char *id, struct resource *r)
{
	int found;
	r->id = id;
	r->region = x->region;
	if (!strncmp(id, "i-", 2)) {
		r->kind = "instance";
		if (!svc_valid_id(id, "i-"))
			return svc_fail(x, 400, "InvalidInstanceID.Malformed",
					"Invalid id: \"%s\" (expecting \"i-...\")", id);
		found = exists(x, "SELECT 1 FROM instances WHERE id = ? AND owner = ? AND region = ?", id);
		if (found == 0)
			return svc_fail(x, 400, "InvalidInstanceID.NotFound",
					"The instance ID '%s' does not exist", id);
	} else if (!strncmp(id, "r-", 2)) {
		r->kind = "reservation";
		if (!svc_valid_id(id, "r-"))
			return svc_fail(x, 400, "InvalidReservationID.Malformed",
					"Invalid id: \"%s\" (expecting \"r-...\")", id);
		found = exists(x, "SELECT 1 FROM reservations WHERE id = ? AND owner = ? AND region = ?", id);
		if (found == 0)
			return svc_fail(x, 400, "InvalidReservationID.NotFound",
					"The reservation ID '%s' does not exist", id);
	} else if (!strncmp(id, "ami-", 4)) {
		r->kind = "image";
		if (!svc_valid_id(id, "ami-"))
			return svc_fail(x, 400, "InvalidAMIID.Malformed",
					"Invalid id: \"%s\" (expecting \"ami-...\")", id);
		struct svc_image im;
		found = svc_find_image(x, id, &im);
		if (found == 0)
			return svc_image_not_found(x, id);
	} else
		return svc_fail(x, 400, "InvalidID",
				"The ID '%s' is not valid: tags go on instances (i-...), images (ami-...)"
				" and reservations (r-...)", id);
	return found < 0 ? svc_fail_store(x) : 0;
}

void svc_tag_list_release(struct svc_tag_list *tl)
{
	free(tl->key);
	free(tl->value);
	memset(tl, 0, sizeof *tl);
}

/* PREFIX.N.Key / PREFIX.N.Value from N = 1 on into tl (pointing into the
 * request; a value not given is NULL). WRITE: the tags are to be written,
 * so a missing value is "" and both have EC2's lengths. Either way a key
 * needs to be there, may not start with aws: and may not be given twice. */
static int read_tags(struct svc *x, const char *prefix, int write, struct svc_tag_list *tl)
{
	memset(tl, 0, sizeof *tl);
	int cap = 0;
	for (int i = 1;; i++) {
		const char *k = query_get_nth(x->q, prefix, i, "Key");
		const char *v = query_get_nth(x->q, prefix, i, "Value");
		if (!k && !v)
			break;
		if (!k)
			return svc_fail(x, 400, "MissingParameter",
					"The request must contain the parameter %s.%d.Key", prefix, i);
		if (!*k)
			return svc_fail(x, 400, "InvalidParameterValue",
					"The parameter %s.%d.Key is empty: a tag needs a key", prefix, i);
		if (!strncasecmp(k, "aws:", 4))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Tag key '%.200s' is not allowed: keys starting with 'aws:' are reserved for AWS use",
					k);
		if (write && chars(k) > TAG_KEY_MAX)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Tag key '%.40s...' is too long: at most %d characters", k, TAG_KEY_MAX);
		if (write && !v)
			v = "";
		if (write && chars(v) > TAG_VALUE_MAX)
			return svc_fail(x, 400, "InvalidParameterValue",
					"The value of tag '%.200s' is too long: at most %d characters", k,
					TAG_VALUE_MAX);
		if (tl->n == cap) {
			cap = cap ? 2 * cap : 8;
			tl->key = xrealloc(tl->key, (size_t)cap * sizeof *tl->key);
			tl->value = xrealloc(tl->value, (size_t)cap * sizeof *tl->value);
		}
		tl->key[tl->n] = k;
		tl->value[tl->n++] = v;
	}
	if (tl->n < 2)
		return 0;
	const char **keys = xcalloc((size_t)tl->n, sizeof *keys);
	memcpy(keys, tl->key, (size_t)tl->n * sizeof *keys);
	qsort(keys, (size_t)tl->n, sizeof *keys, cmp_str);
	int rc = 0;
	for (int i = 1; i < tl->n && !rc; i++)
		if (!strcmp(keys[i - 1], keys[i]))
			rc = svc_fail(x, 400, "InvalidParameterValue",
				      "Tag key '%.200s' is given more than once", keys[i]);
	free(keys);
	return rc;
}

/* The tags of tl written on r (a key there already takes the new value),
 * then EC2's limit of tags a resource may carry. */
static int put_tags(struct svc *x, const struct resource *r, const struct svc_tag_list *tl)
{
	for (int i = 0; i < tl->n; i++)
		if (store_exec(x->st, "INSERT INTO tags(owner, resource, kind, region, key, value, created)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner, resource, key)"
			       " DO UPDATE SET value = excluded.value", "ssssssi", x->account, r->id,
			       r->kind, r->region, tl->key[i], tl->value[i], x->now))
			return svc_fail_store(x);
	struct store_rows *s = store_query(x->st, "SELECT count(*) FROM tags WHERE owner = ? AND resource = ?",
				      "ss", x->account, r->id);
	if (!s || store_step(s) != STORE_ROW) {
		store_done(s);
		return svc_fail_store(x);
	}
	int64_t n = store_int64(s, 0);
	store_done(s);
	if (n > TAGS_PER_RESOURCE)
		return svc_fail(x, 400, "TagLimitExceeded",
				"The maximum number of tags for a resource (%d) has been reached: %s would have %lld",
				TAGS_PER_RESOURCE, r->id, (long long)n);
	return 0;
}

/* ResourceId.1, .2, ...: each checked, in order, by fn. */
static int each_resource(struct svc *x, const struct svc_tag_list *tl,
			 int (*fn)(struct svc *, const struct resource *, const struct svc_tag_list *))
{
	if (!query_get_nth(x->q, "ResourceId", 1, NULL))
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter ResourceId.1");
	for (int i = 1;; i++) {
		const char *id = query_get_nth(x->q, "ResourceId", i, NULL);
		if (!id)
			return 0;
		struct resource r;
		if (find_resource(x, id, &r) || fn(x, &r, tl))
			return -1;
	}
}

int svc_create_tags(struct svc *x)
{
	struct svc_tag_list tl;
	int rc = read_tags(x, "Tag", 1, &tl);
	if (rc == 0 && !tl.n)
		rc = svc_fail(x, 400, "MissingParameter", "The request must contain the parameter Tag.1.Key");
	if (rc == 0)
		rc = each_resource(x, &tl, put_tags);
	svc_tag_list_release(&tl);
	if (rc == 0)
		svc_elem(x, "return", "true");
	return rc;
}

/* Without tags, every tag of the caller's on r; a tag with a value only
 * when it has that value ("" included), without one whatever its value. */
static int drop_tags(struct svc *x, const struct resource *r, const struct svc_tag_list *tl)
{
	if (!tl->n && store_exec(x->st, "DELETE FROM tags WHERE owner = ? AND resource = ?", "ss",
				 x->account, r->id))
		return svc_fail_store(x);
	for (int i = 0; i < tl->n; i++)
		if (store_exec(x->st, "DELETE FROM tags WHERE owner = ?1 AND resource = ?2 AND key = ?3"
			       " AND (?4 IS NULL OR value = ?4)", "ssss", x->account, r->id, tl->key[i],
			       tl->value[i]))
			return svc_fail_store(x);
	return 0;
}

int svc_delete_tags(struct svc *x)
{
	struct svc_tag_list tl;
	int rc = read_tags(x, "Tag", 0, &tl);
	if (rc == 0)
		rc = each_resource(x, &tl, drop_tags);
	svc_tag_list_release(&tl);
	if (rc == 0)
		svc_elem(x, "return", "true");
	return rc;
}

/* DescribeTags' filters. */
static const char *const tag_filters[] = { "key", "value", "resource-id", "resource-type", NULL };

static int tag_row_values(void *rec, const char *name, const char **out, int max)
{
	struct store_rows *s = rec;
	(void)max;
	int col = !strcmp(name, "resource-id") ? 0 : !strcmp(name, "resource-type") ? 1
		: !strcmp(name, "key") ? 2 : !strcmp(name, "value") ? 3 : -1;
	if (col < 0)
		return 0;
	out[0] = store_text(s, col);
	return 1;
}

/* NextToken: the resource and key of the last tag answered, in hex (ids
 * hold no ':'); the next page starts after it. */
static void token_encode(const char *resource, const char *key, struct buf *out)
{
	for (const char *p = resource; *p; p++)
		buf_addf(out, "%02x", (unsigned char)*p);
	buf_adds(out, "3a");
	for (const char *p = key; *p; p++)
		buf_addf(out, "%02x", (unsigned char)*p);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 0 and the resource and key (malloc'd, key after the resource's NUL), or -1. */
static int token_decode(const char *tok, char **resource, const char **key)
{
	size_t n = strlen(tok);
	if (!n || n % 2)
		return -1;
	char *b = xcalloc(n / 2 + 1, 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(tok[2 * i]), lo = hexval(tok[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(b);
			return -1;
		}
		b[i] = (char)(hi << 4 | lo);
	}
	char *colon = strchr(b, ':');
	if (!colon || colon == b) {
		free(b);
		return -1;
	}
	*colon = '\0';
	*resource = b;
	*key = colon + 1;
	return 0;
}

int svc_describe_tags(struct svc *x)
{
	long max = 0;
	const char *m = svc_param(x, "MaxResults"), *tok = svc_param(x, "NextToken");
	if (m) {
		char *end;
		max = strtol(m, &end, 10);
		if (!*m || *end || max < PAGE_MIN || max > PAGE_MAX)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Value (%.40s) for parameter MaxResults is invalid: expecting a value between %d and %d",
					m, PAGE_MIN, PAGE_MAX);
	}
	char *after = NULL;
	const char *after_key = NULL;
	if (tok && *tok && token_decode(tok, &after, &after_key))
		return svc_fail(x, 400, "InvalidPaginationToken",
				"The pagination token '%.60s' is not valid: give the nextToken of the previous page", tok);
	struct filter_set fs = FILTER_SET_INIT;
	if (svc_filters(x, tag_filters, &fs)) {
		free(after);
		return -1;
	}
	struct store_rows *s = store_query(x->st, "SELECT resource, kind, key, value FROM tags"
				      " WHERE owner = ?1 AND region IN ('', ?2)"
				      " AND (?3 IS NULL OR resource > ?3 OR (resource = ?3 AND key > ?4))"
				      " ORDER BY resource, key", "ssss", x->account, x->region, after, after_key);
	free(after);
	if (!s) {
		filter_release(&fs);
		return svc_fail_store(x);
	}
	struct buf next = BUF_INIT;
	long shown = 0;
	int rc;
	svc_open(x, "tagSet");
	while ((rc = store_step(s)) == STORE_ROW) {
		if (!filter_match(&fs, tag_row_values, s))
			continue;
		if (max && shown == max) {
			/* one more to answer: the page ends after the last one shown */
			break;
		}
		svc_open(x, "item");
		svc_elem(x, "resourceId", store_text(s, 0));
		svc_elem(x, "resourceType", store_text(s, 1));
		svc_elem(x, "key", store_text(s, 2));
		svc_elem(x, "value", store_text(s, 3));
		svc_close(x);
		if (max && ++shown == max) {
			buf_reset(&next);
			token_encode(store_text(s, 0), store_text(s, 2), &next);
		}
	}
	svc_close(x);
	if (rc == STORE_ROW)
		svc_elem(x, "nextToken", buf_str(&next));
	store_done(s);
	filter_release(&fs);
	buf_release(&next);
	return rc == STORE_ROW || rc == STORE_DONE ? 0 : svc_fail_store(x);
}

/* The tags of one column of SVC_TAGS_COL, sorted by key, into t. */
static void tags_parse(struct svc_tags *t, const char *packed)
{
	free(t->buf);
	t->buf = xstrdup(packed);
	t->n = 0;
	for (char *p = t->buf; *p && t->n < SVC_TAGS_MAX;) {
		char *v = strchr(p, '\1');
		if (!v)
			break;
		*v++ = '\0';
		char *end = strchr(v, '\1');
		if (end)
			*end = '\0';
		t->key[t->n] = p;
		t->value[t->n++] = v;
		if (!end)
			break;
		p = end + 1;
	}
	/* by key (an insertion sort: at most SVC_TAGS_MAX of them) */
	for (int i = 1; i < t->n; i++)
		for (int j = i; j > 0 && strcmp(t->key[j - 1], t->key[j]) > 0; j--) {
			const char *k = t->key[j], *v = t->value[j];
			t->key[j] = t->key[j - 1];
			t->value[j] = t->value[j - 1];
			t->key[j - 1] = k;
			t->value[j - 1] = v;
		}
}

void svc_tags_release(struct svc_tags *t)
{
	free(t->buf);
	t->buf = NULL;
	t->n = 0;
}

void svc_write_tag_set(struct svc *x, const char *packed)
{
	if (!*packed)
		return;
	struct svc_tags t = { 0 };
	tags_parse(&t, packed);
	svc_open(x, "tagSet");
	for (int i = 0; i < t.n; i++) {
		svc_open(x, "item");
		svc_elem(x, "key", t.key[i]);
		svc_elem(x, "value", t.value[i]);
		svc_close(x);
	}
	svc_close(x);
	svc_tags_release(&t);
}

int svc_tag_values(struct svc_tags *t, const char *packed, const char *name, const char **out,
		   int max)
{
	int keys = !strcmp(name, "tag-key"), values = !strcmp(name, "tag-value");
	int one = !strncmp(name, "tag:", 4);
	if (!keys && !values && !one)
		return -1;
	tags_parse(t, packed);
	int n = 0;
	for (int i = 0; i < t->n && n < max; i++) {
		if (one && !strcmp(t->key[i], name + 4))
			out[n++] = t->value[i];
		else if (keys)
			out[n++] = t->key[i];
		else if (values)
			out[n++] = t->value[i];
	}
	return n;
}

int svc_launch_tags(struct svc *x, struct svc_tag_list *tl)
{
	memset(tl, 0, sizeof *tl);
	int seen = 0;
	for (int i = 1;; i++) {
		const char *type = query_get_nth(x->q, "TagSpecification", i, "ResourceType");
		char prefix[64];
		snprintf(prefix, sizeof prefix, "TagSpecification.%d.Tag", i);
		if (!type) {
			if (query_get_nth(x->q, prefix, 1, "Key") || query_get_nth(x->q, prefix, 1, "Value"))
				return svc_fail(x, 400, "MissingParameter",
						"The request must contain the parameter TagSpecification.%d.ResourceType", i);
			return 0;
		}
		if (!strcmp(type, "volume"))
			return svc_fail(x, 400, "InvalidParameterValue",
					"TagSpecification.%d.ResourceType volume is not supported: this service has no EBS volumes; tag the instance (ResourceType instance)",
					i);
		if (strcmp(type, "instance"))
			return svc_fail(x, 400, "InvalidParameterValue",
					"'%.60s' is not a valid taggable resource type for this operation: only instance is",
					type);
		if (seen++)
			return svc_fail(x, 400, "InvalidParameterValue",
					"The same resource type may not be specified more than once in tag specifications");
		if (read_tags(x, prefix, 1, tl))
			return -1;
		if (!tl->n)
			return svc_fail(x, 400, "InvalidParameterValue",
					"TagSpecification.%d has no tags: give TagSpecification.%d.Tag.1.Key", i, i);
		if (tl->n > TAGS_PER_RESOURCE)
			return svc_fail(x, 400, "TagLimitExceeded",
					"The maximum number of tags for a resource (%d) has been reached: %d given",
					TAGS_PER_RESOURCE, tl->n);
	}
}

void svc_launch_tags_request(const struct svc_tag_list *tl, struct buf *request)
{
	/* by key, each text with its length: another order of the same tags is
	 * the same request, and no key or value can pass for another */
	int *order = xcalloc((size_t)tl->n + 1, sizeof *order);
	for (int i = 0; i < tl->n; i++) {
		int j = i;
		for (; j > 0 && strcmp(tl->key[order[j - 1]], tl->key[i]) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (int i = 0; i < tl->n; i++) {
		const char *k = tl->key[order[i]], *v = tl->value[order[i]];
		buf_addf(request, "&tag=%zu:%s=%zu:%s", strlen(k), k, strlen(v), v);
	}
	free(order);
}

int svc_launch_tags_put(struct svc *x, const char *instance, const struct svc_tag_list *tl)
{
	struct resource r = { instance, "instance", x->region };
	return tl->n ? put_tags(x, &r, tl) : 0;
}
