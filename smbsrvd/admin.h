/*
 * admin.h — the only door into the server for the management plane.
 *
 * The REST API, smbctl (through the API) and the web UI read the server
 * through these functions: records are copies, commands name objects by
 * global id, errors are errno values (0, ENOENT for an id that names
 * nothing live, ENOMEM).  Callbacks must not re-enter admin_*; they
 * return 0 to go on and non-zero to stop.  Everything here runs on the
 * loop thread.
 *
 * Listings are streamed in global id order (connection id for
 * connections, name for shares) starting after a cursor, so a caller
 * pages through 100 000 opens without anything being built whole.  The
 * tables walked keep registration order, which is id order: ids only
 * grow (srvs.c) and every table appends.
 *
 * Every action (close a session, tree connect or open, drop a
 * connection) is logged with who asked ("via unix socket") and appended
 * to the event ring; a dry run reports the same impact and changes
 * nothing.
 */
#ifndef SMBSRVD_ADMIN_H
#define SMBSRVD_ADMIN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "events.h"

struct ofile;
struct session;
struct share;

#define ADMIN_MAX_LISTEN	16
#define ADMIN_USER_LEN		769	/* 256 UTF-16 units as UTF-8 */
#define ADMIN_CLIENT_LEN	64
#define ADMIN_SHARE_LEN		81	/* CONF_NAME_MAX + 1 */
#define ADMIN_PATH_LEN		4096
#define ADMIN_COMMENT_LEN	256
#define ADMIN_DIALECT_LEN	8
/* 2.0.2 2.1 3.0 3.0.2 3.1.1, then anything else. */
#define ADMIN_NDIALECTS		6

struct admin_server {
	char		name[64];		/* host name */
	char		version[32];
	char		guid[40];		/* canonical text form */
	struct timespec	start;			/* wall clock */
	uint64_t	uptime_ms;
	char		config_file[256];	/* "" = embedded default */
	char		state_dir[256];
	char		smb_listen[ADMIN_MAX_LISTEN][80];
	int		nsmb_listen;
	char		admin_socket[256];
	char		admin_listen[80];	/* "" = no TCP listener */
	int		log_level;
	unsigned int	nconnections;
	unsigned int	nshares;
	uint64_t	reloads;
	/* The configured timeouts (smbsrvd.conf(5)), ms. */
	uint32_t	durable_timeout_ms;
	uint32_t	durable_timeout_max_ms;
	uint32_t	resilient_timeout_ms;
	uint32_t	resilient_timeout_max_ms;
};

int	admin_server_info(struct admin_server *);

/*
 * STAT_SERVER_0 (MS-SRVS 2.2.4.39), 64 bits wide (the API truncates to
 * the spec's DWORDs), then our own counters.
 */
struct admin_stats {
	int64_t		start;		/* sts0_start, seconds since 1970 */
	uint64_t	fopens;
	uint64_t	devopens;
	uint64_t	jobsqueued;
	uint64_t	sopens;
	uint64_t	stimedout;
	uint64_t	serrorout;
	uint64_t	pwerrors;
	uint64_t	permerrors;
	uint64_t	syserrors;
	uint64_t	bytessent;
	uint64_t	bytesrcvd;
	uint64_t	avresponse;
	uint64_t	reqbufneed;
	uint64_t	bigbufneed;

	unsigned int	connections;	/* ConnectionList */
	unsigned int	sessions;	/* GlobalSessionTable */
	unsigned int	sessions_by_dialect[ADMIN_NDIALECTS];
	unsigned int	trees;		/* TreeConnectList */
	unsigned int	opens;		/* GlobalOpenTable, detached too */
	uint64_t	events_last_seq;
};

int		 admin_statistics(struct admin_stats *);
/* "2.0.2" ... "3.1.1", "unknown"; i < ADMIN_NDIALECTS. */
const char	*admin_dialect_name(int i);

