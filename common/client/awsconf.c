/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "client/awsconf.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/json_dl.h"

/* A shared file larger than this is not one. */
#define AWSCONF_MAX_BYTES (1 << 20)

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* [b, e) trimmed of white space on both ends. */
static void trim(const char **b, const char **e)
{
	while (*b < *e && is_space(**b))
		(*b)++;
	while (*e > *b && is_space((*e)[-1]))
		(*e)--;
}

static int same_ci(const char *b, const char *e, const char *word)
{
	size_t n = (size_t)(e - b);
	if (strlen(word) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return 1;
}

static void set_once(char **slot, const char *b, const char *e)
{
	if (*slot)
		return;
	size_t n = (size_t)(e - b);
	*slot = xmalloc(n + 1);
	memcpy(*slot, b, n);
	(*slot)[n] = '\0';
}

/* Settings of a profile that get keys in ways the suite does not support. */
static int is_unsupported(const char *b, const char *e)
{
	static const char *const keys[] = { "role_arn", "source_profile", "credential_source",
		"web_identity_token_file", NULL };
	for (int i = 0; keys[i]; i++)
		if (same_ci(b, e, keys[i]))
			return 1;
	return e - b > 4 && same_ci(b, b + 4, "sso_");
}

static void profile_setting(struct aws_profile *p, const char *kb, const char *ke,
			    const char *vb, const char *ve)
{
	if (same_ci(kb, ke, "aws_access_key_id"))
		set_once(&p->access_key, vb, ve);
	else if (same_ci(kb, ke, "aws_secret_access_key"))
		set_once(&p->secret_key, vb, ve);
	else if (same_ci(kb, ke, "aws_session_token"))
		set_once(&p->token, vb, ve);
	else if (same_ci(kb, ke, "region"))
		set_once(&p->region, vb, ve);
	else if (same_ci(kb, ke, "endpoint_url"))
		set_once(&p->endpoint_url, vb, ve);
	else if (same_ci(kb, ke, "services"))
		set_once(&p->services, vb, ve);
	else if (same_ci(kb, ke, "credential_process"))
		set_once(&p->credential_process, vb, ve);
	else if (same_ci(kb, ke, "max_attempts"))
		set_once(&p->max_attempts, vb, ve);
	else if (is_unsupported(kb, ke) && vb < ve) {
		set_once(&p->unsupported, kb, ke);
		for (char *c = p->unsupported; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
}

/* SERVICES: a [services NAME] section, where only "ec2 =" and the
 * endpoint_url indented below it count. */
static int parse(const char *text, size_t len, const char *section, int services,
		 struct aws_profile *p)
{
	const char *end = text + len;
	int in = 0, found = 0, in_ec2 = 0;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *le = nl ? nl : end;
		const char *b = line, *e = le;
		line = nl ? nl + 1 : end;
		/* an indented line continues the value above it (a nested setting) */
		int indented = b < e && is_space(*b);
		trim(&b, &e);
		if (b == e || *b == '#' || *b == ';')
			continue;
		if (indented && !(in && services && in_ec2))
			continue;
		if (*b == '[') {
			const char *close = memchr(b, ']', (size_t)(e - b));
			in_ec2 = 0;
			if (!close) {
				in = 0;
				continue;
			}
			const char *nb = b + 1, *ne = close;
			trim(&nb, &ne);
			size_t sl = strlen(section);
			in = (size_t)(ne - nb) == sl && !memcmp(nb, section, sl);
			found |= in;
			continue;
		}
		if (!in)
			continue;
		const char *eq = b;
		while (eq < e && *eq != '=' && *eq != ':')
			eq++;
		if (eq == e)
			continue;
		const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
		trim(&kb, &ke);
		trim(&vb, &ve);
		if (memchr(vb, '\0', (size_t)(ve - vb)))
			continue;	/* not text */
		if (services && indented) {
			if (same_ci(kb, ke, "endpoint_url"))
				set_once(&p->ec2_endpoint_url, vb, ve);
		} else if (services)
			in_ec2 = same_ci(kb, ke, "ec2") && vb == ve;
		else
			profile_setting(p, kb, ke, vb, ve);
	}
	if (found && !services)
		p->found = 1;
	return found;
}

int awsconf_parse(const char *text, size_t len, const char *section, struct aws_profile *p)
{
	return parse(text, len, section, 0, p);
}

int awsconf_parse_services(const char *text, size_t len, const char *section,
			   struct aws_profile *p)
{
	return parse(text, len, section, 1, p);
}

/* The file's content, or NULL with *err set when it exists but cannot be
 * read; NULL with DP_OK when there is no such file. */
static char *slurp(const char *path, size_t *len, enum dp_err *err)
{
	*err = DP_OK;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return NULL;
		dp_err_set("cannot read '%s': %s", path, strerror(errno));
		*err = DP_ERR_USAGE;
		return NULL;
	}
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > AWSCONF_MAX_BYTES)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad || b.len > AWSCONF_MAX_BYTES) {
		dp_err_set("cannot read '%s': %s", path, bad ? "read error" : "larger than 1 MiB");
		*err = DP_ERR_USAGE;
		buf_release(&b);
		return NULL;
	}
	*len = b.len;
	return buf_detach(&b);
}

