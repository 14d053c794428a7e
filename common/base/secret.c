/* SPDX-License-Identifier: Apache-2.0 */
/* SHA256_Init and co. are deprecated in OpenSSL 3 (see digest()) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include "base/crypto_dl.h"
/* Wiping and the constant-time comparison come from libcrypto.a too, with
 * the SHA-256 functions (Makefile: SHA_LIBS), so that checking a hash loads
 * no library; RAND_bytes and EVP (making a hash or a seal) go through
 * crypto_dl.h. */
#undef OPENSSL_cleanse
#undef CRYPTO_memcmp
#include "base/secret.h"

#define SALT_BYTES 16
#define HASH_BYTES 32
#define PREFIX "sha256$"

/* SHA-256 of salt || secret, with OpenSSL's SHA-256 functions themselves,
 * linked from libcrypto.a (Makefile: SHA_LIBS): not EVP, whose first use
 * fetches a provider and reads openssl.cnf, and not libcrypto.so, whose
 * loading would be most of a local command's time, for a hash checked on
 * every one. Deprecated in OpenSSL 3 in favour of EVP, still provided. */
static int digest(const unsigned char *salt, const char *secret, unsigned char out[HASH_BYTES])
{
	SHA256_CTX c;
	int ok = SHA256_Init(&c) == 1 && SHA256_Update(&c, salt, SALT_BYTES) == 1 &&
		 SHA256_Update(&c, secret, strlen(secret)) == 1 && SHA256_Final(out, &c) == 1;
	OPENSSL_cleanse(&c, sizeof c);
	return ok ? 0 : -1;
}

static void to_hex(char *out, const unsigned char *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Exactly 2n lower-case hex digits -> n bytes; -1 otherwise. */
static int from_hex(unsigned char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		out[i / 2] = (unsigned char)(i % 2 ? (out[i / 2] << 4) | v : v);
	}
	return 0;
}

enum dp_err secret_hash(const char *secret, char out[SECRET_HASH_MAX])
{
	unsigned char salt[SALT_BYTES], h[HASH_BYTES];
	char salt_hex[2 * SALT_BYTES + 1], h_hex[2 * HASH_BYTES + 1];
	if (RAND_bytes(salt, sizeof salt) != 1 || digest(salt, secret, h)) {
		dp_err_set("OpenSSL cannot hash the secret");
		return DP_ERR_CRYPTO;
	}
	to_hex(salt_hex, salt, sizeof salt);
	to_hex(h_hex, h, sizeof h);
	snprintf(out, SECRET_HASH_MAX, PREFIX "%s$%s", salt_hex, h_hex);
	OPENSSL_cleanse(h, sizeof h);
	return DP_OK;
}

int secret_verify(const char *secret, const char *stored)
{
	size_t pl = strlen(PREFIX);
	unsigned char salt[SALT_BYTES], want[HASH_BYTES], got[HASH_BYTES];
	if (strlen(stored) != pl + 2 * SALT_BYTES + 1 + 2 * HASH_BYTES || strncmp(stored, PREFIX, pl) ||
	    stored[pl + 2 * SALT_BYTES] != '$' || from_hex(salt, stored + pl, SALT_BYTES) ||
	    from_hex(want, stored + pl + 2 * SALT_BYTES + 1, HASH_BYTES) || digest(salt, secret, got))
		return 0;
	int same = CRYPTO_memcmp(got, want, HASH_BYTES) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return same;
}

/* --- sealed secrets --------------------------------------------------- */

#define IV_BYTES 12
#define TAG_BYTES 16
#define SEAL_PREFIX "aes256gcm$"