/* A transport connection (MS-SMB2 3.3.1.7, ConnectionList). */
struct admin_conn {
	uint64_t	id;
	char		client[ADMIN_CLIENT_LEN];	/* "addr:port" */
	char		server[ADMIN_CLIENT_LEN];	/* our end */
	char		dialect[ADMIN_DIALECT_LEN];	/* "": not negotiated */
	bool		closing;	/* flushing its last output */
	struct timespec	since;
	uint64_t	age_ms;
	uint64_t	messages_in;
	uint64_t	output_queued;	/* bytes */
	unsigned int	nsessions;	/* channels bound here */
};

/* A session (SESSION_INFO_502, MS-SMB2 3.3.4.18). */
struct admin_session {
	uint64_t	id;			/* SessionGlobalId */
	uint64_t	smb_id;			/* SessionId on the wire */
	uint64_t	conn_id;		/* Session.Connection, 0 none */
	char		state[16];		/* in_progress valid expired */
	char		user[ADMIN_USER_LEN];	/* "" until authenticated */
	char		domain[ADMIN_USER_LEN];
	char		client[ADMIN_CLIENT_LEN];
	char		dialect[ADMIN_DIALECT_LEN];
	char		transport[16];
	unsigned int	nopens;			/* Session.OpenTable */
	unsigned int	ntrees;
	unsigned int	nchannels;
	struct timespec	since;			/* CreationTime */
	uint64_t	connected_ms;		/* sesi502_time */
	uint64_t	idle_ms;		/* sesi502_idle_time */
	bool		guest, anonymous, encrypted, signing;
	uint32_t	user_flags;		/* MS-SRVS 2.2.2.3 SESS_* */
};

/* A tree connect (CONNECTION_INFO_1, MS-SMB2 3.3.4.19). */
struct admin_tree {
	uint64_t	id;			/* TreeGlobalId */
	uint64_t	session_id;		/* SessionGlobalId */
	uint32_t	smb_id;			/* TreeId on the wire */
	char		share[ADMIN_SHARE_LEN];	/* coni1_netname */
	uint32_t	share_type;		/* coni1_type, STYPE_* */
	unsigned int	nopens;			/* coni1_num_opens */
	char		user[ADMIN_USER_LEN];	/* coni1_username */
	char		client[ADMIN_CLIENT_LEN];
	struct timespec	since;
	uint64_t	connected_ms;		/* coni1_time */
	uint32_t	maximal_access;
	bool		encrypted;
};

/* An open (FILE_INFO_3, MS-SMB2 3.3.4.20). */
struct admin_open {
	uint64_t	id;			/* FileGlobalId */
	uint64_t	session_id;		/* 0 when detached */
	uint64_t	tree_id;		/* 0 when detached */
	uint64_t	persistent, volatile_id;	/* FileId */
	bool		detached;		/* kept for a reconnect */
	char		path[ADMIN_PATH_LEN];	/* in the share, '/' */
	char		local_path[ADMIN_PATH_LEN];	/* fi3_pathname */
	char		share[ADMIN_SHARE_LEN];
	char		user[ADMIN_USER_LEN];	/* fi3_username */
	char		client[ADMIN_CLIENT_LEN];
	bool		is_directory;
	uint32_t	access;			/* GrantedAccess */
	uint32_t	share_access;
	uint8_t		oplock;			/* SMB2_OPLOCK_LEVEL_* */
	unsigned int	nlocks;			/* fi3_num_locks */
	bool		delete_on_close;
	struct timespec	since;
	uint64_t	open_ms;
	/* "durable_v1", "durable_v2", "resilient", or "" (neither). */
	char		durability[16];
	uint32_t	durable_timeout_ms;	/* or the resiliency timeout */
	/* Open.Lease (MS-SMB2 3.3.1.13), when has_lease. */
	bool		has_lease;
	char		lease_key[33];		/* wire bytes as hex */
	uint8_t		lease_version;		/* 1 or 2 */
	uint32_t	lease_state;		/* SMB2_LEASE_* caching */
	bool		lease_breaking;
	uint32_t	lease_break_to;		/* while breaking */
	uint16_t	lease_epoch;		/* v2 */
};

