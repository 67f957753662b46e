/*
 * ofile.c — opens and fnodes (see ofile.h for the life cycle).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "brlock.h"
#include "clock.h"
#include "conn.h"
#include "lease.h"
#include "loop.h"
#include "log.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "pipe.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "smb2_req.h"
#include "srvs.h"
#include "tree.h"
#include "vfs.h"

#define FNODE_BUCKETS	4096	/* power of two */

static LIST_HEAD(, fnode) fnode_tab[FNODE_BUCKETS];
static size_t	ofile_ndisconnected;
/* ofile_close_soon(): each holds a reference. */
static TAILQ_HEAD(, ofile) close_soon = TAILQ_HEAD_INITIALIZER(close_soon);
static struct loop_defer close_soon_defer;

static void	ofile_scavenge(struct timer *, void *);
static uint64_t	ofile_ids;

static size_t
fnode_bucket(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev;

	return (size_t)(h >> 20) & (FNODE_BUCKETS - 1);
}

struct fnode *
ofile_fnode_find(dev_t dev, ino_t ino)
{
	struct fnode *fn;

	LIST_FOREACH(fn, &fnode_tab[fnode_bucket(dev, ino)], fn_entry) {
		if (fn->fn_dev == dev && fn->fn_ino == ino)
			return fn;
	}
	return NULL;
}

static struct fnode *
fnode_get(dev_t dev, ino_t ino)
{
	struct fnode *fn;

	if ((fn = ofile_fnode_find(dev, ino)) != NULL) {
		fn->fn_refs++;
		return fn;
	}
	if ((fn = calloc(1, sizeof(*fn))) == NULL)
		return NULL;
	fn->fn_dev = dev;
	fn->fn_ino = ino;
	fn->fn_refs = 1;
	TAILQ_INIT(&fn->fn_opens);
	LIST_INSERT_HEAD(&fnode_tab[fnode_bucket(dev, ino)], fn, fn_entry);
	return fn;
}

static void
fnode_rele(struct fnode *fn)
{
	if (--fn->fn_refs > 0)
		return;
	LIST_REMOVE(fn, fn_entry);
	free(fn);
}

/*
 * MS-FSA 2.1.5.1.2.1: an open that reads, writes or deletes must be
 * allowed by every other open's ShareAccess, and must itself allow what
 * the others do.  Opens for attributes or synchronization only take part
 * in neither direction.
 */
#define DATA_ACCESS	(FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA |\
			 FILE_EXECUTE | DELETE_ACCESS)

static bool
conflicts(uint32_t acc, uint32_t share)
{
	if ((acc & (FILE_READ_DATA | FILE_EXECUTE)) &&
	    !(share & FILE_SHARE_READ))
		return true;
	if ((acc & (FILE_WRITE_DATA | FILE_APPEND_DATA)) &&
	    !(share & FILE_SHARE_WRITE))
		return true;
	if ((acc & DELETE_ACCESS) && !(share & FILE_SHARE_DELETE))
		return true;
	return false;
}

uint32_t
ofile_share_check(const struct fnode *fn, uint32_t access, uint32_t share)
{
	const struct ofile *o;

	if (fn == NULL || !(access & DATA_ACCESS))
		return STATUS_SUCCESS;
	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if (!(o->of_access & DATA_ACCESS))
			continue;
		if (conflicts(access, o->of_share_access) ||
		    conflicts(o->of_access, share))
			return STATUS_SHARING_VIOLATION;
	}
	return STATUS_SUCCESS;
}

void
ofile_hold(struct ofile *of)
{
	if (of->of_magic != OFILE_MAGIC || of->of_refs == 0)
		fatalx("ofile_hold: bad open");
	of->of_refs++;
}

void
ofile_rele(struct ofile *of)
{
	if (of->of_magic != OFILE_MAGIC || of->of_refs == 0)
		fatalx("ofile_rele: bad open");
	if (--of->of_refs > 0)
		return;
	if (of->of_dir != NULL)
		vfs_dir_close(of->of_dir);
	pipe_free(of->of_pipe);
	if (of->of_fd != -1)
		close(of->of_fd);
	free(of->of_dir_pattern);
	free(of->of_path);
	free(of->of_name);
	free(of->of_owner);
	if (of->of_rootref != NULL)
		tree_rele(of->of_rootref);
	of->of_magic = 0;
	free(of);
}

/*
 * FileIds: the persistent part is unique in GlobalOpenTable for the life
 * of the process, the volatile part unique in its session; both come from
 * one counter, so neither is ever reused.  Neither is 0 or all ones
 * (3.3.5.9).
 */
