/*
 * smb2_negotiate.h — dialects, capabilities and limits (MS-SMB2 2.2.3).
 */
#ifndef SMBSRVD_SMB2_NEGOTIATE_H
#define SMBSRVD_SMB2_NEGOTIATE_H

#include <stdint.h>

#include "msgbuf.h"

#define SMB2_DIALECT_202	0x0202
#define SMB2_DIALECT_210	0x0210
#define SMB2_DIALECT_300	0x0300
#define SMB2_DIALECT_302	0x0302
#define SMB2_DIALECT_311	0x0311
#define SMB2_DIALECT_WILDCARD	0x02ff

#define SMB2_NEGOTIATE_SIGNING_ENABLED	0x0001
#define SMB2_NEGOTIATE_SIGNING_REQUIRED	0x0002

#define SMB2_GLOBAL_CAP_DFS			0x00000001
#define SMB2_GLOBAL_CAP_LEASING			0x00000002
#define SMB2_GLOBAL_CAP_LARGE_MTU		0x00000004
#define SMB2_GLOBAL_CAP_MULTI_CHANNEL		0x00000008
#define SMB2_GLOBAL_CAP_PERSISTENT_HANDLES	0x00000010
#define SMB2_GLOBAL_CAP_DIRECTORY_LEASING	0x00000020
#define SMB2_GLOBAL_CAP_ENCRYPTION		0x00000040

/* MaxTransactSize, MaxReadSize, MaxWriteSize: 8 MiB (large MTU). */
#define SMB2_MAX_TRANSACT	(8u * 1024 * 1024)
#define SMB2_MAX_READ		(8u * 1024 * 1024)
#define SMB2_MAX_WRITE		(8u * 1024 * 1024)

struct smb_req;

const char	*smb2_dialect_name(uint16_t);
uint32_t	 smb2_validate_negotiate(struct smb_req *, struct msgbuf_rd *in,
		    struct msgbuf_wr *out);

#endif