/* A share (SHARE_INFO_502, MS-SMB2 3.3.4.16). */
struct admin_share {
	char		name[ADMIN_SHARE_LEN];
	char		path[ADMIN_PATH_LEN];	/* "" for IPC$ */
	char		comment[ADMIN_COMMENT_LEN];
	uint32_t	type;			/* STYPE_* */
	bool		read_only, guest_ok, encrypt;
	uint32_t	max_uses;		/* 0xFFFFFFFF unlimited */
	uint32_t	current_uses;
	uint32_t	durable_timeout_ms;
};

/* What an action closes, told one object at a time. */
enum admin_kind {
	ADMIN_CONN,
	ADMIN_SESSION,
	ADMIN_TREE,
	ADMIN_OPEN,
	ADMIN_KEPT	/* an open detached for the scavenger, not closed */
};
#define ADMIN_NKINDS	5
typedef int	(*admin_impact_fn)(enum admin_kind, uint64_t id, void *);

/* Filters: NULL or 0 members match everything. */
struct admin_session_filter {
	const char	*user;		/* case-insensitive */
	const char	*client;	/* "addr" or "addr:port" */
	const char	*dialect;	/* "3.1.1" */
};

struct admin_tree_filter {
	uint64_t	 session;
	const char	*share;
	const char	*user;
	const char	*client;
};

/* Three-way filter members: 0 (ADMIN_ANY) matches everything. */
enum admin_tristate {
	ADMIN_ANY,
	ADMIN_YES,
	ADMIN_NO
};

struct admin_open_filter {
	uint64_t	 session;
	const char	*share;
	const char	*user;
	const char	*path;		/* prefix of the path in the share */
	enum admin_tristate detached;
	enum admin_tristate durable;	/* durable v1 or v2 */
	enum admin_tristate resilient;
};

int	admin_conn_list(uint64_t after,
	    int (*)(const struct admin_conn *, void *), void *);
int	admin_conn_get(uint64_t id, struct admin_conn *);
/*
 * Drops the connection at once (its sessions end as on a lost connection,
 * MS-SMB2 3.3.7.1).  fn learns the sessions that end with it.
 */
int	admin_conn_drop(uint64_t id, bool dry_run, const char *by,
	    admin_impact_fn, void *);

int	admin_session_list(const struct admin_session_filter *,
	    uint64_t after, int (*)(const struct admin_session *, void *),
	    void *);
int	admin_session_get(uint64_t id, struct admin_session *);
/* The session's tree connects and opens (ENOENT: no such session). */
int	admin_session_trees(uint64_t id, uint64_t after,
	    int (*)(const struct admin_tree *, void *), void *);
int	admin_session_opens(uint64_t id, uint64_t after,
	    int (*)(const struct admin_open *, void *), void *);
/*
 * MS-SMB2 3.3.4.12: every open closed (durable ones too), every tree
 * connect deregistered, the session deregistered; the client's next
 * request gets STATUS_USER_SESSION_DELETED.  fn learns each open and tree
 * connect first, then the session.  keep_durable: the client-logoff
 * semantics of 3.3.5.6 instead: durable and resilient opens are detached
 * for the scavenger (fn learns them as ADMIN_KEPT), the others close.
 */
int	admin_session_close(uint64_t id, bool dry_run, bool keep_durable,
	    const char *by, admin_impact_fn, void *);

int	admin_tree_list(const struct admin_tree_filter *, uint64_t after,
	    int (*)(const struct admin_tree *, void *), void *);
int	admin_tree_get(uint64_t id, struct admin_tree *);
/* MS-SMB2 3.3.5.8 steps 2-3, as if the client had disconnected. */
int	admin_tree_close(uint64_t id, bool dry_run, const char *by,
	    admin_impact_fn, void *);

int	admin_open_list(const struct admin_open_filter *, uint64_t after,
	    int (*)(const struct admin_open *, void *), void *);
