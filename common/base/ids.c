/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "base/crypto_dl.h"
#include <sys/random.h>
#include "base/ids.h"

/* The kernel's CSPRNG: the same source OpenSSL seeds from, without the
 * milliseconds OpenSSL's generator takes to set itself up in every process.
 * Drawn 256 bytes at a time per thread (devpayd asks 16 for every request's
 * id); a forked child starts with none of its parent's. */
static __thread unsigned char pool[256];
static __thread size_t pool_left;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void pool_forget(void)
{
	explicit_bzero(pool, sizeof pool);
	pool_left = 0;
}

static void pool_atfork(void)
{
	pthread_atfork(NULL, NULL, pool_forget);
}

static void kernel_random(unsigned char *b, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = getrandom(b + got, n - got, 0);
		if (r < 0) {
			fputs("fatal: no random numbers from the kernel\n", stderr);
			abort();
		}
		got += (size_t)r;
	}
}

static void rnd(unsigned char *b, int n)
{
	pthread_once(&atfork_once, pool_atfork);
	if ((size_t)n > sizeof pool) {
		kernel_random(b, (size_t)n);
		return;
	}
	if (pool_left < (size_t)n) {
		kernel_random(pool, sizeof pool);
		pool_left = sizeof pool;
	}
	/* taken from the end, and wiped: a byte is never handed out twice */
	pool_left -= (size_t)n;
	memcpy(b, pool + pool_left, (size_t)n);
	explicit_bzero(pool + pool_left, (size_t)n);
}

static void hex(char *out, const unsigned char *b, int nhex, const char *digits)
{
	for (int i = 0; i < nhex; i++)
		out[i] = digits[(b[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[nhex] = '\0';
}

void id_new(char *out, size_t outsz, const char *prefix, int nhex)
{
	unsigned char b[16];
	char h[33];
	if (nhex > 32)
		nhex = 32;
	rnd(b, (nhex + 1) / 2);
	hex(h, b, nhex, "0123456789abcdef");
	snprintf(out, outsz, "%s%s", prefix, h);
}

void id_product_code(char out[9])
{
	unsigned char b[4];
	rnd(b, 4);
	hex(out, b, 8, "0123456789ABCDEF");
}

void id_account(char out[13])
{
	unsigned char b[12];
	rnd(b, 12);
	for (int i = 0; i < 12; i++)
		out[i] = (char)('0' + b[i] % 10);
	if (out[0] == '0')
		out[0] = '1' + b[0] % 9;
	out[12] = '\0';
}

void id_uuid(char out[37])
{
	unsigned char b[16];
	char h[33];
	rnd(b, 16);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 (RFC 9562) */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* the RFC's variant */
	hex(h, b, 32, "0123456789abcdef");
	/* 8-4-4-4-12 */
	memcpy(out, h, 8);
	out[8] = '-';
	memcpy(out + 9, h + 8, 4);
	out[13] = '-';
	memcpy(out + 14, h + 12, 4);
	out[18] = '-';
	memcpy(out + 19, h + 16, 4);
	out[23] = '-';
	memcpy(out + 24, h + 20, 12);
	out[36] = '\0';
}

void id_base64(char *out, size_t outsz, int nbytes)
{
	unsigned char b[64];
	unsigned char enc[100];
	if (nbytes > 64)
		nbytes = 64;
	rnd(b, nbytes);
	EVP_EncodeBlock(enc, b, nbytes);
	snprintf(out, outsz, "%s", (char *)enc);
}
