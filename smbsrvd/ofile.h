/*
 * ofile.h — opens (MS-SMB2 3.3.1.10) and the per-file state they share.
 *
 * OFILE_ACTIVE --close, tree disconnect, logoff, connection loss--> closed
 * Durable and resilient opens survive logoff and connection loss:
 * OFILE_ACTIVE --logoff, loss--> OFILE_DISCONNECTED --DHnC/DH2C--> ACTIVE
 * OFILE_DISCONNECTED --scavenger deadline, a break it cannot take, admin
 * close--> closed.
 *
 * GlobalOpenTable (server.sv_open_ids by the persistent FileId, and
 * server.sv_opens) owns one reference from creation to ofile_close().
 * The session's OpenTable (s_open_ids by the volatile FileId) and the
 * tree's count follow the same span.  A request holds its own reference
 * while it runs; the last ofile_rele() frees.  ofile_close() is the one
 * path of MS-SMB2 3.3.4.17: it deregisters the open (srvs), takes it out
 * of every table, releases its share-mode claim and, for the last open
 * of a file marked for deletion, deletes the file.
 *
 * A struct fnode is the server's view of one file (device, inode): the
 * opens on it, for share-mode checks (MS-FSA 2.1.5.1.2), the delete
 * pending flag and the byte-range locks (brlock.h).  Opens hold references
 * on their fnode.
 */
#ifndef SMBSRVD_OFILE_H
#define SMBSRVD_OFILE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "queue.h"
#include "timer.h"

#define OFILE_MAGIC	0x4f46494cu	/* "OFIL" */

/* MS-SMB2 2.2.13.1 access mask bits. */
#define FILE_READ_DATA		0x00000001
#define FILE_LIST_DIRECTORY	0x00000001
#define FILE_WRITE_DATA		0x00000002
#define FILE_ADD_FILE		0x00000002
#define FILE_APPEND_DATA	0x00000004
#define FILE_ADD_SUBDIRECTORY	0x00000004
#define FILE_READ_EA		0x00000008
#define FILE_WRITE_EA		0x00000010
#define FILE_EXECUTE		0x00000020
#define FILE_TRAVERSE		0x00000020
#define FILE_DELETE_CHILD	0x00000040
#define FILE_READ_ATTRIBUTES	0x00000080
#define FILE_WRITE_ATTRIBUTES	0x00000100
#define DELETE_ACCESS		0x00010000
#define READ_CONTROL		0x00020000
#define WRITE_DAC		0x00040000
#define WRITE_OWNER		0x00080000
#define SYNCHRONIZE		0x00100000
#define ACCESS_SYSTEM_SECURITY	0x01000000
#define MAXIMUM_ALLOWED		0x02000000
#define GENERIC_ALL		0x10000000
#define GENERIC_EXECUTE		0x20000000
#define GENERIC_WRITE		0x40000000
#define GENERIC_READ		0x80000000

#define FILE_ALL_ACCESS		0x001f01ff
#define FILE_GENERIC_READ	0x00120089
#define FILE_GENERIC_WRITE	0x00120116
#define FILE_GENERIC_EXECUTE	0x001200a0

#define FILE_SHARE_READ		0x00000001
#define FILE_SHARE_WRITE	0x00000002
#define FILE_SHARE_DELETE	0x00000004

struct brlock_table;
struct lease;
struct pipe;
struct session;
struct smb2_cn;
struct tree;
struct vfs_dir;

struct fnode {
	LIST_ENTRY(fnode)	 fn_entry;	/* the fnode table */
	dev_t			 fn_dev;
	ino_t			 fn_ino;
	unsigned int		 fn_refs;
	TAILQ_HEAD(, ofile)	 fn_opens;
	bool			 fn_delete_pending;

	/* Byte-range locks and waiters of all opens (brlock.c); NULL: none. */
	struct brlock_table	*fn_brl;
};

/*
 * OFILE_DISCONNECTED: a durable or resilient open kept after its session
 * went (LOGOFF 3.3.5.6, connection loss 3.3.7.1): no session, tree or
 * connection, still in GlobalOpenTable with its file, locks and share
 * modes, until a reconnect claims it or its scavenger deadline passes.
 */
enum ofile_state { OFILE_ACTIVE, OFILE_DISCONNECTED, OFILE_CLOSED };

/* How a session's end treats its opens. */
enum ofile_end {
	OFILE_END_CLOSE,	/* admin close, failed auth: close all */
	OFILE_END_LOGOFF,	/* 3.3.5.6: keep durable and resilient */
	OFILE_END_LOST		/* 3.3.7.1: keep what may be reclaimed */
};

struct ofile {
	uint32_t		 of_magic;
	unsigned int		 of_refs;
	enum ofile_state	 of_state;
	uint64_t		 of_persistent;	/* DurableFileId */
	uint64_t		 of_volatile;	/* FileId */
	uint32_t		 of_global_id;	/* FileGlobalId (srvs) */
	TAILQ_ENTRY(ofile)	 of_global_entry;	/* server.sv_opens */
	TAILQ_ENTRY(ofile)	 of_session_entry;	/* s_opens */
	TAILQ_ENTRY(ofile)	 of_fnode_entry;	/* fn_opens */
	struct session		*of_session;	/* not references: the */
	struct tree		*of_tree;	/* tables unlink them */
	struct fnode		*of_fnode;	/* a reference */
	int			 of_fd;
	int			 of_root;	/* the share's root fd */
	bool			 of_is_dir;
	char			*of_path;	/* relative to the share */
	char			*of_name;	/* as the client named it */
	uint32_t		 of_access;	/* GrantedAccess */
	uint32_t		 of_share_access;
	uint32_t		 of_create_options;
	uint8_t			 of_oplock;	/* SMB2_OPLOCK_LEVEL_* */
	uint8_t			 of_oplock_state; /* enum oplock_state */
	uint8_t			 of_break_to;	/* level being broken to */
	struct timer		 of_break_timer;	/* ack deadline */
	/* Open.Lease (lease.h) and the open's place on its LeaseOpens. */
	struct lease		*of_lease;
	TAILQ_ENTRY(ofile)	 of_lease_entry;	/* l_opens */
	bool			 of_delete_on_close;	/* from CREATE */
	uint64_t		 of_position;	/* FilePositionInformation */
	bool			 of_user_set_change; /* UserSetChangeTime */
	uint32_t		 of_lock_count;
	struct timespec		 of_opened;
	/* The tree whose root descriptor the open uses, held for life. */
	struct tree		*of_rootref;

