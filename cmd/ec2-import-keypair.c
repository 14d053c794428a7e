/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-import-keypair: import the public key of a key pair made elsewhere
 * (Action ImportKeyPair): the file is sent base64-encoded, as the real
 * tool and the AWS CLI's fileb:// send it; the service judges its format. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "client/client.h"
#include "wire/rsakey.h"

/* base64 makes 4 characters of 3 bytes, and a parameter holds 4096 */
#define FILE_MAX 3072

static const struct cli_option opts[] = {
	{ "public-key-file", 'f', CLI_ARG, "FILE", "the public key: OpenSSH (ssh-rsa ...) or RFC 4716 (required)" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *file = NULL;
	cli_init(&c, "ec2-import-keypair", "Import the RSA public key of a key pair made elsewhere.",
		 "NAME -f FILE", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;)
		if (k == 'f')
			file = arg;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing NAME");
	if (!file)
		cli_usage_error(&c, "missing --public-key-file");
	FILE *fp = fopen(file, "rb");
	if (!fp)
		cli_usage_error(&c, "cannot read --public-key-file '%s': %s", file, strerror(errno));
	unsigned char data[FILE_MAX + 1];
	size_t n = fread(data, 1, sizeof data, fp);
	int bad = ferror(fp);
	fclose(fp);
	if (bad)
		cli_usage_error(&c, "cannot read --public-key-file '%s'", file);
	if (n > FILE_MAX)
		cli_usage_error(&c, "--public-key-file '%s' is larger than %d bytes: not a public key", file,
				FILE_MAX);
	if (!n)
		cli_usage_error(&c, "--public-key-file '%s' is empty", file);
	struct buf b64 = BUF_INIT;
	rsakey_b64_encode(data, n, &b64);
	const char *name = cli_argv(&c)[0];
	query_add(&q, "KeyName", name);
	query_add(&q, "PublicKeyMaterial", buf_str(&b64));
	buf_release(&b64);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "ImportKeyPair", &q, &r);
	const char *f[] = { xml_text(r.root, "keyName"), xml_text(r.root, "keyFingerprint") };
	out_record(&c.cfg, &REC_KEYPAIR, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
