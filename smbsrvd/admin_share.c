/*
 * admin_share.c — shares for the management plane: listings, and add,
 * change and remove persisted to the configuration file (admin.h).
 *
 * The configuration file is the one truth about shares: a change edits
 * the share's section (conf_write.c), the whole new text is parsed and
 * validated as a reload would, written atomically, and only then applied
 * (server_apply_shares()).  So a refused change leaves both the file and
 * the server as they were, and a restart finds what the API made.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "admin_int.h"
#include "conf.h"
#include "conf_write.h"
#include "durable.h"
#include "events.h"
#include "log.h"
#include "ofile.h"
#include "server.h"
#include "share.h"
#include "tree.h"

#define ADMIN_MAX_USES		16777215	/* "max uses" ceiling */
#define ADMIN_SHARE_ERRLEN	256

static void
fill_share(const struct share *sh, struct admin_share *ash)
{
	memset(ash, 0, sizeof(*ash));
	admin_copy(ash->name, sizeof(ash->name), sh->sh_name);
	admin_copy(ash->path, sizeof(ash->path), sh->sh_path);
	admin_copy(ash->comment, sizeof(ash->comment), sh->sh_comment);
	ash->type = admin_share_stype(sh);
	ash->read_only = sh->sh_read_only;
	ash->guest_ok = sh->sh_guest_ok;
	ash->encrypt = sh->sh_encrypt;
	ash->max_uses = sh->sh_max_uses;
	ash->current_uses = sh->sh_current_uses;
	ash->durable_timeout_ms = sh->sh_type == SHARE_IPC ? 0 :
	    sh->sh_durable_timeout;
}

static int
share_cmp(const void *a, const void *b)
{
	const struct share *const *x = a, *const *y = b;

	return strcasecmp((*x)->sh_name, (*y)->sh_name);
}

int
admin_share_list(const char *after,
    int (*fn)(const struct admin_share *, void *), void *arg)
{
	struct admin_share *ash;
	struct share *sh, **v;
	size_t n = 0, i;

	/*
	 * ShareList is in configuration order and a reload may reorder it;
	 * name order makes a stable cursor.  Shares are few: sort pointers.
	 */
	TAILQ_FOREACH(sh, &server.sv_shares, sh_entry)
		n++;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL ||
	    (ash = malloc(sizeof(*ash))) == NULL) {
		free(v);
		return ENOMEM;
	}
	n = 0;
	TAILQ_FOREACH(sh, &server.sv_shares, sh_entry)
		if (sh->sh_state == SHARE_LIVE)
			v[n++] = sh;
	qsort(v, n, sizeof(*v), share_cmp);
	for (i = 0; i < n; i++) {
		if (after != NULL && strcasecmp(v[i]->sh_name, after) <= 0)
			continue;
		fill_share(v[i], ash);
		if (fn(ash, arg) != 0)
			break;
	}
	free(ash);
	free(v);
	return 0;
}

int
admin_share_get(const char *name, struct admin_share *ash)
{
	struct share *sh;

	if ((sh = share_lookup(name)) == NULL)
		return ENOENT;
	fill_share(sh, ash);
	share_rele(sh);
	return 0;
}

void
admin_share_spec_init(struct admin_share_spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->read_only = sp->guest_ok = sp->encrypt = -1;
	sp->max_uses = sp->durable_timeout_ms = -1;
}

/*
 * A share path: absolute, no "." or ".." component (what looks like a
 * way out of somewhere is refused, not resolved), an existing directory.
 */
static int
check_path(const char *path, char *err, size_t len)
{
	const char *p = path, *end;
	struct stat st;
	size_t n;

	if (path[0] != '/') {
		snprintf(err, len, "path must be absolute");
		return EINVAL;
	}
	if (strlen(path) > CONF_VALUE_MAX) {
		snprintf(err, len, "path is longer than %d bytes",
		    CONF_VALUE_MAX);
		return EINVAL;
	}
	while (*p != '\0') {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		n = (size_t)(end - p);
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			snprintf(err, len, "path may not contain \".\" or "
			    "\"..\" components");
			return EINVAL;
		}
		p = end;
	}
	if (stat(path, &st) == -1) {
		snprintf(err, len, "path %.200s: %s", path, strerror(errno));
		return EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, len, "path %.200s is not a directory", path);
		return EINVAL;
	}
	return 0;
}

