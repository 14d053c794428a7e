/* SPDX-License-Identifier: Apache-2.0 */
/* common/wire/rsakey.c: base64, the OpenSSH and RFC 4716 public key forms
 * (and what they refuse), DER SubjectPublicKeyInfo, PKCS#1 and PKCS#8, PEM. */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "wire/rsakey.h"

static void put32(struct buf *b, size_t n)
{
	unsigned char c[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
			       (unsigned char)n };
	buf_add(b, c, 4);
}

/* "ssh-rsa BASE64 comment" of a blob: type, then e and n as given (raw mpints) */
static void line_of(const char *type, const unsigned char *e, size_t el, const unsigned char *n,
		    size_t nl, const char *extra, struct buf *out)
{
	struct buf blob = BUF_INIT;
	put32(&blob, strlen(type));
	buf_adds(&blob, type);
	put32(&blob, el);
	buf_add(&blob, e, el);
	put32(&blob, nl);
	buf_add(&blob, n, nl);
	if (extra)
		buf_adds(&blob, extra);
	buf_adds(out, "ssh-rsa ");
	rsakey_b64_encode((const unsigned char *)blob.p, blob.len, out);
	buf_adds(out, " me@host\n");
	buf_release(&blob);
}

static int parse(const char *text, char *why)
{
	struct buf blob = BUF_INIT;
	struct rsa_pub k;
	int r = rsakey_parse_public(text, strlen(text), &blob, &k, why, 160);
	buf_release(&blob);
	return r;
}

