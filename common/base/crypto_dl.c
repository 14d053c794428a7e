/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/opensslv.h>
#include "base/crypto_dl.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The ABI the headers describe: libcrypto.so.3 for OpenSSL 3. */
static const char *const names[] = { "libcrypto.so." STR(OPENSSL_VERSION_MAJOR), "libcrypto.so" };

static struct crypto_dl fns;
static enum dp_err load_status = DP_ERR_CRYPTO;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define SYM(field, name)                                                        \
	do {                                                                    \
		*(void **)&fns.field = dlsym(lib, name);                        \
		if (!fns.field) {                                               \
			snprintf(load_error, sizeof load_error, "%s: no %s", names[i], name); \
			return;                                                 \
		}                                                               \
	} while (0)

static void load(void)
{
	void *lib = NULL;
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0] && !lib; i++)
		lib = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);
	if (!lib) {
		snprintf(load_error, sizeof load_error, "libcrypto cannot be loaded: %s", dlerror());
		return;
	}
	i--;
	SYM(sha256, "SHA256");
	SYM(hmac, "HMAC");
	SYM(evp_sha256, "EVP_sha256");
	SYM(evp_digest, "EVP_Digest");
	SYM(evp_encode_block, "EVP_EncodeBlock");
	SYM(crypto_memcmp, "CRYPTO_memcmp");
	SYM(cleanse, "OPENSSL_cleanse");
	SYM(rand_bytes, "RAND_bytes");
	SYM(ctx_new, "EVP_CIPHER_CTX_new");
	SYM(ctx_free, "EVP_CIPHER_CTX_free");
	SYM(ctx_ctrl, "EVP_CIPHER_CTX_ctrl");
	SYM(aes_256_gcm, "EVP_aes_256_gcm");
	SYM(encrypt_init, "EVP_EncryptInit_ex");
	SYM(encrypt_update, "EVP_EncryptUpdate");
	SYM(encrypt_final, "EVP_EncryptFinal_ex");
	SYM(decrypt_init, "EVP_DecryptInit_ex");
	SYM(decrypt_update, "EVP_DecryptUpdate");
	SYM(decrypt_final, "EVP_DecryptFinal_ex");
	SYM(pkey_q_keygen, "EVP_PKEY_Q_keygen");
	SYM(pkey_free, "EVP_PKEY_free");
	SYM(i2d_private_key, "i2d_PrivateKey");
	SYM(evp_sha1, "EVP_sha1");
	SYM(evp_md5, "EVP_md5");
	SYM(evp_decode_block, "EVP_DecodeBlock");
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
