/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "client/awsconf.h"
#include "base/buf.h"
#include "client/cli.h"
#include "client/output.h"
#include "base/rates.h"
#include "base/version.h"

enum {
	OPT_REGION = CHAR_MAX + 1000,
	OPT_DEBUG,
	OPT_SHOW_EMPTY,
	OPT_CONNECT_TIMEOUT,
	OPT_REQUEST_TIMEOUT,
	OPT_VERSION,
	OPT_CA_BUNDLE,
	OPT_PROFILE,
	OPT_OUTPUT,
};

/* The -F values of this process (struct dp_config's filters). */
static const char **filter_list;

static const struct cli_option common_opts[] = {
	{ "aws-access-key", 'O', CLI_ARG, "KEY", "access key id (AWS_ACCESS_KEY)" },
	{ "aws-secret-key", 'W', CLI_ARG, "KEY", "secret access key (AWS_SECRET_KEY)" },
	{ "security-token", 'T', CLI_ARG, "TOKEN", "session token (AWS_SESSION_TOKEN)" },
	{ "url", 'U', CLI_ARG, "URL", "endpoint: http(s)://... or file:///path/store.db (EC2_URL)" },
	{ "region", OPT_REGION, CLI_ARG, "REGION", "region (EC2_REGION, default us-east-1)" },
	{ "verbose", 'v', CLI_NOARG, NULL, "also print the request id" },
	{ "debug", OPT_DEBUG, CLI_NOARG, NULL, "print the request and response, secrets redacted" },
	{ "headers", 'H', CLI_NOARG, NULL, "print a header line per record type" },
	{ "show-empty-fields", OPT_SHOW_EMPTY, CLI_NOARG, NULL, "print empty fields as (nil)" },
	{ "output", OPT_OUTPUT, CLI_ARG, "FORMAT", "records as text (tab-separated, the default), json or csv" },
	{ "connection-timeout", OPT_CONNECT_TIMEOUT, CLI_ARG, "SECONDS", "connection timeout" },
	{ "request-timeout", OPT_REQUEST_TIMEOUT, CLI_ARG, "SECONDS", "whole request timeout" },
	{ "ca-bundle", OPT_CA_BUNDLE, CLI_ARG, "FILE", "CA certificates that verify https (AWS_CA_BUNDLE)" },
	{ "profile", OPT_PROFILE, CLI_ARG, "NAME", "profile of ~/.aws/credentials and ~/.aws/config (AWS_PROFILE)" },
	{ "help", 'h', CLI_NOARG, NULL, "print this help and exit" },
	{ "version", OPT_VERSION, CLI_NOARG, NULL, "print the version and exit" },
	{ NULL, 0, 0, NULL, NULL },
};

struct cli_priv {
	struct option *longopts;
	char shortopts[128];
};

