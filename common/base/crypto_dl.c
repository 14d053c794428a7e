/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/core.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include "base/dl.h"
#include "base/crypto_dl.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The ABI the headers describe: libcrypto.so.3 for OpenSSL 3. */
static const char *const names[] = { "libcrypto.so." STR(OPENSSL_VERSION_MAJOR), "libcrypto.so" };

static struct crypto_dl fns;
static enum dp_err load_status = DP_ERR_CRYPTO;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	const struct dl_sym syms[] = {
		{ &fns.sha256, "SHA256" },
		{ &fns.hmac, "HMAC" },
		{ &fns.evp_sha256, "EVP_sha256" },
		{ &fns.evp_digest, "EVP_Digest" },
		{ &fns.evp_encode_block, "EVP_EncodeBlock" },
		{ &fns.crypto_memcmp, "CRYPTO_memcmp" },
		{ &fns.cleanse, "OPENSSL_cleanse" },
		{ &fns.rand_bytes, "RAND_bytes" },
		{ &fns.ctx_new, "EVP_CIPHER_CTX_new" },
		{ &fns.ctx_free, "EVP_CIPHER_CTX_free" },
		{ &fns.ctx_ctrl, "EVP_CIPHER_CTX_ctrl" },
		{ &fns.aes_256_gcm, "EVP_aes_256_gcm" },
		{ &fns.encrypt_init, "EVP_EncryptInit_ex" },
		{ &fns.encrypt_update, "EVP_EncryptUpdate" },
		{ &fns.encrypt_final, "EVP_EncryptFinal_ex" },
		{ &fns.decrypt_init, "EVP_DecryptInit_ex" },
		{ &fns.decrypt_update, "EVP_DecryptUpdate" },
		{ &fns.decrypt_final, "EVP_DecryptFinal_ex" },
		{ &fns.pkey_q_keygen, "EVP_PKEY_Q_keygen" },
		{ &fns.pkey_free, "EVP_PKEY_free" },
		{ &fns.i2d_private_key, "i2d_PrivateKey" },
		{ &fns.evp_sha1, "EVP_sha1" },
		{ &fns.evp_md5, "EVP_md5" },
		{ &fns.evp_decode_block, "EVP_DecodeBlock" },
		{ &fns.evp_md_fetch, "EVP_MD_fetch" },
		{ &fns.evp_mac_fetch, "EVP_MAC_fetch" },
		{ &fns.mac_ctx_new, "EVP_MAC_CTX_new" },
		{ &fns.mac_ctx_free, "EVP_MAC_CTX_free" },
		{ &fns.mac_init, "EVP_MAC_init" },
		{ &fns.mac_update, "EVP_MAC_update" },
		{ &fns.mac_final, "EVP_MAC_final" },
	};
	if (dl_load("libcrypto", names, sizeof names / sizeof names[0], syms, sizeof syms / sizeof syms[0],
		    load_error, sizeof load_error))
		return;
	/* kept for the life of the process */
	fns.sha256_md = fns.evp_md_fetch(NULL, "SHA256", NULL);
	fns.hmac_mac = fns.evp_mac_fetch(NULL, "HMAC", NULL);
	if (!fns.sha256_md || !fns.hmac_mac) {
		snprintf(load_error, sizeof load_error, "libcrypto has no SHA256 or HMAC");
		return;
	}
	load_status = DP_OK;
}

int crypto_sha256(const void *d, size_t n, unsigned char out[32])
{
	const struct crypto_dl *c = crypto_dl();
	unsigned int len = 0;
	if (!c->evp_digest(d, n, out, &len, c->sha256_md, NULL) || len != 32) {
		dp_err_set("SHA-256 failed in OpenSSL");
		return -1;
	}
	return 0;
}

int crypto_hmac_sha256(const void *key, size_t keylen, const void *d, size_t n, unsigned char out[32])
{
	const struct crypto_dl *c = crypto_dl();
	OSSL_PARAM params[] = {
		{ "digest", OSSL_PARAM_UTF8_STRING, (char *)"SHA256", 6, OSSL_PARAM_UNMODIFIED },
		{ NULL, 0, NULL, 0, 0 },
	};
	EVP_MAC_CTX *m = c->mac_ctx_new(c->hmac_mac);
	size_t len = 0;
	int ok = m && c->mac_init(m, key, keylen, params) && c->mac_update(m, d, n) &&
		 c->mac_final(m, out, &len, 32) && len == 32;
	c->mac_ctx_free(m);
	if (!ok) {
		dp_err_set("HMAC-SHA256 failed in OpenSSL");
		return -1;
	}
	return 0;
}

int crypto_hmac_sha256_kept(void **kept, const void *key, size_t keylen, const void *d, size_t n,
			    unsigned char out[32])
{
	const struct crypto_dl *c = crypto_dl();
	OSSL_PARAM params[] = {
		{ "digest", OSSL_PARAM_UTF8_STRING, (char *)"SHA256", 6, OSSL_PARAM_UNMODIFIED },
		{ NULL, 0, NULL, 0, 0 },
	};
	EVP_MAC_CTX *m = *kept;
	size_t len = 0;
	/* a context set up with the key once; after that, EVP_MAC_init without a
	 * key starts again from the key's states OpenSSL keeps */
	int ok = m ? c->mac_init(m, NULL, 0, NULL)
		   : (m = c->mac_ctx_new(c->hmac_mac)) != NULL && c->mac_init(m, key, keylen, params);
	*kept = m;
	ok = ok && c->mac_update(m, d, n) && c->mac_final(m, out, &len, 32) && len == 32;
	if (!ok) {
		crypto_hmac_sha256_drop(kept);
		dp_err_set("HMAC-SHA256 failed in OpenSSL");
		return -1;
	}
	return 0;
}

void crypto_hmac_sha256_drop(void **kept)
{
	if (*kept)
		crypto_dl()->mac_ctx_free(*kept);
	*kept = NULL;
}

enum dp_err crypto_dl_load(void)
{
	pthread_once(&once, load);
	if (load_status)
		dp_err_set("%s", load_error);
	return load_status;
}

const struct crypto_dl *crypto_dl(void)
{
	if (crypto_dl_load()) {
		fprintf(stderr, "fatal: %s\n", load_error);
		exit(1);
	}
	return &fns;
}
