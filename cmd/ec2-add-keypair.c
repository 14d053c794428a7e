/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-add-keypair: create a key pair (Action CreateKeyPair): a KEYPAIR
 * record, then the private key (PEM), which the service keeps nowhere. */
#include <stdio.h>
#include "client/client.h"

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-add-keypair",
		 "Create a 2048-bit RSA key pair: print its fingerprint and its private key, which is kept nowhere else.",
		 "NAME", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing NAME");
	const char *name = cli_argv(&c)[0];
	query_add(&q, "KeyName", name);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "CreateKeyPair", &q, &r);
	char hint[400];
	snprintf(hint, sizeof hint, "the key pair '%.200s' was created, but its private key is lost; "
		 "delete it with ec2-delete-keypair and create it again", name);
	cli_on_write_error(hint);
	const char *f[] = { xml_text(r.root, "keyName"), xml_text(r.root, "keyFingerprint"),
			    xml_text(r.root, "keyMaterial") };
	if (c.cfg.output == OUT_TEXT) {	/* the key on the lines after the record */
		out_record(&c.cfg, &REC_KEYPAIR, f);
		printf("%s\n", f[2]);
	} else
		out_record(&c.cfg, &REC_KEYPAIR_MATERIAL, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
