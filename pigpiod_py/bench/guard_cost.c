/* What the command guard (include/pgd_guard.c) costs per command.

   Built by pigpiod_py/bench/guard.py with the binding's own C (pgd_net.c,
   pgd_guard.c, pgd_shim.c) and the guarded wrappers build_ffi.py generates.
   Usage: guard_cost HOST PORT GPIO COUNT ROUNDS

   Each round measures, in a rotating order:
   * "raw": COUNT gpio_write() calls of libpigpiod_if2 on the connection the
     shim made (no guard);
   * "guarded": COUNT pgd_gpio_write() calls, what the binding calls: the
     same library call inside the guard;
   * "enter_leave": 20 x COUNT pgd_guard_enter/pgd_guard_leave pairs on the
     live connection, with no exchange between them: the masked guard alone;
   * its parts: the signal mask pair, sigpending(), the clock read, and the
     lock pair, each 20 x COUNT times.
   Prints one JSON object: per measurement the medians over the rounds of
   the wall time, user CPU and system CPU per call in microseconds. */

#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "pigpiod_if2.h"
#include "pgd_guard.h"
#include "pgd_net.h"
#include "pgd_shim.h"

int pgd_gpio_write(int token, unsigned gpio, unsigned level);  /* generated */

enum { RAW, GUARDED, ENTER_LEAVE, SIGMASK_PAIR, SIGPENDING, CLOCK, LOCK_PAIR, KINDS };
static const char *names[KINDS] = {"raw", "guarded", "enter_leave", "sigmask_pair",
                                   "sigpending", "clock", "lock_pair"};
#define REPEAT 20   /* the calls without an exchange are repeated this often */
#define MAX_ROUNDS 64

typedef struct { double wall, user, system; } cost_t;

static int token, gpio;
static long count;

static double now_s(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
   return tv.tv_sec + tv.tv_usec / 1e6;
}

/* Run one measurement; 0, or the failed call's error. */
static int run(int kind, long n)
{
   static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
   int pi = token & 31;  /* the library's pi number inside the token (pgd_guard.c) */

   for (long i = 0; i < n; i++)
   {
      int rc = 0;
      pgd_call_t call;
      sigset_t all, saved;
      switch (kind)
      {
      case RAW: rc = gpio_write(pi, gpio, i & 1); break;
      case GUARDED: rc = pgd_gpio_write(token, gpio, i & 1); break;
      case ENTER_LEAVE:
         rc = pgd_guard_enter(token, &call, 0);
         if (!rc) rc = pgd_guard_leave(&call, 0);
         break;
      case SIGMASK_PAIR:
         sigfillset(&all);
         pthread_sigmask(SIG_BLOCK, &all, &saved);
         pthread_sigmask(SIG_SETMASK, &saved, NULL);
         break;
      case SIGPENDING: sigpending(&saved); break;
      case CLOCK: pgd_net_now_ms(); break;
      case LOCK_PAIR: pthread_mutex_lock(&lock); pthread_mutex_unlock(&lock); break;
      }
      if (rc < 0) return rc;
   }
   return 0;
}

static cost_t measure(int kind)
{
   long n = kind <= GUARDED ? count : REPEAT * count;
   struct rusage r0, r1;
   double t0, t1;
   cost_t cost;
   int rc;

   getrusage(RUSAGE_SELF, &r0);
   t0 = now_s();
   rc = run(kind, n);
   t1 = now_s();
   getrusage(RUSAGE_SELF, &r1);
   if (rc) { fprintf(stderr, "%s: error %d\n", names[kind], rc); exit(1); }
   cost.wall = 1e6 * (t1 - t0) / n;
   cost.user = 1e6 * (tv_s(r1.ru_utime) - tv_s(r0.ru_utime)) / n;
   cost.system = 1e6 * (tv_s(r1.ru_stime) - tv_s(r0.ru_stime)) / n;
   return cost;
}

static int by_value(const void *a, const void *b)
{
   double x = *(const double *)a, y = *(const double *)b;
   return (x > y) - (x < y);
}

static double median(double *values, int n)
{
   qsort(values, n, sizeof(double), by_value);
   return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int main(int argc, char *argv[])
{
   static cost_t costs[KINDS][MAX_ROUNDS];
   int rounds;

   if (argc != 6) { fprintf(stderr, "usage: %s HOST PORT GPIO COUNT ROUNDS\n", argv[0]); return 2; }
   gpio = atoi(argv[3]);
   count = atol(argv[4]);
   rounds = atoi(argv[5]);
   if (rounds < 1 || rounds > MAX_ROUNDS) { fprintf(stderr, "rounds: 1-%d\n", MAX_ROUNDS); return 2; }
   token = pgd_connect(argv[1], argv[2], 5000);
   if (token < 0) { fprintf(stderr, "pgd_connect: %d\n", token); return 1; }

   for (int r = 0; r < rounds; r++)
      for (int k = 0; k < KINDS; k++)
      {
         int kind = (k + r) % KINDS;
         costs[kind][r] = measure(kind);
      }
   pgd_disconnect(token);

   printf("{");
   for (int k = 0; k < KINDS; k++)
   {
      double wall[MAX_ROUNDS], user[MAX_ROUNDS], system[MAX_ROUNDS];
      for (int r = 0; r < rounds; r++)
      {
         wall[r] = costs[k][r].wall;
         user[r] = costs[k][r].user;
         system[r] = costs[k][r].system;
      }
      printf("%s\"%s\": {\"wall_us\": %.4f, \"user_us\": %.4f, \"system_us\": %.4f}", k ? ", " : "",
             names[k], median(wall, rounds), median(user, rounds), median(system, rounds));
   }
   printf(", \"rounds\": %d, \"count\": %ld}\n", rounds, count);
   return 0;
}
