/* SPDX-License-Identifier: Apache-2.0 */
/* The store's schema: the migrations that make it, version by version,
 * the check that a file is a store of ours (store.c asks it before
 * anything is written to the file), and the migration of one that is
 * older. */
#include <stdio.h>
#include "base/secret.h"
#include "store/store_int.h"

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE accounts ("
	"  id TEXT PRIMARY KEY, access_key TEXT NOT NULL UNIQUE, secret TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE products ("
	"  code TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id),"
	"  name TEXT NOT NULL, description TEXT NOT NULL, token TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX products_owner ON products(owner);"
	/* a product's configuration and price, in force from 'effective' on */
	"CREATE TABLE product_versions ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL REFERENCES products(code),"
	"  effective INTEGER NOT NULL, one_time INTEGER NOT NULL, monthly INTEGER NOT NULL,"
	"  platforms INTEGER NOT NULL, created INTEGER NOT NULL, UNIQUE(code, effective));"
	"CREATE TABLE version_regions ("
	"  version INTEGER NOT NULL REFERENCES product_versions(id) ON DELETE CASCADE,"
	"  region TEXT NOT NULL, PRIMARY KEY(version, region)) WITHOUT ROWID;"
	"CREATE TABLE version_prices ("
	"  version INTEGER NOT NULL REFERENCES product_versions(id) ON DELETE CASCADE,"
	"  type TEXT NOT NULL, hourly INTEGER NOT NULL, PRIMARY KEY(version, type)) WITHOUT ROWID;"
	"CREATE TABLE subscriptions ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL REFERENCES products(code),"
	"  account TEXT NOT NULL REFERENCES accounts(id), started INTEGER NOT NULL,"
	"  ended INTEGER);"
	"CREATE UNIQUE INDEX subscriptions_active ON subscriptions(code, account) WHERE ended IS NULL;"
	"CREATE INDEX subscriptions_account ON subscriptions(account, code);"
	"CREATE INDEX subscriptions_code ON subscriptions(code);"
	"CREATE TABLE images ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id), name TEXT NOT NULL,"
	"  description TEXT NOT NULL, platform INTEGER NOT NULL, root_device TEXT NOT NULL,"
	"  product_code TEXT REFERENCES products(code), created INTEGER NOT NULL,"
	"  UNIQUE(owner, name));"
	"CREATE TABLE reservations ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id), region TEXT NOT NULL,"
	"  client_token TEXT, request TEXT NOT NULL, created INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX reservations_token ON reservations(owner, client_token)"
	"  WHERE client_token IS NOT NULL;"
	"CREATE INDEX reservations_owner ON reservations(owner, created);"
	"CREATE TABLE instances ("
	"  id TEXT PRIMARY KEY, reservation TEXT NOT NULL REFERENCES reservations(id),"
	"  owner TEXT NOT NULL REFERENCES accounts(id), image TEXT NOT NULL REFERENCES images(id),"
	"  type TEXT NOT NULL, region TEXT NOT NULL, zone TEXT NOT NULL, platform INTEGER NOT NULL,"
	"  product_code TEXT, launch_index INTEGER NOT NULL, launched INTEGER NOT NULL,"
	"  terminated INTEGER);"
	"CREATE INDEX instances_reservation ON instances(reservation, launch_index);"
	"CREATE INDEX instances_owner ON instances(owner, launched);"
	"CREATE INDEX instances_product ON instances(product_code, owner, launched);"
	"CREATE TABLE reserved_instances ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id),"
	"  offering TEXT NOT NULL, type TEXT NOT NULL, platform INTEGER NOT NULL,"
	"  region TEXT NOT NULL, zone TEXT NOT NULL, count INTEGER NOT NULL,"
	"  started INTEGER NOT NULL, ends INTEGER NOT NULL, fixed INTEGER NOT NULL,"
	"  hourly INTEGER NOT NULL);"
	"CREATE INDEX reserved_owner ON reserved_instances(owner, type);",
	/* 2: a local account keeps only a salted hash of its secret (secret_hash,
	 * common/base/secret.c); 'secret' keeps the secret itself only for an account
	 * an operator added (devpayd --add-account), which devpayd needs to
	 * verify signatures, and is '' otherwise. Existing stores: every secret
	 * is hashed; the plain ones are kept when devpayd upgrades the store (an
	 * operator's), dropped when a client command does (a local store). */
	"ALTER TABLE accounts ADD COLUMN secret_hash TEXT NOT NULL DEFAULT '';"
	"UPDATE accounts SET secret_hash = devpay_secret_hash(secret) WHERE secret != '';"
	"UPDATE accounts SET secret = '' WHERE NOT devpay_keep_secrets();",
	/* 3: paid AMIs. An image's launch permissions (grantee: an account id,
	 * or 'all' for a public image), and deregistration: the row is kept
	 * (instances still name it, and its id is never handed out again), its
	 * name replaced by one no registration can take, so the owner may use
	 * the name again */
	"CREATE TABLE launch_permissions ("
	"  image TEXT NOT NULL REFERENCES images(id), grantee TEXT NOT NULL,"
	"  created INTEGER NOT NULL, PRIMARY KEY(image, grantee));"
	"CREATE INDEX launch_permissions_grantee ON launch_permissions(grantee, image);"
	"ALTER TABLE images ADD COLUMN deregistered INTEGER;",
	/* 4: prices for one platform, or one platform in one region; a
	 * version_prices row stays the price everywhere else */
	"CREATE TABLE version_platform_prices ("
	"  version INTEGER NOT NULL REFERENCES product_versions(id) ON DELETE CASCADE,"
	"  region TEXT NOT NULL, platform INTEGER NOT NULL, type TEXT NOT NULL,"
	"  hourly INTEGER NOT NULL, PRIMARY KEY(version, region, platform, type)) WITHOUT ROWID;",
	/* 5: a local account's secret sealed with the key file beside the
	 * store (common/base/secret.h), for devpayd's signature checks; '' when the
	 * account has none (an operator's, or made before) */
	"ALTER TABLE accounts ADD COLUMN secret_sealed TEXT NOT NULL DEFAULT '';",
	/* 6: key pairs (EC2-Classic): one per (account, region, name), its
	 * public key in OpenSSH's one-line form; a private key is never kept.
	 * A reservation keeps the name of the key its instances were launched
	 * with (NULL: none) */
	"CREATE TABLE key_pairs ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id), region TEXT NOT NULL,"
	"  name TEXT NOT NULL, fingerprint TEXT NOT NULL, public_key TEXT NOT NULL,"
	"  created INTEGER NOT NULL, UNIQUE(owner, region, name));"
	"ALTER TABLE reservations ADD COLUMN key_name TEXT;",
	/* 7: a launch's user data, as the canonical base64 text
	 * RunInstances took (at most 16384 bytes decoded); NULL: none. An
	 * EC2-Classic launch's user data is its reservation's */
	"ALTER TABLE reservations ADD COLUMN user_data TEXT;",
	/* 8: security groups, EC2-Classic (common/service/svc_groups.c): an
	 * account's groups per region; their ingress rules, each from a CIDR
	 * range (source '') or from a group (its id in source, cidr ''); and the
	 * groups of each launch, by id and name as they were then (a group may
	 * be deleted once no live instance holds it). A reservation with no rows
	 * here has the account's default group. */
	"CREATE TABLE security_groups ("
	"  id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES accounts(id), region TEXT NOT NULL,"
	"  name TEXT NOT NULL, description TEXT NOT NULL, created INTEGER NOT NULL,"
	"  UNIQUE(owner, region, name));"
	"CREATE TABLE group_rules ("
	"  grp TEXT NOT NULL REFERENCES security_groups(id), protocol TEXT NOT NULL,"
	"  from_port INTEGER NOT NULL, to_port INTEGER NOT NULL, cidr TEXT NOT NULL,"
	"  source TEXT NOT NULL, created INTEGER NOT NULL,"
	"  PRIMARY KEY(grp, protocol, from_port, to_port, cidr, source)) WITHOUT ROWID;"
	"CREATE INDEX group_rules_source ON group_rules(source);"
	"CREATE TABLE reservation_groups ("
	"  reservation TEXT NOT NULL REFERENCES reservations(id), pos INTEGER NOT NULL,"
	"  grp TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY(reservation, pos)) WITHOUT ROWID;"
	"CREATE INDEX reservation_groups_grp ON reservation_groups(grp);",
	/* 9: tags (svc_tags.c): an account's own tags on a resource it may see
	 * (its instances and reservations, the images it may launch: on a
	 * shared image each account has tags of its own, as in EC2). kind is
	 * instance, image or reservation; region is the resource's ('' for an
	 * image tagged before migration 10 made images regional: shown in
	 * every region) */
	"CREATE TABLE tags ("
	"  owner TEXT NOT NULL REFERENCES accounts(id), resource TEXT NOT NULL,"
	"  kind TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
	"  created INTEGER NOT NULL, PRIMARY KEY(owner, resource, key));"
	"CREATE INDEX tags_resource ON tags(resource);",
	/* 10: an image belongs to the region it was registered in (svc_images.c);
	 * the images of older stores were all us-east-1's */
	"ALTER TABLE images ADD COLUMN region TEXT NOT NULL DEFAULT 'us-east-1';",
	/* 11: a key rotated out (devpayd --rotate-key) keeps signing for its
	 * account until 'expires'; its secret kept as the accounts row kept it.
	 * A removed key (--remove-account) leaves its account and the account's
	 * resources: the row's access_key becomes 'removed ' || id (a space, so
	 * no key names it) and its secrets ''. */
	"CREATE TABLE old_keys ("
	"  access_key TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES accounts(id),"
	"  secret TEXT NOT NULL, secret_hash TEXT NOT NULL, secret_sealed TEXT NOT NULL,"
	"  expires INTEGER NOT NULL, created INTEGER NOT NULL);"
	"CREATE INDEX old_keys_account ON old_keys(account);",
	/* 12: the instances rolled up for billing (service/usage.c): how many
	 * of an owner's instances of one product ('' none), region, platform
	 * and type were launched at one second and ended at another
	 * (9223372036854775807 while they run); batch is '' in SQLite, where
	 * writes take turns, and the launch's reservation in PostgreSQL, where
	 * they run side by side and must not all write one row. Kept by the
	 * writes that launch and end instances, in their transaction; a bill
	 * reads the groups alive in its month (terminated >= its start)
	 * instead of every instance. */
	"CREATE TABLE instance_usage ("
	"  owner TEXT NOT NULL, product_code TEXT NOT NULL, terminated INTEGER NOT NULL,"
	"  launched INTEGER NOT NULL, region TEXT NOT NULL, platform INTEGER NOT NULL,"
	"  type TEXT NOT NULL, batch TEXT NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY(owner, product_code, terminated, launched, region, platform, type, batch))"
	"  WITHOUT ROWID;"
	"CREATE INDEX instance_usage_product ON instance_usage(product_code, terminated, owner);"
	"INSERT INTO instance_usage(owner, product_code, terminated, launched, region, platform,"
	"  type, batch, n) SELECT owner, coalesce(product_code, ''), coalesce(terminated,"
	"  9223372036854775807), launched, region, platform, type, '', count(*) FROM instances"
	"  GROUP BY 1, 2, 3, 4, 5, 6, 7;",
	/* 13: the instances an account runs of a product (the running count of
	 * DescribeSubscriptions, the terminations when a subscription ends) found
	 * by an index of the running instances alone, led by the owner: the old
	 * index (product_code, owner, launched) held every instance ever run,
	 * whose history the queries never read, and led by a product code most
	 * rows share it cost PostgreSQL a quarter of --copy-store's time to
	 * build */
	"DROP INDEX IF EXISTS instances_product;"
	"CREATE INDEX IF NOT EXISTS instances_running ON instances(owner, product_code)"
	"  WHERE terminated IS NULL;",
};