static size_t count_opts(const struct cli_option *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

/* A command may take over a common option's name (devpay-register-product's
 * repeatable --region): the command's own meaning wins. */
static int overridden(const struct cli_option *cmd, const struct cli_option *o)
{
	if (!cmd || cmd == o)
		return 0;
	for (; cmd->name; cmd++)
		if (!strcmp(cmd->name, o->name))
			return 1;
	return 0;
}

static void add_opts(struct option *lo, size_t *n, char *so, const struct cli_option *o,
		     const struct cli_option *cmd)
{
	for (; o && o->name; o++) {
		if (cmd && overridden(cmd, o))
			continue;
		lo[*n] = (struct option){ o->name, o->has_arg ? required_argument : no_argument, NULL,
					  o->key };
		(*n)++;
		if (o->key > 0 && o->key <= CHAR_MAX) {
			size_t l = strlen(so);
			so[l++] = (char)o->key;
			if (o->has_arg)
				so[l++] = ':';
			so[l] = '\0';
		}
	}
}

/* Standard output is checked when the program ends: a record that could not
 * be written (a full disk, a closed pipe's reader gone, /dev/full) is an
 * error, not a silent success. */
static const char *out_prog;
static char *out_hint;

static void close_stdout(void)
{
	int bad = ferror(stdout);
	errno = 0;
	if (fclose(stdout) != 0 || bad) {
		int err = errno;
		fprintf(stderr, "%s: cannot write to standard output: %s%s%s\n", out_prog,
			err ? strerror(err) : "write error", out_hint ? "; " : "",
			out_hint ? out_hint : "");
		_exit(1);
	}
}

void cli_on_write_error(const char *hint)
{
	free(out_hint);
	out_hint = hint ? xstrdup(hint) : NULL;
}

void cli_init(struct cli *c, const char *prog, const char *summary, const char *synopsis,
	      const struct cli_option *opts, int argc, char **argv)
{
	memset(c, 0, sizeof *c);
	c->prog = prog;
	c->summary = summary;
	c->synopsis = synopsis;
	c->opts = opts;
	c->argc = argc;
	c->argv = argv;
	c->cfg.sigver = 4;
	if (!out_prog)
		atexit(close_stdout);
	out_prog = prog;
	struct cli_priv *p = xcalloc(1, sizeof *p);
	size_t n = 0;
	p->longopts = xcalloc(count_opts(opts) + count_opts(common_opts) + 1, sizeof(struct option));
	p->shortopts[0] = '\0';
	add_opts(p->longopts, &n, p->shortopts, opts, NULL);
	add_opts(p->longopts, &n, p->shortopts, common_opts, opts);
	c->priv = p;
	opterr = 0;
	optind = 1;
	/* an operator's EC2 rates, before the options that name instance types */
	const char *rates = getenv("DEVPAY_RATES");
	char err[512];
	if (rates && *rates && rates_load(rates, err, sizeof err))
		cli_usage_error(c, "DEVPAY_RATES: %s", err);
}

/* Text from column indent on, broken between words so that no line is
 * longer than 80 columns; continuation lines start at indent too. */
static void print_wrapped(const char *text, int indent)
{
	int col = indent;
	const char *p = text;
	while (*p) {
		if (*p == '\n') {	/* a break the text asks for */
			printf("\n%*s", indent, "");
			col = indent;
			p++;
			continue;
		}
		size_t w = 0;	/* a word; an [optional group] is one word */
		for (int depth = 0; p[w] && p[w] != '\n' && (depth || p[w] != ' '); w++)
			depth += p[w] == '[' ? 1 : p[w] == ']' && depth ? -1 : 0;
		if (col > indent && col + 1 + (int)w > 80) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, p);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

static void print_opts(const struct cli_option *o, const struct cli_option *cmd)
{
	for (; o && o->name; o++) {
		if (cmd && overridden(cmd, o))
			continue;
		char left[64];
		char sh[8] = "    ";
		if (o->key > 0 && o->key <= CHAR_MAX)
			snprintf(sh, sizeof sh, "-%c, ", o->key);
		snprintf(left, sizeof left, "%s--%s%s%s", sh, o->name, o->argname ? " " : "",
			 o->argname ? o->argname : "");
		if (strlen(left) >= 32)	/* no room for two spaces: the description goes below */
			printf("  %s\n  %-32s ", left, "");
		else
			printf("  %-32s ", left);
		print_wrapped(o->help, 35);
	}
}

static noreturn void usage(const struct cli *c)
{
	int indent = printf("Usage: %s ", c->prog);
	print_wrapped(c->synopsis, indent);
	putchar('\n');
	print_wrapped(c->summary, 0);
	if (count_opts(c->opts)) {
		printf("\nOptions:\n");
		print_opts(c->opts, NULL);
	}
	printf("\nCommon options:\n");
	print_opts(common_opts, c->opts);
	printf("\nExit status: 0 success, 1 refused by the service, 2 usage error,\n"
	       "3 endpoint or store unreachable.\nSee %s(1).\n", c->prog);
	exit(0);
}

noreturn void cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	out_usage_error();
	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", c->prog);
	exit(2);
}

noreturn void cli_fatal(const struct cli *c, enum dp_err e, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(dp_exit_status(e));
}

long cli_long_or_err(const struct cli *c, const char *opt, const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		cli_usage_error(c, "invalid %s '%s': expected a whole number from %ld to %ld", opt,
				s, min, max);
	return v;
}

static const char *option_name(const struct cli *c, int key)
{
	const struct cli_priv *p = c->priv;
	for (const struct option *o = p->longopts; o->name; o++)
		if (o->val == key)
			return o->name;
	return "?";
}

int cli_next(struct cli *c, const char **arg)
{
	struct cli_priv *p = c->priv;
	for (;;) {
		int k = getopt_long(c->argc, c->argv, p->shortopts, p->longopts, NULL);
		*arg = optarg;
		switch (k) {
		case -1:
			c->optind = optind;
			return -1;
		case '?':
			if (optopt && optopt <= CHAR_MAX && optopt > 0 && strchr(p->shortopts, optopt))
				cli_usage_error(c, "option '-%c' requires an argument", optopt);
			if (optopt > 0 && optopt <= CHAR_MAX)	/* a short option the command lacks */
				cli_usage_error(c, "unrecognized option '-%c'", optopt);
			if (optopt)
				cli_usage_error(c, "option '--%s' requires an argument", option_name(c, optopt));
			/* getopt has stepped past the word it refused (and past any
			 * operand before it, which it moves later) */
			cli_usage_error(c, "unrecognized option '%s'",
					c->argv[optind > 0 && optind <= c->argc ? optind - 1 : c->argc - 1]);
		case 'O': c->cfg.access_key = optarg; break;
		case 'W': c->cfg.secret_key = optarg; break;
		case 'T': c->cfg.token = optarg; break;
		case 'U': c->cfg.url = optarg; break;
		case OPT_REGION: c->cfg.region = optarg; break;
		case 'v': c->cfg.verbose = 1; break;
		case OPT_DEBUG: c->cfg.debug = 1; break;
		case 'H': c->cfg.headers = 1; break;
		case OPT_SHOW_EMPTY: c->cfg.show_empty = 1; break;
		case OPT_OUTPUT:
			if (out_format_parse(optarg, &c->cfg.output))
				cli_usage_error(c, "invalid --output '%s': expected one of %s", optarg,
						OUT_FORMAT_NAMES);
			break;
		case OPT_PROFILE:
			if (!*optarg)
				cli_usage_error(c, "invalid --profile '': expected a profile name");
			c->cfg.profile = optarg;
			break;
		case OPT_CONNECT_TIMEOUT:
			c->cfg.connect_timeout = cli_long_or_err(c, "--connection-timeout", optarg, 1, 3600);
			break;
		case OPT_REQUEST_TIMEOUT:
			c->cfg.request_timeout = cli_long_or_err(c, "--request-timeout", optarg, 1, 86400);
			break;
		case CLI_KEY_DRY_RUN: c->cfg.dry_run = 1; break;
		case 'F':
			if (!strchr(optarg, '=') || *optarg == '=')
				cli_usage_error(c, "invalid filter '%s': expected NAME=VALUE", optarg);
			/* kept for the life of the process (filter_list), as argv is */
			filter_list = xrealloc(filter_list, (size_t)(c->cfg.nfilters + 1) * sizeof *filter_list);
			filter_list[c->cfg.nfilters++] = optarg;
			c->cfg.filters = filter_list;
			break;
		case OPT_CA_BUNDLE: c->cfg.ca_bundle = optarg; break;
		case 'h': usage(c);
		case OPT_VERSION:
			printf("%s %s\n", c->prog, DEVPAY_VERSION);
			exit(0);
		default:
			return k;
		}
	}
}

int cli_argc(const struct cli *c)
{
	return c->argc - c->optind;
}

char **cli_argv(const struct cli *c)
{
	return c->argv + c->optind;
}

static const char *env_first(const char *a, const char *b)
{
	const char *v = getenv(a);
	if ((!v || !*v) && b)
		v = getenv(b);
	return v && *v ? v : NULL;
}

/* The profile of the AWS shared files, loaded once (a usage error when a
 * profile named by --profile or AWS_PROFILE is in neither file). */
static struct aws_profile *shared_profile(struct cli *c, const char *name, int named)
{
	static struct aws_profile prof;
	static int loaded;
	if (loaded)
		return &prof;
	loaded = 1;
	if (awsconf_load(name, &prof))
		cli_usage_error(c, "%s", dp_err_detail());
	if (named && !prof.found)
		cli_usage_error(c, "profile '%s' is in neither the credentials nor the config file"
				" (~/.aws/credentials, ~/.aws/config)", name);
	return &prof;
}

/* The keys of the profile PNAME: its static keys, else what its
 * credential_process prints. A profile that gets its keys in a way the suite
 * does not support (assuming a role, SSO, a web identity) is refused rather
 * than used without them. */
static void profile_keys(struct cli *c, struct aws_profile *prof, const char *pname)
{
	struct dp_config *f = &c->cfg;
	if (prof->unsupported)
		cli_fatal(c, DP_ERR_CREDENTIALS, "profile '%s' uses %s, which devpay commands do not "
			  "support; give keys (aws_access_key_id, aws_secret_access_key) or "
			  "credential_process", pname, prof->unsupported);
	if (prof->access_key || prof->secret_key || !prof->credential_process ||
	    !*prof->credential_process) {
		f->access_key = prof->access_key;
		f->secret_key = prof->secret_key;
		if (!f->token)
			f->token = prof->token;
		return;
	}
	static struct aws_process_keys k;	/* for the life of the process */
	if (awsconf_process(prof->credential_process, &k))
		cli_fatal(c, DP_ERR_CREDENTIALS, "profile '%s': credential_process: %s", pname,
			  dp_err_detail());
	f->access_key = k.access_key;
	f->secret_key = k.secret_key;
	if (!f->token)
		f->token = k.token;
}

static int is_http(const char *url)
{
	return url && (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8));
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* The endpoint, first found wins: -U, EC2_URL (ec2-api-tools),
 * AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, the endpoint_url of the "ec2 ="
 * subsection of the [services NAME] section the profile names, the
 * profile's endpoint_url (the AWS CLI v2's order after EC2_URL); none: the
 * local store. A scheme other than http, https or file is a usage error. */
