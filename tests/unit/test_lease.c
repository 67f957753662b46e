/*
 * test_lease.c — leases: the grant, upgrade and break rules as pure
 * functions, checked against the tables smbtorture's smb2.lease tests
 * hold Windows to (request, upgrade2, upgrade3, break, oplock, breaking1
 * to breaking6, statopen4); the RqLs decoder; the lease table (one key,
 * one file; opens sharing a lease; the last open freeing it); the
 * response context; breaks of a lease nobody can be told about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conn.h"
#include "lease.h"
#include "loop.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "smb2_negotiate.h"

#define R	SMB2_LEASE_READ_CACHING
#define H	SMB2_LEASE_HANDLE_CACHING
#define W	SMB2_LEASE_WRITE_CACHING

/* "RWH" and friends, as the smbtorture tables write them. */
static uint32_t
ls(const char *s)
{
	uint32_t v = 0;

	for (; *s != '\0'; s++)
		v |= *s == 'R' ? R : *s == 'H' ? H : *s == 'W' ? W : 0;
	return v;
}

static const struct lease_others alone = { false, false, 0, false };

static void
others_lease(struct lease_others *o, uint32_t state)
{
	memset(o, 0, sizeof(*o));
	o->lo_opens = true;
	o->lo_leases = state;
}

static void
test_lease_state_valid_only_with_read(void **state)
{
	(void)state;
	assert_true(lease_state_valid(0));
	assert_true(lease_state_valid(ls("R")));
	assert_true(lease_state_valid(ls("RH")));
	assert_true(lease_state_valid(ls("RW")));
	assert_true(lease_state_valid(ls("RWH")));
	assert_false(lease_state_valid(ls("H")));
	assert_false(lease_state_valid(ls("W")));
	assert_false(lease_state_valid(ls("HW")));
	assert_false(lease_state_valid(0x08));
}