	/* Durability (MS-SMB2 3.3.1.10; 3.3.5.9.6, 3.3.5.9.10). */
	bool			 of_durable;		/* IsDurable */
	bool			 of_durable_v2;
	bool			 of_resilient;		/* IsResilient */
	uint32_t		 of_durable_timeout;	/* ms */
	uint32_t		 of_resilient_timeout;	/* ms */
	uint8_t			 of_create_guid[16];	/* v2 */
	uint8_t			 of_client_guid[16];
	char			*of_owner;		/* DurableOwner: user */
	struct timer		 of_scavenge;		/* while disconnected */
	uint64_t		 of_deadline;		/* mono ms, scavenger */
	uint64_t		 of_disconnected;	/* mono ms, when */
	char			 of_client[64];	/* address of its last client */
	/* Broken while disconnected: closed before the loop sleeps. */
	bool			 of_close_pending;
	TAILQ_ENTRY(ofile)	 of_close_entry;
	/* QUERY_DIRECTORY state. */
	struct vfs_dir		*of_dir;
	char			*of_dir_pattern;
	/* CHANGE_NOTIFY state (smb2_notify.c); ofile_close() ends it. */
	struct smb2_cn		*of_notify;
	/* A named pipe on IPC$ (pipe.c): NULL for files; freed with us. */
	struct pipe		*of_pipe;
	/* Open.ResumeKey (smb2_copychunk.c), drawn when first asked for. */
	bool			 of_resume_key_set;
	uint8_t			 of_resume_key[24];
};

/* The share-mode check of MS-FSA 2.1.5.1.2: 0 or SHARING_VIOLATION. */
uint32_t	 ofile_share_check(const struct fnode *, uint32_t access,
		    uint32_t share);
/*
 * Registers a new open of fd (taken) for path on tree t (3.3.5.9,
 * "Successful Open Initialization"): FileIds, the tables, srvs 3.1.6.4,
 * the fnode.  Re-checks share modes against the fnode; on failure the
 * status is returned and fd closed.
 */
uint32_t	 ofile_open(struct session *, struct tree *, int fd,
		    const char *path, const char *name, bool is_dir,
		    uint32_t access, uint32_t share, uint32_t options,
		    struct ofile **);
/* 3.3.5.10 lookup: volatile in the session, persistent must match. */
struct ofile	*ofile_lookup(struct session *, uint64_t persistent,
		    uint64_t vol);
void		 ofile_hold(struct ofile *);
void		 ofile_rele(struct ofile *);
/* MS-SMB2 3.3.4.17.  Idempotent. */
void		 ofile_close(struct ofile *);
/*
 * Closes a disconnected open whose oplock or lease had to break, from the
 * loop's before-sleep pass (the caller is walking the file's opens), and
 * then lets waiting creates run again.  Until then the open counts as
 * breaking and cannot be reclaimed.
 */
void		 ofile_close_soon(struct ofile *);
/* Closes every open of the tree (3.3.5.8) or session (3.3.5.6). */
void		 ofile_close_tree(struct tree *);
void		 ofile_end_session(struct session *, enum ofile_end);
/* 3.3.5.6 step 2: whether a LOGOFF detaches the open instead of closing. */
bool		 ofile_kept_on_logoff(const struct ofile *);
/* "durable_v1", "durable_v2", "resilient", or NULL: what keeps the open. */
const char	*ofile_durability(const struct ofile *);
/*
 * Reattaches a disconnected open to a new session and tree (DHnC/DH2C,
 * 3.3.5.9.7 step 7): a new volatile FileId, the scavenger disarmed.
 */
uint32_t	 ofile_reconnect(struct ofile *, struct session *, struct tree *);
/* GlobalOpenTable lookup by the persistent FileId (any state). */
struct ofile	*ofile_find_persistent(uint64_t persistent);
/* The open with this v2 CreateGuid and ClientGuid, if any. */
struct ofile	*ofile_find_create_guid(const uint8_t guid[16],
		    const uint8_t client[16]);
/*
 * The file is to be deleted when its last open closes (MS-FSA
 * DeletePending); the opens' waiting CHANGE_NOTIFYs end with
 * STATUS_DELETE_PENDING.  Idempotent.
 */
void		 ofile_set_delete_pending(struct fnode *);
/* Disconnected opens waiting on the scavenger, in deadline order. */
size_t		 ofile_scavenger_count(void);
/*
 * Server shutdown: every open left closes for real, the disconnected
 * ones waiting on the scavenger too (its timers are cancelled).
 */
void		 ofile_close_all(void);
/* The fnode of (dev, ino) if any open has it, for share checks. */
struct fnode	*ofile_fnode_find(dev_t, ino_t);

#endif