static void endpoint(struct cli *c, const char *pname, int named)
{
	struct dp_config *f = &c->cfg;
	static char from[160];
	const char *src = f->url ? "--url" : NULL;
	static const char *const vars[] = { "EC2_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL", NULL };
	for (int i = 0; !src && vars[i]; i++)
		if ((f->url = env_first(vars[i], NULL)))
			src = vars[i];
	if (!src) {
		struct aws_profile *prof = shared_profile(c, pname, named);
		if ((f->url = nonempty(prof->ec2_endpoint_url))) {
			snprintf(from, sizeof from, "the ec2 endpoint_url of [services %s] in the config file",
				 prof->services);
			src = from;
		} else if ((f->url = nonempty(prof->endpoint_url))) {
			snprintf(from, sizeof from, "the endpoint_url of profile '%s'", pname);
			src = from;
		}
	}
	if (f->url && *f->url && !is_http(f->url) && strncmp(f->url, "file://", 7))
		cli_usage_error(c, "invalid endpoint '%s' (%s): expected http://, https:// or file://",
				f->url, src);
}

/* Where the credentials come from, first found wins, key and secret as a
 * pair from the shared files:
 *   -O/-W (and --profile NAME: that profile's keys);
 *   AWS_ACCESS_KEY/AWS_SECRET_KEY (ec2-api-tools);
 *   AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (AWS CLI);
 *   the profile AWS_PROFILE (or "default") of ~/.aws/credentials, then of
 *   ~/.aws/config, with its aws_session_token and region: its static keys,
 *   else its credential_process. */