enum dp_err secret_key_load(const char *store_path, int create, unsigned char key[SECRET_KEY_BYTES],
			    int *have)
{
	*have = 0;
	size_t n = strlen(store_path);
	char *path = malloc(n + sizeof SECRET_KEY_SUFFIX);
	if (!path) {
		dp_err_set("out of memory");
		return DP_ERR_STORE_OPEN;
	}
	memcpy(path, store_path, n);
	memcpy(path + n, SECRET_KEY_SUFFIX, sizeof SECRET_KEY_SUFFIX);
	enum dp_err e = DP_OK;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create) {
		/* a new key, written whole under a name of its own and then linked
		 * into place: never over a file that is there, and never seen
		 * half-written by another process making it at the same time */
		unsigned char k[SECRET_KEY_BYTES];
		size_t tl = n + sizeof SECRET_KEY_SUFFIX + 7;
		char *tmp = malloc(tl);
		int w = -1;
		if (tmp) {
			snprintf(tmp, tl, "%s.XXXXXX", path);
			w = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
		}
		if (w >= 0) {
			int ok = RAND_bytes(k, sizeof k) == 1 && write(w, k, sizeof k) == (ssize_t)sizeof k &&
				 fsync(w) == 0;
			close(w);
			OPENSSL_cleanse(k, sizeof k);
			if (!ok || (link(tmp, path) && errno != EEXIST)) {
				dp_err_set("cannot write the sealing key '%s'", path);
				e = DP_ERR_STORE_OPEN;
			}
			unlink(tmp);
		} else {
			dp_err_set("cannot create the sealing key '%s': %s", path, strerror(errno));
			e = DP_ERR_STORE_OPEN;
		}
		free(tmp);
		if (!e)
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd >= 0) {
		struct stat sb;
		unsigned char extra;
		/* ours: a regular file of exactly the key's length, the owner's only */
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && !(sb.st_mode & 077) &&
		    sb.st_size == SECRET_KEY_BYTES && read(fd, key, SECRET_KEY_BYTES) == SECRET_KEY_BYTES &&
		    read(fd, &extra, 1) == 0)
			*have = 1;
		close(fd);
	}
	free(path);
	return e;
}

static int hex_ok(const char *s, size_t n)
{
	return strlen(s) >= 2 * n;
}

enum dp_err secret_seal(const unsigned char key[SECRET_KEY_BYTES], const char *secret,
			char **out)
{
	int len = (int)strlen(secret), l1 = 0, l2 = 0;
	unsigned char iv[IV_BYTES], tag[TAG_BYTES];
	unsigned char *ct = malloc((size_t)len + 16);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ok = ct && c && RAND_bytes(iv, sizeof iv) == 1 &&
		 EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
		 EVP_EncryptUpdate(c, ct, &l1, (const unsigned char *)secret, len) == 1 &&
		 EVP_EncryptFinal_ex(c, ct + l1, &l2) == 1 &&
		 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, tag) == 1;
	if (c)
		EVP_CIPHER_CTX_free(c);
	if (!ok) {
		free(ct);
		dp_err_set("OpenSSL cannot seal the secret");
		return DP_ERR_CRYPTO;
	}
	size_t n = (size_t)(l1 + l2);
	*out = malloc(sizeof SEAL_PREFIX + 2 * (IV_BYTES + n + TAG_BYTES) + 3);
	char *p = *out;
	p += sprintf(p, SEAL_PREFIX);
	to_hex(p, iv, IV_BYTES);
	p += 2 * IV_BYTES;
	*p++ = '$';
	to_hex(p, ct, n);
	p += 2 * n;
	*p++ = '$';
	to_hex(p, tag, TAG_BYTES);
	free(ct);
	return DP_OK;
}

int secret_unseal(const unsigned char key[SECRET_KEY_BYTES], const char *sealed, char **secret)
{
	size_t pl = strlen(SEAL_PREFIX);
	*secret = NULL;
	if (strncmp(sealed, SEAL_PREFIX, pl))
		return -1;
	const char *ivh = sealed + pl, *cth = strchr(ivh, '$'), *tagh = cth ? strchr(cth + 1, '$') : NULL;
	if (!cth || !tagh || cth - ivh != 2 * IV_BYTES || strlen(tagh + 1) != 2 * TAG_BYTES ||
	    (tagh - cth - 1) % 2 || !hex_ok(ivh, IV_BYTES))
		return -1;
	size_t n = (size_t)(tagh - cth - 1) / 2;
	unsigned char iv[IV_BYTES], tag[TAG_BYTES];
	unsigned char *ct = malloc(n + 1), *pt = malloc(n + 16);
	int l1 = 0, l2 = 0;
	EVP_CIPHER_CTX *c = NULL;
	int ok = ct && pt && !from_hex(iv, ivh, IV_BYTES) && !from_hex(ct, cth + 1, n) &&
		 !from_hex(tag, tagh + 1, TAG_BYTES) && (c = EVP_CIPHER_CTX_new()) &&
		 EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
		 EVP_DecryptUpdate(c, pt, &l1, ct, (int)n) == 1 &&
		 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, tag) == 1 &&
		 EVP_DecryptFinal_ex(c, pt + l1, &l2) == 1;
	if (c)
		EVP_CIPHER_CTX_free(c);
	free(ct);
	if (!ok || memchr(pt, 0, (size_t)(l1 + l2))) {
		if (pt)
			OPENSSL_cleanse(pt, n);
		free(pt);
		return -1;
	}
	pt[l1 + l2] = '\0';
	*secret = (char *)pt;
	return 0;
}

void secret_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}
