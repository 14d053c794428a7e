/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "server/log.h"

static FILE *out;
static const char *path; /* NULL: standard error */
static const char *name;

int slog_open(const char *prog, const char *file)
{
	name = prog;
	path = file;
	out = stderr;
	if (file && !(out = fopen(file, "a"))) {
		dp_err_set("cannot open log '%s': %s", file, strerror(errno));
		out = stderr;
		return -1;
	}
	return 0;
}

void slog_close(void)
{
	if (out && out != stderr)
		fclose(out);
	out = stderr;
}

FILE *slog_stream(void)
{
	return out ? out : stderr;
}

void slog_write(const char *line, size_t n)
{
	/* one write(2) a line, no lock: the file is opened for appending, so
	 * the threads' lines land whole and never over one another */
	int fd = fileno(slog_stream());
	while (n) {
		ssize_t w = write(fd, line, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		line += w;
		n -= (size_t)w;
	}
}

void slog_when(char w[40])
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	clock_format_wire((int64_t)now.tv_sec, w);
	/* the wire form ends in ".000Z": the milliseconds put in */
	size_t n = strlen(w);
	if (n > 5 && !strcmp(w + n - 5, ".000Z")) {
		long ms = now.tv_nsec / 1000000L;
		w[n - 4] = (char)('0' + ms / 100);
		w[n - 3] = (char)('0' + ms / 10 % 10);
		w[n - 2] = (char)('0' + ms % 10);
	}
}

void slog(const char *fmt, ...)
{
	char when[40];
	slog_when(when);
	struct buf line = BUF_INIT;
	buf_addf(&line, "%s %s: ", when, name);
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_adds(&line, msg ? msg : fmt);
	free(msg);
	buf_addc(&line, '\n');
	slog_write(line.p, line.len);
	buf_release(&line);
}

void slog_reopen(void)
{
	if (!path) {
		slog("SIGHUP: logging to standard error, nothing to reopen");
		return;
	}
	FILE *f = fopen(path, "a");
	if (!f) {
		slog("SIGHUP: cannot reopen log '%s': %s; still writing to the old one", path,
		     strerror(errno));
		return;
	}
	/* the new file under the old descriptor, in one step: a thread writing
	 * a line now writes it whole to one file or the other */
	fflush(out);
	if (dup2(fileno(f), fileno(out)) < 0) {
		int e = errno;
		fclose(f);
		slog("SIGHUP: cannot reopen log '%s': %s; still writing to the old one", path,
		     strerror(e));
		return;
	}
	fclose(f);
	slog("SIGHUP: log '%s' reopened", path);
}

void slog_token(char *o, size_t outsz, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < outsz; s++)
		o[n++] = (*s > ' ' && *s < 127) ? *s : '?';
	if (!n && outsz > 1)
		o[n++] = '-';
	o[n] = '\0';
}
