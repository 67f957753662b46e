/*
 * der.c — strict DER reading and writing (see der.h).
 */
#include <stdio.h>
#include <string.h>

#include "der.h"

/* An OID arc is at most 9 base-128 groups: 63 bits, fits a uint64_t. */
#define DER_ARC_MAX_GROUPS	9

void
der_rd_init(struct der_rd *rd, const void *buf, size_t len)
{
	msgbuf_rd_init(&rd->dr_buf, buf, len);
	rd->dr_depth = 0;
}

bool
der_more(const struct der_rd *rd)
{
	return msgbuf_remain(&rd->dr_buf) > 0;
}

int
der_peek(const struct der_rd *rd)
{
	struct msgbuf_rd b = rd->dr_buf;	/* a copy: nothing consumed */

	if (msgbuf_remain(&b) == 0)
		return -1;
	return msgbuf_get_u8(&b);
}

int
der_end(const struct der_rd *rd)
{
	if (!msgbuf_rd_ok(&rd->dr_buf))
		return DER_E_TRUNCATED;
	return der_more(rd) ? DER_E_TRAILING : DER_OK;
}

/*
 * The length octets (X.690 8.1.3, restricted by 10.1): short form below
 * 0x80, otherwise 0x81..0x84 followed by the length in as few bytes as
 * possible.  Four bytes are far more than any token we accept.
 */
static int
get_length(struct msgbuf_rd *b, size_t *lenp)
{
	const uint8_t *p;
	size_t len, n, i;
	uint8_t lb;

	lb = msgbuf_get_u8(b);
	if (!msgbuf_rd_ok(b))
		return DER_E_TRUNCATED;
	if (lb < 0x80) {
		*lenp = lb;
		return DER_OK;
	}
	if (lb == 0x80)
		return DER_E_INDEFINITE;
	n = lb & 0x7f;
	if (n > 4)
		return DER_E_LENGTH;
	if ((p = msgbuf_get_ptr(b, n)) == NULL)
		return DER_E_TRUNCATED;
	if (p[0] == 0)
		return DER_E_LENGTH;	/* a leading zero byte */
	for (len = 0, i = 0; i < n; i++)
		len = (len << 8) | p[i];
	if (len < 0x80)
		return DER_E_LENGTH;	/* fits the short form */
	*lenp = len;
	return DER_OK;
}

int
der_get(struct der_rd *rd, struct der_tlv *t)
{
	struct msgbuf_rd *b = &rd->dr_buf;
	size_t start, len;
	uint8_t tag;
	int rc;

	memset(t, 0, sizeof(*t));
	if (msgbuf_remain(b) == 0)
		return DER_E_TRUNCATED;
	if (rd->dr_depth >= DER_MAX_DEPTH)
		return DER_E_DEPTH;
	start = msgbuf_tell(b);
	tag = msgbuf_get_u8(b);
	/* High tag numbers (X.690 8.1.2.4): nothing we parse uses them. */
	if ((tag & 0x1f) == 0x1f)
		return DER_E_TAG;
	if ((rc = get_length(b, &len)) != DER_OK)
		return rc;
	if (len > msgbuf_remain(b))
		return DER_E_TRUNCATED;
	t->dt_tag = tag;
	t->dt_len = len;
	t->dt_val = msgbuf_get_ptr(b, len);
	t->dt_raw = b->rd_buf + start;
	t->dt_rawlen = msgbuf_tell(b) - start;
	return DER_OK;
}

int
der_get_tag(struct der_rd *rd, uint8_t tag, struct der_tlv *t)
{
	int rc;

	if (der_more(rd) && der_peek(rd) != tag) {
		memset(t, 0, sizeof(*t));
		return DER_E_TAG;
	}
	if ((rc = der_get(rd, t)) != DER_OK)
		return rc;
	return DER_OK;
}

int
der_enter(struct der_rd *rd, uint8_t tag, struct der_rd *inner,
    struct der_tlv *tlv)
{
	struct der_tlv t;
	int rc;

	der_rd_init(inner, NULL, 0);
	if ((tag & DER_CONSTRUCTED) == 0)
		return DER_E_TAG;
	if ((rc = der_get_tag(rd, tag, &t)) != DER_OK)
		return rc;
	der_rd_init(inner, t.dt_val, t.dt_len);
	inner->dr_depth = rd->dr_depth + 1;
	if (tlv != NULL)
		*tlv = t;
	return DER_OK;
}

