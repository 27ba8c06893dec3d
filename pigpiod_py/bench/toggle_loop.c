/* The C baseline of the toggle benchmark: gpio_write() in a loop on
   libpigpiod_if2, timing itself and measuring its own CPU time.
   Usage: toggle_loop HOST PORT GPIO COUNT; prints one JSON object. */

#include <stdio.h>
#include <stdlib.h>

#include "loop_timer.h"

/* The three libpigpiod_if2 functions used, declared here so the program
   builds from an installed wheel too (pigpiod_if2.h needs a pigpio.h). */
int pigpio_start(const char *addrStr, const char *portStr);
void pigpio_stop(int pi);
int gpio_write(int pi, unsigned gpio, unsigned level);

int main(int argc, char *argv[])
{
   loop_timer_t timer;
   int pi, gpio, count, i;

   if (argc != 5) { fprintf(stderr, "usage: %s HOST PORT GPIO COUNT\n", argv[0]); return 2; }
   gpio = atoi(argv[3]);
   count = atoi(argv[4]);
   pi = pigpio_start(argv[1], argv[2]);
   if (pi < 0) { fprintf(stderr, "pigpio_start: %d\n", pi); return 1; }

   timer_start(&timer);
   for (i = 0; i < count; i++)
   {
      int rc = gpio_write(pi, gpio, i & 1);
      if (rc < 0) { fprintf(stderr, "gpio_write: %d\n", rc); return 1; }
   }
   timer_stop(&timer);
   pigpio_stop(pi);
   timer_report(&timer, count);
   return 0;
}
