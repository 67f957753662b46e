/*
 * fuzz_userdb.c — libFuzzer harness for the user database parser
 * (userdb_parse() in smbsrvd/userdb.c), which reads the file from memory.
 *
 * Besides "no crash": a database that parses is written back out with
 * userdb_text(), and that text parses again to the same text, holding
 * every user under every ASCII case variant of its name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userdb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
check_user(const struct userdb_user *u, void *arg)
{
	const struct userdb *db = arg;
	struct userdb_user found;
	char upper[USERDB_NAME_MAX + 1];
	size_t i;

	if (userdb_name_check(u->uu_name) != NULL)
		abort();
	for (i = 0; u->uu_name[i] != '\0'; i++)
		upper[i] = (char)(u->uu_name[i] >= 'a' && u->uu_name[i] <= 'z' ?
		    u->uu_name[i] - 'a' + 'A' : u->uu_name[i]);
	upper[i] = '\0';
	if (userdb_find(db, upper, &found) != 0 ||
	    strcmp(found.uu_name, u->uu_name) != 0 ||
	    memcmp(found.uu_hash, u->uu_hash, USERDB_HASH_LEN) != 0 ||
	    found.uu_enabled != u->uu_enabled)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct userdb *db, *db2;
	char err[256], *text, *text2;
	size_t len, len2;

	db = userdb_parse((const char *)data, size, "fuzz.db", err,
	    sizeof(err));
	if (db == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    strncmp(err, "fuzz.db:", 8) != 0)
			abort();
		return 0;
	}
	(void)userdb_foreach(db, check_user, db);
	if ((text = userdb_text(db, &len)) == NULL)
		abort();
	if ((db2 = userdb_parse(text, len, "again", err, sizeof(err))) ==
	    NULL)
		abort();
	if (userdb_count(db2) != userdb_count(db))
		abort();
	if ((text2 = userdb_text(db2, &len2)) == NULL || len2 != len ||
	    memcmp(text, text2, len) != 0)
		abort();
	free(text2);
	free(text);
	userdb_free(db2);
	userdb_free(db);
	return 0;
}
