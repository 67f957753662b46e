/*
 * clock.h — the one source of time.
 *
 * Everything that schedules or measures asks here, so tests replace this
 * file with tests/fakes/fake_clock.c and advance time instead of sleeping.
 */
#ifndef SMBSRVD_CLOCK_H
#define SMBSRVD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic milliseconds since an arbitrary origin. */
uint64_t	clock_mono_ms(void);
/* Wall clock, for records shown to people (start time, event times). */
void		clock_real(struct timespec *);

#endif
