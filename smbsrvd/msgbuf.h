/*
 * msgbuf.h — the one bounds-checked reader and writer for wire data.
 *
 * Every byte from the network or the API is decoded through a struct
 * msgbuf_rd.  Errors are sticky: a read past the end sets rd_err, returns
 * zero (or NULL) and every later read fails too, so a decoder reads all its
 * fields and checks msgbuf_rd_ok() once.  Nothing here casts a struct onto a
 * buffer.
 *
 * struct msgbuf_wr builds a message in a growing heap buffer with a hard
 * cap; overflowing the cap or failing to allocate sets wr_err (sticky).
 */
#ifndef SMBSRVD_MSGBUF_H
#define SMBSRVD_MSGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct msgbuf_rd {
	const uint8_t	*rd_buf;
	size_t		 rd_len;
	size_t		 rd_off;
	bool		 rd_err;
};

void		 msgbuf_rd_init(struct msgbuf_rd *, const void *, size_t);
bool		 msgbuf_rd_ok(const struct msgbuf_rd *);
size_t		 msgbuf_remain(const struct msgbuf_rd *);
size_t		 msgbuf_tell(const struct msgbuf_rd *);
/* Moves to an absolute offset (may equal the length). */
void		 msgbuf_seek(struct msgbuf_rd *, size_t off);
void		 msgbuf_skip(struct msgbuf_rd *, size_t n);
uint8_t		 msgbuf_get_u8(struct msgbuf_rd *);
uint16_t	 msgbuf_get_le16(struct msgbuf_rd *);
uint32_t	 msgbuf_get_le32(struct msgbuf_rd *);
uint64_t	 msgbuf_get_le64(struct msgbuf_rd *);
uint16_t	 msgbuf_get_be16(struct msgbuf_rd *);
uint32_t	 msgbuf_get_be32(struct msgbuf_rd *);
void		 msgbuf_get_bytes(struct msgbuf_rd *, void *, size_t);
/* A pointer to the next n bytes, consumed; NULL (and rd_err) if short. */
const uint8_t	*msgbuf_get_ptr(struct msgbuf_rd *, size_t n);
/*
 * A sub-reader over [off, off+len) of the whole buffer (absolute offsets, as
 * SMB2 offset/length pairs are).  Fails (sub empty, parent rd_err set) if
 * the range is not inside the buffer.
 */
bool		 msgbuf_sub(struct msgbuf_rd *, size_t off, size_t len,
		    struct msgbuf_rd *sub);

struct msgbuf_wr {
	uint8_t		*wr_buf;
	size_t		 wr_len;
	size_t		 wr_cap;
	size_t		 wr_max;
	bool		 wr_err;
};

void		 msgbuf_wr_init(struct msgbuf_wr *, size_t max);
void		 msgbuf_wr_free(struct msgbuf_wr *);
bool		 msgbuf_wr_ok(const struct msgbuf_wr *);
size_t		 msgbuf_wr_len(const struct msgbuf_wr *);
/* Hands the buffer to the caller (free() it); the writer is reset. */
uint8_t		*msgbuf_wr_steal(struct msgbuf_wr *, size_t *len);
/* Room for n bytes, zero-filled; returns their offset ((size_t)-1 on error). */
size_t		 msgbuf_reserve(struct msgbuf_wr *, size_t n);
void		 msgbuf_put_u8(struct msgbuf_wr *, uint8_t);
void		 msgbuf_put_le16(struct msgbuf_wr *, uint16_t);
void		 msgbuf_put_le32(struct msgbuf_wr *, uint32_t);
void		 msgbuf_put_le64(struct msgbuf_wr *, uint64_t);
void		 msgbuf_put_be16(struct msgbuf_wr *, uint16_t);
void		 msgbuf_put_be32(struct msgbuf_wr *, uint32_t);
void		 msgbuf_put_bytes(struct msgbuf_wr *, const void *, size_t);
void		 msgbuf_put_zero(struct msgbuf_wr *, size_t);
/* Drops everything written after len (len <= length). */
void		 msgbuf_truncate(struct msgbuf_wr *, size_t len);
/* Pads with zeros to a multiple of align (a power of two). */
void		 msgbuf_align(struct msgbuf_wr *, size_t align);
/* Overwrite already written bytes (off+size must be <= length). */
void		 msgbuf_patch_u8(struct msgbuf_wr *, size_t off, uint8_t);
void		 msgbuf_patch_le16(struct msgbuf_wr *, size_t off, uint16_t);
void		 msgbuf_patch_le32(struct msgbuf_wr *, size_t off, uint32_t);
void		 msgbuf_patch_be32(struct msgbuf_wr *, size_t off, uint32_t);
void		 msgbuf_patch_bytes(struct msgbuf_wr *, size_t off,
		    const void *, size_t);

/* Plain helpers for fixed buffers whose size the caller has checked. */
static inline uint16_t
le16dec(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t
le32dec(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) |
	    ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint64_t
le64dec(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)le32dec(b) | ((uint64_t)le32dec(b + 4) << 32);
}
static inline void
le16enc(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}
static inline void
le32enc(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}
static inline void
le64enc(void *p, uint64_t v)
{
	le32enc(p, (uint32_t)v);
	le32enc((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#endif
