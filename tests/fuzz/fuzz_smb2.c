/*
 * fuzz_smb2.c — the whole SMB2 input path: transport message to
 * dispatcher, header and compound checks, NEGOTIATE with contexts, the
 * SMB1 upgrade, SESSION_SETUP through SPNEGO and NTLMSSP, TREE_CONNECT,
 * IOCTL and the rest of the gates.
 *
 * Input: a sequence of messages, each a 2-byte little-endian length and
 * that many bytes, delivered in order on one fresh connection (so later
 * messages can reach the states earlier ones set up).  The connection is
 * dropped at the end, which must free every session and tree it made.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "server.h"
#include "share.h"
#include "smb2_dispatch.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
init(void)
{
	static const char text[] =
	    "[global]\n\tsmb listen = 127.0.0.1:1\n"
	    "\tstate directory = /nonexistent\n\tmap to guest = bad user\n"
	    "[data]\n\tpath = /nonexistent/data\n\tguest ok = yes\n";
	char err[256];
	struct conf *cf;

	log_init("fuzz_smb2", 1, -1);
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int done;
	struct sockaddr_storage ss;
	struct conn *c;
	uint8_t drain[65536], *msg;
	size_t len;
	int sv[2];

	if (!done)
		done = init() == 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		abort();
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	if ((c = conn_accept(sv[0], &ss, sizeof(sa_family_t))) == NULL)
		abort();
	while (size >= 2 && c->c_state == CONN_LIVE) {
		len = (size_t)data[0] | ((size_t)data[1] << 8);
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (len == 0)
			continue;
		/* The dispatcher owns what it is given, as from conn.c. */
		if ((msg = malloc(len)) == NULL)
			abort();
		memcpy(msg, data, len);
		smb2_conn_input(c, msg, len);
		data += len;
		size -= len;
		while (read(sv[1], drain, sizeof(drain)) > 0)
			;
	}
	conn_abort(c, "fuzz input done");
	loop_once(0);
	close(sv[1]);
	if (server.sv_nconns != 0 || !TAILQ_EMPTY(&server.sv_sessions))
		abort();	/* a session outlived its only connection */
	return 0;
}
