/*
 * oplock.h — oplocks (MS-SMB2 3.3.1.10 OplockLevel/OplockState, 3.3.4.6,
 * 3.3.5.9 oplock grant, 3.3.5.22.1 acknowledgment; MS-FSA 2.1.5.17).
 *
 * Per open:  NONE --grant--> HELD --conflicting open--> BREAKING
 *            BREAKING --ack, 35 s timeout, close--> HELD at the lower
 *            level, or NONE.
 * A level II oplock breaks to none without an acknowledgment (2.2.24.1).
 *
 * A CREATE that meets an exclusive or batch oplock of another open waits:
 * the holder is sent a break notification and the CREATE goes async
 * (smb2_async.h) on the file's wait list; when no open of the file is
 * still breaking, each waiting CREATE runs again from its saved request.
 * Leases (lease.h) break by the same rules and use the same wait list: a
 * CREATE waits for a lease break that takes W (or H, on a sharing
 * conflict) until no oplock or lease of the file is breaking.
 */
#ifndef SMBSRVD_OPLOCK_H
#define SMBSRVD_OPLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define SMB2_OPLOCK_LEVEL_NONE		0x00
#define SMB2_OPLOCK_LEVEL_II		0x01
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE	0x08
#define SMB2_OPLOCK_LEVEL_BATCH		0x09
#define SMB2_OPLOCK_LEVEL_LEASE		0xff

/* Windows waits 35 s for an acknowledgment (MS-SMB2 3.3.2.1, <224>). */
#define OPLOCK_BREAK_TIMEOUT_MS		35000

enum oplock_state { OPLOCK_NONE, OPLOCK_HELD, OPLOCK_BREAKING };

struct fnode;
struct lease_req;
struct ofile;
struct smb_req;

/*
 * Before an open of fn: 0 if nothing stands in the way, or
 * STATUS_PENDING when exclusive or batch holders, or leases with W (H on
 * a sharing conflict), were told to break and the CREATE r must wait (it
 * was made async and queued on fn).
 * overwrite: the new open truncates, so holders break to none.
 * sharing: the share-mode check failed; only a batch oplock or a lease's
 * H is broken then (its holder may close), and without one the caller
 * refuses.  access: the open's DesiredAccess (a stat open that does not
 * overwrite breaks nothing: oplock_stat_open(), lease_stat_open()).  lr:
 * the CREATE's lease request, whose own lease never breaks.  A
 * disconnected open whose oplock must break is closed instead
 * (ofile_close_soon()), and the create waits for that.
 */
uint32_t	oplock_break_for_open(struct smb_req *, struct fnode *,
		    struct ofile *self, bool overwrite, bool sharing,
		    uint32_t access, const struct lease_req *lr);
/*
 * The IRP_MJ_CREATE rule Windows documents: an open for attributes or
 * synchronization only (not READ_CONTROL, unlike lease_stat_open())
 * breaks no oplock.
 */
bool		oplock_stat_open(uint32_t access);
/*
 * The level the new open of (already registered) of gets; for
 * SMB2_OPLOCK_LEVEL_LEASE, the lease lr asks for (lease_grant()).
 */
uint8_t		oplock_grant(struct ofile *of, uint8_t requested,
		    const struct lease_req *lr);
/* A break ended somewhere: waiting creates are looked at again. */
void		oplock_waiters_kick(void);
/*
 * Another open writes: level II holders drop to none (no ack), leases of
 * other keys lose R (lease_break_for_write()).
 */
void		oplock_break_level2(struct fnode *, struct ofile *writer);
/* of closes: its oplock ends, it leaves its lease; waiters proceed. */
void		oplock_close(struct ofile *);
/* OPLOCK_BREAK acknowledgment: oplock (3.3.5.22.1) or lease (3.3.5.22.2). */
uint32_t	smb2_oplock_break(struct smb_req *);

#endif
