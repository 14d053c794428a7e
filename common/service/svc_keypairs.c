/* SPDX-License-Identifier: Apache-2.0 */
/* Key pairs (EC2-Classic): CreateKeyPair, ImportKeyPair, DescribeKeyPairs,
 * DeleteKeyPair, and the key named at launch (RunInstances' KeyName).
 *
 * A key pair belongs to an account in a region, by name. Only its public
 * key is kept, in OpenSSH's one-line form with the key's name as comment;
 * the private key of a created pair is in the CreateKeyPair answer and
 * nowhere else (never stored, never logged; the buffers that held it are
 * wiped). Fingerprints are EC2's: for a created key the SHA-1 of its DER
 * PKCS#8 private key, for an imported one the MD5 of its DER public key
 * (SubjectPublicKeyInfo), as lower-case hexadecimal pairs joined by ':'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlwriter.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include "base/crypto_dl.h"
#include "base/ids.h"
#include "service/svc.h"
#include "wire/rsakey.h"

/* The size of the keys CreateKeyPair makes, as EC2. */
#define CREATE_BITS 2048
/* Room for a 2048-bit key's DER (about 1.2 kB) and PEM (about 1.7 kB). */
#define PRIV_MAX 4096
#define KEY_NAME_MAX 255

/* EC2: up to 255 ASCII characters. Here printable ones (space included),
 * so that a name prints as one field of a record. */
static int check_name(struct svc *x, const char *name)
{
	size_t n = strlen(name);
	if (n > KEY_NAME_MAX)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Value for parameter KeyName is invalid: it is longer than %d characters",
				KEY_NAME_MAX);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Value (%s) for parameter KeyName is invalid. Character sets beyond"
					" ASCII are not supported.", name);
	return 0;
}

static int need_name(struct svc *x, const char **name)
{
	return svc_need(x, "KeyName", name) || check_name(x, *name) ? -1 : 0;
}

static int key_not_found(struct svc *x, const char *name)
{
	return svc_fail(x, 400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", name);
}

/* 1 when the caller has a key pair in its region with that id (by_id) or
 * name, 0 not, -1 store error. */
static const char key_by_name[] = "SELECT 1 FROM key_pairs WHERE owner = ? AND region = ? AND name = ?";

static int key_exists(struct svc *x, int by_id, const char *value)
{
	struct store_rows *s = store_query(x->st, by_id
				      ? "SELECT 1 FROM key_pairs WHERE owner = ? AND region = ? AND id = ?"
				      : key_by_name, "sss", x->account, x->region, value);
	if (!s)
		return -1;
	int rc = store_step(s), r = rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
	store_done(s);
	return r;
}

void svc_launch_key_ahead(struct svc *x)
{
	const char *name = svc_param(x, "KeyName");
	if (name && *name)
		store_prefetch(x->st, key_by_name, "sss", x->account, x->region, name);
}

int svc_launch_key(struct svc *x, const char **name)
{
	*name = svc_param(x, "KeyName");
	if (!*name || !**name) {
		*name = NULL;
		return 0;
	}
	int r = key_exists(x, 0, *name);
	if (r < 0)
		return svc_fail_store(x);
	return r ? 0 : key_not_found(x, *name);
}

/* Writes a new key pair; refuses a name the caller has in the region. */
static int insert_key(struct svc *x, const char *name, const char *fp, const char *pub, char id[32])
{
	for (int tries = 0;; tries++) {
		int r = key_exists(x, 0, name);
		if (r < 0)
			return svc_fail_store(x);
		if (r)
			return svc_fail(x, 400, "InvalidKeyPair.Duplicate",
					"The keypair '%s' already exists.", name);
		id_new(id, 32, "key-", 17);
		r = store_exec(x->st, "INSERT INTO key_pairs(id, owner, region, name, fingerprint,"
			       " public_key, created) VALUES (?, ?, ?, ?, ?, ?, ?)", "ssssssi", id,
			       x->account, x->region, name, fp, pub, x->now);
		if (r == 0)
			return 0;
		/* a constraint: the id was taken (or, on PostgreSQL, the name
		 * by a transaction that committed since: asked again above) */
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
	}
}

static int digest(const void *d, size_t n, const EVP_MD *md, char *out)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!md || EVP_Digest(d, n, h, &len, md, NULL) != 1)
		return -1;
	rsakey_colon_hex(h, len, out);
	return 0;
}

/* A new RSA key: its PEM private key (PKCS#1, "BEGIN RSA PRIVATE KEY") into
 * pem, its EC2 fingerprint and its OpenSSH public key. */
