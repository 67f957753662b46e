/*
 * lease.h — SMB2 leases (MS-SMB2 3.3.1.11 LeaseTable, 3.3.1.12 Lease;
 * grant 3.3.5.9.8, 3.3.5.9.11; break 3.3.4.7; acknowledgment
 * 3.3.5.22.2; timeout 3.3.6.5; MS-FSA 2.1.5.17 for the rules shared
 * with oplocks).
 *
 * GlobalLeaseTableList holds one lease table per ClientGuid; a table holds
 * the client's leases by LeaseKey.  A lease is on one file and is shared
 * by every open of that client that names its key (Lease.LeaseOpens).
 *
 * A lease:   HELD --a conflicting open, a write--> BREAKING (state W or H:
 *            an acknowledgment is due within 35 s) --ack--> HELD at the
 *            state acknowledged; --35 s timeout--> HELD at none (3.3.6.5)
 * A break from R alone (R -> none) needs no acknowledgment and completes
 * at once.  While BREAKING, further conflicts only lower the state the
 * lease must reach (l_required); an acknowledgment that leaves more than
 * that starts the next step at once, without a new epoch.
 *
 * Lifetime: lease_grant() creates the lease with its first open and puts
 * it in its client's table; every open of it is on l_opens.  When
 * lease_open_detach() takes the last open off, the lease leaves the table
 * and is freed (its timer cancelled); an emptied table goes too.  Durable
 * opens that outlive their session stay attached, so their lease stays.
 */
#ifndef SMBSRVD_LEASE_H
#define SMBSRVD_LEASE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "queue.h"
#include "timer.h"

/* 2.2.13.2.8 LeaseState. */
#define SMB2_LEASE_NONE			0x00
#define SMB2_LEASE_READ_CACHING		0x01
#define SMB2_LEASE_HANDLE_CACHING	0x02
#define SMB2_LEASE_WRITE_CACHING	0x04
#define SMB2_LEASE_RWH			0x07

/* 2.2.14.2.10 / 2.2.14.2.11 Flags. */
#define SMB2_LEASE_FLAG_BREAK_IN_PROGRESS	0x00000002
#define SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET	0x00000004
/* 2.2.23.2 Flags. */
#define SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED 0x00000001

/* RqLs data lengths: v1 (2.2.13.2.8) and v2 (2.2.13.2.10). */
#define LEASE_CTX_V1_LEN	32
#define LEASE_CTX_V2_LEN	52

/* Windows waits 35 s for a lease break acknowledgment (3.3.2.5, <220>). */
#define LEASE_BREAK_TIMEOUT_MS	35000

#define LEASE_MAGIC		0x4c454153u	/* "LEAS" */

struct conn;
struct fnode;
struct msgbuf_rd;
struct ofile;
struct smb_req;
struct lease_table;

/* The RqLs context of a CREATE (2.2.13.2.8, 2.2.13.2.10). */
struct lease_req {
	uint8_t		lr_version;	/* 0: none (or ignored), 1, 2 */
	uint8_t		lr_key[16];
	uint32_t	lr_state;
	uint32_t	lr_flags;
	uint8_t		lr_parent[16];	/* v2 */
	uint16_t	lr_epoch;	/* v2 */
};

struct lease {
	uint32_t		 l_magic;
	LIST_ENTRY(lease)	 l_entry;	/* its table's bucket */
	struct lease_table	*l_table;
	uint8_t			 l_key[16];	/* LeaseKey */
	uint8_t			 l_parent[16];	/* ParentLeaseKey (v2) */
	bool			 l_has_parent;
	uint8_t			 l_version;	/* 1 or 2 (Lease.Version) */
	/* The file (Lease.Filename, kept as its identity: renames keep it). */
	dev_t			 l_dev;
	ino_t			 l_ino;
	uint32_t		 l_state;	/* LeaseState */
	bool			 l_breaking;	/* Breaking */
	uint32_t		 l_break_to;	/* BreakToLeaseState */
	uint32_t		 l_required;	/* what conflicts need */
	uint16_t		 l_epoch;	/* Epoch (v2) */
	struct timer		 l_timer;	/* LeaseBreakTimeout */
	TAILQ_HEAD(, ofile)	 l_opens;	/* LeaseOpens */
	unsigned int		 l_nopens;
	unsigned int		 l_visit;	/* walk stamp (lease.c) */
	bool			 l_close_detached; /* broken, unreachable */
};

/*
 * The grant and break rules (MS-FSA 2.1.5.17 as Windows applies them to
 * leases), as pure functions of lease states.  "Others" are the opens of
 * the file that do not belong to the lease in question.
 */
struct lease_others {
	bool		lo_opens;	/* any other open */
	bool		lo_oplock;	/* another open holds an oplock */
	uint32_t	lo_leases;	/* union of the other leases' states */
	bool		lo_exclusive;	/* an exclusive or batch oplock */
};

/* R, RH, RW, RWH and none are the states a lease can have. */
bool		lease_state_valid(uint32_t);
/* What may be held beside the others. */
uint32_t	lease_allowed(const struct lease_others *);
/* A new lease: the part of the request the others allow. */
uint32_t	lease_grant_new(uint32_t requested,
		    const struct lease_others *);
/*
 * An existing lease asked for again: the request only if it is valid, a
 * strict superset of cur and allowed in full beside the others; else cur.
 */
uint32_t	lease_grant_upgrade(uint32_t cur, uint32_t requested,
		    const struct lease_others *);
