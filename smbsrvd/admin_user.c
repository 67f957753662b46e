/*
 * admin_user.c — the user database for the management plane (admin.h).
 *
 * The live database (server.sv_users) is what SESSION_SETUP reads, so a
 * change made here counts for the next logon.  Each change is made on
 * the live database, saved with userdb_save() (atomic, mode 0600), and
 * undone if the save fails, so the server and the file never disagree.
 * Hashes never leave: records carry the name and the enabled flag.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "admin_int.h"
#include "events.h"
#include "log.h"
#include "ntlm.h"
#include "server.h"
#include "userdb.h"

_Static_assert(ADMIN_UNAME_LEN == USERDB_NAME_MAX + 1, "user name length");

struct users {
	struct admin_user	*v;
	size_t			 n, cap;
};

static int
users_cb(const struct userdb_user *u, void *arg)
{
	struct users *us = arg;

	if (us->n == us->cap)
		return 1;
	snprintf(us->v[us->n].name, ADMIN_UNAME_LEN, "%s", u->uu_name);
	us->v[us->n].enabled = u->uu_enabled;
	us->n++;
	return 0;
}

static int
user_cmp(const void *a, const void *b)
{
	const struct admin_user *x = a, *y = b;

	return strcasecmp(x->name, y->name);
}

/* The database, or EBUSY when none could be read (nothing to write to). */
static int
users_db(struct userdb **db, char *err, size_t len)
{
	if ((*db = server.sv_users) == NULL) {
		if (err != NULL)
			snprintf(err, len, "the user database could not be "
			    "read at start or reload; fix it and reload");
		return EBUSY;
	}
	return 0;
}

int
admin_user_list(const char *after,
    int (*fn)(const struct admin_user *, void *), void *arg)
{
	struct userdb *db;
	struct users us;
	size_t i;
	int e;

	if ((e = users_db(&db, NULL, 0)) != 0)
		return e;
	/* Names are unique ignoring case: a stable order for the cursor. */
	memset(&us, 0, sizeof(us));
	us.cap = userdb_count(db);
	if ((us.v = calloc(us.cap + 1, sizeof(*us.v))) == NULL)
		return ENOMEM;
	(void)userdb_foreach(db, users_cb, &us);
	qsort(us.v, us.n, sizeof(*us.v), user_cmp);
	for (i = 0; i < us.n; i++) {
		if (after != NULL && strcasecmp(us.v[i].name, after) <= 0)
			continue;
		if (fn(&us.v[i], arg) != 0)
			break;
	}
	free(us.v);
	return 0;
}

int
admin_user_get(const char *name, struct admin_user *au)
{
	struct userdb_user u;
	struct userdb *db;
	int e;

	if ((e = users_db(&db, NULL, 0)) != 0)
		return e;
	if (userdb_find(db, name, &u) != 0)
		return ENOENT;
	memset(au, 0, sizeof(*au));
	snprintf(au->name, sizeof(au->name), "%s", u.uu_name);
	au->enabled = u.uu_enabled;
	explicit_bzero(u.uu_hash, sizeof(u.uu_hash));
	return 0;
}

/* At most ADMIN_PASSWORD_MAX characters of UTF-8, then its NT hash. */
static int
password_hash(const char *pw, uint8_t hash[USERDB_HASH_LEN], char *err,
    size_t len)
{
	const unsigned char *p;
	size_t chars = 0;

	for (p = (const unsigned char *)pw; *p != '\0'; p++)
		if ((*p & 0xc0) != 0x80)
			chars++;
	if (chars == 0 || chars > ADMIN_PASSWORD_MAX) {
		snprintf(err, len, "password must be 1 to %d characters",
		    ADMIN_PASSWORD_MAX);
		return EINVAL;
	}
	if (ntlm_nthash(pw, hash) == -1) {
		if (errno == ENOMEM)
			return ENOMEM;
		snprintf(err, len, "password is not valid UTF-8");
		return EINVAL;
	}
	return 0;
}