/* smb2.lease.request: what an uncontended request is granted. */
static void
test_lease_grant_new_alone_matches_request_table(void **state)
{
	static const char *t[][2] = {
		{ "", "" }, { "R", "R" }, { "H", "" }, { "W", "" },
		{ "RH", "RH" }, { "RW", "RW" }, { "HW", "" },
		{ "RHW", "RHW" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(lease_grant_new(ls(t[i][0]), &alone),
		    ls(t[i][1]));
}

/*
 * smb2.lease.break: {held, requested, held broken to, granted}; the new
 * lease is granted beside the holder's state after the break.
 */
static const char *break_results[][4] = {
	{ "R", "R", "R", "R" }, { "R", "RH", "R", "RH" },
	{ "R", "RW", "R", "R" }, { "R", "RHW", "R", "RH" },
	{ "RH", "R", "RH", "R" }, { "RH", "RH", "RH", "RH" },
	{ "RH", "RW", "RH", "R" }, { "RH", "RHW", "RH", "RH" },
	{ "RW", "R", "R", "R" }, { "RW", "RH", "R", "RH" },
	{ "RW", "RW", "R", "R" }, { "RW", "RHW", "R", "RH" },
	{ "RHW", "R", "RH", "R" }, { "RHW", "RH", "RH", "RH" },
	{ "RHW", "RW", "RH", "R" }, { "RHW", "RHW", "RH", "RH" },
};

static void
test_lease_break_to_and_grant_match_break_table(void **state)
{
	struct lease_others o;
	uint32_t held, to;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(break_results) / sizeof(break_results[0]);
	    i++) {
		held = ls(break_results[i][0]);
		to = lease_break_to(held, false, false);
		assert_int_equal(to, ls(break_results[i][2]));
		/* Only a break of W makes the new open wait. */
		assert_int_equal(lease_break_waits(held, to, false),
		    (held & W) != 0);
		others_lease(&o, to);
		assert_int_equal(lease_grant_new(ls(break_results[i][1]), &o),
		    ls(break_results[i][3]));
		/* The holder asking for RHW again gets no more. */
		assert_int_equal(lease_grant_upgrade(to, ls("RHW"), &o), to);
	}
}

/* smb2.lease.upgrade2: uncontended, only a strict valid superset. */
static void
test_lease_upgrade_alone_matches_upgrade2_table(void **state)
{
	static const char *t[][3] = {
		{ "", "", "" }, { "", "R", "R" }, { "", "RH", "RH" },
		{ "", "RW", "RW" }, { "", "RWH", "RWH" },
		{ "R", "", "R" }, { "R", "R", "R" }, { "R", "RH", "RH" },
		{ "R", "RW", "RW" }, { "R", "RWH", "RWH" },
		{ "RH", "", "RH" }, { "RH", "R", "RH" }, { "RH", "RH", "RH" },
		{ "RH", "RW", "RH" }, { "RH", "RWH", "RWH" },
		{ "RW", "", "RW" }, { "RW", "R", "RW" }, { "RW", "RH", "RW" },
		{ "RW", "RW", "RW" }, { "RW", "RWH", "RWH" },
		{ "RWH", "", "RWH" }, { "RWH", "R", "RWH" },
		{ "RWH", "RH", "RWH" }, { "RWH", "RW", "RWH" },
		{ "RWH", "RWH", "RWH" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(lease_grant_upgrade(ls(t[i][0]),
		    ls(t[i][1]), &alone), ls(t[i][2]));
	/* An invalid request never changes a lease. */
	assert_int_equal(lease_grant_upgrade(ls("R"), ls("HW"), &alone),
	    ls("R"));
}

/* smb2.lease.upgrade3: beside another lease, all or nothing. */
static void
test_lease_upgrade_contended_matches_upgrade3_table(void **state)
{
	static const char *t[][4] = {
		{ "R", "R", "", "R" }, { "R", "R", "R", "R" },
		{ "R", "R", "RW", "R" }, { "R", "R", "RH", "RH" },
		{ "R", "R", "RHW", "R" },
		{ "R", "RH", "", "R" }, { "R", "RH", "R", "R" },
		{ "R", "RH", "RW", "R" }, { "R", "RH", "RH", "RH" },
		{ "R", "RH", "RHW", "R" },
		{ "RH", "R", "", "RH" }, { "RH", "R", "R", "RH" },
		{ "RH", "R", "RW", "RH" }, { "RH", "R", "RH", "RH" },
		{ "RH", "R", "RHW", "RH" },
		{ "RH", "RH", "", "RH" }, { "RH", "RH", "R", "RH" },
		{ "RH", "RH", "RW", "RH" }, { "RH", "RH", "RH", "RH" },
		{ "RH", "RH", "RHW", "RH" },
	};
	struct lease_others o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		others_lease(&o, ls(t[i][1]));
		assert_int_equal(lease_grant_upgrade(ls(t[i][0]),
		    ls(t[i][2]), &o), ls(t[i][3]));
	}
}

/* smb2.lease.oplock, second table: a lease beside an oplock gets R. */
static void
test_lease_beside_oplock_gets_read_only(void **state)
{
	struct lease_others o = { true, true, 0, false };

	(void)state;
	assert_int_equal(lease_grant_new(ls("R"), &o), ls("R"));
	assert_int_equal(lease_grant_new(ls("RH"), &o), ls("R"));
	assert_int_equal(lease_grant_new(ls("RW"), &o), ls("R"));
	assert_int_equal(lease_grant_new(ls("RHW"), &o), ls("R"));
	/* Beside an exclusive holder not broken (a compound): nothing. */
	o.lo_exclusive = true;
	assert_int_equal(lease_grant_new(ls("RHW"), &o), 0);
}

/* A plain open (no oplock, no lease) keeps W from a lease, not H. */
static void
test_lease_beside_plain_open_loses_write_only(void **state)
{
	struct lease_others o = { true, false, 0, false };

	(void)state;
	assert_int_equal(lease_grant_new(ls("RHW"), &o), ls("RH"));
	assert_int_equal(lease_grant_new(ls("RW"), &o), ls("R"));
}

/* smb2.lease.oplock, first table: an oplock beside a lease. */
static void
test_lease_oplock_cap_matches_oplock_table(void **state)
{
	(void)state;
	/* After the break: R and RW leases hold R, RH and RHW hold RH. */
	assert_int_equal(lease_oplock_cap(SMB2_OPLOCK_LEVEL_II, ls("R")),
	    SMB2_OPLOCK_LEVEL_II);
	assert_int_equal(lease_oplock_cap(SMB2_OPLOCK_LEVEL_II, ls("RH")),
	    SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(lease_oplock_cap(SMB2_OPLOCK_LEVEL_BATCH, 0),
	    SMB2_OPLOCK_LEVEL_BATCH);
	assert_int_equal(lease_break_to(ls("RW"), false, false), ls("R"));
	assert_int_equal(lease_break_to(ls("RHW"), false, false), ls("RH"));
}

/*
 * breaking2, breaking4, breaking5: an overwrite breaks to none; the
 * create waits only when W goes.  break_twice: a sharing conflict
 * takes H and waits for it.
 */
static void
test_lease_break_overwrite_and_sharing(void **state)
{
	(void)state;
	assert_int_equal(lease_break_to(ls("RWH"), false, true), 0);
	assert_true(lease_break_waits(ls("RWH"), 0, false));
	assert_int_equal(lease_break_to(ls("RH"), false, true), 0);
	assert_false(lease_break_waits(ls("RH"), 0, false));
	assert_int_equal(lease_break_to(ls("R"), false, true), 0);
	assert_false(lease_break_waits(ls("R"), 0, false));
	assert_int_equal(lease_break_to(ls("RWH"), true, false), ls("RW"));
	assert_true(lease_break_waits(ls("RWH"), ls("RW"), true));
	assert_int_equal(lease_break_to(ls("RW"), true, false), ls("RW"));
	assert_false(lease_break_waits(ls("RW"), ls("RW"), true));
}

static void
test_lease_ack_needed_from_write_or_handle_only(void **state)
{
	(void)state;
	assert_true(lease_break_needs_ack(ls("RWH")));
	assert_true(lease_break_needs_ack(ls("RH")));
	assert_true(lease_break_needs_ack(ls("RW")));
	assert_false(lease_break_needs_ack(ls("R")));
}

/* 3.3.5.22.2 and smb2.lease.breaking2 / breaking5 / breaking6. */
static void
test_lease_ack_status_follows_spec_order(void **state)
{
	(void)state;
	assert_int_equal(lease_ack_status(false, 0, 0), STATUS_UNSUCCESSFUL);
	assert_int_equal(lease_ack_status(false, ls("RH"), ls("RH")),
	    STATUS_UNSUCCESSFUL);
	assert_int_equal(lease_ack_status(true, 0, ls("R")),
	    STATUS_REQUEST_NOT_ACCEPTED);
	assert_int_equal(lease_ack_status(true, 0, ls("RWH")),
	    STATUS_REQUEST_NOT_ACCEPTED);
	assert_int_equal(lease_ack_status(true, 0, ls("H")),
	    STATUS_REQUEST_NOT_ACCEPTED);
	assert_int_equal(lease_ack_status(true, 0, 0), STATUS_SUCCESS);
	/* Any subset of the break-to state will do (breaking6). */
	assert_int_equal(lease_ack_status(true, ls("RH"), 0), STATUS_SUCCESS);
	assert_int_equal(lease_ack_status(true, ls("RH"), ls("R")),
	    STATUS_SUCCESS);
	assert_int_equal(lease_ack_status(true, ls("RH"), ls("RW")),
	    STATUS_REQUEST_NOT_ACCEPTED);
}

/* breaking3: RWH -> RH acked while an overwrite waits: RH -> R -> none. */
static void
test_lease_next_step_breaks_in_steps(void **state)
{
	(void)state;
	assert_int_equal(lease_next_step(ls("RH"), 0), ls("R"));
	assert_int_equal(lease_next_step(ls("R"), 0), 0);
	assert_int_equal(lease_next_step(ls("RH"), ls("RH")), ls("RH"));
	assert_int_equal(lease_next_step(ls("RWH"), ls("RH")), ls("RH"));
	assert_int_equal(lease_next_step(0, 0), 0);
}

/* statopen4: which opens neither break nor count. */
static void
test_lease_stat_open_masks(void **state)
{
	(void)state;
	assert_true(lease_stat_open(FILE_READ_ATTRIBUTES));
	assert_true(lease_stat_open(FILE_WRITE_ATTRIBUTES));
	assert_true(lease_stat_open(READ_CONTROL));
	assert_true(lease_stat_open(SYNCHRONIZE));
	assert_true(lease_stat_open(FILE_READ_ATTRIBUTES | SYNCHRONIZE));
	assert_false(lease_stat_open(FILE_READ_DATA));
	assert_false(lease_stat_open(FILE_WRITE_DATA));
	assert_false(lease_stat_open(FILE_READ_EA));
	assert_false(lease_stat_open(FILE_WRITE_EA));
	assert_false(lease_stat_open(FILE_EXECUTE));
	assert_false(lease_stat_open(DELETE_ACCESS));
	assert_false(lease_stat_open(WRITE_DAC));
	assert_false(lease_stat_open(WRITE_OWNER));
	assert_false(lease_stat_open(0));
}

/* -------------------------------------------------------------------- */
/* The RqLs decoder. */

static void
ctx_v2(uint8_t *b, uint8_t k, uint32_t state, uint32_t flags,
    uint16_t epoch)
{
	memset(b, 0, LEASE_CTX_V2_LEN);
	memset(b, k, 16);
	le32enc(b + 16, state);
	le32enc(b + 20, flags);
	memset(b + 32, k + 1, 16);
	le16enc(b + 48, epoch);
}

static void
test_lease_req_parse_v1_v2_and_other_lengths(void **state)
{
	struct lease_req lr;
	struct msgbuf_rd d;
	uint8_t b[64];

	(void)state;
	ctx_v2(b, 0x11, ls("RHW"), SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET,
	    0x4711);
	msgbuf_rd_init(&d, b, LEASE_CTX_V1_LEN);
	assert_int_equal(lease_req_parse(&lr, &d, LEASE_CTX_V1_LEN), 0);
	assert_int_equal(lr.lr_version, 1);
	assert_int_equal(lr.lr_state, ls("RHW"));
	assert_int_equal(lr.lr_key[15], 0x11);
	assert_int_equal(lr.lr_epoch, 0);

	msgbuf_rd_init(&d, b, LEASE_CTX_V2_LEN);
	assert_int_equal(lease_req_parse(&lr, &d, LEASE_CTX_V2_LEN), 0);
	assert_int_equal(lr.lr_version, 2);
	assert_int_equal(lr.lr_epoch, 0x4711);
	assert_int_equal(lr.lr_parent[0], 0x12);

	msgbuf_rd_init(&d, b, 40);
	assert_int_equal(lease_req_parse(&lr, &d, 40),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(lr.lr_version, 0);
	/* DataLength says 52 but the data is short. */
	msgbuf_rd_init(&d, b, 40);
	assert_int_equal(lease_req_parse(&lr, &d, LEASE_CTX_V2_LEN),
	    STATUS_INVALID_PARAMETER);
}

/* -------------------------------------------------------------------- */
/* The table, on fake opens (no session: breaks complete at once). */

static const uint8_t guid_a[16] = { 0xaa, 1 };
static const uint8_t guid_b[16] = { 0xbb, 2 };

struct file {
	struct fnode	fn;
	struct ofile	o[4];
};

static void
file_init(struct file *f, dev_t dev, ino_t ino)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->fn.fn_dev = dev;
	f->fn.fn_ino = ino;
	f->fn.fn_refs = 1;
	TAILQ_INIT(&f->fn.fn_opens);
	for (i = 0; i < 4; i++) {
		f->o[i].of_magic = OFILE_MAGIC;
		f->o[i].of_refs = 1;
		f->o[i].of_state = OFILE_ACTIVE;
		f->o[i].of_fd = -1;
		f->o[i].of_fnode = &f->fn;
		f->o[i].of_access = FILE_READ_DATA | FILE_WRITE_DATA;
		f->o[i].of_path = (char *)"f";
		timer_init(&f->o[i].of_break_timer, NULL, NULL);
	}
}

/* Opens the i-th fake open of f, as ofile_open() would. */
static struct ofile *
fake_open(struct file *f, int i)
{
	TAILQ_INSERT_TAIL(&f->fn.fn_opens, &f->o[i], of_fnode_entry);
	return &f->o[i];
}

static void
fake_close(struct file *f, int i)
{
	TAILQ_REMOVE(&f->fn.fn_opens, &f->o[i], of_fnode_entry);
	oplock_close(&f->o[i]);
}

static void
req(struct lease_req *lr, uint8_t key, uint32_t state, uint8_t version)
{
	memset(lr, 0, sizeof(*lr));
	lr->lr_version = version;
	memset(lr->lr_key, key, 16);
	lr->lr_state = state;
	lr->lr_epoch = 7;
}

static void
test_lease_opens_share_a_lease_freed_with_the_last(void **state)
{
	struct file f;
	struct lease_req lr;
	struct lease *l;

	(void)state;
	file_init(&f, 1, 10);
	req(&lr, 1, ls("RWH"), 1);
	assert_int_equal(lease_grant(fake_open(&f, 0), guid_a, &lr),
	    SMB2_OPLOCK_LEVEL_LEASE);
	assert_int_equal(lease_count(), 1);
	l = lease_lookup(guid_a, lr.lr_key);
	assert_non_null(l);
	assert_int_equal(l->l_state, ls("RWH"));
	/* A second open of the key joins it; W stays (no one else). */
	assert_int_equal(lease_grant(fake_open(&f, 1), guid_a, &lr),
	    SMB2_OPLOCK_LEVEL_LEASE);
	assert_ptr_equal(f.o[1].of_lease, l);
	assert_int_equal(l->l_nopens, 2);
	assert_int_equal(l->l_state, ls("RWH"));
	/* Another client's table does not know the key. */
	assert_null(lease_lookup(guid_b, lr.lr_key));
	fake_close(&f, 0);
	assert_int_equal(lease_count(), 1);
	fake_close(&f, 1);
	assert_int_equal(lease_count(), 0);
	assert_null(lease_lookup(guid_a, lr.lr_key));
}

static void
test_lease_key_names_one_file(void **state)
{
	struct file f;
	struct lease_req lr;
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.c_dialect = SMB2_DIALECT_300;
	memcpy(c.c_client_guid, guid_a, 16);
	file_init(&f, 1, 10);
	req(&lr, 2, ls("RH"), 1);
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, false, 0, 0), 0);
	assert_int_equal(lease_grant(fake_open(&f, 0), guid_a, &lr),
	    SMB2_OPLOCK_LEVEL_LEASE);
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, true, 1, 10), 0);
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, true, 1, 11), STATUS_INVALID_PARAMETER);
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, false, 0, 0), STATUS_INVALID_PARAMETER);
	/* The same key of another client is another lease. */
	memcpy(c.c_client_guid, guid_b, 16);
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, true, 1, 11), 0);
	fake_close(&f, 0);
	assert_int_equal(lease_count(), 0);
}

