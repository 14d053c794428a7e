/* SPDX-License-Identifier: Apache-2.0 */
/* The instances rolled up for billing (the instance_usage table, migration
 * 12): a count of an owner's instances per product, region, platform, type,
 * launch second and end second (USAGE_RUNNING while they run). Every write
 * that launches or ends instances keeps it in the same transaction, so a
 * bill (bill_lines.c) reads a few groups instead of every instance: the
 * hours of instances alike in all of these are alike, and a group's hours
 * are one instance's times its count. In PostgreSQL, whose SERIALIZABLE
 * writers run side by side, a group is also one launch's (batch: its
 * reservation), so that two launches never update one row and refuse each
 * other; SQLite's writers take turns, and alike launches share a group. A
 * store copied from one backend into the other keeps its batches, so an
 * instance's end looks for its group under both. */
#include "service/svc.h"

#define UPSERT \
	" ON CONFLICT(owner, product_code, terminated, launched, region, platform, type, batch)" \
	" DO UPDATE SET n = instance_usage.n + excluded.n"
/* a launch's instances alike, then its batch */
#define GROUP \
	"owner = ? AND product_code = ? AND launched = ? AND region = ? AND platform = ?" \
	" AND type = ?"
#define KEY GROUP " AND batch = ?"

static const char *batch_of(const struct svc *x, const char *reservation)
{
	return x->st->pg ? reservation : "";
}

int svc_usage_launch(struct svc *x, const struct svc_usage_key *k, int64_t n)
{
	return store_exec_later(x->st, "INSERT INTO instance_usage(owner, product_code, terminated,"
				" launched, region, platform, type, batch, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" UPSERT,
				"ssiisdssi", k->owner, k->code, USAGE_RUNNING, k->launched, k->region,
				k->platform, k->type, batch_of(x, k->reservation), n)
		? -1 : 0;
}

int svc_usage_end(struct svc *x, const struct svc_usage_key *k, int64_t terminated)
{
	/* the instance's running group: this backend's batch for it first, the
	 * other's after (a store copied from SQLite into PostgreSQL, or back,
	 * or filled by migration 12, keeps the batches it was written with) */
	const char *mine = batch_of(x, k->reservation);
	struct store_rows *s = store_query(x->st, "SELECT batch FROM instance_usage WHERE " GROUP
				      " AND terminated = ? AND batch IN ('', ?)"
				      " AND n > 0 ORDER BY batch = ? DESC LIMIT 1", "ssisdsiss", k->owner,
				      k->code, k->launched, k->region, k->platform, k->type, USAGE_RUNNING,
				      k->reservation, mine);
	if (!s)
		return -1;
	int rc = store_step(s);
	char b[32];
	str_cut(b, sizeof b, rc == STORE_ROW ? store_text(s, 0) : mine);
	store_done(s);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return -1;
	if ((rc == STORE_ROW &&
	     (store_exec(x->st, "UPDATE instance_usage SET n = n - 1 WHERE " KEY " AND terminated = ?",
			 "ssisdssi", k->owner, k->code, k->launched, k->region, k->platform, k->type, b,
			 USAGE_RUNNING) ||
	      store_exec(x->st, "DELETE FROM instance_usage WHERE " KEY " AND terminated = ? AND n <= 0",
			 "ssisdssi", k->owner, k->code, k->launched, k->region, k->platform, k->type, b,
			 USAGE_RUNNING))) ||
	    store_exec(x->st, "INSERT INTO instance_usage(owner, product_code, terminated, launched,"
		       " region, platform, type, batch, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)" UPSERT,
		       "ssiisdss", k->owner, k->code, terminated, k->launched, k->region, k->platform,
		       k->type, b))
		return -1;
	return 0;
}

int svc_usage_end_all(struct svc *x, const char *owner, const char *code, int64_t terminated)
{
	if (store_exec(x->st, "INSERT INTO instance_usage(owner, product_code, terminated, launched,"
		       " region, platform, type, batch, n) SELECT owner, product_code, ?, launched, region,"
		       " platform, type, batch, n FROM instance_usage WHERE owner = ? AND product_code = ?"
		       " AND terminated = ?" UPSERT, "issi", terminated, owner, code, USAGE_RUNNING) ||
	    store_exec(x->st, "DELETE FROM instance_usage WHERE owner = ? AND product_code = ?"
		       " AND terminated = ?", "ssi", owner, code, USAGE_RUNNING))
		return -1;
	return 0;
}
