/* pigpiod-py events: notification reader thread and lock-free ring
   (see pgd_events.h). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pigpiod_if2.h"
#include "pgd_events.h"
#include "pgd_shim.h"
#include "pgd_net.h"

#define REPORT_SIZE 12
#define READ_REPORTS 4096
#define MAX_CAPACITY (1u << 26)

/* Lock-free on every target: the ring uses 32-bit atomics only.  64-bit
   atomics are not lock-free everywhere: on ARMv6 (Raspberry Pi OS 32-bit)
   ATOMIC_LLONG_LOCK_FREE is 1 and each one is a call into libatomic. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the ring needs lock-free 32-bit atomics");
_Static_assert(sizeof(uint32_t) == sizeof(int), "uint32_t is an int");

/* A 64-bit count with one writer, readable from any thread, made of 32-bit
   atomics (a sequence lock): the writer makes seq odd, writes both halves
   and makes seq even again; a reader retries while seq is odd or moved.
   The writer never waits.  Counts stay exact for the life of a session,
   where 32-bit ones would wrap within hours of a 200 kHz flood. */
typedef struct { _Atomic uint32_t seq, low, high; } count64_t;

static uint64_t count_read(count64_t *c)
{
   uint32_t seq, low, high;

   do
   {
      seq = atomic_load(&c->seq);
      low = atomic_load(&c->low);
      high = atomic_load(&c->high);
   } while ((seq & 1) || seq != atomic_load(&c->seq));
   return (uint64_t)high << 32 | low;
}

/* Only the counter's one writer calls count_set and count_add. */
static void count_set(count64_t *c, uint64_t value)
{
   uint32_t seq = atomic_load_explicit(&c->seq, memory_order_relaxed);

   atomic_store(&c->seq, seq + 1);
   atomic_store(&c->low, (uint32_t)value);
   atomic_store(&c->high, (uint32_t)(value >> 32));
   atomic_store(&c->seq, seq + 2);
}

static void count_add(count64_t *c, uint64_t n)
{
   if (n) count_set(c, count_read(c) + n);
}

/* The ring's counts since open; stats report them less their values at the
   last reset.  PRODUCED, DROPPED and REPORTS are the reader thread's,
   CONSUMED is the consumer's. */
enum { PRODUCED, DROPPED, REPORTS, CONSUMED, COUNTS };

struct pgd_events
{
   int fd;                       /* the NOIB socket */
   int wake_fd;                  /* eventfd: readable while records wait */
   int handle;                   /* the daemon's notification handle */
   pthread_t thread;
   atomic_int closing;

   /* What to keep; written by Python, read by the reader thread. */
   _Atomic uint32_t rising, falling, watchdog, events;
   atomic_int main_token;        /* 0: no main-thread dispatch */
   atomic_int pending;           /* a pending call is queued */
   atomic_int disconnected;      /* set by the reader at end of stream */
   int disconnect_taken;         /* consumer only: the record was handed out */

   uint32_t last_level;          /* reader thread only */
   uint32_t batch_dropped;       /* reader thread only: drops not yet counted */

   /* The ring: the producer owns head, the consumer owns tail.  They sit
      on separate cache lines so the two threads do not share one.  Both
      run modulo 2^32: the capacity is at most 2^26, so head - tail is
      always the exact number of records waiting. */
   pgd_record_t *slots;
   uint32_t mask;
   _Alignas(64) _Atomic uint32_t head;
   _Atomic uint32_t high_water;  /* the producer's; reset by the consumer */
   _Alignas(64) _Atomic uint32_t tail;
   _Alignas(64) count64_t count[COUNTS], at_reset[COUNTS];
};

static atomic_int python_alive = 1;

/* Py_AddPendingCall() from a thread other than the main thread queues the
   call, but (up to CPython 3.12 at least) it computes the "eval breaker"
   for the calling thread, so a main thread busy with pure bytecode would not
   look at its pending calls until it next takes the GIL.  The waker thread
   makes that happen: taking the GIL makes the main thread hand it over (at
   once if it is waiting in C, after the switch interval if it is running
   bytecode) and take it back, and CPython recomputes the main thread's
   breaker when it does.  It is a separate thread so that the reader never
   waits for the GIL. */
static pthread_once_t waker_once = PTHREAD_ONCE_INIT;
static int waker_fd = -1;