/*
 * A holder in state cur meets an open: the state it must break to.  A
 * sharing conflict takes H (the holder may close handles), otherwise W
 * goes; an overwrite takes everything.
 */
uint32_t	lease_break_to(uint32_t cur, bool sharing, bool overwrite);
/* Whether that open must wait for the holder's acknowledgment. */
bool		lease_break_waits(uint32_t cur, uint32_t to, bool sharing);
/* Breaks from W or H need an acknowledgment; R -> none does not. */
bool		lease_break_needs_ack(uint32_t from);
/*
 * After an acknowledgment to acked while the conflicts need required:
 * the next state to ask for, in steps as Windows does (a lease holding
 * W or H keeps R for one more step), or acked itself when done.
 */
uint32_t	lease_next_step(uint32_t acked, uint32_t required);
/* 3.3.5.22.2: the status for an acknowledgment of acked. */
uint32_t	lease_ack_status(bool breaking, uint32_t break_to,
		    uint32_t acked);
/*
 * MS-FSA 2.1.5.1.2.1: an open for attributes, READ_CONTROL or
 * synchronization only breaks no lease unless it overwrites, and
 * (without a lease or oplock of its own) does not keep W from one.
 */
bool		lease_stat_open(uint32_t access);
/* The oplock an open may get beside these leases: none past R. */
uint8_t		lease_oplock_cap(uint8_t level, uint32_t other_leases);

/*
 * 2.2.13.2.8 / 2.2.13.2.10: one RqLs context's data (32 or 52 bytes,
 * else STATUS_INVALID_PARAMETER).
 */
uint32_t	lease_req_parse(struct lease_req *, struct msgbuf_rd *,
		    uint32_t dlen);
/*
 * 3.3.5.9.8 / 3.3.5.9.11: a lease context counts only on 2.1 and 3.x, a
 * v2 one only on 3.x; otherwise lr_version becomes 0 (ignored).
 */
void		lease_req_dialect(const struct conn *, struct lease_req *);
/*
 * 3.3.5.9.8 / 3.3.5.9.11 before the open: decides whether the request
 * is honoured on connection c for the requested oplock level (ignored
 * unless 2.1+, oplock LEASE, v2 only on 3.x: lr_version becomes 0), and
 * refuses a key whose lease is on another file with
 * STATUS_INVALID_PARAMETER.  exists: the file's (dev, ino) are valid.
 */
uint32_t	lease_create_check(const struct conn *, struct lease_req *,
		    uint8_t oplock, bool exists, dev_t, ino_t);
/* The lease of (ClientGuid, LeaseKey), or NULL. */
struct lease	*lease_lookup(const uint8_t guid[16], const uint8_t key[16]);

/*
 * Grants of, just opened with request lr by client guid, a lease
 * (creating it or joining the existing one): SMB2_OPLOCK_LEVEL_LEASE, or
 * SMB2_OPLOCK_LEVEL_NONE for a directory or without memory.
 */
uint8_t		lease_grant(struct ofile *, const uint8_t guid[16],
		    const struct lease_req *);
/*
 * The RqLs response data for of's lease (2.2.14.2.10, or 2.2.14.2.11 for
 * a v2 lease) into buf (LEASE_CTX_V2_LEN bytes); its length, 0 if none.
 */
size_t		lease_response(const struct ofile *, uint8_t *buf);

/*
 * Breaks the leases on fn that conflict with a new open (not those of
 * own): true if the open must wait for an acknowledgment.
 */
bool		lease_break_for_open(struct fnode *, const struct lease *own,
		    bool overwrite, bool sharing);
/* Another open writes (or truncates): R leases of others break to none. */
void		lease_break_for_write(struct fnode *,
		    const struct ofile *writer);
/* Whether a lease on fn is waiting for an acknowledgment. */
bool		lease_file_breaking(const struct fnode *);
/* The union of the states of the leases on fn other than of's. */
uint32_t	lease_others_states(const struct fnode *, const struct ofile *);

/*
 * Hooks for the open's life cycle.  lease_open_attach() adds of to l's
 * opens; lease_open_detach() takes it off (ofile_close() through
 * oplock_close()) and frees the lease with its last open.  Durable code
 * keeps a disconnected open attached; a reconnect needs nothing more.
 */
void		lease_open_attach(struct lease *, struct ofile *);
void		lease_open_detach(struct ofile *);
/*
 * For durable handles: whether of holds a lease with handle caching that
 * no break in progress takes away (3.3.5.9.6, 3.3.7.1).
 */
bool		lease_handle_held(const struct ofile *);
/*
 * 3.3.5.9.7 / 3.3.5.9.12 reconnect checks of a lease request (whatever
 * RequestedOplockLevel says) against the open being reclaimed by a client
 * with ClientGuid guid, whose request names path (NULL: not compared):
 * 0; STATUS_OBJECT_NAME_NOT_FOUND when a lease context is missing, extra,
 * of another key or client; STATUS_INVALID_PARAMETER for another name.
 */
uint32_t	lease_reconnect_check(const struct ofile *,
		    const uint8_t guid[16], const struct lease_req *,
		    const char *path);

/* OPLOCK_BREAK with a lease acknowledgment (3.3.5.22.2), 36 bytes. */
uint32_t	lease_break_ack(struct smb_req *);
/* Leases in all tables (tests, admin). */
size_t		lease_count(void);

#endif
