#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "client/awsconf.h"
#include "base/buf.h"

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

int awsconf_parse(const char *text, size_t len, const char *section, struct aws_profile *p)
{
	const char *end = text + len;
	int in = 0, found = 0;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *le = nl ? nl : end;
		const char *b = line, *e = le;
		line = nl ? nl + 1 : end;
		/* an indented line continues the value above it (a nested setting) */
		int indented = b < e && is_space(*b);
		trim(&b, &e);
		if (b == e || *b == '#' || *b == ';' || indented)
			continue;
		if (*b == '[') {
			const char *close = memchr(b, ']', (size_t)(e - b));
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
		if (same_ci(kb, ke, "aws_access_key_id"))
			set_once(&p->access_key, vb, ve);
		else if (same_ci(kb, ke, "aws_secret_access_key"))
			set_once(&p->secret_key, vb, ve);
		else if (same_ci(kb, ke, "aws_session_token"))
			set_once(&p->token, vb, ve);
		else if (same_ci(kb, ke, "region"))
			set_once(&p->region, vb, ve);
	}
	if (found)
		p->found = 1;
	return found;
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
			     struct aws_profile *p)
{
	struct buf path = BUF_INIT;
	file_path(&path, env, name);
	size_t len = 0;
	enum dp_err e;
	char *text = slurp(buf_str(&path), &len, &e);
	buf_release(&path);
	if (text)
		awsconf_parse(text, len, section, p);
	free(text);
	return e;
}

enum dp_err awsconf_load(const char *name, struct aws_profile *p)
{
	memset(p, 0, sizeof *p);
	enum dp_err e = load_file("AWS_SHARED_CREDENTIALS_FILE", "credentials", name, p);
	if (e)
		return e;
	struct buf section = BUF_INIT;
	if (strcmp(name, "default"))
		buf_addf(&section, "profile %s", name);
	else
		buf_adds(&section, "default");
	e = load_file("AWS_CONFIG_FILE", "config", buf_str(&section), p);
	buf_release(&section);
	return e;
}

void awsconf_release(struct aws_profile *p)
{
	free(p->access_key);
	free(p->secret_key);
	free(p->token);
	free(p->region);
	memset(p, 0, sizeof *p);
}
