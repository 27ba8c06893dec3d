/* pigpiod-py: the lock-free single-producer/single-consumer record ring and
   the 64-bit counts it keeps (internal to include/, not the binding's API).

   Lock-free on every target: only 32-bit atomics.  64-bit atomics are not
   lock-free everywhere: on ARMv6 (Raspberry Pi OS 32-bit) each one is a call
   into libatomic.  Head and tail run modulo 2^32; the capacity is at most
   2^26, so head - tail is always the exact number of records waiting. */

#ifndef PGD_RING_H
#define PGD_RING_H

#include <stdatomic.h>
#include <stdint.h>

#include "pgd_events.h"

#define PGD_RING_MAX (1u << 26)

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the ring needs lock-free 32-bit atomics");

/* A 64-bit count with one writer, readable from any thread, made of 32-bit
   atomics (a sequence lock): the writer makes seq odd, writes both halves
   and makes seq even again; a reader retries while seq is odd or moved.
   The writer never waits.  Counts stay exact for the life of a session,
   where 32-bit ones would wrap within hours of a 200 kHz flood. */
typedef struct { _Atomic uint32_t seq, low, high; } pgd_count_t;

uint64_t pgd_count_read(pgd_count_t *c);
void pgd_count_set(pgd_count_t *c, uint64_t value);  /* the one writer only */
void pgd_count_add(pgd_count_t *c, uint64_t n);      /* the one writer only */

/* What a ring counts; stats report them less their values at the last
   reset.  PRODUCED and DROPPED are the producer's, CONSUMED the consumer's. */
enum { RING_PRODUCED, RING_DROPPED, RING_CONSUMED, RING_COUNTS };

typedef struct
{
   pgd_record_t *slots;
   uint32_t mask;
   uint32_t pushed, dropped;     /* producer only: this batch, not yet counted */
   /* The producer owns head, the consumer tail: separate cache lines. */
   _Alignas(64) _Atomic uint32_t head;
   _Atomic uint32_t high_water;  /* the producer's; reset by the consumer */
   _Alignas(64) _Atomic uint32_t tail;
   _Alignas(64) pgd_count_t count[RING_COUNTS], at_reset[RING_COUNTS];
} pgd_ring_t;

/* Slots for capacity records (rounded up to a power of two, at least 16):
   0, or -1 when out of memory. */
int pgd_ring_init(pgd_ring_t *ring, unsigned capacity);
void pgd_ring_free(pgd_ring_t *ring);

/* Producer: append a record, or drop and count it when full. */
void pgd_ring_push(pgd_ring_t *ring, uint8_t kind, uint8_t id, uint8_t level, uint32_t tick,
                   uint32_t arrival);

/* Producer, after a batch of pushes: count them; how many were appended. */
uint32_t pgd_ring_commit(pgd_ring_t *ring);

/* Consumer: records waiting now; take up to max of them, oldest first. */
uint32_t pgd_ring_waiting(pgd_ring_t *ring);
uint32_t pgd_ring_take(pgd_ring_t *ring, pgd_record_t *out, uint32_t max);

/* Consumer: counts since the last reset; reset them. */
void pgd_ring_stats(pgd_ring_t *ring, pgd_stats_t *out);
void pgd_ring_reset(pgd_ring_t *ring);

#endif