static int
users_save(struct userdb *db, char *err, size_t len)
{
	const char *file = server.sv_conf->cf_user_db;
	int e;

	if (userdb_save(db, file) == -1) {
		e = errno;
		snprintf(err, len, "cannot write %s: %s", file, strerror(e));
		return e;
	}
	return 0;
}

static void
user_event(enum event_type type, const char *name, const char *by)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ev_type = type;
	admin_copy(ev.ev_user, sizeof(ev.ev_user), name);
	admin_copy(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
}

int
admin_user_add(const char *name, const char *password, bool enabled,
    const char *by, struct admin_user *out, char *err, size_t len)
{
	uint8_t hash[USERDB_HASH_LEN];
	struct userdb *db;
	const char *why;
	int e;

	if ((e = users_db(&db, err, len)) != 0)
		return e;
	if ((why = userdb_name_check(name)) != NULL) {
		snprintf(err, len, "%s", why);
		return EINVAL;
	}
	if (userdb_find(db, name, NULL) == 0) {
		snprintf(err, len, "user \"%s\" exists", name);
		return EEXIST;
	}
	if ((e = password_hash(password, hash, err, len)) != 0)
		return e;
	e = userdb_add(db, name, hash, enabled);
	explicit_bzero(hash, sizeof(hash));
	if (e != 0)
		return e;
	if ((e = users_save(db, err, len)) != 0) {
		(void)userdb_remove(db, name);
		return e;
	}
	log_info("admin: user \"%s\" added (%s) via %s", name,
	    enabled ? "enabled" : "disabled", by);
	user_event(EV_ADMIN_USER_ADDED, name, by);
	return admin_user_get(name, out);
}

int
admin_user_set(const char *name, const char *password, int enabled,
    const char *by, struct admin_user *out, char *err, size_t len)
{
	uint8_t hash[USERDB_HASH_LEN];
	struct userdb_user old;
	struct userdb *db;
	int e;

	if ((e = users_db(&db, err, len)) != 0)
		return e;
	if (userdb_find(db, name, &old) != 0)
		return ENOENT;
	if (password != NULL &&
	    (e = password_hash(password, hash, err, len)) != 0)
		goto out;
	if (password != NULL)
		(void)userdb_set_hash(db, old.uu_name, hash);
	if (enabled != -1)
		(void)userdb_set_enabled(db, old.uu_name, enabled != 0);
	if ((e = users_save(db, err, len)) != 0) {
		(void)userdb_set_hash(db, old.uu_name, old.uu_hash);
		(void)userdb_set_enabled(db, old.uu_name, old.uu_enabled);
		goto out;
	}
	log_info("admin: user \"%s\" changed (%s%s%s) via %s", old.uu_name,
	    password != NULL ? "password" : "",
	    password != NULL && enabled != -1 ? ", " : "",
	    enabled == -1 ? "" : enabled ? "enabled" : "disabled", by);
	user_event(EV_ADMIN_USER_CHANGED, old.uu_name, by);
	e = admin_user_get(old.uu_name, out);
out:
	explicit_bzero(hash, sizeof(hash));
	explicit_bzero(old.uu_hash, sizeof(old.uu_hash));
	return e;
}

int
admin_user_remove(const char *name, const char *by, struct admin_user *out,
    char *err, size_t len)
{
	struct userdb_user old;
	struct userdb *db;
	int e;

	if ((e = users_db(&db, err, len)) != 0)
		return e;
	if (userdb_find(db, name, &old) != 0)
		return ENOENT;
	(void)userdb_remove(db, old.uu_name);
	if ((e = users_save(db, err, len)) != 0) {
		/* Back in, at the end of the file order. */
		(void)userdb_add(db, old.uu_name, old.uu_hash,
		    old.uu_enabled);
		explicit_bzero(old.uu_hash, sizeof(old.uu_hash));
		return e;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", old.uu_name);
	out->enabled = old.uu_enabled;
	explicit_bzero(old.uu_hash, sizeof(old.uu_hash));
	log_info("admin: user \"%s\" removed via %s", out->name, by);
	user_event(EV_ADMIN_USER_REMOVED, out->name, by);
	return 0;
}