static void *waker_thread(void *unused)
{
   uint64_t requests;

   (void)unused;
   while (read(waker_fd, &requests, sizeof(requests)) > 0 || errno == EINTR)
   {
      PyGILState_STATE state;
      if (!atomic_load(&python_alive)) break;
      state = PyGILState_Ensure();
      PyGILState_Release(state);
   }
   return NULL;
}

static void start_waker(void)
{
   pthread_t thread;
   pthread_attr_t attr;

   waker_fd = eventfd(0, EFD_CLOEXEC);
   if (waker_fd < 0) return;
   pthread_attr_init(&attr);
   pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
   if (pthread_create(&thread, &attr, waker_thread, NULL)) { close(waker_fd); waker_fd = -1; }
   pthread_attr_destroy(&attr);
}

static void nudge_main_thread(void)
{
   uint64_t one = 1;

   pthread_once(&waker_once, start_waker);
   if (waker_fd >= 0 && write(waker_fd, &one, sizeof(one)) < 0) { /* counter full: already due */ }
}

/* ---- producer side (reader thread) ---------------------------------- */

static void push(pgd_events_t *ev, uint8_t kind, uint8_t id, uint8_t level, uint32_t tick)
{
   uint32_t head = atomic_load_explicit(&ev->head, memory_order_relaxed);
   uint32_t tail = atomic_load_explicit(&ev->tail, memory_order_acquire);
   pgd_record_t *slot;

   if (head - tail > ev->mask)
   {
      ev->batch_dropped++;
      return;
   }
   slot = &ev->slots[head & ev->mask];
   slot->tick = tick;
   slot->kind = kind;
   slot->id = id;
   slot->level = level;
   slot->spare = 0;
   /* Release: the record is complete before the consumer can see it. */
   atomic_store_explicit(&ev->head, head + 1, memory_order_release);
   if (head + 1 - tail > atomic_load_explicit(&ev->high_water, memory_order_relaxed))
      atomic_store_explicit(&ev->high_water, head + 1 - tail, memory_order_relaxed);
}

static int run_pending(void *arg)
{
   PyObject *module, *result;

   if (!atomic_load(&python_alive)) return 0;
   module = PyImport_ImportModule("pigpiod_py.events");
   if (!module) return -1;
   result = PyObject_CallMethod(module, "_run_pending", "i", (int)(intptr_t)arg);
   Py_DECREF(module);
   if (!result) return -1;   /* a handler raised: it surfaces in the main thread */
   Py_DECREF(result);
   return 0;
}

