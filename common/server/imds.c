/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "base/clock.h"
#include "base/ids.h"
#include "server/imds.h"

#define TOKEN_TTL_MAX 21600 /* seconds, as EC2 */
#define TOKENS 256

static const struct imds_config *conf;
static struct {
	char value[64];
	int64_t expires;
} tokens[TOKENS];
static unsigned next_token;

void imds_init(const struct imds_config *c)
{
	conf = c;
}

/* The instance identity document, pretty-printed as EC2 prints it. */
static void identity_document(const struct imds_view *v, struct buf *b)
{
	json_t *doc = json_object(), *codes = json_null();
	if (v->ncodes) {
		codes = json_array();
		for (int i = 0; i < v->ncodes; i++)
			json_array_append_new(codes, json_string(v->codes[i]));
	}
	json_object_set_new(doc, "accountId", json_string(v->owner));
	json_object_set_new(doc, "architecture", json_string("x86_64"));
	json_object_set_new(doc, "availabilityZone", json_string(v->zone));
	json_object_set_new(doc, "billingProducts", json_null());
	json_object_set_new(doc, "devpayProductCodes", codes);
	json_object_set_new(doc, "marketplaceProductCodes", json_null());
	json_object_set_new(doc, "imageId", json_string(v->image));
	json_object_set_new(doc, "instanceId", json_string(v->id));
	json_object_set_new(doc, "instanceType", json_string(v->type));
	json_object_set_new(doc, "kernelId", json_null());
	json_object_set_new(doc, "pendingTime", *v->pending ? json_string(v->pending) : json_null());
	json_object_set_new(doc, "privateIp", *v->private_ip ? json_string(v->private_ip) : json_null());
	json_object_set_new(doc, "ramdiskId", json_null());
	json_object_set_new(doc, "region", json_string(v->region));
	json_object_set_new(doc, "version", json_string("2017-09-30"));
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (s)
		buf_adds(b, s);
	free(s);
}

static void meta_data(const struct imds_view *v, struct buf *b)
{
	buf_addf(b, "ami-id\nami-launch-index\nhostname\ninstance-id\ninstance-type\n"
		    "local-hostname\nlocal-ipv4\nplacement/\n%s%sreservation-id",
		 v->ncodes ? "product-codes\n" : "", *v->public_key ? "public-keys/\n" : "");
}

/* "/latest": user-data is listed when the instance has some. */
static void version_root(const struct imds_view *v, struct buf *b)
{
	buf_adds(b, "dynamic\nmeta-data");
	if (v->user_data_len)
		buf_adds(b, "\nuser-data");
}

/* The bytes as given at launch, whatever they are (404 when none). */
static void user_data(const struct imds_view *v, struct buf *b)
{
	buf_add(b, v->user_data, v->user_data_len);
}

static void product_codes(const struct imds_view *v, struct buf *b)
{
	for (int i = 0; i < v->ncodes; i++)
		buf_addf(b, "%s%s", i ? "\n" : "", v->codes[i]);
}

/* public-keys/: "0=NAME", and public-keys/0/ its one format, only for an
 * instance with a key pair */
static void public_keys(const struct imds_view *v, struct buf *b)
{
	if (*v->public_key)
		buf_addf(b, "0=%s", v->key_name);
}

static void public_key_formats(const struct imds_view *v, struct buf *b)
{
	if (*v->public_key)
		buf_adds(b, "openssh-key");
}

#define FIELD(f) offsetof(struct imds_view, f)
#define NONE ((size_t)-1)

/* The versions of the metadata service "/" lists, as EC2 lists them; each
 * serves the view of "/latest" (what a client of an old version reads is
 * all there, with what came later beside it). */
#define IMDS_VERSIONS "1.0\n2007-01-19\n2007-03-01\n2007-08-29\n2007-10-10\n2007-12-15\n" \
	"2008-02-01\n2008-09-01\n2009-04-04\nlatest"