/* "comment, max_uses": what a spec sets, for the log. */
static void
spec_names(const struct admin_share_spec *sp, char *buf, size_t len)
{
	const struct {
		bool		 set;
		const char	*name;
	} m[] = {
		{ sp->path != NULL, "path" },
		{ sp->comment != NULL, "comment" },
		{ sp->read_only != -1, "read_only" },
		{ sp->guest_ok != -1, "guest_ok" },
		{ sp->encrypt != -1, "encrypt" },
		{ sp->max_uses != -1, "max_uses" },
		{ sp->durable_timeout_ms != -1, "durable_timeout_ms" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(m) / sizeof(m[0]) && n < len; i++)
		if (m[i].set)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    n > 0 ? ", " : "", m[i].name);
}

/* The values of a spec that are set, checked, onto cs. */
static int
spec_apply(const struct admin_share_spec *sp, struct conf_share *cs,
    char *err, size_t len)
{
	unsigned int max;
	int e;

	if (sp->path != NULL) {
		if ((e = check_path(sp->path, err, len)) != 0)
			return e;
		cs->sh_path = (char *)(uintptr_t)sp->path;
	}
	if (sp->comment != NULL) {
		if (strlen(sp->comment) >= ADMIN_COMMENT_LEN) {
			snprintf(err, len, "comment is longer than %d bytes",
			    ADMIN_COMMENT_LEN - 1);
			return EINVAL;
		}
		cs->sh_comment = (char *)(uintptr_t)sp->comment;
	}
	if (sp->read_only != -1)
		cs->sh_read_only = sp->read_only != 0;
	if (sp->guest_ok != -1)
		cs->sh_guest_ok = sp->guest_ok != 0;
	if (sp->encrypt != -1)
		cs->sh_smb_encrypt = sp->encrypt ? CONF_ENCRYPT_REQUIRED :
		    CONF_ENCRYPT_DESIRED;
	if (sp->max_uses != -1) {
		if (sp->max_uses < 0 || sp->max_uses > ADMIN_MAX_USES) {
			snprintf(err, len, "max_uses must be 1 to %d, or "
			    "null for no limit", ADMIN_MAX_USES);
			return EINVAL;
		}
		cs->sh_max_uses = (unsigned int)sp->max_uses;
	}
	if (sp->durable_timeout_ms != -1) {
		/* Within the global "durable timeout max", as a reload. */
		max = server.sv_conf != NULL ?
		    server.sv_conf->cf_durable_timeout_max : DURABLE_V2_MAX_MS;
		if (sp->durable_timeout_ms < 0 ||
		    sp->durable_timeout_ms > max) {
			snprintf(err, len, "durable_timeout_ms must be 0 to "
			    "%u (durable timeout max)", max);
			return EINVAL;
		}
		cs->sh_durable_timeout = (unsigned int)sp->durable_timeout_ms;
	}
	return 0;
}

/*
 * The configuration file with [name] replaced by cs (or removed, cs
 * NULL), parsed into *ncf and written.  Nothing is applied yet.
 */
