/*
 * dcerpc.h — connection-oriented DCE/RPC over a named pipe (C706 chapter
 * 12, MS-RPCE 2.2.2 and 3.3.1): one association per pipe open.
 *
 * The pipe hands dcerpc_input() what the client wrote; complete PDUs are
 * processed at once and each answering PDU is handed to the output
 * callback, one call per fragment, which the pipe keeps as one message.
 * A return of -1 means the association is beyond repair (a protocol
 * error C706 answers by closing): the pipe then refuses further I/O.
 *
 * No authentication is spoken on the pipe (the SMB session is the
 * caller's identity, as MS-SRVS 3.1.4 <43> allows); a BIND carrying an
 * auth verifier is refused.  Interfaces are rows of a table each pipe
 * names (struct dcerpc_iface); an operation reads its NDR request stub
 * and writes its NDR response stub and returns 0 or a fault status.
 */
#ifndef SMBSRVD_DCERPC_H
#define SMBSRVD_DCERPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ndr.h"

/* Fault statuses (C706 appendix E, MS-RPCE 2.2.2.11 and 3.1.1.5.5). */
#define NCA_S_OP_RNG_ERROR		0x1c010002u
#define NCA_S_UNK_IF			0x1c010003u
#define NCA_S_PROTO_ERROR		0x1c01000bu
#define NCA_S_FAULT_CONTEXT_MISMATCH	0x1c00001au
#define NCA_S_FAULT_REMOTE_NO_MEMORY	0x1c00001bu
#define NCA_S_FAULT_NDR			0x000006f7u	/* RPC_X_BAD_STUB_DATA */
#define NCA_S_FAULT_ACCESS_DENIED	0x00000005u

#define DCERPC_HDR_LEN		16
/* MS-RPCE 3.3.3.5.1 / C706 12.6.3.1: fragments no smaller than this. */
#define DCERPC_MIN_FRAG		1432
/* What we send and take per fragment (Windows uses 4280 or 5840). */
#define DCERPC_MAX_FRAG		5840
/* The largest request stub reassembled from fragments. */
#define DCERPC_MAX_STUB		(1024 * 1024)
/* The largest response stub an operation may build. */
#define DCERPC_MAX_OUT		(4 * 1024 * 1024)
#define DCERPC_MAX_CONTEXTS	8

/* Who is calling: the SMB session that opened the pipe. */
struct dcerpc_caller {
	uint64_t	dc_session_id;		/* SessionGlobalId */
	char		dc_user[769];
	char		dc_domain[769];
	char		dc_client[64];		/* client address */
	bool		dc_guest;
	bool		dc_anonymous;
	bool		dc_admin;		/* "admin users" */
};

struct dcerpc_call {
	const struct dcerpc_caller *dcc_caller;
	uint16_t	 dcc_opnum;
	struct ndr_rd	 dcc_in;
	struct ndr_wr	 dcc_out;
};

struct dcerpc_iface {
	const char	*di_name;		/* "srvsvc" */
	uint8_t		 di_uuid[16];		/* as on the wire */
	uint16_t	 di_vers_major, di_vers_minor;
	/* 0, or a fault status (NCA_S_OP_RNG_ERROR for an unknown opnum). */
	uint32_t	(*di_call)(struct dcerpc_call *);
};

struct dcerpc_ctx {
	uint16_t			 dx_id;
	const struct dcerpc_iface	*dx_iface;
};

typedef int	(*dcerpc_out_fn)(const uint8_t *, size_t, void *);

struct dcerpc_assoc {
	const struct dcerpc_iface * const *da_ifaces;	/* NULL-terminated */
	const char		*da_pipe;	/* "\\PIPE\\srvsvc" */
	const struct dcerpc_caller *da_caller;
	dcerpc_out_fn		 da_out;
	void			*da_arg;
	bool			 da_bound;
	bool			 da_dead;
	uint16_t		 da_max_xmit;	/* we send at most */
	uint16_t		 da_max_recv;	/* we accept at most */
	uint32_t		 da_assoc_group;
	struct dcerpc_ctx	 da_ctx[DCERPC_MAX_CONTEXTS];
	int			 da_nctx;
	/* Bytes written but not yet a whole PDU. */
	uint8_t			*da_in;
	size_t			 da_inlen;
	/* A fragmented request being reassembled. */
	uint8_t			*da_stub;
	size_t			 da_stublen;
	uint32_t		 da_call_id;
	uint16_t		 da_opnum;
	uint16_t		 da_ctx_id;
	bool			 da_in_request;
};

void	dcerpc_init(struct dcerpc_assoc *,
	    const struct dcerpc_iface * const *ifaces, const char *pipe,
	    const struct dcerpc_caller *, dcerpc_out_fn, void *);
void	dcerpc_free(struct dcerpc_assoc *);
/* 0, or -1: the association is dead (after a final FAULT if any). */
int	dcerpc_input(struct dcerpc_assoc *, const uint8_t *, size_t);

#endif