static int generate(struct svc *x, char pem[PRIV_MAX], char fp[64], struct buf *pub)
{
	unsigned char der[PRIV_MAX], p8[PRIV_MAX];
	EVP_PKEY *k = EVP_RSA_gen(CREATE_BITS);
	if (!k)
		return svc_fail(x, 500, "InternalError", "An internal error has occurred");
	int n = i2d_PrivateKey(k, NULL), rc = -1;
	unsigned char *p = der;
	if (n > 0 && n <= PRIV_MAX && i2d_PrivateKey(k, &p) == n) {
		struct rsa_pub rk;
		size_t p8n = rsakey_der_pkcs8(der, (size_t)n, p8, sizeof p8);
		if (!rsakey_der_private(der, (size_t)n, &rk) && p8n &&
		    rsakey_pem("RSA PRIVATE KEY", der, (size_t)n, pem, PRIV_MAX) &&
		    !digest(p8, p8n, EVP_sha1(), fp)) {
			rsakey_openssh(&rk, pub);
			rc = 0;
		}
	}
	EVP_PKEY_free(k);
	OPENSSL_cleanse(der, sizeof der);
	OPENSSL_cleanse(p8, sizeof p8);
	if (rc)
		return svc_fail(x, 500, "InternalError", "An internal error has occurred");
	return 0;
}

/* KeyType and KeyFormat, which the AWS CLI sends only when asked: their
 * EC2 defaults (rsa, pem) are what this service makes. */
