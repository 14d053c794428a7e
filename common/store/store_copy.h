/* SPDX-License-Identifier: Apache-2.0 */
/* Copying a whole store into an empty one (devpayd --copy-store). */
#ifndef DP_STORE_COPY_H
#define DP_STORE_COPY_H
#include "store/store.h"

struct store_copy_result {
	char **tables;          /* the schema's tables, in the order copied */
	long *rows;             /* the rows copied into each */
	int ntables;
	long unopened;          /* sealed secrets without the key that opens them */
};

/* Every row of the store FROM (a SQLite path or a PostgreSQL URI; it must
 * exist) into TO (created when it is a SQLite path that is not there; a
 * PostgreSQL database gets its schema), in one transaction, refusing a TO
 * that has any row; on failure TO is as it was (a file this made is
 * removed). dp_err_detail() says what failed, naming the store. Free the
 * result with store_copy_result_free, also after a failure. */
enum dp_err store_copy(const char *from, const char *to, struct store_copy_result *res);
void store_copy_result_free(struct store_copy_result *res);

#endif
