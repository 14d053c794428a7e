/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSL's libcrypto, loaded the first time it is needed, as libcurl is
 * (curl_dl.h). Most local commands never sign, hash or encode anything, and
 * linking libcrypto cost every one of them about 0.8 ms of dynamic loading
 * (bench/RESULTS.md); the commands and devpayd that sign load it on their
 * first call (a remote command has it already: libcurl brings it).
 *
 * Include this header after the OpenSSL headers instead of linking
 * libcrypto: the functions below are then called through the loaded
 * library. A first use that cannot load it exits with a message. */
#ifndef DP_CRYPTO_DL_H
#define DP_CRYPTO_DL_H
#include <stddef.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include "base/err.h"

struct crypto_dl {
	unsigned char *(*sha256)(const unsigned char *d, size_t n, unsigned char *md);
	unsigned char *(*hmac)(const EVP_MD *md, const void *key, int keylen, const unsigned char *d,
			       size_t n, unsigned char *out, unsigned int *outlen);
	const EVP_MD *(*evp_sha256)(void);
	int (*evp_digest)(const void *d, size_t n, unsigned char *md, unsigned int *size,
			  const EVP_MD *type, ENGINE *impl);
	int (*evp_encode_block)(unsigned char *t, const unsigned char *f, int n);
	int (*crypto_memcmp)(const void *a, const void *b, size_t len);
	void (*cleanse)(void *ptr, size_t len);
	int (*rand_bytes)(unsigned char *buf, int num);
	/* AES-256-GCM, for the sealed secrets of local accounts (secret.h) */
	EVP_CIPHER_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_CIPHER_CTX *c);
	int (*ctx_ctrl)(EVP_CIPHER_CTX *c, int type, int arg, void *ptr);
	const EVP_CIPHER *(*aes_256_gcm)(void);
	int (*encrypt_init)(EVP_CIPHER_CTX *c, const EVP_CIPHER *t, ENGINE *e, const unsigned char *k,
			    const unsigned char *iv);
	int (*encrypt_update)(EVP_CIPHER_CTX *c, unsigned char *out, int *outl, const unsigned char *in,
			      int inl);
	int (*encrypt_final)(EVP_CIPHER_CTX *c, unsigned char *out, int *outl);
	int (*decrypt_init)(EVP_CIPHER_CTX *c, const EVP_CIPHER *t, ENGINE *e, const unsigned char *k,
			    const unsigned char *iv);
	int (*decrypt_update)(EVP_CIPHER_CTX *c, unsigned char *out, int *outl, const unsigned char *in,
			      int inl);
	int (*decrypt_final)(EVP_CIPHER_CTX *c, unsigned char *out, int *outl);
	/* RSA key pairs: generated, encoded and fingerprinted (CreateKeyPair,
	 * ImportKeyPair: service/svc_keypairs.c) */
	EVP_PKEY *(*pkey_q_keygen)(OSSL_LIB_CTX *libctx, const char *propq, const char *type, ...);
	void (*pkey_free)(EVP_PKEY *k);
	int (*i2d_private_key)(const EVP_PKEY *k, unsigned char **pp);
	const EVP_MD *(*evp_sha1)(void);
	const EVP_MD *(*evp_md5)(void);
	/* base64 into bytes, for user data (service/svc_userdata.c, devpay-metadata) */
	int (*evp_decode_block)(unsigned char *t, const unsigned char *f, int n);
	/* SHA-256 and HMAC-SHA256 fetched once (crypto_sha256, crypto_hmac_sha256):
	 * SHA256() and HMAC() look their algorithm up again on every call */
	EVP_MD *(*evp_md_fetch)(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties);
	EVP_MAC *(*evp_mac_fetch)(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties);
	EVP_MAC_CTX *(*mac_ctx_new)(EVP_MAC *mac);
	void (*mac_ctx_free)(EVP_MAC_CTX *c);
	int (*mac_init)(EVP_MAC_CTX *c, const unsigned char *key, size_t keylen, const OSSL_PARAM params[]);
	int (*mac_update)(EVP_MAC_CTX *c, const unsigned char *data, size_t datalen);
	int (*mac_final)(EVP_MAC_CTX *c, unsigned char *out, size_t *outl, size_t outsize);
	EVP_MD_CTX *(*md_ctx_new)(void);
	void (*md_ctx_free)(EVP_MD_CTX *c);
	int (*digest_init)(EVP_MD_CTX *c, const EVP_MD *type, ENGINE *impl);
	int (*digest_update)(EVP_MD_CTX *c, const void *d, size_t n);
	int (*digest_final)(EVP_MD_CTX *c, unsigned char *md, unsigned int *size);
	EVP_MD *sha256_md;
	EVP_MAC *hmac_mac;
};

