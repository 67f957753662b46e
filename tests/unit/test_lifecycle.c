/*
 * test_lifecycle.c — how a session's end treats its tree connects and
 * opens, through the real modules (session.c, tree.c, ofile.c, srvs.c,
 * share.c): LOGOFF (MS-SMB2 3.3.5.6), connection loss (3.3.7.1) and an
 * administrator's close (3.3.4.12), with ServerStatistics (MS-SRVS
 * 2.2.4.39) and Share.CurrentUses checked after every step
 * (/work/shared/spec/LIFECYCLE.md §0, §4, §5, §9).
 *
 * The share is a temporary directory; its files are real, opened by the
 * test and registered with ofile_open() as a CREATE would.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "srvs.h"
#include "tree.h"

#include "fake_clock.h"

static struct conf	*cf;
static int		 peer;
static struct conn	*c;
static char		 dir[64];
static struct share	*data;	/* our reference */

static int
setup(void **state)
{
	struct sockaddr_storage ss;
	char text[512], err[256];
	int sv[2], n;

	(void)state;
	log_init("test_lifecycle", 1, LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "/tmp/test_lifecycle.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(loop_init(), 0);
	server_init();
	n = snprintf(text, sizeof(text),
	    "[global]\n\tsmb listen = 127.0.0.1:1\n"
	    "\tstate directory = /nonexistent\n"
	    "[data]\n\tpath = %s\n", dir);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	cf = conf_parse(text, (size_t)n, "t.conf", "/", err, sizeof(err));
	assert_non_null(cf);
	server.sv_conf = cf;
	assert_int_equal(share_apply(cf), 0);
	assert_non_null(data = share_lookup("data"));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	c = conn_accept(sv[0], &ss, sizeof(sa_family_t));
	assert_non_null(c);
	c->c_dialect = 0x0300;
	peer = sv[1];
	return 0;
}

static const char *const names[] = { "plain", "durable", "durable2",
    "durable3", "resilient", "many" };

static int
unlink_in(const char *d, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", d, name);
	return unlink(path);
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	/* Whatever the scavenger still holds goes, as at shutdown. */
	ofile_close_all();
	conn_close_all();
	loop_once(0);
	idtab_free(&server.sv_session_ids);
	idtab_free(&server.sv_open_ids);
	share_clear();
	share_rele(data);
	data = NULL;
	conf_free(cf);
	server.sv_conf = NULL;
	close(peer);
	loop_free();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)unlink_in(dir, names[i]);
	assert_int_equal(rmdir(dir), 0);
	return 0;
}

/* The data share, for its CurrentUses and its root directory. */
static struct share *
data_share(void)
{
	assert_non_null(data);
	return data;
}

static int
share_root_fd(void)
{
	return data_share()->sh_root;
}

/* A valid, authenticated session of c's with one tree connect to data. */
static struct session *
session_with_tree(struct tree **t)
{
	struct session *s;

	assert_non_null(s = session_new(c));
	s->s_authenticated = true;
	snprintf(s->s_user, sizeof(s->s_user), "alice");
	session_set_state(s, SESSION_VALID);
	assert_int_equal(tree_connect(s, data_share(), t), STATUS_SUCCESS);
	return s;
}

/* An open of name (created if need be) on t, as a successful CREATE. */
static struct ofile *
open_file(struct session *s, struct tree *t, const char *name,
    uint32_t access)
{
	struct ofile *of;
	int fd;

	fd = openat(t->t_root, name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd != -1);
	assert_int_equal(ofile_open(s, t, fd, name, name, false, access,
	    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, 0, &of),
	    STATUS_SUCCESS);
	assert_int_equal(of->of_state, OFILE_ACTIVE);
	return of;
}

/* Made durable as 3.3.5.9.6 would, with this oplock. */
static void
make_durable(struct ofile *of, uint8_t level, uint8_t oplock_state)
{
	of->of_durable = true;
	of->of_durable_timeout = 60000;
	of->of_oplock = level;
	of->of_oplock_state = oplock_state;
}

static void
assert_detached(uint64_t persistent)
{
	struct ofile *of = ofile_find_persistent(persistent);

	assert_non_null(of);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	assert_null(of->of_session);
	assert_null(of->of_tree);
}

static void
assert_gone(uint64_t persistent)
{
	assert_null(ofile_find_persistent(persistent));
}

/*
 * MS-SMB2 3.3.5.6 (LIFECYCLE.md §4): LOGOFF closes every open that is
 * neither durable nor resilient and detaches the others for the
 * scavenger, whatever their oplock (no oplock condition, unlike
 * 3.3.7.1); every tree connect goes (Share.CurrentUses -1 each, MS-SRVS
 * 3.1.6.7); the session leaves GlobalSessionTable (sts0_sopens -1,
 * 3.1.6.3).  sts0_fopens counts CREATEs and never goes down (MS-SRVS
 * SRVS.md §5, srvs.c).
 */