const int store_schema_version = (int)(sizeof migrations / sizeof migrations[0]);

/* Who opens stores in this process: devpayd keeps the plain secrets of the
 * accounts of a store it upgrades (see migration 2). */
static int keep_secrets;

void store_keep_secrets(int on)
{
	keep_secrets = on;
}

static void sql_secret_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *secret = sqlite3_value_text(argv[0]);
	char h[SECRET_HASH_MAX];
	if (!secret || secret_hash((const char *)secret, h)) {
		sqlite3_result_error(ctx, "cannot hash a secret", -1);
		return;
	}
	sqlite3_result_text(ctx, h, -1, SQLITE_TRANSIENT);
}

static void sql_keep_secrets(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, keep_secrets);
}

/* Whether the open file is ours (or still empty), read before anything is
 * written to it: even switching to WAL would rewrite another program's file.
 * *version is the schema version found. */
enum dp_err store_check_ours(struct store *st, int *version)
{
	/* one statement, so one snapshot: another process may be creating the store */
	sqlite3_stmt *s = NULL;
	int ok = sqlite3_prepare_v2(st->db, "SELECT (SELECT user_version FROM pragma_user_version),"
				    " (SELECT application_id FROM pragma_application_id),"
				    " (SELECT count(*) FROM sqlite_master)", -1, &s, NULL) == SQLITE_OK &&
		 sqlite3_step(s) == SQLITE_ROW;
	int appid = ok ? sqlite3_column_int(s, 1) : 0, tables = ok ? sqlite3_column_int(s, 2) : 0;
	*version = ok ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (!ok)
		return store_sql_fail(st, "cannot read the schema");
	/* a database with tables but no version of ours belongs to someone else */
	if ((*version == 0 && tables) || (*version != 0 && appid != APPLICATION_ID)) {
		dp_err_set("'%s' is a SQLite file but not a devpay store; it was left as it was", st->path);
		return DP_ERR_NOT_STORE;
	}
	int known = (int)(sizeof migrations / sizeof migrations[0]);
	if (*version > known) {
		dp_err_set("'%s' has schema version %d, newer than this program's %d", st->path,
			   *version, known);
		return DP_ERR_NOT_STORE;
	}
	return DP_OK;
}

enum dp_err store_migrate(struct store *st)
{
	int version = 0;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_sql_fail(st, "cannot lock");
	enum dp_err e = store_check_ours(st, &version);
	if (e) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return e;
	}
	int known = (int)(sizeof migrations / sizeof migrations[0]);
	/* the functions the migrations call */
	sqlite3_create_function(st->db, "devpay_secret_hash", 1, SQLITE_UTF8, NULL,
				sql_secret_hash, NULL, NULL);
	sqlite3_create_function(st->db, "devpay_keep_secrets", 0, SQLITE_UTF8, NULL,
				sql_keep_secrets, NULL, NULL);
	for (int v = version; v < known; v++)
		if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	if (version < known) {
		char sql[96];
		snprintf(sql, sizeof sql, "PRAGMA user_version=%d; PRAGMA application_id=%d", known,
			 APPLICATION_ID);
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return DP_OK;
fail:
	e = store_sql_fail(st, "cannot set up the schema");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return e;
}

const char *const *store_migrations(int *n)
{
	*n = (int)(sizeof migrations / sizeof migrations[0]);
	return migrations;
}
