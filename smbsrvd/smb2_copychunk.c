/*
 * smb2_copychunk.c — server-side copy: FSCTL_SRV_REQUEST_RESUME_KEY
 * (MS-SMB2 3.3.5.15.3) names a source open, FSCTL_SRV_COPYCHUNK and
 * FSCTL_SRV_COPYCHUNK_WRITE (3.3.5.15.6) copy ranges of it into the open
 * the IOCTL is sent on, without the data crossing the wire.
 *
 * Open.ResumeKey is 24 bytes: the source's DurableFileId (8), then 16
 * random bytes drawn the first time a client asks for the key.  A lookup
 * finds the open by the first part through the GlobalOpenTable index and
 * then compares the whole key, so a key cannot be guessed from the ids a
 * client sees, and a key outlives nothing: it dies with its open.
 *
 * The data moves with copy_file_range(2), which lets the file system
 * share or copy blocks itself, and falls back to pread/pwrite where the
 * kernel refuses (another file system, special files).
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brlock.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "resilient.h"
#include "share.h"
#include "smb2.h"
#include "smb2_copychunk.h"
#include "smb2_req.h"
#include "tree.h"
#include "vfs.h"

#ifndef STATUS_INVALID_VIEW_SIZE
#define STATUS_INVALID_VIEW_SIZE	0xC000001Fu
#endif

/* 2.2.32.3: ResumeKey (24), ContextLength (4), Context (4, unused). */
#define RESUME_RSP_LEN		32
/* 2.2.31.1 SRV_COPYCHUNK_COPY up to Chunks; 2.2.31.1.1 SRV_COPYCHUNK. */
#define COPY_HDR_LEN		32
#define CHUNK_LEN		24
/* 2.2.32.1 SRV_COPYCHUNK_RESPONSE. */
#define COPY_RSP_LEN		12
/*
 * 3.3.3 ServerSideCopyMaxNumberofChunks, ServerSideCopyMaxChunkSize and
 * ServerSideCopyMaxDataSize, with Windows' values (<251>).
 */
#define COPY_MAX_CHUNKS		256
#define COPY_MAX_CHUNK		(1024u * 1024)
#define COPY_MAX_DATA		(16u * 1024 * 1024)

uint32_t
copychunk_resume_key(struct ofile *of, uint32_t maxout, struct msgbuf_wr *out)
{
	/* 3.3.5.15.3: the response must fit. */
	if (maxout < RESUME_RSP_LEN)
		return STATUS_INVALID_PARAMETER;
	if (of->of_pipe != NULL)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (!of->of_resume_key_set) {
		memcpy(of->of_resume_key, &of->of_persistent, 8);
		if (getrandom(of->of_resume_key + 8, 16, 0) != 16)
			return STATUS_INSUFFICIENT_RESOURCES;
		of->of_resume_key_set = true;
	}
	msgbuf_put_bytes(out, of->of_resume_key, 24);
	msgbuf_put_le32(out, 0);			/* ContextLength */
	msgbuf_put_le32(out, 0);			/* Context */
	return STATUS_SUCCESS;
}

/* The live open whose Open.ResumeKey is key, or NULL. */
static struct ofile *
resume_key_find(const uint8_t key[24])
{
	struct ofile *of;
	uint64_t persistent;

	memcpy(&persistent, key, 8);
	of = ofile_find_persistent(persistent);
	if (of == NULL || of->of_state != OFILE_ACTIVE ||
	    !of->of_resume_key_set || memcmp(of->of_resume_key, key, 24) != 0)
		return NULL;
	return of;
}

static void
copy_rsp(struct msgbuf_wr *out, uint32_t chunks, uint32_t chunk_bytes,
    uint32_t total)
{
	msgbuf_put_le32(out, chunks);
	msgbuf_put_le32(out, chunk_bytes);
	msgbuf_put_le32(out, total);
}

/*
 * Copies len bytes from soff in src to doff in dst; *done says how many
 * landed.  copy_file_range() first.  Where the kernel cannot (another
 * file system, or the same file with overlapping ranges, which it
 * refuses with EINVAL), the rest is read whole into memory (a chunk is
 * at most COPY_MAX_CHUNK) before any of it is written, so an overlap
 * copies as memmove() does and never reads what it already wrote.
 */
