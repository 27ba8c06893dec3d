/* pigpiod-py events: the notification path the shim owns.

   Per session: an in-band notification socket (NOIB) read by a C thread,
   which turns the daemon's 12-byte reports into records and appends them to
   a lock-free single-producer/single-consumer ring.  The producer never
   blocks and never takes the GIL; when the ring is full it drops the record
   and counts it.  Consumers are woken through an eventfd and, in "main"
   dispatch mode, through one Py_AddPendingCall at a time. */

#ifndef PGD_EVENTS_H
#define PGD_EVENTS_H

#include <stdint.h>

/* Record kinds. */
#define PGD_EDGE        1   /* gpio changed to level 0/1 */
#define PGD_WATCHDOG    2   /* gpio watchdog time-out (level 2) */
#define PGD_EVENT       3   /* pigpio event 0-31 fired */
#define PGD_DISCONNECT  4   /* the daemon closed the notification socket */
#define PGD_RECONNECT   5   /* made by the binding: the session is back */

typedef struct
{
   uint32_t tick;    /* daemon tick, microseconds, wraps at 2^32 */
   uint8_t kind;     /* PGD_EDGE ... */
   uint8_t id;       /* gpio (edge, watchdog) or event number */
   uint8_t level;    /* 0, 1, or 2 for a time-out */
   uint8_t spare;
} pgd_record_t;

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

/* Connect the notification socket to host:port, read the initial levels
   (BR1), open the in-band handle (NOIB) and start the reader thread.
   capacity (at most 2^26, else PI_BAD_PARAM) is rounded up to a power of
   two.  NULL on failure, with the error code in *error. */
pgd_events_t *pgd_events_open(const char *host, const char *port, int timeout_ms,
                              unsigned capacity, int *error);

/* The daemon's notification handle (for notify_begin / EVM). */
int pgd_events_handle(pgd_events_t *ev);

/* The eventfd that is readable while records are waiting. */
int pgd_events_fd(pgd_events_t *ev);

/* Which records the reader keeps: rising / falling edges and watchdog
   time-outs per gpio bit, pigpio events per event bit. */
void pgd_events_select(pgd_events_t *ev, uint32_t rising, uint32_t falling,
                       uint32_t watchdog, uint32_t events);

/* Take up to max records, oldest first; returns how many. */
int pgd_events_take(pgd_events_t *ev, pgd_record_t *out, int max);

void pgd_events_stats(pgd_events_t *ev, pgd_stats_t *out);
void pgd_events_reset_stats(pgd_events_t *ev);

/* Main-thread dispatch: when records arrive, schedule (at most one pending
   at a time) a call of pigpiod_py.events._run_pending(token) in the main
   thread.  token 0 turns it off. */
void pgd_events_main_dispatch(pgd_events_t *ev, int token);

/* Called by the pending call when it starts: the next arrival may queue
   another one. */
void pgd_events_rearm(pgd_events_t *ev);

/* Stop every pending-call scheduling for good (interpreter exit). */
void pgd_events_shutdown(void);

/* Stop the thread, close the socket and free everything (idempotent per
   pointer: call once). */
void pgd_events_close(pgd_events_t *ev);

#endif
