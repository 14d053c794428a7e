/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "base/clock.h"
#include "base/err.h"
#include "server/log.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
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

void slog_lock(void)
{
	pthread_mutex_lock(&lock);
}

void slog_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

void slog_when(char w[40])
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	clock_format_wire((int64_t)now.tv_sec, w);
	/* the wire form ends in ".000Z": the milliseconds put in */
	size_t n = strlen(w);
	if (n > 5 && !strcmp(w + n - 5, ".000Z"))
		snprintf(w + n - 4, 40 - (n - 4), "%03ldZ", now.tv_nsec / 1000000L);
}

void slog(const char *fmt, ...)
{
	char when[40];
	va_list ap;
	slog_when(when);
	pthread_mutex_lock(&lock);
	FILE *f = slog_stream();
	fprintf(f, "%s %s: ", when, name);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
	pthread_mutex_unlock(&lock);
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
	pthread_mutex_lock(&lock);
	FILE *old = out;
	out = f;
	pthread_mutex_unlock(&lock);
	if (old && old != stderr)
		fclose(old);
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