void cli_finish(struct cli *c)
{
	struct dp_config *f = &c->cfg;
	struct cli_priv *p = c->priv;
	free(p->longopts);
	free(p);
	c->priv = NULL;
	const char *env_profile = env_first("AWS_PROFILE", NULL);
	const char *pname = f->profile ? f->profile : env_profile ? env_profile : "default";
	int named = f->profile || env_profile;
	if (f->profile && !f->access_key && !f->secret_key)
		profile_keys(c, shared_profile(c, pname, named), pname);
	int from_vars = f->access_key || f->secret_key;
	if (!f->access_key)
		f->access_key = env_first("AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID");
	if (!f->secret_key)
		f->secret_key = env_first("AWS_SECRET_KEY", "AWS_SECRET_ACCESS_KEY");
	from_vars |= f->access_key || f->secret_key;
	if (!f->token && from_vars)
		f->token = env_first("AWS_SESSION_TOKEN", NULL);
	if (!from_vars) {
		profile_keys(c, shared_profile(c, pname, named), pname);
		if (!f->token)
			f->token = env_first("AWS_SESSION_TOKEN", NULL);
	}
	endpoint(c, pname, named);
	/* the ec2-api-tools' variable, then the AWS CLI's in its order */
	if (!f->region)
		f->region = env_first("EC2_REGION", "AWS_REGION");
	if (!f->region)
		f->region = env_first("AWS_DEFAULT_REGION", NULL);
	if (!f->region)
		f->region = shared_profile(c, pname, named)->region;
	if (!f->region || !*f->region)
		f->region = "us-east-1";
	/* the tries of an HTTP request: AWS_MAX_ATTEMPTS, then the profile's
	 * max_attempts (read only when there is an HTTP endpoint to try) */
	const char *tries = env_first("AWS_MAX_ATTEMPTS", NULL);
	if (tries)
		f->max_attempts = (int)cli_long_or_err(c, "AWS_MAX_ATTEMPTS", tries, 1, 20);
	else if (is_http(f->url) && (tries = nonempty(shared_profile(c, pname, named)->max_attempts))) {
		char what[160];
		snprintf(what, sizeof what, "max_attempts of profile '%s'", pname);
		f->max_attempts = (int)cli_long_or_err(c, what, tries, 1, 20);
	}
	if (!f->ca_bundle)
		f->ca_bundle = env_first("AWS_CA_BUNDLE", NULL);
	const char *sv = env_first("EC2_SIGNATURE_VERSION", NULL);
	if (sv && strcmp(sv, "4") && strcmp(sv, "2"))
		cli_usage_error(c, "EC2_SIGNATURE_VERSION '%s' is not 4 or 2", sv);
	f->sigver = sv && !strcmp(sv, "2") ? 2 : 4;
	int local = !f->url || strncmp(f->url, "http", 4);
	if (f->anonymous && local && (!f->access_key || !*f->access_key)) {
		f->access_key = f->secret_key = NULL;
	} else if (!f->access_key || !*f->access_key)
		cli_usage_error(c, "no access key: use -O, set AWS_ACCESS_KEY, or give "
				"aws_access_key_id in ~/.aws/credentials");
	else if (!f->secret_key || !*f->secret_key)
		cli_usage_error(c, "no secret key: use -W, set AWS_SECRET_KEY, or give "
				"aws_secret_access_key in ~/.aws/credentials");
	if (!region_valid(f->region)) {
		struct buf known = BUF_INIT;
		for (int i = 0; regions[i]; i++)
			buf_addf(&known, "%s%s", i ? ", " : "", regions[i]);
		cli_usage_error(c, "unknown region '%s': expected one of %s", f->region,
				buf_str(&known));
	}
	out_start(f);
}
