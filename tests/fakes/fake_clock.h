/* fake_clock.h — control of the fake clock in unit tests. */
#ifndef FAKE_CLOCK_H
#define FAKE_CLOCK_H

#include <stdint.h>

void	fake_clock_advance(uint64_t ms);
void	fake_clock_set(uint64_t ms);

#endif
