/* pigpiod-py: main-thread dispatch by signal (see pgd_events.h).

   CPython runs a Python-level signal handler in the main thread at the next
   bytecode boundary, and interrupts the main thread's sleeps, selects and
   lock waits for it (retrying them afterwards, PEP 475).  So one signal,
   sent to the main thread when dispatch records arrive, makes handlers run
   wherever the program waits.  Readers of every session share one flight:
   while a signal is in flight (sent, its handler not done) none is sent.

   Under a flood the main thread must keep running its own code: after a
   dispatch that took t, the next signal waits t (a duty cycle of at most
   one half).  A deferred signal is sent by the pacer thread, started the
   first time one is needed; readers never wait for anything. */

#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "pgd_events.h"
#include "pgd_guard.h"

static pthread_t main_thread;
static atomic_int signo;            /* 0: no main-thread dispatch */
static atomic_int in_flight;        /* a signal sent, its handler not done */
static atomic_int missed;           /* records arrived while one was in flight */
static _Atomic uint32_t quiet_until;  /* us (32-bit clock, wraps): no signal before */

/* A quiet time longer than this is a clock that wrapped, not a real one. */
#define MAX_QUIET_US 5000000

static pthread_mutex_t pacer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pacer_wake = PTHREAD_COND_INITIALIZER;
static int pacer_started, pacer_due;
static uint32_t pacer_at;

static uint32_t now_us(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

static void send_signal(void)
{
   int sig = atomic_load(&signo);
   if (sig) pthread_kill(main_thread, sig);
   else atomic_store(&in_flight, 0);
}

static void *pacer(void *unused)
{
   (void)unused;
   pthread_mutex_lock(&pacer_lock);
   for (;;)
   {
      while (!pacer_due) pthread_cond_wait(&pacer_wake, &pacer_lock);
      int32_t left = (int32_t)(pacer_at - now_us());
      if (left > 0)
      {
         struct timespec until;
         clock_gettime(CLOCK_REALTIME, &until);
         until.tv_sec += left / 1000000;
         until.tv_nsec += (long)(left % 1000000) * 1000;
         if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
         pthread_cond_timedwait(&pacer_wake, &pacer_lock, &until);
         continue;
      }
      pacer_due = 0;
      send_signal();
   }
   return NULL;
}

/* Send the signal at `at` (in flight already). */
static void send_at(uint32_t at)
{
   pthread_mutex_lock(&pacer_lock);
   if (!pacer_started)
   {
      pthread_t thread;
      sigset_t saved;
      pgd_block_signals(&saved);
      pacer_started = pthread_create(&thread, NULL, pacer, NULL) == 0;
      pthread_sigmask(SIG_SETMASK, &saved, NULL);
      if (pacer_started) pthread_detach(thread);
   }
   pacer_at = at;
   pacer_due = 1;
   pthread_cond_signal(&pacer_wake);
   pthread_mutex_unlock(&pacer_lock);
   if (!pacer_started) send_signal();  /* no thread: better early than never */
}

void pgd_signal_request(void)
{
   uint32_t at;
   int32_t left;

   if (!atomic_load(&signo)) return;
   atomic_store(&missed, 1);          /* before the test: see pgd_signal_done */
   if (atomic_exchange(&in_flight, 1)) return;
   atomic_store(&missed, 0);
   at = atomic_load(&quiet_until);
   left = (int32_t)(at - now_us());
   if (left > 0 && left < MAX_QUIET_US) send_at(at);
   else send_signal();
}

int pgd_signal_setup(int sig)
{
   main_thread = pthread_self();
   atomic_store(&quiet_until, now_us());
   atomic_store(&in_flight, 0);
   atomic_store(&signo, sig);
   return 0;
}

void pgd_signal_done(unsigned spent_us, int more)
{
   atomic_store(&quiet_until, now_us() + (spent_us < MAX_QUIET_US ? spent_us : MAX_QUIET_US - 1));
   atomic_store(&in_flight, 0);
   /* A reader that found one in flight set `missed` before looking: either
      it sees in_flight 0 now and sends, or this sees its mark. */
   if (more || atomic_exchange(&missed, 0)) pgd_signal_request();
}
