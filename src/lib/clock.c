/* clock.c -- the library's one clock: seconds on a monotonic clock, for
 * timing runs (training steps, the gradient check's numerical part). */
#include <config.h>
#include "grulab.h"

#include <time.h>

double grl_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
