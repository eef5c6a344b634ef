/* Unit tests for the in-core inode table (src/inode/icache.h): lookup counts
 * and forget, open/close, pins, unlinked inodes reported to their last
 * holder exactly once, and growth to many entries. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "src/inode/icache.h"

static int ic_setup(void **state)
{
	struct f4_icache *ic = NULL;

	if (f4_icache_create(&ic))
		return -1;
	*state = ic;
	return 0;
}

static int ic_teardown(void **state)
{
	f4_icache_destroy(*state);
	return 0;
}

static void test_empty(void **state)
{
	struct f4_icache *ic = *state;

	assert_int_equal(f4_icache_count(ic), 0);
	assert_false(f4_icache_in_use(ic, 12));
	/* Dropping what was never taken changes nothing. */
	assert_false(f4_icache_forget(ic, 12, 1));
	assert_false(f4_icache_close(ic, 12));
	assert_int_equal(f4_icache_count(ic), 0);
	/* Nothing holds an unknown inode: free it at once. */
	assert_true(f4_icache_mark_unlinked(ic, 12));
	assert_int_equal(f4_icache_count(ic), 0);
}

static void test_ref_forget(void **state)
{
	struct f4_icache *ic = *state;

	assert_int_equal(f4_icache_ref(ic, 12), 0);
	assert_int_equal(f4_icache_ref(ic, 12), 0);
	assert_int_equal(f4_icache_ref(ic, 12), 0);
	assert_int_equal(f4_icache_ref(ic, 13), 0);
	assert_int_equal(f4_icache_count(ic), 2);
	assert_true(f4_icache_in_use(ic, 12));
	/* Partial forgets keep the entry. */
	assert_false(f4_icache_forget(ic, 12, 2));
	assert_true(f4_icache_in_use(ic, 12));
	assert_int_equal(f4_icache_count(ic), 2);
	/* The last reference: gone, but it was not unlinked. */
	assert_false(f4_icache_forget(ic, 12, 1));
	assert_false(f4_icache_in_use(ic, 12));
	assert_int_equal(f4_icache_count(ic), 1);
	/* Forgetting more than was referenced clamps to zero. */
	assert_false(f4_icache_forget(ic, 13, 1000));
	assert_int_equal(f4_icache_count(ic), 0);
	assert_false(f4_icache_forget(ic, 13, 1));
}

static void test_open_close(void **state)
{
	struct f4_icache *ic = *state;

	assert_int_equal(f4_icache_open(ic, 20), 0);
	assert_int_equal(f4_icache_open(ic, 20), 0);
	assert_true(f4_icache_in_use(ic, 20));
	assert_int_equal(f4_icache_count(ic), 1);
	assert_false(f4_icache_close(ic, 20));
	assert_true(f4_icache_in_use(ic, 20));
	assert_false(f4_icache_close(ic, 20));
	assert_false(f4_icache_in_use(ic, 20));
	assert_int_equal(f4_icache_count(ic), 0);
	/* An extra close is ignored. */
	assert_false(f4_icache_close(ic, 20));

	/* Open and referenced: both must go. */
	assert_int_equal(f4_icache_ref(ic, 21), 0);
	assert_int_equal(f4_icache_open(ic, 21), 0);
	assert_false(f4_icache_forget(ic, 21, 1));
	assert_true(f4_icache_in_use(ic, 21));
	assert_false(f4_icache_close(ic, 21));
	assert_int_equal(f4_icache_count(ic), 0);
	/* Closing more than was opened does not drop lookups. */
	assert_int_equal(f4_icache_ref(ic, 22), 0);
	assert_false(f4_icache_close(ic, 22));
	assert_true(f4_icache_in_use(ic, 22));
	assert_false(f4_icache_forget(ic, 22, 1));
}

static void test_unlinked_last_ref(void **state)
{
	struct f4_icache *ic = *state;

	/* Referenced when unlinked: the last forget says "free it". */
	assert_int_equal(f4_icache_ref(ic, 30), 0);
	assert_int_equal(f4_icache_ref(ic, 30), 0);
	assert_false(f4_icache_mark_unlinked(ic, 30));
	assert_false(f4_icache_forget(ic, 30, 1));
	assert_true(f4_icache_forget(ic, 30, 1));
	assert_int_equal(f4_icache_count(ic), 0);
	/* Exactly once. */
	assert_false(f4_icache_forget(ic, 30, 1));

	/* Open and referenced: the last of close/forget says so. */
	assert_int_equal(f4_icache_ref(ic, 31), 0);
	assert_int_equal(f4_icache_open(ic, 31), 0);
	assert_false(f4_icache_mark_unlinked(ic, 31));
	assert_false(f4_icache_forget(ic, 31, 1));
	assert_true(f4_icache_in_use(ic, 31));
	assert_true(f4_icache_close(ic, 31));
	assert_false(f4_icache_in_use(ic, 31));

	assert_int_equal(f4_icache_ref(ic, 32), 0);
	assert_int_equal(f4_icache_open(ic, 32), 0);
	assert_false(f4_icache_mark_unlinked(ic, 32));
	assert_false(f4_icache_close(ic, 32));
	assert_true(f4_icache_forget(ic, 32, 1));
	assert_int_equal(f4_icache_count(ic), 0);
}