int
der_get_bytes(struct der_rd *rd, uint8_t tag, const uint8_t **p,
    size_t *len)
{
	struct der_tlv t;
	int rc;

	*p = NULL;
	*len = 0;
	/* DER forbids the constructed forms of string types (X.690 10.2). */
	if (tag & DER_CONSTRUCTED)
		return DER_E_TAG;
	if ((rc = der_get_tag(rd, tag, &t)) != DER_OK)
		return rc;
	*p = t.dt_val;
	*len = t.dt_len;
	return DER_OK;
}

int
der_oid_set(struct der_oid *oid, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i, groups;

	memset(oid, 0, sizeof(*oid));
	if (len == 0 || len > DER_OID_MAX)
		return DER_E_OID;
	/*
	 * X.690 8.19.2: each subidentifier is base 128, high bit set on all
	 * but its last byte, and as short as possible, so it never starts
	 * with 0x80.
	 */
	for (i = 0, groups = 0; i < len; i++) {
		if (groups == 0 && p[i] == 0x80)
			return DER_E_OID;
		if (++groups > DER_ARC_MAX_GROUPS)
			return DER_E_OID;
		if ((p[i] & 0x80) == 0)
			groups = 0;
	}
	if (groups != 0)
		return DER_E_OID;	/* the last subidentifier is cut off */
	memcpy(oid->oid_v, p, len);
	oid->oid_len = (uint8_t)len;
	return DER_OK;
}

int
der_get_oid(struct der_rd *rd, struct der_oid *oid)
{
	const uint8_t *p;
	size_t len;
	int rc;

	memset(oid, 0, sizeof(*oid));
	if ((rc = der_get_bytes(rd, DER_OID, &p, &len)) != DER_OK)
		return rc;
	return der_oid_set(oid, p, len);
}

int
der_get_uint(struct der_rd *rd, uint8_t tag, uint32_t *vp)
{
	const uint8_t *p;
	size_t len, i;
	uint32_t v;
	int rc;

	*vp = 0;
	if ((rc = der_get_bytes(rd, tag, &p, &len)) != DER_OK)
		return rc;
	/* X.690 8.3: two's complement in the fewest bytes. */
	if (len == 0 || (p[0] & 0x80) != 0)
		return DER_E_VALUE;	/* empty or negative */
	if (len > 1 && p[0] == 0 && (p[1] & 0x80) == 0)
		return DER_E_VALUE;	/* a redundant leading zero */
	if (p[0] == 0) {
		p++;
		len--;
	}
	if (len > 4)
		return DER_E_VALUE;
	for (v = 0, i = 0; i < len; i++)
		v = (v << 8) | p[i];
	*vp = v;
	return DER_OK;
}

int
der_get_bits(struct der_rd *rd, const uint8_t **bits, size_t *nbytes,
    unsigned int *unused)
{
	const uint8_t *p;
	size_t len;
	int rc;

	*bits = NULL;
	*nbytes = 0;
	*unused = 0;
	if ((rc = der_get_bytes(rd, DER_BIT_STRING, &p, &len)) != DER_OK)
		return rc;
	/* X.690 8.6.2 and 11.2.1: 0..7 unused bits, and they are zero. */
	if (len == 0 || p[0] > 7 || (len == 1 && p[0] != 0))
		return DER_E_VALUE;
	if (len > 1 && (p[len - 1] & ((1u << p[0]) - 1)) != 0)
		return DER_E_VALUE;
	*bits = p + 1;
	*nbytes = len - 1;
	*unused = p[0];
	return DER_OK;
}

/* Reads the contents of a constructed element, element by element. */
static int
check_contents(struct der_rd *rd)
{
	struct der_tlv t;
	struct der_rd inner;
	int rc;

	while (der_more(rd)) {
		if ((rc = der_get(rd, &t)) != DER_OK)
			return rc;
		if (t.dt_tag & DER_CONSTRUCTED) {
			der_rd_init(&inner, t.dt_val, t.dt_len);
			inner.dr_depth = rd->dr_depth + 1;
			if ((rc = check_contents(&inner)) != DER_OK)
				return rc;
		}
	}
	return der_end(rd);
}

int
der_check(const void *buf, size_t len, unsigned int depth)
{
	struct der_rd rd, inner;
	struct der_tlv t;
	int rc;

	der_rd_init(&rd, buf, len);
	rd.dr_depth = depth;
	if ((rc = der_get(&rd, &t)) != DER_OK)
		return rc;
	if (t.dt_tag & DER_CONSTRUCTED) {
		der_rd_init(&inner, t.dt_val, t.dt_len);
		inner.dr_depth = depth + 1;
		if ((rc = check_contents(&inner)) != DER_OK)
			return rc;
	}
	return der_end(&rd);
}

