/*
 * smb2_dispatch.h — from a whole transport message to SMB2 handlers.
 */
#ifndef SMBSRVD_SMB2_DISPATCH_H
#define SMBSRVD_SMB2_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

struct conn;
struct smb2_hdr;

/* The conn_msg_fn for SMB connections; takes msg. */
void	smb2_conn_input(struct conn *, uint8_t *msg, size_t len);
/* The conn_gone_fn: the connection is gone (MS-SMB2 3.3.7.1). */
void	smb2_conn_gone(struct conn *);
/* Sends an SMB2 ERROR response (2.2.2) for the request header req. */
int	smb2_send_error(struct conn *, const struct smb2_hdr *req,
	    uint32_t status);

#endif
