/*
 * fake_clock.c — replaces smbsrvd/clock.c in unit tests: time moves only
 * when a test says so.
 */
#include "clock.h"
#include "fake_clock.h"

static uint64_t	fake_mono = 1000000;
static time_t	fake_real = 1795000000;	/* 2026-11-17, any fixed instant */

uint64_t
clock_mono_ms(void)
{
	return fake_mono;
}

void
clock_real(struct timespec *ts)
{
	ts->tv_sec = fake_real + (time_t)((fake_mono - 1000000) / 1000);
	ts->tv_nsec = (long)((fake_mono % 1000) * 1000000);
}

void
fake_clock_advance(uint64_t ms)
{
	fake_mono += ms;
}

void
fake_clock_set(uint64_t ms)
{
	fake_mono = ms;
}
