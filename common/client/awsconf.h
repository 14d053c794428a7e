/* The AWS CLI's shared files: ~/.aws/credentials and ~/.aws/config (or
 * AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). A small INI reader in the
 * manner of botocore's (Python's configparser): "[section]" headers,
 * "key = value" or "key: value", keys case-insensitive, "#" and ";" comment
 * lines, indented lines continuing a value (ignored: the nested settings of
 * other services). No inline comments, no interpolation, no length limit on
 * a line (session tokens run to kilobytes). */
#ifndef DP_AWSCONF_H
#define DP_AWSCONF_H
#include <stddef.h>
#include "base/err.h"

struct aws_profile {
	char *access_key, *secret_key, *token, *region;
	int found;	/* the profile's section is in one of the files */
};

/* Reads the settings of SECTION from TEXT (LEN bytes) into P: a value
 * already set in P is kept. Returns 1 when the section was found. */
int awsconf_parse(const char *text, size_t len, const char *section, struct aws_profile *p);

/* The profile NAME from the credentials file (section "NAME"), then the
 * config file (section "profile NAME", or "default"): the credentials file
 * wins for keys, the config file gives the region. A missing file is no
 * error; an unreadable one is (DP_ERR_USAGE, the path in dp_err_detail()). */
enum dp_err awsconf_load(const char *name, struct aws_profile *p);

void awsconf_release(struct aws_profile *p);

#endif