/* The paths served. A path is served with or without one trailing slash
 * (botocore asks "placement/availability-zone/"); a path whose answer is
 * empty (no private address yet, no product codes, no user data) is not
 * there: 404. */
static const struct route {
	const char *path;
	int listing;                                         /* a directory (served alike) */
	const char *text;                                    /* a fixed answer */
	size_t field;                                        /* or a field of the view */
	void (*fn)(const struct imds_view *, struct buf *);  /* or one written */
} routes[] = {
	{ "/", 0, IMDS_VERSIONS, NONE, NULL },
	{ "/latest", 1, NULL, NONE, version_root },
	{ "/latest/user-data", 0, NULL, NONE, user_data },
	{ "/latest/meta-data", 1, NULL, NONE, meta_data },
	{ "/latest/meta-data/ami-id", 0, NULL, FIELD(image), NULL },
	{ "/latest/meta-data/ami-launch-index", 0, NULL, FIELD(launch_index), NULL },
	{ "/latest/meta-data/instance-id", 0, NULL, FIELD(id), NULL },
	{ "/latest/meta-data/instance-type", 0, NULL, FIELD(type), NULL },
	{ "/latest/meta-data/hostname", 0, NULL, FIELD(private_dns), NULL },
	{ "/latest/meta-data/local-hostname", 0, NULL, FIELD(private_dns), NULL },
	{ "/latest/meta-data/local-ipv4", 0, NULL, FIELD(private_ip), NULL },
	{ "/latest/meta-data/placement", 1, "availability-zone\nregion", NONE, NULL },
	{ "/latest/meta-data/placement/availability-zone", 0, NULL, FIELD(zone), NULL },
	{ "/latest/meta-data/placement/region", 0, NULL, FIELD(region), NULL },
	{ "/latest/meta-data/reservation-id", 0, NULL, FIELD(reservation), NULL },
	{ "/latest/meta-data/product-codes", 0, NULL, NONE, product_codes },
	{ "/latest/meta-data/public-keys", 1, NULL, NONE, public_keys },
	{ "/latest/meta-data/public-keys/0", 1, NULL, NONE, public_key_formats },
	{ "/latest/meta-data/public-keys/0/openssh-key", 0, NULL, FIELD(public_key), NULL },
	{ "/latest/dynamic", 1, "instance-identity/", NONE, NULL },
	{ "/latest/dynamic/instance-identity", 1, "document", NONE, NULL },
	{ "/latest/dynamic/instance-identity/document", 0, NULL, NONE, identity_document },
};

/* The route of a path: a dated version is read as "latest", one trailing
 * slash is dropped. */
static const struct route *route_of(const char *path)
{
	static const char *const dated[] = { "1.0", "2007-01-19", "2007-03-01", "2007-08-29",
		"2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01", "2009-04-04" };
	char p[256];
	const char *rest = path;
	for (size_t i = 0; *path == '/' && i < sizeof dated / sizeof dated[0]; i++) {
		size_t dn = strlen(dated[i]);
		if (!strncmp(path + 1, dated[i], dn) && (!path[dn + 1] || path[dn + 1] == '/')) {
			rest = path + 1 + dn;
			break;
		}
	}
	int len = snprintf(p, sizeof p, "%s%s", rest == path ? "" : "/latest", rest);
	if (len < 0 || (size_t)len >= sizeof p)
		return NULL;
	if (len > 1 && p[len - 1] == '/')
		p[len - 1] = '\0';
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (!strcmp(p, routes[i].path))
			return &routes[i];
	return NULL;
}

int imds_answer(const char *path, const struct imds_view *v, struct buf *out)
{
	const struct route *r = route_of(path);
	size_t before = out->len;
	if (!r)
		return 0;
	if (r->text)
		buf_adds(out, r->text);
	else if (r->field != NONE)
		buf_adds(out, (const char *)v + r->field);
	else
		r->fn(v, out);
	return out->len > before;
}

