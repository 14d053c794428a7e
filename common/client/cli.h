/* SPDX-License-Identifier: Apache-2.0 */
/* The shape every client command shares: common ec2-api-tools options,
 * environment, usage layout, and the exit statuses of DESIGN.md. */
#ifndef DP_CLI_H
#define DP_CLI_H
#include <limits.h>
#include <stdnoreturn.h>
#include "base/err.h"
#include "base/format.h"

struct dp_config {
	const char *access_key, *secret_key, *token;
	const char *url;        /* NULL or "" = local store */
	const char *region;
	int sigver;             /* 4 or 2 */
	int verbose, debug, headers, show_empty;
	enum out_format output; /* --output text|json|csv */
	long connect_timeout, request_timeout; /* seconds, 0 = library default */
	int max_attempts;       /* tries of an HTTP request, the first included;
				   0 = the transport's default */
	int dry_run;            /* --dry-run: DryRun=true on the request */
	const char **filters;   /* -F NAME=VALUE, as given */
	int nfilters;
	const char *ca_bundle;  /* CA certificates for https (NULL = the system's) */
	const char *profile;    /* --profile NAME: a profile of the AWS shared files */
	int anonymous;          /* set by a command whose answer needs no account
				   (regions, zones): on the local store it runs
				   without credentials */
};

enum cli_has_arg { CLI_NOARG = 0, CLI_ARG = 1 };

struct cli_option {
	const char *name;   /* long name */
	int key;            /* short letter, or a value > CHAR_MAX for long-only */
	enum cli_has_arg has_arg;
	const char *argname;
	const char *help;
};
#define CLI_LONG(n) (CHAR_MAX + 1 + (n))
/* Options that cli_next() handles for the commands that list them (one line
 * in the command's opts[]), and client_call_or_die() sends: --dry-run on a
 * command that changes something, -F on a describe command. */
#define CLI_KEY_DRY_RUN (CHAR_MAX + 900)
#define CLI_OPT_DRY_RUN { "dry-run", CLI_KEY_DRY_RUN, CLI_NOARG, NULL, \
	"check the request, change nothing (DryRunOperation)" }
#define CLI_OPT_FILTER { "filter", 'F', CLI_ARG, "NAME=VALUE", \
	"only records matching the filter (repeatable)" }

struct cli {
	const char *prog;
	const char *synopsis;     /* after the program name */
	const char *summary;      /* one line */
	const struct cli_option *opts;
	struct dp_config cfg;
	int argc;
	char **argv;
	int optind;               /* first positional argument after cli_next() is done */
	void *priv;
};

void cli_init(struct cli *c, const char *prog, const char *summary, const char *synopsis,
	      const struct cli_option *opts, int argc, char **argv);
/* Next command-specific option (its key), or -1 when done. Common options,
 * --help and --version are handled here. */
int cli_next(struct cli *c, const char **arg);
/* Remaining positional arguments. */
int cli_argc(const struct cli *c);
char **cli_argv(const struct cli *c);
/* Fills the configuration from the environment and checks it. */
void cli_finish(struct cli *c);

/* "prog: message" + "Try 'prog --help' ..." on stderr, exit 2. */
noreturn void cli_usage_error(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "prog: message" on stderr, exit with dp_exit_status(e). */
noreturn void cli_fatal(const struct cli *c, enum dp_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* When standard output cannot be written (checked at exit, which then
 * exits 1 with a message on stderr), also say HINT (NULL: nothing). */
void cli_on_write_error(const char *hint);

/* Parsers that exit with a usage error naming the option. */
long cli_long_or_err(const struct cli *c, const char *opt, const char *s, long min, long max);

#endif
