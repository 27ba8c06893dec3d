/* pigpiod-py events: the notification path the shim owns.

   Per session: an in-band notification socket (NOIB) whose 12-byte reports
   become records.  Every edge, watchdog time-out and event is counted per
   gpio (tallies never need Python), and each record is routed by the
   subscriptions Python declared:
   * to the dispatch ring, for callbacks with a function;
   * to the queue ring, for callbacks without one (read by pull());
   * nowhere, when only counts are wanted (wait_for_edge, tallies), though a
     watched arrival still wakes pull-side waiters.
   Who reads the socket: a C reader thread, or, to save a thread's wake-up
   per batch, the consumer itself while it waits (pgd_events_pump: the
   dispatcher thread, a waiting thread; pgd_events_pump_now: the main
   thread on its dispatch signal).  Readers take turns under a lock; while
   a consumer pumps, the reader thread sleeps and takes over when the
   consumer stayed away from the socket for 50 ms (a slow handler; a timer
   the consumer re-arms each time it leaves), so the socket never waits
   long.  Both rings are lock-free single-producer/single-consumer rings
   (one reader at a time is the producer); reading never blocks on Python
   and never takes the GIL; a full ring drops the record and counts it.
   Consumers are woken through eventfds and, in "main" dispatch mode, by
   one signal at a time to the main thread.

   The object outlives connections: pgd_events_connect / _disconnect start
   and stop the reader, so the eventfds and counts survive a reconnect. */

#ifndef PGD_EVENTS_H
#define PGD_EVENTS_H

#include <stdint.h>

/* Record kinds. */
#define PGD_EDGE        1   /* gpio changed to level 0/1 */
#define PGD_WATCHDOG    2   /* gpio watchdog time-out (level 2) */
#define PGD_EVENT       3   /* pigpio event 0-31 fired */
#define PGD_DISCONNECT  4   /* the daemon closed the notification socket */
#define PGD_RECONNECT   5   /* made by the binding: the session is back */

/* What a route mask or a count is about (index of the four masks). */
#define PGD_RISING      0   /* rising edges, per gpio bit */
#define PGD_FALLING     1   /* falling edges, per gpio bit */
#define PGD_TIMEOUTS    2   /* watchdog time-outs, per gpio bit */
#define PGD_EVENTS      3   /* pigpio events, per event bit */

typedef struct
{
   uint32_t tick;    /* daemon tick, microseconds, wraps at 2^32 */
   uint8_t kind;     /* PGD_EDGE ... */
   uint8_t id;       /* gpio (edge, watchdog) or event number */
   uint8_t level;    /* 0, 1, or 2 for a time-out */
   uint8_t spare;
   uint32_t arrival; /* when its report arrived, local monotonic us (wraps) */
} pgd_record_t;

/* Latency from a report's arrival to the take of its record by dispatch: a
   histogram with PGD_LATENCY_STEPS buckets per doubling; bucket b holds
   latencies in [lower(b), lower(b + 1)) us, see pgd_latency_lower. */
#define PGD_LATENCY_STEPS   4
#define PGD_LATENCY_BUCKETS 104

typedef struct
{
   uint64_t queued;      /* records waiting now */
   uint64_t high_water;  /* most records ever waiting at once */
   uint64_t dropped;     /* records lost because the ring was full */
   uint64_t produced;    /* records appended since open (or reset) */
   uint64_t consumed;    /* records taken by the consumer */
   uint64_t reports;     /* 12-byte reports read from the daemon */
} pgd_stats_t;

typedef struct pgd_events pgd_events_t;

/* Rings of capacity records each (16 to 2^26, rounded up to a power of two)
   and their eventfds, not connected yet.  NULL on failure, the error code in
   *error. */
pgd_events_t *pgd_events_new(unsigned capacity, int *error);

/* Free it (disconnected first if need be). */
void pgd_events_free(pgd_events_t *ev);

/* Connect the notification socket to host:port within timeout_ms, read the
   starting levels (BR1), open the in-band handle (NOIB) and start the
   reader.  Returns the daemon's notification handle (>= 0, for NB and EVM)
   or a negative error code. */
int pgd_events_connect(pgd_events_t *ev, const char *host, const char *port, int timeout_ms);

/* Stop the reader and close the socket (idempotent). */
void pgd_events_disconnect(pgd_events_t *ev);

/* Readable while the dispatch ring has records (or the stream ended). */
int pgd_events_dispatch_fd(pgd_events_t *ev);

/* Readable while the queue ring has records, after a watched arrival, at
   the end of the stream, and (mirror on) when the dispatch ring gets
   records.  Cleared by pgd_events_take_queued or pgd_events_clear_pull_fd. */
int pgd_events_pull_fd(pgd_events_t *ev);
void pgd_events_clear_pull_fd(pgd_events_t *ev);

/* Make pull_fd readable now (a waiter must look again). */
void pgd_events_kick(pgd_events_t *ev);

