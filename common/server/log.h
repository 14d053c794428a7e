/* SPDX-License-Identifier: Apache-2.0 */
/* The servers' log: one stamped line a message ("2026-12-05T19:00:00Z
 * devpayd: ..."), shared by the worker threads, opened again on SIGHUP. */
#ifndef DP_SERVER_LOG_H
#define DP_SERVER_LOG_H
#include <stdio.h>

/* Logs to FILE (appended) or, with NULL, to standard error: 0, or -1 with
 * dp_err_detail() naming the file. prog begins each line. */
int slog_open(const char *prog, const char *file);
void slog_close(void);
/* The log's stream (startup lines, before the workers run). */
FILE *slog_stream(void);
/* One whole line (with its newline) to the log, whole and in order: written
 * at once, or with the lines of other threads written together (log.c). */
void slog_write(const char *line, size_t n);

void slog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* SIGHUP: the log file opened again (after rotation); on failure the old one
 * is kept. Either way a line says what happened. */
void slog_reopen(void);

/* The time now, to the millisecond: 2026-12-05T19:00:00.123Z. */
void slog_when(char out[40]);

/* s as a log token: printable ASCII, no spaces, bounded; "-" for none. */
void slog_token(char *out, size_t outsz, const char *s);

#endif
