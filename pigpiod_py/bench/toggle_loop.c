/* The C baseline of the toggle benchmark: gpio_write() in a loop on
   libpigpiod_if2, timing itself and measuring its own CPU time.
   Usage: toggle_loop HOST PORT GPIO COUNT; prints one JSON object. */

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* The three libpigpiod_if2 functions used, declared here so the program
   builds from an installed wheel too (pigpiod_if2.h needs a pigpio.h). */
int pigpio_start(const char *addrStr, const char *portStr);
void pigpio_stop(int pi);
int gpio_write(int pi, unsigned gpio, unsigned level);

static double seconds(struct timeval tv)
{
   return tv.tv_sec + tv.tv_usec / 1e6;
}

int main(int argc, char *argv[])
{
   struct timespec t0, t1;
   struct rusage r0, r1;
   int pi, gpio, count, i;

   if (argc != 5) { fprintf(stderr, "usage: %s HOST PORT GPIO COUNT\n", argv[0]); return 2; }
   gpio = atoi(argv[3]);
   count = atoi(argv[4]);
   pi = pigpio_start(argv[1], argv[2]);
   if (pi < 0) { fprintf(stderr, "pigpio_start: %d\n", pi); return 1; }

   getrusage(RUSAGE_SELF, &r0);
   clock_gettime(CLOCK_MONOTONIC, &t0);
   for (i = 0; i < count; i++)
   {
      int rc = gpio_write(pi, gpio, i & 1);
      if (rc < 0) { fprintf(stderr, "gpio_write: %d\n", rc); return 1; }
   }
   clock_gettime(CLOCK_MONOTONIC, &t1);
   getrusage(RUSAGE_SELF, &r1);
   pigpio_stop(pi);

   printf("{\"toggles\": %d, \"seconds\": %.9f, \"user\": %.6f, \"system\": %.6f}\n", count,
          (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
          seconds(r1.ru_utime) - seconds(r0.ru_utime),
          seconds(r1.ru_stime) - seconds(r0.ru_stime));
   return 0;
}
