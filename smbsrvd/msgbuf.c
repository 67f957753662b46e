/*
 * msgbuf.c — bounded decoding and encoding of wire data (see msgbuf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "msgbuf.h"

void
msgbuf_rd_init(struct msgbuf_rd *rd, const void *buf, size_t len)
{
	rd->rd_buf = buf;
	rd->rd_len = buf == NULL ? 0 : len;
	rd->rd_off = 0;
	rd->rd_err = false;
}

bool
msgbuf_rd_ok(const struct msgbuf_rd *rd)
{
	return !rd->rd_err;
}

size_t
msgbuf_remain(const struct msgbuf_rd *rd)
{
	return rd->rd_err ? 0 : rd->rd_len - rd->rd_off;
}

size_t
msgbuf_tell(const struct msgbuf_rd *rd)
{
	return rd->rd_off;
}

/* Claims n bytes; NULL and a sticky error if they are not there. */
static const uint8_t *
take(struct msgbuf_rd *rd, size_t n)
{
	const uint8_t *p;

	if (rd->rd_err || n > rd->rd_len - rd->rd_off) {
		rd->rd_err = true;
		return NULL;
	}
	p = rd->rd_buf + rd->rd_off;
	rd->rd_off += n;
	return p;
}

void
msgbuf_seek(struct msgbuf_rd *rd, size_t off)
{
	if (rd->rd_err || off > rd->rd_len)
		rd->rd_err = true;
	else
		rd->rd_off = off;
}

void
msgbuf_skip(struct msgbuf_rd *rd, size_t n)
{
	(void)take(rd, n);
}

uint8_t
msgbuf_get_u8(struct msgbuf_rd *rd)
{
	const uint8_t *p = take(rd, 1);

	return p == NULL ? 0 : p[0];
}

uint16_t
msgbuf_get_le16(struct msgbuf_rd *rd)
{
	const uint8_t *p = take(rd, 2);

	return p == NULL ? 0 : le16dec(p);
}

uint32_t
msgbuf_get_le32(struct msgbuf_rd *rd)
{
	const uint8_t *p = take(rd, 4);

	return p == NULL ? 0 : le32dec(p);
}

uint64_t
msgbuf_get_le64(struct msgbuf_rd *rd)
{
	const uint8_t *p = take(rd, 8);

	return p == NULL ? 0 : le64dec(p);
}

