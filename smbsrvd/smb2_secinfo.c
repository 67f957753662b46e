/*
 * smb2_secinfo.c — QUERY_INFO and SET_INFO of SMB2_0_INFO_SECURITY
 * (MS-SMB2 3.3.5.20.3, 3.3.5.21.3), called from smb2_info.c.  The
 * descriptor format and its mapping to the Unix owner and mode are
 * secdesc.c's; what changes on disk is vfs_sec.c's.
 */
#include <stdlib.h>

#include "log.h"
#include "ntstatus.h"
#include "ofile.h"
#include "secdesc.h"
#include "share.h"
#include "smb2_info.h"
#include "smb2_req.h"
#include "tree.h"
#include "vfs.h"

#define ERROR_RSP_SIZE		9
/* Owner, group and a DACL of at most 64 KiB. */
#define SD_MAX			(SECDESC_HDR_LEN + 2 * 68 + 65536)

/* The kept DACL of the file behind fd, if it is still current. */
static uint8_t *
kept_read(int fd, const struct vfs_stat *st, struct secdesc_kept *k)
{
	uint8_t *buf;
	ssize_t n;

	if ((buf = malloc(SECDESC_KEPT_MAX)) == NULL)
		return NULL;
	if ((n = vfs_acl_get(fd, buf, SECDESC_KEPT_MAX)) == -1 ||
	    secdesc_kept_decode(buf, (size_t)n, st->vs_uid, st->vs_gid,
	    st->vs_mode, k) == -1) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * 3.3.5.20.3: the descriptor the AdditionalInformation bits ask for.
 * The SACL needs ACCESS_SYSTEM_SECURITY, owner, group, label and DACL
 * need READ_CONTROL (MS-FSA 2.1.5.14).  A buffer too small for it is
 * STATUS_BUFFER_TOO_SMALL with the size needed as the ERROR response's
 * 4 bytes of ErrorData (2.2.2), as Windows and Samba send it.
 */
uint32_t
smb2_query_security(struct smb_req *r, struct ofile *of,
    const struct query_req *q)
{
	struct secdesc_kept k;
	struct vfs_stat st;
	struct msgbuf_wr out;
	uint32_t status, info = q->q_addl;
	uint8_t *kept = NULL;
	size_t n;

	if ((info & SACL_SECURITY_INFORMATION) &&
	    !(of->of_access & ACCESS_SYSTEM_SECURITY))
		return STATUS_ACCESS_DENIED;
	if ((info & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
	    DACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION)) &&
	    !(of->of_access & READ_CONTROL))
		return STATUS_ACCESS_DENIED;
	if ((status = vfs_fstat(of->of_fd, &st)) != STATUS_SUCCESS)
		return status;
	if (info & DACL_SECURITY_INFORMATION)
		kept = kept_read(of->of_fd, &st, &k);
	msgbuf_wr_init(&out, SD_MAX);
	n = secdesc_encode(&out, st.vs_uid, st.vs_gid, st.vs_mode,
	    st.vs_is_dir, info, kept != NULL ? &k : NULL);
	free(kept);
	if (n == 0) {
		msgbuf_wr_free(&out);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if (n > q->q_outlen) {
		msgbuf_wr_free(&out);
		msgbuf_put_le16(&r->r_rsp, ERROR_RSP_SIZE);
		msgbuf_put_u8(&r->r_rsp, 0);	/* ErrorContextCount */
		msgbuf_put_u8(&r->r_rsp, 0);	/* Reserved */
		msgbuf_put_le32(&r->r_rsp, 4);	/* ByteCount */
		msgbuf_put_le32(&r->r_rsp, (uint32_t)n);
		r->r_rsp_keep = msgbuf_wr_ok(&r->r_rsp);
		return STATUS_BUFFER_TOO_SMALL;
	}
	status = smb2_info_reply(r, out.wr_buf, n, q->q_outlen,
	    STATUS_SUCCESS);
	msgbuf_wr_free(&out);
	return status;
}

/*
 * After the owner or group changed without a new DACL: the kept DACL
 * stays (Windows keeps a DACL across a change of owner) under the new
 * stamp.  old is the blob read before the change.
 */
static uint32_t
kept_restamp(int fd, uint8_t *old, size_t len, const struct vfs_stat *now)
{
	if (secdesc_kept_restamp(old, len, now->vs_uid, now->vs_gid,
	    now->vs_mode) == -1)
		return STATUS_SUCCESS;
	return vfs_acl_put(fd, old, len);
}

/* The DACL of sd, set with secinfo on a file now at st. */
static uint32_t
kept_write(int fd, const struct secdesc *sd, uint32_t info,
    const struct vfs_stat *st)
{
	struct msgbuf_wr wr;
	uint32_t status;
	size_t n;

	if (secdesc_dacl_is_unix(sd, st->vs_uid, st->vs_gid, st->vs_mode,
	    st->vs_is_dir, info))
		return vfs_acl_put(fd, NULL, 0);	/* the mode says it */
	msgbuf_wr_init(&wr, SECDESC_KEPT_MAX);
	n = secdesc_kept_encode(&wr, sd, secdesc_kept_control(sd, info),
	    st->vs_uid, st->vs_gid, st->vs_mode);
	status = n == 0 ? STATUS_INSUFFICIENT_RESOURCES :
	    vfs_acl_put(fd, wr.wr_buf, n);
	msgbuf_wr_free(&wr);
	return status;
}

/*
 * 3.3.5.21.3: the server applies the descriptor to the object store.
 * Access first, in MS-FSA 2.1.5.16's order: ACCESS_SYSTEM_SECURITY for
 * the SACL, WRITE_DAC for the DACL, WRITE_OWNER for owner, group and
 * label; a read-only share changes nothing.  Then the descriptor
 * (STATUS_INVALID_SECURITY_DESCR if malformed); an owner or group that
 * is no Unix user or group cannot be kept (STATUS_INVALID_OWNER,
 * STATUS_INVALID_PRIMARY_GROUP), nor can a non-empty SACL (no place for
 * it: STATUS_ACCESS_DENIED rather than dropping it).  Then chown, chmod
 * to the DACL's mode, and the kept DACL (secdesc.h).  A failure part way
 * leaves what was already applied.
 */
uint32_t
smb2_set_security(struct ofile *of, struct set_req *s)
{
	struct secdesc sd;
	struct secdesc_kept k;
	struct vfs_stat st, now;
	const uint8_t *p;
	uint8_t *old = NULL;
	uint32_t status, uid, gid, perms, info = s->s_addl;
	size_t len = msgbuf_remain(&s->s_buf), oldlen = 0;
	int fd = of->of_fd;

	if ((info & SACL_SECURITY_INFORMATION) &&
	    !(of->of_access & ACCESS_SYSTEM_SECURITY))
		return STATUS_ACCESS_DENIED;
	if ((info & DACL_SECURITY_INFORMATION) &&
	    !(of->of_access & WRITE_DAC))
		return STATUS_ACCESS_DENIED;
	if ((info & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
	    LABEL_SECURITY_INFORMATION)) && !(of->of_access & WRITE_OWNER))
		return STATUS_ACCESS_DENIED;
	if (of->of_tree->t_share->sh_read_only)
		return STATUS_ACCESS_DENIED;
	if ((p = msgbuf_get_ptr(&s->s_buf, len)) == NULL ||
	    secdesc_parse(p, len, &sd) == -1)
		return STATUS_INVALID_SECURITY_DESCR;
	if ((status = vfs_fstat(fd, &st)) != STATUS_SUCCESS)
		return status;
	uid = st.vs_uid;
	gid = st.vs_gid;
	if ((info & OWNER_SECURITY_INFORMATION) &&
	    secdesc_sid_unix(sd.sd_owner, sd.sd_owner_len, false, &uid) == -1)
		return STATUS_INVALID_OWNER;
	if ((info & GROUP_SECURITY_INFORMATION) &&
	    secdesc_sid_unix(sd.sd_group, sd.sd_group_len, true, &gid) == -1)
		return STATUS_INVALID_PRIMARY_GROUP;
	/* Mandatory labels live in the SACL too. */
	if ((info & (SACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION)) &&
	    sd.sd_sacl != NULL && sd.sd_sacl_count != 0)
		return STATUS_ACCESS_DENIED;

	if (uid != st.vs_uid || gid != st.vs_gid) {
		if (!(info & DACL_SECURITY_INFORMATION) &&
		    (old = kept_read(fd, &st, &k)) != NULL)
			oldlen = SECDESC_KEPT_HDR_LEN + k.sk_dacl_len;
		status = vfs_chown(fd, uid != st.vs_uid ? uid : (uint32_t)-1,
		    gid != st.vs_gid ? gid : (uint32_t)-1);
		if (status != STATUS_SUCCESS) {
			free(old);
			return status == STATUS_ACCESS_DENIED ?
			    (uid != st.vs_uid ? STATUS_INVALID_OWNER :
			    STATUS_INVALID_PRIMARY_GROUP) : status;
		}
		/* chown(2) may have cleared the set-id bits. */
		if ((status = vfs_fstat(fd, &st)) != STATUS_SUCCESS) {
			free(old);
			return status;
		}
	}
	perms = st.vs_mode & 07777;
	if (info & DACL_SECURITY_INFORMATION)
		perms = (perms & 07000) | secdesc_dacl_mode(&sd, uid, gid);
	if (perms != (st.vs_mode & 07777) &&
	    (status = vfs_chmod(fd, perms)) != STATUS_SUCCESS) {
		free(old);
		return status;
	}
	if ((status = vfs_fstat(fd, &now)) != STATUS_SUCCESS) {
		free(old);
		return status;
	}
	if (info & DACL_SECURITY_INFORMATION)
		status = kept_write(fd, &sd, info, &now);
	else if (old != NULL)
		status = kept_restamp(fd, old, oldlen, &now);
	free(old);
	if (status != STATUS_SUCCESS)
		log_debug("ofile %llu: security descriptor only partly set",
		    (unsigned long long)of->of_volatile);
	return status;
}
