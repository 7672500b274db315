/* The monotonic clock in seconds, as the caches, the key listener and the long polls keep
   time (never the wall clock, which may jump). */
#ifndef GRAPPE_CLOCK_H
#define GRAPPE_CLOCK_H
#include <time.h>

static inline double clock_mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
#endif
