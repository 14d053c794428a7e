/* SPDX-License-Identifier: Apache-2.0 */
/* jansson, loaded the first time it is needed. Only a profile's
 * credential_process hands the commands JSON to read (its answer), so
 * jansson is not linked into every command as devpay-metadata links it
 * (which writes JSON on every request): loading one more shared library at
 * start is what a local command must not pay for (README: Libraries), and
 * libxml2 reads no JSON. The same pattern as curl_dl.h, without the macros:
 * jansson's inline functions (json_decref) name json_delete directly, so
 * callers use the loaded functions through json_dl(). */
#ifndef DP_JSON_DL_H
#define DP_JSON_DL_H
#include <jansson.h>
#include "base/err.h"

struct json_dl {
	json_t *(*loadb)(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
	json_t *(*object_get)(const json_t *object, const char *key);
	const char *(*string_value)(const json_t *string);
	json_int_t (*integer_value)(const json_t *integer);
	void (*delete)(json_t *json);	/* a document loadb returned, once */
};

/* The loaded functions, or NULL with dp_err_detail() saying why (DP_ERR_UNSUPPORTED).
 * Thread-safe. */
const struct json_dl *json_dl(void);

#endif