int	admin_open_get(uint64_t id, struct admin_open *);
/*
 * MS-SMB2 3.3.4.17 (NetrFileClose), detached opens too; the client's
 * next request on the handle gets STATUS_FILE_CLOSED.
 */
int	admin_open_close(uint64_t id, bool dry_run, const char *by,
	    admin_impact_fn, void *);

/* Shares in name order (case-insensitive), after the name "after". */
int	admin_share_list(const char *after,
	    int (*)(const struct admin_share *, void *), void *);
int	admin_share_get(const char *name, struct admin_share *);

/*
 * Share changes (NetrShareAdd, NetrShareSetInfo, NetrShareDel).  What is
 * not set keeps its value (or, for a new share, the smbsrvd.conf(5)
 * default).  Each change rewrites the share's section of the
 * configuration file atomically (conf_write.h) and then applies the new
 * file's shares, so the change is live at once and kept across restarts.
 * Errors: EINVAL (a value refused; err says which), EEXIST (a share of
 * that name), ENOENT, EBUSY (IPC$, or no configuration file: the
 * embedded default is running), or the errno of reading or writing the
 * file.  err (at most errlen bytes) says what went wrong for people.
 */
struct admin_share_spec {
	const char	*name;		/* add only */
	const char	*path;		/* NULL: keep */
	const char	*comment;	/* NULL: keep */
	int		 read_only;	/* -1: keep, else 0 or 1 */
	int		 guest_ok;
	int		 encrypt;	/* 1 required, 0 desired */
	int64_t		 max_uses;	/* -1 keep, 0 unlimited, 1-16777215 */
	int64_t		 durable_timeout_ms;	/* -1 keep; up to the max */
};
/* A spec that changes nothing. */
void	admin_share_spec_init(struct admin_share_spec *);
int	admin_share_add(const struct admin_share_spec *, const char *by,
	    struct admin_share *out, char *err, size_t errlen);
int	admin_share_set(const char *name, const struct admin_share_spec *,
	    const char *by, struct admin_share *out, char *err, size_t errlen);
/*
 * MS-SMB2 3.3.4.15 (the server application deregisters a share): the
 * section leaves the file, every tree connect to the share is closed
 * with its opens, and so is every detached open on it; fn learns each.
 */
int	admin_share_remove(const char *name, bool dry_run, const char *by,
	    admin_impact_fn, void *, char *err, size_t errlen);

/* A user of the user database; the hash never leaves the server. */
#define ADMIN_UNAME_LEN		65	/* USERDB_NAME_MAX + 1 */
#define ADMIN_PASSWORD_MAX	256	/* characters */
struct admin_user {
	char		name[ADMIN_UNAME_LEN];
	bool		enabled;
};

/* Users in name order (ASCII case ignored), after the name "after". */
int	admin_user_list(const char *after,
	    int (*)(const struct admin_user *, void *), void *);
int	admin_user_get(const char *name, struct admin_user *);
/*
 * The user database file is replaced atomically (userdb_save()) before
 * the change counts; a failed write leaves the server as it was.  A new
 * or changed user logs on with the new state at once.  Errors: EINVAL
 * (name or password refused), EEXIST, ENOENT, EBUSY (the database could
 * not be read at start or reload, so it is not overwritten), or the
 * errno of the write.
 */
int	admin_user_add(const char *name, const char *password, bool enabled,
	    const char *by, struct admin_user *out, char *err, size_t errlen);
/* password NULL: keep; enabled -1: keep. */
int	admin_user_set(const char *name, const char *password, int enabled,
	    const char *by, struct admin_user *out, char *err, size_t errlen);
int	admin_user_remove(const char *name, const char *by,
	    struct admin_user *out, char *err, size_t errlen);

/*
 * The scavenger: disconnected durable and resilient opens (ofile.h,
 * OFILE_DISCONNECTED) waiting for their client until their deadline.
 * The id is the open's FileGlobalId.
 */
