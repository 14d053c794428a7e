/* SPDX-License-Identifier: Apache-2.0 */
/* What the SQLite side of store.h shares between its files: store.c (path,
 * opening, faults, closing), store_schema.c (the migrations) and store_sql.c
 * (statements, rows, transactions). Only those three include this. */
#ifndef DP_STORE_INT_H
#define DP_STORE_INT_H
#include "store/store.h"
#include "store/store_pg.h"

/* "DvPy": marks a SQLite file as ours. */
#define APPLICATION_ID 0x44765079

/* This program's schema version: the number of migrations (store_schema.c). */
extern const int store_schema_version;

/* The PostgreSQL backend, when the program enabled it (store_enable_pg),
 * else NULL. */
extern const struct store_pg_ops *store_pg_backend;

/* Notes a failure of the file under the store for store_fault (SQLite's
 * code; a refusal by a rule is not one). */
void store_note_fault(int code);
/* A failed SQLite call on st: notes a fault, sets dp_err with the path,
 * WHAT and SQLite's text; DP_ERR_STORE. */
enum dp_err store_sql_fail(struct store *st, const char *what);
/* store_close: the WAL index store_hold_read mapped, unmapped */
void store_unmap_wal_index(struct store *st);

/* Whether the open file is ours (or still empty), *version the schema
 * version found: DP_ERR_NOT_STORE for another program's file or a newer
 * schema, DP_ERR_STORE when it cannot be read. */
enum dp_err store_check_ours(struct store *st, int *version);
/* Brings the store up to store_schema_version under the write lock, having
 * checked it again there (another process may be setting it up). */
enum dp_err store_migrate(struct store *st);

#endif