static void file_path(struct buf *out, const char *env, const char *name)
{
	const char *v = getenv(env);
	if (v && *v) {
		buf_adds(out, v);
		return;
	}
	const char *home = getenv("HOME");
	buf_addf(out, "%s/.aws/%s", home && *home ? home : ".", name);
}

static enum dp_err load_file(const char *env, const char *name, const char *section,
			     int services, struct aws_profile *p)
{
	struct buf path = BUF_INIT;
	file_path(&path, env, name);
	size_t len = 0;
	enum dp_err e;
	char *text = slurp(buf_str(&path), &len, &e);
	buf_release(&path);
	if (text)
		parse(text, len, section, services, p);
	free(text);
	return e;
}

enum dp_err awsconf_load(const char *name, struct aws_profile *p)
{
	memset(p, 0, sizeof *p);
	enum dp_err e = load_file("AWS_SHARED_CREDENTIALS_FILE", "credentials", name, 0, p);
	if (e)
		return e;
	struct buf section = BUF_INIT;
	if (strcmp(name, "default"))
		buf_addf(&section, "profile %s", name);
	else
		buf_adds(&section, "default");
	e = load_file("AWS_CONFIG_FILE", "config", buf_str(&section), 0, p);
	if (!e && p->services && *p->services) {
		buf_reset(&section);
		buf_addf(&section, "services %s", p->services);
		e = load_file("AWS_CONFIG_FILE", "config", buf_str(&section), 1, p);
	}
	buf_release(&section);
	return e;
}

void awsconf_release(struct aws_profile *p)
{
	free(p->access_key);
	free(p->secret_key);
	free(p->token);
	free(p->region);
	free(p->endpoint_url);
	free(p->services);
	free(p->ec2_endpoint_url);
	free(p->credential_process);
	free(p->max_attempts);
	free(p->unsupported);
	memset(p, 0, sizeof *p);
}

/* A credential_process's answer larger than this is not one. */
#define PROCESS_MAX_BYTES (64 * 1024)

/* COMMAND's standard output into OUT; its exit status in *status (as
 * waitpid gives it). */
static enum dp_err run_process(const char *command, struct buf *out, int *status)
{
	int fd[2];
	if (pipe(fd)) {
		dp_err_set("cannot run it: %s", strerror(errno));
		return DP_ERR_CREDENTIALS;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		dp_err_set("cannot run it: %s", strerror(errno));
		return DP_ERR_CREDENTIALS;
	}
	if (pid == 0) {
		close(fd[0]);
		if (fd[1] != STDOUT_FILENO) {
			dup2(fd[1], STDOUT_FILENO);
			close(fd[1]);
		}
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len <= PROCESS_MAX_BYTES)	/* the rest is read and dropped */
			buf_add(out, chunk, (size_t)n);
	}
	close(fd[0]);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR) {
			dp_err_set("cannot wait for it: %s", strerror(errno));
			return DP_ERR_CREDENTIALS;
		}
	return DP_OK;
}

