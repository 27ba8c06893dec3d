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
#include <sched.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#include "pigpiod_if2.h"
#include "pgd_events.h"
#include "pgd_guard.h"
#include "pgd_net.h"
#include "pgd_ring.h"
#include "pgd_shim.h"

#define REPORT_SIZE 12
#define READ_REPORTS 4096   /* the buffer of one recv */
#define READ_ROUNDS 16       /* recvs of one read, at most (see read_reports) */
/* How long the reader waits before a read (see wait_to_read). */
#define LAZY_MS 50
/* Tallies only: the reader waits for this much data, or at most LAZY_FULL_MS. */
#define LAZY_FULL_BYTES 32768
#define LAZY_FULL_MS 1000
#define WATCHDOG_MS 50   /* see wait_to_read */
#define GATHER_US 16000  /* the longest gather, by default; see pgd_events_gather */
#define GATHER_FIRST_US 1000   /* the first gather of a stream that became busy */
#define GATHER_MIN 8   /* reports in one read that make a stream busy */

enum { ROUTE_DISPATCH, ROUTE_QUEUE, ROUTE_WATCH, ROUTES };

struct pgd_events
{
   pgd_ring_t dispatch;          /* for callbacks with a function */
   pgd_ring_t queued;            /* for callbacks without one (pull) */
   int dispatch_fd, pull_fd;     /* eventfds */
   int control_fd;               /* eventfd: tells the reader to look again */
   int pump_fd;                  /* eventfd: tells a pumping consumer to look again */
   int watch_fd;                 /* timerfd: a pumping consumer stayed away (see arm_watch) */

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
   atomic_int gather_us;         /* the longest gather of a busy stream (see next_step) */

   /* Consumers that read the socket themselves (see pgd_events_pump). */
   atomic_int pumpers;           /* inside pgd_events_pump now, reading */
   atomic_int socket_users;      /* of them, using the socket now */
   _Atomic uint32_t pumped_at;   /* when one last read it (us) */
   atomic_int main_pumping;      /* the main thread reads it on the signal's timer */

