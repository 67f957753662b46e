/*
 * test_durable.c — durable handle requests (smbsrvd/smb2_durable.c): the
 * combination rules of the four contexts, which opens are made durable
 * (MS-SMB2 3.3.5.9.6, 3.3.5.9.10: a batch oplock or a lease with handle
 * caching) and with which DurableOpenTimeout; and the stat-open rule that
 * decides which opens break oplocks (oplock.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "durable.h"
#include "lease.h"
#include "loop.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"

#define R	SMB2_LEASE_READ_CACHING
#define H	SMB2_LEASE_HANDLE_CACHING
#define W	SMB2_LEASE_WRITE_CACHING

static const uint8_t guid_a[16] = { 0xaa, 1 };

struct file {
	struct fnode	fn;
	struct ofile	o;
};

static struct ofile *
file_open(struct file *f, ino_t ino)
{
	memset(f, 0, sizeof(*f));
	f->fn.fn_dev = 1;
	f->fn.fn_ino = ino;
	f->fn.fn_refs = 1;
	TAILQ_INIT(&f->fn.fn_opens);
	f->o.of_magic = OFILE_MAGIC;
	f->o.of_refs = 1;
	f->o.of_state = OFILE_ACTIVE;
	f->o.of_fd = -1;
	f->o.of_fnode = &f->fn;
	f->o.of_access = FILE_READ_DATA | FILE_WRITE_DATA;
	f->o.of_path = (char *)"f";
	timer_init(&f->o.of_break_timer, NULL, NULL);
	TAILQ_INSERT_TAIL(&f->fn.fn_opens, &f->o, of_fnode_entry);
	return &f->o;
}

static void
file_close(struct file *f)
{
	TAILQ_REMOVE(&f->fn.fn_opens, &f->o, of_fnode_entry);
	oplock_close(&f->o);
	loop_once(0);
}

static void
ctx(struct durable_req *dr, const char *name, const uint8_t *data,
    size_t len)
{
	struct msgbuf_rd rd;

	msgbuf_rd_init(&rd, data, len);
	assert_int_equal(durable_ctx(dr, (const uint8_t *)name, &rd),
	    STATUS_SUCCESS);
}

/* 3.3.5.9.6 step 3, 3.3.5.9.7 step 1, 3.3.5.9.10 step 1, 3.3.5.9.12. */
static void
test_durable_v1_and_v2_contexts_do_not_mix(void **state)
{
	static const uint8_t z[36];
	struct durable_req dr;

	(void)state;
	memset(&dr, 0, sizeof(dr));
	ctx(&dr, "DHnQ", z, 16);
	assert_int_equal(durable_check(&dr), STATUS_SUCCESS);
	ctx(&dr, "DHnC", z, 16);
	/* DHnQ beside DHnC is ignored: a reconnect. */
	assert_int_equal(durable_check(&dr), STATUS_SUCCESS);
	assert_true(durable_is_reconnect(&dr));
	ctx(&dr, "DH2Q", z, 32);
	assert_int_equal(durable_check(&dr), STATUS_INVALID_PARAMETER);

	memset(&dr, 0, sizeof(dr));
	ctx(&dr, "DH2C", z, 36);
	assert_int_equal(durable_check(&dr), STATUS_SUCCESS);
	ctx(&dr, "DHnQ", z, 16);
	assert_int_equal(durable_check(&dr), STATUS_INVALID_PARAMETER);
}

/* 2.2.13.2.4: a DHnC shorter than its FileId is malformed. */
static void
test_durable_reconnect_context_needs_its_file_id(void **state)
{
	static const uint8_t z[16];
	struct durable_req dr;
	struct msgbuf_rd rd;

	(void)state;
	memset(&dr, 0, sizeof(dr));
	msgbuf_rd_init(&rd, z, 15);
	assert_int_equal(durable_ctx(&dr, (const uint8_t *)"DHnC", &rd),
	    STATUS_INVALID_PARAMETER);
	msgbuf_rd_init(&rd, z, 31);
	assert_int_equal(durable_ctx(&dr, (const uint8_t *)"DH2C", &rd),
	    STATUS_INVALID_PARAMETER);
}

/*
 * 3.3.5.9.6 step 4: durable only with a batch oplock or a lease with
 * handle caching (smb2.durable-open.open-oplock, open-lease tables).
 */