uint16_t
msgbuf_get_be16(struct msgbuf_rd *rd)
{
	const uint8_t *p = take(rd, 2);

	return p == NULL ? 0 : (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
msgbuf_get_be32(struct msgbuf_rd *rd)
{
	const uint8_t *p = take(rd, 4);

	if (p == NULL)
		return 0;
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

void
msgbuf_get_bytes(struct msgbuf_rd *rd, void *out, size_t n)
{
	const uint8_t *p = take(rd, n);

	if (p != NULL)
		memcpy(out, p, n);
	else if (n > 0)
		memset(out, 0, n);
}

const uint8_t *
msgbuf_get_ptr(struct msgbuf_rd *rd, size_t n)
{
	return take(rd, n);
}

bool
msgbuf_sub(struct msgbuf_rd *rd, size_t off, size_t len,
    struct msgbuf_rd *sub)
{
	if (rd->rd_err || off > rd->rd_len || len > rd->rd_len - off) {
		rd->rd_err = true;
		msgbuf_rd_init(sub, NULL, 0);
		sub->rd_err = true;
		return false;
	}
	msgbuf_rd_init(sub, rd->rd_buf + off, len);
	return true;
}

void
msgbuf_wr_init(struct msgbuf_wr *wr, size_t max)
{
	wr->wr_buf = NULL;
	wr->wr_len = 0;
	wr->wr_cap = 0;
	wr->wr_max = max;
	wr->wr_err = false;
}

void
msgbuf_wr_free(struct msgbuf_wr *wr)
{
	free(wr->wr_buf);
	wr->wr_buf = NULL;
	wr->wr_len = wr->wr_cap = 0;
}

bool
msgbuf_wr_ok(const struct msgbuf_wr *wr)
{
	return !wr->wr_err;
}

size_t
msgbuf_wr_len(const struct msgbuf_wr *wr)
{
	return wr->wr_len;
}

uint8_t *
msgbuf_wr_steal(struct msgbuf_wr *wr, size_t *len)
{
	uint8_t *p = wr->wr_buf;

	if (len != NULL)
		*len = wr->wr_len;
	wr->wr_buf = NULL;
	wr->wr_len = wr->wr_cap = 0;
	return p;
}

/* Makes room for n more bytes and returns where they go, or NULL. */
static uint8_t *
grow(struct msgbuf_wr *wr, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (wr->wr_err || n > wr->wr_max - wr->wr_len) {
		wr->wr_err = true;
		return NULL;
	}
	need = wr->wr_len + n;
	if (need > wr->wr_cap) {
		cap = wr->wr_cap == 0 ? 256 : wr->wr_cap;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if (cap > wr->wr_max)
			cap = wr->wr_max;
		if ((p = realloc(wr->wr_buf, cap)) == NULL) {
			wr->wr_err = true;
			return NULL;
		}
		wr->wr_buf = p;
		wr->wr_cap = cap;
	}
	p = wr->wr_buf + wr->wr_len;
	wr->wr_len = need;
	return p;
}

size_t
msgbuf_reserve(struct msgbuf_wr *wr, size_t n)
{
	uint8_t *p;

	if ((p = grow(wr, n)) == NULL)
		return (size_t)-1;
	memset(p, 0, n);
	return (size_t)(p - wr->wr_buf);
}

void
msgbuf_put_u8(struct msgbuf_wr *wr, uint8_t v)
{
	uint8_t *p = grow(wr, 1);

	if (p != NULL)
		*p = v;
}

void
msgbuf_put_le16(struct msgbuf_wr *wr, uint16_t v)
{
	uint8_t *p = grow(wr, 2);

	if (p != NULL)
		le16enc(p, v);
}

void
msgbuf_put_le32(struct msgbuf_wr *wr, uint32_t v)
{
	uint8_t *p = grow(wr, 4);

	if (p != NULL)
		le32enc(p, v);
}

void
msgbuf_put_le64(struct msgbuf_wr *wr, uint64_t v)
{
	uint8_t *p = grow(wr, 8);

	if (p != NULL)
		le64enc(p, v);
}

void
msgbuf_put_be16(struct msgbuf_wr *wr, uint16_t v)
{
	uint8_t *p = grow(wr, 2);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static void
be32enc(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
msgbuf_put_be32(struct msgbuf_wr *wr, uint32_t v)
{
	uint8_t *p = grow(wr, 4);

	if (p != NULL)
		be32enc(p, v);
}

void
msgbuf_put_bytes(struct msgbuf_wr *wr, const void *src, size_t n)
{
	uint8_t *p;

	if (n == 0)
		return;
	if ((p = grow(wr, n)) != NULL)
		memcpy(p, src, n);
}

void
msgbuf_put_zero(struct msgbuf_wr *wr, size_t n)
{
	uint8_t *p;

	if (n == 0)
		return;
	if ((p = grow(wr, n)) != NULL)
		memset(p, 0, n);
}

void
msgbuf_truncate(struct msgbuf_wr *wr, size_t len)
{
	if (len <= wr->wr_len)
		wr->wr_len = len;
	else
		wr->wr_err = true;
}

void
msgbuf_align(struct msgbuf_wr *wr, size_t align)
{
	size_t pad = (align - (wr->wr_len & (align - 1))) & (align - 1);

	msgbuf_put_zero(wr, pad);
}

/* A pointer to n already written bytes at off, or NULL (sticky error). */
static uint8_t *
at(struct msgbuf_wr *wr, size_t off, size_t n)
{
	if (wr->wr_err || off > wr->wr_len || n > wr->wr_len - off) {
		wr->wr_err = true;
		return NULL;
	}
	return wr->wr_buf + off;
}

void
msgbuf_patch_u8(struct msgbuf_wr *wr, size_t off, uint8_t v)
{
	uint8_t *p = at(wr, off, 1);

	if (p != NULL)
		*p = v;
}

void
msgbuf_patch_le16(struct msgbuf_wr *wr, size_t off, uint16_t v)
{
	uint8_t *p = at(wr, off, 2);

	if (p != NULL)
		le16enc(p, v);
}

void
msgbuf_patch_le32(struct msgbuf_wr *wr, size_t off, uint32_t v)
{
	uint8_t *p = at(wr, off, 4);

	if (p != NULL)
		le32enc(p, v);
}

void
msgbuf_patch_be32(struct msgbuf_wr *wr, size_t off, uint32_t v)
{
	uint8_t *p = at(wr, off, 4);

	if (p != NULL)
		be32enc(p, v);
}

void
msgbuf_patch_bytes(struct msgbuf_wr *wr, size_t off, const void *src,
    size_t n)
{
	uint8_t *p;

	if (n == 0)
		return;
	if ((p = at(wr, off, n)) != NULL)
		memcpy(p, src, n);
}
