/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "base/buf.h"
#include "base/crypto_dl.h"
#include "base/err.h"
#include "server/tls.h"

/* The whole of a small file (a PEM certificate or key), NUL-terminated. */
static char *slurp(const char *what, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		dp_err_set("cannot read %s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 1024 * 1024)
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad || !b.len) {
		dp_err_set("cannot read %s '%s': %s", what, path, bad ? strerror(errno) : "the file is empty");
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int tls_load(const char *cert_file, const char *key_file, char **cert, char **key)
{
	*cert = *key = NULL;
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		dp_err_set("this libmicrohttpd was built without TLS: --tls-cert cannot be served");
		return -1;
	}
	if (!(*cert = slurp("certificate", cert_file)) || !(*key = slurp("key", key_file))) {
		free(*cert);
		*cert = NULL;
		return -1;
	}
	BIO *cb = BIO_new_mem_buf(*cert, -1), *kb = BIO_new_mem_buf(*key, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	BIO_free(cb);
	BIO_free(kb);
	int bad = 1;
	if (!x)
		dp_err_set("--tls-cert '%s' holds no PEM certificate", cert_file);
	else if (!k)
		dp_err_set("--tls-key '%s' holds no PEM private key (or one protected by a passphrase)",
			   key_file);
	else if (X509_check_private_key(x, k) != 1)
		dp_err_set("--tls-key '%s' is not the key of the certificate", key_file);
	else
		bad = 0;
	X509_free(x);
	EVP_PKEY_free(k);
	if (!bad)
		return 0;
	OPENSSL_cleanse(*key, strlen(*key));
	free(*key);
	free(*cert);
	*cert = *key = NULL;
	return -1;
}
