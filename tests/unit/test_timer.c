/* test_timer.c - the timers and timing tables (timer.h): every phase has a name, a
 * stopped timer counts its calls and a positive time, NULL timers (an untimed model) are
 * ignored, and a table keeps only the parts that ran, adds "other" (total minus the parts,
 * never negative) and gives shares of the total. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "glassmd/timer.h"

static void test_names(void **state)
{
    (void)state;
    for (int id = 0; id < GMD_TIMER_COUNT; id++) {
        const char *name = gmd_timer_name((gmd_timer_id)id);
        assert_string_not_equal(name, "?");
        for (int other = 0; other < id; other++) /* names are unique */
            assert_string_not_equal(name, gmd_timer_name((gmd_timer_id)other));
    }
    assert_string_equal(gmd_timer_name(GMD_TIMER_TOTAL), "total");
    assert_string_equal(gmd_timer_name(GMD_TIMER_COUNT), "?");
}

static void test_start_stop(void **state)
{
    (void)state;
    gmd_timers timers;
    memset(&timers, 0, sizeof timers);
    gmd_timer *t = gmd_timers_phase(&timers, GMD_TIMER_INTEGRATE);
    double t0 = gmd_clock_s();
    for (int i = 0; i < 3; i++) {
        gmd_timer_start(t);
        while (gmd_clock_s() - t0 < 1e-4 * (i + 1)) /* spin a little */
            ;
        gmd_timer_stop(t);
    }
    assert_int_equal(t->calls, 3);
    assert_true(t->seconds > 0.0 && t->seconds <= gmd_clock_s() - t0);
    assert_ptr_equal(gmd_timers_term(&timers, 2), &timers.term[2]);
    assert_null(gmd_timers_term(&timers, GMD_TIMERS_MAX_TERMS));
    /* an untimed model: no timers, nothing happens */
    assert_null(gmd_timers_phase(NULL, GMD_TIMER_NEIGHBOR));
    assert_null(gmd_timers_term(NULL, 0));
    gmd_timer_start(NULL);
    gmd_timer_stop(NULL);
}

static void test_table(void **state)
{
    (void)state;
    gmd_timer ran = {.seconds = 1.0, .calls = 4}, idle = {0}, more = {.seconds = 2.0, .calls = 1};
    gmd_timing_table table;
    gmd_timing_begin(&table, 4.0);
    gmd_timing_add(&table, "a", &ran);
    gmd_timing_add(&table, "idle", &idle);
    gmd_timing_add(&table, "b", &more);
    gmd_timing_end(&table);
    assert_int_equal(table.nrows, 3);
    assert_string_equal(table.row[0].name, "a");
    assert_string_equal(table.row[1].name, "b");
    assert_string_equal(table.row[2].name, "other");
    assert_true(table.row[2].seconds == 1.0 && table.row[2].calls == 0);
    assert_true(table.row[0].percent == 25.0 && table.row[1].percent == 50.0);
    /* parts over the total (clock rounding) leave "other" at zero, not negative */
    gmd_timing_begin(&table, 0.5);
    gmd_timing_add(&table, "a", &ran);
    gmd_timing_end(&table);
    assert_true(table.row[1].seconds == 0.0);
    /* no total: no shares */
    gmd_timing_begin(&table, 0.0);
    gmd_timing_end(&table);
    assert_int_equal(table.nrows, 1);
    assert_true(table.row[0].percent == 0.0);
}

static void test_table_room(void **state)
{
    (void)state;
    gmd_timer ran = {.seconds = 0.1, .calls = 1};
    gmd_timing_table table;
    gmd_timing_begin(&table, 100.0);
    for (int i = 0; i < 2 * GMD_TIMING_MAX_ROWS; i++)
        gmd_timing_add(&table, "part with a name longer than the row has room for", &ran);
    gmd_timing_end(&table);
    assert_int_equal(table.nrows, GMD_TIMING_MAX_ROWS);
    assert_string_equal(table.row[GMD_TIMING_MAX_ROWS - 1].name, "other");
    assert_int_equal(strlen(table.row[0].name), GMD_TIMING_NAME_LEN - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_start_stop),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
