/*
 * smb2_tree.c — TREE_CONNECT (MS-SMB2 3.3.5.7) and TREE_DISCONNECT
 * (3.3.5.8).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "log.h"
#include "ntstatus.h"
#include "session.h"
#include "share.h"
#include "smb2_negotiate.h"
#include "smb2_req.h"
#include "tree.h"
#include "ucs2.h"

#define TCON_REQ_SIZE		9
#define TCON_RSP_SIZE		16
#define TDIS_SIZE		4
#define TCON_PATH_MAX		1024	/* bytes of UTF-16 */

#define TCON_FLAG_EXTENSION_PRESENT	0x0004

/* 2.2.10 */
#define SMB2_SHARE_TYPE_DISK		0x01
#define SMB2_SHARE_TYPE_PIPE		0x02
#define SMB2_SHAREFLAG_NO_CACHING	0x00000030
#define SMB2_SHAREFLAG_ENCRYPT_DATA	0x00008000

/* Access masks (MS-SMB2 2.2.13.1.1). */
#define FILE_ALL_ACCESS			0x001f01ff
#define FILE_GENERIC_READ_EXECUTE	0x001200a9

/*
 * "\\server\share" to the share name; -1 if the path is not of that form
 * (3.3.5.7: STATUS_INVALID_PARAMETER).
 */
static int
share_name(const char *path, char *out, size_t outsz)
{
	const char *p;

	if (strncmp(path, "\\\\", 2) != 0)
		return -1;
	if ((p = strchr(path + 2, '\\')) == NULL || p == path + 2)
		return -1;
	p++;
	if (*p == '\0' || strchr(p, '\\') != NULL || strlen(p) >= outsz)
		return -1;
	memcpy(out, p, strlen(p) + 1);
	return 0;
}

uint32_t
smb2_tree_connect(struct smb_req *r)
{
	struct session *s = r->r_sess;
	struct conn *c = r->r_conn;
	struct share *sh;
	struct tree *t;
	uint16_t flags, off, len;
	const uint8_t *path16;
	char path[TCON_PATH_MAX * 2], name[CONF_NAME_MAX + 1];
	uint32_t st, share_flags = 0;

	if (smb2_req_body(r, TCON_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	flags = msgbuf_get_le16(&r->r_rd);
	off = msgbuf_get_le16(&r->r_rd);
	len = msgbuf_get_le16(&r->r_rd);
	/*
	 * 3.3.5.7 step 1: on 3.1.1 a user's tree connect must come signed
	 * or sealed; anything else is a downgrade attempt.
	 */
	if (c->c_dialect == SMB2_DIALECT_311 && !s->s_guest &&
	    !s->s_anonymous && !r->r_signed && !r->r_encrypted) {
		r->r_disconnect = true;
		return STATUS_ACCESS_DENIED;
	}
	(void)flags;	/* the extension's contexts carry nothing we use */
	msgbuf_seek(&r->r_rd, off);
	if (len == 0 || len > TCON_PATH_MAX || (len & 1) ||
	    (path16 = msgbuf_get_ptr(&r->r_rd, len)) == NULL ||
	    ucs2_to_utf8(path16, len, path, sizeof(path)) < 0 ||
	    share_name(path, name, sizeof(name)) == -1)
		return STATUS_INVALID_PARAMETER;

	if ((sh = share_lookup(name)) == NULL) {
		log_info("session %u: tree connect to unknown share [%s]",
		    s->s_global_id, name);
		return STATUS_BAD_NETWORK_NAME;
	}
	/* A disk share whose folder cannot be opened is not there. */
	if (sh->sh_type == SHARE_DISK && sh->sh_root == -1) {
		log_warnx("share [%s]: folder %s unavailable", sh->sh_name,
		    sh->sh_path);
		st = STATUS_BAD_NETWORK_NAME;
		goto out;
	}
	/* Guests and anonymous users reach only "guest ok" shares. */
	if ((s->s_guest || s->s_anonymous) && !sh->sh_guest_ok) {
		st = STATUS_ACCESS_DENIED;
		goto out;
	}
	/* 3.3.5.7 step 4: a share that encrypts needs a 3.x client that can. */
	if (sh->sh_encrypt && sh->sh_type == SHARE_DISK) {
		/* Guests and anonymous users have no key to encrypt with. */
		if (c->c_dialect < SMB2_DIALECT_300 || c->c_cipher == 0 ||
		    s->s_guest || s->s_anonymous) {
			st = STATUS_ACCESS_DENIED;
			goto out;
		}
		share_flags |= SMB2_SHAREFLAG_ENCRYPT_DATA;
	}
	if ((st = tree_connect(s, sh, &t)) != STATUS_SUCCESS) {
		if (st == STATUS_REQUEST_NOT_ACCEPTED)
			log_warnx("share [%s]: at its limit of %u uses, "
			    "refused session %u", sh->sh_name,
			    sh->sh_max_uses, s->s_global_id);
		goto out;
	}
	t->t_encrypt = (share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA) != 0;
	if (sh->sh_type == SHARE_IPC) {
		t->t_max_access = FILE_ALL_ACCESS;
		share_flags |= SMB2_SHAREFLAG_NO_CACHING;
	} else
		t->t_max_access = sh->sh_read_only ?
		    FILE_GENERIC_READ_EXECUTE : FILE_ALL_ACCESS;
	r->r_rsp_tree_id = t->t_id;
	msgbuf_put_le16(&r->r_rsp, TCON_RSP_SIZE);
	msgbuf_put_u8(&r->r_rsp, sh->sh_type == SHARE_IPC ?
	    SMB2_SHARE_TYPE_PIPE : SMB2_SHARE_TYPE_DISK);
	msgbuf_put_u8(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, share_flags);
	msgbuf_put_le32(&r->r_rsp, 0);		/* Capabilities */
	msgbuf_put_le32(&r->r_rsp, t->t_max_access);
out:
	share_rele(sh);
	return st;
}

uint32_t
smb2_tree_disconnect(struct smb_req *r)
{
	if (smb2_req_body(r, TDIS_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	tree_disconnect(r->r_tree);
	msgbuf_put_le16(&r->r_rsp, TDIS_SIZE);
	msgbuf_put_le16(&r->r_rsp, 0);
	return STATUS_SUCCESS;
}
