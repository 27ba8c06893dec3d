/* What the benchmark's C clients share: timing their loop (wall clock and
   the process's user and system CPU) and printing the JSON object the
   benchmark reads: {"toggles", "seconds", "user", "system"}. */

#ifndef LOOP_TIMER_H
#define LOOP_TIMER_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

typedef struct
{
   struct timespec t0, t1;
   struct rusage r0, r1;
} loop_timer_t;

static void timer_start(loop_timer_t *t)
{
   getrusage(RUSAGE_SELF, &t->r0);
   clock_gettime(CLOCK_MONOTONIC, &t->t0);
}

static void timer_stop(loop_timer_t *t)
{
   clock_gettime(CLOCK_MONOTONIC, &t->t1);
   getrusage(RUSAGE_SELF, &t->r1);
}

static double timer_seconds(struct timeval tv)
{
   return tv.tv_sec + tv.tv_usec / 1e6;
}

static void timer_report(const loop_timer_t *t, long toggles)
{
   printf("{\"toggles\": %ld, \"seconds\": %.9f, \"user\": %.6f, \"system\": %.6f}\n", toggles,
          (t->t1.tv_sec - t->t0.tv_sec) + (t->t1.tv_nsec - t->t0.tv_nsec) / 1e9,
          timer_seconds(t->r1.ru_utime) - timer_seconds(t->r0.ru_utime),
          timer_seconds(t->r1.ru_stime) - timer_seconds(t->r0.ru_stime));
}

#endif
