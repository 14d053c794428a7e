/* SPDX-License-Identifier: Apache-2.0 */
/* One append-only error enum for the library. Library functions return a
 * code and never print or exit; the program decides what to do. */
#ifndef DP_ERR_H
#define DP_ERR_H

enum dp_err {
	DP_OK = 0,
	DP_ERR_NOMEM,        /* out of memory */
	DP_ERR_USAGE,        /* bad argument given by the user */
	DP_ERR_STORE,        /* SQLite failed */
	DP_ERR_STORE_OPEN,   /* store file cannot be opened or created */
	DP_ERR_NOT_STORE,    /* the file is not a SQLite store of ours */
	DP_ERR_CONNECT,      /* endpoint unreachable */
	DP_ERR_HTTP,         /* HTTP exchange failed after connecting */
	DP_ERR_BADXML,       /* the answer is not an EC2 XML document */
	DP_ERR_SERVICE,      /* the service answered with an error document */
	DP_ERR_UNSUPPORTED,  /* a transport or feature that is not available */
	DP_ERR_CRYPTO,       /* OpenSSL failed */
	DP_ERR_CREDENTIALS,  /* no access key or secret key configured */
};

const char *dp_strerror(enum dp_err e);

/* The exit status DESIGN.md gives an error: 1 answered by the service,
 * 2 usage, 3 endpoint or store unreachable. */
int dp_exit_status(enum dp_err e);

/* Details of the last error in this thread (library text, path, ...). */
void dp_err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *dp_err_detail(void);

#endif