/* Wake the consumers: the eventfd, and in main mode one pending call. */
static void wake(pgd_events_t *ev)
{
   uint64_t one = 1;
   int token = atomic_load(&ev->main_token);
   int idle = 0;

   if (write(ev->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) return;
   if (token && atomic_load(&python_alive) &&
       atomic_compare_exchange_strong(&ev->pending, &idle, 1))
   {
      if (Py_AddPendingCall(run_pending, (void *)(intptr_t)token) != 0)
         atomic_store(&ev->pending, 0);  /* queue full: the eventfd still tells */
      else
         nudge_main_thread();
   }
}

/* Turn one 12-byte report (little-endian) into at most 32 records. */
static void parse_report(pgd_events_t *ev, const unsigned char *r)
{
   uint16_t flags = (uint16_t)(r[2] | r[3] << 8);
   uint32_t tick = (uint32_t)r[4] | (uint32_t)r[5] << 8 | (uint32_t)r[6] << 16 | (uint32_t)r[7] << 24;
   uint32_t level = (uint32_t)r[8] | (uint32_t)r[9] << 8 | (uint32_t)r[10] << 16 | (uint32_t)r[11] << 24;

   if (flags == 0)
   {
      uint32_t rising = atomic_load_explicit(&ev->rising, memory_order_relaxed);
      uint32_t falling = atomic_load_explicit(&ev->falling, memory_order_relaxed);
      uint32_t changed = (level ^ ev->last_level) & (rising | falling);
      ev->last_level = level;
      while (changed)
      {
         int g = __builtin_ctz(changed);
         uint32_t bit = 1u << g;
         int high = (level & bit) != 0;
         changed &= changed - 1;
         if ((high ? rising : falling) & bit) push(ev, PGD_EDGE, (uint8_t)g, (uint8_t)high, tick);
      }
   }
   else if (flags & PI_NTFY_FLAGS_WDOG)
   {
      int g = flags & 31;
      if (atomic_load_explicit(&ev->watchdog, memory_order_relaxed) & (1u << g))
         push(ev, PGD_WATCHDOG, (uint8_t)g, PI_TIMEOUT, tick);
   }
   else if (flags & PI_NTFY_FLAGS_EVENT)
   {
      int e = flags & 31;
      if (atomic_load_explicit(&ev->events, memory_order_relaxed) & (1u << e))
         push(ev, PGD_EVENT, (uint8_t)e, 0, tick);
   }
   /* PI_NTFY_FLAGS_ALIVE: a keep-alive, nothing to report. */
}

static void *reader_thread(void *arg)
{
   pgd_events_t *ev = arg;
   unsigned char *buf = malloc(READ_REPORTS * REPORT_SIZE);
   size_t have = 0;

   while (buf)
   {
      ssize_t n = recv(ev->fd, buf + have, READ_REPORTS * REPORT_SIZE - have, 0);
      uint32_t before, produced;
      size_t used = 0;

      if (n <= 0)
      {
         if (n < 0 && errno == EINTR) continue;
         break;
      }
      have += (size_t)n;
      before = atomic_load_explicit(&ev->head, memory_order_relaxed);
      for (; have - used >= REPORT_SIZE; used += REPORT_SIZE) parse_report(ev, buf + used);
      /* Counted once per batch, before the wake-up: a woken consumer sees
         the counts of every record it can take. */
      produced = atomic_load_explicit(&ev->head, memory_order_relaxed) - before;
      count_add(&ev->count[PRODUCED], produced);
      count_add(&ev->count[DROPPED], ev->batch_dropped);
      count_add(&ev->count[REPORTS], used / REPORT_SIZE);
      ev->batch_dropped = 0;
      memmove(buf, buf + used, have - used);  /* keep a partial report */
      have -= used;
      if (produced) wake(ev);
   }
   free(buf);
   if (!atomic_load(&ev->closing))
   {
      /* Not a ring record, which a full ring would drop: the consumer adds
         the disconnect record itself once it has taken everything else. */
      atomic_store(&ev->disconnected, 1);
      wake(ev);
   }
   return NULL;
}

/* ---- lifetime -------------------------------------------------------- */

/* Zeroed, with the alignment its _Alignas members ask for (64 bytes; malloc
   promises 8 on armhf, 16 on 64-bit targets). */
static pgd_events_t *alloc_events(void)
{
   void *ev;

   if (posix_memalign(&ev, _Alignof(pgd_events_t), sizeof(pgd_events_t))) return NULL;
   return memset(ev, 0, sizeof(pgd_events_t));
}

pgd_events_t *pgd_events_open(const char *host, const char *port, int timeout_ms,
                              unsigned capacity, int *error)
{
   pgd_events_t *ev;
   uint32_t size = 16;
   int32_t res;

   if (capacity > MAX_CAPACITY) { *error = PI_BAD_PARAM; return NULL; }
   ev = alloc_events();
   if (!ev) { *error = PGD_ERR_SYSTEM; return NULL; }
   while (size < capacity) size <<= 1;
   ev->mask = size - 1;
   ev->slots = calloc(size, sizeof(pgd_record_t));
   ev->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   ev->fd = -1;
   if (!ev->slots || ev->wake_fd < 0) { *error = PGD_ERR_SYSTEM; goto fail; }

   ev->fd = pgd_net_connect(host, port, timeout_ms);
   if (ev->fd < 0) { *error = ev->fd; ev->fd = -1; goto fail; }
   /* The starting levels, then the socket becomes a report stream. */
   if ((*error = pgd_net_command(ev->fd, PI_CMD_BR1, 0, 0, timeout_ms, &res))) goto fail;
   ev->last_level = (uint32_t)res;
   if ((*error = pgd_net_command(ev->fd, PI_CMD_NOIB, 0, 0, timeout_ms, &res))) goto fail;
   if (res < 0) { *error = res; goto fail; }
   ev->handle = res;
   if (pthread_create(&ev->thread, NULL, reader_thread, ev)) { *error = PGD_ERR_SYSTEM; goto fail; }
   return ev;

fail:
   if (ev->fd >= 0) close(ev->fd);
   if (ev->wake_fd >= 0) close(ev->wake_fd);
   free(ev->slots);
   free(ev);
   return NULL;
}

void pgd_events_close(pgd_events_t *ev)
{
   if (!ev) return;
   atomic_store(&ev->closing, 1);
   atomic_store(&ev->main_token, 0);
   shutdown(ev->fd, SHUT_RDWR);   /* ends the reader's recv() */
   pthread_join(ev->thread, NULL);
   close(ev->fd);
   close(ev->wake_fd);
   free(ev->slots);
   free(ev);
}

void pgd_events_shutdown(void)
{
   uint64_t one = 1;

   atomic_store(&python_alive, 0);
   if (waker_fd >= 0 && write(waker_fd, &one, sizeof(one)) < 0) { /* it exits anyway */ }
}

/* ---- consumer side ------------------------------------------------------ */

int pgd_events_handle(pgd_events_t *ev) { return ev->handle; }

int pgd_events_fd(pgd_events_t *ev) { return ev->wake_fd; }

void pgd_events_select(pgd_events_t *ev, uint32_t rising, uint32_t falling,
                       uint32_t watchdog, uint32_t events)
{
   atomic_store(&ev->rising, rising);
   atomic_store(&ev->falling, falling);
   atomic_store(&ev->watchdog, watchdog);
   atomic_store(&ev->events, events);
}

void pgd_events_main_dispatch(pgd_events_t *ev, int token)
{
   atomic_store(&ev->main_token, token);
   atomic_store(&ev->pending, 0);
}

void pgd_events_rearm(pgd_events_t *ev)
{
   atomic_store(&ev->pending, 0);
}

int pgd_events_take(pgd_events_t *ev, pgd_record_t *out, int max)
{
   uint64_t drained;
   uint32_t tail, head, n, first;

   /* Clear the wake-up before looking, so a record pushed after the look
      sets it again: no wake-up is ever lost. */
   if (read(ev->wake_fd, &drained, sizeof(drained)) < 0) { /* nothing to clear */ }
   tail = atomic_load_explicit(&ev->tail, memory_order_relaxed);
   head = atomic_load_explicit(&ev->head, memory_order_acquire);
   n = head - tail;
   if (n > (uint32_t)max) n = (uint32_t)max;
   first = ev->mask + 1 - (tail & ev->mask);
   if (first > n) first = n;
   memcpy(out, &ev->slots[tail & ev->mask], first * sizeof(pgd_record_t));
   memcpy(out + first, &ev->slots[0], (n - first) * sizeof(pgd_record_t));
   atomic_store_explicit(&ev->tail, tail + n, memory_order_release);
   count_add(&ev->count[CONSUMED], n);
   if (head == tail + n && n < (uint32_t)max && !ev->disconnect_taken &&
       atomic_load(&ev->disconnected) &&
       atomic_load_explicit(&ev->head, memory_order_acquire) == head)
   {
      pgd_record_t *last = &out[n++];
      memset(last, 0, sizeof(*last));
      last->kind = PGD_DISCONNECT;
      ev->disconnect_taken = 1;
   }
   else if (head != tail + n)
   {
      uint64_t one = 1;   /* more than max were waiting: stay readable */
      if (write(ev->wake_fd, &one, sizeof(one)) < 0) { /* counter full: already readable */ }
   }
   return (int)n;
}

void pgd_events_stats(pgd_events_t *ev, pgd_stats_t *out)
{
   uint64_t since_reset[COUNTS];
   uint32_t tail = atomic_load(&ev->tail);

   /* Each base before its count: a count read later is never below it. */
   for (int i = 0; i < COUNTS; i++)
   {
      uint64_t base = count_read(&ev->at_reset[i]);
      since_reset[i] = count_read(&ev->count[i]) - base;
   }
   out->queued = (uint32_t)(atomic_load(&ev->head) - tail);
   out->high_water = atomic_load(&ev->high_water);
   out->dropped = since_reset[DROPPED];
   out->produced = since_reset[PRODUCED];
   out->consumed = since_reset[CONSUMED];
   out->reports = since_reset[REPORTS];
}

/* The consumer's (one at a time, like take): it writes the bases. */
void pgd_events_reset_stats(pgd_events_t *ev)
{
   for (int i = 0; i < COUNTS; i++) count_set(&ev->at_reset[i], count_read(&ev->count[i]));
   atomic_store(&ev->high_water, atomic_load(&ev->head) - atomic_load(&ev->tail));
}