static uint32_t
copy_range(int src, uint64_t soff, int dst, uint64_t doff, uint32_t len,
    uint32_t *done)
{
	loff_t in = (loff_t)soff, outo = (loff_t)doff;
	uint8_t *buf;
	ssize_t n;
	size_t got, put;
	uint32_t st;

	*done = 0;
	while (*done < len) {
		n = copy_file_range(src, &in, dst, &outo, len - *done, 0);
		if (n > 0) {
			*done += (uint32_t)n;
			continue;
		}
		if (n == 0)
			return STATUS_END_OF_FILE;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return vfs_status(errno);
		break;
	}
	if (*done == len)
		return STATUS_SUCCESS;
	if ((buf = malloc(len - *done)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = vfs_pread(src, buf, len - *done, soff + *done, &got);
	if (st == STATUS_SUCCESS && got < len - *done)
		st = STATUS_END_OF_FILE;
	if (st == STATUS_SUCCESS &&
	    (st = vfs_pwrite(dst, buf, got, doff + *done, &put)) ==
	    STATUS_SUCCESS) {
		*done += (uint32_t)put;
		if (put < got)
			st = STATUS_DISK_FULL;
	}
	free(buf);
	return st;
}

uint32_t
copychunk_parse(struct msgbuf_rd *in, struct copychunk_req *cr)
{
	uint64_t total = 0;
	uint32_t i, len;

	memset(cr, 0, sizeof(*cr));
	cr->cr_key = msgbuf_get_ptr(in, 24);
	cr->cr_count = msgbuf_get_le32(in);
	msgbuf_skip(in, 4);				/* Reserved */
	if (!msgbuf_rd_ok(in) || cr->cr_key == NULL ||
	    cr->cr_count > COPY_MAX_CHUNKS)
		return STATUS_INVALID_PARAMETER;
	if (cr->cr_count > 0 && (cr->cr_chunks = msgbuf_get_ptr(in,
	    (size_t)cr->cr_count * CHUNK_LEN)) == NULL)
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < cr->cr_count; i++) {
		len = le32dec(cr->cr_chunks + (size_t)i * CHUNK_LEN + 16);
		if (len == 0 || len > COPY_MAX_CHUNK)
			return STATUS_INVALID_PARAMETER;
		total += len;
	}
	if (total > COPY_MAX_DATA)
		return STATUS_INVALID_PARAMETER;
	cr->cr_total = (uint32_t)total;
	return STATUS_SUCCESS;
}

void
copychunk_chunk(const struct copychunk_req *cr, uint32_t i, uint64_t *soff,
    uint64_t *doff, uint32_t *len)
{
	const uint8_t *c = cr->cr_chunks + (size_t)i * CHUNK_LEN;

	*soff = le64dec(c);
	*doff = le64dec(c + 8);
	*len = le32dec(c + 16);
}

uint32_t
copychunk_copy(struct smb_req *r, struct ofile *dst, uint32_t ctl,
    struct msgbuf_rd *in, uint32_t maxout, struct msgbuf_wr *out)
{
	struct copychunk_req cr;
	struct ofile *src = NULL;
	struct stat sb;
	uint64_t soff, doff, total = 0;
	uint32_t i, len, done, st;

	(void)r;
	/*
	 * 3.3.5.15.6, in order: the source open named by SourceKey, an
	 * output buffer that holds the response, then the limits.  A
	 * success of copychunk_parse() always has a key.
	 */
	st = copychunk_parse(in, &cr);
	if (cr.cr_key != NULL && (src = resume_key_find(cr.cr_key)) == NULL)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (maxout < COPY_RSP_LEN)
		return STATUS_INVALID_PARAMETER;
	if (st != STATUS_SUCCESS || src == NULL) {
		/* 3.3.5.15.6.2: INVALID_PARAMETER, the limits in the body. */
		copy_rsp(out, COPY_MAX_CHUNKS, COPY_MAX_CHUNK, COPY_MAX_DATA);
		return STATUS_INVALID_PARAMETER;
	}
	/*
	 * The target must be open for writing, and, for FSCTL_SRV_COPYCHUNK
	 * (not _WRITE), for reading too; the source for reading, where
	 * execute access counts as it does for READ (3.3.5.12).
	 */
	if (dst->of_pipe != NULL || src->of_is_dir || dst->of_is_dir)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (!(dst->of_access & FILE_WRITE_DATA) ||
	    (ctl == FSCTL_SRV_COPYCHUNK && !(dst->of_access & FILE_READ_DATA)) ||
	    !(src->of_access & (FILE_READ_DATA | FILE_EXECUTE)) ||
	    dst->of_tree->t_share->sh_read_only)
		return STATUS_ACCESS_DENIED;

	for (i = 0; i < cr.cr_count; i++) {
		copychunk_chunk(&cr, i, &soff, &doff, &len);
		done = 0;
		/* As for WRITE (smb2_rw.c): MS-FSA 2.1.5.4's largest file. */
		if (soff > (uint64_t)INT64_MAX - len ||
		    doff > VFS_MAXFILESIZE - len)
			st = STATUS_INVALID_PARAMETER;
		else if (fstat(src->of_fd, &sb) == -1)
			st = vfs_status(errno);
		/* The source range must lie within the file, as Windows. */
		else if (soff + len > (uint64_t)sb.st_size)
			st = STATUS_INVALID_VIEW_SIZE;
		/* MS-FSA 2.1.4.10: byte-range locks of other opens. */
		else if ((st = brlock_check_io(src, soff, len, false)) ==
		    STATUS_SUCCESS &&
		    (st = brlock_check_io(dst, doff, len, true)) ==
		    STATUS_SUCCESS &&
		    /* As for WRITE: a gap the volume cannot hold. */
		    (st = vfs_extend_check(dst->of_fd, doff)) ==
		    STATUS_SUCCESS)
			st = copy_range(src->of_fd, soff, dst->of_fd, doff, len,
			    &done);
		total += done;
		if (st != STATUS_SUCCESS) {
			/* 3.3.5.15.6.1: how far it got. */
			copy_rsp(out, i, done == len ? 0 : done,
			    (uint32_t)total);
			return st;
		}
	}
	/* MS-FSA 2.1.5.3: a write breaks the level II oplocks of others. */
	if (cr.cr_count > 0)
		oplock_break_level2(dst->of_fnode, dst);
	if (dst->of_create_options & 0x00000002)	/* WRITE_THROUGH */
		(void)vfs_fsync(dst->of_fd);
	copy_rsp(out, cr.cr_count, 0, (uint32_t)total);
	return STATUS_SUCCESS;
}