static void
test_lease_request_ignored_when_not_asked_for(void **state)
{
	struct lease_req lr;
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.c_dialect = SMB2_DIALECT_202;
	req(&lr, 3, ls("R"), 1);
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, false, 0, 0), 0);
	assert_int_equal(lr.lr_version, 0);
	c.c_dialect = SMB2_DIALECT_210;
	req(&lr, 3, ls("R"), 2);	/* v2 is 3.x only */
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, false, 0, 0), 0);
	assert_int_equal(lr.lr_version, 0);
	req(&lr, 3, ls("R"), 1);	/* RequestedOplockLevel not LEASE */
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_BATCH, false, 0, 0), 0);
	assert_int_equal(lr.lr_version, 0);
	req(&lr, 3, ls("R"), 1);
	assert_int_equal(lease_create_check(&c, &lr,
	    SMB2_OPLOCK_LEVEL_LEASE, false, 0, 0), 0);
	assert_int_equal(lr.lr_version, 1);
}

static void
test_lease_directory_gets_no_lease(void **state)
{
	struct file f;
	struct lease_req lr;

	(void)state;
	file_init(&f, 1, 20);
	f.o[0].of_is_dir = true;
	req(&lr, 4, ls("RH"), 2);
	assert_int_equal(lease_grant(fake_open(&f, 0), guid_a, &lr),
	    SMB2_OPLOCK_LEVEL_NONE);
	assert_null(f.o[0].of_lease);
	assert_int_equal(lease_count(), 0);
	fake_close(&f, 0);
}

