/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include "base/err.h"

static _Thread_local char detail[512];

const char *dp_strerror(enum dp_err e)
{
	switch (e) {
	case DP_OK: return "success";
	case DP_ERR_NOMEM: return "out of memory";
	case DP_ERR_USAGE: return "invalid argument";
	case DP_ERR_STORE: return "store error";
	case DP_ERR_STORE_OPEN: return "cannot open store";
	case DP_ERR_NOT_STORE: return "not a devpay store";
	case DP_ERR_CONNECT: return "cannot connect to endpoint";
	case DP_ERR_HTTP: return "HTTP exchange failed";
	case DP_ERR_BADXML: return "response is not an EC2 XML document";
	case DP_ERR_SERVICE: return "request refused by the service";
	case DP_ERR_UNSUPPORTED: return "not supported";
	case DP_ERR_CRYPTO: return "cryptography error";
	case DP_ERR_CREDENTIALS: return "no credentials";
	}
	return "unknown error";
}

int dp_exit_status(enum dp_err e)
{
	switch (e) {
	case DP_OK: return 0;
	case DP_ERR_USAGE:
	case DP_ERR_CREDENTIALS: return 2;
	case DP_ERR_STORE_OPEN:
	case DP_ERR_NOT_STORE:
	case DP_ERR_CONNECT:
	case DP_ERR_UNSUPPORTED: return 3;
	case DP_ERR_NOMEM:
	case DP_ERR_STORE:
	case DP_ERR_HTTP:
	case DP_ERR_BADXML:
	case DP_ERR_SERVICE:
	case DP_ERR_CRYPTO: return 1;
	}
	return 1;
}

void dp_err_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
}

const char *dp_err_detail(void)
{
	return detail;
}