static uint64_t
ofile_new_id(void)
{
	do {
		++ofile_ids;
	} while (ofile_ids == 0 || ofile_ids == UINT64_MAX ||
	    idtab_find(&server.sv_open_ids, ofile_ids) != NULL);
	return ofile_ids;
}

uint32_t
ofile_open(struct session *s, struct tree *t, int fd, const char *path,
    const char *name, bool is_dir, uint32_t access, uint32_t share,
    uint32_t options, struct ofile **out)
{
	struct vfs_stat st;
	struct ofile *of;
	uint32_t status;

	*out = NULL;
	if ((status = vfs_fstat(fd, &st)) != STATUS_SUCCESS) {
		close(fd);
		return status;
	}
	if ((of = calloc(1, sizeof(*of))) == NULL ||
	    (of->of_path = strdup(path)) == NULL ||
	    (of->of_name = strdup(name)) == NULL) {
		if (of != NULL) {
			free(of->of_path);
			free(of);
		}
		close(fd);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	of->of_magic = OFILE_MAGIC;
	of->of_refs = 1;		/* GlobalOpenTable's */
	of->of_state = OFILE_ACTIVE;
	of->of_fd = fd;
	of->of_root = t->t_root;
	of->of_rootref = t;
	tree_hold(t);
	memcpy(of->of_client_guid, s->s_conn != NULL ?
	    s->s_conn->c_client_guid : (const uint8_t *)"", s->s_conn != NULL ?
	    16 : 0);
	of->of_owner = strdup(s->s_user);
	snprintf(of->of_client, sizeof(of->of_client), "%s", s->s_client);
	timer_init(&of->of_scavenge, ofile_scavenge, of);
	of->of_is_dir = is_dir;
	of->of_access = access;
	of->of_share_access = share;
	of->of_create_options = options;
	of->of_session = s;
	of->of_tree = t;
	timer_init(&of->of_break_timer, NULL, NULL);
	clock_real(&of->of_opened);
	if ((of->of_fnode = fnode_get(st.vs_dev, st.vs_ino)) == NULL) {
		ofile_rele(of);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	/* The caller checked before creating; check again on the inode. */
	if ((status = ofile_share_check(of->of_fnode, access, share)) !=
	    STATUS_SUCCESS) {
		fnode_rele(of->of_fnode);
		of->of_fnode = NULL;
		ofile_rele(of);
		return status;
	}
	if (of->of_fnode->fn_delete_pending) {
		fnode_rele(of->of_fnode);
		of->of_fnode = NULL;
		ofile_rele(of);
		return STATUS_DELETE_PENDING;
	}
	of->of_persistent = ofile_new_id();
	of->of_volatile = of->of_persistent;
	if (idtab_add(&server.sv_open_ids, of->of_persistent, of) == -1 ||
	    idtab_add(&s->s_open_ids, of->of_volatile, of) == -1) {
		idtab_del(&server.sv_open_ids, of->of_persistent);
		fnode_rele(of->of_fnode);
		of->of_fnode = NULL;
		ofile_rele(of);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	TAILQ_INSERT_TAIL(&of->of_fnode->fn_opens, of, of_fnode_entry);
	TAILQ_INSERT_TAIL(&server.sv_opens, of, of_global_entry);
	TAILQ_INSERT_TAIL(&s->s_opens, of, of_session_entry);
	t->t_open_count++;
	of->of_global_id = srvs_file_register(of);
	log_debug("session %u: open %u of \"%s\" (access 0x%08x, share %u)",
	    s->s_global_id, of->of_global_id, path, access, share);
	*out = of;
	return STATUS_SUCCESS;
}

struct ofile *
ofile_lookup(struct session *s, uint64_t persistent, uint64_t vol)
{
	struct ofile *of = idtab_find(&s->s_open_ids, vol);

	if (of == NULL || of->of_state != OFILE_ACTIVE ||
	    of->of_persistent != persistent)
		return NULL;
	ofile_hold(of);
	return of;
}

void
ofile_set_delete_pending(struct fnode *fn)
{
	struct ofile *o;

	if (fn->fn_delete_pending)
		return;
	fn->fn_delete_pending = true;
	/*
	 * MS-FSA 2.1.5.15.3 (FileDispositionInformation) and the close of
	 * a delete-on-close open (2.1.5.4): change notifications waiting
	 * on the directory complete with STATUS_DELETE_PENDING.
	 */
	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry)
		smb2_notify_delete_pending(o);
}

void
ofile_close(struct ofile *of)
{
	struct fnode *fn = of->of_fnode;
	struct session *s = of->of_session;
	uint32_t st;

	if (of->of_state == OFILE_CLOSED)
		return;
	if (of->of_state == OFILE_DISCONNECTED) {
		loop_timer_cancel(&of->of_scavenge);
		ofile_ndisconnected--;
	}
	of->of_state = OFILE_CLOSED;
	/* Waiting CHANGE_NOTIFYs end with STATUS_NOTIFY_CLEANUP. */
	smb2_notify_close(of);
	idtab_del(&server.sv_open_ids, of->of_persistent);
	TAILQ_REMOVE(&server.sv_opens, of, of_global_entry);
	if (s != NULL) {
		idtab_del(&s->s_open_ids, of->of_volatile);
		TAILQ_REMOVE(&s->s_opens, of, of_session_entry);
	}
	if (of->of_tree != NULL)
		of->of_tree->t_open_count--;
	srvs_file_deregister(of);
	/* Its locks go, its pending locks fail, others' may be granted. */
	brlock_close(of);
	TAILQ_REMOVE(&fn->fn_opens, of, of_fnode_entry);
	if (of->of_delete_on_close)
		ofile_set_delete_pending(fn);
	/* Its oplock goes with it; creates waiting on it may go on. */
	oplock_close(of);
	/* The last open of a file marked for deletion deletes it. */
	if (fn->fn_delete_pending && TAILQ_EMPTY(&fn->fn_opens)) {
		if ((st = vfs_unlink(of->of_root, of->of_path,
		    of->of_is_dir)) != STATUS_SUCCESS)
			log_info("delete on close of \"%s\": 0x%08x",
			    of->of_path, st);
		fn->fn_delete_pending = false;
	}
	fnode_rele(fn);
	of->of_fnode = NULL;
	of->of_session = NULL;
	of->of_tree = NULL;
	ofile_rele(of);
}

void
ofile_close_tree(struct tree *t)
{
	struct session *s = t->t_session;
	struct ofile *of, *tof;

	TAILQ_FOREACH_SAFE(of, &s->s_opens, of_session_entry, tof) {
		if (of->of_tree == t)
			ofile_close(of);
	}
}

static void
close_soon_pass(void *arg)
{
	struct ofile *of;

	(void)arg;
	while ((of = TAILQ_FIRST(&close_soon)) != NULL) {
		TAILQ_REMOVE(&close_soon, of, of_close_entry);
		if (of->of_state == OFILE_DISCONNECTED) {
			log_info("open %u of \"%s\": broken while "
			    "disconnected, closed", of->of_global_id,
			    of->of_path);
			ofile_close(of);
		}
		ofile_rele(of);
	}
	oplock_waiters_kick();
}

void
ofile_close_soon(struct ofile *of)
{
	if (of->of_close_pending || of->of_state != OFILE_DISCONNECTED)
		return;
	of->of_close_pending = true;
	ofile_hold(of);
	TAILQ_INSERT_TAIL(&close_soon, of, of_close_entry);
	loop_defer(&close_soon_defer, close_soon_pass, NULL);
}

/*
 * A durable open whose file is to be deleted when it closes is not kept:
 * the session that asked for the deletion is gone, so the open closes
 * and the deletion happens (smbtorture smb2.durable-open.delete_on_close1
 * checks it; Samba refuses to disconnect such a handle and closes it).
 * Holding the file for a reconnect would keep the name from everybody
 * else, with a share mode nobody can reclaim in time to use.
 */
static bool
ofile_durable_keepable(const struct ofile *of)
{
	return of->of_durable && !of->of_delete_on_close &&
	    !(of->of_fnode != NULL && of->of_fnode->fn_delete_pending);
}

/*
 * 3.3.7.1 B.1: what survives the loss of its connection.  A durable open
 * keeps its file only while its batch oplock, or its lease's handle
 * caching, is held: mid-break or broken, it closes.
 */
static bool
ofile_preserved_on_loss(const struct ofile *of)
{
	if (of->of_resilient)
		return true;
	if (!ofile_durable_keepable(of))
		return false;
	if (of->of_lease != NULL)
		return lease_handle_held(of);
	return of->of_oplock == SMB2_OPLOCK_LEVEL_BATCH &&
	    of->of_oplock_state == OPLOCK_HELD;
}

/*
 * Detaches an open from its session, tree and connection and puts it on
 * the scavenger (3.3.5.6 step 2, 3.3.7.1 B.2).  It stays registered
 * (MS-SRVS FileList) and holds its file, locks and share modes.
 */
static void
ofile_detach(struct ofile *of)
{
	struct session *s = of->of_session;
	uint32_t timeout;

	idtab_del(&s->s_open_ids, of->of_volatile);
	TAILQ_REMOVE(&s->s_opens, of, of_session_entry);
	if (of->of_tree != NULL)
		of->of_tree->t_open_count--;
	of->of_session = NULL;
	of->of_tree = NULL;
	of->of_state = OFILE_DISCONNECTED;
	ofile_ndisconnected++;
	timeout = of->of_resilient ? of->of_resilient_timeout :
	    of->of_durable_timeout;
	of->of_disconnected = clock_mono_ms();
	of->of_deadline = of->of_disconnected + timeout;
	(void)loop_timer_at(&of->of_scavenge, of->of_deadline);
	log_info("open %u of \"%s\": disconnected, kept %u ms for a "
	    "reconnect", of->of_global_id, of->of_path, timeout);
}

/* 3.3.6.2 / 3.3.6.4: nobody reclaimed it in time. */
static void
ofile_scavenge(struct timer *t, void *arg)
{
	struct ofile *of = arg;

	(void)t;
	log_info("open %u of \"%s\": %s timeout, closed",
	    of->of_global_id, of->of_path, of->of_resilient ? "resilient" :
	    "durable");
	admin_track_expired(of, NULL);
	ofile_close(of);
}

bool
ofile_kept_on_logoff(const struct ofile *of)
{
	return ofile_durable_keepable(of) || of->of_resilient;
}

const char *
ofile_durability(const struct ofile *of)
{
	if (of->of_resilient)
		return "resilient";
	if (!of->of_durable)
		return NULL;
	return of->of_durable_v2 ? "durable_v2" : "durable_v1";
}

void
ofile_end_session(struct session *s, enum ofile_end how)
{
	struct ofile *of, *tof;

	TAILQ_FOREACH_SAFE(of, &s->s_opens, of_session_entry, tof) {
		if (how == OFILE_END_LOGOFF && ofile_kept_on_logoff(of))
			ofile_detach(of);
		else if (how == OFILE_END_LOST && ofile_preserved_on_loss(of))
			ofile_detach(of);
		else
			ofile_close(of);
	}
}

uint32_t
ofile_reconnect(struct ofile *of, struct session *s, struct tree *t)
{
	uint64_t vol;

	if (of->of_state != OFILE_DISCONNECTED)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	vol = ofile_new_id();
	if (idtab_add(&s->s_open_ids, vol, of) == -1)
		return STATUS_INSUFFICIENT_RESOURCES;
	loop_timer_cancel(&of->of_scavenge);
	ofile_ndisconnected--;
	of->of_volatile = vol;
	of->of_session = s;
	of->of_tree = t;
	of->of_state = OFILE_ACTIVE;
	of->of_deadline = 0;
	TAILQ_INSERT_TAIL(&s->s_opens, of, of_session_entry);
	t->t_open_count++;
	if (s->s_conn != NULL)
		memcpy(of->of_client_guid, s->s_conn->c_client_guid, 16);
	snprintf(of->of_client, sizeof(of->of_client), "%s", s->s_client);
	log_info("open %u of \"%s\": reconnected by session %u",
	    of->of_global_id, of->of_path, s->s_global_id);
	return STATUS_SUCCESS;
}

struct ofile *
ofile_find_persistent(uint64_t persistent)
{
	return idtab_find(&server.sv_open_ids, persistent);
}

struct ofile *
ofile_find_create_guid(const uint8_t guid[16], const uint8_t client[16])
{
	struct ofile *of;

	/* Few opens carry a CreateGuid; a v2 reconnect is rare. */
	TAILQ_FOREACH(of, &server.sv_opens, of_global_entry) {
		if (of->of_durable_v2 &&
		    memcmp(of->of_create_guid, guid, 16) == 0 &&
		    memcmp(of->of_client_guid, client, 16) == 0)
			return of;
	}
	return NULL;
}

size_t
ofile_scavenger_count(void)
{
	return ofile_ndisconnected;
}

void
ofile_close_all(void)
{
	struct ofile *of;

	/* Closing one may act on others (oplocks): take the first each time. */
	while ((of = TAILQ_FIRST(&server.sv_opens)) != NULL) {
		if (of->of_state == OFILE_DISCONNECTED)
			log_info("open %u of \"%s\": closed, the server stops",
			    of->of_global_id, of->of_path);
		ofile_close(of);
	}
}
