/*
 * ndr.c — NDR 2.0 reader and writer (see ndr.h).
 *
 * Primitive types align to their size (C706 14.2.2); conformance and
 * variance counts are 4-byte unsigned longs (14.3.3); a wide string is a
 * conformant varying array of 2-byte units whose last unit is NUL
 * (14.3.4.2); a pointer is a 4-byte referent id, 0 for NULL (14.3.10).
 */
#include <stdlib.h>
#include <string.h>

#include "ndr.h"
#include "ucs2.h"

enum ndr_qkind { NQ_WSTR, NQ_BYTES };

struct ndr_queued {
	enum ndr_qkind	 nq_kind;
	uint8_t		*nq_data;	/* UTF-8 (NUL-terminated) or bytes */
	uint32_t	 nq_len;
};

void
ndr_rd_init(struct ndr_rd *r, const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->nr_buf = buf;
	r->nr_len = len;
}

bool
ndr_rd_ok(const struct ndr_rd *r)
{
	return !r->nr_err;
}

size_t
ndr_rd_remain(const struct ndr_rd *r)
{
	return r->nr_err ? 0 : r->nr_len - r->nr_off;
}

/* n bytes at the cursor, or NULL and the reader failed. */
static const uint8_t *
rd_take(struct ndr_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->nr_err || n > r->nr_len - r->nr_off) {
		r->nr_err = true;
		return NULL;
	}
	/* An empty stub may have no buffer at all. */
	if (r->nr_buf == NULL)
		return (const uint8_t *)"";
	p = r->nr_buf + r->nr_off;
	r->nr_off += n;
	return p;
}

void
ndr_rd_align(struct ndr_rd *r, size_t a)
{
	size_t pad = (a - (r->nr_off & (a - 1))) & (a - 1);

	(void)rd_take(r, pad);
}

uint8_t
ndr_get_u8(struct ndr_rd *r)
{
	const uint8_t *p = rd_take(r, 1);

	return p != NULL ? p[0] : 0;
}

uint16_t
ndr_get_u16(struct ndr_rd *r)
{
	const uint8_t *p;

	ndr_rd_align(r, 2);
	p = rd_take(r, 2);
	return p != NULL ? le16dec(p) : 0;
}

uint32_t
ndr_get_u32(struct ndr_rd *r)
{
	const uint8_t *p;

	ndr_rd_align(r, 4);
	p = rd_take(r, 4);
	return p != NULL ? le32dec(p) : 0;
}

uint64_t
ndr_get_u64(struct ndr_rd *r)
{
	const uint8_t *p;

	ndr_rd_align(r, 8);
	p = rd_take(r, 8);
	return p != NULL ? le64dec(p) : 0;
}

uint32_t
ndr_get_ptr(struct ndr_rd *r)
{
	return ndr_get_u32(r);
}

uint32_t
ndr_get_full_ptr(struct ndr_rd *r, bool *seen)
{
	uint32_t id = ndr_get_u32(r);
	size_t i;

	*seen = false;
	if (id == 0 || r->nr_err)
		return 0;
	for (i = 0; i < r->nr_nfull; i++) {
		if (r->nr_full[i] == id) {
			*seen = true;
			return id;
		}
	}
	/* More distinct referents than any of our calls carries: bad stub. */
	if (r->nr_nfull == NDR_FULL_PTR_MAX) {
		r->nr_err = true;
		return 0;
	}
	r->nr_full[r->nr_nfull++] = id;
	return id;
}

int
ndr_get_wstr(struct ndr_rd *r, char *out, size_t outsz)
{
	uint32_t max, offset, actual;
	const uint8_t *units;
	uint32_t len;
	ssize_t n;

	if (outsz > 0)
		out[0] = '\0';
	max = ndr_get_u32(r);
	offset = ndr_get_u32(r);
	actual = ndr_get_u32(r);
	if (r->nr_err || offset != 0 || actual > max || actual == 0) {
		r->nr_err = true;
		return -1;
	}
	if ((units = rd_take(r, (size_t)actual * 2)) == NULL)
		return -1;
	/* The terminating NUL is part of the string (14.3.4.2). */
	if (le16dec(units + (actual - 1) * 2) != 0) {
		r->nr_err = true;
		return -1;
	}
	/* Well formed but longer than any caller takes. */
	if (actual > NDR_WSTR_MAX)
		return -2;
	/* The string ends at its first NUL (impacket pads with NULs). */
	for (len = 0; le16dec(units + len * 2) != 0; len++)
		;
	n = ucs2_to_utf8(units, (size_t)len * 2, out, outsz);
	if (n < 0) {
		/* Bad UTF-16 (lone surrogate) is malformed; long is not. */
		char probe[4 * NDR_WSTR_MAX];

		if (ucs2_to_utf8(units, (size_t)len * 2, probe,
		    sizeof(probe)) < 0) {
			r->nr_err = true;
			return -1;
		}
		if (outsz > 0)
			out[0] = '\0';
		return -2;
	}
	return 0;
}