static void test_pins(void **state)
{
	struct f4_icache *ic = *state;
	struct f4_inode_state *a, *b;

	a = f4_icache_get(ic, 40);
	assert_non_null(a);
	assert_int_equal(a->ino, 40);
	assert_int_equal(a->pins, 1);
	assert_int_equal(a->nlookup, 0);
	assert_int_equal(a->nopen, 0);
	assert_false(a->unlinked);
	/* The same entry for the same inode. */
	b = f4_icache_get(ic, 40);
	assert_ptr_equal(a, b);
	assert_int_equal(a->pins, 2);
	assert_int_equal(f4_icache_count(ic), 1);
	/* Pins are not kernel references. */
	assert_false(f4_icache_in_use(ic, 40));
	/* A pin keeps the entry across forget/close of the others. */
	assert_int_equal(f4_icache_ref(ic, 40), 0);
	assert_int_equal(a->nlookup, 1);
	assert_false(f4_icache_forget(ic, 40, 1));
	assert_int_equal(f4_icache_count(ic), 1);
	assert_int_equal(a->nlookup, 0);
	/* The per-inode lock works as a lock. */
	assert_int_equal(pthread_rwlock_rdlock(&a->io_lock), 0);
	assert_int_equal(pthread_rwlock_tryrdlock(&b->io_lock), 0);
	assert_int_equal(pthread_rwlock_trywrlock(&a->io_lock), EBUSY);
	pthread_rwlock_unlock(&b->io_lock);
	pthread_rwlock_unlock(&a->io_lock);
	f4_icache_put(ic, b);
	assert_int_equal(f4_icache_count(ic), 1);
	f4_icache_put(ic, a);
	assert_int_equal(f4_icache_count(ic), 0);
	f4_icache_put(ic, NULL);
}

static void test_growth(void **state)
{
	struct f4_icache *ic = *state;
	const ext2_ino_t n = 50000;
	ext2_ino_t i;

	/* Far more entries than the initial buckets; include numbers that
	 * share low bits. */
	for (i = 1; i <= n; i++)
		assert_int_equal(f4_icache_ref(ic, i * 1024u + (i & 1)), 0);
	assert_int_equal(f4_icache_count(ic), n);
	for (i = 1; i <= n; i++)
		assert_true(f4_icache_in_use(ic, i * 1024u + (i & 1)));
	assert_false(f4_icache_in_use(ic, 1024u * (n + 1)));
	/* A second reference on every third. */
	for (i = 3; i <= n; i += 3)
		assert_int_equal(f4_icache_ref(ic, i * 1024u + (i & 1)), 0);
	assert_int_equal(f4_icache_count(ic), n);
	for (i = 1; i <= n; i++)
		assert_false(f4_icache_forget(ic, i * 1024u + (i & 1), 1));
	assert_int_equal(f4_icache_count(ic), n / 3);
	for (i = 3; i <= n; i += 3)
		assert_true(f4_icache_in_use(ic, i * 1024u + (i & 1)));
	for (i = 3; i <= n; i += 3)
		assert_false(f4_icache_forget(ic, i * 1024u + (i & 1), 1));
	assert_int_equal(f4_icache_count(ic), 0);
	/* Entries left behind are freed by destroy (checked by valgrind). */
	for (i = 1; i <= 3000; i++)
		assert_int_equal(f4_icache_open(ic, i), 0);
}

struct worker {
	struct f4_icache *ic;
	unsigned seed;
};

static void *churn(void *arg)
{
	struct worker *w = arg;
	unsigned i;

	for (i = 0; i < 20000; i++) {
		ext2_ino_t ino = 100 + (w->seed * 7919u + i * 31u) % 500;
		struct f4_inode_state *st;

		if (f4_icache_ref(w->ic, ino))
			return (void *)1;
		if (f4_icache_open(w->ic, ino))
			return (void *)1;
		st = f4_icache_get(w->ic, ino);
		if (!st || st->ino != ino)
			return (void *)1;
		f4_icache_close(w->ic, ino);
		f4_icache_put(w->ic, st);
		f4_icache_forget(w->ic, ino, 1);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct f4_icache *ic = *state;
	pthread_t t[4];
	struct worker w[4];
	unsigned i;

	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .ic = ic, .seed = i };
		assert_int_equal(pthread_create(&t[i], NULL, churn, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		void *ret;

		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	/* Every reference taken was dropped. */
	assert_int_equal(f4_icache_count(ic), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, ic_setup, ic_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty), T(test_ref_forget), T(test_open_close),
		T(test_unlinked_last_ref), T(test_pins), T(test_growth),
		T(test_threads),
	};

	return cmocka_run_group_tests_name("icache", tests, NULL, NULL);
}
