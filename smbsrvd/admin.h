/*
 * admin.h — the only door into the server for the management plane.
 *
 * The REST API, smbctl (through the API) and the web UI read the server
 * through these functions: records are copies, commands name objects by
 * id, errors are errno values.  Callbacks must not re-enter admin_*.
 * Everything here runs on the loop thread.
 */
#ifndef SMBSRVD_ADMIN_H
#define SMBSRVD_ADMIN_H

#include <stdint.h>
#include <time.h>

#define ADMIN_MAX_LISTEN	16

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
};

int	admin_server_info(struct admin_server *);

#endif
