/*
 * clock.c — the real clocks (tests link tests/fakes/fake_clock.c instead).
 */
#include "clock.h"

uint64_t
clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
clock_real(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}
