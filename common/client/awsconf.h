/* SPDX-License-Identifier: Apache-2.0 */
/* The AWS CLI's shared files: ~/.aws/credentials and ~/.aws/config (or
 * AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). A small INI reader in the
 * manner of botocore's (Python's configparser): "[section]" headers,
 * "key = value" or "key: value", keys case-insensitive, "#" and ";" comment
 * lines, indented lines continuing a value (ignored: the nested settings of
 * other services, but for the "ec2 =" subsection of a [services NAME]
 * section). No inline comments, no interpolation, no length limit on a line
 * (session tokens run to kilobytes). */
#ifndef DP_AWSCONF_H
#define DP_AWSCONF_H
#include <stddef.h>
#include "base/err.h"

struct aws_profile {
	char *access_key, *secret_key, *token, *region;
	char *endpoint_url;		/* the profile's endpoint_url */
	char *services;			/* services = NAME: a [services NAME] section */
	char *ec2_endpoint_url;		/* that section's "ec2 =" endpoint_url */
	char *credential_process;	/* a command line that prints the keys */
	char *max_attempts;		/* as written; cli.c checks it */
	char *unsupported;		/* the first setting of a way to get keys the
					   suite does not support (role_arn, sso_*, ...) */
	int found;	/* the profile's section is in one of the files */
};

/* The keys a credential_process printed (its JSON: Version 1, AccessKeyId,
 * SecretAccessKey, optional SessionToken and Expiration). */
struct aws_process_keys {
	char *access_key, *secret_key, *token;
};

/* Reads the settings of SECTION from TEXT (LEN bytes) into P: a value
 * already set in P is kept. Returns 1 when the section was found. */
int awsconf_parse(const char *text, size_t len, const char *section, struct aws_profile *p);
/* The same for a "[services NAME]" section (SECTION "services NAME"): only
 * the endpoint_url of its "ec2 =" subsection. */
int awsconf_parse_services(const char *text, size_t len, const char *section,
			   struct aws_profile *p);

/* The profile NAME from the credentials file (section "NAME"), then the
 * config file (section "profile NAME", or "default"): the credentials file
 * wins for keys, the config file gives the region. A missing file is no
 * error; an unreadable one is (DP_ERR_USAGE, the path in dp_err_detail()). */
enum dp_err awsconf_load(const char *name, struct aws_profile *p);

void awsconf_release(struct aws_profile *p);

/* Runs COMMAND as the AWS CLI runs a credential_process (here through
 * /bin/sh -c; its standard error passes through, its standard output is
 * the JSON answer) and reads the keys into K. An error (a non-zero exit,
 * output that is not the JSON object, a missing field, an Expiration in the
 * past) is DP_ERR_CREDENTIALS with dp_err_detail() saying what was wrong,
 * never quoting the output (it holds the secret). */
enum dp_err awsconf_process(const char *command, struct aws_process_keys *k);
void awsconf_process_release(struct aws_process_keys *k);

#endif