static void
test_3_3_5_6_logoff_closes_plain_opens_and_keeps_durable_ones(void **state)
{
	uint64_t sopens = srvs_stats.st_sopens, fopens = srvs_stats.st_fopens;
	uint64_t id, p_plain, p_dur, p_dur2;
	struct session *s;
	struct tree *t;
	struct ofile *of;

	(void)state;
	assert_int_equal(data_share()->sh_current_uses, 0);
	s = session_with_tree(&t);
	id = s->s_id;
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);

	of = open_file(s, t, "plain", FILE_READ_DATA | FILE_WRITE_DATA);
	p_plain = of->of_persistent;
	assert_int_equal(srvs_stats.st_fopens, fopens + 1);
	of = open_file(s, t, "durable", FILE_READ_DATA | FILE_WRITE_DATA);
	make_durable(of, SMB2_OPLOCK_LEVEL_BATCH, OPLOCK_HELD);
	p_dur = of->of_persistent;
	assert_int_equal(srvs_stats.st_fopens, fopens + 2);
	/* Its batch oplock broken to level II: still IsDurable. */
	of = open_file(s, t, "durable2", FILE_READ_DATA);
	make_durable(of, SMB2_OPLOCK_LEVEL_II, OPLOCK_HELD);
	p_dur2 = of->of_persistent;
	assert_int_equal(srvs_stats.st_fopens, fopens + 3);
	assert_int_equal(t->t_open_count, 3);
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);
	assert_int_equal(ofile_scavenger_count(), 0);

	session_end(s, OFILE_END_LOGOFF, "logoff");
	assert_gone(p_plain);
	assert_detached(p_dur);
	assert_detached(p_dur2);
	assert_int_equal(ofile_scavenger_count(), 2);
	assert_null(session_lookup_global(id));
	assert_true(TAILQ_EMPTY(&server.sv_sessions));
	assert_int_equal(srvs_stats.st_sopens, sopens);
	assert_int_equal(data_share()->sh_current_uses, 0);
	assert_int_equal(srvs_stats.st_fopens, fopens + 3);

	/* The scavenger's timeout (60 s) closes what nobody reclaimed. */
	fake_clock_advance(60001);
	loop_once(0);
	assert_gone(p_dur);
	assert_gone(p_dur2);
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	assert_int_equal(srvs_stats.st_sopens, sopens);
	assert_int_equal(data_share()->sh_current_uses, 0);
	assert_int_equal(srvs_stats.st_fopens, fopens + 3);
}

/*
 * MS-SMB2 3.3.7.1 B.1-5 (LIFECYCLE.md §9), as ofile.c's
 * ofile_preserved_on_loss() applies it: on connection loss an open is
 * preserved if resilient, or durable with a batch oplock in state Held
 * (or a lease with handle caching); a durable open whose oplock was
 * broken (level II) or is mid-break closes like a plain one.  Tree
 * connects and the session go as in LOGOFF.
 */
static void
test_3_3_7_1_connection_loss_keeps_durable_open_only_with_batch_oplock(
    void **state)
{
	uint64_t sopens = srvs_stats.st_sopens, fopens = srvs_stats.st_fopens;
	uint64_t p_plain, p_batch, p_ii, p_breaking, p_res;
	struct session *s;
	struct tree *t;
	struct ofile *of;

	(void)state;
	s = session_with_tree(&t);
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);

	of = open_file(s, t, "plain", FILE_READ_DATA);
	p_plain = of->of_persistent;
	of = open_file(s, t, "durable", FILE_READ_DATA);
	make_durable(of, SMB2_OPLOCK_LEVEL_BATCH, OPLOCK_HELD);
	p_batch = of->of_persistent;
	of = open_file(s, t, "durable2", FILE_READ_DATA);
	make_durable(of, SMB2_OPLOCK_LEVEL_II, OPLOCK_HELD);
	p_ii = of->of_persistent;
	of = open_file(s, t, "durable3", FILE_READ_DATA);
	make_durable(of, SMB2_OPLOCK_LEVEL_BATCH, OPLOCK_BREAKING);
	p_breaking = of->of_persistent;
	of = open_file(s, t, "resilient", FILE_READ_DATA);
	of->of_resilient = true;
	of->of_resilient_timeout = 30000;
	p_res = of->of_persistent;
	assert_int_equal(srvs_stats.st_fopens, fopens + 5);
	assert_int_equal(t->t_open_count, 5);
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);

	session_end(s, OFILE_END_LOST, "connection lost");
	assert_gone(p_plain);
	assert_detached(p_batch);
	assert_gone(p_ii);
	assert_gone(p_breaking);
	assert_detached(p_res);
	assert_int_equal(ofile_scavenger_count(), 2);
	assert_true(TAILQ_EMPTY(&server.sv_sessions));
	assert_int_equal(srvs_stats.st_sopens, sopens);
	assert_int_equal(data_share()->sh_current_uses, 0);
	assert_int_equal(srvs_stats.st_fopens, fopens + 5);

	/* The resilient timeout (30 s) passes first, then the durable. */
	fake_clock_advance(30001);
	loop_once(0);
	assert_gone(p_res);
	assert_detached(p_batch);
	assert_int_equal(ofile_scavenger_count(), 1);
	fake_clock_advance(30000);
	loop_once(0);
	assert_gone(p_batch);
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	assert_int_equal(srvs_stats.st_sopens, sopens);
	assert_int_equal(data_share()->sh_current_uses, 0);
	assert_int_equal(srvs_stats.st_fopens, fopens + 5);
}