const uint8_t *
ndr_get_carray(struct ndr_rd *r, size_t elsize, size_t max, uint32_t *count)
{
	uint32_t n = ndr_get_u32(r);

	*count = 0;
	if (r->nr_err || n > max || (elsize != 0 && n > SIZE_MAX / elsize)) {
		r->nr_err = true;
		return NULL;
	}
	*count = n;
	return rd_take(r, (size_t)n * elsize);
}

/* ---- writer ---- */

void
ndr_wr_init(struct ndr_wr *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	msgbuf_wr_init(&w->nw_buf, max);
}

static void
queue_clear(struct ndr_wr *w)
{
	size_t i;

	for (i = 0; i < w->nw_nq; i++)
		free(w->nw_q[i].nq_data);
	w->nw_nq = 0;
}

void
ndr_wr_free(struct ndr_wr *w)
{
	queue_clear(w);
	free(w->nw_q);
	w->nw_q = NULL;
	w->nw_capq = 0;
	msgbuf_wr_free(&w->nw_buf);
}

bool
ndr_wr_ok(const struct ndr_wr *w)
{
	return !w->nw_err && msgbuf_wr_ok(&w->nw_buf);
}

size_t
ndr_wr_len(const struct ndr_wr *w)
{
	return msgbuf_wr_len(&w->nw_buf);
}

const uint8_t *
ndr_wr_data(const struct ndr_wr *w)
{
	return w->nw_buf.wr_buf;
}

void
ndr_wr_align(struct ndr_wr *w, size_t a)
{
	msgbuf_align(&w->nw_buf, a);
}

void
ndr_put_u8(struct ndr_wr *w, uint8_t v)
{
	msgbuf_put_u8(&w->nw_buf, v);
}

void
ndr_put_u16(struct ndr_wr *w, uint16_t v)
{
	ndr_wr_align(w, 2);
	msgbuf_put_le16(&w->nw_buf, v);
}

void
ndr_put_u32(struct ndr_wr *w, uint32_t v)
{
	ndr_wr_align(w, 4);
	msgbuf_put_le32(&w->nw_buf, v);
}

void
ndr_put_u64(struct ndr_wr *w, uint64_t v)
{
	ndr_wr_align(w, 8);
	msgbuf_put_le64(&w->nw_buf, v);
}

void
ndr_put_ptr(struct ndr_wr *w, bool nonnull)
{
	/* Referent ids: any unique non-zero values; Windows counts by 4. */
	if (nonnull)
		w->nw_ref += 4;
	ndr_put_u32(w, nonnull ? 0x00020000u + w->nw_ref : 0);
}

void
ndr_put_wstr(struct ndr_wr *w, const char *s)
{
	uint8_t *u16 = NULL;
	size_t len;
	uint32_t units;

	if (ucs2_from_utf8_alloc(s, strlen(s), &u16, &len) == -1 ||
	    len / 2 >= UINT32_MAX) {
		free(u16);
		w->nw_err = true;
		return;
	}
	units = (uint32_t)(len / 2) + 1;
	ndr_put_u32(w, units);		/* max_count */
	ndr_put_u32(w, 0);		/* offset */
	ndr_put_u32(w, units);		/* actual_count */
	msgbuf_put_bytes(&w->nw_buf, u16, len);
	msgbuf_put_le16(&w->nw_buf, 0);
	free(u16);
}

static void
enqueue(struct ndr_wr *w, enum ndr_qkind kind, const void *data, uint32_t len)
{
	struct ndr_queued *q;

	if (w->nw_nq == w->nw_capq) {
		size_t cap = w->nw_capq == 0 ? 16 : w->nw_capq * 2;

		if ((q = reallocarray(w->nw_q, cap, sizeof(*q))) == NULL) {
			w->nw_err = true;
			return;
		}
		w->nw_q = q;
		w->nw_capq = cap;
	}
	q = &w->nw_q[w->nw_nq];
	q->nq_kind = kind;
	q->nq_len = len;
	if ((q->nq_data = malloc((size_t)len + 1)) == NULL) {
		w->nw_err = true;
		return;
	}
	if (len > 0)
		memcpy(q->nq_data, data, len);
	q->nq_data[len] = '\0';
	w->nw_nq++;
}

void
ndr_put_wstr_ptr(struct ndr_wr *w, const char *s)
{
	ndr_put_ptr(w, s != NULL);
	if (s != NULL)
		enqueue(w, NQ_WSTR, s, (uint32_t)strlen(s));
}

void
ndr_put_bytes_ptr(struct ndr_wr *w, const void *data, uint32_t len)
{
	ndr_put_ptr(w, data != NULL);
	if (data != NULL)
		enqueue(w, NQ_BYTES, data, len);
}

void
ndr_flush(struct ndr_wr *w)
{
	size_t i;

	for (i = 0; i < w->nw_nq; i++) {
		const struct ndr_queued *q = &w->nw_q[i];

		if (q->nq_kind == NQ_WSTR)
			ndr_put_wstr(w, (const char *)q->nq_data);
		else {
			ndr_put_u32(w, q->nq_len);	/* max_count */
			msgbuf_put_bytes(&w->nw_buf, q->nq_data, q->nq_len);
		}
	}
	queue_clear(w);
}
