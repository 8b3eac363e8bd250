/* fz-ring.h: lock-free single-producer/single-consumer message ring
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Plain C11, no GLib: this is shared by the control threads and the audio
 * callback.  Exactly one thread pushes and exactly one thread pops at any
 * time; callers serialise their own side if several threads may use it.
 */
#pragma once

#include <stdbool.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fz-msg.h"

/* Power of two, so that free-running indices wrap with a mask. */
#define FZ_RING_CAPACITY 1024u
#define FZ_RING_MASK (FZ_RING_CAPACITY - 1u)
/* Two cache lines: keeps adjacent-line prefetchers from pairing the
 * producer's and the consumer's lines. */
#define FZ_RING_LINE 128

/* The part of a message that a push copies in and a pop copies out; the
 * stamp after it is the ring's. */
#define FZ_RING_BODY offsetof (FzMsg, ring_stamp)

typedef struct {
  /* First, so that a slot's address is the ring's plus index * 64: one
   * instruction fewer on each push and pop. */
  alignas (FZ_RING_LINE) FzMsg slots[FZ_RING_CAPACITY];
  /* Producer's line: written by the producer only.  head is published
   * for fz_ring_has_data(); the consumer never reads it. */
  alignas (FZ_RING_LINE) atomic_size_t head;
  size_t cached_tail;   /* producer's last view of tail */
  /* Consumer's line: written by the consumer only. */
  alignas (FZ_RING_LINE) atomic_size_t tail;
} FzRing;

FzRing *fz_ring_new (void);
void    fz_ring_free (FzRing *ring);
/* For tests: start both indices at @index (e.g. near SIZE_MAX). */
void    fz_ring_reset_at (FzRing *ring, size_t index);

/* Producer side: how many pushes would succeed now (a lower bound). */
size_t  fz_ring_free_space (FzRing *ring);

/* Look at the oldest message without consuming it; fz_ring_advance()
 * consumes it.  Used for admission control: a command that cannot be
 * carried out yet stays at the head of the ring. */
const FzMsg *fz_ring_peek (FzRing *ring);
void    fz_ring_advance (FzRing *ring);

/* Any thread: whether a message seemed pending at the time of the call.
 * Reads both indices without touching either side's cache. */
bool    fz_ring_has_data (FzRing *ring);

/* Push and pop are defined here, inline: each is some twenty instructions,
 * and a call and return around them would add a sixth.
 *
 * Why a stamp in each slot: the consumer learns that the slot at tail is
 * full from the slot itself (its stamp is tail + 1), in the cache line it
 * reads anyway, instead of from head.  A ring that runs near empty (the
 * usual case: commands are few, and the audio thread takes them all each
 * period) would otherwise move head's line between the cores with every
 * message as well as the slot's.  The producer still learns of free
 * slots from tail, cached, which it reloads only when the ring looks
 * full.  Nothing is batched: every message is visible to the consumer as
 * soon as its push returns, and a push fails exactly when 1024 messages
 * are waiting. */

/* The stamp is written with a release store after the body, and read
 * with an acquire load before it. */
static inline void
fz_ring_stamp_store (FzMsg *slot, size_t position)
{
  __atomic_store_n (&slot->ring_stamp, (uint64_t) position + 1, __ATOMIC_RELEASE);
}

static inline bool
fz_ring_slot_is_full (const FzMsg *slot, size_t position)
{
  return __atomic_load_n (&slot->ring_stamp, __ATOMIC_ACQUIRE) == (uint64_t) position + 1;
}

/* Producer side.  Returns false at once when the ring is full. */
static inline bool
fz_ring_push (FzRing *ring, const FzMsg *msg)
{
  size_t head = atomic_load_explicit (&ring->head, memory_order_relaxed);
  FzMsg *slot = &ring->slots[head & FZ_RING_MASK];

  if (head - ring->cached_tail == FZ_RING_CAPACITY)
    {
      ring->cached_tail = atomic_load_explicit (&ring->tail, memory_order_acquire);
      if (head - ring->cached_tail == FZ_RING_CAPACITY)
        return false;
    }
  memcpy (slot, msg, FZ_RING_BODY);
  fz_ring_stamp_store (slot, head);
  atomic_store_explicit (&ring->head, head + 1, memory_order_relaxed);
  return true;
}

/* Consumer side.  Returns false at once when the ring is empty.
 * fz_ring_peek() and fz_ring_advance() in one, written out: tail is loaded
 * once, not twice.  @msg's ring_stamp is left as it was. */
static inline bool
fz_ring_pop (FzRing *ring, FzMsg *msg)
{
  size_t tail = atomic_load_explicit (&ring->tail, memory_order_relaxed);
  const FzMsg *slot = &ring->slots[tail & FZ_RING_MASK];

  if (!fz_ring_slot_is_full (slot, tail))
    return false;
  memcpy (msg, slot, FZ_RING_BODY);
  atomic_store_explicit (&ring->tail, tail + 1, memory_order_release);
  return true;
}
