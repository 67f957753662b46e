/*
 * ndr.h — NDR 2.0 marshalling (C706 chapter 14, MS-RPCE 2.2.5), little
 * endian only, bounds-checked both ways.
 *
 * Alignment is relative to the start of the stub (C706 14.2.2: the stub
 * begins 8-aligned in the PDU).  Readers and writers latch an error: once
 * something does not fit, every later call is a no-op and *_ok() says so,
 * so a decoder checks once at the end.
 *
 * Embedded pointers (C706 14.3.12.3): a writer queues the referent of a
 * unique pointer (a string or a byte array) with ndr_put_*_ptr() and
 * writes the queue with ndr_flush(), after the construct that holds the
 * pointers, so an array of structures carries all its structures first
 * and then their strings in order, as the rules ask.  A reader sees the
 * pointer (referent id or NULL) and reads the referent where the caller
 * knows it lies.  Full pointers ([ptr], 14.3.11.3) may name a referent
 * seen before; ndr_get_full_ptr() tells the caller whether to read it.
 */
#ifndef SMBSRVD_NDR_H
#define SMBSRVD_NDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"

/* Longest wide string a reader accepts, in UTF-16 units with the NUL. */
#define NDR_WSTR_MAX		4096
/* Referent ids a reader remembers for full pointers. */
#define NDR_FULL_PTR_MAX	64

struct ndr_rd {
	const uint8_t	*nr_buf;
	size_t		 nr_len;
	size_t		 nr_off;
	bool		 nr_err;
	uint32_t	 nr_full[NDR_FULL_PTR_MAX];
	size_t		 nr_nfull;
};

void		ndr_rd_init(struct ndr_rd *, const void *, size_t);
bool		ndr_rd_ok(const struct ndr_rd *);
size_t		ndr_rd_remain(const struct ndr_rd *);
void		ndr_rd_align(struct ndr_rd *, size_t);
uint8_t		ndr_get_u8(struct ndr_rd *);
uint16_t	ndr_get_u16(struct ndr_rd *);
uint32_t	ndr_get_u32(struct ndr_rd *);
uint64_t	ndr_get_u64(struct ndr_rd *);
/* A unique or ref-embedded pointer: its referent id, 0 for NULL. */
uint32_t	ndr_get_ptr(struct ndr_rd *);
/*
 * A full pointer: its referent id (0 NULL) and, in *seen, whether that id
 * came before in this stub, in which case its referent is not repeated.
 */
uint32_t	ndr_get_full_ptr(struct ndr_rd *, bool *seen);
/*
 * A conformant varying wide string ([string] wchar_t *, 14.3.4.2):
 * max_count, offset (must be 0), actual_count <= max_count, the units, the
 * last one NUL; it ends at its first NUL.  Converted to UTF-8 in out.
 * Returns 0, or -1 with the reader failed for a malformed string, or -2
 * for a good string longer than outsz or NDR_WSTR_MAX units allow (the
 * reader stays good and past it: the caller answers with its own error,
 * e.g. ERROR_INVALID_PARAMETER).
 */
int		ndr_get_wstr(struct ndr_rd *, char *out, size_t outsz);
/*
 * A conformant array of uniformly sized elements: max_count, then
 * returns a pointer to count * elsize bytes (NULL and failed if not
 * there or if count exceeds max).
 */
const uint8_t	*ndr_get_carray(struct ndr_rd *, size_t elsize, size_t max,
		    uint32_t *count);

struct ndr_queued;

struct ndr_wr {
	struct msgbuf_wr	 nw_buf;
	uint32_t		 nw_ref;	/* last referent id given */
	struct ndr_queued	*nw_q;		/* deferred referents */
	size_t			 nw_nq, nw_capq;
	bool			 nw_err;
};

void		ndr_wr_init(struct ndr_wr *, size_t max);
void		ndr_wr_free(struct ndr_wr *);
bool		ndr_wr_ok(const struct ndr_wr *);
size_t		ndr_wr_len(const struct ndr_wr *);
const uint8_t	*ndr_wr_data(const struct ndr_wr *);
void		ndr_wr_align(struct ndr_wr *, size_t);
void		ndr_put_u8(struct ndr_wr *, uint8_t);
void		ndr_put_u16(struct ndr_wr *, uint16_t);
void		ndr_put_u32(struct ndr_wr *, uint32_t);
void		ndr_put_u64(struct ndr_wr *, uint64_t);
/* A pointer with a fresh referent id, or NULL (0). */
void		ndr_put_ptr(struct ndr_wr *, bool nonnull);
/* A conformant varying wide string from UTF-8, at once. */
void		ndr_put_wstr(struct ndr_wr *, const char *);
/* A unique pointer to a wide string (NULL s: a NULL pointer), deferred. */
void		ndr_put_wstr_ptr(struct ndr_wr *, const char *);
/* A unique pointer to a conformant byte array, deferred; copied. */
void		ndr_put_bytes_ptr(struct ndr_wr *, const void *, uint32_t len);
/* Writes the deferred referents in the order they were queued. */
void		ndr_flush(struct ndr_wr *);

#endif
