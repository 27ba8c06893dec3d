/* pigpiod-py: main-thread dispatch by signal (see pgd_events.h).

   CPython runs a Python-level signal handler in the main thread at the next
   bytecode boundary, and interrupts the main thread's sleeps, selects and
   lock waits for it (retrying them afterwards, PEP 475).  So one signal,
   sent to the main thread when dispatch records arrive, makes handlers run
   wherever the program waits.  Readers of every session share one flight:
   while a signal is in flight (sent, or due, and its handler not done) none
   is sent.

   A signal that must come later (a busy stream read again after the gather
   time, a dispatch deferred, the pause after a long dispatch) comes from a
   POSIX timer aimed at the main thread: the kernel sends it, no thread of
   ours wakes for it.  Under a flood the main thread must keep running its
   own code: after a dispatch that took t, the next signal waits t (a duty
   cycle of at most one half). */

#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pgd_events.h"

static pthread_t main_thread;
static timer_t timer;
static int timer_made;              /* main thread only */
static atomic_int signo;            /* 0: no main-thread dispatch */
static atomic_int in_flight;        /* a signal sent or due, its handler not done */
static atomic_int missed;           /* records arrived while one was in flight */
static _Atomic uint32_t quiet_until;  /* us (32-bit clock, wraps): no signal before */

/* A quiet time longer than this is a clock that wrapped, not a real one. */
#define MAX_QUIET_US 5000000

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

/* Send the signal in `us` microseconds (it is in flight already). */
static void send_in(uint32_t us)
{
   struct itimerspec when = {{0, 0}, {us / 1000000, (long)(us % 1000000) * 1000}};

   if (!timer_made || !us || timer_settime(timer, 0, &when, NULL)) send_signal();
}

void pgd_signal_request(void)
{
   int32_t left;

   if (!atomic_load(&signo)) return;
   atomic_store(&missed, 1);          /* before the test: see pgd_signal_done */
   if (atomic_exchange(&in_flight, 1)) return;
   atomic_store(&missed, 0);
   left = (int32_t)(atomic_load(&quiet_until) - now_us());
   if (left > 0 && left < MAX_QUIET_US) send_in((uint32_t)left);
   else send_signal();
}

int pgd_signal_setup(int sig)
{
   struct sigevent to_main = {0};

   atomic_store(&signo, 0);
   if (timer_made) timer_delete(timer);
   timer_made = 0;
   main_thread = pthread_self();
   atomic_store(&quiet_until, now_us());
   atomic_store(&in_flight, 0);
   if (sig)
   {
      to_main.sigev_notify = SIGEV_THREAD_ID;
      to_main.sigev_signo = sig;
#ifdef sigev_notify_thread_id
      to_main.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
#else
      to_main._sigev_un._tid = (pid_t)syscall(SYS_gettid);   /* older glibc */
#endif
      timer_made = timer_create(CLOCK_MONOTONIC, &to_main, &timer) == 0;
   }
   atomic_store(&signo, sig);
   return 0;
}

void pgd_signal_done(unsigned spent_us, unsigned again_us)
{
   uint32_t pause = spent_us < MAX_QUIET_US ? spent_us : MAX_QUIET_US - 1;

   atomic_store(&quiet_until, now_us() + pause);
   if (again_us)
   {
      /* Stays in flight: the timer sends the next one. */
      send_in(again_us > pause ? again_us : pause);
      return;
   }
   atomic_store(&in_flight, 0);
   /* A reader that found one in flight set `missed` before looking: either
      it sees in_flight 0 now and sends, or this sees its mark. */
   if (atomic_exchange(&missed, 0)) pgd_signal_request();
}
