/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <string.h>
#include "server/html.h"

const char *const html_headers[][2] = {
	{ "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
				     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Cache-Control", "no-store" },
	{ "Referrer-Policy", "same-origin" },
	{ NULL, NULL },
};

void html_esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addc(b, *s);
		}
	}
}

void html_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			buf_addc(b, *p);
			continue;
		}
		p++;
		if (*p == 's')
			html_esc(b, va_arg(ap, const char *));
		else if (*p == 'd')
			buf_addf(b, "%d", va_arg(ap, int));
		else if (!strncmp(p, "02d", 3)) {
			buf_addf(b, "%02d", va_arg(ap, int));
			p += 2;
		}
		else if (!strncmp(p, "lld", 3)) {
			buf_addf(b, "%lld", va_arg(ap, long long));
			p += 2;
		} else if (!strncmp(p, "ld", 2)) {
			buf_addf(b, "%ld", va_arg(ap, long));
			p++;
		} else if (!strncmp(p, "zu", 2)) {
			buf_addf(b, "%zu", va_arg(ap, size_t));
			p++;
		} else if (*p == '%')
			buf_addc(b, '%');
		else
			break; /* not understood: the rest is left out rather than misread */
	}
	va_end(ap);
}

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:0 1rem 2rem;"
	"line-height:1.45;color:#1a1a1a}"
	"header nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.75rem 0;"
	"border-bottom:1px solid #ccc;margin-bottom:1rem}"
	"header nav form{margin:0 0 0 auto}"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;display:block;overflow-x:auto}"
	"th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"label{display:block;margin:.5rem 0 .2rem}"
	"input{font:inherit;padding:.4rem;max-width:100%}"
	"button{font:inherit;padding:.45rem 1rem;cursor:pointer}"
	".error{color:#a00;font-weight:bold}.notice{color:#060;font-weight:bold}"
	"svg{max-width:100%;height:auto}";

void html_head(struct buf *b, const char *title, int signed_in, const char *csrf)
{
	html_addf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<title>%s - DevPay</title>\n<style>",
		  title);
	buf_adds(b, style);
	buf_adds(b, "</style>\n</head>\n<body>\n<header><nav aria-label=\"DevPay\">"
		    "<a href=\"/bill\">Application Billing</a> <a href=\"/activity\">Activity</a>");
	if (signed_in)
		html_addf(b, "<form method=\"post\" action=\"/signout\">"
			     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			     "<button type=\"submit\">Sign out</button></form>",
			  csrf);
	else
		buf_adds(b, " <a href=\"/signin\">Sign in</a>");
	html_addf(b, "</nav></header>\n<main>\n<h1>%s</h1>\n", title);
}

void html_foot(struct buf *b)
{
	buf_adds(b, "</main>\n</body>\n</html>\n");
}