   /* The producer's: whoever holds `producer` (the reader or a pump) reads
      the socket and appends to the rings, so the rings keep one producer
      at a time. */
   pthread_mutex_t producer;
   unsigned char *buf;           /* READ_REPORTS reports, a partial one kept */
   size_t have;
   uint32_t last_level;
   atomic_int step_us;           /* the wait before the next read of a busy stream (see
                                    next_step), 0 while it is not busy */
   _Atomic uint32_t read_at;     /* when the last read brought reports (us) */
   atomic_int lowat;             /* SO_RCVLOWAT is LAZY_FULL_BYTES (else 1) */
   atomic_int ended;             /* a read saw the stream end */
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

/* Routes, waiters or the gather time changed: whoever waits to read looks again. */
static void look_again(pgd_events_t *ev)
{
   notify(ev->control_fd);
   notify(ev->pump_fd);
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

/* After a batch: counts first, then the wake-ups, except of `own_fd`: the
   consumer that read the batch itself (a pump) looks at once.  Whether
   own_fd had news. */
static int wake(pgd_events_t *ev, int dispatched, int queued, int own_fd)
{
   int news = 0;

   if (dispatched)
   {
      if (atomic_load(&ev->signal_main)) pgd_signal_request();
      else if (ev->dispatch_fd == own_fd) news = 1;
      else notify(ev->dispatch_fd);
   }
   if (queued || ev->watched || (dispatched && atomic_load(&ev->mirror)))
   {
      if (ev->pull_fd == own_fd) news = 1;
      else notify(ev->pull_fd);
   }
   ev->watched = 0;
   return news;
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

/* Whether any record goes to a ring (a handler's or pull's). */
static int routed(pgd_events_t *ev)
{
   for (int r = ROUTE_DISPATCH; r <= ROUTE_QUEUE; r++)
      for (int what = 0; what < 4; what++)
         if (atomic_load_explicit(&ev->route[r][what], memory_order_relaxed)) return 1;
   return 0;
}

/* Whether the next read waits `step_us`: the stream is busy and its
   gather is a millisecond or more (poll counts whole ms). */
static int gathering(pgd_events_t *ev)
{
   return atomic_load(&ev->step_us) >= 1000;
}

/* The gather before the next read, after a read that found the stream busy
   or not.  A busy stream is gathered for GATHER_FIRST_US, then twice as
   long at each read that still finds it busy, up to `gather_us`: a short
   burst is delivered within a few ms, a lasting stream at one wake-up per
   `gather_us` (as network cards moderate their interrupts). */
static int next_step(pgd_events_t *ev, int busy)
{
   int cap = atomic_load(&ev->gather_us);
   int step = atomic_load(&ev->step_us);

   if (!busy) return 0;
   step = step ? 2 * step : GATHER_FIRST_US;
   return step < cap ? step : cap;
}

/* How long to wait before the next read, in ms, or: */
#define AT_ONCE   (-1)   /* as soon as the socket is readable */
#define WHEN_FULL (-2)   /* when it holds LAZY_FULL_BYTES, or after LAZY_FULL_MS */
#define NO_READ   (-3)   /* (a pump) not at all: only wait */
/* Each wake-up of a thread costs far more than the records it brings when
   a stream is busy (the daemon sends a batch every millisecond or so):
   after a read that brought GATHER_MIN reports or more, wait the gather
   (see next_step) and then take all that came meanwhile; a quiet stream is
   read at once (its first record after a quiet spell is never late).  Nobody
   waiting for records: every LAZY_MS for a queue nobody reads yet, and
   for tallies only when much came (they are brought up to date when read,
   see pgd_events_count). */
static int read_delay(pgd_events_t *ev)
{
   int32_t left_us;

   if (!urgent(ev)) return routed(ev) ? LAZY_MS : WHEN_FULL;
   if (!gathering(ev)) return AT_ONCE;
   /* Counted from the last read, not from this wait: a pump called in
      slices (a waiting thread polls 50 ms at a time) still reads once the
      gather is over, in whichever slice that falls. */
   left_us = atomic_load(&ev->step_us) - (int32_t)(now_us() - atomic_load(&ev->read_at));
   return left_us <= 0 ? 0 : (left_us + 999) / 1000;
}

/* The socket's low-water mark (SO_RCVLOWAT): LAZY_FULL_BYTES (full) or
   1.  It is 1 while whoever reads next waits for the socket to be
   readable (they set it so before they poll).  It is LAZY_FULL_BYTES for
   the lazy reads, and while the next read is timed (a read that finds the
   stream busy raises it for the gather that follows): below the mark
   the kernel acknowledges data as it arrives even though nobody reads it.
   With the mark at 1 it would wait for the read to acknowledge, and the
   daemon's TCP, at its congestion window of small segments, would stop
   sending meanwhile: a long gather's records would arrive late. */
static void apply_lowat(pgd_events_t *ev, int full)   /* holding `producer` */
{
   int bytes = full ? LAZY_FULL_BYTES : 1;

   if (atomic_load(&ev->lowat) != full &&
       setsockopt(ev->fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes)) == 0)
      atomic_store(&ev->lowat, full);
}

static void set_lowat(pgd_events_t *ev, int full)
{
   if (atomic_load(&ev->lowat) == full) return;
   pthread_mutex_lock(&ev->producer);
   apply_lowat(ev, full);
   pthread_mutex_unlock(&ev->producer);
}

/* Send the acknowledgement of what was read at once (TCP_QUICKACK), not
   after the kernel's delayed-ACK time: pigpiod sends reports with Nagle
   on, holding back what follows an unacknowledged segment. */
static void acknowledge_now(int fd)
{
   int one = 1;

   setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* One recv of what the socket holds now, appended to the buffer. */
static ssize_t receive(pgd_events_t *ev)
{
   ssize_t n = recv(ev->fd, ev->buf + ev->have, READ_REPORTS * REPORT_SIZE - ev->have,
                    MSG_DONTWAIT);

   if (n > 0) ev->have += (size_t)n;
   return n;
}

/* Parse the whole reports in the buffer and keep a partial one; how many. */
static size_t parse_buffer(pgd_events_t *ev)
{
   size_t used = 0;

   for (; ev->have - used >= REPORT_SIZE; used += REPORT_SIZE) parse_report(ev, ev->buf + used);
   memmove(ev->buf, ev->buf + used, ev->have - used);
   ev->have -= used;
   return used / REPORT_SIZE;
}

/* Read what the socket holds now, with the producer lock: parse, count,
   route, commit and wake (see wake).  READ_ENDED when the stream ended,
   else whether own_fd had news. */
#define READ_ENDED (-1)
static int read_reports(pgd_events_t *ev, int own_fd)
{
   ssize_t n = 0;
   size_t reports = 0;
   uint32_t dispatched, queued;

   if (atomic_load(&ev->ended)) return READ_ENDED;
   ev->arrival = now_us();
   /* Until the socket is empty (a long gather holds more than the buffer),
      READ_ROUNDS buffers at most: a flood must not keep this thread here. */
   for (int round = 0; round < READ_ROUNDS && (n = receive(ev)) > 0; round++)
   {
      /* pigpiod sends with Nagle on: it holds what came since its last
         segment until that one is acknowledged.  Acknowledge now (the
         kernel might wait up to its delayed-ACK time, tens of ms, and the
         daemon with it); on the same machine the reports that releases are
         here at once: the next round takes them too, or they would wait
         for the next read. */
      if (!round) acknowledge_now(ev->fd);
      reports += parse_buffer(ev);
   }
   if (!reports)
   {
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) atomic_store(&ev->step_us, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
      if (n > 0) return 0;   /* less than one report so far */
      atomic_store(&ev->ended, 1);
      return READ_ENDED;
   }
   /* An end or error after data is seen by the next read (recv says it again). */
   atomic_store(&ev->read_at, ev->arrival);
   pgd_count_add(&ev->reports, reports);
   count_batch(ev);
   atomic_store(&ev->step_us, next_step(ev, reports >= GATHER_MIN));
   if (gathering(ev)) apply_lowat(ev, 1);
   dispatched = pgd_ring_commit(&ev->dispatch);
   queued = pgd_ring_commit(&ev->queued);
   return wake(ev, dispatched != 0, queued != 0, own_fd);
}

static int locked_read(pgd_events_t *ev, int own_fd)
{
   int result;

   pthread_mutex_lock(&ev->producer);
   result = read_reports(ev, own_fd);
   pthread_mutex_unlock(&ev->producer);
   return result;
}

static void drain(int fd)
{
   uint64_t drained;
   if (read(fd, &drained, sizeof(drained)) < 0) { /* cleared already */ }
}

/* Whether a consumer read the socket itself within WATCHDOG_MS (the 32-bit
   clock wraps every 71 minutes: at worst a wait of one more WATCHDOG_MS
   then). */
static int pumped_recently(pgd_events_t *ev)
{
   int32_t age = (int32_t)(now_us() - atomic_load(&ev->pumped_at));

   return age >= 0 && age < WATCHDOG_MS * 1000;
}

/* Whether a consumer pumps now, or did within WATCHDOG_MS. */
static int pumped(pgd_events_t *ev)
{
   return atomic_load(&ev->pumpers) || pumped_recently(ev);
}

/* Nobody pumps: the reader is on watch at once. */
static void unpumped(pgd_events_t *ev)
{
   atomic_store(&ev->pumped_at, now_us() - 2 * WATCHDOG_MS * 1000);
}

/* A pumping consumer goes away from the socket (to run handlers): the
   reader wakes WATCHDOG_MS from now unless the consumer comes back and
   goes away again before (each time re-arms the timer).  A system call,
   but no wake-up: the reader sleeps while the consumer keeps reading. */
static void arm_watch(pgd_events_t *ev)
{
   struct itimerspec in = {{0, 0}, {0, WATCHDOG_MS * 1000000L}};

   timerfd_settime(ev->watch_fd, 0, &in, NULL);
}

enum { STOP, READ, SKIP };

/* The reader's wait before a read (see read_delay).  While a consumer pumps
   the socket itself the reader only watches, without a time limit: it reads
   when the consumer stayed away from the socket for WATCHDOG_MS (a slow
   handler, see arm_watch), so the socket is never left unread longer and
   drops are still counted at the ring; an idle or busy session with a
   pumping consumer does not wake it.  A change of routes or waiters, and a
   disconnect, end any of these waits at once (the control eventfd); the
   reader then reads at once unless a pump reads on (it is told of the
   change too). */
static int wait_to_read(pgd_events_t *ev)
{
   int watching = pumped(ev);
   int delay = watching ? -1 : read_delay(ev);
   struct pollfd p[3] = {{ev->control_fd, POLLIN, 0},
                         {watching ? ev->watch_fd : -1, POLLIN, 0},
                         {!watching && delay < 0 ? ev->fd : -1, POLLIN, 0}};
   int ready;

   if (!watching && delay < 0) set_lowat(ev, delay == WHEN_FULL);
   ready = poll(p, 3, delay == WHEN_FULL ? LAZY_FULL_MS : delay);
   if (ready < 0 && errno != EINTR) return STOP;
   if (atomic_load(&ev->closing)) return STOP;
   if (p[0].revents)
   {
      drain(ev->control_fd);
      /* A pump reads on (a change wakes it too), unless the stream ended.
         Else read at once (the reason to wait may be gone); a busy
         stream's gather keeps its length. */
      if (pumped(ev) && !atomic_load(&ev->ended)) return SKIP;
      return READ;
   }
   if (p[1].revents)
   {
      drain(ev->watch_fd);
      return atomic_load(&ev->pumpers) ? SKIP : READ;   /* back in a pump, or late */
   }
   return watching ? SKIP : READ;
}

static void *reader_thread(void *arg)
{
   pgd_events_t *ev = arg;
   int step;

   pthread_setname_np(pthread_self(), "pigpiod_py read");   /* for top -H, ps -L */

   while ((step = wait_to_read(ev)) != STOP)
      if (step == READ && locked_read(ev, -1) == READ_ENDED) break;
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

/* ---- a consumer reading the socket itself ------------------------------------ */

/* A consumer's read, with a use of the socket (given back): as
   read_reports; the end of the stream is the reader's to announce, so the
   reader is told. */
static int consumer_read(pgd_events_t *ev, int own_fd)
{
   int news = locked_read(ev, own_fd);

   if (news == READ_ENDED) notify(ev->control_fd);
   atomic_fetch_sub(&ev->socket_users, 1);
   return news;
}

/* A pump stops reading: the reader watches for its return. */
static void leave_pump(pgd_events_t *ev)
{
   atomic_fetch_sub(&ev->pumpers, 1);
   arm_watch(ev);
}

/* Take a use of the socket unless it is closing or ended; 1 when taken. */
static int use_socket(pgd_events_t *ev)
{
   atomic_fetch_add(&ev->socket_users, 1);
   if (!atomic_load(&ev->closing) && !atomic_load(&ev->ended)) return 1;
   atomic_fetch_sub(&ev->socket_users, 1);
   return 0;
}

int pgd_events_pump(pgd_events_t *ev, int wanted_fd, int stop_fd, int timeout_ms)
{
   uint32_t start = now_us();
   int result = PGD_PUMP_TIMEOUT;
   int counted = 0;   /* in `pumpers`: while it reads */

   for (;;)
   {
      int32_t elapsed_ms = (int32_t)(now_us() - start) / 1000;
      int left = timeout_ms < 0 ? -1 : elapsed_ms >= timeout_ms ? 0 : timeout_ms - elapsed_ms;
      /* Only wait while the main thread reads it on the dispatch signal's
         timer, or nobody wants records soon (the reader's lazy reads). */
      int delay = atomic_load(&ev->main_pumping) || !urgent(ev) ? NO_READ : read_delay(ev);
      int on_socket;

      if ((delay != NO_READ) != counted)
      {
         counted = !counted;
         if (counted) atomic_fetch_add(&ev->pumpers, 1);
         else leave_pump(ev);
      }
      on_socket = delay == AT_ONCE && use_socket(ev);
      if (on_socket) set_lowat(ev, 0);
      int wait = delay < 0 ? left : left < 0 || delay < left ? delay : left;
      struct pollfd p[4] = {{wanted_fd, POLLIN, 0}, {stop_fd, POLLIN, 0},
                            {ev->pump_fd, POLLIN, 0}, {on_socket ? ev->fd : -1, POLLIN, 0}};
      int ready = poll(p, 4, wait);
      int news = 0, told = p[2].revents != 0;   /* a change: read at once */

      if (ready < 0 || p[0].revents || p[1].revents)
      {
         if (on_socket) atomic_fetch_sub(&ev->socket_users, 1);
         result = ready < 0 ? (errno == EINTR ? PGD_PUMP_INTERRUPTED : PGD_PUMP_TIMEOUT)
                : p[1].revents ? PGD_PUMP_STOPPED : PGD_PUMP_READY;   /* stop first */
         break;
      }
      if (told) drain(ev->pump_fd);
      /* Time to read: the socket is readable, the gather is over, or a
         change came (a busy stream's gather keeps its length). */
      if (on_socket ||
          ((told ? delay != NO_READ : ready == 0 && delay >= 0 && wait == delay) &&
           use_socket(ev)))
      {
         news = consumer_read(ev, wanted_fd);
         atomic_store(&ev->pumped_at, now_us());
      }
      if (news > 0) { result = PGD_PUMP_NEWS; break; }   /* wanted_fd was not told */
      if (left == 0) break;
   }
   if (counted) leave_pump(ev);
   return result;
}

/* The main thread's pump (pgd_events_pump_now): gathering a busy stream on
   the dispatch signal's timer. */
unsigned pgd_events_pump_now(pgd_events_t *ev)
{
   if (atomic_load(&ev->main_pumping) && use_socket(ev)) consumer_read(ev, -1);
   if (gathering(ev) && urgent(ev) && !atomic_load(&ev->ended) && !atomic_load(&ev->closing))
   {
      atomic_store(&ev->main_pumping, 1);
      atomic_store(&ev->pumped_at, now_us());
      arm_watch(ev);
      return (unsigned)atomic_load(&ev->step_us);
   }
   if (atomic_exchange(&ev->main_pumping, 0))
   {
      /* Quiet again: the reader watches the socket at once from now on. */
      unpumped(ev);
      notify(ev->control_fd);
   }
   return 0;
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
   ev->fd = ev->dispatch_fd = ev->pull_fd = ev->control_fd = ev->pump_fd = ev->watch_fd = -1;
   atomic_store(&ev->gather_us, GATHER_US);
   ev->dispatch_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   ev->pull_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   ev->control_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   ev->pump_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   ev->watch_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
   ev->buf = malloc(READ_REPORTS * REPORT_SIZE);
   pthread_mutex_init(&ev->producer, NULL);
   if (pgd_ring_init(&ev->dispatch, capacity) || pgd_ring_init(&ev->queued, capacity) ||
       ev->dispatch_fd < 0 || ev->pull_fd < 0 || ev->control_fd < 0 || ev->pump_fd < 0 ||
       ev->watch_fd < 0 || !ev->buf)
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
   if (ev->pump_fd >= 0) close(ev->pump_fd);
   if (ev->watch_fd >= 0) close(ev->watch_fd);
   pthread_mutex_destroy(&ev->producer);
   free(ev->buf);
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
   ev->last_level = (uint32_t)res;   /* no reader, no pump uses these while closing */
   ev->have = 0;
   atomic_store(&ev->step_us, 0);
   atomic_store(&ev->lowat, 0);
   atomic_store(&ev->main_pumping, 0);
   unpumped(ev);
   atomic_store(&ev->ended, 0);
   if ((err = pgd_net_command(ev->fd, PI_CMD_NOIB, 0, 0, timeout_ms, &res))) goto fail;
   if (res < 0) { err = res; goto fail; }
   /* The daemon holds its first reports until this reply is acknowledged,
      and after a command exchange the kernel delays that by up to 40 ms. */
   acknowledge_now(ev->fd);
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
   notify(ev->pump_fd);   /* a pump waiting meanwhile reads the new socket */
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
   notify(ev->pump_fd);           /* and a pump's */
   pthread_join(ev->thread, NULL);
   /* A pump leaves the socket at once (shut down, it reads as ended). */
   while (atomic_load(&ev->socket_users)) sched_yield();
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
   look_again(ev);
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
   /* Read lazily (nobody waits for records): bring the counts up to date. */
   if (ev->running && !urgent(ev) && use_socket(ev)) consumer_read(ev, -1);
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
   look_again(ev);
}

void pgd_events_waiters(pgd_events_t *ev, int delta)
{
   if (atomic_fetch_add(&ev->waiters, delta) == 0 && delta > 0) look_again(ev);
}