bool
der_oid_eq(const struct der_oid *a, const struct der_oid *b)
{
	return a->oid_len == b->oid_len &&
	    memcmp(a->oid_v, b->oid_v, a->oid_len) == 0;
}

char *
der_oid_fmt(const struct der_oid *oid, char *buf, size_t len)
{
	uint64_t arc;
	size_t i, off;
	bool first;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	off = 0;
	first = true;
	for (arc = 0, i = 0; i < oid->oid_len && i < DER_OID_MAX; i++) {
		arc = (arc << 7) | (oid->oid_v[i] & 0x7f);
		if (oid->oid_v[i] & 0x80)
			continue;
		/* X.690 8.19.4: the first subidentifier holds two arcs. */
		if (first) {
			unsigned int top = arc < 40 ? 0 : arc < 80 ? 1 : 2;

			n = snprintf(buf + off, len - off, "%u.%llu", top,
			    (unsigned long long)(arc - 40 * top));
			first = false;
		} else
			n = snprintf(buf + off, len - off, ".%llu",
			    (unsigned long long)arc);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
		arc = 0;
	}
	return buf;
}

const char *
der_strerror(int rc)
{
	switch (rc) {
	case DER_OK:
		return "ok";
	case DER_E_TRUNCATED:
		return "element runs past its container";
	case DER_E_INDEFINITE:
		return "indefinite length";
	case DER_E_LENGTH:
		return "length not in minimal form";
	case DER_E_TAG:
		return "unexpected tag";
	case DER_E_DEPTH:
		return "nested too deep";
	case DER_E_TRAILING:
		return "trailing bytes";
	case DER_E_OID:
		return "malformed object identifier";
	case DER_E_VALUE:
		return "malformed value";
	case DER_E_NOMEM:
		return "out of memory";
	}
	return "unknown error";
}

size_t
der_put_begin(struct msgbuf_wr *wr, uint8_t tag)
{
	msgbuf_put_u8(wr, tag);
	msgbuf_put_u8(wr, 0);
	return msgbuf_wr_len(wr);
}

void
der_put_end(struct msgbuf_wr *wr, size_t mark)
{
	uint8_t lb[5];
	size_t len, n, i, v;

	if (!msgbuf_wr_ok(wr))
		return;
	if (mark < 2 || mark > msgbuf_wr_len(wr)) {
		wr->wr_err = true;
		return;
	}
	len = msgbuf_wr_len(wr) - mark;
	if (len < 0x80) {
		msgbuf_patch_u8(wr, mark - 1, (uint8_t)len);
		return;
	}
	if (len > UINT32_MAX) {
		wr->wr_err = true;
		return;
	}
	for (n = 0, v = len; v != 0; v >>= 8)
		n++;
	/*
	 * The long form needs n more length bytes in front of the
	 * contents: grow the buffer and slide the contents up.
	 */
	msgbuf_put_zero(wr, n);
	if (!msgbuf_wr_ok(wr))
		return;
	memmove(wr->wr_buf + mark + n, wr->wr_buf + mark, len);
	lb[0] = (uint8_t)(0x80 | n);
	for (i = 0; i < n; i++)
		lb[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	msgbuf_patch_bytes(wr, mark - 1, lb, n + 1);
}

void
der_put_prim(struct msgbuf_wr *wr, uint8_t tag, const void *p, size_t len)
{
	size_t mark;

	mark = der_put_begin(wr, tag);
	msgbuf_put_bytes(wr, p, len);
	der_put_end(wr, mark);
}

void
der_put_oid(struct msgbuf_wr *wr, const struct der_oid *oid)
{
	der_put_prim(wr, DER_OID, oid->oid_v, oid->oid_len);
}

void
der_put_uint(struct msgbuf_wr *wr, uint8_t tag, uint32_t v)
{
	uint8_t b[5];
	size_t n, i;

	/* Big-endian, no redundant leading zero, but a 0x00 before a set
	 * top bit so that the value stays non-negative (X.690 8.3). */
	for (n = 4; n > 1 && (v >> (8 * (n - 1))) == 0; n--)
		;
	i = 0;
	if ((v >> (8 * (n - 1))) & 0x80)
		b[i++] = 0;
	while (n > 0) {
		n--;
		b[i++] = (uint8_t)(v >> (8 * n));
	}
	der_put_prim(wr, tag, b, i);
}
