/* SPDX-License-Identifier: Apache-2.0 */
/* RSA keys in the forms of EC2 key pairs (rsakey.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wire/rsakey.h"

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int rsakey_b64_decode(const char *s, size_t len, struct buf *out)
{
	size_t pad = 0, data = len;
	while (data && s[data - 1] == '=' && pad < 2)
		data--, pad++;
	/* padding, when there is some, completes the last group */
	if ((pad && (data + pad) % 4) || data % 4 == 1)
		return -1;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < data; i++) {
		int v = b64_value((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)(acc >> bits & 0xff));
		}
	}
	return 0;
}

/* 4 * ceil(n / 3) characters into out (no NUL). */
static size_t b64_block(const unsigned char *p, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64chars[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64chars[v & 63] : '=';
	}
	return o;
}

void rsakey_b64_encode(const unsigned char *p, size_t n, struct buf *out)
{
	char *t = xmalloc((n + 2) / 3 * 4 + 1);
	size_t m = b64_block(p, n, t);
	buf_add(out, t, m);
	free(t);
}

/* --- the OpenSSH key blob ---------------------------------------------------- */

struct reader {
	const unsigned char *p;
	size_t left;
};

/* An SSH "string" (uint32 length, bytes): 0, or -1 when it runs past the end. */
static int ssh_string(struct reader *r, const unsigned char **s, size_t *n)
{
	if (r->left < 4)
		return -1;
	size_t len = (size_t)r->p[0] << 24 | (size_t)r->p[1] << 16 | (size_t)r->p[2] << 8 | r->p[3];
	if (len > r->left - 4)
		return -1;
	*s = r->p + 4;
	*n = len;
	r->p += 4 + len;
	r->left -= 4 + len;
	return 0;
}

/* A positive SSH mpint, as a magnitude without leading zeros. */
static int ssh_mpint(struct reader *r, const unsigned char **m, size_t *n, char *why, size_t whysz,
		     const char *what)
{
	if (ssh_string(r, m, n)) {
		snprintf(why, whysz, "the key data ends before its %s", what);
		return -1;
	}
	if (*n && (*m)[0] & 0x80) {
		snprintf(why, whysz, "its %s is negative", what);
		return -1;
	}
	while (*n && !(*m)[0])
		(*m)++, (*n)--;
	if (!*n) {
		snprintf(why, whysz, "its %s is zero", what);
		return -1;
	}
	return 0;
}

size_t rsakey_bits(const struct rsa_pub *k)
{
	if (!k->nlen)
		return 0;
	size_t bits = k->nlen * 8;
	for (unsigned c = k->n[0]; !(c & 0x80); c <<= 1)
		bits--;
	return bits;
}

