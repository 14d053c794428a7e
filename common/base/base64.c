/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "base/base64.h"
#include "base/crypto_dl.h"

void base64_encode(const void *data, size_t n, struct buf *out)
{
	if (!n)
		return;
	/* EVP_EncodeBlock writes 4 characters per 3 bytes and a NUL, and takes
	 * an int: chunks of whole 3-byte groups well below INT_MAX */
	const unsigned char *p = data;
	while (n) {
		size_t chunk = n > (size_t)3 << 20 ? (size_t)3 << 20 : n;
		char *tmp = xmalloc((chunk + 2) / 3 * 4 + 1);
		int w = EVP_EncodeBlock((unsigned char *)tmp, p, (int)chunk);
		buf_add(out, tmp, w > 0 ? (size_t)w : 0);
		free(tmp);
		p += chunk;
		n -= chunk;
	}
}

static int b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int base64_decode(const char *s, size_t n, size_t max, struct buf *out)
{
	if (n % 4)
		return -1;
	if (!n)
		return 0;
	size_t pad = 0;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (!b64_char((unsigned char)s[i]))
			return -1;
	if (BASE64_DECODED_LEN(n, pad) > max)
		return -2;
	if (n > (size_t)1 << 30)
		return -2;
	unsigned char *tmp = xmalloc(n / 4 * 3 + 1);
	int w = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	if (w < 0 || (size_t)w != n / 4 * 3) {
		free(tmp);
		return -1;
	}
	size_t len = (size_t)w - pad;
	/* canonical: the same text again (no stray bits after the last byte) */
	struct buf again = BUF_INIT;
	base64_encode(tmp, len, &again);
	int same = again.len == n && !memcmp(again.p, s, n);
	buf_release(&again);
	if (same)
		buf_add(out, tmp, len);
	free(tmp);
	return same ? 0 : -1;
}
