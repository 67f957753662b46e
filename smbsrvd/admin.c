/*
 * admin.c — copies of server state for the management plane (admin.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "clock.h"
#include "log.h"
#include "server.h"

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

int
admin_server_info(struct admin_server *as)
{
	const struct conf *cf = server.sv_conf;
	const uint8_t *g = server.sv_guid;
	int i;

	memset(as, 0, sizeof(*as));
	if (gethostname(as->name, sizeof(as->name) - 1) == -1)
		copy(as->name, sizeof(as->name), "localhost");
	copy(as->version, sizeof(as->version), SMBSRVD_VERSION);
	/* GUID text: the first three fields are little-endian on the wire. */
	snprintf(as->guid, sizeof(as->guid),
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
	    g[10], g[11], g[12], g[13], g[14], g[15]);
	as->start = server.sv_start_real;
	as->uptime_ms = clock_mono_ms() - server.sv_start_mono;
	as->log_level = log_getlevel();
	as->nconnections = server.sv_nconns;
	as->reloads = server.sv_reloads;
	if (cf == NULL)
		return 0;
	copy(as->config_file, sizeof(as->config_file), cf->cf_file);
	copy(as->state_dir, sizeof(as->state_dir), cf->cf_state_dir);
	for (i = 0; i < cf->cf_nsmb_listen && i < ADMIN_MAX_LISTEN; i++)
		copy(as->smb_listen[i], sizeof(as->smb_listen[i]),
		    cf->cf_smb_listen[i].ca_text);
	as->nsmb_listen = i;
	copy(as->admin_socket, sizeof(as->admin_socket), cf->cf_admin_socket);
	if (cf->cf_admin_listen_on)
		copy(as->admin_listen, sizeof(as->admin_listen),
		    cf->cf_admin_listen.ca_text);
	as->nshares = (unsigned int)cf->cf_nshares;
	return 0;
}