static void reply_bytes(struct front_reply *rp, unsigned status, const char *body, size_t n)
{
	rp->status = status;
	buf_add(&rp->body, body, n);
	rp->headers[0][0] = "Server";
	rp->headers[0][1] = "EC2ws";
	if (status == 405) {
		rp->headers[1][0] = "Allow";
		rp->headers[1][1] = "GET, HEAD, PUT";
	}
}

static void reply(struct front_reply *rp, unsigned status, const char *body)
{
	reply_bytes(rp, status, body, strlen(body));
}

static int64_t now_or_zero(void)
{
	int64_t t = 0;
	if (clock_now(&t))
		t = 0;
	return t;
}

static void new_token(struct MHD_Connection *conn, struct front_reply *rp)
{
	/* a request that went through a proxy (either header) gets no token */
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For") ||
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Forwarded")) {
		reply(rp, 403, "Forbidden\n");
		return;
	}
	const char *ttl_s = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							"X-aws-ec2-metadata-token-ttl-seconds");
	/* one header, plain digits (no sign, no space), 1 to 21600 */
	long ttl = 0;
	size_t nd = ttl_s ? strspn(ttl_s, "0123456789") : 0;
	if (ttl_s && nd && !ttl_s[nd] && nd <= 5)
		ttl = strtol(ttl_s, NULL, 10);
	if (front_header_count(conn, "X-aws-ec2-metadata-token-ttl-seconds") > 1) {
		reply(rp, 400, "Bad Request: X-aws-ec2-metadata-token-ttl-seconds is given more than once\n");
		return;
	}
	if (ttl < 1 || ttl > TOKEN_TTL_MAX) {
		reply(rp, 400, "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be a whole number from 1 to 21600\n");
		return;
	}
	unsigned i = next_token++ % TOKENS;
	id_base64(tokens[i].value, sizeof tokens[i].value, 42);
	tokens[i].expires = now_or_zero() + ttl;
	rp->status = 200;
	buf_adds(&rp->body, tokens[i].value);
	rp->headers[0][0] = "X-aws-ec2-metadata-token-ttl-seconds";
	rp->headers[0][1] = ttl_s;
}

static int token_valid(const char *t)
{
	int64_t now = now_or_zero();
	for (unsigned i = 0; i < TOKENS; i++)
		if (*tokens[i].value && !strcmp(tokens[i].value, t) && now < tokens[i].expires)
			return 1;
	return 0;
}

void imds_handle(void *cls, const struct front_request *rq, struct front_reply *rp)
{
	(void)cls;
	const char *method = rq->method, *url = rq->url;
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(url, "/latest/api/token")) {
		if (!strcmp(method, "PUT"))
			new_token(rq->conn, rp);
		else
			reply(rp, 405, "Method Not Allowed\n");
		return;
	}
	if (!get) {
		reply(rp, 405, "Method Not Allowed\n");
		return;
	}
	const char *t = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
						    "X-aws-ec2-metadata-token");
	if ((t && !token_valid(t)) || (!t && conf->tokens_required)) {
		reply(rp, 401, "Unauthorized\n");
		return;
	}
	struct imds_view v;
	struct buf msg = BUF_INIT;
	int r = conf->read(conf->cls, &v, &msg);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read instance %s: %s\n", conf->prog, conf->instance,
			buf_str(&msg));
		buf_release(&msg);
		reply(rp, 503, "Service Unavailable\n");
		return;
	}
	buf_release(&msg);
	if (r > 0) { /* terminated (or gone): it answers nothing, 404 with no body */
		reply(rp, 404, "");
		return;
	}
	struct buf body = BUF_INIT;
	if (imds_answer(url, &v, &body))
		reply_bytes(rp, 200, body.p, body.len);
	else
		reply(rp, 404, "Not Found\n");
	buf_release(&body);
}
