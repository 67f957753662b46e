/*
 * der.h — a small strict DER (X.690 section 10) reader and writer.
 *
 * Only what GSS-API framing (RFC 2743 section 3.1) and SPNEGO (RFC 4178)
 * need: single-byte tags, definite lengths, OBJECT IDENTIFIER, ENUMERATED,
 * OCTET STRING, BIT STRING and constructed types.  The reader is strict
 * because the SPNEGO mechListMIC is computed over the DER bytes the client
 * sent (RFC 4178 section 5); accepting BER would let two encodings of one
 * value carry different MICs.  It refuses:
 *   - indefinite lengths (0x80) and the reserved length byte 0xff,
 *   - lengths not in the shortest form (X.690 10.1), or longer than 4 bytes,
 *   - lengths running past the enclosing element,
 *   - high tag numbers (low five bits all set: nothing here uses them),
 *   - an element nested deeper than DER_MAX_DEPTH (the outermost element
 *     is at depth 1),
 *   - OIDs longer than DER_OID_MAX bytes or not minimally encoded.
 * Trailing bytes inside a constructed element are reported by der_end();
 * the caller decides where they matter (in SPNEGO: everywhere).
 *
 * Every byte is read through struct msgbuf_rd; nothing is copied except
 * OIDs.  Readers hand out pointers into the caller's buffer.
 *
 * Functions return DER_OK (0) or a negative DER_E_* code; the code says
 * what was wrong, der_strerror() says it in words.
 */
#ifndef SMBSRVD_DER_H
#define SMBSRVD_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"

#define DER_MAX_DEPTH		8
#define DER_OID_MAX		32	/* content bytes */

/* Universal tags (X.680 8.4), as the single identifier byte. */
#define DER_BOOLEAN		0x01
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_NULL		0x05
#define DER_OID			0x06
#define DER_ENUMERATED		0x0a
#define DER_GENERAL_STRING	0x1b
#define DER_SEQUENCE		0x30	/* always constructed */
/* Constructed context-specific [n] and application [APPLICATION n]. */
#define DER_CONTEXT(n)		(0xa0 | (n))
#define DER_APPLICATION(n)	(0x60 | (n))
#define DER_CONSTRUCTED		0x20

enum {
	DER_OK = 0,
	DER_E_TRUNCATED = -1,	/* an element runs past its container */
	DER_E_INDEFINITE = -2,	/* indefinite length (BER only) */
	DER_E_LENGTH = -3,	/* length not minimal, reserved or too big */
	DER_E_TAG = -4,		/* unexpected or unsupported tag */
	DER_E_DEPTH = -5,	/* nested deeper than DER_MAX_DEPTH */
	DER_E_TRAILING = -6,	/* bytes left over inside an element */
	DER_E_OID = -7,		/* malformed or over-long OID */
	DER_E_VALUE = -8,	/* malformed primitive contents */
	DER_E_NOMEM = -9	/* writer: out of memory or over its cap */
};

/*
 * A reader over the contents of one constructed element (or over the
 * whole input).  dr_depth counts the elements enclosing dr_buf; an
 * element read from it is at depth dr_depth + 1.
 */
struct der_rd {
	struct msgbuf_rd	 dr_buf;
	unsigned int		 dr_depth;
};

/* One element as read: the whole encoding and its contents. */
struct der_tlv {
	uint8_t		 dt_tag;
	const uint8_t	*dt_raw;	/* identifier byte onward */
	size_t		 dt_rawlen;
	const uint8_t	*dt_val;	/* contents */
	size_t		 dt_len;
};

/* An OBJECT IDENTIFIER as its DER contents (no tag or length). */
struct der_oid {
	uint8_t		 oid_len;
	uint8_t		 oid_v[DER_OID_MAX];
};

void		 der_rd_init(struct der_rd *, const void *, size_t);
bool		 der_more(const struct der_rd *);
/* The next identifier byte, or -1 at the end. */
int		 der_peek(const struct der_rd *);
/* DER_OK when every byte has been read, else DER_E_TRAILING. */
int		 der_end(const struct der_rd *);

/* Reads the next element, whatever its tag. */
int		 der_get(struct der_rd *, struct der_tlv *);
/* Reads the next element; DER_E_TAG unless its identifier is tag. */
int		 der_get_tag(struct der_rd *, uint8_t tag, struct der_tlv *);
/*
 * Reads a constructed element with identifier tag and opens a reader on
 * its contents; tlv (may be NULL) receives the element itself.
 */
int		 der_enter(struct der_rd *, uint8_t tag, struct der_rd *inner,
		    struct der_tlv *tlv);
/* Primitive contents with identifier tag (OCTET STRING, GeneralString). */
int		 der_get_bytes(struct der_rd *, uint8_t tag, const uint8_t **,
		    size_t *);
int		 der_get_oid(struct der_rd *, struct der_oid *);
/* ENUMERATED or INTEGER (by tag) holding a value in 0..INT32_MAX. */
int		 der_get_uint(struct der_rd *, uint8_t tag, uint32_t *);
/* BIT STRING: checks the unused-bits octet, hands back the bits. */
int		 der_get_bits(struct der_rd *, const uint8_t **, size_t *,
		    unsigned int *unused);

/*
 * Walks one whole encoding: exactly one element filling [buf, buf+len),
 * constructed elements opened recursively, every length checked.  depth
 * is the depth of the enclosing context (0 for a top-level buffer).
 */
int		 der_check(const void *buf, size_t len, unsigned int depth);

/* Validates OID contents and stores them. */
int		 der_oid_set(struct der_oid *, const void *, size_t);
bool		 der_oid_eq(const struct der_oid *, const struct der_oid *);
/* Dotted text ("1.3.6.1.5.5.2"), truncated to fit; returns buf. */
char		*der_oid_fmt(const struct der_oid *, char *buf, size_t len);

const char	*der_strerror(int);

/*
 * Writing.  der_put_begin() writes an identifier and a placeholder length
 * and returns a mark; der_put_end() fills in the length of everything
 * written since, moving the contents if the length needs more than one
 * byte.  Errors are the writer's sticky wr_err (msgbuf.h).
 */
size_t		 der_put_begin(struct msgbuf_wr *, uint8_t tag);
void		 der_put_end(struct msgbuf_wr *, size_t mark);
void		 der_put_prim(struct msgbuf_wr *, uint8_t tag, const void *,
		    size_t);
void		 der_put_oid(struct msgbuf_wr *, const struct der_oid *);
/* ENUMERATED or INTEGER (by tag) with a non-negative value. */
void		 der_put_uint(struct msgbuf_wr *, uint8_t tag, uint32_t);

#endif