static int
rewrite(const char *name, const struct conf_share *cs, struct conf **ncf,
    char *err, size_t len)
{
	const char *file = server.sv_conf->cf_file;
	char *section = NULL, *buf = NULL, *out = NULL, *dir = NULL;
	char perr[ADMIN_SHARE_ERRLEN];
	size_t slen, blen, olen;
	int e = 0;

	*ncf = NULL;
	if (file == NULL) {
		snprintf(err, len, "the server runs on the embedded default "
		    "configuration: there is no file to keep shares in");
		return EBUSY;
	}
	if (cs != NULL && (section = conf_write_share(cs, &slen)) == NULL) {
		e = errno;
		snprintf(err, len, "the path, comment or name cannot be "
		    "written on one line of the configuration file (control "
		    "characters, blanks at either end, a final backslash)");
		goto out;
	}
	if ((buf = conf_write_read(file, &blen)) == NULL) {
		e = errno;
		snprintf(err, len, "%s: %s", file, strerror(e));
		goto out;
	}
	if ((out = conf_write_replace(buf, blen, name, section, &olen, perr,
	    sizeof(perr))) == NULL) {
		e = errno == ENOMEM ? ENOMEM : EBUSY;
		snprintf(err, len, "%s: %s (edited since it was loaded?)",
		    file, perr);
		goto out;
	}
	if ((dir = strdup(file)) == NULL) {
		e = ENOMEM;
		goto out;
	}
	if ((*ncf = conf_parse(out, olen, file, dirname(dir), perr,
	    sizeof(perr))) == NULL) {
		e = EINVAL;
		snprintf(err, len, "%s", perr);
		goto out;
	}
	/* conf_parse() does not know the file; conf_load() sets it. */
	if (((*ncf)->cf_file = strdup(file)) == NULL) {
		e = ENOMEM;
		conf_free(*ncf);
		*ncf = NULL;
		goto out;
	}
	if (conf_write_file(file, out, olen) == -1) {
		e = errno;
		snprintf(err, len, "cannot write %s: %s", file, strerror(e));
		conf_free(*ncf);
		*ncf = NULL;
	}
out:
	free(dir);
	free(out);
	free(buf);
	free(section);
	return e;
}

static void
share_event(enum event_type type, const char *name, const char *path,
    const char *by)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ev_type = type;
	admin_copy(ev.ev_share, sizeof(ev.ev_share), name);
	admin_copy(ev.ev_path, sizeof(ev.ev_path), path);
	admin_copy(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
}

int
admin_share_add(const struct admin_share_spec *sp, const char *by,
    struct admin_share *out, char *err, size_t len)
{
	struct conf_share cs;
	struct conf *ncf;
	int e;

	if (sp->name == NULL || sp->path == NULL) {
		snprintf(err, len, "a new share needs a name and a path");
		return EINVAL;
	}
	if (strcasecmp(sp->name, "global") == 0 ||
	    strcasecmp(sp->name, "IPC$") == 0) {
		snprintf(err, len, "share name \"%s\" is reserved", sp->name);
		return EINVAL;
	}
	if (strlen(sp->name) == 0 || strlen(sp->name) > CONF_NAME_MAX) {
		snprintf(err, len, "share names are 1 to %d bytes",
		    CONF_NAME_MAX);
		return EINVAL;
	}
	if (conf_share_find(server.sv_conf, sp->name) != NULL) {
		snprintf(err, len, "share [%s] exists", sp->name);
		return EEXIST;
	}
	memset(&cs, 0, sizeof(cs));
	snprintf(cs.sh_name, sizeof(cs.sh_name), "%s", sp->name);
	cs.sh_comment = "";
	cs.sh_read_only = true;
	cs.sh_smb_encrypt = CONF_ENCRYPT_DESIRED;
	cs.sh_durable_timeout = server.sv_conf != NULL ?
	    server.sv_conf->cf_durable_timeout : DURABLE_DEFAULT_MS;
	if ((e = spec_apply(sp, &cs, err, len)) != 0 ||
	    (e = rewrite(cs.sh_name, &cs, &ncf, err, len)) != 0)
		return e;
	log_info("admin: share [%s] added (%s) via %s", cs.sh_name,
	    cs.sh_path, by);
	share_event(EV_ADMIN_SHARE_ADDED, cs.sh_name, cs.sh_path, by);
	server_apply_shares(ncf);
	return admin_share_get(sp->name, out);
}