/* SHA-256 of d, and HMAC-SHA256 of d under key, with the algorithms fetched
 * once for the process: 0, or -1 (dp_err_detail() says why). */
int crypto_sha256(const void *d, size_t n, unsigned char out[32]);
int crypto_hmac_sha256(const void *key, size_t keylen, const void *d, size_t n, unsigned char out[32]);
/* The same for many messages under one key (SigV4's signing key of a day):
 * the calling thread keeps one OpenSSL context, set up with key when
 * new_key is set (or when it has none), reused with the key it was set up
 * with otherwise, and freed when the thread ends. */
int crypto_hmac_sha256_thread(const void *key, size_t keylen, int new_key, const void *d, size_t n,
			      unsigned char out[32]);

/* DP_OK, or DP_ERR_CRYPTO with dp_err_detail() saying why. Thread-safe. */
enum dp_err crypto_dl_load(void);
/* The loaded functions; exits with a message if libcrypto cannot be loaded. */
const struct crypto_dl *crypto_dl(void);

#undef SHA256
#undef HMAC
#undef EVP_sha256
#undef EVP_Digest
#undef EVP_EncodeBlock
#undef CRYPTO_memcmp
#undef OPENSSL_cleanse
#undef RAND_bytes
#undef EVP_CIPHER_CTX_new
#undef EVP_CIPHER_CTX_free
#undef EVP_CIPHER_CTX_ctrl
#undef EVP_aes_256_gcm
#undef EVP_EncryptInit_ex
#undef EVP_EncryptUpdate
#undef EVP_EncryptFinal_ex
#undef EVP_DecryptInit_ex
#undef EVP_DecryptUpdate
#undef EVP_DecryptFinal_ex
#undef EVP_PKEY_Q_keygen
#undef EVP_PKEY_free
#undef i2d_PrivateKey
#undef EVP_sha1
#undef EVP_md5
#undef EVP_DecodeBlock
#define SHA256 (crypto_dl()->sha256)
#define HMAC (crypto_dl()->hmac)
#define EVP_sha256 (crypto_dl()->evp_sha256)
#define EVP_Digest (crypto_dl()->evp_digest)
#define EVP_EncodeBlock (crypto_dl()->evp_encode_block)
#define CRYPTO_memcmp (crypto_dl()->crypto_memcmp)
#define OPENSSL_cleanse (crypto_dl()->cleanse)
#define RAND_bytes (crypto_dl()->rand_bytes)
#define EVP_CIPHER_CTX_new (crypto_dl()->ctx_new)
#define EVP_CIPHER_CTX_free (crypto_dl()->ctx_free)
#define EVP_CIPHER_CTX_ctrl (crypto_dl()->ctx_ctrl)
#define EVP_aes_256_gcm (crypto_dl()->aes_256_gcm)
#define EVP_EncryptInit_ex (crypto_dl()->encrypt_init)
#define EVP_EncryptUpdate (crypto_dl()->encrypt_update)
#define EVP_EncryptFinal_ex (crypto_dl()->encrypt_final)
#define EVP_DecryptInit_ex (crypto_dl()->decrypt_init)
#define EVP_DecryptUpdate (crypto_dl()->decrypt_update)
#define EVP_DecryptFinal_ex (crypto_dl()->decrypt_final)
#define EVP_PKEY_Q_keygen (crypto_dl()->pkey_q_keygen)
#define EVP_PKEY_free (crypto_dl()->pkey_free)
#define i2d_PrivateKey (crypto_dl()->i2d_private_key)
#define EVP_sha1 (crypto_dl()->evp_sha1)
#define EVP_md5 (crypto_dl()->evp_md5)
#define EVP_DecodeBlock (crypto_dl()->evp_decode_block)

#endif