/*
 * MS-SMB2 3.3.4.12 (LIFECYCLE.md §5): an administrator's close of a
 * session closes every open, durable and resilient ones too ("no
 * durable/resilient preservation"), then the tree connects and the
 * session go.
 */
static void
test_3_3_4_12_forced_close_closes_durable_opens_too(void **state)
{
	uint64_t sopens = srvs_stats.st_sopens, fopens = srvs_stats.st_fopens;
	uint64_t p_plain, p_batch, p_res;
	struct session *s;
	struct tree *t;
	struct ofile *of;

	(void)state;
	s = session_with_tree(&t);
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);
	of = open_file(s, t, "plain", FILE_READ_DATA);
	p_plain = of->of_persistent;
	of = open_file(s, t, "durable", FILE_READ_DATA);
	make_durable(of, SMB2_OPLOCK_LEVEL_BATCH, OPLOCK_HELD);
	p_batch = of->of_persistent;
	of = open_file(s, t, "resilient", FILE_READ_DATA);
	of->of_resilient = true;
	of->of_resilient_timeout = 30000;
	p_res = of->of_persistent;
	assert_int_equal(srvs_stats.st_fopens, fopens + 3);
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);

	session_end(s, OFILE_END_CLOSE, "closed by the administrator");
	assert_gone(p_plain);
	assert_gone(p_batch);
	assert_gone(p_res);
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	assert_true(TAILQ_EMPTY(&server.sv_sessions));
	assert_int_equal(srvs_stats.st_sopens, sopens);
	assert_int_equal(data_share()->sh_current_uses, 0);
	assert_int_equal(srvs_stats.st_fopens, fopens + 3);
}

#define MANY	100000

/*
 * MS-SMB2 3.3.5.6 step 2 at scale: one LOGOFF of a session with 100 000
 * plain opens closes each one (3.3.4.17, MS-SRVS 3.1.6.5 each), and the
 * gauges come back; ASan's leak check covers the rest.  The opens share
 * one file and ask for no data access, so no share-mode walk grows with
 * their number; each gives its descriptor back at once (the process has
 * fewer than 100 000), which ofile_close() allows (of_fd -1, as pipes).
 */
static void
test_logoff_of_100000_opens_accounts_for_every_open(void **state)
{
	uint64_t sopens = srvs_stats.st_sopens, fopens = srvs_stats.st_fopens;
	struct session *s;
	struct tree *t;
	struct ofile *of;
	struct stat st;
	size_t i, n;

	(void)state;
	s = session_with_tree(&t);
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);
	for (i = 0; i < MANY; i++) {
		of = open_file(s, t, "many", FILE_READ_ATTRIBUTES);
		close(of->of_fd);
		of->of_fd = -1;
	}
	assert_int_equal(t->t_open_count, MANY);
	assert_int_equal(srvs_stats.st_fopens, fopens + MANY);
	n = 0;
	TAILQ_FOREACH(of, &server.sv_opens, of_global_entry)
		n++;
	assert_int_equal(n, MANY);
	assert_int_equal(srvs_stats.st_sopens, sopens + 1);
	assert_int_equal(data_share()->sh_current_uses, 1);

	session_end(s, OFILE_END_LOGOFF, "logoff");
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	assert_int_equal(fstatat(share_root_fd(), "many", &st, 0), 0);
	assert_null(ofile_fnode_find(st.st_dev, st.st_ino));
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_true(TAILQ_EMPTY(&server.sv_sessions));
	assert_int_equal(srvs_stats.st_sopens, sopens);
	assert_int_equal(data_share()->sh_current_uses, 0);
	assert_int_equal(srvs_stats.st_fopens, fopens + MANY);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_3_3_5_6_logoff_closes_plain_opens_and_keeps_durable_ones),
		T(test_3_3_7_1_connection_loss_keeps_durable_open_only_with_batch_oplock),
		T(test_3_3_4_12_forced_close_closes_durable_opens_too),
		T(test_logoff_of_100000_opens_accounts_for_every_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
