/* SPDX-License-Identifier: Apache-2.0 */
/* RSA keys in the forms EC2 key pairs use: the OpenSSH public key line
 * ("ssh-rsa AAAA... comment") and RFC 4716's public key file, the DER
 * structures whose digests are EC2's fingerprints (SubjectPublicKeyInfo,
 * PKCS#8 PrivateKeyInfo), PKCS#1 private keys and PEM armour. Pure: no
 * libcrypto (the service digests and generates keys, svc_keypairs.c). */
#ifndef DP_RSAKEY_H
#define DP_RSAKEY_H
#include <stddef.h>
#include "base/buf.h"

/* An RSA public key: the magnitudes of the modulus and the exponent,
 * big-endian without leading zero bytes, pointing into a caller's buffer. */
struct rsa_pub {
	const unsigned char *n, *e;
	size_t nlen, elen;
};

/* The smallest and largest modulus ImportKeyPair takes, in bits. */
#define RSAKEY_MIN_BITS 1024
#define RSAKEY_MAX_BITS 16384

/* Standard base64 (RFC 4648, '+' and '/'), padding optional; any other
 * character refuses it. 0 and the bytes appended to out, or -1. */
int rsakey_b64_decode(const char *s, size_t len, struct buf *out);
void rsakey_b64_encode(const unsigned char *p, size_t n, struct buf *out);

/* A public key file's text: one OpenSSH line ("ssh-rsa BASE64 [comment]",
 * blank lines and surrounding white space allowed) or an RFC 4716 block
 * ("---- BEGIN SSH2 PUBLIC KEY ----" ...). 0 with *k pointing into blob
 * (the decoded key blob, which the caller releases), or -1 with why filled
 * (a sentence without a final period). Only RSA keys of RSAKEY_MIN_BITS to
 * RSAKEY_MAX_BITS bits with an odd exponent of at least 3 are taken. */
int rsakey_parse_public(const char *text, size_t len, struct buf *blob, struct rsa_pub *k,
			char *why, size_t whysz);
/* The modulus' length in bits. */
size_t rsakey_bits(const struct rsa_pub *k);

/* "ssh-rsa BASE64" of k (no comment). */
void rsakey_openssh(const struct rsa_pub *k, struct buf *out);
/* DER SubjectPublicKeyInfo of k (openssl pkey -pubout -outform DER). */
void rsakey_der_spki(const struct rsa_pub *k, struct buf *out);
/* The modulus and exponent of a DER PKCS#1 RSAPrivateKey: 0, or -1 when it
 * is not one. k points into der. */
int rsakey_der_private(const unsigned char *der, size_t len, struct rsa_pub *k);
/* Writes the DER PKCS#8 PrivateKeyInfo (unencrypted) holding a PKCS#1
 * RSAPrivateKey (openssl pkcs8 -topk8 -nocrypt -outform DER) into out, at
 * most outsz bytes: its length, or 0 when it does not fit. Fixed buffers, so
 * that no copy of the private key is left behind by a reallocation. */
size_t rsakey_der_pkcs8(const unsigned char *pkcs1, size_t len, unsigned char *out, size_t outsz);
/* PEM armour ("-----BEGIN LABEL-----", base64 lines of 64, "-----END
 * LABEL-----", lines joined by '\n', no final newline) into out, at most
 * outsz bytes with the NUL: its length, or 0 when it does not fit. */
size_t rsakey_pem(const char *label, const unsigned char *der, size_t len, char *out, size_t outsz);
/* Bytes as lower-case hexadecimal pairs joined by ':' (EC2's fingerprints);
 * out holds 3 * n bytes. */
void rsakey_colon_hex(const unsigned char *d, size_t n, char *out);

#endif
