/*
 * lifecycle_wire.h — an SMB2 client over a socketpair for the unit tests
 * of the lifecycle rules (test_lifecycle_rules.c, test_durable_rules.c).
 *
 * Requests go through the real dispatcher: each client is a connection
 * that negotiated SMB 3.0 (or 2.0.2) on the wire, with a session and tree
 * connects made as SESSION_SETUP and TREE_CONNECT would; CREATE (with
 * durable, lease contexts), LOGOFF, IOCTL FSCTL_LMR_REQUEST_RESILIENCY
 * and QUERY_INFO are built here and their responses read back.  The
 * server runs on a configuration of its own (wire_setup()) whose
 * timeouts are not Windows' defaults, so that a test sees which applies.
 */
#ifndef TESTS_LIFECYCLE_WIRE_H
#define TESTS_LIFECYCLE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lease.h"
#include "ofile.h"
#include "srvs.h"

#define STATUS_DUPLICATE_OBJECTID	0xC000022Au
#define FSCTL_LMR_REQUEST_RESILIENCY	0x001401D4u
#define FILE_DIRECTORY_FILE_OPT		0x00000001u
#define FILE_NON_DIRECTORY_FILE_OPT	0x00000040u
#define FILE_OPEN_IF_DISP		3u
#define RW	(FILE_READ_DATA | FILE_WRITE_DATA)
#define R_	SMB2_LEASE_READ_CACHING
#define H_	SMB2_LEASE_HANDLE_CACHING
#define W_	SMB2_LEASE_WRITE_CACHING

/* The configuration's timeouts (wire_setup()), not Windows' defaults. */
#define SHARE_DURABLE_MS	45000	/* [data] "durable timeout" */
#define DURABLE_MAX_MS		200000	/* "durable timeout max" */
#define RESILIENT_MS		90000	/* "resilient timeout" */
#define RESILIENT_MAX_MS	250000	/* "resilient timeout max" */

struct conn;
struct session;
struct share;
struct tree;

/* A client: its end of a socketpair and the server's connection. */
struct client {
	struct conn	*c;
	int		 fd;
	uint64_t	 mid;
};

/*
 * The share [data]; cl[0] (ClientGuid all 0xa0) and cl[1] (all 0xb1)
 * negotiated 3.0 by wire_setup(), cl[2] free; the counters then.
 */
extern struct share	*data;
extern struct client	 cl[3];
extern uint64_t		 base_sopens, base_fopens;

/* Sessions (gauge), Share.CurrentUses of [data], CREATEs (counter). */
#define COUNTS(sess, uses, creates) do {				\
	assert_int_equal(srvs_stats.st_sopens, base_sopens + (sess));	\
	assert_int_equal(data->sh_current_uses, (uses));		\
	assert_int_equal(srvs_stats.st_fopens, base_fopens + (creates));\
} while (0)

int	wire_setup(void **);
int	wire_teardown(void **);

/* A connection that negotiated dialect with ClientGuid all g. */
void	client_open(struct client *, uint16_t dialect, uint8_t g);
/* The client closes its end; the server notices (3.3.7.1). */
void	client_drop(struct client *);
/* A valid session of user, as SESSION_SETUP makes. */
struct session	*session_of(struct client *, const char *user);
/* A tree connect of it to [data], writable. */
struct tree	*tree_of(struct session *);

/* One create context (2.2.13.2). */
struct ctx {
	const char	*name;
	uint8_t		 data[64];
	size_t		 len;
};

struct ctx	dhnq(void);
struct ctx	dhnc(uint64_t p, uint64_t v);
struct ctx	dh2q(uint32_t timeout, uint8_t g);	/* CreateGuid all g */
struct ctx	dh2c(uint64_t p, uint64_t v, uint8_t g);
struct ctx	lease(uint8_t k, uint32_t state);	/* v1, key all k */

/* What a CREATE answered. */
struct created {
	uint32_t	status;
	uint64_t	p, v;			/* FileId */
	uint8_t		oplock;
	bool		dhnq, dh2q, lease;	/* response contexts */
	uint8_t		dhnq_data[8];
	uint32_t	dh2q_timeout, dh2q_flags;
	uint32_t	lease_state;
};

struct created	create(struct client *, struct session *, struct tree *,
		    const char *name, uint8_t oplock, uint32_t opts,
		    const struct ctx *, size_t nctx);
/* A successful CREATE of a file; its open. */
struct ofile	*open_plain(struct client *, struct session *, struct tree *,
		    const char *name, uint8_t oplock, const struct ctx *,
		    size_t nctx);
/* A durable v1 open with a batch oplock (3.3.5.9.6). */
struct ofile	*open_durable(struct client *, struct session *,
		    struct tree *, const char *name);
uint32_t	 logoff(struct client *, uint64_t sid);
uint32_t	 query(struct client *, uint64_t sid, uint32_t tid);
/* FSCTL_LMR_REQUEST_RESILIENCY with len bytes of input; its status. */
uint32_t	 resiliency(struct client *, struct session *, struct tree *,
		    const struct ofile *, uint32_t timeout, uint32_t len);
/* of is still registered, disconnected, with timeout to run. */
void		 assert_detached(const struct ofile *, uint32_t timeout);

#endif
