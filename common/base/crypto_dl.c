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
		{ &fns.md_ctx_new, "EVP_MD_CTX_new" },
		{ &fns.md_ctx_free, "EVP_MD_CTX_free" },
		{ &fns.digest_init, "EVP_DigestInit_ex" },
		{ &fns.digest_update, "EVP_DigestUpdate" },
		{ &fns.digest_final, "EVP_DigestFinal_ex" },
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

/* The thread's contexts (crypto_sha256's digest, crypto_hmac_sha256_thread's
 * HMAC), one of each a thread rather than one a call, freed when it ends. */
static _Thread_local struct {
	EVP_MD_CTX *md;
	EVP_MAC_CTX *mac;
} thread_ctx;
static pthread_key_t thread_ctx_key;
static pthread_once_t thread_ctx_once = PTHREAD_ONCE_INIT;

static void thread_ctx_free(void *p)
{
	(void)p;
	if (thread_ctx.md)
		fns.md_ctx_free(thread_ctx.md);
	if (thread_ctx.mac)
		fns.mac_ctx_free(thread_ctx.mac);
	thread_ctx.md = NULL;
	thread_ctx.mac = NULL;
}

static void thread_ctx_key_make(void)
{
	pthread_key_create(&thread_ctx_key, thread_ctx_free);
}

/* the destructor registered for this thread (any non-NULL value runs it) */
static void thread_ctx_held(void)
{
	pthread_once(&thread_ctx_once, thread_ctx_key_make);
	pthread_setspecific(thread_ctx_key, &thread_ctx);
}

static void thread_mac_set(EVP_MAC_CTX *m)
{
	if (thread_ctx.mac)
		fns.mac_ctx_free(thread_ctx.mac);
	thread_ctx.mac = m;
	thread_ctx_held();
}

int crypto_sha256(const void *d, size_t n, unsigned char out[32])
{
	const struct crypto_dl *c = crypto_dl();
	if (!thread_ctx.md && (thread_ctx.md = c->md_ctx_new()))
		thread_ctx_held();
	unsigned int len = 0;
	if (!thread_ctx.md || !c->digest_init(thread_ctx.md, c->sha256_md, NULL) ||
	    !c->digest_update(thread_ctx.md, d, n) || !c->digest_final(thread_ctx.md, out, &len) || len != 32) {
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

int crypto_hmac_sha256_thread(const void *key, size_t keylen, int new_key, const void *d, size_t n,
			      unsigned char out[32])
{
	const struct crypto_dl *c = crypto_dl();
	OSSL_PARAM params[] = {
		{ "digest", OSSL_PARAM_UTF8_STRING, (char *)"SHA256", 6, OSSL_PARAM_UNMODIFIED },
		{ NULL, 0, NULL, 0, 0 },
	};
	if (new_key || !thread_ctx.mac) {
		EVP_MAC_CTX *m = c->mac_ctx_new(c->hmac_mac);
		if (m && !c->mac_init(m, key, keylen, params)) {
			c->mac_ctx_free(m);
			m = NULL;
		}
		thread_mac_set(m);
	} else if (!c->mac_init(thread_ctx.mac, NULL, 0, NULL)) {
		/* after a context set up with the key, EVP_MAC_init without
		 * one starts again from the key's states OpenSSL keeps */
		thread_mac_set(NULL);
	}
	size_t len = 0;
	if (!thread_ctx.mac || !c->mac_update(thread_ctx.mac, d, n) ||
	    !c->mac_final(thread_ctx.mac, out, &len, 32) || len != 32) {
		thread_mac_set(NULL);
		dp_err_set("HMAC-SHA256 failed in OpenSSL");
		return -1;
	}
	return 0;
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
