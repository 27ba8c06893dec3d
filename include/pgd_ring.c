/* pigpiod-py: the record ring and its counts (see pgd_ring.h). */

#include <stdlib.h>
#include <string.h>

#include "pgd_ring.h"

/* The orderings of a sequence lock: the halves are read between two reads
   of seq (acquire, then a fence before the second), and written between two
   writes of it (a fence after the first, release on the second). */
uint64_t pgd_count_read(pgd_count_t *c)
{
   uint32_t seq, low, high;

   do
   {
      seq = atomic_load_explicit(&c->seq, memory_order_acquire);
      low = atomic_load_explicit(&c->low, memory_order_relaxed);
      high = atomic_load_explicit(&c->high, memory_order_relaxed);
      atomic_thread_fence(memory_order_acquire);
   } while ((seq & 1) || seq != atomic_load_explicit(&c->seq, memory_order_relaxed));
   return (uint64_t)high << 32 | low;
}

void pgd_count_set(pgd_count_t *c, uint64_t value)
{
   uint32_t seq = atomic_load_explicit(&c->seq, memory_order_relaxed);

   atomic_store_explicit(&c->seq, seq + 1, memory_order_relaxed);
   atomic_thread_fence(memory_order_release);
   atomic_store_explicit(&c->low, (uint32_t)value, memory_order_relaxed);
   atomic_store_explicit(&c->high, (uint32_t)(value >> 32), memory_order_relaxed);
   atomic_store_explicit(&c->seq, seq + 2, memory_order_release);
}

void pgd_count_add(pgd_count_t *c, uint64_t n)
{
   if (n) pgd_count_set(c, pgd_count_read(c) + n);
}

int pgd_ring_init(pgd_ring_t *ring, unsigned capacity)
{
   uint32_t size = 16;

   while (size < capacity && size < PGD_RING_MAX) size <<= 1;
   ring->mask = size - 1;
   ring->slots = calloc(size, sizeof(pgd_record_t));
   return ring->slots ? 0 : -1;
}

void pgd_ring_free(pgd_ring_t *ring)
{
   free(ring->slots);
   ring->slots = NULL;
}

void pgd_ring_push(pgd_ring_t *ring, uint8_t kind, uint8_t id, uint8_t level, uint32_t tick,
                   uint32_t arrival)
{
   uint32_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
   uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
   pgd_record_t *slot;

   if (head - tail > ring->mask)
   {
      ring->dropped++;
      return;
   }
   slot = &ring->slots[head & ring->mask];
   slot->tick = tick;
   slot->kind = kind;
   slot->id = id;
   slot->level = level;
   slot->spare = 0;
   slot->arrival = arrival;
   /* Release: the record is complete before the consumer can see it. */
   atomic_store_explicit(&ring->head, head + 1, memory_order_release);
   ring->pushed++;
   if (head + 1 - tail > atomic_load_explicit(&ring->high_water, memory_order_relaxed))
      atomic_store_explicit(&ring->high_water, head + 1 - tail, memory_order_relaxed);
}

uint32_t pgd_ring_commit(pgd_ring_t *ring)
{
   uint32_t pushed = ring->pushed;

   /* Counted before the wake-up that follows: a woken consumer sees the
      counts of every record it can take. */
   pgd_count_add(&ring->count[RING_PRODUCED], pushed);
   pgd_count_add(&ring->count[RING_DROPPED], ring->dropped);
   ring->pushed = ring->dropped = 0;
   return pushed;
}

uint32_t pgd_ring_waiting(pgd_ring_t *ring)
{
   return atomic_load_explicit(&ring->head, memory_order_acquire) -
          atomic_load_explicit(&ring->tail, memory_order_relaxed);
}

uint32_t pgd_ring_take(pgd_ring_t *ring, pgd_record_t *out, uint32_t max)
{
   uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
   uint32_t n = atomic_load_explicit(&ring->head, memory_order_acquire) - tail;
   uint32_t first;

   if (n > max) n = max;
   first = ring->mask + 1 - (tail & ring->mask);
   if (first > n) first = n;
   memcpy(out, &ring->slots[tail & ring->mask], first * sizeof(pgd_record_t));
   memcpy(out + first, &ring->slots[0], (n - first) * sizeof(pgd_record_t));
   /* Release: the slots are copied before the producer may reuse them. */
   atomic_store_explicit(&ring->tail, tail + n, memory_order_release);
   pgd_count_add(&ring->count[RING_CONSUMED], n);
   return n;
}

void pgd_ring_stats(pgd_ring_t *ring, pgd_stats_t *out)
{
   uint64_t since_reset[RING_COUNTS];
   uint32_t tail = atomic_load(&ring->tail);

   /* Each base before its count: a count read later is never below it. */
   for (int i = 0; i < RING_COUNTS; i++)
   {
      uint64_t base = pgd_count_read(&ring->at_reset[i]);
      since_reset[i] = pgd_count_read(&ring->count[i]) - base;
   }
   out->queued = (uint32_t)(atomic_load(&ring->head) - tail);
   out->high_water = atomic_load(&ring->high_water);
   out->dropped = since_reset[RING_DROPPED];
   out->produced = since_reset[RING_PRODUCED];
   out->consumed = since_reset[RING_CONSUMED];
}

void pgd_ring_reset(pgd_ring_t *ring)
{
   for (int i = 0; i < RING_COUNTS; i++)
      pgd_count_set(&ring->at_reset[i], pgd_count_read(&ring->count[i]));
   atomic_store(&ring->high_water, atomic_load(&ring->head) - atomic_load(&ring->tail));
}
