/* fz-ring.c: lock-free SPSC ring, see fz-ring.h
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Indices run freely and wrap at SIZE_MAX; head - tail is the fill level in
 * modular arithmetic, which stays correct across that wrap because the
 * capacity divides SIZE_MAX + 1.  The producer writes a slot's body, then
 * its stamp (position + 1) with a release store; the consumer acquires the
 * stamp before reading the body (see fz-ring.h for why the stamp and not
 * head), and releases tail after copying the body out, which the producer
 * acquires before overwriting the slot.  The producer caches tail and
 * reloads it only when the cached value says full, so a push or pop
 * usually touches the slot's line alone.
 */

#include <stdlib.h>
#include <string.h>

#include "fz-ring.h"

_Static_assert ((FZ_RING_CAPACITY & FZ_RING_MASK) == 0, "capacity must be a power of two");
_Static_assert (sizeof (FzMsg) <= 64, "a message must fit one cache line");
_Static_assert (FZ_RING_BODY + sizeof (uint64_t) == sizeof (FzMsg),
                "the stamp is a message's last field");

FzRing *
fz_ring_new (void)
{
  FzRing *ring = aligned_alloc (FZ_RING_LINE, sizeof (FzRing));

  if (ring == NULL)
    return NULL;
  memset (ring, 0, sizeof (FzRing));
  fz_ring_reset_at (ring, 0);
  return ring;
}

void
fz_ring_free (FzRing *ring)
{
  free (ring);
}

void
fz_ring_reset_at (FzRing *ring, size_t index)
{
  atomic_store_explicit (&ring->head, index, memory_order_relaxed);
  atomic_store_explicit (&ring->tail, index, memory_order_relaxed);
  ring->cached_tail = index;
  /* Every slot as if emptied in the round before: stamped with the
   * position CAPACITY before the next one that maps to it. */
  for (size_t i = 0; i < FZ_RING_CAPACITY; i++)
    fz_ring_stamp_store (&ring->slots[(index + i) & FZ_RING_MASK],
                         index + i - FZ_RING_CAPACITY);
}

size_t
fz_ring_free_space (FzRing *ring)
{
  size_t head = atomic_load_explicit (&ring->head, memory_order_relaxed);

  ring->cached_tail = atomic_load_explicit (&ring->tail, memory_order_acquire);
  return FZ_RING_CAPACITY - (head - ring->cached_tail);
}

const FzMsg *
fz_ring_peek (FzRing *ring)
{
  size_t tail = atomic_load_explicit (&ring->tail, memory_order_relaxed);
  const FzMsg *slot = &ring->slots[tail & FZ_RING_MASK];

  return fz_ring_slot_is_full (slot, tail) ? slot : NULL;
}

void
fz_ring_advance (FzRing *ring)
{
  size_t tail = atomic_load_explicit (&ring->tail, memory_order_relaxed);

  atomic_store_explicit (&ring->tail, tail + 1, memory_order_release);
}

bool
fz_ring_has_data (FzRing *ring)
{
  return atomic_load_explicit (&ring->head, memory_order_acquire)
         != atomic_load_explicit (&ring->tail, memory_order_acquire);
}
