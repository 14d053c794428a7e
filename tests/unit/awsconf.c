/* SPDX-License-Identifier: Apache-2.0 */
/* common/client/awsconf.c: the AWS CLI's shared files as the AWS CLI v2
 * reads them (profiles, the [services NAME] section's ec2 endpoint, the
 * settings the suite does not support), and a credential_process's answer. */
#include <stdlib.h>
#include <string.h>
#include "client/awsconf.h"
#include "tap.h"

static int parse(const char *text, const char *section, struct aws_profile *p)
{
	return awsconf_parse(text, strlen(text), section, p);
}

static enum dp_err process(const char *cmd, struct aws_process_keys *k)
{
	return awsconf_process(cmd, k);
}

int main(void)
{
	struct aws_profile p;
	const char *config =
		"[default]\n"
		"region = eu-west-1\n"
		"endpoint_url = http://127.0.0.1:1/\n"
		"services = local\n"
		"max_attempts = 3\n"
		"credential_process = /bin/keys --json\n"
		"s3 =\n"
		"  endpoint_url = http://s3.invalid/\n"
		"[services other]\n"
		"ec2 =\n"
		"  endpoint_url = http://other.invalid/\n"
		"[services local]\n"
		"s3 =\n"
		"  endpoint_url = http://s3.invalid/\n"
		"ec2 =\n"
		"  region = us-west-2\n"
		"  endpoint_url = http://127.0.0.1:8773/\n"
		"sts =\n"
		"  endpoint_url = http://sts.invalid/\n"
		"[profile sso]\n"
		"SSO_Start_URL = https://start.invalid/\n"
		"[profile role]\n"
		"role_arn = arn:aws:iam::123456789012:role/r\n"
		"source_profile = default\n"
		"[profile empty-role]\n"
		"role_arn =\n";

	memset(&p, 0, sizeof p);
	is_int(parse(config, "default", &p), 1, "[default] found");
	is_str(p.region, "eu-west-1", "its region");
	is_str(p.endpoint_url, "http://127.0.0.1:1/", "its endpoint_url (not the nested s3 one)");
	is_str(p.services, "local", "its services");
	is_str(p.max_attempts, "3", "its max_attempts");
	is_str(p.credential_process, "/bin/keys --json", "its credential_process, arguments included");
	ok(!p.ec2_endpoint_url, "no ec2 endpoint from a profile section");
	ok(!p.unsupported, "nothing unsupported");
	is_int(awsconf_parse_services(config, strlen(config), "services local", &p), 1,
	       "[services local] found");
	is_str(p.ec2_endpoint_url, "http://127.0.0.1:8773/", "the ec2 subsection's endpoint_url only");
	is_str(p.region, "eu-west-1", "a services section sets nothing else");
	awsconf_release(&p);

	memset(&p, 0, sizeof p);
	awsconf_parse_services(config, strlen(config), "services none", &p);
	ok(!p.ec2_endpoint_url, "a services section that is not there: no endpoint");
	awsconf_release(&p);

	memset(&p, 0, sizeof p);
	parse(config, "profile sso", &p);
	is_str(p.unsupported, "sso_start_url", "an sso_* setting is named, in lower case");
	awsconf_release(&p);
	memset(&p, 0, sizeof p);
	parse(config, "profile role", &p);
	is_str(p.unsupported, "role_arn", "role_arn is named (the first one)");
	awsconf_release(&p);
	memset(&p, 0, sizeof p);
	parse(config, "profile empty-role", &p);
	ok(!p.unsupported, "an empty role_arn is no setting");
	awsconf_release(&p);

	struct aws_process_keys k;
	is_int(process("printf '{\"Version\":1,\"AccessKeyId\":\"AK1\",\"SecretAccessKey\":\"s\","
		       "\"SessionToken\":\"t\",\"Expiration\":\"2999-01-01T00:00:00+00:00\"}'", &k),
	       DP_OK, "a full answer");
	is_str(k.access_key, "AK1", "its key");
	is_str(k.secret_key, "s", "its secret");
	is_str(k.token, "t", "its token");
	awsconf_process_release(&k);
	is_int(process("printf '{\"Version\":1,\"AccessKeyId\":\"AK1\",\"SecretAccessKey\":\"s\"}'", &k),
	       DP_OK, "no token, no expiration");
	ok(!k.token, "no token");
	awsconf_process_release(&k);
	is_int(process("exit 1", &k), DP_ERR_CREDENTIALS, "a failing process");
	is_str(dp_err_detail(), "it exited with status 1", "says its status");
	ok(!k.access_key, "no key kept");
	is_int(process("true", &k), DP_ERR_CREDENTIALS, "no answer");
	is_int(process("printf '{\"Version\":1,\"AccessKeyId\":\"\",\"SecretAccessKey\":\"s\"}'", &k),
	       DP_ERR_CREDENTIALS, "an empty key");
	is_str(dp_err_detail(), "its answer has no usable AccessKeyId", "named");
	is_int(process("printf '{\"Version\":\"1\",\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"s\"}'", &k),
	       DP_ERR_CREDENTIALS, "a Version that is a string");
	is_int(process("printf '{\"Version\":1,\"Version\":1,\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"s\"}'", &k),
	       DP_ERR_CREDENTIALS, "a duplicated field");
	is_int(process("head -c 70000 /dev/zero | tr '\\0' ' '", &k), DP_ERR_CREDENTIALS,
	       "an answer too large");
	return tap_done();
}
