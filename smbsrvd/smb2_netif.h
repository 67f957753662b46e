/*
 * smb2_netif.h — FSCTL_QUERY_NETWORK_INTERFACE_INFO (MS-SMB2 3.3.5.15.11;
 * smb2_netif.c).
 */
#ifndef SMBSRVD_SMB2_NETIF_H
#define SMBSRVD_SMB2_NETIF_H

#include <stdint.h>

#include "msgbuf.h"

#define FSCTL_QUERY_NETWORK_INTERFACE_INFO	0x001401FCu

struct smb_req;

/* The NETWORK_INTERFACE_INFO list (2.2.32.5) into out; a status. */
uint32_t	netif_query(struct smb_req *, uint32_t maxout,
		    struct msgbuf_wr *out);

#endif
