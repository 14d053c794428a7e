/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/opensslv.h>
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
	};
	if (!dl_load("libcrypto", names, sizeof names / sizeof names[0], syms, sizeof syms / sizeof syms[0],
		     load_error, sizeof load_error))
		load_status = DP_OK;
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