int
admin_share_set(const char *name, const struct admin_share_spec *sp,
    const char *by, struct admin_share *out, char *err, size_t len)
{
	const struct conf_share *old;
	struct conf_share cs;
	struct conf *ncf;
	char canon[CONF_NAME_MAX + 1], what[128];
	int e;

	if (strcasecmp(name, "IPC$") == 0) {
		snprintf(err, len, "IPC$ is built in and cannot be changed");
		return EBUSY;
	}
	if ((old = conf_share_find(server.sv_conf, name)) == NULL)
		return ENOENT;
	cs = *old;
	snprintf(canon, sizeof(canon), "%s", old->sh_name);
	if ((e = spec_apply(sp, &cs, err, len)) != 0 ||
	    (e = rewrite(canon, &cs, &ncf, err, len)) != 0)
		return e;
	spec_names(sp, what, sizeof(what));
	log_info("admin: share [%s] changed (%s) via %s", canon, what, by);
	share_event(EV_ADMIN_SHARE_CHANGED, canon, cs.sh_path, by);
	/* cs points into the old snapshot, which this frees. */
	server_apply_shares(ncf);
	return admin_share_get(canon, out);
}

/* Ids collected before acting: closing changes the tables walked. */
struct idvec {
	uint64_t	*v;
	size_t		 n, cap;
	int		 err;
};

static int
idvec_add(struct idvec *iv, uint64_t id)
{
	uint64_t *nv;

	if (iv->n == iv->cap) {
		if ((nv = reallocarray(iv->v, iv->cap ? iv->cap * 2 : 16,
		    sizeof(*nv))) == NULL) {
			iv->err = ENOMEM;
			return 1;
		}
		iv->v = nv;
		iv->cap = iv->cap ? iv->cap * 2 : 16;
	}
	iv->v[iv->n++] = id;
	return 0;
}

static int
tree_id_cb(const struct admin_tree *at, void *arg)
{
	return idvec_add(arg, at->id);
}

/* The tree connects and the detached opens on sh. */
static int
share_victims(struct share *sh, struct idvec *trees, struct idvec *opens)
{
	struct admin_tree_filter f;
	struct ofile *of;

	memset(&f, 0, sizeof(f));
	f.share = sh->sh_name;
	(void)admin_tree_list(&f, 0, tree_id_cb, trees);
	TAILQ_FOREACH(of, &server.sv_opens, of_global_entry)
		if (of->of_state == OFILE_DISCONNECTED &&
		    of->of_rootref != NULL &&
		    of->of_rootref->t_share == sh &&
		    idvec_add(opens, of->of_global_id) != 0)
			break;
	return trees->err != 0 ? trees->err : opens->err;
}

int
admin_share_remove(const char *name, bool dry_run, const char *by,
    admin_impact_fn fn, void *arg, char *err, size_t len)
{
	struct idvec trees, opens;
	struct share *sh;
	struct conf *ncf = NULL;
	char canon[CONF_NAME_MAX + 1], path[ADMIN_PATH_LEN];
	size_t i;
	int e;

	if (strcasecmp(name, "IPC$") == 0) {
		snprintf(err, len, "IPC$ is built in and cannot be removed");
		return EBUSY;
	}
	if (conf_share_find(server.sv_conf, name) == NULL ||
	    (sh = share_lookup(name)) == NULL)
		return ENOENT;
	snprintf(canon, sizeof(canon), "%s", sh->sh_name);
	admin_copy(path, sizeof(path), sh->sh_path);
	memset(&trees, 0, sizeof(trees));
	memset(&opens, 0, sizeof(opens));
	if ((e = share_victims(sh, &trees, &opens)) != 0)
		goto out;
	if (!dry_run && (e = rewrite(canon, NULL, &ncf, err, len)) != 0)
		goto out;
	if (!dry_run) {
		log_info("admin: share [%s] removed via %s; closing %zu tree "
		    "connect(s) and %zu detached open(s)", canon, by, trees.n,
		    opens.n);
		share_event(EV_ADMIN_SHARE_REMOVED, canon, path, by);
	}
	/* MS-SMB2 3.3.4.15, then the detached opens it would miss. */
	for (i = 0; i < trees.n; i++)
		(void)admin_tree_close(trees.v[i], dry_run, by, fn, arg);
	for (i = 0; i < opens.n; i++)
		(void)admin_open_close(opens.v[i], dry_run, by, fn, arg);
	if (!dry_run)
		server_apply_shares(ncf);
out:
	share_rele(sh);
	free(trees.v);
	free(opens.v);
	return e;
}