static void
test_durable_v1_needs_batch_or_lease_with_handle(void **state)
{
	static const uint8_t levels[] = { SMB2_OPLOCK_LEVEL_NONE,
	    SMB2_OPLOCK_LEVEL_II, SMB2_OPLOCK_LEVEL_EXCLUSIVE };
	static const uint32_t leases[] = { R | H, R | W | H, R, R | W };
	static const uint8_t z[16];
	struct durable_req dr;
	struct lease_req lr;
	struct file f;
	struct ofile *of;
	char name[4];
	uint8_t out[8];
	size_t len, i;

	(void)state;
	memset(&dr, 0, sizeof(dr));
	ctx(&dr, "DHnQ", z, 16);
	for (i = 0; i < sizeof(levels); i++) {
		of = file_open(&f, 10 + i);
		durable_grant(of, &dr, levels[i], 60000, 300000, name, out,
		    &len);
		assert_int_equal(len, 0);
		assert_false(of->of_durable);
	}
	of = file_open(&f, 20);
	durable_grant(of, &dr, SMB2_OPLOCK_LEVEL_BATCH, 45000, 300000, name,
	    out, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(name, "DHnQ", 4);
	assert_true(of->of_durable);
	assert_int_equal(of->of_durable_timeout, 45000);
	/* Not for a directory, even with a batch oplock asked for. */
	of = file_open(&f, 21);
	of->of_is_dir = true;
	durable_grant(of, &dr, SMB2_OPLOCK_LEVEL_BATCH, 45000, 300000, name,
	    out, &len);
	assert_int_equal(len, 0);

	for (i = 0; i < 4; i++) {
		of = file_open(&f, 30 + i);
		memset(&lr, 0, sizeof(lr));
		lr.lr_version = 1;
		memset(lr.lr_key, 0x40 + (int)i, 16);
		lr.lr_state = leases[i];
		assert_int_equal(lease_grant(of, guid_a, &lr),
		    SMB2_OPLOCK_LEVEL_LEASE);
		durable_grant(of, &dr, SMB2_OPLOCK_LEVEL_LEASE, 60000, 300000,
		    name, out, &len);
		assert_int_equal(of->of_durable, (leases[i] & H) != 0);
		assert_int_equal(len, (leases[i] & H) ? 8 : 0);
		file_close(&f);
	}
	assert_int_equal(lease_count(), 0);
}

/*
 * 3.3.5.9.10 step 4: the client's Timeout up to 300 s (<343>), the
 * server's when it asks for 0 (<344>); the CreateGuid is kept.
 */
static void
test_durable_v2_timeout_capped_and_default_for_zero(void **state)
{
	static const uint32_t asked[] = { 0, 1000, 300000, 300001,
	    UINT32_MAX };
	static const uint32_t given[] = { 60000, 1000, 300000, 300000,
	    300000 };
	struct durable_req dr;
	struct file f;
	struct ofile *of;
	uint8_t data[32], out[8];
	char name[4];
	size_t len, i;

	(void)state;
	for (i = 0; i < 5; i++) {
		memset(&dr, 0, sizeof(dr));
		memset(data, 0, sizeof(data));
		le32enc(data, asked[i]);
		memset(data + 16, 0x5a, 16);
		ctx(&dr, "DH2Q", data, 32);
		of = file_open(&f, 40 + i);
		durable_grant(of, &dr, SMB2_OPLOCK_LEVEL_BATCH, 60000,
		    DURABLE_V2_MAX_MS, name, out, &len);
		assert_int_equal(len, 8);
		assert_memory_equal(name, "DH2Q", 4);
		assert_int_equal(le32dec(out), given[i]);
		assert_int_equal(le32dec(out + 4), 0);
		assert_int_equal(of->of_durable_timeout, given[i]);
		assert_memory_equal(of->of_create_guid, data + 16, 16);
	}
}

/* A DH2Q asking for timeout ms, granted with a batch oplock. */
static uint32_t
v2_granted(uint32_t timeout, uint32_t default_ms, uint32_t max_ms,
    ino_t ino)
{
	struct durable_req dr;
	struct file f;
	struct ofile *of;
	uint8_t data[32], out[8];
	char name[4];
	size_t len;

	memset(&dr, 0, sizeof(dr));
	memset(data, 0, sizeof(data));
	le32enc(data, timeout);
	memset(data + 16, 0x6b, 16);
	ctx(&dr, "DH2Q", data, 32);
	of = file_open(&f, ino);
	durable_grant(of, &dr, SMB2_OPLOCK_LEVEL_BATCH, default_ms, max_ms,
	    name, out, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(name, "DH2Q", 4);
	/* What the client is told is what the open keeps. */
	assert_int_equal(le32dec(out), of->of_durable_timeout);
	return of->of_durable_timeout;
}

/*
 * "durable timeout max" and "durable timeout" (smbsrvd.conf(5)) in
 * place of Windows' 300 s and 60 s: 3.3.5.9.10 step 4 caps the client's
 * Timeout at the configured ceiling and gives the configured default
 * for 0; a v1 open (3.3.5.9.6 step 6) gets the default, and never more
 * than the ceiling.
 */
static void
test_durable_configured_max_caps_v2_and_default_serves_zero(void **state)
{
	static const uint8_t z[16];
	struct durable_req dr;
	struct file f;
	struct ofile *of;
	uint8_t out[8];
	char name[4];
	size_t len;

	(void)state;
	assert_int_equal(v2_granted(300000, 5000, 20000, 50), 20000);
	assert_int_equal(v2_granted(20001, 5000, 20000, 51), 20000);
	assert_int_equal(v2_granted(20000, 5000, 20000, 52), 20000);
	assert_int_equal(v2_granted(1500, 5000, 20000, 53), 1500);
	assert_int_equal(v2_granted(0, 5000, 20000, 54), 5000);
	/* A ceiling above Windows' 300 s is the administrator's to give. */
	assert_int_equal(v2_granted(600000, 5000, 900000, 55), 600000);

	memset(&dr, 0, sizeof(dr));
	ctx(&dr, "DHnQ", z, 16);
	of = file_open(&f, 56);
	durable_grant(of, &dr, SMB2_OPLOCK_LEVEL_BATCH, 5000, 20000, name,
	    out, &len);
	assert_int_equal(len, 8);
	assert_int_equal(of->of_durable_timeout, 5000);
	/* A share's default above a ceiling lowered by a reload. */
	of = file_open(&f, 57);
	durable_grant(of, &dr, SMB2_OPLOCK_LEVEL_BATCH, 60000, 20000, name,
	    out, &len);
	assert_int_equal(of->of_durable_timeout, 20000);
	assert_int_equal(v2_granted(0, 60000, 20000, 58), 20000);
}

/*
 * The stat-open rule Windows documents for IRP_MJ_CREATE: attributes and
 * synchronization only break no oplock; unlike leases, READ_CONTROL is
 * not part of it (smb2.oplock.exclusive5 breaks through an overwrite).
 */
static void
test_oplock_stat_open_excludes_read_control(void **state)
{
	(void)state;
	assert_true(oplock_stat_open(FILE_READ_ATTRIBUTES));
	assert_true(oplock_stat_open(FILE_WRITE_ATTRIBUTES | SYNCHRONIZE));
	assert_true(oplock_stat_open(FILE_READ_ATTRIBUTES |
	    FILE_WRITE_ATTRIBUTES | SYNCHRONIZE));
	assert_false(oplock_stat_open(READ_CONTROL));
	assert_true(lease_stat_open(READ_CONTROL));
	assert_false(oplock_stat_open(FILE_READ_ATTRIBUTES | READ_CONTROL));
	assert_false(oplock_stat_open(FILE_READ_DATA));
	assert_false(oplock_stat_open(DELETE_ACCESS));
	assert_false(oplock_stat_open(0));
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
		cmocka_unit_test(test_durable_v1_and_v2_contexts_do_not_mix),
		cmocka_unit_test(
		    test_durable_reconnect_context_needs_its_file_id),
		cmocka_unit_test(
		    test_durable_v1_needs_batch_or_lease_with_handle),
		cmocka_unit_test(
		    test_durable_v2_timeout_capped_and_default_for_zero),
		cmocka_unit_test(
		    test_durable_configured_max_caps_v2_and_default_serves_zero),
		cmocka_unit_test(test_oplock_stat_open_excludes_read_control),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