static char *json_field(const struct json_dl *j, json_t *doc, const char *name, int required,
			enum dp_err *e)
{
	json_t *v = j->object_get(doc, name);
	if (!v && !required)
		return NULL;
	const char *s = json_is_string(v) ? j->string_value(v) : NULL;
	if (!s || !*s) {
		if (!*e)
			dp_err_set("its answer has %s %s", v ? "no usable" : "no", name);
		*e = DP_ERR_CREDENTIALS;
		return NULL;
	}
	return xstrdup(s);
}

enum dp_err awsconf_process(const char *command, struct aws_process_keys *k)
{
	memset(k, 0, sizeof *k);
	struct buf out = BUF_INIT;
	int status = 0;
	enum dp_err e = run_process(command, &out, &status);
	if (e) {
		buf_release(&out);
		return e;
	}
	if (WIFSIGNALED(status) || WEXITSTATUS(status)) {
		if (WIFSIGNALED(status))
			dp_err_set("it was killed by signal %d", WTERMSIG(status));
		else
			dp_err_set("it exited with status %d", WEXITSTATUS(status));
		buf_release(&out);
		return DP_ERR_CREDENTIALS;
	}
	if (out.len > PROCESS_MAX_BYTES) {
		dp_err_set("its answer is larger than %d bytes", PROCESS_MAX_BYTES);
		buf_release(&out);
		return DP_ERR_CREDENTIALS;
	}
	const struct json_dl *j = json_dl();
	if (!j) {
		dp_err_set("its answer cannot be read: %s", dp_err_detail());
		buf_release(&out);
		return DP_ERR_CREDENTIALS;
	}
	json_error_t jerr;
	json_t *doc = j->loadb(out.p ? out.p : "", out.len, JSON_REJECT_DUPLICATES, &jerr);
	buf_release(&out);
	if (!json_is_object(doc)) {
		/* jansson's text may quote the answer: only where it went wrong */
		if (doc)
			dp_err_set("its answer is not a JSON object");
		else
			dp_err_set("its answer is not JSON (line %d, column %d)", jerr.line, jerr.column);
		if (doc)
			j->delete(doc);
		return DP_ERR_CREDENTIALS;
	}
	json_t *version = j->object_get(doc, "Version");
	if (!json_is_integer(version) || j->integer_value(version) != 1) {
		dp_err_set(version ? "its answer's Version is not 1" : "its answer has no Version");
		j->delete(doc);
		return DP_ERR_CREDENTIALS;
	}
	k->access_key = json_field(j, doc, "AccessKeyId", 1, &e);
	k->secret_key = json_field(j, doc, "SecretAccessKey", 1, &e);
	k->token = json_field(j, doc, "SessionToken", 0, &e);
	char *expiry = json_field(j, doc, "Expiration", 0, &e);
	j->delete(doc);
	int64_t t;
	if (!e && expiry && clock_parse(expiry, &t)) {
		dp_err_set("its answer's Expiration '%s' is not an ISO 8601 UTC time", expiry);
		e = DP_ERR_CREDENTIALS;
	} else if (!e && expiry && t <= (int64_t)time(NULL)) {
		dp_err_set("the keys it gave expired at %s", expiry);
		e = DP_ERR_CREDENTIALS;
	}
	free(expiry);
	if (e)
		awsconf_process_release(k);
	return e;
}

void awsconf_process_release(struct aws_process_keys *k)
{
	free(k->access_key);
	free(k->secret_key);
	free(k->token);
	memset(k, 0, sizeof *k);
}