/* Where records go: dispatch[4], queue[4] and watch[4] are masks indexed by
   PGD_RISING ... PGD_EVENTS; mirror wakes pull-side waiters for dispatch
   records too (for a consumer that dispatches while it waits). */
void pgd_events_route(pgd_events_t *ev, const uint32_t *dispatch, const uint32_t *queue,
                      const uint32_t *watch, int mirror);

/* The dispatch ring: records waiting, and take up to max, oldest first.
   After the last record of a stream that ended, one PGD_DISCONNECT. */
uint32_t pgd_events_waiting(pgd_events_t *ev);
int pgd_events_take(pgd_events_t *ev, pgd_record_t *out, int max);

/* The queue ring: take up to max, oldest first. */
int pgd_events_take_queued(pgd_events_t *ev, pgd_record_t *out, int max);

/* How many of what (PGD_RISING ...) gpio or event id the daemon reported
   since the object was made (dropped records included).  When the socket
   is read lazily (nobody waits for records) it is read first, so the count
   includes every report that reached this host. */
uint64_t pgd_events_count(pgd_events_t *ev, int what, int id);

/* The dispatch latency histogram since the last reset (PGD_LATENCY_BUCKETS
   counts), and the lowest latency in us of a bucket. */
void pgd_events_latency(pgd_events_t *ev, uint64_t *out);
uint64_t pgd_latency_lower(int bucket);

/* Counters of the dispatch ring (queue = 0) or of the queue ring (1). */
void pgd_events_stats(pgd_events_t *ev, int queue, pgd_stats_t *out);
void pgd_events_reset_stats(pgd_events_t *ev);

/* Keep in place only the records of these gpios (edges and time-outs) and
   events, and every other kind; returns how many are left. */
int pgd_records_keep(pgd_record_t *records, int n, uint32_t gpios, uint32_t events);

/* The ticks and levels of gpio's edge and time-out records whose level is
   in levels_mask (bit 0: level 0, bit 1: 1, bit 2: time-out), in order;
   returns how many. */
int pgd_records_select(const pgd_record_t *records, int n, int gpio, unsigned levels_mask,
                       uint32_t *ticks, uint8_t *levels);

/* A pull-side waiter comes (+1) or goes (-1).  While nobody waits and no
   handler or watch wants records, the reader reads in large chunks: every
   50 ms for a queue nobody reads yet, and with tallies only when 32 KiB came
   or once a second (they then cost almost nothing; a count read reads the
   socket first). */
void pgd_events_waiters(pgd_events_t *ev, int delta);

/* The longest gather of a busy stream (eight reports or more in a read)
   before a read, in us (whole ms are used; under 1000: never, every read at
   once).  The gather starts at 1 ms and doubles at each read that finds
   the stream still busy, up to this.  16000 by default: a lasting stream
   wakes the consumer (which reads the socket itself, see pgd_events_pump)
   once per 16 ms instead of the reader and the consumer once per batch of
   the daemon (about one a millisecond). */
void pgd_events_gather(pgd_events_t *ev, unsigned us);

/* Wait in the calling thread until wanted_fd (the dispatch or the pull fd)
   is readable, stop_fd (-1: none) is, or timeout_ms passed (-1: no limit),
   reading the socket meanwhile as the reader would: a consumer that pumps
   saves the reader's wake-up per gathered batch (the reader then only
   watches, and reads when no pump did for a while).  Returns one of: */
#define PGD_PUMP_TIMEOUT      0
#define PGD_PUMP_READY        1   /* wanted_fd is readable (not cleared) */
#define PGD_PUMP_STOPPED      2   /* stop_fd is readable */
#define PGD_PUMP_INTERRUPTED  3   /* a signal: let Python run its handler */
#define PGD_PUMP_NEWS         4   /* this call read records for wanted_fd
                                     (which was not made readable for them) */
int pgd_events_pump(pgd_events_t *ev, int wanted_fd, int stop_fd, int timeout_ms);

/* Main-thread dispatch (process-wide).  pgd_signal_setup, called in the
   main thread, records it and the signal to send (0: none).  A reader whose
   object has signalling on sends it when dispatch records arrive, at most
   one in flight: the next only after pgd_signal_done.  That call also says
   how long the main thread spent dispatching; the next signal waits as long
   (so dispatch gets at most half of it under a flood); with again_us > 0 the
   next signal comes that late (or after the pause) even if nothing else
   arrives, from a timer aimed at the main thread. */
int pgd_signal_setup(int signo);
void pgd_events_signal_main(pgd_events_t *ev, int on);
void pgd_signal_done(unsigned spent_us, unsigned again_us);

/* Called by the signal's handler for each main-mode object before it takes
   records: while its stream is busy, the main thread reads the socket
   itself, at each signal, and the reader only watches.  Returns in how many
   us to signal again (the gather time) while the stream is busy, else 0
   (the reader is back on watch). */
unsigned pgd_events_pump_now(pgd_events_t *ev);

#endif
