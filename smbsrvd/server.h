/*
 * server.h — the global server state (MS-SMB2 3.3.1.5).
 *
 * One instance, owned by the loop thread.  The protocol issues add the
 * GlobalSessionTable, GlobalOpenTable and ShareList here; the transport
 * keeps ConnectionList.
 */
#ifndef SMBSRVD_SERVER_H
#define SMBSRVD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "idtab.h"
#include "queue.h"
#include "share.h"

struct conn;
struct listener;
struct ofile;
struct userdb;

struct server {
	struct conf		*sv_conf;	/* current snapshot */
	uint8_t			 sv_guid[16];	/* ServerGuid */
	struct timespec		 sv_start_real;	/* ServerStartTime */
	uint64_t		 sv_start_mono;
	TAILQ_HEAD(, conn)	 sv_conns;	/* ConnectionList */
	unsigned int		 sv_nconns;
	uint64_t		 sv_conn_ids;	/* last connection id given */
	LIST_HEAD(, listener)	 sv_listeners;
	struct share_list	 sv_shares;	/* ShareList */
	TAILQ_HEAD(, session)	 sv_sessions;	/* GlobalSessionTable */
	struct idtab		 sv_session_ids;
	TAILQ_HEAD(, ofile)	 sv_opens;	/* GlobalOpenTable */
	struct idtab		 sv_open_ids;	/* by persistent FileId */
	struct userdb		*sv_users;	/* NULL: none could be read */
	bool			 sv_stopping;
	uint64_t		 sv_reloads;
	int			 sv_pid_fd;	/* locked pid file, -1 */
};

extern struct server	 server;

/* Fills the fields that do not depend on configuration. */
void	server_init(void);
/*
 * Start-up with the first snapshot (taken): creates the state directory
 * and the share folders inside it, locks the pid file, opens the SMB and
 * admin listeners.  -1 (logged) if the server cannot run.
 */
int	server_start(struct conf *);
/* After daemonizing: records our pid in the locked pid file. */
int	server_write_pid(void);
/*
 * SIGHUP: a new, already validated snapshot (taken) replaces the current
 * one; listeners and the log level follow it.  Settings that need a
 * restart (state directory, pid file) keep their old value, with a
 * warning.
 */
void	server_reload(struct conf *);
/*
 * The admin plane rewrote the configuration file (conf_write.h) and
 * parsed it into cf (taken): cf becomes the snapshot and its shares are
 * applied.  Settings read at each use (signing, encryption, guest
 * mapping) follow the file as a reload would; listeners, the user
 * database and the log level wait for the next reload: this runs inside
 * an HTTP request, whose listener must stay.
 */
void	server_apply_shares(struct conf *);
/*
 * (Re)reads the user database named by the configuration; on failure the
 * previous one stays.  0 or -1 (logged).
 */
int	server_load_users(const struct conf *);
/* Closes connections and listeners, removes the pid file and socket. */
void	server_shutdown(void);

#endif