int main(void)
{
	struct buf b = BUF_INIT;
	/* base64: padding optional, but never wrong */
	ok(!rsakey_b64_decode("aGk=", 4, &b) && b.len == 2 && !memcmp(b.p, "hi", 2), "base64 with padding");
	buf_reset(&b);
	ok(!rsakey_b64_decode("aGk", 3, &b) && b.len == 2, "base64 without padding");
	buf_reset(&b);
	ok(rsakey_b64_decode("aGk==", 5, &b), "base64: too much padding refused");
	ok(rsakey_b64_decode("a", 1, &b), "base64: one character refused");
	ok(rsakey_b64_decode("aG k", 4, &b), "base64: a space refused");
	ok(rsakey_b64_decode("a=Gk", 4, &b), "base64: padding inside refused");
	buf_reset(&b);
	rsakey_b64_encode((const unsigned char *)"hi!", 3, &b);
	is_str(buf_str(&b), "aGkh", "base64 encoding");
	buf_reset(&b);

	/* a 1024-bit modulus (odd, top bit set: its mpint has a leading zero) */
	unsigned char n[129], e[3] = { 1, 0, 1 };
	n[0] = 0;
	for (int i = 1; i < 129; i++)
		n[i] = (unsigned char)(0xC3 ^ i);
	n[128] |= 1;
	char why[160];
	line_of("ssh-rsa", e, 3, n, 129, NULL, &b);
	struct buf blob = BUF_INIT;
	struct rsa_pub k;
	ok(!rsakey_parse_public(b.p, b.len, &blob, &k, why, sizeof why), "an OpenSSH line parses");
	is_int(rsakey_bits(&k), 1024, "its modulus has 1024 bits");
	is_int(k.nlen, 128, "the modulus' leading zero is dropped");
	/* the same key written back, and as DER */
	struct buf back = BUF_INIT, der = BUF_INIT;
	rsakey_openssh(&k, &back);
	buf_adds(&back, " me@host\n");
	is_str(buf_str(&back), buf_str(&b), "written back as it came");
	rsakey_der_spki(&k, &der);
	is_int(der.len, 162, "its SubjectPublicKeyInfo is 162 bytes");
	ok(!memcmp(der.p, "\x30\x81\x9f\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00\x03\x81\x8d\x00"
			  "\x30\x81\x89\x02\x81\x81\x00", 29), "SubjectPublicKeyInfo header");
	ok(!memcmp(der.p + der.len - 5, "\x02\x03\x01\x00\x01", 5), "ending in e = 65537");
	buf_release(&back);
	buf_release(&der);
	/* RFC 4716, with a header continued over two lines */
	struct buf rfc = BUF_INIT;
	buf_adds(&rfc, "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a long \\\ncomment\"\n");
	const char *d = strchr(b.p, ' ') + 1;
	size_t dl = strcspn(d, " ");
	for (size_t i = 0; i < dl; i += 70)
		buf_addf(&rfc, "%.*s\n", (int)(dl - i < 70 ? dl - i : 70), d + i);
	buf_adds(&rfc, "---- END SSH2 PUBLIC KEY ----\n");
	ok(!parse(rfc.p, why), "the same key in RFC 4716 form");
	rfc.len -= strlen("---- END SSH2 PUBLIC KEY ----\n");
	rfc.p[rfc.len] = 0;
	ok(parse(rfc.p, why) && strstr(why, "END"), "RFC 4716 without its END line: %s", why);
	buf_release(&rfc);

	/* refused */
	struct buf t = BUF_INIT;
	buf_addf(&t, "%s%s", b.p, b.p);
	ok(parse(t.p, why) && strstr(why, "one key"), "two keys: %s", why);
	buf_reset(&t);
	ok(parse("ssh-dss AAAA x", why) && strstr(why, "not ssh-dss"), "DSA: %s", why);
	ok(parse("from=\"x\" ssh-rsa AAAA", why), "an authorized_keys option: %s", why);
	ok(parse("ssh-rsa", why) && strstr(why, "missing"), "no key data: %s", why);
	line_of("ssh-dss", e, 3, n, 129, NULL, &t);
	ok(parse(t.p, why) && strstr(why, "not an ssh-rsa key"), "ssh-rsa outside, another type inside: %s", why);
	buf_reset(&t);
	line_of("ssh-rsa", e, 3, n, 129, "x", &t);
	ok(parse(t.p, why) && strstr(why, "follow"), "bytes after the key: %s", why);
	buf_reset(&t);
	line_of("ssh-rsa", e, 3, n + 1, 128, NULL, &t);
	ok(parse(t.p, why) && strstr(why, "negative"), "a negative modulus: %s", why);
	buf_reset(&t);
	n[128] &= 0xfe;
	line_of("ssh-rsa", e, 3, n, 129, NULL, &t);
	ok(parse(t.p, why) && strstr(why, "even"), "an even modulus: %s", why);
	n[128] |= 1;
	buf_reset(&t);
	unsigned char one = 1;
	line_of("ssh-rsa", &one, 1, n, 129, NULL, &t);
	ok(parse(t.p, why) && strstr(why, "exponent"), "exponent 1: %s", why);
	buf_reset(&t);
	line_of("ssh-rsa", e, 3, n, 65, NULL, &t);
	ok(parse(t.p, why) && strstr(why, "512 bits"), "a 512-bit key: %s", why);
	buf_reset(&t);

	/* PKCS#1 -> n, e; PKCS#8 around it; PEM */
	unsigned char p1[] = { 0x30, 0x0d, 0x02, 0x01, 0x00, 0x02, 0x02, 0x00, 0xc5, 0x02, 0x01, 0x03,
			       0x02, 0x01, 0x07 };
	struct rsa_pub pk;
	ok(!rsakey_der_private(p1, sizeof p1, &pk) && pk.nlen == 1 && pk.n[0] == 0xc5 && pk.elen == 1 &&
	   pk.e[0] == 3, "PKCS#1: modulus and exponent");
	ok(rsakey_der_private(p1 + 1, sizeof p1 - 1, &pk), "PKCS#1: not a SEQUENCE, refused");
	unsigned char p8[64];
	size_t n8 = rsakey_der_pkcs8(p1, sizeof p1, p8, sizeof p8);
	const unsigned char want8[] = { 0x30, 0x23, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86,
					0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x04, 0x0f };
	ok(n8 == sizeof want8 + sizeof p1 && !memcmp(p8, want8, sizeof want8) &&
	   !memcmp(p8 + sizeof want8, p1, sizeof p1), "PKCS#8 PrivateKeyInfo around it");
	is_int(rsakey_der_pkcs8(p1, sizeof p1, p8, 20), 0, "PKCS#8: too small a buffer");
	unsigned char raw[100];
	for (int i = 0; i < 100; i++)
		raw[i] = (unsigned char)i;
	char pem[400];
	size_t pl = rsakey_pem("RSA PRIVATE KEY", raw, sizeof raw, pem, sizeof pem);
	ok(pl == strlen(pem) && !strncmp(pem, "-----BEGIN RSA PRIVATE KEY-----\n", 32) &&
	   strstr(pem, "\n-----END RSA PRIVATE KEY-----") && pem[pl - 1] == '-', "PEM armour");
	ok(strchr(pem + 32, '\n') - (pem + 32) == 64, "PEM lines of 64 characters");
	is_int(rsakey_pem("RSA PRIVATE KEY", raw, sizeof raw, pem, 100), 0, "PEM: too small a buffer");
	char hex[16];
	rsakey_colon_hex((const unsigned char *)"\x0a\xff\x10", 3, hex);
	is_str(hex, "0a:ff:10", "colon hex");

	buf_release(&b);
	buf_release(&blob);
	buf_release(&t);
	return tap_done();
}