struct admin_scav {
	uint64_t	id;
	char		path[ADMIN_PATH_LEN];
	char		share[ADMIN_SHARE_LEN];
	char		reason[16];		/* durable_v1 v2 resilient */
	uint32_t	timeout_ms;
	struct timespec	deadline;
	uint64_t	remaining_ms;
	struct timespec	disconnected;
	char		client[ADMIN_CLIENT_LEN];	/* "" unknown */
	char		client_guid[40];
	char		user[ADMIN_USER_LEN];	/* DurableOwner */
	char		create_guid[40];	/* "" unless durable v2 */
};

/* MS-SMB2 3.3.2.2 / 3.3.2.4: the earliest deadline of each kind. */
struct admin_scav_timer {
	unsigned int	pending;
	bool		running;
	struct timespec	next;
	uint64_t	remaining_ms;
};

int	admin_scav_timers(struct admin_scav_timer *durable,
	    struct admin_scav_timer *resilient);
int	admin_scav_list(uint64_t after,
	    int (*)(const struct admin_scav *, void *), void *);
int	admin_scav_get(uint64_t id, struct admin_scav *);
/*
 * Expires a pending open now, as its deadline would: open.expired with
 * who asked, then the close.  ENOENT if it is not pending.
 */
int	admin_scav_expire(uint64_t id, bool dry_run, const char *by);
/*
 * A later deadline, remaining_ms from now.  EALREADY if that is not
 * later than the deadline it has (MS-SMB2's timeouts are minimums),
 * ENOENT if it is not pending.
 */
int	admin_scav_extend(uint64_t id, uint64_t remaining_ms, const char *by,
	    struct admin_scav *out);

/*
 * SMB2 requests by command: counts, time histogram (bounds in seconds,
 * buckets not cumulative, over = above the last bound; an async request
 * observed at its final answer), requests cancelled by the client (not
 * in the histogram), and the error statuses answered.  From reqstats.c
 * (reqstats.h says what is counted), for /metrics.
 */
#define ADMIN_LAT_BUCKETS	12
#define ADMIN_NCMDS		19
#define ADMIN_NERRORS		64
struct admin_reqstats {
	double		bounds[ADMIN_LAT_BUCKETS];
	struct {
		char		name[24];	/* "READ" */
		uint64_t	count, sum_ns, over;
		uint64_t	bucket[ADMIN_LAT_BUCKETS];
		uint64_t	cancelled;
	} cmd[ADMIN_NCMDS];
	unsigned int	nerrors;
	struct {
		uint32_t	status;
		uint64_t	count;
	} errors[ADMIN_NERRORS];
	uint64_t	errors_other;	/* statuses past the table */
};
int	admin_reqstats(struct admin_reqstats *);

/*
 * For ofile.c: a pending open reached its deadline; appends open.expired
 * (by NULL: the scavenger itself).
 */
void	admin_track_expired(struct ofile *, const char *by);

/*
 * The event ring (events.h) as the management plane reads it: records
 * are complete when they reach fn.
 */
uint64_t admin_events_since(uint64_t seq,
	    int (*)(const struct event *, void *), void *);
uint64_t admin_events_last_seq(void);
uint64_t admin_events_first_seq(void);
void	admin_events_subscribe(struct events_sub *, events_fn, void *);
void	admin_events_unsubscribe(struct events_sub *);

/*
 * For srvs.c only: every MS-SRVS registration and deregistration passes
 * here, so admin.c keeps its global id index and appends the event.
 * srvs_tree_register()/srvs_tree_deregister() are not given the tree, so
 * a tree connect is known by share and id at first (and by share alone
 * when it goes); see admin.c.
 */
void	admin_track_session(struct session *, uint32_t id, bool registered);
void	admin_track_tree(struct share *, uint32_t id, bool registered);
void	admin_track_open(struct ofile *, uint32_t id, bool registered);
/* Forgets the index (shutdown, tests). */
void	admin_track_clear(void);

#endif