/* The blob of an "ssh-rsa" key: string "ssh-rsa", mpint e, mpint n. */
static int parse_blob(const struct buf *blob, struct rsa_pub *k, char *why, size_t whysz)
{
	struct reader r = { (const unsigned char *)blob->p, blob->len };
	const unsigned char *type;
	size_t tlen;
	if (ssh_string(&r, &type, &tlen)) {
		snprintf(why, whysz, "the key data is not an SSH public key");
		return -1;
	}
	if (tlen != 7 || memcmp(type, "ssh-rsa", 7)) {
		snprintf(why, whysz, "the key data is not an ssh-rsa key");
		return -1;
	}
	if (ssh_mpint(&r, &k->e, &k->elen, why, whysz, "exponent") ||
	    ssh_mpint(&r, &k->n, &k->nlen, why, whysz, "modulus"))
		return -1;
	if (r.left) {
		snprintf(why, whysz, "data follows the key (%zu bytes)", r.left);
		return -1;
	}
	size_t bits = rsakey_bits(k);
	if (bits < RSAKEY_MIN_BITS || bits > RSAKEY_MAX_BITS) {
		snprintf(why, whysz, "the key has %zu bits; %d to %d are accepted", bits, RSAKEY_MIN_BITS,
			 RSAKEY_MAX_BITS);
		return -1;
	}
	if (!(k->n[k->nlen - 1] & 1)) {
		snprintf(why, whysz, "its modulus is even");
		return -1;
	}
	if (k->elen > 8 || !(k->e[k->elen - 1] & 1) || (k->elen == 1 && k->e[0] < 3)) {
		snprintf(why, whysz, "its exponent is not an odd number from 3 to 2^64");
		return -1;
	}
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The lines of an RFC 4716 public key file, after its BEGIN line: header
 * lines ("Tag: value", a final '\' continuing one), the base64 lines, then
 * the END line; white space only after it. */
static int parse_rfc4716(const char *s, const char *end, struct buf *b64, char *why, size_t whysz)
{
	int in_header = 1, continued = 0, ended = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		const char *le = e;
		while (le > s && is_space(le[-1]))
			le--;
		while (s < le && is_space(*s))
			s++;
		size_t n = (size_t)(le - s);
		if (ended) {
			if (n) {
				snprintf(why, whysz, "text follows the END line");
				return -1;
			}
		} else if (n >= 4 && !memcmp(s, "----", 4)) {
			if (n != 29 || memcmp(s, "---- END SSH2 PUBLIC KEY ----", 29)) {
				snprintf(why, whysz, "a line starting with ---- is not the END line");
				return -1;
			}
			ended = 1;
		} else if (continued || (in_header && memchr(s, ':', n))) {
			continued = n && s[n - 1] == '\\';
		} else if (n) {
			in_header = 0;
			buf_add(b64, s, n);
		}
		s = nl ? nl + 1 : end;
	}
	if (!ended) {
		snprintf(why, whysz, "the END SSH2 PUBLIC KEY line is missing");
		return -1;
	}
	return 0;
}

int rsakey_parse_public(const char *text, size_t len, struct buf *blob, struct rsa_pub *k,
			char *why, size_t whysz)
{
	const char *s = text, *end = text + len;
	struct buf b64 = BUF_INIT;
	int rc = -1;
	while (s < end && is_space(*s))
		s++;
	static const char begin[] = "---- BEGIN SSH2 PUBLIC KEY ----";
	if ((size_t)(end - s) >= sizeof begin - 1 && !memcmp(s, begin, sizeof begin - 1)) {
		s += sizeof begin - 1;
		while (s < end && *s != '\n' && is_space(*s))
			s++;
		if (s < end && *s != '\n') {
			snprintf(why, whysz, "text follows the BEGIN line");
			goto out;
		}
		if (parse_rfc4716(s, end, &b64, why, whysz))
			goto out;
	} else {
		/* TYPE BASE64 [COMMENT], on one line */
		const char *t = s;
		while (s < end && !is_space(*s))
			s++;
		size_t tlen = (size_t)(s - t);
		if (tlen != 7 || memcmp(t, "ssh-rsa", 7)) {
			if ((tlen > 4 && !memcmp(t, "ssh-", 4)) || (tlen > 6 && !memcmp(t, "ecdsa-", 6)))
				snprintf(why, whysz, "only ssh-rsa keys are accepted, not %.*s",
					 (int)(tlen > 40 ? 40 : tlen), t);
			else
				snprintf(why, whysz, "it does not start with ssh-rsa");
			goto out;
		}
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		const char *d = s;
		while (s < end && !is_space(*s))
			s++;
		if (s == d) {
			snprintf(why, whysz, "the key data after ssh-rsa is missing");
			goto out;
		}
		buf_add(&b64, d, (size_t)(s - d));
		/* the comment: the rest of the line; then only white space */
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		for (s = nl ? nl : end; s < end; s++)
			if (!is_space(*s)) {
				snprintf(why, whysz, "more than one line of text: one key is taken");
				goto out;
			}
	}
	buf_reset(blob);
	if (rsakey_b64_decode(b64.p ? b64.p : "", b64.len, blob)) {
		snprintf(why, whysz, "the key data is not base64");
		goto out;
	}
	rc = parse_blob(blob, k, why, whysz);
out:
	buf_release(&b64);
	return rc;
}

static void put_u32(struct buf *b, size_t v)
{
	unsigned char c[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };
	buf_add(b, c, 4);
}

static void put_mpint(struct buf *b, const unsigned char *m, size_t n)
{
	int lead = n && m[0] & 0x80;
	put_u32(b, n + (size_t)lead);
	if (lead)
		buf_addc(b, 0);
	buf_add(b, m, n);
}

void rsakey_openssh(const struct rsa_pub *k, struct buf *out)
{
	struct buf blob = BUF_INIT;
	put_u32(&blob, 7);
	buf_add(&blob, "ssh-rsa", 7);
	put_mpint(&blob, k->e, k->elen);
	put_mpint(&blob, k->n, k->nlen);
	buf_adds(out, "ssh-rsa ");
	rsakey_b64_encode((const unsigned char *)blob.p, blob.len, out);
	buf_release(&blob);
}

/* --- DER ------------------------------------------------------------------- */

/* rsaEncryption's AlgorithmIdentifier: SEQUENCE { OID 1.2.840.113549.1.1.1, NULL } */
static const unsigned char rsa_algid[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					   0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

/* The size of a TLV whose content is n bytes (lengths up to 2^24 - 1). */
static size_t tlv_size(size_t n)
{
	return 1 + (n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4) + n;
}

static unsigned char *put_hdr(unsigned char *p, unsigned char tag, size_t n)
{
	*p++ = tag;
	if (n < 0x80)
		*p++ = (unsigned char)n;
	else if (n < 0x100)
		*p++ = 0x81, *p++ = (unsigned char)n;
	else if (n < 0x10000)
		*p++ = 0x82, *p++ = (unsigned char)(n >> 8), *p++ = (unsigned char)n;
	else
		*p++ = 0x83, *p++ = (unsigned char)(n >> 16), *p++ = (unsigned char)(n >> 8),
		*p++ = (unsigned char)n;
	return p;
}

/* An INTEGER's content length for a positive magnitude. */
static size_t int_len(const unsigned char *m, size_t n)
{
	return n ? n + (m[0] & 0x80 ? 1 : 0) : 1;
}

static unsigned char *put_int(unsigned char *p, const unsigned char *m, size_t n)
{
	p = put_hdr(p, 0x02, int_len(m, n));
	if (!n || m[0] & 0x80)
		*p++ = 0;
	memcpy(p, m, n);
	return p + n;
}

void rsakey_der_spki(const struct rsa_pub *k, struct buf *out)
{
	size_t pub = tlv_size(int_len(k->n, k->nlen)) + tlv_size(int_len(k->e, k->elen));
	size_t bits = 1 + tlv_size(pub);
	size_t spki = sizeof rsa_algid + tlv_size(bits);
	size_t total = tlv_size(spki);
	unsigned char *d = xmalloc(total), *p = d;
	p = put_hdr(p, 0x30, spki);
	memcpy(p, rsa_algid, sizeof rsa_algid);
	p += sizeof rsa_algid;
	p = put_hdr(p, 0x03, bits);
	*p++ = 0; /* no unused bits */
	p = put_hdr(p, 0x30, pub);
	p = put_int(p, k->n, k->nlen);
	p = put_int(p, k->e, k->elen);
	buf_add(out, d, (size_t)(p - d));
	free(d);
}

/* One TLV at r: its tag and content; 0, or -1 when it is not well formed. */
static int get_tlv(struct reader *r, unsigned char *tag, const unsigned char **c, size_t *n)
{
	if (r->left < 2)
		return -1;
	*tag = r->p[0];
	size_t len = r->p[1], hdr = 2;
	if (len & 0x80) {
		size_t k = len & 0x7f;
		if (k < 1 || k > 3 || r->left < 2 + k)
			return -1;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | r->p[2 + i];
		hdr += k;
	}
	if (len > r->left - hdr)
		return -1;
	*c = r->p + hdr;
	*n = len;
	r->p += hdr + len;
	r->left -= hdr + len;
	return 0;
}

static int get_uint(struct reader *r, const unsigned char **m, size_t *n)
{
	unsigned char tag;
	if (get_tlv(r, &tag, m, n) || tag != 0x02 || !*n || (*m)[0] & 0x80)
		return -1;
	while (*n && !(*m)[0])
		(*m)++, (*n)--;
	return 0;
}

int rsakey_der_private(const unsigned char *der, size_t len, struct rsa_pub *k)
{
	struct reader r = { der, len }, seq;
	unsigned char tag;
	const unsigned char *v;
	size_t vn;
	if (get_tlv(&r, &tag, &seq.p, &seq.left) || tag != 0x30)
		return -1;
	if (get_uint(&seq, &v, &vn) || vn != 0)
		return -1;
	if (get_uint(&seq, &k->n, &k->nlen) || get_uint(&seq, &k->e, &k->elen) || !k->nlen ||
	    !k->elen)
		return -1;
	return 0;
}

size_t rsakey_der_pkcs8(const unsigned char *pkcs1, size_t len, unsigned char *out, size_t outsz)
{
	size_t content = 3 + sizeof rsa_algid + tlv_size(len);
	if (tlv_size(content) > outsz || len >= 0x1000000)
		return 0;
	unsigned char *p = put_hdr(out, 0x30, content);
	*p++ = 0x02, *p++ = 0x01, *p++ = 0x00; /* version 0 */
	memcpy(p, rsa_algid, sizeof rsa_algid);
	p += sizeof rsa_algid;
	p = put_hdr(p, 0x04, len);
	memcpy(p, pkcs1, len);
	return (size_t)(p + len - out);
}

size_t rsakey_pem(const char *label, const unsigned char *der, size_t len, char *out, size_t outsz)
{
	size_t chars = (len + 2) / 3 * 4, lines = (chars + 63) / 64;
	size_t need = 2 * strlen(label) + 40 + chars + lines + 1;
	if (need > outsz)
		return 0;
	int o = snprintf(out, outsz, "-----BEGIN %s-----\n", label);
	size_t at = (size_t)o;
	/* 48 bytes make one line of 64 characters */
	for (size_t i = 0; i < len; i += 48) {
		at += b64_block(der + i, len - i < 48 ? len - i : 48, out + at);
		out[at++] = '\n';
	}
	o = snprintf(out + at, outsz - at, "-----END %s-----", label);
	return at + (size_t)o;
}

void rsakey_colon_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		*out++ = hex[d[i] >> 4];
		*out++ = hex[d[i] & 15];
		*out++ = i + 1 < n ? ':' : '\0';
	}
	if (!n)
		*out = '\0';
}
