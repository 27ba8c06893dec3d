/* pigpiod-py events: the notification reader, routing and counts (see
   pgd_events.h). */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pigpiod_if2.h"
#include "pgd_events.h"
#include "pgd_guard.h"
#include "pgd_net.h"
#include "pgd_ring.h"
#include "pgd_shim.h"

#define REPORT_SIZE 12
#define READ_REPORTS 4096
/* How long the reader waits before a read (see wait_to_read). */
#define LAZY_MS 50
#define GATHER_US 4000   /* by default; see pgd_events_gather */
#define GATHER_MIN 8   /* reports in one read that make a stream busy */

enum { ROUTE_DISPATCH, ROUTE_QUEUE, ROUTE_WATCH, ROUTES };

struct pgd_events
{
   pgd_ring_t dispatch;          /* for callbacks with a function */
   pgd_ring_t queued;            /* for callbacks without one (pull) */
   int dispatch_fd, pull_fd;     /* eventfds */
   int control_fd;               /* eventfd: tells the reader to look again */

   /* The connection; the reader thread runs while `running`. */
   int fd;                       /* the NOIB socket */
   int handle;                   /* the daemon's notification handle */
   int running;                  /* consumer side only */
   pthread_t thread;
   atomic_int closing;           /* disconnect asked the reader to stop */
   atomic_int disconnected;      /* the reader saw the stream end */
   int disconnect_taken;         /* consumer only: the record was handed out */

   /* Written by Python, read by the reader. */
   _Atomic uint32_t route[ROUTES][4];
   atomic_int mirror, signal_main;
   atomic_int waiters;           /* pull-side waiters now (they want records at once) */
   atomic_int gather_us;         /* how long a busy stream is gathered before a read */

   /* The reader's. */
   uint32_t last_level;
   int busy;                     /* the last read brought GATHER_MIN reports or more */
   uint32_t arrival;             /* when this batch arrived (us) */
   int watched;                  /* a watched arrival in this batch */
   pgd_count_t counts[4][32];    /* PGD_RISING ... PGD_EVENTS, per id */
   uint32_t batch_counts[4][32]; /* this batch's arrivals, not yet counted */
   uint32_t batch_counted[4];    /* which of them are not zero */
   pgd_count_t reports, reports_at_reset;

   /* The consumer's: dispatch latencies, and their values at the reset. */
   pgd_count_t latency[PGD_LATENCY_BUCKETS], latency_at_reset[PGD_LATENCY_BUCKETS];
};

void pgd_signal_request(void);   /* pgd_signal.c */

/* ---- the reader thread --------------------------------------------------- */