static void
test_lease_second_key_and_response_contexts(void **state)
{
	struct file f;
	struct lease_req lr;
	uint8_t b[LEASE_CTX_V2_LEN];

	(void)state;
	file_init(&f, 1, 30);
	req(&lr, 5, ls("RWH"), 2);
	lease_grant(fake_open(&f, 0), guid_a, &lr);
	/* v2: Epoch is the request's plus one (smb2.lease.v2_epoch1). */
	assert_int_equal(lease_response(&f.o[0], b), LEASE_CTX_V2_LEN);
	assert_int_equal(b[0], 5);
	assert_int_equal(le32dec(b + 16), ls("RWH"));
	assert_int_equal(le32dec(b + 20), 0);
	assert_int_equal(le16dec(b + 48), 8);
	/*
	 * Another key beside it: RH.  Nobody can be told (no session): the
	 * break is done at once, and the new open waits for the pass that
	 * closes the lease's disconnected opens.
	 */
	assert_true(lease_break_for_open(&f.fn, NULL, false, false));
	assert_int_equal(f.o[0].of_lease->l_state, ls("RH"));
	req(&lr, 6, ls("RWH"), 1);
	lease_grant(fake_open(&f, 1), guid_a, &lr);
	assert_int_equal(lease_response(&f.o[1], b), LEASE_CTX_V1_LEN);
	assert_int_equal(le32dec(b + 16), ls("RH"));
	/* An oplock beside RH leases gets none. */
	assert_int_equal(lease_oplock_cap(SMB2_OPLOCK_LEVEL_II,
	    lease_others_states(&f.fn, &f.o[2])), SMB2_OPLOCK_LEVEL_NONE);
	/* A write by one breaks the other's R; its own stays. */
	lease_break_for_write(&f.fn, &f.o[1]);
	assert_int_equal(f.o[0].of_lease->l_state, 0);
	assert_int_equal(f.o[1].of_lease->l_state, ls("RH"));
	assert_false(lease_file_breaking(&f.fn));
	assert_int_equal(lease_response(&f.o[2], b), 0);
	fake_close(&f, 0);
	fake_close(&f, 1);
	loop_once(0);
	assert_int_equal(lease_count(), 0);
}

