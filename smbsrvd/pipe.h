/*
 * pipe.h — named pipes on IPC$ (MS-SMB2 3.3.5.9, 3.3.5.12, 3.3.5.13,
 * 3.3.5.15.1; MS-FSCC 2.3.49 FSCTL_PIPE_TRANSCEIVE).
 *
 * A pipe open is an ordinary open (ofile.h): ofile_open() registers it
 * (MS-SRVS 3.1.6.4, so sts0_fopens counts it, as MS-SRVS 2.2.4.39 says
 * named-pipe opens are counted, and sts0_devopens stays 0), it is listed
 * by admin_open_list() and NetrFileEnum, and ofile_close() ends it.  Its
 * descriptor is an anonymous memory file, which gives every pipe open an
 * inode of its own, so share modes never tie two pipe opens together and
 * the file-layer handlers that run on it touch nothing on disk.  The
 * struct pipe hangs off the open (of_pipe) and is freed with it.
 *
 * Life cycle: PIPE created with the open --last ofile_rele--> freed.  A
 * DCE/RPC protocol error makes it dead: reads drain what was answered,
 * then everything fails with STATUS_PIPE_DISCONNECTED.
 *
 * The pipe is message mode: every DCE/RPC fragment the server answers is
 * one message; READ returns at most one message, and what does not fit
 * stays for the next READ with STATUS_BUFFER_OVERFLOW (MS-SMB2 3.3.5.12,
 * MS-FSA 2.1.5.2).
 */
#ifndef SMBSRVD_PIPE_H
#define SMBSRVD_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"

struct ofile;
struct pipe;
struct smb_req;

#ifndef STATUS_PIPE_BUSY
#define STATUS_PIPE_BUSY		0xC00000AEu
#endif
#ifndef STATUS_PIPE_DISCONNECTED
#define STATUS_PIPE_DISCONNECTED	0xC00000B0u
#endif
#ifndef STATUS_PIPE_EMPTY
#define STATUS_PIPE_EMPTY		0xC00000D9u
#endif

#define FSCTL_PIPE_TRANSCEIVE		0x0011C017u
#define FSCTL_PIPE_WAIT			0x00110018u

/*
 * CREATE on IPC$: name (UTF-16LE, namelen bytes) is "srvsvc" or
 * "wkssvc", any case, with or without a leading "PIPE\"; anything else is
 * STATUS_OBJECT_NAME_NOT_FOUND.  An anonymous session may open only the
 * pipes of the NullSessionPipeList (MS-SRVS 3.1.6.17).
 */
uint32_t	pipe_create(struct smb_req *, const uint8_t *name,
		    size_t namelen, uint32_t access, uint32_t share,
		    uint32_t options, struct ofile **);
/* READ and WRITE on a pipe open: the whole response body is written. */
uint32_t	pipe_read(struct smb_req *, struct ofile *, uint32_t len);
uint32_t	pipe_write(struct smb_req *, struct ofile *,
		    const uint8_t *data, uint32_t len);
/*
 * FSCTL_PIPE_TRANSCEIVE: in is written, then one message read into out
 * (at most maxout bytes; STATUS_BUFFER_OVERFLOW if cut).
 */
uint32_t	pipe_transceive(struct ofile *, struct msgbuf_rd *in,
		    uint32_t maxout, struct msgbuf_wr *out);
/*
 * FSCTL_PIPE_WAIT on IPC$ (MS-FSCC 2.3.49 FSCTL_PIPE_WAIT, MS-SMB2
 * 3.3.5.15): our pipes always have an instance free, so a name we serve
 * is STATUS_SUCCESS at once and any other STATUS_OBJECT_NAME_NOT_FOUND.
 */
uint32_t	pipe_wait(struct smb_req *, struct msgbuf_rd *in);
/* QUERY_INFO on a pipe open (MS-FSCC 2.4.41, 2.4.33, 2.4.34). */
uint32_t	pipe_query_info(struct smb_req *, struct ofile *, uint8_t type,
		    uint8_t cls, uint32_t outlen);
/*
 * SET_INFO on a pipe open: FilePipeInformation is taken (the pipe stays
 * in message mode, blocking), anything else is STATUS_NOT_SUPPORTED.
 */
uint32_t	pipe_set_info(uint8_t type, uint8_t cls);
void		pipe_free(struct pipe *);
/* Is user one of the "admin users" of the configuration? */
int		pipe_user_is_admin(const char *user);

#endif
