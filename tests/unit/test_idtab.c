/* test_idtab.c — id hash table: add, find, delete, growth, collisions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "idtab.h"

static void
test_idtab_finds_what_was_added_and_refuses_duplicates(void **state)
{
	struct idtab t;
	int a, b;

	(void)state;
	idtab_init(&t);
	assert_null(idtab_find(&t, 5));
	assert_int_equal(idtab_add(&t, 5, &a), 0);
	assert_int_equal(idtab_add(&t, 6, &b), 0);
	assert_ptr_equal(idtab_find(&t, 5), &a);
	assert_ptr_equal(idtab_find(&t, 6), &b);
	assert_int_equal(idtab_add(&t, 5, &b), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(idtab_add(&t, 0, &b), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(idtab_count(&t), 2);
	assert_ptr_equal(idtab_del(&t, 5), &a);
	assert_null(idtab_del(&t, 5));
	assert_null(idtab_find(&t, 5));
	assert_ptr_equal(idtab_find(&t, 6), &b);
	idtab_free(&t);
}

/* Deleting from the middle of probe runs must keep every other id found. */
static void
test_idtab_survives_heavy_churn(void **state)
{
	enum { N = 50000 };
	struct idtab t;
	uint64_t *ids, x = 0x243f6a8885a308d3ull;
	size_t i;

	(void)state;
	ids = calloc(N, sizeof(*ids));
	assert_non_null(ids);
	idtab_init(&t);
	for (i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Half sequential (as SessionIds), half scattered. */
		ids[i] = (i & 1) ? (x | 1) : (uint64_t)(i + 1) << 32;
		assert_int_equal(idtab_add(&t, ids[i], &ids[i]), 0);
	}
	for (i = 0; i < N; i += 2)
		assert_ptr_equal(idtab_del(&t, ids[i]), &ids[i]);
	for (i = 0; i < N; i++) {
		if (i % 2 == 0)
			assert_null(idtab_find(&t, ids[i]));
		else
			assert_ptr_equal(idtab_find(&t, ids[i]), &ids[i]);
	}
	assert_int_equal(idtab_count(&t), N / 2);
	idtab_free(&t);
	free(ids);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_idtab_finds_what_was_added_and_refuses_duplicates),
		cmocka_unit_test(test_idtab_survives_heavy_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