static void
test_lease_handle_held_for_durability(void **state)
{
	struct file f;
	struct lease_req lr;

	(void)state;
	file_init(&f, 1, 40);
	req(&lr, 7, ls("RH"), 1);
	lease_grant(fake_open(&f, 0), guid_a, &lr);
	assert_true(lease_handle_held(&f.o[0]));
	/* smb2.durable-open.reopen2-lease: key, client, then name. */
	assert_int_equal(lease_reconnect_check(&f.o[0], guid_a, &lr, "f"), 0);
	assert_int_equal(lease_reconnect_check(&f.o[0], guid_a, &lr, NULL),
	    0);
	assert_int_equal(lease_reconnect_check(&f.o[0], guid_a, &lr, "g"),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(lease_reconnect_check(&f.o[0], guid_b, &lr, "f"),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	req(&lr, 8, ls("RH"), 1);
	assert_int_equal(lease_reconnect_check(&f.o[0], guid_a, &lr, "g"),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	lr.lr_version = 0;
	assert_int_equal(lease_reconnect_check(&f.o[0], guid_a, &lr, "f"),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	/* An overwrite takes H: no handle caching is left. */
	lease_break_for_open(&f.fn, NULL, true, false);
	assert_false(lease_handle_held(&f.o[0]));
	fake_close(&f, 0);
	loop_once(0);
	assert_int_equal(lease_count(), 0);
}

static int
group_setup(void **state)
{
	(void)state;
	return loop_init();
}

static int
group_teardown(void **state)
{
	(void)state;
	loop_free();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lease_state_valid_only_with_read),
		cmocka_unit_test(
		    test_lease_grant_new_alone_matches_request_table),
		cmocka_unit_test(
		    test_lease_break_to_and_grant_match_break_table),
		cmocka_unit_test(
		    test_lease_upgrade_alone_matches_upgrade2_table),
		cmocka_unit_test(
		    test_lease_upgrade_contended_matches_upgrade3_table),
		cmocka_unit_test(test_lease_beside_oplock_gets_read_only),
		cmocka_unit_test(
		    test_lease_beside_plain_open_loses_write_only),
		cmocka_unit_test(test_lease_oplock_cap_matches_oplock_table),
		cmocka_unit_test(test_lease_break_overwrite_and_sharing),
		cmocka_unit_test(
		    test_lease_ack_needed_from_write_or_handle_only),
		cmocka_unit_test(test_lease_ack_status_follows_spec_order),
		cmocka_unit_test(test_lease_next_step_breaks_in_steps),
		cmocka_unit_test(test_lease_stat_open_masks),
		cmocka_unit_test(
		    test_lease_req_parse_v1_v2_and_other_lengths),
		cmocka_unit_test(
		    test_lease_opens_share_a_lease_freed_with_the_last),
		cmocka_unit_test(test_lease_key_names_one_file),
		cmocka_unit_test(
		    test_lease_request_ignored_when_not_asked_for),
		cmocka_unit_test(test_lease_directory_gets_no_lease),
		cmocka_unit_test(test_lease_second_key_and_response_contexts),
		cmocka_unit_test(test_lease_handle_held_for_durability),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
