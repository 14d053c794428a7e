/* SPDX-License-Identifier: Apache-2.0 */
/* awsconf_parse and awsconf_parse_services, the reader of ~/.aws/credentials and ~/.aws/config: never
 * crashes or reads outside its input (no NUL needed at the end); every value
 * it returns is a substring of the input without leading or trailing white
 * space; a section found once is found again when the text is read twice. */
#include "client/awsconf.h"
#include "fuzz.h"

static void check_value(const char *v, const uint8_t *data, size_t size)
{
	if (!v)
		return;
	size_t n = strlen(v);
	fuzz_check(n <= size);
	if (n) {
		fuzz_check(v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t');
		fuzz_check(memmem(data, size, v, n) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees any read past the end */
	char *text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	static const char *const sections[] = { "default", "profile other", "x", NULL };
	for (int i = 0; sections[i]; i++) {
		struct aws_profile p = { 0 };
		int found = awsconf_parse(text, size, sections[i], &p);
		fuzz_check(found == p.found);
		check_value(p.access_key, data, size);
		check_value(p.secret_key, data, size);
		check_value(p.token, data, size);
		check_value(p.region, data, size);
		check_value(p.endpoint_url, data, size);
		check_value(p.services, data, size);
		check_value(p.credential_process, data, size);
		check_value(p.max_attempts, data, size);
		struct aws_profile s = { 0 };
		awsconf_parse_services(text, size, sections[i], &s);
		fuzz_check(!s.found && !s.region && !s.access_key);
		check_value(s.ec2_endpoint_url, data, size);
		awsconf_release(&s);
		struct aws_profile q = { 0 };
		fuzz_check(awsconf_parse(text, size, sections[i], &q) == found);
		awsconf_release(&p);
		awsconf_release(&q);
	}
	free(text);
	return 0;
}
