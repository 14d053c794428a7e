/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
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
static void slog_flush(void);

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
	slog_flush();
	if (out && out != stderr)
		fclose(out);
	out = stderr;
}

FILE *slog_stream(void)
{
	return out ? out : stderr;
}

/* The lines not yet written. A line that comes after a quiet moment (no
 * line for QUIET_NS) is written at once by its own thread, before its
 * answer is sent; the lines of a busy moment are left for the flusher
 * thread, which writes them together BATCH_NS after the first of them, in
 * one write(2): at tens of thousands of requests a second a write(2) each
 * cost devpayd a tenth of its time per request (bench/RESULTS.md). Past
 * BATCH_BYTES a thread writes them itself; past PENDING_CAP (a log on a
 * stalled disk) a thread waits for the write in progress. One thread
 * writes at a time, the lines in the order they came. */
#define QUIET_NS 1000000LL
#define BATCH_NS 10000000L
#define BATCH_BYTES 65536u
#define PENDING_CAP (1u << 20)
static pthread_mutex_t pending_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pending_room = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pending_some = PTHREAD_COND_INITIALIZER;
static struct buf pending = BUF_INIT, writing_buf = BUF_INIT;
static int writing, flusher_idle, flusher_started;
static long long last_line;

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* With pending_mu held and no thread writing: the pending lines written,
 * the lock let go while they are. */
static void drain(void)
{
	writing = 1;
	while (pending.len) {
		/* the lines taken, the buffers swapped: appends go on meanwhile */
		struct buf t = writing_buf;
		writing_buf = pending;
		pending = t;
		buf_reset(&pending);
		pthread_cond_broadcast(&pending_room);
		pthread_mutex_unlock(&pending_mu);
		write_all(fileno(slog_stream()), writing_buf.p, writing_buf.len);
		pthread_mutex_lock(&pending_mu);
		/* a burst's memory is not kept */
		if (writing_buf.cap > PENDING_CAP)
			buf_release(&writing_buf);
	}
	writing = 0;
	pthread_cond_broadcast(&pending_room);
}

static void *flusher(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pending_mu);
	for (;;) {
		while (!pending.len) {
			flusher_idle = 1;
			pthread_cond_wait(&pending_some, &pending_mu);
		}
		flusher_idle = 0;
		pthread_mutex_unlock(&pending_mu);
		nanosleep(&(struct timespec){ 0, BATCH_NS }, NULL);
		pthread_mutex_lock(&pending_mu);
		if (!writing)
			drain();
	}
	return NULL;
}

void slog_write(const char *line, size_t n)
{
	pthread_mutex_lock(&pending_mu);
	while (writing && pending.len >= PENDING_CAP)
		pthread_cond_wait(&pending_room, &pending_mu);
	buf_add(&pending, line, n);
	long long now = mono_ns(), before = last_line;
	last_line = now;
	if (!writing && (now - before >= QUIET_NS || pending.len >= BATCH_BYTES)) {
		drain();
		pthread_mutex_unlock(&pending_mu);
		return;
	}
	if (!flusher_started) {
		/* the first busy moment; with every signal blocked in it, so that
		 * the stop signals stay front_wait's; without it, written at once */
		pthread_t t;
		sigset_t all, was;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &was);
		flusher_started = !pthread_create(&t, NULL, flusher, NULL);
		pthread_sigmask(SIG_SETMASK, &was, NULL);
		if (flusher_started)
			pthread_detach(t);
		else if (!writing)
			drain();
	} else if (flusher_idle) {
		flusher_idle = 0;
		pthread_cond_signal(&pending_some);
	}
	pthread_mutex_unlock(&pending_mu);
}

/* The pending lines written now (a reopen, the end). */
static void slog_flush(void)
{
	pthread_mutex_lock(&pending_mu);
	while (writing)
		pthread_cond_wait(&pending_room, &pending_mu);
	drain();
	pthread_mutex_unlock(&pending_mu);
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
	 * a line now writes it whole to one file or the other; the lines
	 * before the signal to the old one */
	slog_flush();
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
