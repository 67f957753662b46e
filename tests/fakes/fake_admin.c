/*
 * fake_admin.c — replaces smbsrvd/admin.c in unit tests of the REST API:
 * admin_server_info() answers fixed data, so rpc/ tests need no server.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"

int
admin_server_info(struct admin_server *as)
{
	memset(as, 0, sizeof(*as));
	snprintf(as->name, sizeof(as->name), "testhost");
	snprintf(as->version, sizeof(as->version), "0.0.0-test");
	snprintf(as->guid, sizeof(as->guid),
	    "6f1b0c8e-3d2a-4e5f-9a7b-1c2d3e4f5a6b");
	as->start.tv_sec = 1795000000;
	as->start.tv_nsec = 250000000;
	as->uptime_ms = 61000;
	snprintf(as->state_dir, sizeof(as->state_dir), "/var/lib/smbsrvd");
	snprintf(as->smb_listen[0], sizeof(as->smb_listen[0]), "0.0.0.0:445");
	snprintf(as->smb_listen[1], sizeof(as->smb_listen[1]), "[::]:445");
	as->nsmb_listen = 2;
	snprintf(as->admin_socket, sizeof(as->admin_socket),
	    "/var/lib/smbsrvd/smbsrvd.sock");
	as->log_level = 1;
	as->nconnections = 3;
	as->nshares = 2;
	as->reloads = 4;
	return 0;
}
