/*
 * fuzz_dcerpc.c — libFuzzer harness for dcerpc.c and the srvsvc/wkssvc
 * stubs (srvsvc.c, srvsvc_enum.c) behind it.
 *
 * Input byte 0 chooses:
 *   bit 0 clear: the rest is what a client writes to the srvsvc pipe, a
 *                stream of PDUs (BIND, ALTER_CONTEXT, fragmented REQUESTs,
 *                garbage) fed in pieces whose sizes the input also gives;
 *   bit 0 set:   byte 1 is an opnum and the rest a request stub, handed
 *                to srvsvc (bit 1 clear) or wkssvc (bit 1 set) directly.
 * Bit 2 makes the caller an administrator.  Beyond "no crash, no leak":
 * every PDU sent back has the common header and a frag_length equal to
 * its size and no larger than the negotiated maximum, and a dead
 * association stays dead.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dcerpc.h"
#include "log.h"
#include "loop.h"
#include "server.h"
#include "share.h"
#include "srvsvc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct dcerpc_iface * const ifaces[] = {
	&srvsvc_iface, NULL
};

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
init(void)
{
	static const char text[] =
	    "[global]\n\tsmb listen = 127.0.0.1:1\n"
	    "\tstate directory = /nonexistent\n\tadmin users = fuzz\n"
	    "[data]\n\tpath = /nonexistent/data\n\tcomment = fuzzed\n";
	char err[256];
	struct conf *cf;

	log_init("fuzz_dcerpc", 0, -1);
	if (loop_init() == -1)
		abort();
	server_init();
	cf = conf_parse(text, sizeof(text) - 1, "f.conf", "/", err,
	    sizeof(err));
	if (cf == NULL)
		abort();
	server.sv_conf = cf;
	if (share_apply(cf) == -1)
		abort();
	return 0;
}

static int
out(const uint8_t *p, size_t len, void *arg)
{
	const struct dcerpc_assoc *a = arg;

	check(len >= DCERPC_HDR_LEN && p[0] == 5 && p[1] == 0);
	check(le16dec(p + 8) == len);
	check(len <= DCERPC_MAX_FRAG);
	/* After the BIND, nothing beyond what the client can take. */
	check(!a->da_bound || len <= a->da_max_xmit || p[2] == 12 ||
	    p[2] == 15);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int done;
	struct dcerpc_caller caller;
	struct dcerpc_assoc a;
	struct dcerpc_call call;
	size_t n;
	uint32_t st;
	int dead = 0;

	if (!done)
		done = init() == 0;
	if (size < 2)
		return 0;
	memset(&caller, 0, sizeof(caller));
	snprintf(caller.dc_user, sizeof(caller.dc_user), "fuzz");
	caller.dc_admin = (data[0] & 4) != 0;
	if (data[0] & 1) {
		memset(&call, 0, sizeof(call));
		call.dcc_caller = &caller;
		call.dcc_opnum = data[1];
		ndr_rd_init(&call.dcc_in, data + 2, size - 2);
		ndr_wr_init(&call.dcc_out, DCERPC_MAX_OUT);
		st = (data[0] & 2 ? &wkssvc_iface : &srvsvc_iface)->di_call(
		    &call);
		check(st == 0 || st == NCA_S_OP_RNG_ERROR ||
		    st == NCA_S_FAULT_NDR);
		ndr_wr_free(&call.dcc_out);
		return 0;
	}
	dcerpc_init(&a, ifaces, "\\PIPE\\srvsvc", &caller, out, &a);
	data++;
	size--;
	/* Pieces: a length byte (0 = the rest), then that many bytes. */
	while (size > 0) {
		n = data[0] == 0 ? size - 1 : data[0];
		data++;
		size--;
		if (n > size)
			n = size;
		if (dcerpc_input(&a, data, n) == -1)
			dead = 1;
		else
			check(!dead);
		data += n;
		size -= n;
	}
	dcerpc_free(&a);
	return 0;
}