static int check_kind(struct svc *x)
{
	const char *t = svc_param(x, "KeyType"), *f = svc_param(x, "KeyFormat");
	if (t && strcmp(t, "rsa"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for KeyType: only rsa key pairs are made here", t);
	if (f && strcmp(f, "pem"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for KeyFormat: only pem is made here", f);
	return 0;
}

/* keyMaterial: the PEM text has line breaks, which svc_elem's text rule
 * would replace, and only base64 characters, dashes and spaces otherwise. */
static void write_material(struct svc *x, const char *pem)
{
	svc_elem_raw(x, "keyMaterial", pem);
}

int svc_create_key_pair(struct svc *x)
{
	const char *name;
	if (need_name(x, &name) || check_kind(x))
		return -1;
	/* refused before a key is made for nothing */
	int r = key_exists(x, 0, name);
	if (r < 0)
		return svc_fail_store(x);
	if (r)
		return svc_fail(x, 400, "InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name);
	char pem[PRIV_MAX], fp[64], id[32];
	struct buf pub = BUF_INIT;
	if (generate(x, pem, fp, &pub)) {
		buf_release(&pub);
		return -1;
	}
	buf_addf(&pub, " %s", name);
	int rc = insert_key(x, name, fp, buf_str(&pub), id);
	buf_release(&pub);
	if (rc == 0) {
		svc_elem(x, "keyName", name);
		svc_elem(x, "keyFingerprint", fp);
		write_material(x, pem);
		svc_elem(x, "keyPairId", id);
	}
	OPENSSL_cleanse(pem, sizeof pem);
	return rc;
}

int svc_import_key_pair(struct svc *x)
{
	const char *name, *material;
	if (need_name(x, &name) || svc_need(x, "PublicKeyMaterial", &material))
		return -1;
	struct buf text = BUF_INIT, blob = BUF_INIT, der = BUF_INIT, pub = BUF_INIT;
	struct rsa_pub k;
	char why[160], fp[64], id[32];
	int rc = -1;
	if (rsakey_b64_decode(material, strlen(material), &text))
		svc_fail(x, 400, "InvalidParameterValue",
			 "Value for parameter PublicKeyMaterial is invalid: it is not base64");
	else if (rsakey_parse_public(text.p ? text.p : "", text.len, &blob, &k, why, sizeof why))
		svc_fail(x, 400, "InvalidKeyPair.Format",
			 "Key is not in valid OpenSSH public key format: %s", why);
	else {
		rsakey_der_spki(&k, &der);
		rsakey_openssh(&k, &pub);
		buf_addf(&pub, " %s", name);
		if (digest(der.p, der.len, EVP_md5(), fp))
			svc_fail(x, 500, "InternalError", "An internal error has occurred");
		else
			rc = insert_key(x, name, fp, buf_str(&pub), id);
	}
	if (rc == 0) {
		svc_elem(x, "keyName", name);
		svc_elem(x, "keyFingerprint", fp);
		svc_elem(x, "keyPairId", id);
	}
	buf_release(&text);
	buf_release(&blob);
	buf_release(&der);
	buf_release(&pub);
	return rc;
}

/* DescribeKeyPairs' filters: EC2's names (a key pair here has no tags, so
 * tag-key matches none). */
static const char *const key_filters[] = { "key-pair-id", "key-name", "fingerprint", "key-type",
	"tag-key", NULL };

static int key_values(void *rec, const char *name, const char **out, int max)
{
	struct store_rows *s = rec;
	(void)max;
	if (!strcmp(name, "key-pair-id")) out[0] = store_text(s, 0);
	else if (!strcmp(name, "key-name")) out[0] = store_text(s, 1);
	else if (!strcmp(name, "fingerprint")) out[0] = store_text(s, 2);
	else if (!strcmp(name, "key-type")) out[0] = "rsa";
	else return 0;
	return 1;
}

static int bad_key_id(struct svc *x, const char *id)
{
	return svc_fail(x, 400, "InvalidParameterValue", "Invalid id: \"%s\" (expecting \"key-...\")", id);
}

/* Every name of KeyName.N and id of KeyPairId.N must be one of the caller's
 * key pairs in its region (InvalidKeyPair.NotFound names the first missing). */
static int all_there(struct svc *x, const char **names, size_t nn, const char **ids, size_t ni)
{
	for (size_t i = 0; i < nn; i++) {
		int r = key_exists(x, 0, names[i]);
		if (r <= 0)
			return r < 0 ? svc_fail_store(x) : key_not_found(x, names[i]);
	}
	for (size_t i = 0; i < ni; i++) {
		if (!svc_valid_id(ids[i], "key-"))
			return bad_key_id(x, ids[i]);
		int r = key_exists(x, 1, ids[i]);
		if (r <= 0)
			return r < 0 ? svc_fail_store(x) : key_not_found(x, ids[i]);
	}
	return 0;
}

int svc_describe_key_pairs(struct svc *x)
{
	const char *inc = svc_param(x, "IncludePublicKey");
	if (inc && strcmp(inc, "true") && strcmp(inc, "false"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for IncludePublicKey: expected true or false", inc);
	int with_public = inc && !strcmp(inc, "true");
	struct filter_set fs = FILTER_SET_INIT;
	if (svc_filters(x, key_filters, &fs))
		return -1;
	const char **names, **ids;
	size_t nn = svc_list(x, "KeyName", &names), ni = svc_list(x, "KeyPairId", &ids);
	int rc = all_there(x, names, nn, ids, ni);
	struct store_rows *s = NULL;
	if (!rc) {
		s = store_query(x->st, "SELECT id, name, fingerprint, public_key, created FROM key_pairs"
				" WHERE owner = ? AND region = ? ORDER BY name", "ss", x->account,
				x->region);
		if (!s)
			rc = svc_fail_store(x);
	}
	if (!rc) {
		int st;
		svc_open(x, "keySet");
		while ((st = store_step(s)) == STORE_ROW) {
			if ((nn || ni) && !(nn && svc_list_has(names, nn, store_text(s, 1))) &&
			    !(ni && svc_list_has(ids, ni, store_text(s, 0))))
				continue;
			if (!filter_match(&fs, key_values, s))
				continue;
			svc_open(x, "item");
			svc_elem(x, "keyPairId", store_text(s, 0));
			svc_elem(x, "keyName", store_text(s, 1));
			svc_elem(x, "keyFingerprint", store_text(s, 2));
			svc_elem(x, "keyType", "rsa");
			svc_open(x, "tagSet");
			svc_close(x);
			if (with_public)
				svc_elem(x, "publicKey", store_text(s, 3));
			svc_elem_time(x, "createTime", store_int64(s, 4));
			svc_close(x);
		}
		svc_close(x);
		if (st != STORE_DONE)
			rc = svc_fail_store(x);
	}
	store_done(s);
	free(names);
	free(ids);
	filter_release(&fs);
	return rc;
}

/* As EC2: deleting a key pair that does not exist succeeds. */
int svc_delete_key_pair(struct svc *x)
{
	const char *name = svc_param(x, "KeyName"), *id = svc_param(x, "KeyPairId");
	if (name && !*name)
		name = NULL;
	if (id && !*id)
		id = NULL;
	if (!name && !id)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter KeyName or KeyPairId");
	if (name && id)
		return svc_fail(x, 400, "InvalidParameterCombination",
				"KeyName and KeyPairId cannot both be given");
	if (name && check_name(x, name))
		return -1;
	if (id && !svc_valid_id(id, "key-"))
		return bad_key_id(x, id);
	struct store_rows *s = id
		? store_query(x->st, "SELECT id FROM key_pairs WHERE owner = ? AND region = ? AND id = ?",
			      "sss", x->account, x->region, id)
		: store_query(x->st, "SELECT id FROM key_pairs WHERE owner = ? AND region = ?"
			      " AND name = ?", "sss", x->account, x->region, name);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	char gone[32] = "";
	if (rc == STORE_ROW)
		snprintf(gone, sizeof gone, "%s", store_text(s, 0));
	store_done(s);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return svc_fail_store(x);
	if (*gone && store_exec(x->st, "DELETE FROM key_pairs WHERE id = ?", "s", gone))
		return svc_fail_store(x);
	svc_elem(x, "return", "true");
	if (*gone)
		svc_elem(x, "keyPairId", gone);
	return 0;
}