static uint32_t now_us(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

static void notify(int fd)
{
   uint64_t one = 1;
   if (write(fd, &one, sizeof(one)) < 0) { /* counter full: already readable */ }
}

/* Count one arrival and route it. */
static void arrive(pgd_events_t *ev, int what, uint8_t kind, uint8_t id, uint8_t level,
                   uint32_t tick)
{
   uint32_t bit = 1u << id;

   ev->batch_counts[what][id]++;   /* counted once per batch: see count_batch */
   ev->batch_counted[what] |= bit;
   if (atomic_load_explicit(&ev->route[ROUTE_DISPATCH][what], memory_order_relaxed) & bit)
      pgd_ring_push(&ev->dispatch, kind, id, level, tick, ev->arrival);
   if (atomic_load_explicit(&ev->route[ROUTE_QUEUE][what], memory_order_relaxed) & bit)
      pgd_ring_push(&ev->queued, kind, id, level, tick, ev->arrival);
   if (atomic_load_explicit(&ev->route[ROUTE_WATCH][what], memory_order_relaxed) & bit)
      ev->watched = 1;
}

/* Add a batch's arrivals to the counts: one update per gpio, not per edge. */
static void count_batch(pgd_events_t *ev)
{
   for (int what = 0; what < 4; what++)
      while (ev->batch_counted[what])
      {
         int id = __builtin_ctz(ev->batch_counted[what]);
         ev->batch_counted[what] &= ev->batch_counted[what] - 1;
         pgd_count_add(&ev->counts[what][id], ev->batch_counts[what][id]);
         ev->batch_counts[what][id] = 0;
      }
}

/* One 12-byte report (little-endian): at most 32 arrivals. */
static void parse_report(pgd_events_t *ev, const unsigned char *r)
{
   uint16_t flags = (uint16_t)(r[2] | r[3] << 8);
   uint32_t tick = (uint32_t)r[4] | (uint32_t)r[5] << 8 | (uint32_t)r[6] << 16 | (uint32_t)r[7] << 24;
   uint32_t level = (uint32_t)r[8] | (uint32_t)r[9] << 8 | (uint32_t)r[10] << 16 | (uint32_t)r[11] << 24;

   if (flags == 0)
   {
      uint32_t changed = level ^ ev->last_level;
      ev->last_level = level;
      while (changed)
      {
         int g = __builtin_ctz(changed);
         int high = (level >> g) & 1;
         changed &= changed - 1;
         arrive(ev, high ? PGD_RISING : PGD_FALLING, PGD_EDGE, (uint8_t)g, (uint8_t)high, tick);
      }
   }
   else if (flags & PI_NTFY_FLAGS_WDOG)
      arrive(ev, PGD_TIMEOUTS, PGD_WATCHDOG, flags & 31, PI_TIMEOUT, tick);
   else if (flags & PI_NTFY_FLAGS_EVENT)
      arrive(ev, PGD_EVENTS, PGD_EVENT, flags & 31, 0, tick);
   /* PI_NTFY_FLAGS_ALIVE: a keep-alive, nothing to report. */
}

/* After a batch: counts first, then the wake-ups. */
static void wake(pgd_events_t *ev, int dispatched, int queued)
{
   if (dispatched)
   {
      if (atomic_load(&ev->signal_main)) pgd_signal_request();
      else notify(ev->dispatch_fd);
   }
   if (queued || ev->watched || (dispatched && atomic_load(&ev->mirror))) notify(ev->pull_fd);
   ev->watched = 0;
}

/* Whether somebody waits for records now: handlers, a waiter, a watch. */
static int urgent(pgd_events_t *ev)
{
   if (atomic_load(&ev->waiters)) return 1;
   for (int what = 0; what < 4; what++)
      if (atomic_load_explicit(&ev->route[ROUTE_DISPATCH][what], memory_order_relaxed) |
          atomic_load_explicit(&ev->route[ROUTE_WATCH][what], memory_order_relaxed))
         return 1;
   return 0;
}

/* Wait until it is time to read: 1 when something may be read, 0 when the
   reader must stop.  Each wake-up of the reader, and of the consumer it
   wakes, costs far more than the records it brings when a stream is busy
   (the daemon sends a batch every millisecond or so): after a read that
   brought GATHER_MIN reports or more, the reader waits GATHER_US (a precise
   timer) and then takes all that came meanwhile, while a quiet stream is
   read at once (its first record after a quiet spell is never late).
   Nobody waiting for records at all (tallies, a queue nobody reads yet):
   every LAZY_MS.  A change of routes or waiters, and a disconnect, end any
   of these waits at once (the control eventfd). */
static int wait_to_read(pgd_events_t *ev)
{
   int gather_ms = atomic_load(&ev->gather_us) / 1000;
   int at_once = urgent(ev) && (!ev->busy || !gather_ms);
   struct pollfd p[2] = {{ev->control_fd, POLLIN, 0}, {ev->fd, POLLIN, 0}};
   int timeout = at_once ? -1 : urgent(ev) ? gather_ms : LAZY_MS;

   if (poll(p, at_once ? 2 : 1, timeout) < 0 && errno != EINTR) return 0;
   if (p[0].revents)
   {
      uint64_t drained;
      if (read(ev->control_fd, &drained, sizeof(drained)) < 0) { /* cleared already */ }
      ev->busy = 0;   /* look again at once: the reason to wait may be gone */
   }
   return !atomic_load(&ev->closing);
}

static void *reader_thread(void *arg)
{
   pgd_events_t *ev = arg;
   unsigned char *buf = malloc(READ_REPORTS * REPORT_SIZE);
   size_t have = 0;

   ev->busy = 0;
   while (buf && wait_to_read(ev))
   {
      ssize_t n = recv(ev->fd, buf + have, READ_REPORTS * REPORT_SIZE - have, MSG_DONTWAIT);
      size_t used = 0;
      uint32_t dispatched, queued;

      if (n <= 0)
      {
         if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ev->busy = 0;  /* quiet */
         if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
         break;
      }
      have += (size_t)n;
      ev->arrival = now_us();
      for (; have - used >= REPORT_SIZE; used += REPORT_SIZE) parse_report(ev, buf + used);
      pgd_count_add(&ev->reports, used / REPORT_SIZE);
      count_batch(ev);
      ev->busy = used / REPORT_SIZE >= GATHER_MIN;
      dispatched = pgd_ring_commit(&ev->dispatch);
      queued = pgd_ring_commit(&ev->queued);
      memmove(buf, buf + used, have - used);  /* keep a partial report */
      have -= used;
      wake(ev, dispatched != 0, queued != 0);
   }
   free(buf);
   if (!atomic_load(&ev->closing))
   {
      /* Not a ring record, which a full ring would drop: take() adds the
         disconnect record once everything else was taken. */
      atomic_store(&ev->disconnected, 1);
      if (atomic_load(&ev->signal_main)) pgd_signal_request();
      notify(ev->dispatch_fd);
      notify(ev->pull_fd);
   }
   return NULL;
}

/* ---- lifetime --------------------------------------------------------------- */

pgd_events_t *pgd_events_new(unsigned capacity, int *error)
{
   pgd_events_t *ev;
   void *memory;

   if (capacity < 16 || capacity > PGD_RING_MAX) { *error = PI_BAD_PARAM; return NULL; }
   /* Zeroed, with the alignment its _Alignas members ask for (64 bytes;
      malloc promises 8 on armhf, 16 on 64-bit targets). */
   if (posix_memalign(&memory, _Alignof(pgd_events_t), sizeof(pgd_events_t)))
   {
      *error = PGD_ERR_SYSTEM;
      return NULL;
   }
   ev = memset(memory, 0, sizeof(*ev));
   ev->fd = -1;
   atomic_store(&ev->gather_us, GATHER_US);
   ev->dispatch_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   ev->pull_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   ev->control_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   if (pgd_ring_init(&ev->dispatch, capacity) || pgd_ring_init(&ev->queued, capacity) ||
       ev->dispatch_fd < 0 || ev->pull_fd < 0 || ev->control_fd < 0)
   {
      *error = PGD_ERR_SYSTEM;
      pgd_events_free(ev);
      return NULL;
   }
   return ev;
}

void pgd_events_free(pgd_events_t *ev)
{
   if (!ev) return;
   pgd_events_disconnect(ev);
   if (ev->dispatch_fd >= 0) close(ev->dispatch_fd);
   if (ev->pull_fd >= 0) close(ev->pull_fd);
   if (ev->control_fd >= 0) close(ev->control_fd);
   pgd_ring_free(&ev->dispatch);
   pgd_ring_free(&ev->queued);
   free(ev);
}

int pgd_events_connect(pgd_events_t *ev, const char *host, const char *port, int timeout_ms)
{
   int32_t res;
   int err;
   sigset_t saved;

   if (ev->running) return PI_BAD_PARAM;
   ev->fd = pgd_net_connect(host, port, timeout_ms);
   if (ev->fd < 0) { err = ev->fd; ev->fd = -1; return err; }
   /* The starting levels, then the socket becomes a report stream. */
   if ((err = pgd_net_command(ev->fd, PI_CMD_BR1, 0, 0, timeout_ms, &res))) goto fail;
   ev->last_level = (uint32_t)res;
   if ((err = pgd_net_command(ev->fd, PI_CMD_NOIB, 0, 0, timeout_ms, &res))) goto fail;
   if (res < 0) { err = res; goto fail; }
   ev->handle = res;
   atomic_store(&ev->closing, 0);
   atomic_store(&ev->disconnected, 0);
   ev->disconnect_taken = 0;
   /* The reader never takes a signal: they go to threads that handle them. */
   pgd_block_signals(&saved);
   err = pthread_create(&ev->thread, NULL, reader_thread, ev);
   pthread_sigmask(SIG_SETMASK, &saved, NULL);
   if (err) { err = PGD_ERR_SYSTEM; goto fail; }
   ev->running = 1;
   return ev->handle;

fail:
   close(ev->fd);
   ev->fd = -1;
   return err;
}

void pgd_events_disconnect(pgd_events_t *ev)
{
   if (!ev->running) return;
   atomic_store(&ev->closing, 1);
   shutdown(ev->fd, SHUT_RDWR);
   notify(ev->control_fd);        /* ends the reader's wait */
   pthread_join(ev->thread, NULL);
   close(ev->fd);
   ev->fd = -1;
   ev->running = 0;
}

/* ---- the consumer side --------------------------------------------------------- */

int pgd_events_dispatch_fd(pgd_events_t *ev) { return ev->dispatch_fd; }

int pgd_events_pull_fd(pgd_events_t *ev) { return ev->pull_fd; }

void pgd_events_clear_pull_fd(pgd_events_t *ev)
{
   uint64_t drained;
   if (read(ev->pull_fd, &drained, sizeof(drained)) < 0) { /* nothing to clear */ }
}

void pgd_events_kick(pgd_events_t *ev) { notify(ev->pull_fd); }

void pgd_events_route(pgd_events_t *ev, const uint32_t *dispatch, const uint32_t *queue,
                      const uint32_t *watch, int mirror)
{
   const uint32_t *masks[ROUTES] = {dispatch, queue, watch};

   for (int r = 0; r < ROUTES; r++)
      for (int what = 0; what < 4; what++) atomic_store(&ev->route[r][what], masks[r][what]);
   atomic_store(&ev->mirror, mirror);
   notify(ev->control_fd);
}

uint32_t pgd_events_waiting(pgd_events_t *ev) { return pgd_ring_waiting(&ev->dispatch); }

/* The bucket of a latency: PGD_LATENCY_STEPS per doubling above 4 us. */
static int latency_bucket(uint32_t us)
{
   int octave, step;

   if (us < PGD_LATENCY_STEPS) return (int)us;
   octave = 31 - __builtin_clz(us);            /* us >= 2^octave, octave >= 2 */
   step = (int)(us >> (octave - 2)) & (PGD_LATENCY_STEPS - 1);
   int bucket = (octave - 1) * PGD_LATENCY_STEPS + step;
   return bucket < PGD_LATENCY_BUCKETS ? bucket : PGD_LATENCY_BUCKETS - 1;
}

uint64_t pgd_latency_lower(int bucket)
{
   int octave = bucket / PGD_LATENCY_STEPS + 1, step = bucket % PGD_LATENCY_STEPS;

   if (bucket < PGD_LATENCY_STEPS) return (uint64_t)bucket;
   return ((uint64_t)(PGD_LATENCY_STEPS + step)) << (octave - 2);
}

static void record_latencies(pgd_events_t *ev, const pgd_record_t *records, uint32_t n)
{
   uint32_t now = now_us();

   for (uint32_t i = 0; i < n; i++)
      pgd_count_add(&ev->latency[latency_bucket(now - records[i].arrival)], 1);
}

void pgd_events_latency(pgd_events_t *ev, uint64_t *out)
{
   for (int b = 0; b < PGD_LATENCY_BUCKETS; b++)
   {
      uint64_t base = pgd_count_read(&ev->latency_at_reset[b]);
      out[b] = pgd_count_read(&ev->latency[b]) - base;
   }
}

int pgd_events_take(pgd_events_t *ev, pgd_record_t *out, int max)
{
   uint64_t drained;
   uint32_t n;

   /* Clear the wake-up before looking, so a record pushed after the look
      sets it again: no wake-up is ever lost. */
   if (read(ev->dispatch_fd, &drained, sizeof(drained)) < 0) { /* nothing to clear */ }
   n = pgd_ring_take(&ev->dispatch, out, (uint32_t)max);
   record_latencies(ev, out, n);
   if (n < (uint32_t)max && !ev->disconnect_taken && atomic_load(&ev->disconnected) &&
       pgd_ring_waiting(&ev->dispatch) == 0)
   {
      pgd_record_t *last = &out[n++];
      memset(last, 0, sizeof(*last));
      last->kind = PGD_DISCONNECT;
      ev->disconnect_taken = 1;
   }
   else if (pgd_ring_waiting(&ev->dispatch))
      notify(ev->dispatch_fd);   /* more than max were waiting: stay readable */
   return (int)n;
}

int pgd_events_take_queued(pgd_events_t *ev, pgd_record_t *out, int max)
{
   uint32_t n;

   pgd_events_clear_pull_fd(ev);
   n = pgd_ring_take(&ev->queued, out, (uint32_t)max);
   if (pgd_ring_waiting(&ev->queued)) notify(ev->pull_fd);
   return (int)n;
}

uint64_t pgd_events_count(pgd_events_t *ev, int what, int id)
{
   if (what < 0 || what > 3 || id < 0 || id > 31) return 0;
   return pgd_count_read(&ev->counts[what][id]);
}

void pgd_events_stats(pgd_events_t *ev, int queue, pgd_stats_t *out)
{
   pgd_ring_stats(queue ? &ev->queued : &ev->dispatch, out);
   out->reports = pgd_count_read(&ev->reports) - pgd_count_read(&ev->reports_at_reset);
}

void pgd_events_reset_stats(pgd_events_t *ev)
{
   pgd_ring_reset(&ev->dispatch);
   pgd_ring_reset(&ev->queued);
   pgd_count_set(&ev->reports_at_reset, pgd_count_read(&ev->reports));
   for (int b = 0; b < PGD_LATENCY_BUCKETS; b++)
      pgd_count_set(&ev->latency_at_reset[b], pgd_count_read(&ev->latency[b]));
}

/* ---- record helpers (batch delivery) --------------------------------------------- */

static int is_gpio_record(uint8_t kind) { return kind == PGD_EDGE || kind == PGD_WATCHDOG; }

int pgd_records_keep(pgd_record_t *records, int n, uint32_t gpios, uint32_t events)
{
   int kept = 0;

   for (int i = 0; i < n; i++)
   {
      const pgd_record_t *r = &records[i];
      int keep = is_gpio_record(r->kind) ? (gpios >> r->id) & 1
               : r->kind == PGD_EVENT ? (events >> r->id) & 1 : 1;
      if (keep) records[kept++] = *r;
   }
   return kept;
}

int pgd_records_select(const pgd_record_t *records, int n, int gpio, unsigned levels_mask,
                       uint32_t *ticks, uint8_t *levels)
{
   int found = 0;

   for (int i = 0; i < n; i++)
      if (is_gpio_record(records[i].kind) && records[i].id == gpio &&
          (levels_mask >> records[i].level & 1))
      {
         ticks[found] = records[i].tick;
         levels[found++] = records[i].level;
      }
   return found;
}

void pgd_events_signal_main(pgd_events_t *ev, int on) { atomic_store(&ev->signal_main, on); }

void pgd_events_gather(pgd_events_t *ev, unsigned us)
{
   atomic_store(&ev->gather_us, (int)us);
   notify(ev->control_fd);
}

void pgd_events_waiters(pgd_events_t *ev, int delta)
{
   if (atomic_fetch_add(&ev->waiters, delta) == 0 && delta > 0) notify(ev->control_fd);
}
