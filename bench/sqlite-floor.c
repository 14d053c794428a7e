/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite alone, as a local command uses it: open the store (WAL, its
 * schema parsed by the first statement), look one instance up by its id,
 * close. bench/commands.sh times it beside /bin/true and the commands: the
 * floor of a process that reads the store, whatever else it does.
 *   sqlite-floor STORE INSTANCE-ID */
#include <sqlite3.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	if (argc != 3 ||
	    sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return 2;
	if (sqlite3_prepare_v2(db, "SELECT owner, product_code FROM instances WHERE id = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_text(s, 1, argv[2], -1, SQLITE_STATIC);
	int found = sqlite3_step(s) == SQLITE_ROW;
	if (found)
		printf("%s\t%s\n", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return !found;
}
