/*
 * srvs.h — the MS-SRVS local events (MS-SRVS 3.1.6.x) and ServerStatistics.
 *
 * Every registration and deregistration of a session, tree connect or open
 * passes through here, and nothing else changes ServerStatistics or
 * Share.CurrentUses.  Global ids (SessionGlobalId, TreeGlobalId,
 * FileGlobalId) are handed out here, unique for the life of the process
 * and never reused, so an administrator's id never names a newer object.
 */
#ifndef SMBSRVD_SRVS_H
#define SMBSRVD_SRVS_H

#include <stdbool.h>
#include <stdint.h>

struct ofile;
struct session;
struct share;
struct tree;

/*
 * STAT_SERVER_0 (MS-SRVS 2.2.4.39).  Kept 64 bits wide; the wire form
 * truncates as the spec's DWORDs do (bytes as low/high pairs).
 */
struct srvs_stats {
	int64_t		st_start;	/* sts0_start, seconds since 1970 */
	uint64_t	st_fopens;	/* cumulative */
	uint64_t	st_devopens;
	uint64_t	st_jobsqueued;
	uint64_t	st_sopens;	/* gauge: sessions in the table */
	uint64_t	st_stimedout;
	uint64_t	st_serrorout;
	uint64_t	st_pwerrors;
	uint64_t	st_permerrors;
	uint64_t	st_syserrors;
	uint64_t	st_bytessent;
	uint64_t	st_bytesrcvd;
	uint64_t	st_avresponse;
	uint64_t	st_reqbufneed;
	uint64_t	st_bigbufneed;
};

extern struct srvs_stats srvs_stats;

void		srvs_init(int64_t start_time);
/* 3.1.6.2 / 3.1.6.3: a session enters / leaves GlobalSessionTable. */
uint32_t	srvs_session_register(struct session *);
void		srvs_session_deregister(struct session *);
/*
 * 3.1.6.15 then 3.1.6.6, as one step (MS-SMB2 3.3.5.7 asks for the use
 * check and the increment together): 0 and a TreeGlobalId, or
 * STATUS_REQUEST_NOT_ACCEPTED when the share is at MaxUses.
 */
uint32_t	srvs_tree_register(struct share *, uint32_t *global_id);
/* 3.1.6.7 */
void		srvs_tree_deregister(struct share *);
/* 3.1.6.4 / 3.1.6.5: an open enters / leaves the FileList. */
uint32_t	srvs_file_register(struct ofile *);
void		srvs_file_deregister(struct ofile *);
/* Counters the protocol bumps at the moments MS-SMB2 names. */
void		srvs_pwerror(void);
void		srvs_permerror(void);
void		srvs_session_timedout(void);	/* sts0_stimedout */
void		srvs_bytes_received(uint64_t);
void		srvs_bytes_sent(uint64_t);

#endif
