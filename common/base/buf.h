/* SPDX-License-Identifier: Apache-2.0 */
/* A growable NUL-terminated byte buffer. Only buf_detach hands the memory
 * over; buf_release frees it. Allocation failure aborts: a command line tool
 * has nothing better to do, and it keeps every caller simple. */
#ifndef DP_BUF_H
#define DP_BUF_H
#include <stddef.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap;
};
#define BUF_INIT { 0, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b);
void buf_reset(struct buf *b);
/* Makes room for extra more bytes and the NUL (the appends' slow path). */
void buf_grow(struct buf *b, size_t extra);
/* The appends, inline: answers are written a few bytes at a time. */
static inline void buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	if (n) /* data may be NULL when there is nothing to add */
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}
static inline void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}
static inline void buf_addc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* src into dst of n bytes (n > 0), cut to fit, always ended: what
 * snprintf(dst, n, "%s", src) writes, without printf. */
static inline void str_cut(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}
const char *buf_str(const struct buf *b); /* "" for an empty buffer */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
